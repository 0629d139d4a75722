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
from typing import Annotated, Any, Optional

import strawberry

from hub.domain import vocabulary

from resolvers.browse.filters import InstitutionSort, InstitutionWhere
from resolvers.browse.paging import Connection
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


@strawberry.enum(description="The language of the texts a person reads (reason texts, the verdict's label, billing). "
                 "Chinese by default; the documents' own words stay Chinese, quoted, in every language.")
class Language(Enum):
    ZH = strawberry.enum_value("zh", description="中文 (the default).")
    EN = strawberry.enum_value("en", description="English.")


@strawberry.type(description="One rule that decided, with the document and clause it comes from.")
class Reason:
    code: str = strawberry.field(description=_REASON_CODE_DESCRIPTION)
    source: str = strawberry.field(description="The document: its file-name prefix 000…004 (\"-\" when none).")
    clause: Optional[str] = strawberry.field(description="The clause of that document, e.g. 四(一), 6.5, 三、3(二). Null only "
                                             "for NO_POLICY, where no document exists to cite.")
    text: str = strawberry.field(description="What the rule says and how it applied here, readable by a person, in the "
                                 "language asked (`lang`, Chinese by default); rendered from seeds/messages/<lang>.yaml.")
    decisive: bool = strawberry.field(
        default=False,
        description="Whether this reason set the verdict: the verdict its step gives on its own is the answer's. The answer "
        "is the weakest verdict any step gives, so for NOT_RECOGNIZED these are the rules that refuse, for "
        "PHYSICIAN_DISCRETION the exclusions, advisory windows and optional rules that leave it to the physician, for "
        "RECOGNIZED the rule that grants it (SAME_ALLIANCE, SAME_INSTITUTION or TIER_RULE) and the MARK_SCOPE that "
        "carries the study where a mark is required. Reasons that only inform (POLICY, ZONE_POLICY, ITEM_IN_CATALOG, "
        "WITHIN_WINDOW …) are never decisive.",
    )

    @strawberry.field(description="`code` as an enum; null for a code newer than this schema.")
    def kind(self) -> Optional[ReasonCode]:
        return ReasonCode.__members__.get(self.code)


BillingCode = domain_enum(
    vocabulary.BillingCode, "What the governing document says of the fees (001 四(三)). `Billing.code` carries the same name."
)


@strawberry.type(description="Billing guidance (医保管理) where the governing document gives it (001 四(三)): what may be "
                 "charged for this answer.")
class Billing:
    code: str = strawberry.field(description="NO_EXTRA_FEE, JOINT_READING_FEE, ACTUAL_COST or NOT_REIMBURSED; see enum BillingCode.")
    text: str = strawberry.field(description="In Chinese the document's own words, quoted exactly; in English a translation.")
    clause: str = strawberry.field(description="The clause, e.g. 四(三)1.")
    source: str = strawberry.field(description="The document (its file-name prefix), e.g. 001.")

    @strawberry.field(description="`code` as an enum; null for a code newer than this schema.")
    def kind(self) -> Optional[BillingCode]:
        return BillingCode.__members__.get(self.code)


