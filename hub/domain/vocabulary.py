"""The hub's vocabulary, each term defined once: verdicts, reason codes, tiers, clinical-context flags.

Everything else spells these from here: the engine, the policy file schema, the GraphQL types (which are
generated from these enums, descriptions included).  The enums are ``StrEnum`` s: a member *is* its
string (``ReasonCode.POLICY == "POLICY"``, and so in f-strings and JSON), so code that compares with
strings keeps working, while a string literal that is not a member stands out as not a member.
"""

from __future__ import annotations

from enum import Enum, StrEnum


class Described(StrEnum):
    """A term with its description: each member is declared as ``NAME = "VALUE", "what it means"``, the
    description kept beside the value (the GraphQL enums and the docs read it from here)."""

    description: str

    def __new__(cls, value: str, description: str) -> "Described":
        member = str.__new__(cls, value)
        member._value_ = value
        member.description = description
        return member


class Verdict(StrEnum):
    """What a governing policy says of a prior result (CONTRACT.md): weakest wins across the steps
    (NOT_RECOGNIZED < PHYSICIAN_DISCRETION < RECOGNIZED; :attr:`strength`)."""

    description: str
    strength: int

    def __new__(cls, value: str, strength: int, description: str) -> Verdict:
        member = str.__new__(cls, value)
        member._value_ = value
        member.strength = strength
        member.description = description
        return member

    RECOGNIZED = "RECOGNIZED", 2, "The policy says the target should accept it (应予互认)."
    NOT_RECOGNIZED = "NOT_RECOGNIZED", 0, "No rule makes it recognizable (不予互认)."
    PHYSICIAN_DISCRETION = (
        "PHYSICIAN_DISCRETION", 1,
        "The policy allows but does not oblige it: an exclusion applies, an advisory window has passed, or a "
        "higher tier may accept a lower one (由接诊医师判断).",
    )


VERDICTS: tuple[str, ...] = tuple(v.value for v in Verdict)


class ReasonCode(Described):
    """The rule behind a reason (CONTRACT.md ``Reason.code``), with what it means.

    The engine emits the codes down to ``OUTSIDE_WINDOW``, through the policy files' exclusions the
    ``EXCLUSION_*`` ones, and ``INSTITUTION_SCOPE`` (a policy's ``participants``); ``priorStudies`` adds the
    image-completeness findings.  Each code's text, in every language, is a template of
    ``seeds/messages/<lang>.yaml`` (:mod:`hub.domain.messages`)."""

    POLICY = "POLICY", "Which document governs the target institution (its province's)."
    ZONE_POLICY = (
        "ZONE_POLICY",
        "A cross-province zone's document (京津冀, 川渝) governs because source and target sit in different "
        "provinces of one zone.",
    )
    NO_POLICY = "NO_POLICY", "No document governs the target institution."
    ITEM_IN_CATALOG = (
        "ITEM_IN_CATALOG",
        "The exam is in the governing catalog (互认项目), possibly under another code (crosswalk).",
    )
    ITEM_NOT_IN_CATALOG = "ITEM_NOT_IN_CATALOG", "The exam is not in the catalog that governs the target."
    SAME_INSTITUTION = "SAME_INSTITUTION", "The study was performed at the target institution itself."
    SAME_ALLIANCE = "SAME_ALLIANCE", "Source and target belong to one medical alliance (医联体/医共体)."
    TIER_RULE = "TIER_RULE", "A rule on the institutions' tiers (等级) applied."
    MARK_SCOPE = (
        "MARK_SCOPE",
        "The source holds a quality mark (互认标识) for the item whose scope covers the target.",
    )
    NO_SHARED_SCOPE = "NO_SHARED_SCOPE", "The source's marks do not reach the target's region."
    MARK_MISSING = "MARK_MISSING", "The source holds no valid quality mark for the item."
    WITHIN_WINDOW = "WITHIN_WINDOW", "The study is inside the policy's time window (互认时限)."
    OUTSIDE_WINDOW = "OUTSIDE_WINDOW", "The study is older than the policy's time window."
    EXCLUSION_EMERGENCY = "EXCLUSION_EMERGENCY", "急诊、急救等紧急状态: emergency."
    EXCLUSION_CONDITION_CHANGED = "EXCLUSION_CONDITION_CHANGED", "因病情变化: the condition changed."
    EXCLUSION_MAJOR_PROCEDURE = "EXCLUSION_MAJOR_PROCEDURE", "手术、输血等重大医疗措施前: before a major procedure."
    EXCLUSION_PATIENT_REQUEST = "EXCLUSION_PATIENT_REQUEST", "患者或其家属要求复查: the patient asks for a retest."
    EXCLUSION_FORENSIC = "EXCLUSION_FORENSIC", "司法、伤残及病退等鉴定: forensic or disability assessment."
    EXCLUSION_RESULT_IN_DOUBT = "EXCLUSION_RESULT_IN_DOUBT", "对已有结果存疑: the result is in doubt."
    EXCLUSION_IMAGE_QUALITY = (
        "EXCLUSION_IMAGE_QUALITY",
        "图像质量和方法不能满足诊断要求: the images are incomplete or inadequate.",
    )
    INSTITUTION_SCOPE = (
        "INSTITUTION_SCOPE",
        "An institution lies outside the institutions the document's recognition covers (互认范围, e.g. 004 6.2 "
        "二级及以上公立); what the document says of such an institution applies.",
    )
    INCOMPLETE_IMAGES = (
        "INCOMPLETE_IMAGES",
        "priorStudies: the platform's images do not make a complete study (序列完整, 001 三、2(二) / 003 二(四)).",
    )
    COMPLETENESS_UNKNOWN = (
        "COMPLETENESS_UNKNOWN",
        "priorStudies: the platform did not say enough to judge completeness.",
    )


