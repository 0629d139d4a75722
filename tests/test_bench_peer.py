"""bench/peer.py at a tiny size, so it cannot rot: the hub and the Neo4j GraphQL Library peer
(bench/peer/server.mjs) on the same real Neo4j server answer the browse questions identically, a
difference is caught, the peer leaves the database as it found it, and the figures are printed.

No timing is asserted: the figures are only checked to exist, be finite and carry their baselines.  Needs
node and npm (bench/peer's packages: ``npm ci``, scripts/install-test-deps.sh), a Neo4j server (the
``neo4j_scratch`` fixture) and, for the figures, wrk.
"""

from __future__ import annotations

import math
import os
import shutil
from pathlib import Path

import pytest

from bench import peer, run, synth

pytestmark = pytest.mark.neo4j

SIZE = synth.Sizes(200)
SEED = 7


@pytest.fixture(scope="module")
def node_ready() -> None:
    """bench/peer's packages installed (npm ci when missing), or a skip — a failure under CI, which installs them."""
    why = peer.node_missing()
    if why:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"the peer cannot run under CI: {why}", pytrace=False)
        pytest.skip(why)
    peer.ensure_npm(lambda line: None)


@pytest.fixture
def loaded(neo4j_scratch: str, tmp_path: Path) -> tuple[str, Path]:
    """The scratch server holding a tiny synthetic country, and that country's parquet directory."""
    from graph.store import open_store

    country = synth.generate(SIZE, seed=SEED)
    country.write(tmp_path / "country")

    async def load() -> None:
        store = await open_store(neo4j_scratch)
        try:
            await synth.load_country(store, country)
        finally:
            await store.close()

    run._run_loop(load())
    return neo4j_scratch, tmp_path / "country"


def _schema_and_counts(uri: str) -> tuple[list, list, dict]:
    """Constraints, indexes and the count of every label and relationship type: what a writing peer would change."""
    import neo4j

    password = os.environ.get("NEO4J_PASSWORD")
    auth = (os.environ.get("NEO4J_USER") or "neo4j", password) if password is not None else None
    with neo4j.GraphDatabase.driver(uri, auth=auth, notifications_min_severity="OFF") as driver:
        db = os.environ.get("NEO4J_DATABASE") or None
        constraints = sorted(r["name"] for r in driver.execute_query("SHOW CONSTRAINTS YIELD name", database_=db).records)
        indexes = sorted(r["name"] for r in driver.execute_query("SHOW INDEXES YIELD name", database_=db).records)
        labels = driver.execute_query("MATCH (n) UNWIND labels(n) AS l RETURN l, count(*) AS n", database_=db).records
        rels = driver.execute_query("MATCH ()-[r]->() RETURN type(r) AS t, count(*) AS n", database_=db).records
    return constraints, indexes, {**{r["l"]: r["n"] for r in labels}, **{r["t"]: r["n"] for r in rels}}


def test_hub_and_peer_answer_alike_and_the_peer_writes_nothing(node_ready, loaded, tmp_path, monkeypatch):
    uri, country_dir = loaded
    before = _schema_and_counts(uri)
    qs = peer.questions(country_dir, SEED)
    assert qs.pages and qs.ids and ("13", 0) in qs.pages  # Hebei, as the issue asks
    with peer.hub_server(uri, tmp_path) as (hub_url, _), peer.peer_server(uri, tmp_path) as (peer_url, _):
        urls = {"hub": hub_url, "peer": peer_url}
        kinds = peer.hub_kinds(hub_url)
        seen = peer.same_answers(urls, qs, kinds)
        assert seen["page"] == len(qs.pages) and seen["one"] == len(qs.ids)
        assert seen["conn"] == (len(qs.variables("conn")) if "conn" in kinds else 0)
        assert seen["institutions"] > 0 and seen["marks"] > 0 and seen["alliances"] > 0 and seen["unknown"] == 0
        # the peer is read-only by construction: no mutation or subscription in its schema
        schema = run.post(peer_url, {"query": "{ __schema { mutationType { name } subscriptionType { name } } }"})
        assert schema["data"]["__schema"] == {"mutationType": None, "subscriptionType": None}
        # the comparison is a test of equality: the same pages in the other order are caught
        monkeypatch.setitem(peer.QUERIES["page"], "peer", peer.QUERIES["page"]["peer"].replace("id: ASC", "id: DESC"))
        with pytest.raises(RuntimeError, match="differently"):
            peer.same_answers(urls, qs)
    # neither a constraint, an index, a node nor a relationship more or less
    assert _schema_and_counts(uri) == before


def test_figures_are_printed(node_ready, loaded, tmp_path):
    if shutil.which("wrk") is None:
        pytest.skip("wrk is not installed (scripts/install-test-deps.sh): the timing was not exercised")
    uri, country_dir = loaded
    lines: list[str] = []
    report = run.Report(out=lines.append)
    best = peer.figures(uri, country_dir, report, "200 neo4j", seconds=1, rounds=1, seed=SEED, workdir=tmp_path)
    assert {"page", "one"} <= set(best) <= set(peer.QUERIES)
    assert any("the same answers" in line for line in lines), lines
    for title in (peer.TITLES[kind] for kind in best):
        p50 = report.get("200 neo4j", f"{title}, hub p50")
        assert p50 is not None, lines
        assert p50.baseline == "peer p50" and p50.target and p50.ok is not None
        assert p50.ratio is not None and math.isfinite(p50.ratio) and p50.ratio > 0
        for name, baseline in ((f"{title}, hub p99", "peer p99"), (f"{title}, hub CPU per request", "peer CPU per request")):
            fig = report.get("200 neo4j", name)
            assert fig is not None and fig.baseline == baseline and math.isfinite(fig.value) and fig.value > 0, fig
    assert any(("ok]" in line or "MISS]" in line) and "hub p50" in line for line in lines), lines
    assert not list(tmp_path.glob("bench-peer-*"))  # the servers' directory is removed after a clean run
