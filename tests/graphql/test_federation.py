"""Apollo Federation: the hub is a subgraph a real gateway composes with another subgraph.

The gateway is the Hive Gateway CLI from npm (tools/gateway, pinned in package-lock.json), composing the
hub (``hub serve``) and a small subgraph of this test's own (a bed registry, uvicorn) with
``--dev-service``; the query needs both.  ``_entities`` batching is checked on an in-process hub whose
store counts reads.  Both run on each store (the demo dataset on LadybugDB and on a real Neo4j).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.graphql.support import GATEWAY_TOOLS
from tests.support.hubproc import ROOT, Http, free_port, terminate, wait_http

HIVE = GATEWAY_TOOLS / "node_modules" / ".bin" / "hive-gateway"


class Proc(Http):
    def __init__(self, args: list[str], ready_path: str, log: Path, cwd: Path = ROOT, env: dict | None = None) -> None:
        self.port = free_port()
        self.log = log
        self._log = open(log, "w")
        self.proc = subprocess.Popen(
            [a.replace("{port}", str(self.port)) for a in args], cwd=cwd, stdout=self._log,
            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env={**os.environ, **(env or {})},
            start_new_session=True,
        )
        try:
            wait_http(f"{self.url}{ready_path}", self.proc, log, timeout=120)
        except Exception:
            self.stop()
            raise

    def stop(self) -> None:
        terminate(self.proc, group=True)
        self._log.close()


@pytest.fixture(scope="module")
def beds(tmp_path_factory):
    server = Proc(
        [sys.executable, "-m", "uvicorn", "tests.graphql.beds_subgraph:app", "--host", "127.0.0.1",
         "--port", "{port}", "--log-level", "warning"],
        "/?query=%7B__typename%7D", tmp_path_factory.mktemp("beds") / "beds.log",
    )
    yield server
    server.stop()


@pytest.fixture(scope="module")
def gateways():
    """The gateways started in this module, by backend: each composes that store's hub with the beds."""
    started: dict[str, Proc] = {}
    yield started
    for server in started.values():
        server.stop()


@pytest.fixture
def gateway(backend, store_hub, beds, gateways, tmp_path_factory):
    """Hive Gateway over the demo hub on each store (``store_hub``) and the bed registry."""
    if backend not in gateways:
        assert HIVE.exists(), "Hive Gateway CLI missing: run scripts/install-test-deps.sh (cd tools/gateway && npm ci)"
        work = tmp_path_factory.mktemp(f"gateway-{backend}")
        gateways[backend] = Proc(
            [str(HIVE), "supergraph", "--dev-service", f"hub={store_hub.url}/graphql", "--dev-service",
             f"beds={beds.url}/", "--host", "127.0.0.1", "--port", "{port}"],
            "/readiness", work / "gateway.log", cwd=work, env={"NODE_NO_WARNINGS": "1"},
        )
    return gateways[backend]


QUERY = """
{
  institution(id: "bj-xh") { name tier tierLevel region beds alliances { id name } }
  transfers { patient to { id name tier beds } }
}
"""


def test_gateway_answers_a_query_that_needs_both_subgraphs(gateway):
    out = gateway.gql(QUERY)
    assert "errors" not in out, out
    inst = out["data"]["institution"]
    # name/tier/alliances come from the hub, beds from the bed registry
    assert inst["name"] == "北京协和示例医院（示例）" and inst["tier"] == "3A" and inst["tierLevel"] == "TERTIARY_A"
    assert inst["beds"] == 2000
    assert inst["alliances"] == [{"id": "bj-dc-yl", "name": "东城示例医联体（示例）"}]
    # transfers come from the registry; their institutions' names from the hub's _entities
    transfers = {t["patient"]: t["to"] for t in out["data"]["transfers"]}
    assert transfers["P-002"] == {"id": "he-sjz-1", "name": "石家庄第一示例医院（示例）", "tier": "3A", "beds": 1500}
    assert transfers["P-004"]["name"] == "天津和平示例医院（示例）"


def test_core_question_through_the_gateway(gateway):
    out = gateway.gql(
        'query($s: StudyInput!) { recognizability(study: $s, at: "he-sjz-1", on: "2026-11-23") { verdict mark targetItem } }',
        {"s": {"institution": "bj-xh", "item": "BJ-IMG:BW23ZYZZZ-00", "performedOn": "2026-11-11"}},
    )
    assert out["data"]["recognizability"] == {"verdict": "RECOGNIZED", "mark": "京津冀HR", "targetItem": "HE-IMG:122"}


def test_gateway_overhead(gateway, store_hub):
    """Median latency of one hub query directly and through the gateway (printed; bounded loosely)."""
    q = {"query": '{ institution(id: "bj-xh") { name tier region } }'}

    def median_ms(server: Http, n: int = 150) -> float:
        for _ in range(10):
            server.post(q)
        times = []
        for _ in range(n):
            t = time.perf_counter()
            status, out = server.post(q)
            times.append((time.perf_counter() - t) * 1000)
            assert status == 200 and "errors" not in out
        return statistics.median(times)

    direct, via = median_ms(store_hub), median_ms(gateway)
    print(f"\nhub direct {direct:.2f} ms, via Hive Gateway {via:.2f} ms, overhead {via - direct:.2f} ms (median of 150)")
    assert via - direct < 100