@strawberry.type(description="The answer to \"is this prior study recognizable here?\" (检查检验结果互认).")
class Recognition:
    verdict: Verdict = strawberry.field(description="RECOGNIZED, NOT_RECOGNIZED or PHYSICIAN_DISCRETION.")
    mark: Optional[str] = strawberry.field(description="The mark label that applies (互认标识), e.g. 京津冀HR, 北京HR, 川渝HR; null when none.")
    mark_code: Optional[str] = strawberry.field(description="The mark's code, e.g. JJHR, BJHR, CYHR; null when none.")
    target_item: Optional[str] = strawberry.field(description="The same exam in the catalog that governs the target, e.g. HE-IMG:122.")
    valid_until: Optional[dt.date] = strawberry.field(description="Last day inside the recognition window (互认时限); null when the policy sets none.")
    reasons: list[Reason] = strawberry.field(description="Every rule that decided, in order.")
    policy: Optional[str] = strawberry.field(default=None, description="The governing policy: a document prefix (000…004), or a zone overlay (JJJ).")
    verdict_label: str = strawberry.field(
        default="", description="The verdict as a doctor reads it: 应予互认, 由接诊医师判断 or 不予互认 (English with lang: EN).")
    billing: Optional[Billing] = strawberry.field(
        default=None, description="Billing guidance of the governing document for this answer (001 四(三)); null where the "
        "document says nothing (every document but 001, and 001 outside Beijing).")
    _institution: strawberry.Private[Optional[str]] = None
    _item: strawberry.Private[Optional[str]] = None
    _at: strawberry.Private[Optional[str]] = None

    @strawberry.field(description="The institution that performed the study, with its name.")
    async def source_institution(self, info: strawberry.Info) -> Optional[Institution]:
        return await _institution(info, self._institution)

    @strawberry.field(description="The institution asked about (the target), with its name.")
    async def target_institution(self, info: strawberry.Info) -> Optional[Institution]:
        return await _institution(info, self._at)

    @strawberry.field(description="The study's item as the catalogs print it (the asked reference resolved, OCR variants corrected).")
    def study_catalog_item(self, info: strawberry.Info) -> Optional[CatalogItem]:
        return _catalog_item(info, self._item)

    @strawberry.field(description="`targetItem` as the governing catalog prints it (ref and name); null when the catalog lists no such exam.")
    def target_catalog_item(self, info: strawberry.Info) -> Optional[CatalogItem]:
        return _catalog_item(info, self.target_item)


async def _institution(info: strawberry.Info, iid: Optional[str]) -> Optional["Institution"]:
    if iid is None:
        return None
    from resolvers.entities import loaders

    return await loaders(info).institutions.load(iid)


def _catalog_item(info: strawberry.Info, ref: Optional[str]) -> Optional["CatalogItem"]:
    if ref is None:
        return None
    from resolvers.context import hub
    from resolvers.rows import catalog_item_from_record

    items = hub(info).items
    found = items.resolve(ref)
    return catalog_item_from_record(items.record(found)) if found is not None else None


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
    score: Optional[float] = strawberry.field(default=None, description="How well the item matches `catalogItems(search:)`, 0–100 "
                                              "(100: the name, code or reference itself); null outside a search.")
    matched_on: Optional[str] = strawberry.field(default=None, description="What the search matched: ref, code, name, features "
                                                 "(the vocabulary's reading, e.g. 磁共振 = MR), equivalent (the same exam as a "
                                                 "match, crosswalk) or fuzzy; null outside a search.")

    @strawberry.field(description="The institutions holding a mark for this item (reverse of Mark.forItem), by id, a page "
                      "after a cursor; one read for every item of a request asked the same page.")
    async def holders(
        self, info: strawberry.Info,
        scope: Annotated[Optional[str], strawberry.argument(description="Only marks of this scope (110000, JJJ, CY …).")] = None,
        valid_on: Annotated[Optional[dt.date], strawberry.argument(description="Only marks valid on this day.")] = None,
        first: Annotated[int, strawberry.argument(description="Page size (at most max_page).")] = 50,
        after: Annotated[Optional[str], strawberry.argument(description="Continue after this cursor (a page's endCursor).")] = None,
    ) -> Connection[Institution]:
        from resolvers.browse.marks import item_holders

        return await item_holders(info, self.ref, scope, valid_on, first, after)

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

    @strawberry.field(description="The institutions lying inside it (a zone: its provinces'; the nation: all), a page after a "
                      "cursor, with the filters and sorts of institutionsConnection; one read for every region of a request "
                      "asked the same page.")
    async def institutions(
        self, info: strawberry.Info,
        where: Annotated[Optional[InstitutionWhere], strawberry.argument(description="Further filters (region.within is this region).")] = None,
        sort: Annotated[Optional[list[InstitutionSort]], strawberry.argument(description="One key (id, name, region, tier) and its direction; default by id.")] = None,
        first: Annotated[int, strawberry.argument(description="Page size (at most max_page).")] = 50,
        after: Annotated[Optional[str], strawberry.argument(description="Continue after this cursor (a page's endCursor, same sort).")] = None,
    ) -> Connection[Institution]:
        from resolvers.browse.institutions import region_institutions

        return await region_institutions(info, self.code, where, sort, first, after)

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
    id: Optional[str] = strawberry.field(default=None, description="Its key in the graph: institution|item|scope|validFrom.")
    _institution: strawberry.Private[Optional[str]] = None

    @strawberry.field(description="`item` as an object: the catalog item as the document prints it (from memory: no store read).")
    def for_item(self, info: strawberry.Info) -> CatalogItem:
        found = _catalog_item(info, self.item)
        if found is None:  # a load refuses a mark of an unknown item, so only a catalog removed since
            from resolvers.errors import hub_error

            raise hub_error("UNKNOWN_ITEM", f"mark {self.id or ''}: item {self.item!r} is in no catalog", self.item)
        return found

    @strawberry.field(description="`scope` as an object: the region or zone it is valid in (one read for all marks of a page).")
    async def valid_in(self, info: strawberry.Info) -> Optional[Region]:
        from resolvers.entities import loaders

        return await loaders(info).regions.load(self.scope)

    @strawberry.field(description="The institution holding it (one read for all marks of a page).")
    async def holder(self, info: strawberry.Info) -> Optional[Institution]:
        return await _institution(info, self._institution)


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

    @strawberry.field(description="Its quality marks (互认标识), by item, scope and start (one read for all institutions of a page).")
    async def marks(self, info: strawberry.Info) -> list[Mark]:
        from resolvers.entities import loaders

        return await loaders(info).marks_of.load(str(self.id))

    @strawberry.field(description="`region` as an object: the region it lies in, with its name, level and parents (one read for "
                      "all institutions of a page).")
    async def located_in(self, info: strawberry.Info) -> Region:
        from resolvers.entities import loaders

        found = await loaders(info).regions.load(self.region)
        if found is None:  # a load refuses an institution outside the graph's regions
            from resolvers.errors import hub_error

            raise hub_error("BAD_INPUT", f"institution {self.id}: region {self.region!r} is not in the graph", self.region)
        return found

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


