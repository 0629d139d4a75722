"""The audit log (hub/services/audit, docs/AUDIT.md): keyed pseudonyms, a hash chain that verifies after
concurrent appends and names the first line that was changed, deleted or moved, a real kill -9 in the
middle of appending that leaves a file that still verifies, and no raw patient id anywhere."""

from __future__ import annotations

import asyncio
import datetime as dt
import errno
import json
import logging
import os
import signal
import stat
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hub.cli import app as hub_app
from hub.services.audit import (
    GENESIS, RECOVERY, AuditLog, AuditLogBusy, AuditLogCorrupt, AuditWriteError, Patient, PseudonymKeyError,
    Pseudonyms, ensure_key_file, read_events, verify,
)
from hub.services.audit import log as audit_log_module

ROOT = Path(__file__).resolve().parents[1]
RAW_ID = "110101199003077777"  # the raw patient id that must never reach a file or a log line
ISSUER = "CN-RESIDENT-ID"


@pytest.fixture
def pseudonyms(tmp_path: Path) -> Pseudonyms:
    return Pseudonyms.from_file(tmp_path / "pseudonym.key")


def event(i: int = 0, **overrides):
    base = dict(operation="priorStudies", outcome="success", user=f"dr-{i % 7}", role="clinician",
                institution="he-sjz-1", at="he-sjz-1", client="10.0.0.8", patient=Patient(f"{RAW_ID}-{i % 5}", ISSUER),
                platforms=[("bj", True), ("tj", i % 3 != 0)])
    base.update(overrides)
    return base


def write_events(path: Path, pseudonyms: Pseudonyms, n: int) -> list[bytes]:
    with AuditLog(path, pseudonyms) as log:
        for i in range(n):
            log.record(**event(i))
    return path.read_bytes().splitlines(keepends=True)


# --- pseudonyms -----------------------------------------------------------------------------------------


def test_key_file_is_created_0600_with_32_random_bytes_and_kept(tmp_path: Path):
    key_file = tmp_path / "store" / "pseudonym.key"
    first = Pseudonyms.from_file(key_file)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(bytes.fromhex(key_file.read_text().strip())) == 32
    again = Pseudonyms.from_file(key_file)  # present: read, not replaced
    assert again.of(RAW_ID, ISSUER) == first.of(RAW_ID, ISSUER)
    assert ensure_key_file(key_file) == key_file and len(key_file.read_text().split()) == 1
    other = Pseudonyms.from_file(tmp_path / "other.key")
    assert other.of(RAW_ID, ISSUER) != first.of(RAW_ID, ISSUER)  # keyed: another key, another pseudonym


def test_pseudonym_covers_issuer_and_id_and_is_p_plus_128_bits(pseudonyms: Pseudonyms):
    p = pseudonyms.of(RAW_ID, ISSUER)
    assert p.startswith("p_") and len(p) == 28 and p == pseudonyms.of(RAW_ID, ISSUER)
    assert RAW_ID not in p
    assert pseudonyms.of(RAW_ID, "OTHER") != p and pseudonyms.of(RAW_ID) != p
    assert pseudonyms.of("B:C", "A") != pseudonyms.of("C", "A:B")  # no ambiguity in how they are joined
    assert pseudonyms.of(RAW_ID, "") != pseudonyms.of(RAW_ID, None)
    assert RAW_ID not in repr(pseudonyms) and RAW_ID not in repr(Patient(RAW_ID, ISSUER))


def test_retired_keys_still_find_old_pseudonyms(tmp_path: Path):
    key_file = tmp_path / "pseudonym.key"
    old = Pseudonyms.from_file(key_file)
    old_p = old.of(RAW_ID, ISSUER)
    key_file.write_text(os.urandom(32).hex() + "\n" + key_file.read_text())  # rotate: new key first
    new = Pseudonyms.from_file(key_file)
    assert new.of(RAW_ID, ISSUER) != old_p and new.key_id != old.key_id
    assert new.candidates(RAW_ID, ISSUER) == [new.of(RAW_ID, ISSUER), old_p]


