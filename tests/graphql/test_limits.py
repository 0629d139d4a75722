"""Every limit refuses with a GraphQL error that names it; defaults let the contract's 500-study batch through.

Limits are set the ways an operator sets them (``hub serve`` options and ``HUB_*`` variables) on real
``hub serve`` processes; error masking uses an in-process server whose store fails on purpose.
"""

from __future__ import annotations

import http.client
import json

import pytest

from hub.config import Settings
from tests.graphql.conftest import start_hub
from tests.graphql.support import InProcessHub, copy_graph

STUDY = {"institution": "bj-xh", "item": "BJ-IMG:BW23ZYZZZ-00", "performedOn": "2026-11-11"}
BATCH = 'query($s: [StudyInput!]!) { recognizabilities(studies: $s, at: "he-sjz-1", on: "2026-11-23") { verdict mark } }'


def only_error(out: dict) -> dict:
    assert out.get("data") is None or all(v is None for v in (out["data"] or {}).values()), out
    (err,) = out["errors"]
    return err


@pytest.fixture(scope="module")
def limited(demo_graph, tmp_path_factory):
    server = start_hub(
        demo_graph, tmp_path_factory.mktemp("limited"),
        "--max-depth", "1", "--max-tokens", "120", "--max-body-bytes", "4000",
        env={"HUB_MAX_ALIASES": "2", "HUB_MAX_BATCH": "5"},
    )
    yield server
    server.stop()


def test_depth_limit(limited):
    """Depth counts the levels below the root field: { institution { name } } is 1."""
    assert "errors" not in limited.gql('{ institution(id: "bj-xh") { name } }')
    err = only_error(limited.gql('query Deep { institution(id: "bj-xh") { alliances { name } } }'))
    assert err["extensions"] == {"code": "DEPTH_LIMIT_EXCEEDED", "limit": 1}
    assert "query depth limit exceeded" in err["message"] and "'Deep'" in err["message"]
    assert "HUB_MAX_DEPTH" in err["message"] and "--max-depth" in err["message"]


def test_depth_limit_sees_through_fragments(limited):
    q = 'query { institution(id: "bj-xh") { ...A } } fragment A on Institution { alliances { ...B } } fragment B on Alliance { id }'
    assert only_error(limited.gql(q))["extensions"]["code"] == "DEPTH_LIMIT_EXCEEDED"


def test_alias_limit_from_the_environment(limited):
    assert "errors" not in limited.gql("{ a: catalogs { id } b: catalogs { id } }")
    err = only_error(limited.gql("{ a: catalogs { id } b: catalogs { id } c: catalogs { id } }"))
    assert err["extensions"] == {"code": "ALIAS_LIMIT_EXCEEDED", "limit": 2}
    assert "alias limit exceeded: 3 aliases, at most 2" in err["message"] and "HUB_MAX_ALIASES" in err["message"]
    # aliases hidden in fragments count too
    q = "{ ...F } fragment F on Query { a: catalogs { id } b: catalogs { id } c: catalogs { id } }"
    assert only_error(limited.gql(q))["extensions"]["code"] == "ALIAS_LIMIT_EXCEEDED"


def test_token_limit(limited):
    fields = " ".join(["id name tier region"] * 30)
    err = only_error(limited.gql(f'{{ institution(id: "bj-xh") {{ {fields} }} }}'))
    assert err["extensions"] == {"code": "TOKEN_LIMIT_EXCEEDED", "limit": 120}
    assert "token limit exceeded" in err["message"] and "HUB_MAX_TOKENS" in err["message"]


def test_body_size_limit(limited):
    big = {"query": "{ catalogs { id } }", "variables": {"pad": "x" * 5000}}
    status, out = limited.post(big)
    assert status == 413
    err = only_error(out)
    assert err["extensions"] == {"code": "BODY_TOO_LARGE", "limit": 4000}
    assert "request body too large" in err["message"] and "HUB_MAX_BODY_BYTES" in err["message"]


def test_body_size_limit_without_content_length(limited):
    """A chunked body (no Content-Length) is counted as it arrives."""
    conn = http.client.HTTPConnection("127.0.0.1", limited.port, timeout=30)
    body = json.dumps({"query": "{ catalogs { id } }", "variables": {"pad": "x" * 6000}}).encode()
    conn.request("POST", "/graphql", body=iter([body[:3000], body[3000:]]),
                 headers={"Content-Type": "application/json", "Transfer-Encoding": "chunked"}, encode_chunked=True)
    r = conn.getresponse()
    out = json.loads(r.read())
    conn.close()
    assert r.status == 413 and out["errors"][0]["extensions"]["code"] == "BODY_TOO_LARGE"
    # a small chunked body still goes through
    conn = http.client.HTTPConnection("127.0.0.1", limited.port, timeout=30)
    body = json.dumps({"query": "{ catalogs { id } }"}).encode()
    conn.request("POST", "/graphql", body=iter([body]), headers={"Content-Type": "application/json"}, encode_chunked=True)
    r = conn.getresponse()
    assert r.status == 200 and len(json.loads(r.read())["data"]["catalogs"]) == 7
    conn.close()


