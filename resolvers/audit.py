"""``auditEvents``: the audit trail of one patient, for auditors (CONTRACT.md "Audit"; docs/AUDIT.md).

The events are read from the hash-chained log by pseudonym (the raw id asked for is pseudonymised with
the key in use and any retired key, never compared in clear).  Reading them is itself audited.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Optional

import strawberry

from hub.domain.refusals import Refusal
from hub.services.access import Forbidden
from hub.services.audit import Patient
from hub.services.patient_data import patient_access
from resolvers.context import client, hub, identity
from resolvers.errors import refused
from resolvers.types import Language, PatientInput


@strawberry.type(description="A regional platform asked by a priorStudies request, and whether it answered.")
class AuditPlatform:
    id: str = strawberry.field(description="The platform's id in the platform file.")
    ok: bool = strawberry.field(description="Whether it answered.")


@strawberry.type(description="One access to a patient's data, as the audit log holds it (IHE BALP PatientQuery; "
                             "docs/AUDIT.md maps each field).")
class AuditEvent:
    time: str = strawberry.field(description="When (ISO 8601, UTC).")
    operation: str = strawberry.field(description="The GraphQL field (priorStudies, auditEvents …).")
    outcome: str = strawberry.field(description="success, failure or forbidden.")
    code: Optional[str] = strawberry.field(description="The error code of a failure or refusal.")
    user: Optional[str] = strawberry.field(description="The caller's sub (anonymous without authentication).")
    role: Optional[str] = strawberry.field(description="The caller's role.")
    institution: Optional[str] = strawberry.field(description="The caller's institution.")
    at: Optional[str] = strawberry.field(description="The institution the data was asked for.")
    client: Optional[str] = strawberry.field(description="The caller's network address.")
    patient: Optional[str] = strawberry.field(description="The patient's keyed pseudonym (never the raw id).")
    platforms: Optional[list[AuditPlatform]] = strawberry.field(description="priorStudies: each platform asked.")
    prev: str = strawberry.field(description="The previous event's hash (the chain).")
    hash: str = strawberry.field(description="This event's hash, over its content and prev.")


async def audit_events(
    info: strawberry.Info,
    patient: PatientInput,
    from_: Annotated[Optional[dt.date], strawberry.argument(name="from", description="First day (UTC), inclusive.")] = None,
    to: Annotated[Optional[dt.date], strawberry.argument(description="Last day (UTC), inclusive.")] = None,
    lang: Annotated[Language, strawberry.argument(description="The language of the error messages: ZH (default) or "
                                                  "EN.")] = Language.ZH,
) -> list[AuditEvent]:
    """The patient's audit events (auditor only)."""
    ctx = hub(info)
    if not patient.id.strip():
        raise refused(Refusal("BAD_INPUT", "patient.id", "patient.empty", value=patient.id), lang)
    if ctx.audit is None:
        raise refused(Refusal("NO_AUDIT_LOG", None, "audit.none"), lang)

    async def run():
        return await ctx.audit.events(patient.id, patient.issuer, from_, to)

    try:
        events = await patient_access(ctx.audit, identity(info), "auditEvents", at=None,
                                      patient=Patient(patient.id, patient.issuer), client=client(info), run=run)
    except Forbidden as e:
        raise refused(e, lang) from None
    return [
        AuditEvent(time=e.time, operation=e.operation, outcome=e.outcome, code=e.code, user=e.user, role=e.role,
                   institution=e.institution, at=e.at, client=e.client, patient=e.patient,
                   platforms=[AuditPlatform(id=p.id, ok=p.ok) for p in e.platforms] if e.platforms is not None else None,
                   prev=e.prev, hash=e.hash)
        for e in events
    ]