def test_bad_key_files_are_refused_without_showing_the_key(tmp_path: Path):
    short = tmp_path / "short.key"
    short.write_text("abcd\n")
    with pytest.raises(PseudonymKeyError, match="at least 32 bytes"):
        Pseudonyms.from_file(short)
    junk = tmp_path / "junk.key"
    junk.write_text("not hex at all\n")
    with pytest.raises(PseudonymKeyError, match="line 1: not a hex key"):
        Pseudonyms.from_file(junk)
    with pytest.raises(PseudonymKeyError, match="cannot read"):
        Pseudonyms.from_file(tmp_path / "missing.key", create=False)


# --- the chain ------------------------------------------------------------------------------------------


def test_event_format_and_chain(tmp_path: Path, pseudonyms: Pseudonyms):
    path = tmp_path / "audit.jsonl"
    lines = write_events(path, pseudonyms, 3)
    events = [json.loads(line) for line in lines]
    first = events[0]
    assert first["prev"] == GENESIS and first["seq"] == 1
    assert [e["prev"] for e in events[1:]] == [e["hash"] for e in events[:-1]]
    assert dt.datetime.fromisoformat(first["time"].replace("Z", "+00:00")).tzinfo == dt.timezone.utc
    assert {k: first[k] for k in ("operation", "outcome", "action", "user", "role", "institution", "at", "client")} == {
        "operation": "priorStudies", "outcome": "success", "action": "E", "user": "dr-0", "role": "clinician",
        "institution": "he-sjz-1", "at": "he-sjz-1", "client": "10.0.0.8"}
    assert first["patient"] == pseudonyms.of(f"{RAW_ID}-0", ISSUER) and first["keyId"] == pseudonyms.key_id
    assert first["platforms"] == [{"id": "bj", "ok": True}, {"id": "tj", "ok": False}]
    assert verify(path) == verify(path) and tuple(verify(path)) == (True, None, "3 events intact and chained")


def test_chain_verifies_after_concurrent_tasks_and_threads(tmp_path: Path, pseudonyms: Pseudonyms):
    path = tmp_path / "audit.jsonl"
    log = AuditLog(path, pseudonyms)
    threads_n, per_thread, tasks_n = 6, 60, 300

    def worker(t: int) -> None:
        for i in range(per_thread):
            log.record(**event(t * 1000 + i, operation="decisions"))

    async def tasks() -> None:
        await asyncio.gather(*(log.append(**event(i, outcome="forbidden", code="FORBIDDEN"))
                               for i in range(tasks_n)))

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(threads_n)]
    for t in threads:
        t.start()
    asyncio.run(tasks())
    for t in threads:
        t.join()
    total = threads_n * per_thread + tasks_n
    assert log.appended == total and log.fsyncs < total  # group commit shared fsyncs
    log.close()
    result = verify(path)
    assert result.ok, result.reason
    assert result.events == total
    assert [json.loads(x)["seq"] for x in path.read_bytes().splitlines()] == list(range(1, total + 1))


def test_reopening_continues_the_chain(tmp_path: Path, pseudonyms: Pseudonyms):
    path = tmp_path / "audit.jsonl"
    write_events(path, pseudonyms, 4)
    write_events(path, pseudonyms, 3)
    result = verify(path)
    assert result.ok and result.events == 7


@pytest.mark.parametrize("target", [1, 5, 9])
def test_changing_any_byte_of_a_line_names_that_line(tmp_path: Path, pseudonyms: Pseudonyms, target: int):
    path = tmp_path / "audit.jsonl"
    original = b"".join(write_events(path, pseudonyms, 9))
    lines = original.splitlines(keepends=True)
    start = sum(len(x) for x in lines[:target - 1])
    last_line_newline = target == len(lines)
    for i in range(start, start + len(lines[target - 1]) - (1 if last_line_newline else 0)):
        changed = bytearray(original)
        changed[i] ^= 0x01
        path.write_bytes(bytes(changed))
        ok, line, reason = verify(path)
        assert not ok and line == target, (i - start, reason)
    path.write_bytes(original)
    assert verify(path).ok