def test_batch_limit(limited):
    assert len(limited.gql(BATCH, {"s": [STUDY] * 5})["data"]["recognizabilities"]) == 5
    err = only_error(limited.gql(BATCH, {"s": [STUDY] * 6}))
    assert err["extensions"]["code"] == "BATCH_TOO_LARGE" and err["extensions"]["limit"] == 5
    assert "at most 5 studies" in err["message"] and "HUB_MAX_BATCH" in err["message"]


def test_execution_timeout(demo_graph, tmp_path):
    server = start_hub(demo_graph, tmp_path, "--timeout", "0.001")
    try:
        err = only_error(server.gql(BATCH, {"s": [STUDY] * 1000}))
        assert err["extensions"] == {"code": "TIMEOUT", "limit": 0.001}
        assert err["message"].startswith("execution exceeded 0.001 s") and "HUB_TIMEOUT_S" in err["message"]
        # the server is fine afterwards
        assert server.request("GET", "/healthz")[0] == 200
    finally:
        server.stop()


def test_default_limits_take_the_contracts_500_studies_inline_and_1000_as_variables(hub):
    literal = ", ".join(
        '{institution: "bj-xh", item: "BJ-IMG:BW23ZYZZZ-00", performedOn: "2026-11-11"}' for _ in range(500)
    )
    q = ('{ recognizabilities(studies: [' + literal + '], at: "he-sjz-1", on: "2026-11-23") '
         '{ verdict mark markCode targetItem validUntil policy reasons { code source clause text } } }')
    out = hub.gql(q)
    assert "errors" not in out and len(out["data"]["recognizabilities"]) == 500
    out = hub.gql(BATCH, {"s": [STUDY] * 1000})
    assert "errors" not in out and {r["verdict"] for r in out["data"]["recognizabilities"]} == {"RECOGNIZED"}


@pytest.mark.parametrize("query, variables", [
    ('{ recognizability(study: {institution: "bj-xh", item: "BJ-IMG:BW23ZYZZZ-00", performedOn: "2026-13-45"}, at: "he-sjz-1") { verdict } }', None),
    ('query($on: Date) { recognizability(study: {institution: "bj-xh", item: "BJ-IMG:BW23ZYZZZ-00", performedOn: "2026-11-11"}, at: "he-sjz-1", on: $on) { verdict } }', {"on": "next tuesday"}),
    ('query($s: StudyInput!) { recognizability(study: $s, at: "he-sjz-1") { verdict } }', {"s": {"institution": "bj-xh"}}),
    ('{ institutions(first: 99999999999) { id } }', None),
    ('{ recognizability(study: {institution: "bj-xh", item: 5, performedOn: "2026-11-11"}, at: "he-sjz-1") { verdict } }', None),
])
def test_bad_input_is_a_coded_graphql_error_not_a_500(hub, query, variables):
    status, out = hub.post({"query": query, "variables": variables})
    assert status == 200, out
    assert out["data"] is None and out["errors"], out
    assert {e["extensions"]["code"] for e in out["errors"]} == {"BAD_INPUT"}, out


