"""What a caller may see: the role × field matrix of CONTRACT.md ("Who is asking"), in one place.

Every GraphQL field that needs more than "any authenticated caller" is listed in :data:`RULES` with the
roles that may use it; patient-data fields additionally bind the caller to the institution asking
(``at``): a clinician only at its own institution, a portal only at one of its institutions.  Resolvers
ask :func:`authorize` before doing anything else, so a refused request asks no platform and reads nothing.
A field not listed is open to any authenticated caller (the web layer has already refused the others).

Without authentication configured (the loopback development hub) the caller is
:data:`hub.domain.identity.ANONYMOUS` and everything is allowed, as before identity existed; the audit
still records the access.
"""

from __future__ import annotations

from hub.domain.identity import Identity
from hub.domain.refusals import Refusal
from hub.domain.vocabulary import Role

#: fields that read or write patient data (they are audited, and bound to ``at``)
PATIENT_DATA = frozenset({"priorStudies", "reminders", "decisions", "recordView", "recordDecision"})

#: field -> the roles that may use it; fields not listed: any authenticated caller
RULES: dict[str, frozenset[Role]] = {
    **{field: frozenset({Role.CLINICIAN, Role.PORTAL}) for field in PATIENT_DATA},
    "recognitionMetrics": frozenset({Role.ANALYST, Role.ADMIN}),
    # 000 六(三)'s ranking: the same figures as recognitionMetrics, for every institution at once
    "recognitionRanking": frozenset({Role.ANALYST, Role.ADMIN}),
    "auditEvents": frozenset({Role.AUDITOR}),
}


class Forbidden(Refusal):
    """A refusal (``FORBIDDEN``), with the reason a person can act on — which role or institution would be
    allowed — in the language asked (seeds/messages ``refusals: access.*``)."""

    def __init__(self, argument: str | None, key: str, *, value: object = None, **facts: object) -> None:
        super().__init__("FORBIDDEN", argument, key, value=value, **facts)


def authorize(identity: Identity, field: str, at: str | None = None) -> None:
    """Raise :class:`Forbidden` unless ``identity`` may use ``field`` (for patient data: at ``at``)."""
    if not identity.authenticated:
        return  # no authentication configured: a loopback development hub
    allowed = RULES.get(field)
    if allowed is None:
        return
    if identity.role not in allowed:
        raise Forbidden(None, "access.role", field=field, roles=sorted(r.value for r in allowed),
                        role=identity.role.value if identity.role else None)
    if field in PATIENT_DATA:
        if at is None:
            raise Forbidden("at", "access.at_missing", field=field)
        if identity.role is Role.CLINICIAN and at != identity.institution:
            raise Forbidden("at", "access.clinician_elsewhere", value=at, institution=identity.institution)
        if identity.role is Role.PORTAL and at not in identity.institutions:
            raise Forbidden("at", "access.portal_elsewhere", value=at,
                            institutions=sorted(identity.institutions) or None)