class Tier(StrEnum):
    """Hospital grade (医院等级) as the contract spells it (``Institution.tier``: 3A, 2B, …), with its level
    (三级 3, 二级 2, 一级 1, 未定级 0: what 004 6.2's "same level" compares) and its Chinese name."""

    level: int
    chinese: str
    note: str | None

    def __new__(cls, code: str, level: int, chinese: str, note: str | None = None) -> Tier:
        member = str.__new__(cls, code)
        member._value_ = code
        member.level = level
        member.chinese = chinese
        member.note = note
        return member

    TERTIARY_A = "3A", 3, "三级甲等"
    TERTIARY_B = "3B", 3, "三级乙等"
    TERTIARY = "3", 3, "三级", "not graded within the level"
    SECONDARY_A = "2A", 2, "二级甲等"
    SECONDARY_B = "2B", 2, "二级乙等"
    SECONDARY = "2", 2, "二级", "not graded within the level"
    PRIMARY = "1", 1, "一级"
    NOT_RATED = "0", 0, "未定级", "not rated, e.g. an independent lab"

    @property
    def level_name(self) -> str:
        """The level's Chinese name (三级 for 3A, 3B and 3): the name of the level's ungraded tier."""
        return _LEVEL_NAMES[self.level]

    @property
    def description(self) -> str:
        """``3A 三级甲等``, ``0 未定级 (not rated, e.g. an independent lab)``."""
        return f"{self.value} {self.chinese}" + (f" ({self.note})" if self.note else "")


_LEVEL_NAMES: dict[int, str] = {t.level: t.chinese for t in Tier if t.value == str(t.level)}


#: the codes a policy file's exclusion may carry (one per clinical exclusion)
EXCLUSION_CODES: tuple[ReasonCode, ...] = tuple(c for c in ReasonCode if c.name.startswith("EXCLUSION_"))

