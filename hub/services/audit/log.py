"""The audit log writer: one event per patient per request, on disk before the answer leaves.

:class:`AuditLog` appends hash-chained JSON lines (format: :mod:`hub.services.audit.chain`).

* **Durable before it returns.**  :meth:`AuditLog.record` (threads) and :meth:`AuditLog.append` (asyncio)
  return only after the event's line is written and ``fdatasync``-ed.
* **One chain, many callers.**  One writer thread owns the chain: callers hand it their event through a
  queue and wait on a future.  Whatever queued up while the previous fsync ran becomes ONE ``write()`` on
  an ``O_APPEND`` descriptor and ONE ``fdatasync`` (group commit), so a burst of N requests costs a few
  fsyncs, not N; the event loop never waits on the disk and no executor thread is held by an fsync.
  An ``flock`` on the file keeps a second writer (another process, or a second AuditLog in this one)
  from forking the chain.
* **Several processes, one chain** (``shared=True``: the workers of ``hub serve --workers N``).  Each
  worker appends to the same file, so ``hub audit verify`` still checks one chain and an auditor reads one
  file.  Each group commit takes an exclusive ``flock`` on a lock file beside the log (``LOG.lock``),
  re-reads the chain's end when the file grew since this process last wrote (another worker appended),
  writes and ``fdatasync``-s, then releases it; the lock is held through the fsync so that no worker
  chains onto an event that is not yet durable.  Shared writers hold a *shared* ``flock`` on the log
  itself, so a single writer (``shared=False``) is refused while they run, and they are refused beside
  one.  Why not one file per worker: the chain would fork by worker, verification would have to accept a
  set, and the order of events across workers would be lost.
* **Crash safety.**  On open the writer reads the tail of the file to continue the chain.  A torn last
  write (kill -9 or power loss in the middle of a ``write()``) leaves complete lines and at most one
  fragment; the fragment is left in place — never truncated, the file only grows — and accounted for by a
  chained *recovery event* naming its offset, length and SHA-256, so the file verifies and the fragment's
  bytes are still covered by the chain.  A write or fsync error fails the requests waiting on it
  (:class:`AuditWriteError`); after an fsync error the log refuses every later event until it is reopened
  (after a failed fsync Linux may drop the unwritten pages and report success on a retry, so nothing
  written since can be trusted as durable).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import errno
import fcntl
import logging
import os
import queue
import re
import threading
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import Future, InvalidStateError
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from hub.services.audit.chain import (
    GENESIS, RECOVERY, UTC, AuditEvent, Fragment, fragment, parse_object, problem_with, read_events, seal,
)
from hub.services.audit.pseudonyms import Pseudonyms, _fsync_dir, is_pseudonym

if TYPE_CHECKING:
    from hub.services.audit.syslog import SyslogForwarder

log = logging.getLogger(__name__)

Outcome = Literal["success", "failure", "forbidden"]
OUTCOMES = ("success", "failure", "forbidden")
#: FHIR AuditEvent.action of each patient-data field (E = execute a query/search, as BALP PatientQuery)
ACTIONS = {"recordDecision": "C", "recordView": "U"}
_OPERATION = re.compile(r"^[A-Za-z][A-Za-z0-9_.]{0,63}$")
_CODE = re.compile(r"^[A-Z][A-Z0-9_]{0,63}$")
_MAX_TAIL = 16 << 20  # how far back the writer looks for the last event before calling the file corrupt


class AuditLogError(Exception):
    """The audit log cannot be used (the message names the file; never a patient id)."""


class AuditLogBusy(AuditLogError):
    """Another writer holds the file."""


class AuditLogCorrupt(AuditLogError):
    """The last event of the file is not intact: continuing its chain would hide that."""


class AuditWriteError(AuditLogError):
    """The event could not be made durable: the request must fail rather than answer unrecorded."""


@dataclass(frozen=True)
class Patient:
    """A raw patient identifier, pseudonymised by the log and never written anywhere."""

    id: str
    issuer: str | None = None

    def __repr__(self) -> str:  # a traceback or a debug log must not show the id
        return "Patient(<redacted>)"


def beside_store(graph: str) -> tuple[Path, Path]:
    """Default (audit log, pseudonym key file) for a store: in the directory of an embedded store's path;
    for a Neo4j URL, in the hub's user data directory."""
    if "://" in graph:
        from platformdirs import user_data_dir

        directory = Path(user_data_dir("huren-hub", appauthor=False))
    else:
        directory = Path(graph).expanduser().resolve().parent
    return directory / "audit.jsonl", directory / "pseudonym.key"


