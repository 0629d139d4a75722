"""Who is asking: the caller a request acts for, as its verified token says (CONTRACT.md "Who is asking").

A plain record the web layer builds (hub.web.auth) and the access policy reads (hub.services.access); the
engine never sees it.  Without authentication configured (a loopback development hub) every request acts
for :data:`ANONYMOUS`, which the policy lets through as today, and the audit still records it.
"""

from __future__ import annotations

from dataclasses import dataclass

from hub.domain.vocabulary import Role


@dataclass(frozen=True)
class Identity:
    sub: str
    role: Role | None  # None: anonymous (no authentication configured)
    institution: str | None = None  # a clinician's own institution
    institutions: frozenset[str] = frozenset()  # a portal's institutions
    authenticated: bool = True

    @property
    def user(self) -> str:
        """The audit's ``user``: the token's ``sub``, or ``anonymous``."""
        return self.sub


ANONYMOUS = Identity(sub="anonymous", role=None, authenticated=False)
