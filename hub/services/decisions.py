"""What the doctor did with a reminder: viewed it, and accepted the prior study, rejected it or re-examined
(CONTRACT.md "The act of recognition"; 000 四(二), 002 三(四), 004 6.6).

A decision is checked before it is stored, each refusal naming the field to fix (``BAD_INPUT``):

* the contract's rule: ``REJECTED`` and ``REEXAMINED`` need a ``reason`` (复查依据) and ``patientInformed:
  true`` (000 四(二) 应向患者或家属充分告知; 004 6.6);
* ``exclusion`` (only with a refusal) must be one of the governing document's exclusions, named by its flag
  (``emergency``), its reason code (``EXCLUSION_EMERGENCY``) or its clause (``三、5(七)``); it is stored as the
  reason code, the code the recognition's reasons show; ``diagnosisConsistent`` only with ``REEXAMINED``;
* what the governing document's ``records`` section lists (seeds/policies/*.yaml ``records.fields``), for a
  recognized result the doctor accepts ("对认可的外院检查…予以记录"), by :data:`RECORD_FIELDS`: the
  institution's name and the study's date come from the reminder; 档案号 (``archiveNo``) only the doctor knows,
  so it is required; 检查结果 and 引用纪录 are the study reference kept with the decision (platform,
  StudyInstanceUID) and its ``citation``.

The governing document is the engine's (:meth:`RecognitionEngine.governing_policy` for the reminder's source
and target regions): the target province's document, whose records section applies also under a zone
overlay (the 京津冀 overlay adds a scope, not record-keeping).  ``citation`` names the document and its records
clause (``000 四(二)``, ``004 6.6``); where the document says nothing of records (001, 003) it names the clause
the decision rests on: the exclusion's, else the document's rules (``001 三、互认规则``).

Decisions are idempotent: the id is a hash of the decision's content, so a retry returns the decision as
first recorded; a different decision replaces it (the last one counts; the earlier stays stored, not current).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from graph.workflow import StoredDecision, StoredReminder, WorkflowStore
from hub.domain.identity import Identity
from hub.domain.policy import Policy
from hub.domain.recognition import RecognitionEngine
from hub.domain.refusals import Refusal
from hub.services.reminders import PseudonymSource, now_utc

CHINA = ZoneInfo("Asia/Shanghai")
_ID_DOMAIN = b"huren-hub decision v1\x00"
MAX_REASON = 2000
MAX_ARCHIVE_NO = 128


class DecisionKind(StrEnum):
    """What the doctor did with a reminded prior study (CONTRACT.md ``DecisionKind``)."""

    description: str

    def __new__(cls, value: str, description: str) -> "DecisionKind":
        member = str.__new__(cls, value)
        member._value_ = value
        member.description = description
        return member

    ACCEPTED = "ACCEPTED", "The prior study is used instead of the ordered exam (予以互认)."
    REJECTED = "REJECTED", "The prior study is not used (不予认可): needs a reason (复查依据) and the patient informed."
    REEXAMINED = "REEXAMINED", ("The exam is done again (重新检查): needs a reason and the patient informed; "
                                "diagnosisConsistent records whether the new result agrees with the prior one.")


REFUSALS = frozenset({DecisionKind.REJECTED, DecisionKind.REEXAMINED})

#: a ``records.fields`` name of a policy file -> where the decision takes it from: the reminder's study
#: (``study``), the doctor's input (a DecisionInput field), or the hub's own record of the citation
RECORD_FIELDS: dict[str, str] = {
    "机构名称": "study",       # the performing institution's name (Decision.institutionName)
    "检查机构名称": "study",
    "检查日期": "study",       # the study date (Decision.performedOn)
    "检查时间": "study",
    "检查结果": "study",       # the result itself: the study reference (platform, StudyInstanceUID)
    "引用纪录": "citation",    # the record of the citation: the study reference and Decision.citation
    "档案号": "archiveNo",     # the archive number only the doctor has (DecisionInput.archiveNo)
}
#: the DecisionInput fields a records section can make required, with their GraphQL names
INPUT_FIELDS = {"archiveNo": "archive_no"}


class DecisionRefused(Refusal):
    """Not stored: ``code`` (BAD_INPUT, UNKNOWN_REMINDER, NOT_RECORDABLE), the ``argument`` (DecisionInput field)
    to fix and the ``field`` GraphQL errors have named since the first release — the argument, or for
    NOT_RECORDABLE (a document asks for what no argument carries) the records field the hub cannot record.
    The texts are the ``decision.*`` refusals of seeds/messages."""

    def __init__(self, code: str, argument: str | None, key: str, *, value: Any = None, field: str | None = None,
                 **facts: Any) -> None:
        super().__init__(code, argument, key, value=value, **facts)
        self.field = field or argument


@dataclass(frozen=True)
class DecisionRequest:
    reminder: str
    decision: DecisionKind
    reason: str | None = None
    exclusion: str | None = None
    patient_informed: bool | None = None
    archive_no: str | None = None
    diagnosis_consistent: bool | None = None


@dataclass(frozen=True)
class Records:
    """A document's ``records`` section: what to record of a recognized result, and where it says so."""

    source: str
    clause: str
    fields: tuple[str, ...]

    @property
    def citation(self) -> str:
        return f"{self.source} {self.clause}"


