"""GraphQL types of the hub (strawberry), shaped exactly as CONTRACT.md prints them.

Types are plain typed classes; their resolvers are plain functions in the sibling modules.  Values that
are not valid GraphQL enum names (tiers such as ``3A``) stay strings, as the contract asks.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Optional

import strawberry


@strawberry.enum(description="How the governing policy answers: should the target accept the prior study?")
class Verdict(Enum):
    RECOGNIZED = strawberry.enum_value("RECOGNIZED", description="The policy says the target should accept it (应予互认).")
    NOT_RECOGNIZED = strawberry.enum_value("NOT_RECOGNIZED", description="No rule makes it recognizable.")
    PHYSICIAN_DISCRETION = strawberry.enum_value(
        "PHYSICIAN_DISCRETION",
        description="The policy allows but does not oblige it: an exclusion applies, an advisory window has "
        "passed, or a higher tier may accept a lower one (由接诊医师判断).",
    )


@strawberry.type(description="One rule that decided, with the document and clause it comes from.")
class Reason:
    code: str = strawberry.field(description="Machine-readable code, e.g. SAME_ALLIANCE, TIER_RULE, MARK_SCOPE, OUTSIDE_WINDOW, EXCLUSION_EMERGENCY.")
    source: str = strawberry.field(description="The document: its file-name prefix 000…004 (\"-\" when none).")
    clause: Optional[str] = strawberry.field(description="The clause of that document, e.g. 四(一), 6.5, 三、3(二).")
    text: str = strawberry.field(description="What the rule says and how it applied here, readable by a person.")


@strawberry.type(description="The answer to \"is this prior study recognizable here?\" (互认).")
class Recognition:
    verdict: Verdict
    mark: Optional[str] = strawberry.field(description="The mark label that applies, e.g. 京津冀HR, 北京HR, 川渝HR; null when none.")
    mark_code: Optional[str] = strawberry.field(description="The mark's English code, e.g. JJHR, BJHR.")
    target_item: Optional[str] = strawberry.field(description="The same exam in the catalog that governs the target, e.g. HE-IMG:122.")
    valid_until: Optional[dt.date] = strawberry.field(description="Last day inside the recognition window; null when the policy sets none.")
    reasons: list[Reason] = strawberry.field(description="Every rule that decided, in order.")
    policy: Optional[str] = strawberry.field(default=None, description="The governing policy: a document prefix, or a zone (JJJ) overlay.")


@strawberry.input(description="A prior study: where it was done, which exam, and when.")
class StudyInput:
    institution: strawberry.ID = strawberry.field(description="The institution that performed the study.")
    item: str = strawberry.field(description="Catalog item reference CATALOG:LOCAL, e.g. BJ-IMG:BW23ZYZZZ-00 (OCR variants resolve).")
    performed_on: dt.date = strawberry.field(description="The study date.")


@strawberry.input(description="Clinical circumstances that let a physician re-examine despite recognition (不予互认情形).")
class ClinicalContext:
    emergency: Optional[bool] = strawberry.field(default=None, description="急诊、急救等紧急状态")
    condition_changed: Optional[bool] = strawberry.field(default=None, description="因病情变化，已有结果难以反映当前病情")
    before_major_procedure: Optional[bool] = strawberry.field(default=None, description="手术、输血等重大医疗措施前")
    patient_requests_retest: Optional[bool] = strawberry.field(default=None, description="患者或其家属要求进一步复查")
    forensic_assessment: Optional[bool] = strawberry.field(default=None, description="司法、伤残及病退等鉴定")
    result_in_doubt: Optional[bool] = strawberry.field(default=None, description="对已有检查检验结果存疑")
    images_incomplete: Optional[bool] = strawberry.field(default=None, description="图像质量和方法不能满足诊断要求 (set by the hub for incomplete uploads)")


@strawberry.type(description="An item of a catalog (互认项目) as the document prints it.")
class CatalogItem:
    ref: str = strawberry.field(description="CATALOG:LOCAL, e.g. ZJ-IMG:BW23ZYZZZ.")
    catalog: str
    name: str = strawberry.field(description="The name as printed in the document.")
    modality: Optional[str] = strawberry.field(description="DR, CT, MR, MG, RF or LAB.")
    local: Optional[str] = strawberry.field(default=None, description="The printed code (corrected) or serial number.")
    row: Optional[int] = strawberry.field(default=None, description="The row number printed in the document.")
    body_part: Optional[str] = None
    laterality: Optional[str] = None
    contrast: Optional[str] = None
    views: Optional[str] = None
    source: Optional[str] = strawberry.field(default=None, description="Document prefix.")
    printed: Optional[str] = strawberry.field(default=None, description="The code exactly as printed, when it differs (OCR).")
    note: Optional[str] = None


@strawberry.type(description="A catalog of recognizable items (互认项目清单) from one document.")
class Catalog:
    id: str
    name: str
    source: str = strawberry.field(description="Document prefix 000…004.")
    item_count: int = strawberry.field(description="The number of items as the document numbers them.")
    clause: Optional[str] = None


@strawberry.type(description="A medical alliance: 城市医联体 (city_medical_group) or 县域医共体 (county_medical_community).")
class Alliance:
    id: strawberry.ID
    kind: str
    name: str


@strawberry.type(description="A region: GB/T 2260 division, a zone (京津冀 JJJ, 川渝 CY) or the nation (CN).")
class Region:
    code: str
    name: str
    level: str
    parents: list[str]


@strawberry.type(description="A quality mark: the institution passed the quality evaluation for the item, recognized within scope.")
class Mark:
    item: str
    scope: str
    valid_from: dt.date
    valid_to: Optional[dt.date]


@strawberry.type(description="A medical institution (医疗机构).")
class Institution:
    id: strawberry.ID
    name: str
    tier: str = strawberry.field(description="3A 三级甲等, 3B 三级乙等, 3 三级, 2A, 2B, 2, 1, 0 (not rated).")
    region: str = strawberry.field(description="GB/T 2260 code of where it lies.")
    ownership: Optional[str] = None
    kind: Optional[str] = None
    aliases: list[str] = strawberry.field(default_factory=list)

    @strawberry.field(description="The alliances (医联体/医共体) it belongs to.")
    async def alliances(self, info: strawberry.Info) -> list[Alliance]:
        from resolvers.graph import alliances_of

        return await alliances_of(info, str(self.id))

    @strawberry.field(description="Its quality marks (互认标识).")
    async def marks(self, info: strawberry.Info) -> list[Mark]:
        from resolvers.graph import marks_of

        return await marks_of(info, str(self.id))


