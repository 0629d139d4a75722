"""Keyed pseudonyms for patient identifiers, so logs can correlate requests without holding them.

Patient identifiers never go to a log line, an error message or the graph (issue 4, point 5).  When an
operator needs to see that two log lines concern the same patient, log :func:`pseudonym` of the id
instead: an HMAC-SHA256 keyed with ``HUB_LOG_KEY`` (so pseudonyms are stable across processes that
share the key, and cannot be reversed by hashing candidate ids without it), or with a random
per-process key when the variable is unset (then pseudonyms correlate within one process only).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets

_KEY_ENV = "HUB_LOG_KEY"
_process_key = secrets.token_bytes(32)


def _key() -> bytes:
    configured = os.environ.get(_KEY_ENV)
    return configured.encode("utf-8") if configured else _process_key


def pseudonym(value: str | None, *, issuer: str | None = None) -> str:
    """A short, stable, non-reversible tag for a patient identifier (``"p:" + 16 hex digits``).

    ``issuer`` is folded in, because the same id from two issuers is two different patients.
    """
    if value is None:
        return "p:-"
    message = f"{issuer or ''}\x1f{value}".encode()
    return "p:" + hmac.new(_key(), message, hashlib.sha256).hexdigest()[:16]
