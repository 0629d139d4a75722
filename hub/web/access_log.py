"""One access log line per HTTP request, on the logger ``hub.access`` (stderr by default).

    2026-12-07T08:15:02.114+00:00 access method=POST path=/graphql status=200 ms=3.1 sub=dr-wang client=10.1.2.3

What it holds: method, path, status, duration, the caller's ``sub`` when the Guard authenticated one (``-``
otherwise), the client address.  What it never holds: the query string (``GET /graphql?query=…&variables=…``
carries the operation and its variables — a patient id among them), request or response bodies, headers
(the bearer token).  uvicorn's own access log is off (``access_log=False``) because it prints the query
string.  Control characters in a path are escaped, so a request cannot forge a second line.

A pure ASGI middleware, outermost: it sees the Guard's 401/429 refusals and the body limit's 413 too, and
reads the identity the Guard leaves in ``scope["state"]`` after the inner app has run.
"""

from __future__ import annotations

import logging
import sys
import time
from typing import Any

log = logging.getLogger("hub.access")
#: the longest path written (a hostile client's 64 kB URL is not worth a 64 kB log line)
MAX_PATH = 256


def configure() -> None:
    """Give ``hub.access`` its own stderr handler at INFO unless the embedding application configured it
    (uvicorn configures only its own loggers; without this the lines would be dropped below WARNING)."""
    if log.handlers or log.level not in (logging.NOTSET, logging.INFO):
        return
    handler = logging.StreamHandler(sys.stderr)
    formatter = logging.Formatter("%(asctime)s.%(msecs)03d+00:00 access %(message)s", "%Y-%m-%dT%H:%M:%S")
    formatter.converter = time.gmtime
    handler.setFormatter(formatter)
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False


def _clean(text: str) -> str:
    if len(text) > MAX_PATH:
        text = text[:MAX_PATH] + "…"
    if text.isprintable() and " " not in text:
        return text
    return "".join(c if c.isprintable() and c != " " else f"\\x{ord(c):02x}" for c in text)


class AccessLog:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not log.isEnabledFor(logging.INFO):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 0

        async def send_status(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        except BaseException:
            status = status or 500
            raise
        finally:
            identity = (scope.get("state") or {}).get("identity")
            sub = identity.sub if identity is not None and getattr(identity, "authenticated", False) else "-"
            client = scope.get("client")
            log.info("method=%s path=%s status=%d ms=%.1f sub=%s client=%s",
                     scope["method"], _clean(scope["path"]), status, (time.perf_counter() - started) * 1000,
                     _clean(str(sub)), client[0] if client else "-")
