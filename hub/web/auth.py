"""Who is asking: bearer JWTs verified against a JWKS (CONTRACT.md "Who is asking").

``hub serve --auth-jwks SOURCE`` (a JWKS file or an http(s) URL) turns authentication on: ``/graphql`` and
``/admin/load`` then need ``Authorization: Bearer <JWT>`` signed RS256 or ES256 by a key of the set, with
``exp`` (and ``iss`` / ``aud`` when configured); anything else is a 401 with ``WWW-Authenticate: Bearer``
and a GraphQL error coded ``UNAUTHENTICATED``.  ``alg: none`` and HMAC algorithms are refused before any
key is looked at, so a token "signed" with the public key as an HMAC secret never reaches a verifier.

Keys are cached; a token naming an unknown ``kid`` makes the set be read again (at most once per
``refresh_s``, concurrent requests sharing one read), so a key rotated in at the identity provider is
accepted without a restart.  Verification uses joserfc (the authlib maintainers' RFC-strict JOSE library:
it requires the caller's algorithm list and has no ``none``); this module only decides which key, which
claims and what the caller may be called (:class:`hub.domain.identity.Identity`).
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from joserfc import jws, jwt
from joserfc.errors import (
    BadSignatureError,
    ExpiredTokenError,
    InvalidClaimError,
    JoseError,
    MissingClaimError,
)
from joserfc.jwk import KeySet

from hub.domain.identity import Identity
from hub.domain.vocabulary import Role

#: the only algorithms a token may be signed with (CONTRACT.md): asymmetric, so a JWKS of public keys
#: can verify them and nobody holding the JWKS can sign
ALGORITHMS = ("RS256", "ES256")
#: clock skew tolerated on exp / nbf / iat, seconds
LEEWAY_S = 30


class AuthError(Exception):
    """The request is not authenticated; the message says why (it goes back to the caller)."""


class JwksError(Exception):
    """The JWKS source cannot be read or is not a key set (a configuration error, named at start)."""


class Jwks:
    """The identity provider's public keys, from a file or an http(s) URL, read again on an unknown kid."""

    def __init__(self, source: str, refresh_s: float = 1.0, timeout_s: float = 5.0) -> None:
        self.source = source
        self.refresh_s = refresh_s
        self.timeout_s = timeout_s
        self._keys: KeySet | None = None
        self._kids: frozenset[str] = frozenset()
        self._read_at = float("-inf")
        self._lock = asyncio.Lock()

    async def _read(self) -> dict[str, Any]:
        if self.source.startswith(("http://", "https://")):
            timeout = aiohttp.ClientTimeout(total=self.timeout_s)
            async with aiohttp.ClientSession(timeout=timeout) as session:
                async with session.get(self.source) as response:
                    if response.status != 200:
                        raise JwksError(f"JWKS {self.source}: HTTP {response.status}")
                    return await response.json(content_type=None)
        return json.loads(Path(self.source).read_text(encoding="utf-8"))

    async def load(self) -> None:
        """Read the set now (at start: a bad source is refused before the hub serves)."""
        try:
            data = await self._read()
            keys = KeySet.import_key_set(data)
        except JwksError:
            raise
        except (OSError, ValueError, aiohttp.ClientError, asyncio.TimeoutError, JoseError, TypeError, KeyError) as e:
            raise JwksError(f"JWKS {self.source}: {type(e).__name__}: {e}") from None
        self._keys = keys
        self._kids = frozenset(k.kid for k in keys.keys if k.kid)
        self._read_at = time.monotonic()

    async def key(self, kid: str) -> Any:
        """The key named ``kid``, reading the set again when it is unknown (rotation); None if still unknown."""
        if kid not in self._kids and time.monotonic() - self._read_at >= self.refresh_s:
            async with self._lock:  # one read for every request that waits on the same unknown kid
                if kid not in self._kids and time.monotonic() - self._read_at >= self.refresh_s:
                    try:
                        await self.load()
                    except JwksError:
                        self._read_at = time.monotonic()  # keep the old keys; try again after refresh_s
        if kid not in self._kids or self._keys is None:
            return None
        return self._keys.get_by_kid(kid)


@dataclass
class TokenVerifier:
    jwks: Jwks
    issuer: str | None = None
    audience: str | None = None

    async def identity(self, authorization: str | None) -> Identity:
        """The caller of a request with this ``Authorization`` header, or :class:`AuthError`."""
        if not authorization:
            raise AuthError("no bearer token (send Authorization: Bearer <JWT>)")
        scheme, _, token = authorization.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise AuthError("the Authorization header must be 'Bearer <JWT>'")
        try:
            header = jws.extract_compact(token.encode()).protected
        except (JoseError, ValueError, TypeError):
            raise AuthError("the bearer token is not a JWT") from None
        alg = header.get("alg")
        if alg not in ALGORITHMS:
            raise AuthError(f"token algorithm {alg!r} is not accepted (only {', '.join(ALGORITHMS)})")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise AuthError("the token header names no key (kid)")
        key = await self.jwks.key(kid)
        if key is None:
            raise AuthError(f"the token is signed by an unknown key (kid {kid!r})")
        try:
            decoded = jwt.decode(token, key, algorithms=[alg])
        except BadSignatureError:
            raise AuthError("the token's signature does not verify") from None
        except (JoseError, ValueError, TypeError) as e:
            raise AuthError(f"the token cannot be read: {e}") from None
        claims = decoded.claims
        options: dict[str, Any] = {"exp": {"essential": True}, "sub": {"essential": True}}
        if self.issuer:
            options["iss"] = {"essential": True, "value": self.issuer}
        if self.audience:
            options["aud"] = {"essential": True, "value": self.audience}
        try:
            jwt.JWTClaimsRegistry(leeway=LEEWAY_S, **options).validate(claims)
        except ExpiredTokenError:
            raise AuthError("the token has expired") from None
        except MissingClaimError as e:
            raise AuthError(f"the token has no {e.claim} claim") from None
        except InvalidClaimError as e:
            raise AuthError(f"the token's {e.claim} claim is not accepted here") from None
        except JoseError as e:
            raise AuthError(f"the token's claims are not accepted: {e}") from None
        return identity_of(claims)


def identity_of(claims: dict[str, Any]) -> Identity:
    """The caller the (verified) claims describe: ``sub``, ``role``, ``institution`` / ``institutions``."""
    try:
        role = Role(claims.get("role"))
    except ValueError:
        raise AuthError(f"the token's role {claims.get('role')!r} is not one of "
                        f"{', '.join(r.value for r in Role)}") from None
    institution = claims.get("institution")
    institutions = claims.get("institutions") or []
    if role is Role.CLINICIAN and not (isinstance(institution, str) and institution):
        raise AuthError("a clinician's token must name its institution (claim 'institution')")
    if not isinstance(institutions, list) or not all(isinstance(i, str) for i in institutions):
        raise AuthError("the token's 'institutions' claim must be a list of institution ids")
    if role is Role.PORTAL and not institutions:
        raise AuthError("a portal's token must list its institutions (claim 'institutions')")
    return Identity(sub=str(claims["sub"]), role=role,
                    institution=institution if isinstance(institution, str) else None,
                    institutions=frozenset(institutions))
