"""GraphQL types of the hub (strawberry), shaped exactly as CONTRACT.md prints them.

Types are plain typed classes; their resolvers are plain functions in the sibling modules.  Values that
are not valid GraphQL enum names (tiers such as ``3A``) stay strings, as the contract asks; where a closed
set of values exists the schema also offers it as a documented enum in a sibling field (``tierLevel``,
``Reason.kind``) so clients can switch on it without string matching.

Institution, Region, Alliance and CatalogItem are Apollo Federation entities (``@key``): another subgraph
can reference them by key and add fields; ``resolve_reference`` goes through the per-request batch
loaders in :mod:`resolvers.entities` (one store read per type per ``_entities`` request).
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Any, Optional

import strawberry

from hub.domain import vocabulary

from resolvers.fastpath.inputs import scalar_input


def domain_enum(domain: type[Enum], description: str, name: str | None = None) -> Any:
    """The GraphQL enum (named ``name``, default the domain's) of a vocabulary enum
    (:mod:`hub.domain.vocabulary`): the same member names and values, each value described by the member's
    ``description``.  A new class, so the domain enum stays free of strawberry (which marks the class it
    wraps)."""
    values = {m.name: strawberry.enum_value(m.value, description=m.description) for m in domain}  # type: ignore[attr-defined]
    return strawberry.enum(Enum(name or domain.__name__, values, module=__name__), description=description)  # type: ignore[misc]


Verdict = domain_enum(
    vocabulary.Verdict, "How the governing policy answers: should the target accept the prior study?"
)


ReasonCode = domain_enum(
    vocabulary.ReasonCode,
    "The rule behind a Reason. `Reason.code` carries the same name as a String (the contract's "
    "type); `Reason.kind` is this enum, null for a code newer than this schema.",
)


TierLevel = domain_enum(
    vocabulary.Tier,
    "Hospital grade (医院等级). `Institution.tier` carries the contract's spelling (3A, 2B, …).",
    name="TierLevel",
)
#: the contract's spelling of a tier -> the enum
TIERS: dict[str, Any] = {t.value: TierLevel[t.name] for t in vocabulary.Tier}


_PRIOR_STUDIES_CODES = (vocabulary.ReasonCode.INCOMPLETE_IMAGES, vocabulary.ReasonCode.COMPLETENESS_UNKNOWN)
_REASON_CODE_DESCRIPTION = (
    "Machine-readable code: "
    + ", ".join(c for c in vocabulary.ReasonCode if c not in vocabulary.EXCLUSION_CODES + _PRIOR_STUDIES_CODES)
    + ", EXCLUSION_* (one per clinical exclusion), and for priorStudies "
    + " and ".join(_PRIOR_STUDIES_CODES)
    + "; see enum ReasonCode."
)


@strawberry.type(description="One rule that decided, with the document and clause it comes from.")
class Reason:
    code: str = strawberry.field(description=_REASON_CODE_DESCRIPTION)
    source: str = strawberry.field(description="The document: its file-name prefix 000…004 (\"-\" when none).")
    clause: Optional[str] = strawberry.field(description="The clause of that document, e.g. 四(一), 6.5, 三、3(二).")
    text: str = strawberry.field(description="What the rule says and how it applied here, readable by a person.")

    @strawberry.field(description="`code` as an enum; null for a code newer than this schema.")
    def kind(self) -> Optional[ReasonCode]:
        return ReasonCode.__members__.get(self.code)


@strawberry.type(description="The answer to \"is this prior study recognizable here?\" (检查检验结果互认).")
class Recognition:
    verdict: Verdict = strawberry.field(description="RECOGNIZED, NOT_RECOGNIZED or PHYSICIAN_DISCRETION.")
    mark: Optional[str] = strawberry.field(description="The mark label that applies (互认标识), e.g. 京津冀HR, 北京HR, 川渝HR; null when none.")
    mark_code: Optional[str] = strawberry.field(description="The mark's code, e.g. JJHR, BJHR, CYHR; null when none.")
    target_item: Optional[str] = strawberry.field(description="The same exam in the catalog that governs the target, e.g. HE-IMG:122.")
    valid_until: Optional[dt.date] = strawberry.field(description="Last day inside the recognition window (互认时限); null when the policy sets none.")
    reasons: list[Reason] = strawberry.field(description="Every rule that decided, in order.")
    policy: Optional[str] = strawberry.field(default=None, description="The governing policy: a document prefix (000…004), or a zone overlay (JJJ).")


@scalar_input
@strawberry.input(description="A prior study: where it was done, which exam, and when.")
class StudyInput:
    institution: strawberry.ID = strawberry.field(description="The institution that performed the study.")
    item: str = strawberry.field(description="Catalog item reference CATALOG:LOCAL, e.g. BJ-IMG:BW23ZYZZZ-00 (OCR variants resolve).")
    performed_on: dt.date = strawberry.field(description="The study date (ISO YYYY-MM-DD).")


def _clinical_context() -> type:
    """The ClinicalContext input: an optional Boolean per hub.domain.vocabulary.ClinicalFlag, named and
    described by it (the Python attribute is the flag's name, which is its GraphQL name too)."""
    namespace: dict[str, Any] = {"__module__": __name__, "__annotations__": {}}
    for flag in vocabulary.ClinicalFlag:
        namespace["__annotations__"][flag.value] = Optional[bool]
        namespace[flag.value] = strawberry.field(default=None, description=flag.description)
    cls = type("ClinicalContext", (), namespace)
    return scalar_input(strawberry.input(
        cls, description="Clinical circumstances that let a physician re-examine despite recognition (不予互认情形)."))


ClinicalContext = _clinical_context()


@strawberry.federation.type(keys=["ref"], description="An item of a catalog (互认项目) as the document prints it. Entity key: ref.")
class CatalogItem:
    ref: str = strawberry.field(description="CATALOG:LOCAL, e.g. ZJ-IMG:BW23ZYZZZ.")
    catalog: str = strawberry.field(description="The catalog id: ZJ-LAB, ZJ-IMG, BJ-LAB, BJ-IMG, HC-IMG, HE-IMG or CY-IMG.")
    name: str = strawberry.field(description="The name as printed in the document.")
    modality: Optional[str] = strawberry.field(description="DR, CT, MR, MG (mammography), RF (GI contrast) or LAB.")
    local: Optional[str] = strawberry.field(default=None, description="The printed code (corrected) or serial number.")
    row: Optional[int] = strawberry.field(default=None, description="The row number printed in the document.")
    body_part: Optional[str] = strawberry.field(default=None, description="Normalised body part from the crosswalk vocabulary (seeds/crosswalk/vocabulary.yaml), e.g. chest, head.")
    laterality: Optional[str] = strawberry.field(default=None, description="Normalised side: left, right, bilateral or unilateral; null when the name gives none.")
    contrast: Optional[str] = strawberry.field(default=None, description="Normalised contrast / technique (平扫 plain, 增强 contrast, plain+contrast, CTA, MRA, DWI …).")
    views: Optional[str] = strawberry.field(default=None, description="Normalised projections of a radiograph (正位 frontal, 侧位 lateral …; CC/MLO on mammograms).")
    source: Optional[str] = strawberry.field(default=None, description="Document prefix 000…004.")
    printed: Optional[str] = strawberry.field(default=None, description="The code exactly as printed, when it differs (OCR).")
    note: Optional[str] = strawberry.field(default=None, description="A remark on the row (correction, flaw of the source text).")

    @classmethod
    def resolve_reference(cls, info: strawberry.Info, ref: str) -> Optional["CatalogItem"]:
        from resolvers.context import hub
        from resolvers.rows import catalog_item_from_record

        items = hub(info).items
        found = items.resolve(ref)
        return catalog_item_from_record(items.record(found)) if found is not None else None


@strawberry.type(description="A catalog of recognizable items (互认项目清单) from one document.")
class Catalog:
    id: str = strawberry.field(description="ZJ-LAB, ZJ-IMG, BJ-LAB, BJ-IMG, HC-IMG, HE-IMG or CY-IMG.")
    name: str = strawberry.field(description="The catalog's title as printed.")
    source: str = strawberry.field(description="Document prefix 000…004.")
    item_count: int = strawberry.field(description="The number of items as the document numbers them.")
    clause: Optional[str] = strawberry.field(default=None, description="Where in the document the list is (附件1, 附件2 …).")


@strawberry.federation.type(
    keys=["id"],
    description="A medical alliance: 城市医联体 (city_medical_group) or 县域医共体 (county_medical_community). Entity key: id.",
)
class Alliance:
    id: strawberry.ID = strawberry.field(description="The id chosen by whoever loaded it.")
    kind: str = strawberry.field(description="city_medical_group (城市医联体) or county_medical_community (县域医共体).")
    name: str = strawberry.field(description="The alliance's name.")

    @classmethod
    async def resolve_reference(cls, info: strawberry.Info, id: strawberry.ID) -> Optional["Alliance"]:
        from resolvers.entities import loaders

        return await loaders(info).alliances.load(str(id))


@strawberry.federation.type(
    keys=["code"],
    description="A region: GB/T 2260 division (province, city, county), a zone (京津冀 JJJ, 川渝 CY) or the nation (CN). "
    "Entity key: code.",
)
class Region:
    code: str = strawberry.field(description="GB/T 2260 six-digit code, JJJ, CY or CN.")
    name: str = strawberry.field(description="The region's name.")
    level: str = strawberry.field(description="nation, zone, province, city or county.")
    parents: list[str] = strawberry.field(description="Codes of the regions it is directly part of (a province's zone and the nation …).")

    @classmethod
    async def resolve_reference(cls, info: strawberry.Info, code: str) -> Optional["Region"]:
        from resolvers.entities import loaders

        return await loaders(info).regions.load(code)


@strawberry.type(description="A quality mark: the institution passed the quality evaluation for the item, recognized within scope.")
class Mark:
    item: str = strawberry.field(description="Catalog item reference CATALOG:LOCAL.")
    scope: str = strawberry.field(description="Region or zone code within which it is recognized (e.g. 110000, JJJ).")
    valid_from: dt.date = strawberry.field(description="First day it is valid.")
    valid_to: Optional[dt.date] = strawberry.field(description="Last day it is valid; null when open.")


@strawberry.federation.type(keys=["id"], description="A medical institution (医疗机构). Entity key: id.")
class Institution:
    id: strawberry.ID = strawberry.field(description="The opaque id chosen by whoever loaded it.")
    name: str = strawberry.field(description="The institution's name.")
    tier: str = strawberry.field(description="Hospital grade: 3A 三级甲等, 3B 三级乙等, 3 三级, 2A, 2B, 2, 1, 0 (not rated); see tierLevel.")
    region: str = strawberry.field(description="GB/T 2260 code of where it lies.")
    ownership: Optional[str] = strawberry.field(default=None, description="public, private or military.")
    kind: Optional[str] = strawberry.field(default=None, description="general, tcm (中医), lab (independent lab), primary (社区/乡镇) or specialist.")
    aliases: list[str] = strawberry.field(default_factory=list, description="Other names it appears under (e.g. DICOM InstitutionName).")

    @strawberry.field(description="`tier` as an enum; null for a spelling outside the contract's list.")
    def tier_level(self) -> Optional[TierLevel]:
        return TIERS.get(self.tier)

    @strawberry.field(description="The alliances (医联体/医共体) it belongs to.")
    async def alliances(self, info: strawberry.Info) -> list[Alliance]:
        from resolvers.entities import loaders

        return await loaders(info).alliances_of.load(str(self.id))

    @strawberry.field(description="Its quality marks (互认标识).")
    async def marks(self, info: strawberry.Info) -> list[Mark]:
        from resolvers.graph import marks_of

        return await marks_of(info, str(self.id))

    @classmethod
    async def resolve_reference(cls, info: strawberry.Info, id: strawberry.ID) -> Optional["Institution"]:
        from resolvers.entities import loaders

        return await loaders(info).institutions.load(str(id))


@strawberry.input(description="A patient as the regional platforms know them: DICOM PatientID and IssuerOfPatientID.")
class PatientInput:
    id: str = strawberry.field(description="PatientID (never logged; a keyed hash is used where correlation is needed).")
    issuer: Optional[str] = strawberry.field(default=None, description="IssuerOfPatientID, e.g. the regional platform's id domain.")


@strawberry.type(description="How one regional platform answered one search.")
class PlatformStatus:
    id: str = strawberry.field(description="The platform's id in the platform file.")
    ok: bool = strawberry.field(description="Whether it answered in time with a usable answer.")
    error: Optional[str] = strawberry.field(description="Why the platform failed (down, timed out, credentials refused, garbage); null when ok.")
    latency_ms: Optional[float] = strawberry.field(default=None, description="How long it took to answer (or to fail), in milliseconds.")


@strawberry.type(description="A prior study found on a regional imaging platform, with its recognizability at the asking institution.")
class PriorStudy:
    platform: str = strawberry.field(description="The platform it came from (like IHE XCA's homeCommunityId).")
    study_instance_uid: str = strawberry.field(description="DICOM StudyInstanceUID.")
    performed_on: dt.date = strawberry.field(description="DICOM StudyDate.")
    modality: Optional[str] = strawberry.field(description="The study's modality as the platform reports it (DICOM ModalitiesInStudy), e.g. CT.")
    description: Optional[str] = strawberry.field(description="DICOM StudyDescription.")
    institution: Optional[strawberry.ID] = strawberry.field(description="The hub institution whose name or alias equals the DICOM InstitutionName.")
    item: Optional[str] = strawberry.field(description="The catalog item of the platform region's catalog (by procedure code, else by description).")
    institution_name: Optional[str] = strawberry.field(default=None, description="DICOM InstitutionName as found.")
    unresolved: list[str] = strawberry.field(default_factory=list, description="Why institution or item could not be resolved.")
    _recognition: strawberry.Private[Optional[Recognition]] = None
    _problem: strawberry.Private[Optional[tuple[str, str]]] = None

    @strawberry.field(description="The answer of `recognizability` for this study at `at`; null (with an error) when the institution or item cannot be resolved.")
    def recognition(self) -> Optional[Recognition]:
        if self._problem is not None:
            from resolvers.errors import hub_error

            code, message = self._problem
            raise hub_error(code, message, self.study_instance_uid)
        return self._recognition


@strawberry.type(description="Prior studies of a patient across every configured platform, and how each platform answered.")
class PriorStudies:
    studies: list[PriorStudy] = strawberry.field(description="The studies found, from every platform that answered.")
    platforms: list[PlatformStatus] = strawberry.field(description="One entry per platform in the platform file.")
