"""A question the hub will not answer, as data: the one shape of every refusal a person reads.

A use case raises :class:`Refusal` (or a subclass naming its use case) with the GraphQL error code clients
switch on (``BAD_INPUT``, ``UNKNOWN_INSTITUTION`` …), the argument to fix, the value given, and a key whose
text is kept, per language, in the ``refusals:`` section of ``seeds/messages/<lang>.yaml`` — reviewable beside
the reason texts, checked at load like them (:data:`hub.domain.messages.REFUSALS` lists the keys and the facts
each may show).  Nothing is rendered where the refusal is raised: the resolver renders it in the ``lang`` the
field was asked in, and ``str()`` is the default language's text (logs, the CLI).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hub.domain.messages import DEFAULT_LANGUAGE, REFUSALS, refusal_text


class Refusal(Exception):
    """``code``: the error code; ``argument``: the argument (or input field) to fix, None when no argument can
    fix it (no platform configured); ``value``: what the caller gave; ``key`` and ``facts``: the text."""

    def __init__(self, code: str, argument: str | None, key: str, *, value: Any = None, **facts: Any) -> None:
        wanted = REFUSALS.get(key)
        if wanted is None:
            raise KeyError(f"no refusal {key!r} in hub.domain.messages.REFUSALS")
        if set(facts) != set(wanted):
            raise TypeError(f"refusal {key!r} shows the facts {sorted(wanted)}, given {sorted(facts)}")
        super().__init__(code, argument, key)
        self.code = code
        self.argument = argument
        self.key = key
        self.value = value
        self.facts = facts

    def text(self, lang: str = DEFAULT_LANGUAGE) -> str:
        """The refusal in ``lang`` (``zh``, ``en``, either case; anything else: Chinese)."""
        return refusal_text(self.key, self.facts, argument=self.argument, value=self.value, lang=lang)

    def __str__(self) -> str:
        return self.text()

    @property
    def extensions(self) -> dict[str, Any]:
        """What a GraphQL error carries beside the text: ``code``, and ``argument`` and ``value`` when known
        (a date as ISO 8601)."""
        out: dict[str, Any] = {"code": self.code}
        if self.argument is not None:
            out["argument"] = self.argument
        if self.value is not None:
            out["value"] = self.value.isoformat() if isinstance(self.value, (dt.date, dt.datetime)) else self.value
        return out
