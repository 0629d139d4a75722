"""What only the Neo4j adapter has, on a real Neo4j 5 server (the scratch server of
tests/support/neo4j_server.py, emptied before each test): the driver's settings from the environment,
a closed store, the bulk path in many small transactions (and a ``kill -9`` between two of them),
credentials refused.  The behaviours shared with the embedded store run on both in
``test_store_common.py``.

These replace the stand-in-driver test (test_store_neo4j_adapter.py): what it checked of the adapter's
own code (the database from ``NEO4J_DATABASE``, a closed store, batching, native dates) is checked here
against the server instead of a LadybugDB file dressed up as one.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import graph.neo4j_store as neo4j_store
from graph.loading import load_dataset
from graph.store import StoreError, open_store
from tests.test_store_common import (
    check_bulk_load_port,
    check_load_idempotent,
    counts,
    seed_base,
    snapshot,
    synthetic_dataset,
)

pytestmark = [pytest.mark.neo4j]


@pytest.fixture
async def store(neo4j_scratch):
    s = await open_store(neo4j_scratch, seed=False)
    yield s
    await s.close()


async def test_database_from_the_environment_and_a_closed_store(neo4j_scratch, monkeypatch):
    """NEO4J_DATABASE names the database every query runs in (the community server has one: ``neo4j``);
    a database that does not exist is a message naming the server; a closed store refuses politely."""
    monkeypatch.setenv("NEO4J_DATABASE", "neo4j")
    store = await open_store(neo4j_scratch, seed=False)
    assert isinstance(store, neo4j_store.Neo4jStore) and store.database == "neo4j"
    await store.write([("meta.set", {"key": "k", "value": "v"})])
    assert await store.read("meta.get", {"key": "k"}) == [{"value": "v"}]  # the write's bookmark is read
    await store.close()
    with pytest.raises(StoreError, match="closed"):
        await store.read("graph.counts")
    with pytest.raises(StoreError, match="closed"):
        await store.write([("meta.set", {"key": "k", "value": "w"})])

    monkeypatch.setenv("NEO4J_DATABASE", "nosuchdatabase")
    with pytest.raises(StoreError) as err:
        await open_store(neo4j_scratch, seed=False)
    assert neo4j_scratch in str(err.value) and "nosuchdatabase" in str(err.value), err.value
    assert "Traceback" not in str(err.value)


async def test_an_unreachable_server_is_a_message(unused_tcp_port):
    with pytest.raises(StoreError) as err:
        await open_store(f"bolt://127.0.0.1:{unused_tcp_port}", seed=False)
    assert f"cannot reach Neo4j at bolt://127.0.0.1:{unused_tcp_port}" in str(err.value)


@pytest.mark.parametrize("bulk", [False, True], ids=["one-transaction", "bulk"])
async def test_loading_twice_changes_nothing_in_many_batches(store, bulk: bool, monkeypatch):
    """The bulk path's UNWIND batches, many of them (7 rows each): the same graph as one batch."""
    monkeypatch.setattr(neo4j_store, "BULK_BATCH", 7)
    await check_load_idempotent(store, bulk=bulk)


async def test_bulk_load_one_row_per_transaction(store, monkeypatch):
    monkeypatch.setattr(neo4j_store, "BULK_BATCH", 1)
    await check_bulk_load_port(store)


async def test_a_failed_bulk_batch_says_how_many_rows_were_written(store, monkeypatch):
    """Neo4j's bulk path is one transaction per batch (not all or nothing like a COPY): a key that exists
    fails its batch, and the message says how far the load got."""
    import pyarrow as pa

    from graph.loading import institution_row

    monkeypatch.setattr(neo4j_store, "BULK_BATCH", 2)
    await seed_base(store)
    rows = [institution_row(i) for i in synthetic_dataset(5, 0).institutions]
    await store.bulk_load("Institution", pa.Table.from_pylist(rows[2:3]))
    with pytest.raises(StoreError) as err:
        await store.bulk_load("Institution", pa.Table.from_pylist(rows))
    assert "bulk load of Institution" in str(err.value) and "(2 of 5 rows written)" in str(err.value), err.value


