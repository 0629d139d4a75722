"""``scripts/neo4j`` as CONTRACT.md describes it ("A local Neo4j server"), on the session's own server
(tests/support/neo4j_server.py): a start on a running directory prints the same URL at once, a stop on a
directory where nothing runs exits 0, and the server is Neo4j 5 community on loopback without
authentication.  Starting and stopping themselves are what the session fixture does around every run.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from tests.support.neo4j_server import SCRIPT, Neo4jServer

pytestmark = [pytest.mark.neo4j]


def _run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(SCRIPT), *map(str, args)], capture_output=True, text=True, timeout=60, check=False)


def test_start_on_a_running_directory_prints_the_same_url(neo4j_server: Neo4jServer):
    if neo4j_server.home is None:
        pytest.skip("NEO4J_URI names the server: scripts/neo4j did not start it")
    t0 = time.perf_counter()
    again = _run("start", neo4j_server.home)
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip().splitlines()[-1] == neo4j_server.uri
    assert time.perf_counter() - t0 < 5  # no second server, no build
    assert neo4j_server.uri.startswith("bolt://127.0.0.1:")


def test_stop_where_nothing_runs_is_a_no_op(tmp_path: Path):
    for home in (tmp_path, tmp_path / "never-created"):
        stopped = _run("stop", home)
        assert stopped.returncode == 0, stopped.stderr
    assert not (tmp_path / "never-created").exists()


def test_usage_is_refused():
    bad = _run("restart", "/tmp/x")
    assert bad.returncode != 0 and "usage" in bad.stderr


async def test_it_is_neo4j_5_community_without_authentication(neo4j_server: Neo4jServer):
    import neo4j

    if neo4j_server.home is None:
        pytest.skip("NEO4J_URI names the server: scripts/neo4j did not start it")
    driver = neo4j.AsyncGraphDatabase.driver(neo4j_server.uri, auth=None)
    try:
        records, _, _ = await driver.execute_query(
            "CALL dbms.components() YIELD name, versions, edition RETURN versions[0] AS version, edition")
    finally:
        await driver.close()
    assert records[0]["version"].startswith("5.") and records[0]["edition"] == "community"
