"""Forwarding audit events to a syslog collector: RFC 5424 messages over TCP (RFC 6587 octet counting) or
TLS (RFC 5425) — the transport of IHE ATNA's Record Audit Event [ITI-20].

Written here rather than taken from a library (docs/AUDIT.md, "Forwarding"): the stdlib
``logging.handlers.SysLogHandler`` writes RFC 3164-style messages (no version, timestamp or hostname
field) with no octet-counting framing and no TLS; ``rfc5424-logging-handler`` (last release 2019, pulls
``tzlocal``) connects in its constructor — raising when the collector is down at start — and sends
synchronously from the logging call, so we would wrap it in the same queue and thread as below anyway.
What remains is a formatter of one line and a ``LEN SP MSG`` frame over ``ssl``.

Never blocks or fails a request: :meth:`SyslogForwarder.forward` puts the message on a bounded queue
(dropping it, counted and logged, when the queue is full) and one background thread sends, reconnecting
with backoff.  The local file stays the record of truth: a dropped or unsent event is in the file, and
its ``seq`` shows the gap at the collector.
"""

from __future__ import annotations

import logging
import os
import queue
import select
import socket
import ssl
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit

log = logging.getLogger(__name__)

#: ITI-20: facility 10 (security/authorization); severity 5 (notice) for most events, 4 (warning) allowed
FACILITY = 10
SEVERITY = {"success": 5, "failure": 4, "forbidden": 4}
APP_NAME = "huren-hub"
BOM = b"\xef\xbb\xbf"
DEFAULT_PORTS = {"tcp": 514, "tls": 6514}  # 6514: IANA syslog-tls (RFC 5425)


def _printable(value: str, limit: int) -> str:
    """An RFC 5424 header field: printable US-ASCII (33..126), at most ``limit`` characters, or ``-``."""
    cleaned = "".join(c if 33 <= ord(c) <= 126 else "_" for c in value)[:limit]
    return cleaned or "-"


def format_rfc5424(event: Mapping[str, Any], line: bytes, *, hostname: str, procid: str | int,
                   app_name: str = APP_NAME) -> bytes:
    """One RFC 5424 message: ``<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID - BOM MSG``.  MSG is the
    event's line exactly as the file holds it (without its newline), so a collector can recompute the
    hashes; MSGID is the operation (the payload is the hub's JSON event, not RFC 3881 XML, so it does not
    claim ITI-20's ``IHE+RFC-3881``)."""
    pri = FACILITY * 8 + SEVERITY.get(str(event.get("outcome")), 5)
    header = " ".join((
        f"<{pri}>1", _printable(str(event.get("time") or "-"), 32), _printable(hostname, 255),
        _printable(app_name, 48), _printable(str(procid), 128), _printable(str(event.get("operation")), 32), "-",
    ))
    return header.encode("ascii") + b" " + BOM + line.rstrip(b"\n")


def _hostname() -> str:
    """RFC 5424 6.2.4: the FQDN when there is one, else the host name (never a bare "localhost")."""
    fqdn = socket.getfqdn()
    if "." in fqdn and not fqdn.startswith("localhost"):
        return fqdn
    return socket.gethostname() or fqdn


def frame(message: bytes) -> bytes:
    """RFC 6587 3.4.1 / RFC 5425 4.3 octet counting: ``MSG-LEN SP SYSLOG-MSG``."""
    return str(len(message)).encode("ascii") + b" " + message


@dataclass(frozen=True)
class SyslogTarget:
    """Where to send: ``tcp://host[:514]`` or ``tls://host[:6514]?ca=FILE&cert=FILE&key=FILE&name=HOST``
    (``ca``: the collector's CA, default the system's; ``cert``/``key``: this node's certificate, which
    ATNA's mutual node authentication asks for; ``name``: the name to check the collector's certificate
    against, default ``host``)."""

    transport: Literal["tcp", "tls"]
    host: str
    port: int
    ca: Path | None = None
    cert: Path | None = None
    key: Path | None = None
    server_name: str | None = None

    @classmethod
    def parse(cls, url: str) -> "SyslogTarget":
        parts = urlsplit(url)
        if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
            raise ValueError(f"syslog collector {url!r}: expected tcp://HOST[:PORT] or tls://HOST[:PORT]")
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        unknown = set(query) - {"ca", "cert", "key", "name"}
        if unknown:
            raise ValueError(f"syslog collector {url!r}: unknown parameter {', '.join(sorted(unknown))}")
        if parts.scheme == "tcp" and query:
            raise ValueError(f"syslog collector {url!r}: ca/cert/key/name are for tls://")
        if ("cert" in query) != ("key" in query):
            raise ValueError(f"syslog collector {url!r}: cert and key go together")
        try:
            port = parts.port or DEFAULT_PORTS[parts.scheme]
        except ValueError:
            raise ValueError(f"syslog collector {url!r}: bad port") from None
        path = lambda k: Path(query[k]) if k in query else None  # noqa: E731
        return cls(parts.scheme, parts.hostname, port, path("ca"), path("cert"), path("key"),  # type: ignore[arg-type]
                   query.get("name"))

    def ssl_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=str(self.ca) if self.ca else None)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        if self.cert:
            context.load_cert_chain(str(self.cert), str(self.key) if self.key else None)
        return context

    def __str__(self) -> str:
        return f"{self.transport}://{self.host}:{self.port}"


