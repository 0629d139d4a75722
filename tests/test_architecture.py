"""The shape of the code cannot rot: import-linter's contracts (pyproject.toml, ``[tool.importlinter]``)
hold — the layers cli > web > runtime > resolvers > services > config > graph | connectors > crosswalk >
domain (each imports only those below it), and the core imports no framework."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_are_kept():
    lint = Path(sys.executable).with_name("lint-imports")
    run = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "BROKEN" not in run.stdout and "3 kept, 0 broken" in run.stdout, run.stdout
