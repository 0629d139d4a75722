"""The hub's own credentials towards each platform: the Authorization header to send, and the TLS context.

One :class:`PlatformCredentials` per platform and per hub process (the fan-out keeps them in a
:class:`CredentialStore`), so a token fetched for one search serves the next ones:

* **basic** and a **bearer** token given inline or in the environment: a fixed header.
* a bearer **tokenFile**: re-read when the file changes (an agent may rotate it); after a 401 the file is
  looked at again and, if it now holds another token, the request is sent once more.
* **OAuth2 client credentials** (RFC 6749 4.4): the token is fetched from ``tokenUrl`` on first use,
  cached until shortly before its ``expires_in`` (a tenth of its lifetime, at most 30 s, measured from
  when the request was sent), renewed once when a platform answers 401 to it, and fetched **once** for
  however many searches need it at that moment (one shared, shielded task: no stampede on the token
  endpoint; a caller whose own budget runs out does not cancel the fetch the others wait for, and the
  fetch has its own timeout, the platform's or 10 s if that is longer).  The client
  authenticates with HTTP basic (``client_secret_basic``, which RFC 6749 2.3.1 says every server
  supports, id and secret form-encoded first) or in the body (``client_secret_post``).
* **TLS**: the platform's :attr:`~connectors.platforms.TlsConfig.context` (its CA bundle, the hub's
  client certificate), used for the platform and its token endpoint alike; without ``caFile`` /
  ``clientCert`` aiohttp's default verification.

Why no OAuth library: we looked for a well-kept one that fits an aiohttp client stack, and none does the
job better than these ~150 lines.

* ``authlib`` (well kept) ships its async OAuth 2 client for **httpx** only: a second HTTP client with its
  own pool and its own TLS set-up per platform, beside the aiohttp session the hub already tunes; and it
  neither retries after a 401 nor shares a failed refresh cleanly (its refresh is guarded by an Event that
  stays cleared if the fetch raises; client-credentials refresh was reported broken, authlib issue #650).
* ``aiohttp-oauth2-client`` (aiohttp middleware) opens its own ``ClientSession`` per grant (so the token
  endpoint would get neither the platform's CA nor its client certificate), compares expiry to the wall
  clock, has no 401 handling, and is one person's project; ``aiohttp-oauthlib`` has not moved since 2021.
* ``oauthlib`` is transport-free and well kept, but for this grant it would only form-encode three
  fields and read a JSON object — at the price of process-wide switches in environment variables
  (``OAUTHLIB_INSECURE_TRANSPORT``, ``OAUTHLIB_RELAX_TOKEN_SCOPE``: a server that narrows the scope
  makes it raise).

What the hard part needs — one fetch shared by concurrent searches, renewal after a 401, errors that name
no secret, the platform's TLS context on the token endpoint — is written here and tested against a real
token endpoint (tests/connectors/test_platform_credentials.py).

Secrets never reach a log line, a ``repr``, an exception message or ``PlatformStatus.error``: errors say
what failed ("token endpoint refused the client credentials (HTTP 401, invalid_client)"), never with a
body the server sent (it may echo the request), and the OAuth ``error`` code only when it is one of
RFC 6749's.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import os
import ssl
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_plus

import aiohttp
from yarl import URL

from connectors.errors import CredentialsError, PlatformError, transport_error
from connectors.platforms import BasicAuth, BearerToken, OAuth2ClientCredentials, Platform

log = logging.getLogger(__name__)

#: A token answer bigger than this is not a token answer.
MAX_TOKEN_BODY = 64 * 1024
#: Renew this long before ``expires_in`` runs out at most (less for short-lived tokens: a tenth of it).
EARLY_RENEWAL_S = 30.0
#: A token request may take this long even when the platform's search budget is shorter: the search stops
#: waiting at its budget, the (shared, shielded) fetch goes on and serves the next search.
MIN_TOKEN_TIMEOUT_S = 10.0
#: RFC 6749 5.2 error codes: the only part of a token endpoint's error answer that reaches a message.
OAUTH_ERRORS = frozenset({"invalid_request", "invalid_client", "invalid_grant", "unauthorized_client",
                          "unsupported_grant_type", "invalid_scope"})


class Authorizer:
    """Gives the Authorization header for a platform's requests.  This base class sends none."""

    async def header(self, session: aiohttp.ClientSession) -> str | None:
        return None

    def refused(self, sent: str | None) -> bool:
        """The platform answered 401 to a request that carried ``sent``.  True when the next
        :meth:`header` may differ (a renewed token), i.e. when one more try makes sense."""
        return False


