"""Fixtures for tests/graphql: one demo store loaded once, copied for each server that needs its own;
``store_hub``, the demo dataset served on each store in turn (LadybugDB, a real Neo4j) for the tests of
what the store answers (browsing, rows, federation's ``_entities``)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.graphql.support import DEMO, copy_graph
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
