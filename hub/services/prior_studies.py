"""The prior-studies use case: the duplicate-exam reminder (004 6.6; 000 一(一)) — every platform's
studies of a patient, each with its verdict at the asking institution.

The platforms' search (the connectors' :class:`connectors.service.PriorStudySearch`, wired by
``hub serve --platforms``) finds the studies, maps them to institution and item and judges their images
against the policies' upload rules (001 三、2(二); 003 二(四)).  Here the engine decides, in one batch
for all studies: a study with a completeness gap (``INCOMPLETE_IMAGES``) is checked with
``imagesIncomplete`` so the governing document's image-quality exclusion applies (it cannot come back
RECOGNIZED outright), and every completeness finding is added to the study's reasons.  The answer is
plain records — no GraphQL, no HTTP; ``resolvers/prior_studies.py`` maps it to the contract's types.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from hub.domain.recognition import Check, CheckError, ClinicalContext, Reason, Recognition, RecognitionEngine
from hub.domain.refusals import Refusal
from hub.domain.upload_rules import Finding
from hub.domain.vocabulary import ReasonCode
from hub.services.metrics import count_platforms
from hub.services.recognition import check_many


class FoundStudy(Protocol):
    """A study as the platforms' search returns it (``connectors.service.PriorStudy``)."""

    platform: str
    study_instance_uid: str
    performed_on: dt.date | None
    institution: str | None  # hub institution id
    item: str | None  # catalog item ref
    completeness: tuple[Finding, ...]
    unresolved: tuple[str, ...]


class Found(Protocol):
    studies: list[Any]  # FoundStudy
    platforms: list[Any]  # one status per platform (id, ok, error, latency_ms)


class StudySearch(Protocol):
    async def search(self, patient_id: str, issuer: str | None = None, since: dt.date | None = None,
                     on: dt.date | None = None) -> Found: ...


class PriorStudiesRefused(Refusal):
    """The question cannot be answered at all: ``code`` NO_PLATFORMS or BAD_INPUT (``patient.id``, ``since``);
    the texts are the ``platforms.*`` and ``patient.empty`` refusals of seeds/messages."""


@dataclass(frozen=True)
class StudyAnswer:
    """One dated study and what the hub says of it: a recognition (completeness findings among its
    reasons), or the problem that kept it from being checked (``(code, message)``)."""

    study: Any  # FoundStudy
    recognition: Recognition | None = None
    problem: tuple[str, str] | None = None


@dataclass(frozen=True)
class PriorStudiesAnswer:
    studies: list[StudyAnswer]  # the platforms' order (newest first); studies without a date are left out
    platforms: list[Any]  # the search's status per platform
    results: list[Recognition | CheckError]  # the engine's answers, in the order of the checked studies


def images_incomplete(findings: Sequence[Finding]) -> bool:
    """A gap against an upload rule (not a "could not check"): the image-quality exclusion applies."""
    return any(f.code == ReasonCode.INCOMPLETE_IMAGES for f in findings)


async def prior_studies(search: StudySearch | None, engine: RecognitionEngine, patient_id: str,
                        issuer: str | None, at: str, since: dt.date | None, on: dt.date) -> PriorStudiesAnswer:
    """The patient's studies on every platform from ``since`` to ``on``, each checked at institution ``at``
    on day ``on``.  Raises :class:`PriorStudiesRefused` when no platform is configured or the search
    refuses its input (an empty patient id, ``since`` after ``on``)."""
    if search is None:
        raise PriorStudiesRefused("NO_PLATFORMS", None, "platforms.none")
    # what the platforms' search refuses (connectors.service), named here so that the text can say which
    # argument to fix in the caller's language; anything else it refuses keeps its own words as a fact
    if not patient_id or not patient_id.strip():
        raise PriorStudiesRefused("BAD_INPUT", "patient.id", "patient.empty", value=patient_id)
    if since is not None and since > on:
        raise PriorStudiesRefused("BAD_INPUT", "since", "platforms.since_after_on", value=since, on=on)
    try:
        found = await search.search(patient_id, issuer, since, on)
    except ValueError as e:
        raise PriorStudiesRefused("BAD_INPUT", None, "platforms.refused", detail=str(e)) from None
    studies = [s for s in found.studies if s.performed_on is not None]
    checkable = [s for s in studies if s.institution and s.item]
    checks = [Check(s.institution, s.item, s.performed_on, at, on,
                    ClinicalContext(imagesIncomplete=images_incomplete(s.completeness)))
              for s in checkable]
    results = await check_many(engine, checks)
    count_platforms(found.platforms)
    verdicts = dict(zip((id(s) for s in checkable), results))
    out = []
    for s in studies:
        result = verdicts.get(id(s))
        if isinstance(result, CheckError):
            out.append(StudyAnswer(s, problem=(result.code, str(result))))
        elif result is None:
            out.append(StudyAnswer(s, problem=(
                "UNRESOLVED_STUDY", "; ".join(s.unresolved) or "institution or item could not be resolved")))
        else:
            # the connectors' measured detail as a fact; the finding's rule key picks its template (seeds/messages)
            findings = tuple(Reason(f.code, f.source, f.clause, (("detail", f.text),), f.rule) for f in s.completeness)
            out.append(StudyAnswer(s, recognition=dataclasses.replace(result, reasons=result.reasons + findings)))
    return PriorStudiesAnswer(out, list(found.platforms), results)
