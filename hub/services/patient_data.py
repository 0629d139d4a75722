"""Every access to patient data goes through here: the access policy first, the audit always.

``priorStudies`` today (and ``reminders``, ``decisions``, ``recordView``, ``recordDecision`` as they come):
:func:`patient_access` asks :func:`hub.services.access.authorize` before the use case runs — a refused
caller reaches no platform and no store — and appends one audit event per patient per request, whatever
the outcome (``success``, ``failure`` with the error's code, ``forbidden``), written to disk before the
answer is returned (CONTRACT.md "Audit").  The raw patient id goes only to the audit log's pseudonymiser.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar

from hub.domain.identity import Identity
from hub.services.access import Forbidden, authorize
from hub.services.audit import AuditLog, Patient

T = TypeVar("T")


async def patient_access(
    audit: AuditLog | None,
    identity: Identity,
    operation: str,
    *,
    at: str | None,
    patient: Patient,
    client: str | None,
    run: Callable[[], Awaitable[T]],
    platforms_of: Callable[[T], Iterable[Any]] | None = None,
    key_id: str | None = None,
) -> T:
    """Authorize, run, audit.  Raises :class:`Forbidden` (audited as ``forbidden``) or whatever ``run``
    raises (audited as ``failure`` with its ``code`` attribute when it has one).  ``key_id``: for a patient
    given as a stored pseudonym (``p_…``, a reminder's), the id of the key that made it — after a key
    rotation the event must still say which key can find the patient again (a raw id is pseudonymised
    under the key in use, which the audit log names itself)."""

    async def record(outcome: str, code: str | None = None, platforms: Iterable[Any] | None = None) -> None:
        if audit is not None:
            await audit.append(operation=operation, outcome=outcome, user=identity.user,
                               role=identity.role.value if identity.role else None,
                               institution=identity.institution, at=at, client=client, patient=patient,
                               platforms=platforms, code=code, key_id=key_id)

    try:
        authorize(identity, operation, at)
    except Forbidden:
        await record("forbidden", "FORBIDDEN")
        raise
    try:
        result = await run()
    except Exception as e:
        await record("failure", getattr(e, "code", None) or type(e).__name__.upper()[:64])
        raise
    await record("success", platforms=platforms_of(result) if platforms_of else None)
    return result