def test_cli_names_the_changed_line(tmp_path: Path, pseudonyms: Pseudonyms):
    path = tmp_path / "audit.jsonl"
    lines = write_events(path, pseudonyms, 6)
    runner = CliRunner()
    result = runner.invoke(hub_app, ["audit", "verify", str(path)])
    assert result.exit_code == 0, result.output
    assert "6 events intact and chained" in result.output
    lines[3] = lines[3].replace(b'"role":"clinician"', b'"role":"admin"')
    path.write_bytes(b"".join(lines))
    result = runner.invoke(hub_app, ["audit", "verify", str(path)])
    assert result.exit_code == 1
    assert "line 4" in result.output and "hash does not match" in result.output
    assert runner.invoke(hub_app, ["audit", "verify", str(tmp_path / "absent.jsonl")]).exit_code == 2


def test_hub_audit_verify_command(tmp_path: Path, pseudonyms: Pseudonyms):
    """`hub audit verify` through the installed command (the sub-app registered in hub/cli.py)."""
    path = tmp_path / "audit.jsonl"
    lines = write_events(path, pseudonyms, 3)
    hub = Path(sys.executable).with_name("hub")
    ok = subprocess.run([str(hub), "audit", "verify", str(path)], capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0, ok.stderr
    path.write_bytes(lines[0] + lines[2])
    bad = subprocess.run([str(hub), "audit", "verify", str(path)], capture_output=True, text=True, timeout=60)
    assert bad.returncode == 1 and "line 2" in bad.stderr and "missing" in bad.stderr, bad.stderr


def test_deleting_a_line_is_detected(tmp_path: Path, pseudonyms: Pseudonyms):
    path = tmp_path / "audit.jsonl"
    lines = write_events(path, pseudonyms, 8)
    path.write_bytes(b"".join(lines[:4] + lines[5:]))
    ok, line, reason = verify(path)
    assert (ok, line) == (False, 5) and "1 event(s) before it are missing" in reason
    path.write_bytes(b"".join(lines[1:]))  # the first line
    assert tuple(verify(path))[:2] == (False, 1)


def test_reordering_or_replaying_lines_is_detected(tmp_path: Path, pseudonyms: Pseudonyms):
    path = tmp_path / "audit.jsonl"
    lines = write_events(path, pseudonyms, 8)
    swapped = lines[:3] + [lines[4], lines[3]] + lines[5:]
    path.write_bytes(b"".join(swapped))
    assert tuple(verify(path))[:2] == (False, 4)
    path.write_bytes(b"".join(lines[:6] + [lines[2]] + lines[6:]))  # an old event copied in again
    ok, line, reason = verify(path)
    assert (ok, line) == (False, 7) and "repeats or moves" in reason
    path.write_bytes(b"".join(lines[:5] + [b"\n"] + lines[5:]))  # an inserted blank line
    assert tuple(verify(path))[:2] == (False, 6)


def test_cutting_the_tail_is_seen_only_against_the_last_hash(tmp_path: Path, pseudonyms: Pseudonyms):
    """A hash chain alone cannot show that its last events were cut off; the last hash, kept elsewhere
    (the syslog collector has every event), does."""
    path = tmp_path / "audit.jsonl"
    lines = write_events(path, pseudonyms, 5)
    anchor = verify(path).last_hash
    path.write_bytes(b"".join(lines[:3]))
    cut = verify(path)
    assert cut.ok and cut.events == 3 and cut.last_hash != anchor


# --- crash safety ---------------------------------------------------------------------------------------


def test_torn_final_write_verifies_and_is_accounted_for_on_reopen(tmp_path: Path, pseudonyms: Pseudonyms):
    path = tmp_path / "audit.jsonl"
    lines = write_events(path, pseudonyms, 5)
    torn = lines[4][: len(lines[4]) // 2]  # the crash tore the 5th event's write
    path.write_bytes(b"".join(lines[:4]) + torn)
    result = verify(path)
    assert result.ok and result.events == 4 and result.torn_tail == 1 and "line 5 is a torn final write" in result.reason

    with AuditLog(path, pseudonyms) as log:  # the next start accounts for it, then goes on
        log.record(**event(99))
    data = path.read_bytes()
    assert data.startswith(b"".join(lines[:4]) + torn + b"\n")  # never truncated
    recovery = json.loads(data.splitlines()[5])
    assert recovery["operation"] == RECOVERY and recovery["seq"] == 5
    assert recovery["torn"][0]["bytes"] == len(torn) and recovery["torn"][0]["offset"] == len(b"".join(lines[:4]))
    result = verify(path)
    assert result.ok and result.torn_tail == 0 and result.events == 6, result.reason

    # the fragment's bytes are covered: changing one is named
    changed = bytearray(data)
    changed[len(b"".join(lines[:4])) + 3] ^= 0x01
    path.write_bytes(bytes(changed))
    ok, line, reason = verify(path)
    assert (ok, line) == (False, 5) and "no recovery event" in reason


def test_crash_while_accounting_for_a_torn_write(tmp_path: Path, pseudonyms: Pseudonyms):
    path = tmp_path / "audit.jsonl"
    lines = write_events(path, pseudonyms, 3)
    path.write_bytes(b"".join(lines[:2]) + lines[2][:40])
    with AuditLog(path, pseudonyms):
        pass
    repaired = path.read_bytes()
    # a second crash tore the recovery event's own write
    path.write_bytes(repaired[: len(b"".join(lines[:2])) + 41 + 30])
    assert verify(path).ok and verify(path).torn_tail == 2
    with AuditLog(path, pseudonyms) as log:
        log.record(**event(1))
    result = verify(path)
    assert result.ok and result.torn_tail == 0, result.reason
    assert json.loads(path.read_bytes().splitlines()[4])["torn"].__len__() == 2


def test_write_cut_just_before_its_newline(tmp_path: Path, pseudonyms: Pseudonyms):
    path = tmp_path / "audit.jsonl"
    lines = write_events(path, pseudonyms, 3)
    path.write_bytes(b"".join(lines)[:-1])
    assert verify(path).ok and verify(path).events == 3
    with AuditLog(path, pseudonyms) as log:
        log.record(**event(1))
    result = verify(path)
    assert result.ok and result.events == 4 and RECOVERY.encode() not in path.read_bytes()


def test_a_broken_last_event_is_not_continued(tmp_path: Path, pseudonyms: Pseudonyms):
    path = tmp_path / "audit.jsonl"
    lines = write_events(path, pseudonyms, 3)
    path.write_bytes(b"".join(lines[:2]) + lines[2].replace(b"dr-2", b"dr-X"))
    with pytest.raises(AuditLogCorrupt, match="not intact"):
        AuditLog(path, pseudonyms)


APPENDER = textwrap.dedent("""
    import asyncio, sys, threading
    from hub.services.audit import AuditLog, Patient, Pseudonyms
    log = AuditLog(sys.argv[1], Pseudonyms.from_file(sys.argv[2]))
    # big events (many platforms) so that a write spans pages and a kill can land inside one
    platforms = [("platform-%03d" % i, i % 2 == 0) for i in range(int(sys.argv[3]))]
    def spin(t):
        i = 0
        while True:
            log.record(operation="priorStudies", outcome="success", user="t%d" % t, patient=Patient("%s-%d" % (sys.argv[4], i)),
                       platforms=platforms)
            i += 1
    for t in range(3):
        threading.Thread(target=spin, args=(t,), daemon=True).start()
    async def burst():
        while True:
            await asyncio.gather(*(log.append(operation="reminders", outcome="success", patient=Patient(sys.argv[4]))
                                   for _ in range(32)))
    asyncio.run(burst())
""")


@pytest.mark.slow
def test_kill_9_while_appending_leaves_a_file_that_verifies(tmp_path: Path, pseudonyms: Pseudonyms):
    path, key = tmp_path / "audit.jsonl", tmp_path / "pseudonym.key"
    script = tmp_path / "appender.py"
    script.write_text(APPENDER)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    torn_seen = 0
    for round_ in range(6):
        before = path.stat().st_size if path.exists() else 0
        proc = subprocess.Popen([sys.executable, str(script), str(path), str(key), str(60 + 150 * round_), RAW_ID],
                                env=env, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while (not path.exists() or path.stat().st_size < before + 200_000) and time.monotonic() < deadline:
            assert proc.poll() is None, proc.stderr.read().decode()  # type: ignore[union-attr]
            time.sleep(0.01)
        time.sleep(0.05 * round_)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        assert proc.returncode == -signal.SIGKILL
        result = verify(path)
        assert result.ok, result.reason
        torn_seen += result.torn_tail
        # the next writer continues the chain (accounting for a torn write if there is one)
        with AuditLog(path, pseudonyms) as log:
            log.record(**event(round_))
        result = verify(path)
        assert result.ok and result.torn_tail == 0, result.reason
    assert RAW_ID.encode() not in path.read_bytes()
    print(f"kill -9 rounds: 6, torn final writes seen: {torn_seen}, events: {verify(path).events}")


# --- what is (never) written ----------------------------------------------------------------------------


def test_raw_patient_id_is_never_written_nor_logged(tmp_path: Path, pseudonyms: Pseudonyms, caplog):
    caplog.set_level(logging.DEBUG)
    path = tmp_path / "audit.jsonl"
    with AuditLog(path, pseudonyms) as log:
        for outcome, code in (("success", None), ("forbidden", "FORBIDDEN"), ("failure", "NO_PLATFORMS")):
            log.record(**event(0, outcome=outcome, code=code, patient=Patient(RAW_ID, ISSUER)))
        with pytest.raises(ValueError) as refused:  # a raw id passed where a pseudonym goes
            log.record(**event(0, patient=RAW_ID))
        assert RAW_ID not in str(refused.value)
        with pytest.raises(ValueError):  # free text where an error code goes
            log.record(**event(0, outcome="failure", code=f"no studies for {RAW_ID}"))
    path.write_bytes(path.read_bytes()[:-20])  # a torn write, so the recovery path logs too
    with AuditLog(path, pseudonyms) as log:
        log.events_sync(RAW_ID, ISSUER)
    data = path.read_bytes()
    assert RAW_ID.encode() not in data and ISSUER.encode() not in data
    assert RAW_ID not in caplog.text
    assert verify(path).ok


def test_read_events_by_patient_and_date(tmp_path: Path, pseudonyms: Pseudonyms):
    path = tmp_path / "audit.jsonl"
    with AuditLog(path, pseudonyms) as log:
        for i in range(6):
            log.record(**event(i, patient=Patient(RAW_ID if i % 2 else "someone-else", ISSUER)))
        mine = log.events_sync(RAW_ID, ISSUER)
        assert [e.seq for e in mine] == [2, 4, 6]
        assert all(e.patient == pseudonyms.of(RAW_ID, ISSUER) for e in mine)
        today = dt.datetime.now(dt.timezone.utc).date()
        assert len(asyncio.run(log.events(RAW_ID, ISSUER, today, today))) == 3
        assert log.events_sync(RAW_ID, ISSUER, today + dt.timedelta(days=1)) == []
        assert log.events_sync(RAW_ID, ISSUER, None, today - dt.timedelta(days=1)) == []
        assert log.events_sync(RAW_ID, "another issuer") == []
    assert mine[0].platforms[0].id == "bj" and mine[0].recorded.tzinfo is not None
    assert len(read_events(path)) == 6 and read_events(tmp_path / "absent.jsonl", "p_x") == []


def test_events_made_before_a_key_rotation_are_still_found(tmp_path: Path):
    key_file, path = tmp_path / "pseudonym.key", tmp_path / "audit.jsonl"
    with AuditLog(path, Pseudonyms.from_file(key_file)) as log:
        log.record(**event(0, patient=Patient(RAW_ID, ISSUER)))
    key_file.write_text(os.urandom(32).hex() + "\n" + key_file.read_text())
    with AuditLog(path, Pseudonyms.from_file(key_file)) as log:
        log.record(**event(0, patient=Patient(RAW_ID, ISSUER)))
        found = log.events_sync(RAW_ID, ISSUER)
    assert [e.seq for e in found] == [1, 2] and found[0].key_id != found[1].key_id
    assert found[0].patient != found[1].patient


# --- one writer, failures -------------------------------------------------------------------------------


def test_a_second_writer_is_refused(tmp_path: Path, pseudonyms: Pseudonyms):
    path = tmp_path / "audit.jsonl"
    with AuditLog(path, pseudonyms):
        with pytest.raises(AuditLogBusy, match="held by another writer"):
            AuditLog(path, pseudonyms)
    AuditLog(path, pseudonyms).close()  # free again once closed


def test_fsync_error_fails_the_request_and_every_later_one(tmp_path: Path, pseudonyms: Pseudonyms, monkeypatch):
    path = tmp_path / "audit.jsonl"
    log = AuditLog(path, pseudonyms)
    log.record(**event(0))

    def eio(fd):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(audit_log_module.os, "fdatasync", eio)
    with pytest.raises(AuditWriteError, match="fsync failed"):
        log.record(**event(1))
    monkeypatch.undo()
    with pytest.raises(AuditWriteError, match="failed earlier"):  # fsyncgate: nothing is trusted after
        log.record(**event(2))
    log.close()
    assert verify(path).ok


def test_short_write_fails_the_request_and_the_next_one_accounts_for_it(tmp_path: Path, pseudonyms: Pseudonyms,
                                                                          monkeypatch):
    path = tmp_path / "audit.jsonl"
    log = AuditLog(path, pseudonyms)
    log.record(**event(0))
    real_write = os.write

    def disk_full(fd, data):
        return real_write(fd, data[: len(data) // 2])

    monkeypatch.setattr(audit_log_module.os, "write", disk_full)
    with pytest.raises(AuditWriteError, match="short write"):
        log.record(**event(1))
    monkeypatch.undo()
    log.record(**event(2))
    log.close()
    result = verify(path)
    assert result.ok and result.events == 3, result.reason  # event 0, the recovery event, event 2


def test_append_latency(tmp_path: Path, pseudonyms: Pseudonyms):
    """Appends are fsynced, yet cheap: measured p50/p99 (printed; docs/AUDIT.md has the figures) with a
    generous bound for a shared machine; a burst shares fsyncs."""
    path = tmp_path / "audit.jsonl"

    def pct(xs, q):
        xs = sorted(xs)
        return xs[min(len(xs) - 1, int(q * len(xs)))] * 1000

    with AuditLog(path, pseudonyms) as log:
        async def run():
            single = []
            for i in range(300):
                t = time.perf_counter()
                await log.append(**event(i))
                single.append(time.perf_counter() - t)
            burst, f0 = [], log.fsyncs

            async def one(i):
                t = time.perf_counter()
                await log.append(**event(i))
                return time.perf_counter() - t

            for r in range(10):
                burst += await asyncio.gather(*(one(i) for i in range(64)))
            return single, burst, log.fsyncs - f0

        single, burst, fsyncs = asyncio.run(run())
    print(f"append one at a time: p50 {pct(single, .5):.2f} ms, p99 {pct(single, .99):.2f} ms; "
          f"64 at once: p50 {pct(burst, .5):.2f} ms, p99 {pct(burst, .99):.2f} ms, {fsyncs} fsyncs for 640 events")
    assert pct(single, .5) < 50 and pct(burst, .99) < 1000
    assert fsyncs < 640 / 4