def governing_document(engine: RecognitionEngine, r: StoredReminder) -> tuple[Policy | None, Policy | None]:
    """(the document governing the reminder's study at its institution, the zone overlay if one applies),
    as the engine decides it."""
    if r.institution_region and r.at_region:
        return engine.governing_policy(r.institution_region, r.at_region, engine.items.kind(r.item))
    policy = engine.policies.get(r.policy or "")
    return (None, policy) if policy is not None and policy.zone else (policy, None)


def records_of(base: Policy | None, overlay: Policy | None) -> Records | None:
    for policy in (base, overlay):
        if policy is not None and policy.records:
            return Records(policy.source, str(policy.records["clause"]), tuple(policy.records.get("fields") or ()))
    return None


def _blank(text: str | None) -> bool:
    return text is None or not text.strip()


def _clause_key(text: str) -> str:
    """A clause as written by hand: no spaces, full-width brackets read as ASCII (三、5（六） = 三、5(六))."""
    return "".join(text.split()).translate(str.maketrans("（）", "()"))


def _exclusion(policy: Policy | None, given: str) -> tuple[str, str]:
    """(reason code, clause) of the governing document's exclusion named by flag, code or clause."""
    wanted = _clause_key(given)
    for e in (policy.exclusions.values() if policy is not None else ()):
        if wanted.casefold() in (e.flag.casefold(), str(e.code).casefold()) or wanted == _clause_key(e.clause):
            return str(e.code), e.clause
    if policy is None:
        raise DecisionRefused("BAD_INPUT", "exclusion", "decision.exclusion_no_document", value=given)
    names = [f"{e.flag} ({e.code}, {e.clause})" for e in policy.exclusions.values()]
    if not names:
        raise DecisionRefused("BAD_INPUT", "exclusion", "decision.exclusion_none_listed", value=given,
                              document=policy.source)
    raise DecisionRefused("BAD_INPUT", "exclusion", "decision.exclusion_unknown", value=given, document=policy.source,
                          exclusions=names)


def check(engine: RecognitionEngine, r: StoredReminder, req: DecisionRequest) -> tuple[DecisionRequest, str | None, str]:
    """The request as stored (reason and archive number trimmed, exclusion as its reason code), where the
    exclusion is (``001 三、5(七)``) and the citation; :class:`DecisionRefused` naming the first field to fix."""
    kind = req.decision
    # a text over the limit is named by its length, not echoed back (value stays unset)
    if req.reason is not None and len(req.reason) > MAX_REASON:
        raise DecisionRefused("BAD_INPUT", "reason", "decision.too_long", length=len(req.reason), most=MAX_REASON)
    if req.archive_no is not None and len(req.archive_no) > MAX_ARCHIVE_NO:
        raise DecisionRefused("BAD_INPUT", "archiveNo", "decision.too_long", length=len(req.archive_no),
                              most=MAX_ARCHIVE_NO)
    if kind in REFUSALS:
        if _blank(req.reason):
            raise DecisionRefused("BAD_INPUT", "reason", "decision.reason_needed", value=req.reason, decision=str(kind))
        if req.patient_informed is not True:
            raise DecisionRefused("BAD_INPUT", "patientInformed", "decision.informed_needed",
                                  value=req.patient_informed, decision=str(kind))
    elif req.exclusion is not None:
        raise DecisionRefused("BAD_INPUT", "exclusion", "decision.exclusion_only_refused", value=req.exclusion,
                              decision=str(kind))
    if req.diagnosis_consistent is not None and kind is not DecisionKind.REEXAMINED:
        raise DecisionRefused("BAD_INPUT", "diagnosisConsistent", "decision.consistent_only_reexamined",
                              value=req.diagnosis_consistent, decision=str(kind))
    base, overlay = governing_document(engine, r)
    code, clause = (None, None)
    if req.exclusion is not None and req.exclusion.strip():
        code, clause = _exclusion(base or overlay, req.exclusion)
    records = records_of(base, overlay)
    if records is not None:
        for name in records.fields:
            source = RECORD_FIELDS.get(name)
            if source is None:
                raise DecisionRefused("NOT_RECORDABLE", None, "decision.not_recordable", field=name,
                                      citation=records.citation, name=name)
            attr = INPUT_FIELDS.get(source)
            if attr is not None and kind is DecisionKind.ACCEPTED and _blank(getattr(req, attr)):
                raise DecisionRefused("BAD_INPUT", source, "decision.record_needed", value=getattr(req, attr),
                                      citation=records.citation, name=name)
        citation = records.citation
    else:
        document = base or overlay
        citation = f"{document.source} {clause or document.clause}" if document is not None else "-"
    stored = replace(req, reason=req.reason.strip() if req.reason is not None and req.reason.strip() else None,
                     exclusion=code, archive_no=req.archive_no.strip() if req.archive_no and req.archive_no.strip()
                     else None)
    document = base or overlay
    where = f"{document.source} {clause}" if clause is not None and document is not None else None
    return stored, where, citation