def test_other_request_errors_are_coded_json(hub):
    err = only_error(hub.gql("{ institution(id: "))
    assert err["extensions"]["code"] == "GRAPHQL_PARSE_FAILED" and err["message"].startswith("Syntax Error")
    err = only_error(hub.gql('{ institution(id: "bj-xh") { nope } }'))
    assert err["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED" and "nope" in err["message"]
    status, out = hub.post(b"{not json")
    assert status == 400 and out["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    status, out = hub.post({"query": "{ catalogs { id } }"}, headers={"Content-Type": "text/plain"})
    assert status in (400, 415) and out["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


class FailingStore:
    """A store whose alliance read fails the way a driver does: an exception full of internals."""

    def __init__(self, store):
        self._store = store

    def __getattr__(self, name):
        return getattr(self._store, name)

    async def read(self, name, params=None):
        if name == "q.alliance":
            raise RuntimeError("Binder exception: table Catalog at /srv/secret/graph.lbug password=hunter2")
        return await self._store.read(name, params)


@pytest.fixture(scope="module")
def failing(demo_graph, tmp_path_factory):
    graph = copy_graph(demo_graph, tmp_path_factory.mktemp("failing"))
    server = InProcessHub(Settings(graph=str(graph)), wrap_store=FailingStore)
    yield server
    server.stop()


def test_unexpected_errors_are_masked_but_the_others_are_not(failing, caplog):
    out = failing.gql('{ alliance(id: "bj-dc-yl") { name } institution(id: "bj-xh") { name } }')
    assert out["data"]["institution"]["name"] == "北京协和示例医院（示例）"  # the rest of the query answers
    (err,) = out["errors"]
    assert out["data"]["alliance"] is None
    assert err["path"] == ["alliance"] and err["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert "secret" not in json.dumps(out) and "Binder" not in json.dumps(out) and "hunter2" not in json.dumps(out)
    assert err["extensions"]["errorId"] in err["message"]
    # the log has the details under the same id
    assert any(err["extensions"]["errorId"] in r.getMessage() and r.exc_info for r in caplog.records)
    # errors the hub raises on purpose, validation and limits keep their messages
    err = only_error(failing.gql('{ recognizability(study: {institution: "ghost", item: "BJ-IMG:BW23ZYZZZ-00", performedOn: "2026-11-11"}, at: "he-sjz-1") { verdict } }'))
    assert err["extensions"] == {"code": "UNKNOWN_INSTITUTION", "value": "ghost"} and "ghost" in err["message"]
    assert "Cannot query field" in only_error(failing.gql("{ nope }"))["message"]


def test_cors_is_off_by_default(hub):
    status, headers, _ = hub.request("OPTIONS", "/graphql", headers={
        "Origin": "http://portal.example", "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in headers


def test_cors_allows_the_configured_origins_only(demo_graph, tmp_path):
    server = start_hub(demo_graph, tmp_path, "--cors-origin", "http://portal.example",
                       env={"HUB_CORS_ORIGINS": "http://ignored.example"})
    try:
        pre = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
        status, headers, _ = server.request("OPTIONS", "/graphql", headers={"Origin": "http://portal.example", **pre})
        assert status == 200 and headers["access-control-allow-origin"] == "http://portal.example"
        assert "POST" in headers["access-control-allow-methods"]
        status, headers, _ = server.request("OPTIONS", "/graphql", headers={"Origin": "http://evil.example", **pre})
        assert status == 400 and "access-control-allow-origin" not in headers
        status, headers, body = server.request(
            "POST", "/graphql", json.dumps({"query": "{ catalogs { id } }"}).encode(),
            {"Content-Type": "application/json", "Origin": "http://portal.example"})
        assert status == 200 and headers["access-control-allow-origin"] == "http://portal.example"
    finally:
        server.stop()


def test_cors_from_the_environment(demo_graph, tmp_path):
    server = start_hub(demo_graph, tmp_path, env={"HUB_CORS_ORIGINS": "http://a.example, http://b.example"})
    try:
        _, headers, _ = server.request("OPTIONS", "/graphql", headers={
            "Origin": "http://b.example", "Access-Control-Request-Method": "POST"})
        assert headers.get("access-control-allow-origin") == "http://b.example"
    finally:
        server.stop()


def test_bad_limit_settings_are_refused_clearly(demo_graph, tmp_path):
    import subprocess

    from tests.support.hubproc import HUB, ROOT

    r = subprocess.run([HUB, "serve", "--graph", str(tmp_path / "g.lbug"), "--max-depth", "0"], cwd=ROOT,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode != 0 and "max_depth" in r.stderr and "Traceback" not in r.stderr
    r = subprocess.run([HUB, "serve", "--graph", str(tmp_path / "g.lbug"), "--mode", "prod"], cwd=ROOT,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode != 0 and "HUB_MODE" in r.stderr and "Traceback" not in r.stderr
    import os

    r = subprocess.run([HUB, "serve", "--graph", str(tmp_path / "g.lbug")], cwd=ROOT, capture_output=True, text=True,
                       timeout=60, env={**os.environ, "HUB_TIMEOUT_S": "soon"})
    assert r.returncode != 0 and "HUB_TIMEOUT_S" in r.stderr and "'soon'" in r.stderr and "Traceback" not in r.stderr
    # uvicorn announced port 99999 as running, failed to bind it and exited without a word
    r = subprocess.run([HUB, "serve", "--graph", str(tmp_path / "g.lbug"), "--port", "99999"], cwd=ROOT,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode != 0 and "99999" in r.stderr and "HUB_PORT" in r.stderr and "Traceback" not in r.stderr


def test_no_websocket_endpoint(hub):
    """No subscriptions exist; a WebSocket would bypass the HTTP limits, so the handshake is refused."""
    import base64
    import os

    status, _, _ = hub.request("GET", "/graphql", headers={
        "Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": base64.b64encode(os.urandom(16)).decode(), "Sec-WebSocket-Protocol": "graphql-transport-ws"})
    assert status != 101
