"""The schema of a policy file (``seeds/policies/*.yaml``): every key declared, every other key refused.

Why strict: a policy file is read by people and edited by hand.  Read loosely, renaming ``exclusions:`` to
``exclusion:`` in 004.yaml loaded silently and dropped every 6.7 exclusion, and a misspelt
``window.length`` was a bare ``KeyError`` at start-up.  Here an unknown key, a missing key or a value of
the wrong kind is refused with the file and the key's path named (``004.yaml: exclusion: unknown key``).

The models are pydantic's (``extra="forbid"``); :func:`json_schema` publishes the same schema as JSON
Schema for editors (``seeds/policies/policy.schema.json``, kept in step by a test).  ``uploadRules`` are
what the connectors' completeness check applies (:mod:`hub.domain.upload_rules`).  The sections nothing
applies yet (``dataQuality``, ``records``, ``metrics``, ``reporting``) are declared too, so their keys are
checked from now on and the code that comes to apply them reads typed values.  Values keep the documents'
Chinese wording; keys are the file format's (camelCase).
"""

from __future__ import annotations

from typing import Any, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from hub.domain.model import TIERS
from hub.domain.upload_rules import MODALITIES, Requirement
from hub.domain.vocabulary import CONTEXT_FLAGS, EXCLUSION_CODES, VERDICTS, BillingCode


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=False)


Clause = Union[str, float, int]  # YAML reads ``clause: 6.2`` as a number; the engine uses its text


OWNERSHIPS = ("public", "private", "military")


class PartyFile(_Strict):
    """Who a rule speaks of: institutions of these tiers or of these kinds (or ``any``); with
    ``ownerships``, only those of these ownerships among them (004 6.2 二级及以上**公立**)."""

    tiers: list[Literal[tuple(TIERS)]] = []  # type: ignore[valid-type]
    kinds: list[Literal["general", "tcm", "lab", "primary", "specialist"]] = []
    ownerships: list[Literal[OWNERSHIPS]] = []  # type: ignore[valid-type]


class TierRuleFile(_Strict):
    id: str
    clause: Clause
    text: str
    verdict: Literal[VERDICTS]  # type: ignore[valid-type]
    items: Literal["lab", "imaging", "any"] = "any"
    source: Union[Literal["any"], PartyFile]
    target: Union[Literal["any"], PartyFile]
    requiresMark: bool = True
    compare: Optional[Literal["same_level", "source_higher"]] = None


class AllianceFile(_Strict):
    clause: Clause
    text: str
    kinds: list[Literal["city_medical_group", "county_medical_community"]] = []


class MarkLabelFile(_Strict):
    scope: str
    label: str
    code: str
    clause: Clause


class WindowFile(_Strict):
    length: int = Field(ge=1)
    unit: Literal["day", "month"]
    binding: bool
    clause: Clause
    text: str


class ExclusionFile(_Strict):
    flag: Literal[CONTEXT_FLAGS]  # type: ignore[valid-type]
    #: a member of hub.domain.vocabulary.ReasonCode (EXCLUSION_*), the code the engine cites
    code: Literal[tuple(c.value for c in EXCLUSION_CODES)]  # type: ignore[valid-type]
    clause: Clause
    text: str


class ExcludedItemFile(_Strict):
    match: dict[Literal["modality", "bodyPart", "laterality", "contrast", "views"], str]
    clause: Clause
    text: str


class RecordsFile(_Strict):
    """What the document says to record when a result is recognized (000 四(二), 004 6.6)."""

    clause: Clause
    fields: list[str]
    text: Optional[str] = None  # 002 三(四) lists the fields without a sentence of its own


class ClauseText(_Strict):
    clause: Clause
    text: str


class UploadRuleFile(_Strict):
    """One sentence of a document's upload rules (001 三、2(二), 003 二(四)): studies of ``modalities`` must
    show ``requires``; ``text`` quotes the document exactly (hub.domain.upload_rules)."""

    modalities: list[Literal[MODALITIES]] = Field(min_length=1)  # type: ignore[valid-type]
    requires: list[Requirement] = Field(min_length=1)
    clause: Clause
    text: str


class DataQualityFile(_Strict):
    """Upload and quality targets (004 7.1)."""

    clause: Clause
    uploadWithinHours: Optional[float] = None
    consistencyPercent: Optional[float] = None
    completenessPercentMin: Optional[float] = None
    accuracyPercentMin: Optional[float] = None
    maxGapHours: Optional[float] = None


class MetricsFile(_Strict):
    clause: Clause
    names: list[str]


