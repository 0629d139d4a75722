"""004 7.1's data-quality requirements as data: what each asks, its target, and whether the hub has a source
for it — so that a report states, figure by figure, either a number the hub counted or that it has none.

004 7.1 asks five things of the imaging data uploaded to the cloud platforms (及时性, 一致性, 完整性, 准确性,
连续性).  The hub sees the platforms only through DICOMweb QIDO: a study's StudyDate/StudyTime, its series
and their attributes — no time the study reached the platform, no diagnostic report, none of the ten kinds
of information 7.1.3 lists.  What it does measure is image completeness against the upload rules of
001 三、2(二) and 003 二(四) (:mod:`hub.domain.upload_rules`), and it keeps those findings on every reminder
(``Reminder.findings``, as the latest question saw them).  That is a real figure, but not 7.1.3's: it is
reported under its own name with its own clauses, and 7.1.3 itself as not provided.

A figure with ``source=None`` is never given a number anywhere (:data:`NOT_PROVIDED_ZH` instead): an
invented 0 % or 100 % would read as a measurement.
"""

from __future__ import annotations

from dataclasses import dataclass

from hub.domain.upload_rules import UploadRules

#: what a report shows where a figure has no source (the platforms do not give it)
NOT_PROVIDED_ZH = "平台未提供"
NOT_PROVIDED_EN = "not provided by the platforms"


@dataclass(frozen=True)
class QualityRequirement:
    """One requirement of 004 7.1: its clause, its name, the document's target, and what the hub counts it
    from (``None``: no source; ``why`` says what is missing)."""

    clause: str
    label_zh: str
    label_en: str
    measure_zh: str  # what the document measures, in its words
    measure_en: str
    target_zh: str
    target_en: str
    source: str | None
    why_zh: str
    why_en: str


#: 004 7.1.1–7.1.5 in the document's order
REQUIREMENTS: tuple[QualityRequirement, ...] = (
    QualityRequirement(
        "004 7.1.1", "及时性", "timeliness", "上云传输时间与检查发生时间间隔", "upload delay after the examination",
        "小于1小时", "under 1 hour", None,
        "平台的DICOMweb查询只给出检查日期和时间（StudyDate/StudyTime），不给出影像上传到平台的时间，无法计算上传时延",
        "the platforms' DICOMweb queries give the examination's date and time (StudyDate/StudyTime) but not when "
        "the study reached the platform, so no upload delay can be computed"),
    QualityRequirement(
        "004 7.1.2", "一致性", "consistency", "影像检查结果与诊断报告匹配", "images match the diagnostic report",
        "100%", "100 %", None,
        "本系统不读取诊断报告，无法比对影像与报告",
        "the hub reads no diagnostic reports, so images cannot be matched against them"),
    QualityRequirement(
        "004 7.1.3", "完整性", "completeness", "申请单、患者、登记、采集、诊断等十类信息的完整性",
        "the ten kinds of information (order, patient, registration, acquisition, diagnosis …) present",
        "不低于95%", "at least 95 %", None,
        "平台未提供这十类信息；本报告另列“影像完整性”（按各政策的影像上传规则核对影像序列），两者口径不同，"
        "不可与95%的目标直接比较",
        "the platforms do not give these ten kinds of information; the report shows image completeness (series "
        "checked against the policies' upload rules) separately — a different measure, not comparable with the "
        "95 % target"),
    QualityRequirement(
        "004 7.1.4", "准确性", "accuracy", "申请、登记、采集参数、诊断结论等字段的准确性",
        "order, registration, acquisition parameters, diagnostic conclusion … accurate",
        "不低于90%", "at least 90 %", None,
        "平台未提供可核对准确性的字段", "the platforms give no fields accuracy could be checked on"),
    QualityRequirement(
        "004 7.1.5", "连续性", "continuity", "上传间断时间", "gaps between uploads",
        "不超过24小时", "at most 24 hours", None,
        "平台不提供上传时间，无法计算上传间断", "the platforms give no upload times, so no gaps can be computed"),
)

def upload_rule_clauses(rules: UploadRules) -> str:
    """The clauses image completeness is measured against — every policy's ``uploadRules`` (today 001 三、2(二)
    and 003 二(四)), each once, in the policies' order: read from the seeds like the rules themselves, so a new
    province's upload rules are cited without a code change."""
    return "；".join(dict.fromkeys(f"{r.source} {r.clause}" for r in rules.rules))


@dataclass(frozen=True)
class Figure:
    """A data-quality figure the hub does count: its column name in the store row, its labels, what it is (its
    clauses are the upload rules': :func:`upload_rule_clauses`)."""

    name: str
    label_zh: str
    label_en: str
    kind: str  # "count" | "rate"
    meaning_zh: str
    meaning_en: str


#: the image-completeness figures of the reminded studies (the findings kept on each reminder), in report order
FIGURES: tuple[Figure, ...] = (
    Figure("imagesIncomplete", "影像不完整数", "studies with images missing", "count",
           "提醒所涉检查中，平台影像按上传规则核对有缺失的数目（以最近一次提醒时所见为准）",
           "reminders whose study's images, checked against the upload rules, missed something (as last seen)"),
    Figure("completenessUnknown", "影像完整性未能核对数", "studies whose completeness could not be checked", "count",
           "平台未给出足够信息、无法核对影像完整性的提醒数", "reminders whose platform said too little to check completeness"),
    Figure("imageCompletenessRate", "影像完整率", "image completeness rate", "rate",
           "未发现影像缺失或无法核对情形的提醒数 ÷ 提醒数（无上传规则的检查类别计为未发现缺失）",
           "reminders with no completeness finding ÷ reminders (studies of a class no upload rule names count "
           "as without a finding)"),
)


@dataclass(frozen=True)
class ImageCompleteness:
    """The completeness findings of the reminders of one scope and period (a store row's columns)."""

    reminders: int = 0
    withoutFinding: int = 0  # noqa: N815 - the store row's column names
    imagesIncomplete: int = 0  # noqa: N815
    completenessUnknown: int = 0  # noqa: N815

    def __add__(self, other: "ImageCompleteness") -> "ImageCompleteness":
        return ImageCompleteness(self.reminders + other.reminders, self.withoutFinding + other.withoutFinding,
                                 self.imagesIncomplete + other.imagesIncomplete,
                                 self.completenessUnknown + other.completenessUnknown)

    @property
    def imageCompletenessRate(self) -> float | None:  # noqa: N802 - named as the figure
        """Reminders without a finding ÷ reminders; ``None`` when no reminder was issued (as the four rates)."""
        return None if self.reminders == 0 else self.withoutFinding / self.reminders

    def value(self, name: str) -> int | float | None:
        """The figure ``name`` (a :data:`FIGURES` name)."""
        return getattr(self, name)
