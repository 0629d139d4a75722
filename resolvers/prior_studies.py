"""``priorStudies``: the duplicate-exam reminder (004 6.6; 000 一(一)) — every platform's studies of a
patient, each with its verdict at the asking institution.

The connectors find and map the studies; the engine decides, in one batch for all studies.  A study
whose images are incomplete (001 三、2(二); 003 二(四)) is checked with ``imagesIncomplete`` so the
governing document's image-quality exclusion applies: it cannot come back RECOGNIZED outright.
"""

from __future__ import annotations

import datetime as dt
from typing import Optional

import strawberry
from hub.domain import recognition as engine
from hub.web.metrics import count_answers, count_platforms
from resolvers.context import hub
from resolvers.errors import hub_error
from resolvers.recognition import to_graphql, today
from resolvers.types import PatientInput, PlatformStatus, PriorStudies, PriorStudy, Reason


async def prior_studies(
    info: strawberry.Info,
    patient: PatientInput,
    at: strawberry.ID,
    since: Optional[dt.date] = None,
    on: Optional[dt.date] = None,
) -> PriorStudies:
    """The patient's studies on every regional platform, with recognizability at institution ``at``."""
    ctx = hub(info)
    if ctx.prior_studies is None:
        raise hub_error("NO_PLATFORMS", "no regional platforms are configured (hub serve --platforms FILE)")
    on = on or today()
    try:
        found = await ctx.prior_studies.search(patient.id, patient.issuer, since, on)
    except ValueError as e:
        raise hub_error("BAD_INPUT", str(e)) from None
    studies = [s for s in found.studies if s.performed_on is not None]
    checkable = [s for s in studies if s.institution and s.item]
    checks = [
        engine.Check(s.institution, s.item, s.performed_on, str(at), on,
                     engine.ClinicalContext(imagesIncomplete=any(f.code == "INCOMPLETE_IMAGES" for f in s.completeness)))
        for s in checkable
    ]
    results = await ctx.engine.check_many(checks) if checks else []
    count_answers(results)
    count_platforms(found.platforms)
    verdicts = dict(zip((id(s) for s in checkable), results))
    out = []
    for s in studies:
        result = verdicts.get(id(s))
        recognition, problem = None, None
        if isinstance(result, engine.CheckError):
            problem = (result.code, str(result))
        elif result is None:
            problem = ("UNRESOLVED_STUDY", "; ".join(s.unresolved) or "institution or item could not be resolved")
        else:
            recognition = to_graphql(result)
            recognition.reasons.extend(
                Reason(code=f.code, source=f.source, clause=f.clause, text=f.text) for f in s.completeness
            )
        out.append(
            PriorStudy(
                platform=s.platform, study_instance_uid=s.study_instance_uid, performed_on=s.performed_on,
                modality=s.modality, description=s.description,
                institution=strawberry.ID(s.institution) if s.institution else None, item=s.item,
                institution_name=s.institution_name, unresolved=list(s.unresolved),
                _recognition=recognition, _problem=problem,
            )
        )
    return PriorStudies(
        studies=out,
        platforms=[PlatformStatus(id=p.id, ok=p.ok, error=p.error, latency_ms=p.latency_ms) for p in found.platforms],
    )

