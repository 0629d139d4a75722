"""A real Neo4j 5 server for the tests that need one: the session fixture ``neo4j_uri`` (its URL) and
``neo4j_server`` (the URL and the directory it runs in).

* ``NEO4J_URI`` set: that server (credentials from ``NEO4J_USER`` / ``NEO4J_PASSWORD``), untouched here.
* Otherwise one server for the whole session, started with ``scripts/neo4j start`` in a temporary
  directory (Neo4j's embedded DBMS from tools/neo4j, loopback, authentication off; the first start builds
  the launcher if ``scripts/install-test-deps.sh`` has not) and stopped at the end of the session.
  Nothing starts unless a test asks for the fixture.
* No Java, no launcher and no Maven to build it, or a server that does not start: the tests skip saying
  why — except under CI (``CI=true``), where that is a failure: CI installs Java and Maven and builds the
  launcher (scripts/install-test-deps.sh), so a missing server there is a broken set-up, not a reason.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "neo4j"
LAUNCHER = ROOT / "tools" / "neo4j" / "target" / "neo4j-launcher.jar"
#: the first start may build the launcher (and, without install-test-deps.sh, download its artifacts)
START_TIMEOUT_S = 600
__all__ = ["Neo4jServer", "neo4j_server", "neo4j_uri", "SCRIPT"]


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"no Neo4j server under CI: {reason}", pytrace=False)
    pytest.skip(f"no Neo4j server: {reason} (or set NEO4J_URI to a throw-away Neo4j 5)")


@dataclass(frozen=True)
class Neo4jServer:
    uri: str
    #: the directory scripts/neo4j runs it in; None for the server NEO4J_URI names
    home: Path | None


@pytest.fixture(scope="session")
def neo4j_uri(neo4j_server: Neo4jServer) -> str:
    """The Bolt URL of a Neo4j 5 server the tests may empty (see the module docstring)."""
    return neo4j_server.uri


@pytest.fixture(scope="session")
def neo4j_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Neo4jServer]:
    """The server behind ``neo4j_uri``, with the directory scripts/neo4j keeps it in."""
    given = os.environ.get("NEO4J_URI")
    if given:
        yield Neo4jServer(given, None)
        return
    if shutil.which(os.environ.get("JAVA", "java")) is None:
        _unavailable("java not found (scripts/install-test-deps.sh installs openjdk-17-jdk-headless)")
    if not LAUNCHER.exists() and shutil.which("mvn") is None:
        _unavailable("tools/neo4j is not built and mvn is not found (scripts/install-test-deps.sh)")
    home = tmp_path_factory.mktemp("neo4j")
    # C1 only: a test session is too short for C2 to pay off, and on 2 cores its compiler threads compete
    # with the tests (tests/test_store_neo4j.py on a fresh server: 24-28 s instead of 36-52 s, machine busy)
    env = {"NEO4J_JAVA_OPTS": "-XX:TieredStopAtLevel=1", **os.environ}
    try:
        started = subprocess.run([str(SCRIPT), "start", str(home)], capture_output=True, text=True,
                                 timeout=START_TIMEOUT_S, check=False, env=env)
    except BaseException as exc:  # a timeout, or ^C: the server runs in its own session, stop it too
        _stop(home)
        if isinstance(exc, subprocess.TimeoutExpired):
            _unavailable(f"scripts/neo4j start did not finish in {START_TIMEOUT_S} s (log: {home}/neo4j.log)")
        raise
    lines = started.stdout.strip().splitlines()
    if started.returncode != 0 or not lines or not lines[-1].startswith("bolt://"):
        _unavailable(f"scripts/neo4j start failed (exit {started.returncode}): "
                     f"{(started.stderr or started.stdout).strip()[-2000:]}")
    try:
        yield Neo4jServer(lines[-1], home)
    finally:
        _stop(home)


def _stop(home: Path) -> None:
    subprocess.run([str(SCRIPT), "stop", str(home)], capture_output=True, timeout=120, check=False)