class StaticAuthorizer(Authorizer):
    def __init__(self, value: str) -> None:
        self._value = value

    async def header(self, session: aiohttp.ClientSession) -> str | None:
        return self._value

    def __repr__(self) -> str:
        return "StaticAuthorizer(<hidden>)"


class TokenFileAuthorizer(Authorizer):
    """A bearer token read from a file, again whenever the file changes (mtime, size or inode)."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._stamp: tuple[int, int, int] | None = None
        self._value: str | None = None

    def __repr__(self) -> str:
        return f"TokenFileAuthorizer({self._path!r})"

    def _current(self) -> str:
        try:
            st = os.stat(self._path)
            stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
            if stamp != self._stamp or self._value is None:
                with open(self._path, encoding="utf-8") as f:
                    token = f.read().strip()
                if not token or any(not 0x21 <= ord(c) <= 0x7E for c in token):
                    raise CredentialsError("bearer tokenFile holds no usable token (empty or not printable ASCII)")
                self._stamp, self._value = stamp, f"Bearer {token}"
        except OSError as exc:
            raise CredentialsError(f"bearer tokenFile cannot be read ({exc.strerror or type(exc).__name__})") \
                from None
        return self._value

    async def header(self, session: aiohttp.ClientSession) -> str | None:
        return self._current()

    def refused(self, sent: str | None) -> bool:
        try:
            return self._current() != sent
        except CredentialsError:
            return False


@dataclass(frozen=True)
class _Token:
    header: str  # "Bearer …"
    renew_at: float | None  # loop.time() after which it is renewed; None: until a 401 says otherwise

    def fresh(self, now: float) -> bool:
        return self.renew_at is None or now < self.renew_at

    def __repr__(self) -> str:
        return f"_Token(<hidden>, renew_at={self.renew_at})"


class OAuth2Authorizer(Authorizer):
    """OAuth 2.0 client credentials: fetch, cache, renew before expiry and after a 401, one fetch at a time."""

    def __init__(self, platform_id: str, config: OAuth2ClientCredentials, ssl_context: ssl.SSLContext | bool,
                 timeout_s: float, *, client_cert: bool = False) -> None:
        self._platform = platform_id
        self._config = config
        self._ssl = ssl_context
        self._client_cert = client_cert  # only for the wording of a TLS refusal
        self._timeout = aiohttp.ClientTimeout(total=max(timeout_s, MIN_TOKEN_TIMEOUT_S))
        self._token: _Token | None = None
        self._inflight: asyncio.Task[_Token] | None = None
        #: how many token requests this authorizer has sent (for logs and tests)
        self.fetches = 0

    def __repr__(self) -> str:
        return f"OAuth2Authorizer({self._platform!r}, {self._config!r})"

    async def header(self, session: aiohttp.ClientSession) -> str | None:
        token = self._token
        if token is None or not token.fresh(asyncio.get_running_loop().time()):
            token = await self._shared_fetch(session)
        return token.header

    def refused(self, sent: str | None) -> bool:
        token = self._token
        if token is not None and token.header == sent:
            log.info("platform=%s answered 401 to the cached OAuth2 token: fetching a new one", self._platform)
            self._token = None
        return sent is not None  # a new token (ours, or one another search fetched meanwhile) may pass

    async def _shared_fetch(self, session: aiohttp.ClientSession) -> _Token:
        task = self._inflight
        if task is None:
            task = asyncio.create_task(self._fetch(session), name=f"oauth2-token:{self._platform}")
            task.add_done_callback(self._landed)
            self._inflight = task
        # shielded: a search whose budget ends stops waiting, the fetch goes on for the others
        return await asyncio.shield(task)

    def _landed(self, task: asyncio.Task[_Token]) -> None:
        if self._inflight is task:
            self._inflight = None
        if task.cancelled():
            return
        if task.exception() is None:  # (retrieving it also keeps asyncio from warning it was never read)
            self._token = task.result()

    def _secret(self) -> str:
        c = self._config
        if c.client_secret_file is None:
            return c.client_secret or ""
        try:
            with open(c.client_secret_file, encoding="utf-8") as f:
                secret = f.read().strip()
        except OSError as exc:
            raise CredentialsError(f"oauth2 clientSecretFile cannot be read ({exc.strerror or type(exc).__name__})") \
                from None
        if not secret:
            raise CredentialsError("oauth2 clientSecretFile is empty")
        return secret

    async def _fetch(self, session: aiohttp.ClientSession) -> _Token:
        c = self._config
        data = {"grant_type": "client_credentials"}
        if c.scope:
            data["scope"] = c.scope
        headers = {"Accept": "application/json"}
        secret = self._secret()
        if c.auth_method == "client_secret_post":
            data["client_id"], data["client_secret"] = c.client_id, secret
        else:  # RFC 6749 2.3.1: each part form-encoded, then HTTP basic
            pair = f"{quote_plus(c.client_id)}:{quote_plus(secret)}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
        loop = asyncio.get_running_loop()
        sent_at = loop.time()
        started = time.perf_counter()
        self.fetches += 1
        status: int | str = "-"
        try:
            try:
                async with session.post(URL(c.token_url), data=data, headers=headers, ssl=self._ssl,
                                        allow_redirects=False, timeout=self._timeout) as resp:
                    status = resp.status
                    ctype = resp.headers.get("Content-Type", "")
                    body = await resp.content.read(MAX_TOKEN_BODY + 1)
            except aiohttp.ClientError as exc:
                err = transport_error(exc, "token request", tls=c.token_url.startswith("https:"),
                                      client_cert=self._client_cert, peer="server")
                raise CredentialsError(f"token endpoint: {err}", retryable=err.retryable) from None
            except TimeoutError:
                raise CredentialsError(f"token endpoint did not answer within {self._timeout.total:g} s",
                                       retryable=True) from None
            token = _parse_token_answer(status, ctype, body, sent_at)
            log.info("platform=%s oauth2 token fetched (expires_in %s) ms=%.1f", self._platform,
                     "unknown" if token.renew_at is None else f"{token.renew_at - sent_at:.0f} s + margin",
                     (time.perf_counter() - started) * 1000)
            return token
        except CredentialsError as exc:
            log.warning("platform=%s token request failed status=%s: %s", self._platform, status, exc)
            raise


def _parse_token_answer(status: int, ctype: str, body: bytes, sent_at: float) -> _Token:
    """A token endpoint's answer → the token, or a :class:`CredentialsError` naming no secret."""
    if len(body) > MAX_TOKEN_BODY:
        raise CredentialsError("token endpoint answer is too large to be a token")
    data: Any = None
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        pass
    if status != 200:
        code = data.get("error") if isinstance(data, dict) else None
        code = code if code in OAUTH_ERRORS else None
        if status >= 500:
            raise CredentialsError(f"token endpoint error (HTTP {status})", retryable=True)
        if code in ("invalid_client", "unauthorized_client") or (status == 401 and code is None):
            raise CredentialsError(f"token endpoint refused the client credentials (HTTP {status}"
                                   + (f", {code})" if code else ")"))
        if code:
            raise CredentialsError(f"token endpoint refused the request (HTTP {status}, {code})")
        raise CredentialsError(f"token endpoint error (HTTP {status})")
    media = ctype.split(";", 1)[0].strip().lower() or "no content type"
    if not isinstance(data, dict) or not isinstance(data.get("access_token"), str):
        raise CredentialsError(f"token endpoint answer is not a token ({media}, {len(body)} bytes)")
    access = data["access_token"].strip()
    if not access or any(not 0x21 <= ord(ch) <= 0x7E for ch in access):
        raise CredentialsError("token endpoint issued an access token that cannot be sent in a header")
    kind = data.get("token_type", "Bearer")
    if not isinstance(kind, str) or kind.lower() != "bearer":
        shown = kind if isinstance(kind, str) and kind.isascii() and kind.isalnum() and len(kind) < 20 else "?"
        raise CredentialsError(f"token endpoint issued a {shown} token; only Bearer tokens are supported")
    lifetime = _seconds(data.get("expires_in"))
    renew_at = None
    if lifetime is not None:
        renew_at = sent_at + lifetime - min(EARLY_RENEWAL_S, lifetime / 10)
    return _Token(f"Bearer {access}", renew_at)


