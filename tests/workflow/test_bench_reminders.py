"""bench/reminders.py at its smallest, so it cannot rot: it runs against a real Orthanc and a real hub serve and
prints every figure (no timing is asserted)."""

from __future__ import annotations

import re
import subprocess
import sys

from tests.support.hubproc import ROOT


def test_the_reminder_benchmark_prints_its_figures():
    run = subprocess.run([sys.executable, "-m", "bench.reminders", "--rounds", "1", "--seconds", "0.2"], cwd=ROOT,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    for where in ("in process", "over HTTP"):
        block = run.stdout.split(f"\n{where} (")[1]
        assert re.search(r"reminders \(stored, no write\)\s+p50\s+[\d.]+ ms\s+[\d.]+\s+[+-][\d.]+ ms", block), block
        assert re.search(r"reminders \(new day: a write\)\s+p50\s+[\d.]+ ms\s+[\d.]+\s+[+-][\d.]+ ms", block), block
