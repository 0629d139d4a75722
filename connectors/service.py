"""Prior-study search: what a doctor's reminder needs, gathered from every regional platform at once.

``PriorStudySearch.search`` = fan-out QIDO study search (by patient id + issuer, StudyDate range) →
per study, within the same platform budget, a QIDO series search (completeness) and the WADO-RS
metadata of the study's smallest series (procedure codes; InstitutionName when the study search did
not return it) → completeness findings against the policies' upload rules it was given → institution
and item through the :class:`Directory` port (batched).  It knows nothing of GraphQL or of the
recognition engine: the prior-studies use case (:mod:`hub.services.prior_studies`) asks the engine for
verdicts on a :class:`PriorStudyResult`.

Why the *series* metadata of the smallest series and not the study's: procedure codes and
InstitutionName are the same in every instance of a study, and ``/studies/{uid}/metadata`` returns one
JSON object per instance — megabytes for a thin-slice CT — while the smallest series (often an MPR or a
scout) gives the same attributes in a few kilobytes.

Safety: only studies whose PatientID equals the one asked (and whose IssuerOfPatientID, when both are
known, equals the issuer asked) are kept — QIDO treats ``*`` and ``?`` in a value as wildcards and a
server may ignore a matching key, and showing another patient's study is worse than missing one.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass

import aiohttp
from pydicom.dataset import Dataset

from connectors import completeness
from connectors.completeness import Finding, SeriesInfo
from connectors.dicomweb import NotFound, PlatformError, StudyQuery
from connectors.fanout import FanOut, GuardedClient, PlatformStatus
from connectors.mapping import Directory, StudyFacts, resolve
from connectors.platforms import Platform
from connectors.privacy import pseudonym
from hub.domain.policy import load_policies
from hub.domain.upload_rules import UploadRules

log = logging.getLogger(__name__)

#: Per-study detail calls in flight towards one platform (the session's per-host limit also applies).
DETAIL_CONCURRENCY = 4


@dataclass(frozen=True)
class PriorStudy:
    """One study found on one platform, with what the hub made of it."""

    platform: str
    study_instance_uid: str
    performed_on: dt.date | None  # None only when the platform gave no valid StudyDate (see unresolved)
    modality: str | None  # catalog vocabulary (CT, MR, DR, MG, RF) when it applies, else DICOM's
    modalities: tuple[str, ...]  # ModalitiesInStudy as the platform reported it
    description: str | None
    institution_name: str | None  # DICOM InstitutionName as found
    institution: str | None  # hub institution id
    item: str | None  # catalog item ref, CATALOG:LOCAL
    item_basis: str | None  # "code:<CodeValue>" | "description" | None
    procedure_codes: tuple[str, ...]
    series_count: int | None
    completeness: tuple[Finding, ...]
    unresolved: tuple[str, ...]  # why institution / item / date are missing

    @property
    def complete(self) -> bool:
        """No completeness finding at all (neither a gap nor "could not check")."""
        return not self.completeness


@dataclass(frozen=True)
class PriorStudyResult:
    studies: list[PriorStudy]
    platforms: list[PlatformStatus]


@dataclass
class _Draft:
    """A study while its platform's work is still running (filled in place, kept if the work fails)."""

    platform: Platform
    dataset: Dataset
    series: list[SeriesInfo] | None = None
    codes: tuple[str, ...] = ()
    institution_name: str | None = None
    detail_error: str | None = None