def _settle(future: "Future[AuditEvent]", result: AuditEvent | None = None,
            error: BaseException | None = None) -> None:
    try:
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)  # type: ignore[arg-type]
    except InvalidStateError:  # cancelled by a caller that stopped waiting; the event is written all the same
        pass


def _now() -> str:
    return dt.datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _text(name: str, value: Any, limit: int, *, required: bool = False) -> str | None:
    if value is None:
        if required:
            raise ValueError(f"audit event: {name} is required")
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise ValueError(f"audit event: {name} must be a string of at most {limit} characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(f"audit event: {name} is not valid text") from None
    return value


def _platforms(platforms: Iterable[Any] | None) -> list[dict[str, Any]] | None:
    """``[{"id", "ok"}]`` from (id, ok) pairs, mappings, or objects with ``.id`` / ``.ok`` (the connectors'
    platform status); nothing else of them (their error texts stay out of the audit)."""
    if platforms is None:
        return None
    out = []
    for p in platforms:
        if isinstance(p, Mapping):
            pid, ok = p.get("id"), p.get("ok")
        elif isinstance(p, tuple):
            pid, ok = p
        else:
            pid, ok = getattr(p, "id", None), getattr(p, "ok", None)
        if not isinstance(ok, bool):
            raise ValueError("audit event: each platform needs an id and ok: bool")
        out.append({"id": _text("platform id", pid, 128, required=True), "ok": ok})
    return out


@dataclass(frozen=True)
class _Tail:
    prev: str
    seq: int  # the next event's seq
    fragments: list[Fragment]
    needs_newline: bool


def _read_tail(fd: int, path: Path) -> _Tail:
    """Where the chain ends: the last event (checked by itself) and any torn fragments after it."""
    size = os.fstat(fd).st_size
    if size == 0:
        return _Tail(GENESIS, 1, [], False)
    window = 64 << 10
    while True:
        start = max(0, size - window)
        data = os.pread(fd, size - start, start)
        ends_with_newline = data.endswith(b"\n")
        pieces = data.split(b"\n")
        if ends_with_newline:
            pieces.pop()  # the empty piece after the last newline
        lines, offset = [], start
        for piece in pieces:
            lines.append((offset, piece))
            offset += len(piece) + 1
        if start > 0:
            lines.pop(0)  # may begin mid-line
        after: list[Fragment] = []
        for i in range(len(lines) - 1, -1, -1):
            off, raw = lines[i]
            event = parse_object(raw)
            if event is None:
                after.append(fragment(raw, off))
                continue
            problem = problem_with(event, raw)
            if problem:
                raise AuditLogCorrupt(
                    f"audit log {path}: the last event (byte {off}) is not intact — {problem}; run "
                    f"`hub audit verify {path}`, keep the file as evidence and start a new log")
            return _Tail(event["hash"], event["seq"] + 1, after[::-1], not ends_with_newline)
        if start == 0:
            return _Tail(GENESIS, 1, after[::-1], not ends_with_newline)
        if window >= _MAX_TAIL:
            raise AuditLogCorrupt(f"audit log {path}: no event in its last {window} bytes; run "
                                  f"`hub audit verify {path}`")
        window *= 4


class AuditLog:
    """Appends audit events to ``path`` (created 0600 when absent).  Thread-safe and asyncio-safe; one
    writer per file, or several processes with ``shared`` (see the module docstring).  ``forwarder``:
    optional :class:`~hub.services.audit.syslog.SyslogForwarder`, handed each event after it is durable
    (never waited on); the log closes it on :meth:`close`."""

    def __init__(self, path: str | os.PathLike[str], pseudonyms: Pseudonyms, *,
                 forwarder: "SyslogForwarder | None" = None, max_batch: int = 512, shared: bool = False) -> None:
        self.path = Path(path)
        self.pseudonyms = pseudonyms
        self.forwarder = forwarder
        self.max_batch = max_batch
        self.fsyncs = 0  # fdatasync calls (fewer than events under concurrency: group commit)
        self.appended = 0  # events made durable by this instance
        self._prev, self._seq = GENESIS, 1
        self._failed: str | None = None  # set by an fsync error: no event is durable any more
        self._resume_needed = False  # set by a write error: re-read the tail before the next event
        self._closed = False
        self.shared = shared
        self._lock_fd: int | None = None  # shared: the lock file each commit holds
        self._end = -1  # shared: the file's size after this process's last commit
        self.path.parent.mkdir(parents=True, exist_ok=True)
        created = not self.path.exists()
        try:
            self._fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o600)
        except OSError as e:
            raise AuditLogError(f"cannot open the audit log {self.path}: {e.strerror}") from None
        try:
            fcntl.flock(self._fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
            if shared:
                self._lock_fd = os.open(self.path.with_name(self.path.name + ".lock"),
                                        os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        except OSError as e:
            os.close(self._fd)
            if e.errno in (errno.EWOULDBLOCK, errno.EAGAIN):
                raise AuditLogBusy(f"the audit log {self.path} is held by another writer") from None
            raise AuditLogError(f"cannot lock the audit log {self.path}: {e.strerror}") from None
        try:
            if created:
                _fsync_dir(self.path.parent)
            with self._turn():
                self._resume()
        except OSError as e:
            self._close_files()
            raise AuditLogError(f"cannot read the audit log {self.path}: {e.strerror}") from None
        except BaseException:
            self._close_files()
            raise
        self._submit_lock = threading.Lock()
        self._queue: queue.SimpleQueue[tuple[dict[str, Any], Future[AuditEvent]] | None] = queue.SimpleQueue()
        self._writer = threading.Thread(target=self._run, name=f"audit-writer {self.path.name}", daemon=True)
        self._writer.start()

    # --- opening: continue the chain ----------------------------------------------------------------

    @contextlib.contextmanager
    def _turn(self) -> Iterator[None]:
        """This process's turn to extend the chain.  Alone on the file (not shared): always.  Shared: the
        lock file's exclusive lock, and the chain's end re-read first when another process appended since
        this one last wrote."""
        if self._lock_fd is None:
            yield
            return
        fcntl.flock(self._lock_fd, fcntl.LOCK_EX)
        try:
            if os.fstat(self._fd).st_size != self._end:
                self._resume_needed = True
            yield
        finally:
            try:
                self._end = os.fstat(self._fd).st_size
            finally:
                fcntl.flock(self._lock_fd, fcntl.LOCK_UN)

    def _close_files(self) -> None:
        os.close(self._fd)
        if self._lock_fd is not None:
            os.close(self._lock_fd)

    def _resume(self) -> None:
        tail = _read_tail(self._fd, self.path)
        self._prev, self._seq = tail.prev, tail.seq
        repair = b"\n" if tail.needs_newline else b""
        if tail.fragments:
            content = {"seq": self._seq, "time": _now(), "operation": RECOVERY, "outcome": "success",
                       "torn": [f.record() for f in tail.fragments], "prev": self._prev}
            event, line = seal(content)
            repair += line
            self._prev, self._seq = event["hash"], self._seq + 1
            log.warning("audit log %s: a torn write from a crash (%s) is accounted for by recovery event "
                        "seq %d", self.path, ", ".join(f"{f.length} bytes at byte {f.offset}"
                                                       for f in tail.fragments), content["seq"])
        if repair:
            self._write_all(repair)
            self._fdatasync()
        self._resume_needed = False

    def _write_all(self, data: bytes) -> None:
        written = os.write(self._fd, data)
        if written != len(data):  # a regular file writes short only when the disk is full or on a signal
            self._resume_needed = True
            raise AuditWriteError(f"audit log {self.path}: short write ({written} of {len(data)} bytes)")

    def _fdatasync(self) -> None:
        try:
            os.fdatasync(self._fd)
        except OSError as e:
            self._failed = f"fsync: {e.strerror}"
            raise AuditWriteError(f"audit log {self.path}: fsync failed: {e.strerror}") from None
        self.fsyncs += 1

    # --- writing ------------------------------------------------------------------------------------

    def _content(self, operation: str, outcome: str, user: str | None, role: str | None,
                 institution: str | None, at: str | None, client: str | None, patient: Patient | str | None,
                 platforms: Iterable[Any] | None, code: str | None, action: str | None,
                 key_id: str | None) -> dict[str, Any]:
        if not isinstance(operation, str) or not _OPERATION.match(operation):
            raise ValueError("audit event: operation must be a GraphQL field name")
        if outcome not in OUTCOMES:
            raise ValueError(f"audit event: outcome must be one of {', '.join(OUTCOMES)}")
        if code is not None and (not isinstance(code, str) or not _CODE.match(code)):
            raise ValueError("audit event: code must be an error code such as FORBIDDEN (never a message)")
        if action is not None and action not in ("C", "R", "U", "D", "E"):
            raise ValueError("audit event: action must be one of C R U D E")
        content: dict[str, Any] = {
            "operation": operation, "outcome": outcome, "action": action or ACTIONS.get(operation, "E"),
            "user": _text("user", user if user is not None else "anonymous", 256),
            "role": _text("role", role, 64), "institution": _text("institution", institution, 128),
            "at": _text("at", at, 128), "client": _text("client", client, 256),
        }
        if isinstance(patient, Patient):
            content["patient"] = self.pseudonyms.of(patient.id, patient.issuer)
            content["keyId"] = self.pseudonyms.key_id
        elif isinstance(patient, str):
            if not is_pseudonym(patient):  # a raw id passed by mistake must not be written (nor echoed)
                raise ValueError("audit event: patient must be a Patient(id, issuer) or a pseudonym p_…")
            content["patient"] = patient
            if key_id is not None:
                content["keyId"] = _text("key_id", key_id, 16)
        elif patient is not None:
            raise ValueError("audit event: patient must be a Patient(id, issuer) or a pseudonym p_…")
        plist = _platforms(platforms)
        if plist is not None:
            content["platforms"] = plist
        if code is not None:
            content["code"] = code
        return content

    def _submit(self, content: dict[str, Any]) -> "Future[AuditEvent]":
        future: Future[AuditEvent] = Future()
        with self._submit_lock:
            if self._closed:
                raise AuditLogError(f"the audit log {self.path} is closed")
            self._queue.put((content, future))
        return future

    def record(self, *, operation: str, outcome: Outcome, user: str | None = "anonymous",
               role: str | None = None, institution: str | None = None, at: str | None = None,
               client: str | None = None, patient: Patient | str | None = None,
               platforms: Iterable[Any] | None = None, code: str | None = None, action: str | None = None,
               key_id: str | None = None) -> AuditEvent:
        """Append one event and return it once it is on disk (blocks the calling thread: from async code
        use :meth:`append`).  ``ValueError`` for a malformed event (nothing written);
        :class:`AuditWriteError` when it could not be made durable."""
        content = self._content(operation, outcome, user, role, institution, at, client, patient, platforms,
                                code, action, key_id)
        return self._submit(content).result()

    async def append(self, *, operation: str, outcome: Outcome, user: str | None = "anonymous",
                     role: str | None = None, institution: str | None = None, at: str | None = None,
                     client: str | None = None, patient: Patient | str | None = None,
                     platforms: Iterable[Any] | None = None, code: str | None = None,
                     action: str | None = None, key_id: str | None = None) -> AuditEvent:
        """:meth:`record` for the event loop: it waits for the writer thread without blocking the loop.
        If the awaiting task is cancelled the event is still written."""
        content = self._content(operation, outcome, user, role, institution, at, client, patient, platforms,
                                code, action, key_id)
        return await asyncio.shield(asyncio.wrap_future(self._submit(content)))

    def _run(self) -> None:
        """The writer thread: everything queued while the previous fsync ran becomes one write() and one
        fsync (group commit), so a burst costs a few fsyncs, not one per event."""
        while True:
            item = self._queue.get()
            batch, stop = [], item is None
            if item is not None:
                batch.append(item)
            while not stop and len(batch) < self.max_batch:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stop = True
                else:
                    batch.append(item)
            if batch:
                self._commit(batch)
            if stop:
                return

    def _commit(self, batch: list[tuple[dict[str, Any], "Future[AuditEvent]"]]) -> None:
        sealed: list[tuple[dict[str, Any], bytes, Future[AuditEvent]]] = []
        try:
            if self._failed:
                raise AuditWriteError(f"audit log {self.path} failed earlier ({self._failed}); "
                                      "restart the hub to reopen it")
            with self._turn():
                try:
                    if self._resume_needed:
                        self._resume()
                    prev, seq = self._prev, self._seq
                    for content, future in batch:
                        event, line = seal({"seq": seq, "time": _now(), **content, "prev": prev})
                        sealed.append((event, line, future))
                        prev, seq = event["hash"], seq + 1
                    self._write_all(b"".join(line for _, line, _ in sealed))
                except OSError as e:
                    self._resume_needed = True
                    raise AuditWriteError(f"audit log {self.path}: write failed: {e.strerror}") from None
                self._prev, self._seq = prev, seq
                self._fdatasync()
        except BaseException as e:  # noqa: BLE001 — every waiting request learns it; the thread lives on
            if not isinstance(e, AuditLogError):
                log.exception("audit log %s: unexpected error", self.path)
                e = AuditWriteError(f"audit log {self.path}: {type(e).__name__}")
            for _, future in batch:
                _settle(future, error=e)
            return
        self.appended += len(sealed)
        for event, line, future in sealed:
            if self.forwarder is not None:
                self.forwarder.forward(event, line)
            _settle(future, AuditEvent.from_json(event))

    # --- reading ------------------------------------------------------------------------------------

    def events_sync(self, patient_id: str, issuer: str | None = None, from_: dt.date | None = None,
                    to: dt.date | None = None, tz: dt.tzinfo = UTC) -> list[AuditEvent]:
        """The patient's events (pseudonyms under the key in use and retired keys), ``from_``..``to``."""
        return read_events(self.path, self.pseudonyms.candidates(patient_id, issuer), from_, to, tz)

    async def events(self, patient_id: str, issuer: str | None = None, from_: dt.date | None = None,
                     to: dt.date | None = None, tz: dt.tzinfo = UTC) -> list[AuditEvent]:
        """:meth:`events_sync` off the event loop (it reads the whole file)."""
        return await asyncio.to_thread(self.events_sync, patient_id, issuer, from_, to, tz)

    # --- closing ------------------------------------------------------------------------------------

    def close(self) -> None:
        """Write what is queued, stop the writer, close the file (releasing the lock) and the forwarder
        (which gets a moment to send)."""
        with self._submit_lock:
            if self._closed:
                return
            self._closed = True
            self._queue.put(None)
        self._writer.join()
        self._close_files()
        if self.forwarder is not None:
            self.forwarder.close()

    def __enter__(self) -> "AuditLog":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"AuditLog({str(self.path)!r}, seq={self._seq})"

