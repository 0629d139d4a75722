"""The duplicate-exam reminder (004 6.6 重复检查提醒; 000 一(一) 首次提醒): the doctor at ``at`` is ordering
``orders``; each prior study of the patient that is the same exam as an ordered item and recognizable at
``at`` (RECOGNIZED or PHYSICIAN_DISCRETION) is one reminder (CONTRACT.md "The act of recognition").

The studies and their verdicts are the prior-studies use case's (:func:`hub.services.prior_studies.prior_studies`:
the platforms, the completeness rules, the engine); "the same exam" is the crosswalk's (:meth:`same_exam`).
What is added here: a stable id per (patient, ``at``, study, ordered item) — a hash over the patient's
keyed pseudonym, never the raw id — and the reminder kept in the graph store with the day it was first
issued (what the metrics count), whether it was viewed, and its last decision (:mod:`hub.services.decisions`).

Store work per question, only when some study is reminded: two reads side by side (the reminders already
stored under any of the patient's pseudonyms; the names and regions of the institutions involved) and at
most one write, skipped when every reminder is stored as the question saw it.
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from graph.workflow import StoredReminder, WorkflowStore
from hub.domain.recognition import RecognitionEngine
from hub.domain.refusals import Refusal
from hub.domain.upload_rules import Finding
from hub.domain.vocabulary import Verdict
from hub.services.prior_studies import StudyAnswer, StudySearch, prior_studies

#: the verdicts that remind (CONTRACT.md): the study may be used instead of ordering the exam again
REMINDING = frozenset({Verdict.RECOGNIZED, Verdict.PHYSICIAN_DISCRETION})
_ID_DOMAIN = b"huren-hub reminder v1\x00"


class ItemLookups(Protocol):
    """What the crosswalk answers (graph.items.Items)."""

    def resolve(self, ref: str) -> str | None: ...
    def equivalents(self, ref: str) -> Sequence[str]: ...
    def map_to_catalog(self, ref: str, catalog: str) -> str | None: ...


class PseudonymSource(Protocol):
    """hub.services.audit.Pseudonyms: the key in use first, then retired keys."""

    key_id: str

    def candidates(self, patient_id: str, issuer: str | None = None) -> list[str]: ...


class RemindersRefused(Refusal):
    """The question cannot be answered: ``code`` UNKNOWN_ITEM (an order), UNKNOWN_INSTITUTION (``at``), said as
    recognizability says them (``items.unknown``, ``institutions.unknown`` of seeds/messages; an unknown order is
    shown with the items the hub thinks were meant, by the resolver)."""


@dataclass(frozen=True)
class Reminded:
    """One reminder: as stored (id, first issued, viewed, last decision) and its study as asked now."""

    record: StoredReminder
    study: StudyAnswer


@dataclass(frozen=True)
class RemindersAnswer:
    reminders: list[Reminded]  # the platforms' order of the studies (newest first), then the order of ``orders``
    platforms: list[Any]  # the search's status per platform (empty when nothing was ordered)


def _b32(digest: bytes) -> str:
    return base64.b32encode(digest[:16]).decode("ascii").rstrip("=").lower()


def reminder_id(pseudonym: str, at: str, study_uid: str, ordered_item: str) -> str:
    """``r_`` + 26 base32 characters of SHA-256 over the patient's pseudonym (itself an HMAC under the
    pseudonym key), the institution, the StudyInstanceUID and the ordered item's canonical ref."""
    body = json.dumps([pseudonym, at, study_uid, ordered_item], ensure_ascii=False, separators=(",", ":"))
    return "r_" + _b32(hashlib.sha256(_ID_DOMAIN + body.encode("utf-8")).digest())


def same_exam(items: ItemLookups, study_item: str, order: str) -> bool:
    """Whether a study of ``study_item`` is the exam ``order`` (both canonical refs): the same item, the same
    crosswalk class, or a group item of one catalog covering the other (HC-IMG DR-1 …)."""
    if study_item == order or order in items.equivalents(study_item):
        return True
    return (items.map_to_catalog(study_item, order.split(":", 1)[0]) == order
            or items.map_to_catalog(order, study_item.split(":", 1)[0]) == study_item)


def findings_json(findings: Sequence[Finding]) -> str | None:
    return json.dumps([dataclasses.asdict(f) for f in findings], ensure_ascii=False) if findings else None


def finding_code_marker(code: str) -> str:
    """The text a finding of ``code`` leaves in :func:`findings_json`'s output (``"code": "…"``), for a store
    statement that counts reminders by finding (neither store parses JSON in Cypher); made by the same
    serializer, so the two cannot drift apart."""
    return json.dumps({"code": str(code)}, ensure_ascii=False)[1:-1]


def findings_of(text: str | None) -> tuple[Finding, ...]:
    return tuple(Finding(**f) for f in json.loads(text)) if text else ()


def now_utc() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


