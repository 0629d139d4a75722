"""Fixtures for tests/web: the demo dataset served by ``hub serve`` (per store), and a hub with
authentication on (real signed tokens, the JWKS and counting platform of tests/auth)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from tests.auth.conftest import AUDIENCE, ISSUER, Keys, KeyServer
from tests.support.hubproc import ROOT, HubServer, hub_cli

DEMO = ROOT / "seeds" / "demo" / "demo.yaml"
#: the day the list is asked for (``on``), so expired marks stay expired whatever day the suite runs
DAY = dt.date(2026, 12, 7)


def demo() -> dict[str, Any]:
    return yaml.safe_load(DEMO.read_text(encoding="utf-8"))


@pytest.fixture
def demo_hub(datasets) -> HubServer:
    """``hub serve`` over the demo dataset in the embedded store (started once per session)."""
    return datasets.served("ladybug", "demo", [DEMO], hub_env=False)


@pytest.fixture
def store_hub(backend, datasets, tmp_path_factory) -> HubServer:
    """``hub serve`` over the demo dataset, on each store.  On Neo4j the audit log would default to one file
    in the user's data directory, which another hub may hold: this one gets its own (when this fixture is
    the one that starts it)."""
    if backend == "ladybug":
        return datasets.served("ladybug", "demo", [DEMO], hub_env=False)
    audit = tmp_path_factory.mktemp("web-neo4j-audit") / "audit.jsonl"
    return datasets.served("neo4j", "demo", [DEMO], "--audit-log", str(audit), hub_env=False)


@pytest.fixture(scope="module")
def web_keys() -> Keys:
    return Keys()


@pytest.fixture(scope="module")
def web_key_server(web_keys: Keys) -> Iterator[KeyServer]:
    server = KeyServer()
    server.jwks = web_keys.public_set(web_keys.rsa)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def secured(web_key_server: KeyServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubServer]:
    """``hub serve --auth-jwks`` over the demo dataset, with a regional platform (the key server answers its
    searches with no studies); the log of this hub is this module's alone."""
    tmp = tmp_path_factory.mktemp("web-auth")
    graph = tmp / "graph.lbug"
    hub_cli("load", "--graph", str(graph), str(DEMO))
    platforms = tmp / "platforms.json"
    platforms.write_text(
        '{"platforms": [{"id": "counting", "name": "计数平台", "region": "110000", "protocol": "dicomweb", '
        f'"baseUrl": "http://127.0.0.1:{web_key_server.port}/dicom-web", "timeoutS": 5}}]}}', encoding="utf-8")
    server = HubServer(graph, "--auth-jwks", web_key_server.url, "--auth-issuer", ISSUER, "--auth-audience", AUDIENCE,
                       "--platforms", str(platforms), hub_env=False, log=tmp / "serve.log")
    yield server
    server.stop()

