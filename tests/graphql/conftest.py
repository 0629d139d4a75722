"""Fixtures for tests/graphql: one demo store loaded once, copied for each server that needs its own;
``store_hub``, the demo dataset served on each store in turn (LadybugDB, a real Neo4j) for the tests of
what the store answers (browsing, rows, federation's ``_entities``)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from hub.config import Settings
from tests.graphql.support import DEMO, InProcessHub, copy_graph, demo_target
from tests.support.hubproc import HUB, ROOT, HubServer


@pytest.fixture(scope="session")
def demo_graph(tmp_path_factory) -> Path:
    graph = tmp_path_factory.mktemp("graphql-demo") / "graph.lbug"
    subprocess.run([HUB, "load", "--graph", str(graph), str(ROOT / "seeds/demo/demo.yaml")], cwd=ROOT,
                   check=True, capture_output=True, timeout=600)
    return graph


@pytest.fixture
def graph_copy(demo_graph, tmp_path) -> Path:
    """A private copy of the demo store for one server."""
    return copy_graph(demo_graph, tmp_path / "store")


@pytest.fixture(scope="session")
def hub(demo_graph, tmp_path_factory):
    """``hub serve`` with default settings on loopback: development mode."""
    server = HubServer(copy_graph(demo_graph, tmp_path_factory.mktemp("hub-dev")), hub_env=False)
    yield server
    server.stop()


@pytest.fixture
def store_hub(backend, request, datasets) -> HubServer:
    """``hub serve`` over the demo dataset with default settings, on each store: the session's ``hub`` on
    LadybugDB, and one over the demo dataset loaded into Neo4j."""
    if backend == "ladybug":
        return request.getfixturevalue("hub")
    return datasets.served("neo4j", "demo", [DEMO], hub_env=False)


def start_hub(demo_graph: Path, tmp: Path, *args: str, env: dict | None = None) -> HubServer:
    """``hub serve`` on a copy of the demo store, set by `args` and `env` only (not this process's HUB_*)."""
    return HubServer(copy_graph(demo_graph, tmp), *args, env=env, hub_env=False)


class CountingStore:
    """Counts store reads by statement name (the tests' view of "one read per type / per field")."""

    def __init__(self, store):
        self._store = store
        self.reads: list[str] = []

    def __getattr__(self, name):
        return getattr(self._store, name)

    async def read(self, name, params=None):
        self.reads.append(name)
        return await self._store.read(name, params)


@pytest.fixture(scope="module")
def counted_hubs():
    started: dict[str, InProcessHub] = {}
    yield started
    for server in started.values():
        server.stop()


@pytest.fixture
def counted(backend, counted_hubs, datasets, demo_graph, tmp_path_factory):
    """An in-process hub over the demo dataset whose store counts its reads, on each store."""
    graph = demo_target(backend, datasets, demo_graph, tmp_path_factory.mktemp("counted")) \
        if backend == "neo4j" or backend not in counted_hubs else None
    if backend not in counted_hubs:
        holder = {}

        def wrap(store):
            holder["store"] = CountingStore(store)
            return holder["store"]

        # its own audit log: a Neo4j-backed hub's default one (in the user's data directory) is held by one
        # process at a time
        audit = tmp_path_factory.mktemp("counted-audit") / "audit.jsonl"
        server = InProcessHub(Settings(graph=graph, audit_log=str(audit)), wrap_store=wrap)
        server.store = holder["store"]
        counted_hubs[backend] = server
    return counted_hubs[backend]
