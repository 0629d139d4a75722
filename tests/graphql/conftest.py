"""Fixtures for tests/graphql: one demo store loaded once, copied for each server that needs its own."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.graphql.support import copy_graph
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


def start_hub(demo_graph: Path, tmp: Path, *args: str, env: dict | None = None) -> HubServer:
    """``hub serve`` on a copy of the demo store, set by `args` and `env` only (not this process's HUB_*)."""
    return HubServer(copy_graph(demo_graph, tmp), *args, env=env, hub_env=False)