@strawberry.type(description="A clause of a document that the hub applies, with the document's words.")
class DocumentClause:
    clause: str = strawberry.field(description="The clause, e.g. 三、3(二), 6.5, 附件2.")
    text: Optional[str] = strawberry.field(description="What the clause says, quoted from the document (null where the policy file quotes nothing, e.g. a mark label).")
    use: str = strawberry.field(description="What the hub applies it to: the policy file's section (tierRules, marks, window, exclusions, "
                                "billing, participants, catalog …).")


@strawberry.type(description="A policy document the hub implements (seeds/policies/*.yaml), or a zone overlay drawn from them.")
class PolicyDocument:
    id: str = strawberry.field(description="The policy id: a document prefix (000…004), or a zone overlay (JJJ) — what `Recognition.policy` names.")
    source: str = strawberry.field(description="The document it comes from (file-name prefix) — what `Reason.source` names.")
    title: str = strawberry.field(description="The document's title as printed (with its number where it has one).")
    issuer: Optional[str] = strawberry.field(description="Who issued it, as the text prints it; null for a zone overlay.")
    year: Optional[int] = strawberry.field(description="The year it carries; null for a zone overlay.")
    number: Optional[str] = strawberry.field(description="Its number (文号 / 标准编号), e.g. 京卫医〔2024〕28号; null where it prints none.")
    zone: Optional[str] = strawberry.field(description="For a zone overlay: the zone (JJJ); null for a document.")
    governs: list[str] = strawberry.field(description="The regions whose institutions it governs (GB/T 2260 codes).")
    catalogs: list[str] = strawberry.field(description="Its catalogs (互认项目清单), e.g. BJ-LAB, BJ-IMG.")
    clauses: list[DocumentClause] = strawberry.field(description="Every clause the hub applies from it, in the policy file's order; "
                                                     "a zone overlay's clauses are listed under the document they come from too.")
    notes: list[str] = strawberry.field(description="How the hub reads it where it is ambiguous (see docs/INTERPRETATIONS.md).")
