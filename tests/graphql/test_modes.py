"""Development mode (the default on loopback) has introspection and GraphiQL; production mode has neither
unless enabled, and does not leak the schema through "Did you mean …?" suggestions either."""

from __future__ import annotations

import pytest

from hub.config import Settings
from tests.graphql.conftest import start_hub

INTROSPECTION = "{ __schema { queryType { name } types { name } } }"


@pytest.fixture(scope="module")
def production(demo_graph, tmp_path_factory):
    server = start_hub(demo_graph, tmp_path_factory.mktemp("prod"), "--mode", "production")
    yield server
    server.stop()


def test_development_is_the_default_on_loopback(hub):
    assert hub.request("GET", "/healthz")[2].decode().count('"development"') == 1
    out = hub.gql(INTROSPECTION)
    assert out["data"]["__schema"]["queryType"]["name"] == "Query"
    status, headers, _ = hub.request("GET", "/graphql", headers={"Accept": "text/html"})
    assert status == 200 and headers["content-type"].startswith("text/html")


def test_production_hides_introspection(production):
    out = production.gql(INTROSPECTION)
    assert out["data"] is None
    codes = {e["extensions"]["code"] for e in out["errors"]}
    assert codes == {"INTROSPECTION_DISABLED"}
    assert "introspection has been disabled" in out["errors"][0]["message"]
    assert "HUB_INTROSPECTION" in out["errors"][0]["message"]
    out = production.gql('{ __type(name: "Institution") { name } }')
    assert out["errors"][0]["extensions"]["code"] == "INTROSPECTION_DISABLED"


def test_production_hides_graphiql(production):
    status, headers, body = production.request("GET", "/graphql", headers={"Accept": "text/html"})
    assert status == 404 and b"GraphiQL" not in body
    assert production.request("GET", "/static/graphiql/graphiql.js")[0] == 404


def test_production_still_answers_queries_without_suggesting_fields(production):
    out = production.gql('{ institution(id: "bj-xh") { name tier } }')
    assert out["data"]["institution"] == {"name": "北京协和示例医院（示例）", "tier": "3A"}
    assert production.gql("{ __typename }")["data"] == {"__typename": "Query"}
    err = production.gql('{ institution(id: "bj-xh") { nam } }')["errors"][0]
    assert err["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED" and "Did you mean" not in err["message"]


def test_production_can_enable_them_explicitly(demo_graph, tmp_path):
    server = start_hub(demo_graph, tmp_path, env={"HUB_MODE": "production", "HUB_INTROSPECTION": "true",
                                                  "HUB_GRAPHIQL": "1"})
    try:
        assert b'"production"' in server.request("GET", "/healthz")[2]
        assert "errors" not in server.gql(INTROSPECTION)
        assert server.request("GET", "/graphql", headers={"Accept": "text/html"})[0] == 200
    finally:
        server.stop()


def test_development_can_turn_them_off(demo_graph, tmp_path):
    server = start_hub(demo_graph, tmp_path, "--no-introspection", "--no-graphiql")
    try:
        assert server.gql(INTROSPECTION)["errors"][0]["extensions"]["code"] == "INTROSPECTION_DISABLED"
        assert server.request("GET", "/graphql", headers={"Accept": "text/html"})[0] == 404
    finally:
        server.stop()


@pytest.mark.parametrize("host, mode", [
    ("127.0.0.1", "development"), ("localhost", "development"), ("::1", "development"), ("127.0.1.1", "development"),
    ("0.0.0.0", "production"), ("::", "production"), ("10.2.3.4", "production"), ("hub.hospital.local", "production"),
])
def test_mode_follows_the_bind_address(host, mode):
    s = Settings(host=host, mode=None, introspection=None, graphiql=None, auth_jwks="jwks.json")  # auth: off loopback
    assert s.effective_mode == mode
    assert s.introspection_enabled is s.graphiql_enabled is (mode == "development")
