"""The Neo4j adapter against a real Neo4j 5 server: the same behaviours as the embedded store, through
the same helper functions (``test_store_common.py``).

The server is the session fixture ``neo4j_uri`` (tests/support/neo4j_server.py): ``NEO4J_URI`` when set
(credentials from ``NEO4J_USER`` / ``NEO4J_PASSWORD``, database from ``NEO4J_DATABASE``), else a server of
its own started with ``scripts/neo4j`` for the session; without Java the tests skip, except under
``CI=true`` where they fail.  **Each test empties the database**, so the suite refuses to touch a database
that holds data it did not write itself.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.test_store_common import (  # noqa: E402
    StoreBehaviours,
    check_dates_round_trip,
    seed_base,
    snapshot,
    synthetic_dataset,
)

from graph.loading import load_dataset  # noqa: E402
from graph.neo4j_store import Neo4jStore  # noqa: E402
from graph.store import GraphStore, StoreError, open_store  # noqa: E402

MARKER = "test.suite"  # a Meta key this suite leaves in the database: "this one is mine to wipe"

pytestmark = [pytest.mark.neo4j]


async def _clear(store: GraphStore) -> None:
    await store.write([("graph.clear", {}), ("meta.set", {"key": MARKER, "value": "1"})])


async def _wipe(uri: str) -> None:
    """Empty the database — only if it is empty already or was last used by this suite."""
    store = await open_store(uri, seed=False)
    try:
        (row,) = await store.read("graph.node_count")
        mine = await store.read("meta.get", {"key": MARKER})
        if row["nodes"] > 1 and not mine:  # open() itself writes the schema.version node
            pytest.fail(
                f"the Neo4j database at {uri} holds data this suite did not write; point NEO4J_URI "
                f"(and NEO4J_DATABASE) at a throw-away server such as the one in docker-compose.yml"
            )
        await _clear(store)
    finally:
        await store.close()


@pytest.fixture
async def store(neo4j_uri):
    await _wipe(neo4j_uri)
    s = await open_store(neo4j_uri, seed=False)
    yield s
    await s.close()


@pytest.fixture
async def opener(neo4j_uri):
    await _wipe(neo4j_uri)  # leaves only the marker: no schema.version, so open() has to write it
    return lambda: open_store(neo4j_uri, seed=False)


class TestStoreBehaviours(StoreBehaviours):
    """The shared behaviours (test_store_common.py), each on a wiped database."""


async def test_bulk_path_builds_the_same_graph(store):
    """As the embedded check_bulk_matches_merge, one load after the other in the same database."""
    dataset = synthetic_dataset(200, 3000, alliances=20)
    shots = []
    for threshold in (1, 10**9):
        await _clear(store)
        await seed_base(store)
        stats = await load_dataset(store, dataset, bulk_threshold=threshold)
        assert stats.marks.created == 3000 and stats.bulk is (threshold == 1)
        shots.append(await snapshot(store, dataset))
    assert shots[0] == shots[1]


async def test_rows_are_plain_python(store):
    import datetime as dt

    await check_dates_round_trip(store)
    rows = await store.read("mark.existing", {"ids": [synthetic_dataset(2, 10).marks[0].id]})
    assert type(rows[0]["validFrom"]) is dt.date and isinstance(store, Neo4jStore)


@pytest.mark.skipif(not (os.environ.get("NEO4J_URI") and os.environ.get("NEO4J_PASSWORD")),
                    reason="needs a server with authentication (NEO4J_URI, NEO4J_PASSWORD); scripts/neo4j's has none")
async def test_bad_credentials_are_a_message(neo4j_uri, monkeypatch):
    monkeypatch.setenv("NEO4J_PASSWORD", "certainly-not-the-password")
    with pytest.raises(StoreError) as err:
        await open_store(neo4j_uri, seed=False)
    assert neo4j_uri in str(err.value) and "Traceback" not in str(err.value)