def test_entities_cost_one_store_read_per_type(counted):
    ids = ["bj-xh", "bj-dc-2", "bj-cy-c", "bj-hd-3b", "tj-hp", "he-sjz-1", "he-sjz-2", "he-bd", "zj-hz-1", "ghost"]
    reps = (
        [{"__typename": "Institution", "id": i} for i in ids]
        + [{"__typename": "Region", "code": c} for c in ("110000", "130000", "130100", "JJJ", "CN", "999999")]
        + [{"__typename": "Alliance", "id": a} for a in ("bj-dc-yl", "zj-xh-gt", "nope")]
        + [{"__typename": "CatalogItem", "ref": r} for r in ("BJ-IMG:BW23ZYZZZ-00", "HE-IMG:122", "BJ-IMG:BPONZZZZ7-00")]
    )
    q = """query($r: [_Any!]!) { _entities(representations: $r) {
        __typename
        ... on Institution { id name tier alliances { id } }
        ... on Region { code name level parents }
        ... on Alliance { id kind name }
        ... on CatalogItem { ref name modality }
    } }"""
    counted.store.reads.clear()
    out = counted.gql(q, {"r": reps})
    assert "errors" not in out, out
    got = out["data"]["_entities"]
    assert len(got) == len(reps)
    assert [g and g.get("id") for g in got[: len(ids)]] == ids[:-1] + [None]  # unknown key → null, order kept
    assert got[0]["alliances"] == [{"id": "bj-dc-yl"}]
    regions = got[len(ids): len(ids) + 6]
    assert regions[1] == {"__typename": "Region", "code": "130000", "name": "河北省", "level": "province",
                          "parents": ["CN", "JJJ"]}
    assert regions[-1] is None
    alliances = got[len(ids) + 6: len(ids) + 9]
    assert alliances[0]["kind"] == "city_medical_group" and alliances[-1] is None
    items = got[-3:]
    assert items[0]["name"] == "胸部 CT 平扫" and items[1]["ref"] == "HE-IMG:122"
    assert items[2]["ref"] == "BJ-IMG:BP0NZZZZ7-00"  # the printed OCR variant (letter O) resolves
    # 9 institutions + their alliances, 6 regions, 3 alliances: one read each kind; items are in memory
    assert sorted(counted.store.reads) == sorted(
        ["q.institution", "q.institution_alliances", "q.regions_by_codes", "q.alliances_by_ids"]
    ), counted.store.reads


def test_a_malformed_representation_is_bad_input_at_its_element(counted):
    """strawberry failed the whole _entities field on an unknown __typename (KeyError) and an element on a
    missing key field (TypeError), both masked as INTERNAL_SERVER_ERROR; the well-formed ones must still
    resolve, in order."""
    reps = [{"__typename": "Institution", "id": "bj-xh"}, {"__typename": "Hospital", "id": "bj-xh"},
            {"__typename": "Region", "name": "河北省"}, {"__typename": "Region", "code": "130000"}]
    out = counted.gql('query($r: [_Any!]!) { _entities(representations: $r) { __typename '
                      '... on Institution { id } ... on Region { code } } }', {"r": reps})
    assert [e and (e.get("id") or e.get("code")) for e in out["data"]["_entities"]] == ["bj-xh", None, None, "130000"]
    errors = {tuple(e["path"]): e for e in out["errors"]}
    assert set(errors) == {("_entities", 1), ("_entities", 2)}, out["errors"]
    assert {e["extensions"]["code"] for e in errors.values()} == {"BAD_INPUT"}
    assert "'Hospital' is not an entity" in errors[("_entities", 1)]["message"]
    assert "Institution" in errors[("_entities", 1)]["message"]
    assert "Region is referenced by code; missing code" in errors[("_entities", 2)]["message"]


def test_fields_beyond_the_key_are_ignored_and_a_key_of_the_wrong_type_is_bad_input(counted):
    """Found by tests/graphql/test_fuzz.py: a representation with more than its key (a gateway's @requires
    fields) reached resolve_reference as unexpected keyword arguments — a masked INTERNAL_SERVER_ERROR."""
    reps = [{"__typename": "Institution", "id": "bj-xh", "code": "x", "name": "extra"},
            {"__typename": "Region", "code": 130000},
            {"__typename": "CatalogItem", "ref": "HE-IMG:122", "id": "HE-IMG:122"}]
    out = counted.gql('query($r: [_Any!]!) { _entities(representations: $r) { __typename '
                      '... on Institution { id } ... on CatalogItem { ref } } }', {"r": reps})
    assert [e and (e.get("id") or e.get("ref")) for e in out["data"]["_entities"]] == ["bj-xh", None, "HE-IMG:122"]
    (error,) = out["errors"]
    assert error["path"] == ["_entities", 1] and error["extensions"]["code"] == "BAD_INPUT"
    assert "Region.code must be a string, got int" in error["message"]