async def test_dates_come_back_as_python_dates(store):
    """The driver returns neo4j.time.Date; rows carry datetime.date, as the embedded store's do."""
    await seed_base(store)
    dataset = synthetic_dataset(2, 10)
    await load_dataset(store, dataset)
    (row,) = await store.read("mark.existing", {"ids": [dataset.marks[0].id]})
    assert type(row["validFrom"]) is dt.date and row["validFrom"] == dataset.marks[0].valid_from


# -- kill -9 in the middle of a bulk load ------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]
#: small enough for the suite (the bulk path forced, in transactions of BATCH rows: many of them)
SIZE = {"institutions": 1_200, "marks": 6_000, "alliances": 40}
BATCH = 500

LOAD = """
    import asyncio, sys
    import graph.neo4j_store as neo4j_store
    from graph.loading import load_dataset
    from tests.test_store_common import synthetic_dataset

    neo4j_store.BULK_BATCH = %(batch)d

    class Announcing(neo4j_store.Neo4jStore):
        async def bulk_load(self, table, rows):
            print("BULK", table, flush=True)
            return await super().bulk_load(table, rows)

    async def main():
        store = await Announcing.open(sys.argv[1])
        dataset = synthetic_dataset(%(institutions)d, %(marks)d, alliances=%(alliances)d)
        print("DONE", await load_dataset(store, dataset, bulk_threshold=1), flush=True)
        await store.close()
    asyncio.run(main())
""" % {**SIZE, "batch": BATCH}


def _dataset():
    return synthetic_dataset(SIZE["institutions"], SIZE["marks"], alliances=SIZE["alliances"])


@pytest.fixture(scope="module")
def clean_load(tmp_path_factory) -> tuple[dict, dict]:
    """Counts and a snapshot of the dataset loaded without interruption — into LadybugDB: the two stores
    hold the same graph (test_store_common, tests/acceptance/test_same_answers.py)."""
    from graph.loading import load_dataset as load

    async def run():
        store = await open_store(str(tmp_path_factory.mktemp("clean") / "hub.lbug"), seed=False)
        try:
            await seed_base(store)
            stats = await load(store, _dataset(), bulk_threshold=1)
            assert stats.bulk and stats.marks.created == SIZE["marks"]
            return await counts(store), await snapshot(store, _dataset())
        finally:
            await store.close()

    return asyncio.run(run())


def _wait_for_a_batch(uri: str, label: str, timeout: float = 120) -> None:
    """Until the first batch of ``label`` nodes is committed (so the kill lands in the middle of the table)."""
    import neo4j

    deadline = time.monotonic() + timeout
    with neo4j.GraphDatabase.driver(uri, auth=None, notifications_min_severity="OFF") as driver:
        while time.monotonic() < deadline:
            records, _, _ = driver.execute_query(f"MATCH (n:{label}) RETURN count(n) AS n")
            if records[0]["n"]:
                return
            time.sleep(0.02)
    pytest.fail(f"no {label} committed in {timeout} s")


@pytest.mark.slow
@pytest.mark.parametrize(("kill_at", "mid_table"), [
    ("Institution+LOCATED_IN", True), ("Mark+HOLDS+FOR_ITEM+VALID_IN", True), ("MEMBER_OF", False)])