def _seconds(value: Any) -> float | None:
    """``expires_in`` as seconds (some servers send a string); None when absent or nonsense."""
    if isinstance(value, bool):
        return None
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return None
    return seconds if 0 < seconds < 10 * 365 * 86400 else None


# --------------------------------------------------------------------------------------------- per platform
@dataclass
class PlatformCredentials:
    """What the hub presents to one platform: the header source and the TLS context for aiohttp's ``ssl=``."""

    authorizer: Authorizer
    ssl: ssl.SSLContext | bool
    client_cert: bool = False

    def __repr__(self) -> str:
        return f"PlatformCredentials({self.authorizer!r}, client_cert={self.client_cert})"

    @classmethod
    def of(cls, platform: Platform) -> PlatformCredentials:
        tls = platform.tls
        context: ssl.SSLContext | bool = tls.context if tls is not None else True
        client_cert = bool(tls and tls.client_cert)
        auth = platform.auth
        authorizer: Authorizer
        if auth is None:
            authorizer = Authorizer()
        elif isinstance(auth, BasicAuth):
            authorizer = StaticAuthorizer(aiohttp.encode_basic_auth(auth.user, auth.password))
        elif isinstance(auth, BearerToken):
            authorizer = (TokenFileAuthorizer(auth.token_file) if auth.token_file
                          else StaticAuthorizer(f"Bearer {auth.token}"))
        elif isinstance(auth, OAuth2ClientCredentials):
            authorizer = OAuth2Authorizer(platform.id, auth, context, platform.timeout_s, client_cert=client_cert)
        else:  # pragma: no cover - the platform file admits no other kind
            raise TypeError(f"unknown auth kind {type(auth).__name__}")
        return cls(authorizer, context, client_cert)