class SyslogForwarder:
    """Sends each audit event to one collector from a background thread; never blocks the caller."""

    def __init__(self, target: SyslogTarget | str, *, queue_size: int = 10000, hostname: str | None = None,
                 app_name: str = APP_NAME, timeout: float = 5.0, max_backoff: float = 30.0,
                 settle: float = 0.25) -> None:
        self.target = SyslogTarget.parse(target) if isinstance(target, str) else target
        self._context = self.target.ssl_context() if self.target.transport == "tls" else None
        self.hostname = hostname or _hostname()
        self.app_name = app_name
        self.timeout = timeout
        self.max_backoff = max_backoff
        self.settle = settle  # seconds to watch a new TLS connection for the collector's refusal
        self._queue: queue.Queue[bytes] = queue.Queue(maxsize=queue_size)
        self._stop = threading.Event()
        self._count_lock = threading.Lock()
        self._sock: socket.socket | None = None
        self.sent = self.dropped = self.connects = 0
        self.last_error: str | None = None
        self._last_drop_log = 0.0
        self._thread = threading.Thread(target=self._run, name=f"audit-syslog {self.target}", daemon=True)
        self._thread.start()

    # --- the caller's side: never blocks, never raises ------------------------------------------------

    def forward(self, event: Mapping[str, Any], line: bytes) -> bool:
        """Queue one event (its dict and its file line); False when dropped (queue full or closed)."""
        try:
            message = frame(format_rfc5424(event, line, hostname=self.hostname, procid=os.getpid(),
                                           app_name=self.app_name))
            if self._stop.is_set():
                raise queue.Full
            self._queue.put_nowait(message)
            return True
        except queue.Full:
            self._dropped()
        except Exception:  # noqa: BLE001 — forwarding must never fail a request
            log.exception("audit forwarding: could not queue an event")
            self._dropped()
        return False

    def _dropped(self) -> None:
        with self._count_lock:
            self.dropped += 1
        now = time.monotonic()
        if now - self._last_drop_log > 10:
            self._last_drop_log = now
            log.warning("audit forwarding to %s: %d event(s) dropped so far (collector unreachable: %s); "
                        "they are in the local audit log", self.target, self.dropped, self.last_error)

    def stats(self) -> dict[str, Any]:
        return {"target": str(self.target), "sent": self.sent, "dropped": self.dropped,
                "queued": self._queue.qsize(), "connected": self._sock is not None, "connects": self.connects,
                "last_error": self.last_error}

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until every queued event is sent (True) or ``timeout`` passes (False)."""
        deadline = time.monotonic() + timeout
        done = self._queue.all_tasks_done
        with done:
            while self._queue.unfinished_tasks:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                done.wait(min(left, 0.1))
        return True

    def close(self, timeout: float = 2.0) -> None:
        """Give queued events up to ``timeout`` seconds to go, then stop (the rest stay in the file only)."""
        if not self._stop.is_set():
            self.flush(timeout)
        self._stop.set()
        self._thread.join(timeout + self.timeout)
        self._disconnect()

    # --- the sending thread ----------------------------------------------------------------------------

    def _connect(self) -> socket.socket:
        raw = socket.create_connection((self.target.host, self.target.port), timeout=self.timeout)
        try:
            raw.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
            if self._context is None:
                return raw
            return self._context.wrap_socket(raw, server_hostname=self.target.server_name or self.target.host)
        except BaseException:
            raw.close()
            raise

    def _disconnect(self) -> None:
        sock, self._sock = self._sock, None
        if sock is not None:
            try:
                sock.close()
            except OSError:
                pass

    def _peer_closed(self, sock: socket.socket, wait: float = 0.0) -> bool:
        """A collector never sends application data: a socket that turns readable means it closed the
        connection, reset it, or (TLS) sent an alert.  Checked before each send, because a send on a
        connection the peer has closed still "succeeds"; and for ``wait`` seconds after a TLS handshake,
        because under TLS 1.3 a collector that refuses our certificate says so only after our side of the
        handshake is done (the first message would be lost).  Session tickets are read and ignored."""
        deadline = time.monotonic() + wait
        while True:
            try:
                readable, _, _ = select.select([sock], [], [], max(0.0, deadline - time.monotonic()))
            except (OSError, ValueError):
                return True
            if not readable:
                return False
            sock.setblocking(False)
            try:
                if sock.recv(1) == b"":
                    return True
            except (ssl.SSLWantReadError, ssl.SSLWantWriteError, BlockingIOError):
                pass  # a TLS 1.3 session ticket: no application data; look again
            except OSError:  # ssl.SSLError included: an alert (bad certificate …)
                return True
            finally:
                sock.settimeout(self.timeout)
            if time.monotonic() >= deadline:
                return False

    def _send(self, message: bytes) -> None:
        backoff = 0.2
        while not self._stop.is_set():
            try:
                if self._sock is not None and self._peer_closed(self._sock):
                    self._disconnect()
                if self._sock is None:
                    self._sock = self._connect()
                    if self._context is not None and self._peer_closed(self._sock, wait=self.settle):
                        raise ConnectionRefusedError("the collector closed the TLS connection after the "
                                                     "handshake (our certificate refused?)")
                    self.connects += 1
                    if self.last_error:
                        log.info("audit forwarding: connected to %s", self.target)
                self._sock.sendall(message)
                self.sent += 1
                self.last_error = None
                return
            except (OSError, ssl.SSLError) as e:
                self._disconnect()
                if self.last_error is None:
                    log.warning("audit forwarding to %s failed: %s; retrying", self.target, e)
                self.last_error = f"{type(e).__name__}: {e}"
                self._stop.wait(backoff)
                backoff = min(backoff * 2, self.max_backoff)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                message = self._queue.get(timeout=0.2)
            except queue.Empty:
                continue
            try:
                self._send(message)  # at least once: a message whose send failed is sent again
            finally:
                self._queue.task_done()