def decision_id(r: StoredReminder, req: DecisionRequest, by: str) -> str:
    """``d_`` + 26 base32 characters of SHA-256 over what was decided, on which reminder, seeing which
    verdict, by whom: the same decision given again is the same decision."""
    body = json.dumps([r.id, str(req.decision), req.reason, req.exclusion, req.patient_informed, req.archive_no,
                       req.diagnosis_consistent, r.verdict, by], ensure_ascii=False, separators=(",", ":"))
    digest = hashlib.sha256(_ID_DOMAIN + body.encode("utf-8")).digest()
    return "d_" + base64.b32encode(digest[:16]).decode("ascii").rstrip("=").lower()


async def find_reminder(store: WorkflowStore, rid: str) -> StoredReminder | None:
    return await store.reminder(rid)


def unknown_reminder(rid: str) -> DecisionRefused:
    return DecisionRefused("UNKNOWN_REMINDER", "reminder", "reminders.unknown_reminder", value=rid)


async def record_view(store: WorkflowStore, r: StoredReminder, *, now: str | None = None) -> StoredReminder:
    """``recordView``: the reminder was opened (idempotent; the first time is kept)."""
    at_time = now or now_utc()
    await store.view(r.id, at_time)
    return replace(r, viewed=True, viewed_at=r.viewed_at or at_time)


async def record_decision(store: WorkflowStore, engine: RecognitionEngine, r: StoredReminder, req: DecisionRequest,
                          who: Identity, *, now: str | None = None) -> StoredDecision:
    """``recordDecision``: checked (:func:`check`), stored as the reminder's last decision, returned as stored."""
    stored, exclusion_clause, citation = check(engine, r, req)
    recorded_at = now or now_utc()
    recorded_on = dt.datetime.fromisoformat(recorded_at.replace("Z", "+00:00")).astimezone(CHINA).date()
    params: dict[str, Any] = {
        "id": decision_id(r, stored, who.user), "reminder": r.id, "decision": str(stored.decision),
        "reason": stored.reason, "exclusion": stored.exclusion,
        "exclusionClause": exclusion_clause, "patientInformed": stored.patient_informed,
        "archiveNo": stored.archive_no, "diagnosisConsistent": stored.diagnosis_consistent,
        "institutionName": r.institution_name or r.dicom_institution_name, "performedOn": r.performed_on,
        "verdict": r.verdict, "citation": citation, "byUser": who.user,
        "byRole": who.role.value if who.role else None, "byInstitution": who.institution,
        "recordedAt": recorded_at, "recordedOn": recorded_on,
    }
    return await store.record_decision(params)


async def decisions(store: WorkflowStore, pseudonyms: PseudonymSource, patient_id: str, issuer: str | None, at: str,
                    since: dt.date | None) -> list[StoredDecision]:
    """``decisions``: the decision that counts for each of the patient's reminders at ``at``, recorded on or
    after ``since`` (China's calendar), oldest first — under every pseudonym key the hub still holds."""
    return await store.decisions_of(pseudonyms.candidates(patient_id, issuer), at, since)

    base, overlay = governing_document(engine, r)
    for policy in (base, overlay):
        for e in (policy.exclusions.values() if policy is not None else ()):
            if str(e.code) == code:
                return f"{policy.source} {e.clause}"
    return None


__all__: Sequence[str] = (
    "DecisionKind", "DecisionRefused", "DecisionRequest", "RECORD_FIELDS", "Records", "check", "decision_id",
    "decisions", "find_reminder", "governing_document", "record_decision", "record_view",
    "records_of", "unknown_reminder",
)