class PriorStudySearch:
    """Search prior studies of one patient on all configured platforms.

    ``session`` is the hub's shared :func:`connectors.dicomweb.make_session`; pass ``fanout`` to share
    circuit breakers across instances (otherwise this instance keeps its own).  ``rules`` are the upload
    rules studies are judged against (``UploadRules.of(policies.values())`` of the seeds the hub runs
    on; the wiring passes them); without them, those of the default seeds directory's policies.
    """

    def __init__(self, platforms: Sequence[Platform], directory: Directory,
                 session: aiohttp.ClientSession, *, fanout: FanOut | None = None,
                 detail_concurrency: int = DETAIL_CONCURRENCY, rules: UploadRules | None = None) -> None:
        self.platforms = list(platforms)
        self.directory = directory
        self.rules = rules if rules is not None else UploadRules.of(load_policies().values())
        self.fanout = fanout or FanOut(session)
        self.detail_concurrency = detail_concurrency

    async def search(self, patient_id: str, issuer: str | None = None, since: dt.date | None = None,
                     on: dt.date | None = None, *, modalities: Sequence[str] = ()) -> PriorStudyResult:
        """Studies of ``patient_id`` (+ ``issuer``) performed from ``since`` (open when None) to ``on``
        (default today), newest first, and one status per platform.  Never raises for a platform's
        failure; raises ``ValueError`` for an empty patient id or ``since`` after ``on`` (the caller's
        BAD_INPUT), and whatever the directory (the hub's own store) raises."""
        on = on or dt.date.today()
        if not patient_id or not patient_id.strip():
            raise ValueError("a prior-study search needs a patient id")
        if since is not None and since > on:
            raise ValueError(f"since ({since}) is after on ({on})")
        query = StudyQuery(patient_id=patient_id.strip(), issuer=(issuer or "").strip() or None,
                           date_from=since, date_to=on, modalities=tuple(m.upper() for m in modalities))
        patient = pseudonym(query.patient_id, issuer=query.issuer)

        async def work(client: GuardedClient, sink: list[_Draft]) -> None:
            await self._platform_work(client, query, sink)

        drafts, statuses = await self.fanout.run(self.platforms, work, context=patient)
        by_id = {s.id: s for s in statuses}
        studies = await self._finish(drafts, by_id, since, on)
        log.info("prior-study search patient=%s studies=%d platforms_ok=%d/%d", patient, len(studies),
                 sum(s.ok for s in statuses), len(statuses))
        return PriorStudyResult(studies, statuses)

    # -- per platform (inside its budget) ------------------------------------------------------------
    async def _platform_work(self, client: GuardedClient, query: StudyQuery, sink: list[_Draft]) -> None:
        found = await client.search_studies(query)
        drafts = [_Draft(client.platform, ds) for ds in found if _same_patient(ds, query)]
        if len(drafts) < len(found):
            log.warning("platform=%s dropped %d studies of another patient id/issuer (wildcard match or "
                        "ignored key)", client.platform.id, len(found) - len(drafts))
        sink.extend(drafts)
        failures: list[PlatformError] = []
        gate = asyncio.Semaphore(self.detail_concurrency)

        async def detail(d: _Draft) -> None:
            async with gate:
                try:
                    await self._fill(client, d)
                except NotFound as exc:  # the study vanished between search and detail
                    d.detail_error = str(exc)
                except PlatformError as exc:
                    d.detail_error = str(exc)
                    failures.append(exc)

        async with asyncio.TaskGroup() as tg:
            for d in drafts:
                tg.create_task(detail(d))
        if failures:  # the platform broke during the details: its status says so, studies are kept
            raise failures[0]

    async def _fill(self, client: GuardedClient, d: _Draft) -> None:
        uid = str(d.dataset.StudyInstanceUID)
        d.institution_name = _text(d.dataset.get("InstitutionName"))
        series = [SeriesInfo.from_dataset(ds) for ds in await client.search_series(uid)]
        d.series = series
        candidates = [s for s in series if s.uid]
        if not candidates:
            return
        smallest = min(candidates, key=lambda s: (s.instances is None, s.instances or 0))
        instances = await client.series_metadata(uid, smallest.uid)
        if not instances:
            return
        first = instances[0]
        d.codes = _procedure_codes(first)
        if d.institution_name is None:
            d.institution_name = _text(first.get("InstitutionName"))

    # -- after the fan-out ---------------------------------------------------------------------------
    async def _finish(self, drafts: list[_Draft], statuses: dict[str, PlatformStatus],
                      since: dt.date | None, on: dt.date) -> list[PriorStudy]:
        kept: list[tuple[_Draft, dt.date | None]] = []
        for d in drafts:
            performed = _date(d.dataset.get("StudyDate"))
            if performed is not None and (performed > on or (since is not None and performed < since)):
                continue  # the platform ignored the date range
            kept.append((d, performed))
        facts = [StudyFacts(region=d.platform.region, institution_name=d.institution_name
                            or _text(d.dataset.get("InstitutionName")), codes=d.codes,
                            description=_text(d.dataset.get("StudyDescription"))) for d, _ in kept]
        resolutions = await resolve(self.directory, facts)
        out: list[PriorStudy] = []
        for (d, performed), fact, res in zip(kept, facts, resolutions, strict=True):
            modalities = tuple(str(m) for m in completeness.values_of(d.dataset.get("ModalitiesInStudy")))
            if not modalities and d.series:
                modalities = tuple(sorted({s.modality for s in d.series if s.modality}))
            klass = completeness.modality_class(modalities)
            if d.series is not None:
                total = _int(d.dataset.get("NumberOfStudyRelatedInstances"))
                findings = completeness.check(klass, d.series, rules=self.rules, study_instances=total)
            else:
                status = statuses.get(d.platform.id)
                why = d.detail_error or (status.error if status and status.error else "series not read")
                findings = completeness.unknown(why, klass, rules=self.rules)
            reasons = list(res.reasons)
            if d.detail_error and d.series is not None and res.item is None:
                reasons.append(f"procedure codes not read ({d.detail_error})")
            if performed is None:
                reasons.insert(0, "the study has no valid StudyDate")
            out.append(PriorStudy(
                platform=d.platform.id,
                study_instance_uid=str(d.dataset.get("StudyInstanceUID", "")),
                performed_on=performed,
                modality=klass or (modalities[0] if modalities else None),
                modalities=modalities,
                description=fact.description,
                institution_name=fact.institution_name,
                institution=res.institution,
                item=res.item,
                item_basis=res.item_basis,
                procedure_codes=d.codes,
                series_count=len(d.series) if d.series is not None else None,
                completeness=tuple(findings),
                unresolved=tuple(reasons),
            ))
        out.sort(key=lambda s: (-(s.performed_on or dt.date.min).toordinal(), s.platform, s.study_instance_uid))
        return out


# --------------------------------------------------------------------------------------------- helpers
def _same_patient(ds: Dataset, query: StudyQuery) -> bool:
    if _text(ds.get("PatientID")) != query.patient_id:
        return False
    issuer = _text(ds.get("IssuerOfPatientID"))
    return not (query.issuer and issuer and issuer != query.issuer)


def _procedure_codes(ds: Dataset) -> tuple[str, ...]:
    codes: list[str] = []
    for keyword in ("RequestedProcedureCodeSequence", "ProcedureCodeSequence"):
        for item in ds.get(keyword) or ():
            value = _text(item.get("CodeValue"))
            if value and value not in codes:
                codes.append(value)
    return tuple(codes)


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


def _int(value: object) -> int | None:
    try:
        return int(value) if value not in (None, "") else None  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _date(value: object) -> dt.date | None:
    text = _text(value)
    if not text:
        return None
    try:
        return dt.datetime.strptime(text[:8], "%Y%m%d").date()
    except ValueError:
        return None
