"""The act of recognition in GraphQL (CONTRACT.md): ``reminders`` and ``decisions`` (Query), ``recordView`` and
``recordDecision`` (Mutation), with their types.

Thin adapters: the use cases are :mod:`hub.services.reminders` and :mod:`hub.services.decisions`; every call
goes through :func:`hub.services.patient_data.patient_access` (the access policy first, one audit event per
patient whatever the outcome).  ``recordView`` and ``recordDecision`` name no institution: the reminder's own
``at`` is what they are authorized and audited at, and its stored pseudonym the patient the event names.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Awaitable, Callable, Optional, TypeVar

import strawberry

from graph.workflow import StoredDecision, StoredReminder, WorkflowStore
from hub.domain.refusals import Refusal
from hub.services import decisions as decision_cases
from hub.services import reminders as reminder_cases
from hub.services.access import Forbidden
from hub.services.audit import Patient
from hub.services.decisions import DecisionKind as DomainDecisionKind
from hub.services.decisions import DecisionRefused, DecisionRequest
from hub.services.patient_data import patient_access
from hub.services.prior_studies import PriorStudiesRefused, StudyAnswer
from hub.services.reminders import RemindersRefused
from resolvers.context import HubContext, client, hub, identity
from resolvers.errors import hub_error, partial_error, refused
from resolvers.recognition import renderer, to_graphql, today, unknown_items
from resolvers.types import Language, PatientInput, PriorStudy, Recognition, Verdict, domain_enum

T = TypeVar("T")

DecisionKind = domain_enum(DomainDecisionKind, "What the doctor did with a reminded prior study.", name="DecisionKind")


@strawberry.type(description="A decision on a reminder, with what the governing document says to record "
                 "(000 四(二): 机构名称、检查日期、档案号; 004 6.6: 检查结果、检查机构名称、检查时间、引用纪录).")
class Decision:
    id: strawberry.ID = strawberry.field(description="Stable: the same decision given again (a retry) has the same id.")
    reminder: strawberry.ID = strawberry.field(description="The reminder decided on.")
    decision: DecisionKind = strawberry.field(description="ACCEPTED, REJECTED or REEXAMINED.")
    reason: Optional[str] = strawberry.field(description="The reason (复查依据); required for REJECTED and REEXAMINED.")
    exclusion: Optional[str] = strawberry.field(
        description="The governing document's exclusion (不予互认情形) the refusal rests on, as its reason code "
        "(EXCLUSION_EMERGENCY …); null when none was named.")
    archive_no: Optional[str] = strawberry.field(description="The prior study's archive number (档案号), as the doctor recorded it.")
    institution_name: str = strawberry.field(description="The name of the institution that performed the prior study (机构名称).")
    performed_on: dt.date = strawberry.field(description="The prior study's date (检查日期).")
    recorded_at: str = strawberry.field(description="When it was recorded (ISO 8601, UTC); a retry keeps the first time.")
    by: str = strawberry.field(description="Who recorded it: the token's sub (anonymous without authentication).")
    citation: str = strawberry.field(
        description="The document and clause that say what to record (000 四(二), 002 三(四), 004 6.6); where the governing "
        "document says nothing of records (001, 003), the clause the decision rests on (the exclusion's, else the "
        "document's rules).")
    patient_informed: Optional[bool] = strawberry.field(description="Whether the patient or family was informed (告知).")
    diagnosis_consistent: Optional[bool] = strawberry.field(
        description="REEXAMINED: whether the new result agrees with the prior one (诊断符合); null when not compared.")
    verdict: Verdict = strawberry.field(description="The verdict the reminder showed when the decision was made.")
    exclusion_clause: Optional[str] = strawberry.field(description="The document and clause of `exclusion`, e.g. 001 三、5(七).")
    ordered_item: str = strawberry.field(description="The ordered item the prior study stood in for.")
    study_instance_uid: str = strawberry.field(description="The prior study (DICOM StudyInstanceUID): the record cited (引用纪录).")
    platform: str = strawberry.field(description="The regional platform holding the prior study.")
    item: str = strawberry.field(description="The prior study's catalog item.")
    at: strawberry.ID = strawberry.field(description="The institution where it was decided.")


@strawberry.type(description="A duplicate-exam reminder (004 6.6 重复检查提醒): a recognizable prior study of the patient "
                 "that is the same exam as an ordered item. Reminded once: the same patient, institution, study and "
                 "ordered item always give the same id.")
class Reminder:
    id: strawberry.ID = strawberry.field(description="Stable id (a hash over the patient's keyed pseudonym, the institution, "
                                         "the study and the ordered item; never the patient id).")
    ordered_item: str = strawberry.field(description="The ordered item (canonical CATALOG:LOCAL) this study is the same exam as.")
    study: PriorStudy = strawberry.field(description="The prior study, with its recognizability at the institution.")
    recognition: Recognition = strawberry.field(description="The study's recognition at the institution (RECOGNIZED or "
                                                "PHYSICIAN_DISCRETION), as `study.recognition`.")
    viewed: bool = strawberry.field(description="Whether it was opened (recordView) or decided on.")
    issued_on: dt.date = strawberry.field(description="The day it was first issued (the `on` of the first reminders question).")
    at: strawberry.ID = strawberry.field(description="The institution where the exam was ordered.")
    _decision_id: strawberry.Private[Optional[str]] = None

    @strawberry.field(description="The decision that counts (the last one recorded); null before any.")
    async def decision(self, info: strawberry.Info) -> Optional[Decision]:
        if self._decision_id is None:
            return None
        found = await WorkflowStore(hub(info).store).decisions([self._decision_id])
        d = found.get(self._decision_id)
        return to_decision(d) if d is not None else None


@strawberry.input(description="A decision on a reminder (recordDecision).")
class DecisionInput:
    reminder: strawberry.ID = strawberry.field(description="The reminder's id.")
    decision: DecisionKind = strawberry.field(description="ACCEPTED, REJECTED or REEXAMINED.")
    reason: Optional[str] = strawberry.field(default=None, description="The reason (复查依据): required for REJECTED and REEXAMINED.")
    exclusion: Optional[str] = strawberry.field(
        default=None, description="REJECTED / REEXAMINED: the governing document's exclusion it rests on, by flag (emergency), "
        "reason code (EXCLUSION_EMERGENCY) or clause (三、5(七)).")
    patient_informed: Optional[bool] = strawberry.field(
        default=None, description="The patient or family was informed of the purpose and necessity: must be true for REJECTED "
        "and REEXAMINED (000 四(二); 004 6.6).")
    archive_no: Optional[str] = strawberry.field(
        default=None, description="The prior study's archive number (档案号): required to accept where the governing "
        "document lists it (000 四(二)).")
    diagnosis_consistent: Optional[bool] = strawberry.field(
        default=None, description="REEXAMINED only: whether the new result agrees with the prior one (诊断符合率).")


# -- mapping -------------------------------------------------------------------------------------------------------


def to_reminder(ctx: HubContext, record: StoredReminder, answer: StudyAnswer, lang: Language) -> Reminder:
    s, rec = answer.study, answer.recognition
    recognition = to_graphql(rec, renderer(ctx.engine), lang) if rec is not None else None
    study = PriorStudy(
        platform=s.platform, study_instance_uid=s.study_instance_uid, performed_on=s.performed_on,
        modality=s.modality, description=s.description,
        institution=strawberry.ID(s.institution) if s.institution else None, item=s.item,
        institution_name=s.institution_name, unresolved=list(s.unresolved), _recognition=recognition,
        _problem=answer.problem)
    if recognition is None:  # a stored study the engine no longer answers for (its institution was removed …)
        code, message = answer.problem or ("UNRESOLVED_STUDY", "the study cannot be checked")
        raise hub_error(code, message, record.id)
    return Reminder(id=strawberry.ID(record.id), ordered_item=record.ordered_item, study=study, recognition=recognition,
                    viewed=record.viewed, issued_on=record.issued_on, at=strawberry.ID(record.at),
                    _decision_id=record.decision_id)


def to_decision(d: StoredDecision) -> Decision:
    return Decision(
        id=strawberry.ID(d.id), reminder=strawberry.ID(d.reminder), decision=DecisionKind(d.decision),
        reason=d.reason, exclusion=d.exclusion, archive_no=d.archive_no, institution_name=d.institution_name or "",
        performed_on=d.performed_on, recorded_at=d.recorded_at, by=d.by_user, citation=d.citation,
        patient_informed=d.patient_informed, diagnosis_consistent=d.diagnosis_consistent, verdict=Verdict(d.verdict),
        exclusion_clause=d.exclusion_clause, ordered_item=d.ordered_item, study_instance_uid=d.study_uid, platform=d.platform,
        item=d.item, at=strawberry.ID(d.at))


def _patient(patient: PatientInput, lang: Language) -> Patient:
    """The patient asked about; an empty id names nobody (refused before any access or audit: no pseudonym)."""
    if not patient.id:
        raise refused(Refusal("BAD_INPUT", "patient.id", "patient.empty", value=patient.id), lang, field="patient.id")
    return Patient(patient.id, patient.issuer)


def _pseudonyms(ctx: HubContext, lang: Language) -> Any:
    if ctx.audit is None:
        raise refused(Refusal("NO_AUDIT_LOG", None, "audit.none_for_workflow"), lang)
    return ctx.audit.pseudonyms


async def _access(info: strawberry.Info, operation: str, at: Optional[str], patient: Any,
                  run: Callable[[], Awaitable[T]], platforms_of: Optional[Callable[[T], Any]] = None,
                  lang: Language = Language.ZH, key_id: Optional[str] = None) -> T:
    """patient_access, with its refusals as GraphQL errors (an unknown order with suggestions, in ``lang``)."""
    ctx = hub(info)
    try:
        return await patient_access(ctx.audit, identity(info), operation, at=at, patient=patient, client=client(info),
                                    run=run, platforms_of=platforms_of, key_id=key_id)
    except Forbidden as e:
        raise refused(e, lang) from None
    except DecisionRefused as e:
        raise refused(e, lang, field=e.field) from None
    except RemindersRefused as e:
        if e.code == "UNKNOWN_ITEM":  # with the items the hub thinks were meant, as recognizability says it
            raise unknown_items(ctx.engine, lang).error(e.value, "orders") from None
        raise refused(e, lang, field=e.argument) from None
    except PriorStudiesRefused as e:
        raise refused(e, lang) from None


async def _stored_reminder(info: strawberry.Info, operation: str, rid: str, lang: Language) -> StoredReminder:
    """The reminder ``rid`` names; an unknown id is refused (UNKNOWN_REMINDER) after the access policy has
    seen the caller's role, audited without a patient at the caller's own institution (it names none)."""
    found = await WorkflowStore(hub(info).store).reminder(rid)
    if found is not None:
        return found
    who = identity(info)
    at = who.institution or min(who.institutions, default=None)

    async def missing() -> StoredReminder:
        raise decision_cases.unknown_reminder(rid)

    return await _access(info, operation, at, None, missing, lang=lang)


# -- resolvers ------------------------------------------------------------------------------------------------------

LANG = "The language of the texts (reason texts, verdictLabel, billing, error messages): ZH (default) or EN."
LANG_ERRORS = "The language of the error messages: ZH (default) or EN."


async def reminders(
    info: strawberry.Info,
    patient: Annotated[PatientInput, strawberry.argument(description="The patient (DICOM PatientID + IssuerOfPatientID).")],
    at: Annotated[strawberry.ID, strawberry.argument(description="The institution where the exams are being ordered.")],
    orders: Annotated[list[str], strawberry.argument(
        description="The items being ordered, as catalog refs CATALOG:LOCAL (OCR variants resolve); any catalog.")],
    on: Annotated[Optional[dt.date], strawberry.argument(description="The day of the order; default today in China (UTC+8).")] = None,
    lang: Annotated[Language, strawberry.argument(description=LANG)] = Language.ZH,
) -> list[Reminder]:
    """Duplicate-exam reminders for the items being ordered (004 6.6)."""
    ctx = hub(info)
    who = _patient(patient, lang)
    pseudonyms = _pseudonyms(ctx, lang)
    store = WorkflowStore(ctx.store)

    async def run() -> reminder_cases.RemindersAnswer:
        return await reminder_cases.reminders(ctx.prior_studies, ctx.engine, ctx.items, store, pseudonyms, patient.id,
                                              patient.issuer, str(at), orders, on or today())

    answer = await _access(info, "reminders", str(at), who, run,
                           platforms_of=lambda a: a.platforms, lang=lang)
    # a platform that did not answer: its studies cannot remind, so the doctor must not read "no reminder" as
    # "no prior study" (the reminders that did come back stay; one error per platform beside them)
    for status in answer.platforms:
        if not status.ok:
            down = Refusal("PLATFORM_UNAVAILABLE", None, "platforms.unavailable", platform=status.id, error=status.error)
            partial_error(info, down.code, down.text(lang.value), platform=status.id, error=status.error)
    return [to_reminder(ctx, r.record, r.study, lang) for r in answer.reminders]


async def decisions(
    info: strawberry.Info,
    patient: Annotated[PatientInput, strawberry.argument(description="The patient (DICOM PatientID + IssuerOfPatientID).")],
    at: Annotated[strawberry.ID, strawberry.argument(description="The institution whose decisions are asked for.")],
    since: Annotated[Optional[dt.date], strawberry.argument(
        description="Only decisions recorded on or after this day (China's calendar).")] = None,
    lang: Annotated[Language, strawberry.argument(description=LANG_ERRORS)] = Language.ZH,
) -> list[Decision]:
    """The decisions that count (the last per reminder) on the patient's reminders at `at`, oldest first."""
    ctx = hub(info)
    who = _patient(patient, lang)
    pseudonyms = _pseudonyms(ctx, lang)

    async def run() -> list[StoredDecision]:
        return await decision_cases.decisions(WorkflowStore(ctx.store), pseudonyms, patient.id, patient.issuer,
                                              str(at), since)

    found = await _access(info, "decisions", str(at), who, run, lang=lang)
    return [to_decision(d) for d in found]


