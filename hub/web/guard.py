"""The door of /graphql and /admin/load: who is asking (:mod:`hub.web.auth`) and how often (rate limits).

A pure ASGI middleware, so a refused request costs no GraphQL parsing: without a valid token the answer is
a 401 with ``WWW-Authenticate: Bearer`` and a GraphQL error coded ``UNAUTHENTICATED``; past a rate limit, a
429 with ``Retry-After`` and ``RATE_LIMITED``.  The caller it found is left in ``scope["state"]["identity"]``
for the GraphQL context (and so for :mod:`hub.services.access` and the audit).

The GraphiQL page itself (a GET asking for HTML, with an empty query string) is served without a token: it holds no data,
and the person pastes their token in its headers tab.  Rate limits count authenticated callers only (the
token's ``sub``, and its institution across all its callers) with the ``limits`` library's moving window
in memory: one process's view, which is what a single hub process can promise.
"""

from __future__ import annotations

import math
import time
from typing import Any

import orjson
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from hub.domain.identity import ANONYMOUS, Identity
from hub.web.auth import AuthError, TokenVerifier

GUARDED = ("/graphql", "/admin/load")


def _limit(text: str) -> RateLimitItem | None:
    return None if text.strip().lower() == "none" else parse(text)


class RateLimits:
    """Per caller (``sub``) and per institution, each a moving window."""

    def __init__(self, per_caller: str, per_institution: str) -> None:
        self.per_caller = _limit(per_caller)
        self.per_institution = _limit(per_institution)
        self.limiter = MovingWindowRateLimiter(MemoryStorage())

    def retry_after(self, identity: Identity) -> tuple[int, str] | None:
        """None when the request may go on; else (seconds to wait, which limit) — and the hit is not counted."""
        checks = []
        if self.per_caller is not None:
            checks.append((self.per_caller, ("caller", identity.sub), f"{self.per_caller} per caller"))
        if self.per_institution is not None and identity.institution:
            checks.append((self.per_institution, ("institution", identity.institution),
                           f"{self.per_institution} per institution"))
        for item, key, label in checks:
            if not self.limiter.test(item, *key):
                reset = self.limiter.get_window_stats(item, *key).reset_time
                return max(1, math.ceil(reset - time.time())), label
        for item, key, _ in checks:
            self.limiter.hit(item, *key)
        return None


def _error(status: int, code: str, message: str, headers: list[tuple[bytes, bytes]]) -> tuple[int, list, bytes]:
    body = orjson.dumps({"data": None, "errors": [{"message": message, "extensions": {"code": code}}]})
    return status, [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                    *headers], body


class Guard:
    """ASGI middleware: authenticate (when a verifier is configured) and rate-limit the guarded paths."""

    def __init__(self, app: Any, verifier: TokenVerifier | None, limits: RateLimits | None) -> None:
        self.app = app
        self.verifier = verifier
        self.limits = limits

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"] not in GUARDED:
            await self.app(scope, receive, send)
            return
        identity, refusal = await self._identity(scope)
        if refusal is None and identity.authenticated and self.limits is not None:
            wait = self.limits.retry_after(identity)
            if wait is not None:
                seconds, label = wait
                refusal = _error(429, "RATE_LIMITED", f"too many requests ({label}); retry after {seconds} s",
                                 [(b"retry-after", str(seconds).encode())])
        if refusal is not None:
            status, headers, body = refusal
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        scope.setdefault("state", {})["identity"] = identity
        await self.app(scope, receive, send)

    async def _identity(self, scope: Any) -> tuple[Identity, tuple[int, list, bytes] | None]:
        if self.verifier is None:
            return ANONYMOUS, None
        headers = dict(scope["headers"])
        if scope["path"] == "/graphql" and scope["method"] in ("GET", "HEAD") and _is_ide_page(scope, headers):
            return ANONYMOUS, None
        raw = headers.get(b"authorization")
        try:
            return await self.verifier.identity(raw.decode("latin-1") if raw else None), None
        except AuthError as e:
            description = str(e).replace('"', "'")
            challenge = f'Bearer realm="huren-hub", error="invalid_token", error_description="{description}"'
            if raw is None:
                challenge = 'Bearer realm="huren-hub"'
            return ANONYMOUS, _error(401, "UNAUTHENTICATED", str(e), [(b"www-authenticate", challenge.encode())])


def _is_ide_page(scope: Any, headers: dict[bytes, bytes]) -> bool:
    """A browser asking for the GraphiQL page: HTML accepted and nothing at all in the URL's query string
    (so no operation — neither ``query`` nor a trusted ``documentId`` — can ride on the exemption)."""
    return b"text/html" in headers.get(b"accept", b"") and not scope.get("query_string")
