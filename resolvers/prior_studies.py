"""``priorStudies``: a thin adapter over the prior-studies use case (:mod:`hub.services.prior_studies`).

The use case searches the platforms, has the engine decide (completeness gaps of 001 三、2(二) / 003 二(四)
checked as ``imagesIncomplete``) and attaches the completeness findings to each recognition; this module
only maps its answer to the contract's types and its refusals to GraphQL errors.
"""

from __future__ import annotations

import datetime as dt
from typing import Optional

import strawberry

from hub.services.prior_studies import PriorStudiesRefused
from hub.services.prior_studies import prior_studies as find_prior_studies
from hub.services.access import Forbidden
from hub.services.audit import Patient
from hub.services.patient_data import patient_access
from resolvers.context import client, hub, identity
from resolvers.errors import refused
from resolvers.recognition import renderer, to_graphql, today
from resolvers.types import Language, PatientInput, PlatformStatus, PriorStudies, PriorStudy


async def prior_studies(
    info: strawberry.Info,
    patient: PatientInput,
    at: strawberry.ID,
    since: Optional[dt.date] = None,
    on: Optional[dt.date] = None,
    lang: Language = Language.ZH,
) -> PriorStudies:
    """The patient's studies on every regional platform, with recognizability at institution ``at``."""
    ctx = hub(info)
    if not patient.id.strip():  # names nobody: refused before any access or audit (there is no pseudonym)
        empty = PriorStudiesRefused("BAD_INPUT", "patient.id", "patient.empty", value=patient.id)
        raise refused(empty, lang)

    async def run():
        return await find_prior_studies(ctx.prior_studies, ctx.engine, patient.id, patient.issuer, str(at),
                                        since, on or today())

    try:
        answer = await patient_access(ctx.audit, identity(info), "priorStudies", at=str(at),
                                      patient=Patient(patient.id, patient.issuer), client=client(info), run=run,
                                      platforms_of=lambda a: a.platforms)
    except Forbidden as e:
        raise refused(e, lang) from None
    except PriorStudiesRefused as e:
        raise refused(e, lang) from None
    return PriorStudies(
        studies=[
            PriorStudy(
                platform=s.platform, study_instance_uid=s.study_instance_uid, performed_on=s.performed_on,
                modality=s.modality, description=s.description,
                institution=strawberry.ID(s.institution) if s.institution else None, item=s.item,
                institution_name=s.institution_name, unresolved=list(s.unresolved),
                _recognition=to_graphql(a.recognition, renderer(ctx.engine), lang) if a.recognition is not None else None,
                _problem=a.problem,
            )
            for a in answer.studies
            for s in (a.study,)
        ],
        platforms=[PlatformStatus(id=p.id, ok=p.ok, error=p.error, latency_ms=p.latency_ms) for p in answer.platforms],
    )