async def record_view(
    info: strawberry.Info,
    reminder: Annotated[strawberry.ID, strawberry.argument(description="The reminder's id.")],
    lang: Annotated[Language, strawberry.argument(description=LANG)] = Language.ZH,
) -> Reminder:
    """The doctor opened the reminder (首次提醒调阅): idempotent."""
    ctx = hub(info)
    found = await _stored_reminder(info, "recordView", str(reminder), lang)

    async def run() -> tuple[StoredReminder, StudyAnswer]:
        viewed = await decision_cases.record_view(WorkflowStore(ctx.store), found)
        return viewed, await reminder_cases.reminded_study(ctx.engine, viewed)

    viewed, study = await _access(info, "recordView", found.at, found.patient, run, lang=lang, key_id=found.key_id)
    return to_reminder(ctx, viewed, study, lang)


async def record_decision(
    info: strawberry.Info,
    input: Annotated[DecisionInput, strawberry.argument(description="The decision.")],
    lang: Annotated[Language, strawberry.argument(description=LANG_ERRORS)] = Language.ZH,
) -> Decision:
    """Record what the doctor decided; the last decision for a reminder counts, a retry changes nothing."""
    ctx = hub(info)
    found = await _stored_reminder(info, "recordDecision", str(input.reminder), lang)
    request = DecisionRequest(
        reminder=found.id, decision=DomainDecisionKind(input.decision.value), reason=input.reason,
        exclusion=input.exclusion, patient_informed=input.patient_informed, archive_no=input.archive_no,
        diagnosis_consistent=input.diagnosis_consistent)

    async def run() -> StoredDecision:
        return await decision_cases.record_decision(WorkflowStore(ctx.store), ctx.engine, found, request, identity(info))

    return to_decision(await _access(info, "recordDecision", found.at, found.patient, run, lang=lang,
                                     key_id=found.key_id))


@strawberry.type(description="What a doctor does with a reminder: open it, decide on it (CONTRACT.md \"The act of recognition\").")
class Mutation:
    record_view: Reminder = strawberry.field(
        resolver=record_view, description="The reminder was opened (counts toward 首次提醒调阅率). Authorized and audited at "
        "the reminder's institution.")
    record_decision: Decision = strawberry.field(
        resolver=record_decision, description="Accept, reject or re-examine a reminded prior study; checked against the "
        "contract and the governing document's records section (refusals: BAD_INPUT with extensions.argument, .field and "
        ".value, the message in the language asked). Idempotent; "
        "the last decision for a reminder counts.")
