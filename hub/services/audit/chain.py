"""The audit file format: canonical JSON lines, hash-chained; :func:`verify` and :func:`read_events`.

One event per line, UTF-8, ``\\n``-terminated.  Each line is the event object serialised canonically
(RFC 8785 JCS — for the values an event holds, strings, integers, booleans, null, arrays and objects and
never a float, that is exactly ``json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False)``):

    hash = SHA-256( canonical(event without "hash") )      # covers "prev", so each hash chains the file
    prev = hash of the event on the line before (GENESIS for the first event)

Every byte of a line counts: a line must be the canonical form of what it parses to, so even a change that
JSON would not notice (an escape written differently) breaks it.

Crash safety (docs/AUDIT.md): the writer appends each line with ONE ``write()`` on an ``O_APPEND`` file
and fsyncs before the request's answer leaves.  A crash (kill -9, power loss) can still leave the last
write torn: a prefix of a line, without its newline.  Such a *fragment* is never an event (a prefix of a
canonical JSON object does not parse as one), and it is accounted for in one of two ways:

* at the end of the file, the last line without its newline (a torn write never ends in its newline): a
  torn final write that was never acknowledged.  The file verifies, and :func:`verify` says so;
* followed by a *recovery event* (operation ``hub.auditRecovery``) that names each fragment by byte offset,
  length and SHA-256: written by the next :class:`~hub.services.audit.log.AuditLog` to open the file.
  The recovery event is chained like any event, so the fragment's bytes are covered by the chain too.

Any other line that is not a valid event — or a fragment not accounted for — is a broken chain.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

GENESIS = "0" * 64
RECOVERY = "hub.auditRecovery"
UTC = dt.timezone.utc


def canonical(obj: Any) -> bytes:
    """RFC 8785 (JCS) bytes of ``obj`` for the value types an audit event may hold (no floats)."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def event_hash(content: dict[str, Any]) -> str:
    """SHA-256 (hex) of the canonical JSON of an event without its ``hash`` (``prev`` included)."""
    return hashlib.sha256(canonical(content)).hexdigest()


def seal(content: dict[str, Any]) -> tuple[dict[str, Any], bytes]:
    """The event with its ``hash``, and its line (canonical JSON + ``\\n``)."""
    if "hash" in content:
        raise ValueError("an event's content has no 'hash' of its own")
    event = {**content, "hash": event_hash(content)}
    return event, canonical(event) + b"\n"


def parse_object(raw: bytes) -> dict[str, Any] | None:
    """The JSON object a line holds, or None when it is not one (a torn fragment, or garbage)."""
    try:
        value = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def problem_with(event: dict[str, Any], raw: bytes) -> str | None:
    """Why a parsed line is not an intact event by itself (its hash and form; not its place in the chain)."""
    claimed = event.get("hash")
    if not isinstance(claimed, str):
        return "no hash"
    content = {k: v for k, v in event.items() if k != "hash"}
    try:
        if event_hash(content) != claimed:
            return "its hash does not match its content (the line was changed)"
        if canonical(event) != raw:
            return "it is not in canonical form (the line was changed)"
    except (TypeError, ValueError, UnicodeEncodeError):
        return "it holds a value an event cannot hold (the line was changed)"
    if not isinstance(event.get("prev"), str) or not isinstance(event.get("seq"), int):
        return "no prev or seq"
    return None


@dataclass(frozen=True)
class Fragment:
    """A line that is not a JSON object: the torn write of a crash (or damage)."""

    offset: int  # byte offset of its first byte in the file
    length: int  # bytes, without the newline that may follow it
    sha256: str
    line: int = 0  # 1-based line number, where known

    def record(self) -> dict[str, Any]:
        """How a recovery event names it."""
        return {"offset": self.offset, "bytes": self.length, "sha256": self.sha256}


def fragment(raw: bytes, offset: int, line: int = 0) -> Fragment:
    return Fragment(offset, len(raw), hashlib.sha256(raw).hexdigest(), line)


@dataclass(frozen=True)
class Verification:
    """The answer of :func:`verify`; unpacks as ``ok, line, reason``."""

    ok: bool
    line: int | None  # the first bad line (1-based), None when ok
    reason: str
    events: int = 0  # intact events read (up to the first bad line)
    torn_tail: int = 0  # lines at the end that are a torn, unacknowledged write (ok all the same)
    last_hash: str = GENESIS

    def __iter__(self) -> Iterator[Any]:
        return iter((self.ok, self.line, self.reason))


def _lines(path: Path) -> Iterator[tuple[int, int, bytes, bool]]:
    """(line number, byte offset, bytes without the newline, newline present) for each line."""
    offset = 0
    with open(path, "rb") as f:
        for number, raw in enumerate(f, 1):
            terminated = raw.endswith(b"\n")
            body = raw[:-1] if terminated else raw
            yield number, offset, body, terminated
            offset += len(raw)