class CredentialStore:
    """The credentials of every platform, kept for the life of the fan-out (tokens outlive a search).

    Keyed by the platform *and* its auth and TLS settings: a platform whose settings change (a reload,
    a test replacing them) gets fresh credentials, never another configuration's cached token."""

    def __init__(self) -> None:
        self._by_platform: dict[tuple[Platform, object], PlatformCredentials] = {}

    def of(self, platform: Platform) -> PlatformCredentials:
        key = (platform, platform.auth)
        found = self._by_platform.get(key)
        if found is None:
            found = self._by_platform[key] = PlatformCredentials.of(platform)
        return found


#: A GET that returns (status, content type, body) for the Authorization header it is given.
Send = Callable[[str | None], Awaitable[tuple[int, str, bytes]]]


async def send_authorized(credentials: PlatformCredentials, session: aiohttp.ClientSession,
                          send: Send) -> tuple[int, str, bytes]:
    """``send`` with the current Authorization header; after a 401, once more if the credentials could
    be renewed (a new OAuth2 token, a rotated token file)."""
    authorizer = credentials.authorizer
    header = await authorizer.header(session)
    status, ctype, body = await send(header)
    if status == 401 and authorizer.refused(header):
        header = await authorizer.header(session)
        status, ctype, body = await send(header)
    return status, ctype, body


__all__ = ["Authorizer", "CredentialStore", "CredentialsError", "OAuth2Authorizer", "PlatformCredentials",
           "PlatformError", "send_authorized"]
