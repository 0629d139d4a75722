"""One real ``hub serve`` on an embedded store loaded with the demo dataset and the acceptance extras."""

from __future__ import annotations

import pytest

from tests.support.hubproc import ROOT, HubServer, hub_cli

RECOGNITION_FIELDS = "verdict mark markCode targetItem validUntil policy reasons { code source clause text }"


@pytest.fixture(scope="session")
def hub_server(tmp_path_factory):
    graph = tmp_path_factory.mktemp("acceptance") / "graph.lbug"
    hub_cli("load", "--graph", str(graph), str(ROOT / "seeds/demo/demo.yaml"), str(ROOT / "tests/acceptance/extra.yaml"))
    server = HubServer(graph)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def ask(hub_server):
    """ask(source, item, performedOn, at, on, **context) -> the Recognition as a dict."""

    def _ask(source: str, item: str, performed: str, at: str, on: str, **context) -> dict:
        q = (
            "query($s: StudyInput!, $at: ID!, $on: Date, $c: ClinicalContext) {"
            f" recognizability(study: $s, at: $at, on: $on, context: $c) {{ {RECOGNITION_FIELDS} }} }}"
        )
        result = hub_server.query(
            q, {"s": {"institution": source, "item": item, "performedOn": performed}, "at": at, "on": on,
                "c": context or None}
        )
        assert "errors" not in result, result
        return result["data"]["recognizability"]

    return _ask


def codes(recognition: dict) -> list[str]:
    return [r["code"] for r in recognition["reasons"]]


def reason(recognition: dict, code: str) -> dict:
    for r in recognition["reasons"]:
        if r["code"] == code:
            return r
    raise AssertionError(f"no reason {code} in {recognition['reasons']}")
