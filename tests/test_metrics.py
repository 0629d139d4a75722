"""/metrics counts the answers the hub gives, by governing policy and verdict (Prometheus text format)."""

from __future__ import annotations

import re
import urllib.request

import pytest

from tests.support.hubproc import ROOT, HubServer, hub_cli


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    graph = tmp_path_factory.mktemp("metrics") / "g.lbug"
    hub_cli("load", "--graph", str(graph), str(ROOT / "seeds/demo/demo.yaml"))
    s = HubServer(graph)
    yield s
    s.stop()


def _metric(server, name: str, **labels: str) -> float:
    with urllib.request.urlopen(f"{server.url}/metrics", timeout=5) as r:
        text = r.read().decode()
    want = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    selector = re.escape(f"{{{want}}}") if want else ""
    m = re.search(rf"^{name}{selector} (\S+)$", text, re.M)
    return float(m.group(1)) if m else 0.0


def test_verdicts_are_counted_per_policy(server):
    before = _metric(server, "hub_recognitions_total", policy="JJJ", verdict="RECOGNIZED")
    errors_before = _metric(server, "hub_recognition_errors_total", code="UNKNOWN_INSTITUTION")
    q = """query($s: [StudyInput!]!) { recognizabilities(studies: $s, at: "he-sjz-1", on: "2026-11-23") { verdict } }"""
    study = {"institution": "bj-xh", "item": "BJ-IMG:BW23ZYZZZ-00", "performedOn": "2026-11-11"}
    server.query(q, {"s": [study] * 3 + [{**study, "institution": "ghost"}]})
    assert _metric(server, "hub_recognitions_total", policy="JJJ", verdict="RECOGNIZED") == before + 3
    assert _metric(server, "hub_recognition_errors_total", code="UNKNOWN_INSTITUTION") == errors_before + 1
    assert _metric(server, "hub_graphql_request_seconds_count") >= 1