class OutsideFile(_Strict):
    """What the document says of an institution outside its ``participants`` (004 1: 社会办医机构可参照执行)."""

    verdict: Literal[VERDICTS]  # type: ignore[valid-type]
    clause: Clause
    text: str


class ParticipantsFile(_Strict):
    """The institutions the document's recognition covers (互认范围, 004 6.2): a source or target that none
    of ``members`` admits gets ``outside``'s verdict, cited as ``INSTITUTION_SCOPE``."""

    clause: Clause
    text: str
    members: list[PartyFile] = Field(min_length=1)
    outside: OutsideFile


class BillingWhenFile(_Strict):
    """When a billing entry applies; every key given must hold (an empty mapping: always)."""

    #: the answer's verdict is one of these
    verdicts: list[Literal[VERDICTS]] = []  # type: ignore[valid-type]
    #: the study's kind
    items: Literal["lab", "imaging", "any"] = "any"
    #: every one of these ClinicalContext flags is set (jointReading, sourceNotDesignated …)
    flags: list[Literal[CONTEXT_FLAGS]] = []  # type: ignore[valid-type]
    #: one of the document's exclusions applied (true) / none did (false)
    exclusion: Optional[bool] = None


class BillingFile(_Strict):
    """One billing rule of the document (001 四(三)); ``text`` quotes the document exactly.  The first
    entry whose ``when`` holds is the answer's ``billing``, and only at a target the document governs."""

    code: Literal[tuple(c.value for c in BillingCode)]  # type: ignore[valid-type]
    clause: Clause
    text: str
    when: BillingWhenFile


class CatalogsFile(_Strict):
    lab: Optional[str] = None
    imaging: Optional[str] = None


class PolicyFile(_Strict):
    """One document's rules, each with its clause (a zone overlay has ``zone`` and ``fallback``)."""

    id: Union[str, int]
    source: Union[str, int]
    title: str
    #: who issued the document and the year it carries, as its text prints them (the ``documents`` query)
    issuer: Optional[str] = None
    year: Optional[int] = None
    #: the document's number (文号 / 标准编号), e.g. 京卫医〔2024〕28号
    number: Optional[str] = None
    clause: Clause = ""
    governs: list[str] = []
    sourceScope: list[str] = []
    catalogs: CatalogsFile = CatalogsFile()
    alliance: Optional[AllianceFile] = None
    tierRules: list[TierRuleFile] = []
    marks: list[MarkLabelFile] = []
    window: Optional[WindowFile] = None
    exclusions: list[ExclusionFile] = []
    excludedItems: list[ExcludedItemFile] = []
    #: where the document defines no mark (互认标识): the clause it relies on for quality instead (002 二)
    quality: Optional[ClauseText] = None
    participants: Optional[ParticipantsFile] = None
    billing: list[BillingFile] = []
    records: Optional[RecordsFile] = None
    uploadRules: list[UploadRuleFile] = []
    dataQuality: Optional[DataQualityFile] = None
    metrics: Optional[MetricsFile] = None
    reporting: Optional[ClauseText] = None
    zone: Optional[str] = None
    #: zone overlays: the document whose rules apply where the target's province has none (Tianjin) …
    fallback: Optional[str] = None
    #: … and, for these kinds, where the target's document lists no item of the kind (003: no lab list)
    fallbackKinds: list[Literal["lab", "imaging"]] = []
    notes: list[str] = []


def _where(loc: tuple[Any, ...]) -> str:
    """A pydantic error location as the key path a person finds in the file: ``tierRules[1].verdict``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in ("function-after", "literal['any']") or str(part).startswith(("PartyFile", "literal[")):
            continue  # the branch of a union pydantic tried, not a key of the file
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def problems(raw: Any) -> list[str]:
    """Every problem of ``raw`` (a parsed policy file) as ``key.path: message``; [] when it is valid."""
    try:
        PolicyFile.model_validate(raw)
    except ValidationError as exc:
        seen: list[str] = []
        for error in exc.errors():
            message = "unknown key" if error["type"] == "extra_forbidden" else (
                "missing key" if error["type"] == "missing" else error["msg"])
            line = f"{_where(error['loc'])}: {message}"
            if line not in seen:
                seen.append(line)
        return seen
    return []


def json_schema() -> dict[str, Any]:
    """The policy file's JSON Schema (for editors: ``# yaml-language-server: $schema=policy.schema.json``)."""
    schema = PolicyFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "互认 hub policy file (seeds/policies/*.yaml)"
    return schema
