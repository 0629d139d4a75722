"""The audit log shared by several processes (``AuditLog(shared=True)``: the workers of ``hub serve --workers
N``): concurrent appends from real processes make one chain that verifies, each process continuing what the
others wrote; a single writer and shared writers refuse each other."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from hub.services.audit import AuditLog, AuditLogBusy, Patient, Pseudonyms, verify


def _append(path: str, key: str, writer: int, n: int) -> None:
    import threading

    with AuditLog(path, Pseudonyms.from_file(key, create=False), shared=True) as log:
        def burst(t: int) -> None:
            for i in range(n):
                log.record(operation="priorStudies", outcome="success", user=f"w{writer}-t{t}",
                           patient=Patient(f"p-{i}", "X"))

        threads = [threading.Thread(target=burst, args=(t,)) for t in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()


def test_processes_appending_at_once_make_one_chain_that_verifies(tmp_path: Path):
    path, key = tmp_path / "audit.jsonl", tmp_path / "pseudonym.key"
    Pseudonyms.from_file(key)
    context = multiprocessing.get_context("spawn")
    writers = [context.Process(target=_append, args=(str(path), str(key), w, 25)) for w in range(3)]
    for p in writers:
        p.start()
    for p in writers:
        p.join(120)
        assert p.exitcode == 0
    result = verify(path)
    assert result.ok, result
    lines = path.read_bytes().splitlines()
    assert len(lines) == 3 * 4 * 25
    with AuditLog(path, Pseudonyms.from_file(key), shared=True) as log:  # a later writer continues the chain
        log.record(operation="priorStudies", outcome="success")
    assert verify(path).ok and len(path.read_bytes().splitlines()) == 301


def test_a_single_writer_and_shared_writers_refuse_each_other(tmp_path: Path):
    path, pseudonyms = tmp_path / "audit.jsonl", Pseudonyms.from_file(tmp_path / "pseudonym.key")
    with AuditLog(path, pseudonyms, shared=True), AuditLog(path, pseudonyms, shared=True):
        with pytest.raises(AuditLogBusy):
            AuditLog(path, pseudonyms)
    with AuditLog(path, pseudonyms):
        with pytest.raises(AuditLogBusy):
            AuditLog(path, pseudonyms, shared=True)