class ClinicalFlag(Described):
    """A clinical circumstance that lets a physician re-examine despite recognition (不予互认情形): the
    field of CONTRACT.md's ``ClinicalContext`` (the value is its name there, and in the engine's
    ``ClinicalContext``), plus ``imagesIncomplete``, which the hub sets from the completeness check.  A
    policy file's exclusions are keyed by these (``flag:``).  Two are circumstances of the act rather than
    exclusions — ``jointReading`` and ``sourceNotDesignated`` — which only a policy's ``billing`` entries
    read (001 四(三)2, 四(三)4)."""

    EMERGENCY = "emergency", "急诊、急救等紧急状态: an emergency."
    CONDITION_CHANGED = "conditionChanged", "因病情变化，已有结果难以反映当前病情: the condition changed."
    BEFORE_MAJOR_PROCEDURE = (
        "beforeMajorProcedure",
        "手术、输血等重大医疗措施前: before surgery, transfusion or another major procedure.",
    )
    PATIENT_REQUESTS_RETEST = (
        "patientRequestsRetest",
        "患者或其家属要求进一步复查: the patient or family asks for a retest.",
    )
    FORENSIC_ASSESSMENT = (
        "forensicAssessment",
        "司法、伤残及病退等鉴定: for a forensic, disability or retirement assessment.",
    )
    RESULT_IN_DOUBT = "resultInDoubt", "对已有检查检验结果存疑: the existing result is in doubt."
    IMAGES_INCOMPLETE = (
        "imagesIncomplete",
        "图像质量和方法不能满足诊断要求: images inadequate or incomplete (set by the hub for incomplete uploads).",
    )
    JOINT_READING = (
        "jointReading",
        "确需相应检查检验科室共同参与方可完成互认: recognizing it needs the department's joint reading (a billing "
        "circumstance, 001 四(三)2; not an exclusion).",
    )
    SOURCE_NOT_DESIGNATED = (
        "sourceNotDesignated",
        "未定点医疗机构: the institution that produced the result is not designated (定点) by the medical insurance (a "
        "billing circumstance, 001 四(三)4; not an exclusion).",
    )


#: the flags' names, in order (plain strings: the policy schema's and the dataclasses' field names)
CONTEXT_FLAGS: tuple[str, ...] = tuple(f.value for f in ClinicalFlag)


class BillingCode(Described):
    """What a governing document says of the fees when a result is recognized or re-examined (001 四(三)
    加强医保管理): ``Recognition.billing.code``.  Which one applies is policy data (a policy file's
    ``billing`` entries, each with its clause and the document's words); the English texts are in
    ``seeds/messages/en.yaml``."""

    NO_EXTRA_FEE = "NO_EXTRA_FEE", "按门（急）诊诊查收取相应的医事服务费，不额外收费: only the consultation fee, no extra charge."
    JOINT_READING_FEE = (
        "JOINT_READING_FEE",
        "可加收院内会诊费用: an in-hospital consultation fee may be added where the department's joint reading is needed.",
    )
    ACTUAL_COST = (
        "ACTUAL_COST",
        "收取实际发生的医疗服务费用: a re-examination under an exclusion is charged at the cost actually incurred.",
    )
    NOT_REIMBURSED = (
        "NOT_REIMBURSED",
        "可以互认，但费用不予报销: recognizable, but the fees of a non-designated institution are not reimbursed.",
    )


class Role(Described):
    """Who a caller is (CONTRACT.md "Who is asking": the token's ``role`` claim), with what it may see
    (:mod:`hub.services.access` holds the matrix)."""

    CLINICIAN = "clinician", "接诊医师: patient data at its own institution (the token's `institution`)."
    PORTAL = "portal", "区域平台/门户: patient data at the institutions it serves (the token's `institutions`)."
    ANALYST = "analyst", "数据分析: the recognition metrics; no patient data."
    AUDITOR = "auditor", "审计: the audit events; no patient data otherwise."
    ADMIN = "admin", "管理员: the metrics and loading datasets; no patient data."