async def reminders(search: StudySearch | None, engine: RecognitionEngine, items: ItemLookups,
                    store: WorkflowStore, pseudonyms: PseudonymSource, patient_id: str, issuer: str | None,
                    at: str, orders: Sequence[str], on: dt.date, *, now: str | None = None) -> RemindersAnswer:
    """The reminders for the patient at ``at`` ordering ``orders`` on day ``on``, stored (first issue kept).

    Raises :class:`RemindersRefused` for an unknown order (before any platform is asked) or an unknown
    ``at``, and :class:`hub.services.prior_studies.PriorStudiesRefused` as the prior-studies use case does."""
    ordered: list[str] = []
    for order in orders:
        ref = items.resolve(order)
        if ref is None:
            raise RemindersRefused("UNKNOWN_ITEM", "orders", "items.unknown", value=order)
        if not any(same_exam(items, ref, earlier) for earlier in ordered):  # one exam ordered twice: once
            ordered.append(ref)
    if not ordered:
        return RemindersAnswer([], [])
    answer, here = await asyncio.gather(
        prior_studies(search, engine, patient_id, issuer, at, None, on), store.institutions([at]))
    if at not in here:
        raise RemindersRefused("UNKNOWN_INSTITUTION", "at", "institutions.unknown", value=at)
    pairs = [(a, ref) for a in answer.studies
             if a.recognition is not None and a.recognition.verdict in REMINDING
             for ref in ordered if same_exam(items, a.study.item, ref)]
    if not pairs:
        return RemindersAnswer([], answer.platforms)

    # every pseudonym the patient has had (key rotation): a reminder stored under an older one keeps its id
    candidates = pseudonyms.candidates(patient_id, issuer)
    ids = {(id(a), ref): [reminder_id(p, at, a.study.study_instance_uid, ref) for p in candidates]
           for a, ref in pairs}
    stored, sources = await asyncio.gather(
        store.reminders(i for options in ids.values() for i in options),
        store.institutions(a.study.institution for a, _ in pairs))
    region = here[at]["region"]
    scopes = list(engine.regions.scopes_containing(region)) if region else []
    issued_at = now or now_utc()
    rows: list[dict[str, Any]] = []
    out: list[Reminded] = []
    for a, ref in pairs:
        options = ids[(id(a), ref)]
        known = next((stored[i] for i in options if i in stored), None)
        s, rec = a.study, a.recognition
        assert rec is not None
        source = sources.get(s.institution) or {}
        row = {
            "id": known.id if known else options[0], "patient": known.patient if known else candidates[0],
            "keyId": known.key_id if known else pseudonyms.key_id, "at": at, "atRegion": region,
            "atScopes": scopes, "orderedItem": ref, "platform": s.platform, "studyUid": s.study_instance_uid,
            "performedOn": s.performed_on, "modality": getattr(s, "modality", None),
            "description": getattr(s, "description", None),
            "dicomInstitutionName": getattr(s, "institution_name", None), "institution": s.institution,
            "institutionName": source.get("name"), "institutionRegion": source.get("region"), "item": s.item,
            "findings": findings_json(s.completeness), "verdict": str(rec.verdict), "policy": rec.policy,
            "issuedOn": on, "issuedAt": issued_at,
        }
        if known is None:
            record = StoredReminder(
                id=row["id"], patient=row["patient"], key_id=row["keyId"], at=at, at_region=region,
                at_scopes=tuple(scopes), ordered_item=ref, platform=s.platform, study_uid=s.study_instance_uid,
                performed_on=s.performed_on, modality=row["modality"], description=row["description"],
                dicom_institution_name=row["dicomInstitutionName"], institution=s.institution,
                institution_name=row["institutionName"], institution_region=row["institutionRegion"], item=s.item,
                findings=row["findings"], verdict=row["verdict"], policy=rec.policy, issued_on=on,
                issued_at=issued_at, last_on=on, viewed=False, viewed_at=None, decision_id=None, decision=None,
                decision_verdict=None, decision_exclusion=None, diagnosis_consistent=None, decided_at=None)
            rows.append(row)
        else:
            record = dataclasses.replace(
                known, modality=row["modality"], description=row["description"],
                dicom_institution_name=row["dicomInstitutionName"], institution_name=row["institutionName"],
                institution_region=row["institutionRegion"], findings=row["findings"], verdict=row["verdict"],
                policy=rec.policy, last_on=on)
            if record != known:
                rows.append(row)
        out.append(Reminded(record, a))
    if rows:
        await store.upsert(rows)
    return RemindersAnswer(out, answer.platforms)


# -- a stored reminder's study, asked again ---------------------------------------------------------------


@dataclass(frozen=True)
class StoredStudy:
    """A prior study as a reminder keeps it (shaped like the platforms' ``connectors.service.PriorStudy``)."""

    platform: str
    study_instance_uid: str
    performed_on: dt.date
    modality: str | None
    description: str | None
    institution_name: str | None
    institution: str
    item: str
    completeness: tuple[Finding, ...]
    unresolved: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Found:
    studies: list[Any]
    platforms: list[Any]


class _StoredSearch:
    """The prior-studies use case's search port over one stored study (no platform is asked)."""

    def __init__(self, study: StoredStudy) -> None:
        self.study = study

    async def search(self, patient_id: str, issuer: str | None = None, since: dt.date | None = None,
                     on: dt.date | None = None) -> _Found:
        return _Found([self.study], [])


def stored_study(r: StoredReminder) -> StoredStudy:
    return StoredStudy(r.platform, r.study_uid, r.performed_on, r.modality, r.description, r.dicom_institution_name,
                       r.institution, r.item, findings_of(r.findings))


async def reminded_study(engine: RecognitionEngine, r: StoredReminder) -> StudyAnswer:
    """The reminder's study with its recognition at ``r.at`` on the day it was last reminded, decided as the
    prior-studies use case decides it (its completeness findings included) — from the store, no platform."""
    answer = await prior_studies(_StoredSearch(stored_study(r)), engine, r.patient, None, r.at, None, r.last_on)
    return answer.studies[0]