async def test_kill_9_during_bulk_load_then_rerun_converges(neo4j_scratch, clean_load, kill_at: str, mid_table: bool):
    """Neo4j's bulk path commits a transaction per batch, so a killed load leaves any prefix of a table
    (not all or nothing per table as a COPY): killed after the first batch of a node table (created with
    its edges, graph.statements.bulk_links), or between two tables, loading the same file again still
    finishes the job, and the graph equals a clean load's."""
    store = await open_store(neo4j_scratch, seed=False)
    await seed_base(store)
    await store.close()

    child = subprocess.Popen([sys.executable, "-c", textwrap.dedent(LOAD), neo4j_scratch], cwd=ROOT,
                             env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    seen = []
    try:
        for line in child.stdout:
            seen.append(line.strip())
            if line.strip() == f"BULK {kill_at}":
                if mid_table:
                    _wait_for_a_batch(neo4j_scratch, kill_at.split("+")[0])
                os.kill(child.pid, signal.SIGKILL)
                break
        else:
            pytest.fail(f"the loader never reached BULK {kill_at}: {seen} {child.stderr.read()}")
    finally:
        child.kill()
        child.wait(timeout=60)
    assert child.returncode == -signal.SIGKILL

    store = await open_store(neo4j_scratch, seed=False)
    try:
        found = await counts(store)
        want, want_snapshot = clean_load
        if mid_table:  # killed between two batches of the table, not before it or after it
            key = {"Institution": "institutions", "Mark": "marks"}[kill_at.split("+")[0]]
            assert 0 < found[key] < want[key], found
        dataset = _dataset()
        stats = await load_dataset(store, dataset, bulk_threshold=1)
        assert stats.marks.created == SIZE["marks"] - found["marks"]
        assert stats.institutions.created == SIZE["institutions"] - found["institutions"]
        assert await counts(store) == want
        assert await snapshot(store, dataset) == want_snapshot
        assert not (await load_dataset(store, dataset, bulk_threshold=1)).changed
    finally:
        await store.close()


async def test_marks_an_older_load_left_without_edges_are_relinked(store, clean_load):
    """A store an older hub loaded table by table (Mark nodes, then HOLDS, FOR_ITEM, VALID_IN, each its own
    pass) and was killed after the nodes: today's loader creates a mark with its edges in one pass, yet the
    marks found without their edges are linked, and the graph equals a clean load's."""
    import pyarrow as pa

    from graph.loading import MARK_COLUMNS, institution_row, mark_row

    await seed_base(store)
    dataset = _dataset()
    await store.bulk_load("Institution+LOCATED_IN", pa.Table.from_pylist([institution_row(i) for i in dataset.institutions]))
    marks = [mark_row(m) for m in dataset.marks]
    await store.bulk_load("Mark", pa.Table.from_pylist(marks).select(list(MARK_COLUMNS)))
    stats = await load_dataset(store, dataset, bulk_threshold=1)
    assert stats.marks.created == 0 and stats.institutions.created == 0
    want, want_snapshot = clean_load
    assert await counts(store) == want
    assert await snapshot(store, dataset) == want_snapshot


@pytest.mark.skipif(not (os.environ.get("NEO4J_URI") and os.environ.get("NEO4J_PASSWORD")),
                    reason="needs a server with authentication (NEO4J_URI, NEO4J_PASSWORD); scripts/neo4j's has none")
async def test_bad_credentials_are_a_message(neo4j_uri, monkeypatch):
    monkeypatch.setenv("NEO4J_PASSWORD", "certainly-not-the-password")
    with pytest.raises(StoreError) as err:
        await open_store(neo4j_uri, seed=False)
    assert neo4j_uri in str(err.value) and "Traceback" not in str(err.value)



async def test_opening_a_store_indexes_institutions_by_region(store):
    """Browsing a region (``institutions(region:)``, the connection's ``region.within``, the aggregates) is
    ``i.region STARTS WITH $prefix``; the range index on ``Institution.region`` (schema.cypher, created on every
    open) lets the planner seek it instead of scanning every institution in id order.  At 40k institutions it
    does so for a province, a city and a county, and it halved the region page of both the hub and the peer
    (docs/BENCHMARKS.md, "Peer"); at a test's size the planner may still prefer the scan, so what is asserted
    is the index, online, on the property the statements filter."""
    records, _, _ = await store._driver.execute_query(
        "SHOW INDEXES YIELD name, labelsOrTypes, properties, type, state WHERE name = 'institution_region' "
        "RETURN labelsOrTypes, properties, type, state", database_=store.database)
    assert [(r["labelsOrTypes"], r["properties"], r["type"]) for r in records] == [(["Institution"], ["region"], "RANGE")]
    assert records[0]["state"] in ("ONLINE", "POPULATING")
