"""One access log line per HTTP request, on standard error (or the logger ``hub.access`` when configured).

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


#: lines straight to stderr (False: through the ``hub.access`` logger, see :func:`configure`)
_direct: bool = True
_second: list[Any] = [0, ""]


def configure() -> None:
    """Lines straight to standard error, unless the embedding application gave the ``hub.access`` logger
    handlers of its own (then they go through logging, at INFO).  Why not always logging: a LogRecord with
    its caller lookup and a formatted time cost ~30 µs a line, the direct write ~5 µs — beside the ~300 µs a
    single check's request takes (docs/BENCHMARKS.md, "HTTP"), logging alone would have cost ~10 %."""
    global _direct
    _direct = not log.handlers


def _stamp(now: float) -> str:
    second = int(now)
    if second != _second[0]:
        _second[0], _second[1] = second, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
    return f"{_second[1]}.{int(now * 1000) % 1000:03d}+00:00"


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
        if scope["type"] != "http" or not (_direct or log.isEnabledFor(logging.INFO)):
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
            line = (f"method={_clean(scope['method'])} path={_clean(scope['path'])} status={status} "
                    f"ms={(time.perf_counter() - started) * 1000:.1f} sub={_clean(str(sub))} "
                    f"client={client[0] if client else '-'}")
            if _direct:
                sys.stderr.write(f"{_stamp(time.time())} access {line}\n")
                sys.stderr.flush()
            else:
                log.info("%s", line)