def verify(path: str | os.PathLike[str]) -> Verification:
    """Check every line of an audit file: each an intact event, chained to the one before; fragments only
    where a crash can leave them (see the module docstring).  Reads the file once, streaming.

    An empty file is intact (no events); ``OSError`` (``FileNotFoundError`` …) when it cannot be read."""
    path = Path(path)
    prev, seq, events = GENESIS, 1, 0
    pending: list[Fragment] = []
    terminated = True
    for number, offset, raw, terminated in _lines(path):
        event = parse_object(raw)
        if event is None:
            pending.append(fragment(raw, offset, number))
            continue
        torn = event.get("torn") if event.get("operation") == RECOVERY else None
        if pending and torn != [f.record() for f in pending]:
            first = pending[0]
            return Verification(False, first.line, f"line {first.line}: not an event, and no recovery event "
                                "after it accounts for it (changed, or a line inserted)", events, last_hash=prev)
        if torn and not pending:
            return Verification(False, number, f"line {number}: a recovery event names torn lines that are "
                                "not there", events, last_hash=prev)
        pending = []
        problem = problem_with(event, raw)
        if problem:
            return Verification(False, number, f"line {number}: {problem}", events, last_hash=prev)
        if event["prev"] != prev or event["seq"] != seq:
            if event["seq"] > seq:
                what = f"{event['seq'] - seq} event(s) before it are missing (seq {event['seq']}, expected {seq})"
            elif event["seq"] < seq:
                what = f"it repeats or moves an earlier event (seq {event['seq']}, expected {seq})"
            else:
                what = "an event before it was replaced"
            return Verification(False, number, f"line {number}: prev does not match the hash of the event "
                                f"before it — {what}", events, last_hash=prev)
        prev, seq, events = event["hash"], seq + 1, events + 1
    if pending and terminated:  # a torn write never ends in its newline: this line was changed
        first = pending[0]
        return Verification(False, first.line, f"line {first.line}: not an event, and not a torn final "
                            "write either (it ends in a newline): the line was changed", events, last_hash=prev)
    if pending:
        first = pending[0]
        return Verification(True, None, f"{events} events intact and chained; line {first.line}"
                            f"{'' if len(pending) == 1 else f'-{pending[-1].line}'} is a torn final write "
                            "(a crash before it was acknowledged), not an event; the hub accounts for it "
                            "when it next opens the log", events, torn_tail=len(pending), last_hash=prev)
    return Verification(True, None, f"{events} events intact and chained", events, last_hash=prev)


# --- reading ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlatformOutcome:
    id: str
    ok: bool


@dataclass(frozen=True)
class AuditEvent:
    """One event as the log holds it (what ``auditEvents`` returns)."""

    seq: int
    time: str  # ISO 8601, UTC, microseconds: 2026-11-23T08:15:02.123456Z
    operation: str
    outcome: str  # success | failure | forbidden
    action: str | None = None  # FHIR AuditEvent.action: C R U D E
    user: str | None = None
    role: str | None = None
    institution: str | None = None
    at: str | None = None
    client: str | None = None
    patient: str | None = None  # the keyed pseudonym, p_...
    key_id: str | None = None  # which pseudonym key made it
    platforms: tuple[PlatformOutcome, ...] | None = None  # priorStudies: each platform asked
    code: str | None = None  # failure / forbidden: the error code (FORBIDDEN, NO_PLATFORMS …), never a message
    prev: str = GENESIS
    hash: str = ""

    @property
    def recorded(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.time.replace("Z", "+00:00"))

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "AuditEvent":
        names = {f.name for f in dataclasses.fields(cls)}
        values = {("key_id" if k == "keyId" else k): v for k, v in data.items()}
        values = {k: v for k, v in values.items() if k in names}
        if values.get("platforms") is not None:
            values["platforms"] = tuple(PlatformOutcome(p["id"], p["ok"]) for p in values["platforms"])
        return cls(**values)


def read_events(path: str | os.PathLike[str], patient: str | Iterable[str] | None = None,
                from_: dt.date | None = None, to: dt.date | None = None,
                tz: dt.tzinfo = UTC) -> list[AuditEvent]:
    """The events of a patient (pseudonym, or several: one per pseudonym key) recorded from ``from_`` to
    ``to`` inclusive (calendar dates in ``tz``, UTC by default), in file order.  Fragments are skipped;
    this does not verify the chain (:func:`verify` does).  ``patient=None``: every patient's events."""
    wanted = {patient} if isinstance(patient, str) else (set(patient) if patient is not None else None)
    start = dt.datetime.combine(from_, dt.time.min, tz) if from_ else None
    end = dt.datetime.combine(to + dt.timedelta(days=1), dt.time.min, tz) if to else None
    found: list[AuditEvent] = []
    path = Path(path)
    if not path.exists():
        return found
    for _number, _offset, raw, terminated in _lines(path):
        if not terminated:  # being written right now, or torn
            continue
        data = parse_object(raw)
        if data is None or "patient" not in data:
            continue
        if wanted is not None and data["patient"] not in wanted:
            continue
        event = AuditEvent.from_json(data)
        if (start and event.recorded < start) or (end and event.recorded >= end):
            continue
        found.append(event)
    return found
