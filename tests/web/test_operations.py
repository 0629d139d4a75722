"""Operations (issue 17 item 5): the Grafana dashboard and Prometheus alerts of deploy/ name only metrics a
real hub exports; /metrics without ``_created`` series; one access log line per request without patient ids or
query strings; ``hub --version``; the start page at ``/`` and the addresses ``hub serve`` prints."""

from __future__ import annotations

import importlib.metadata
import json
import re
import time
import urllib.parse

import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from tests.support.hubproc import ROOT, hub_cli
from tests.web.conftest import DAY

DASHBOARD = ROOT / "deploy" / "grafana" / "huren-hub.json"
ALERTS = ROOT / "deploy" / "prometheus" / "alerts.yml"
SCRAPE = ROOT / "deploy" / "prometheus" / "prometheus.yml"
#: series Prometheus records itself for every scrape target (not exported by the hub)
PROMETHEUS_OWN = {"up"}
#: PromQL words that look like metric names in an expression (functions, aggregations, keywords)
PROMQL_WORDS = {
    "sum", "rate", "increase", "histogram_quantile", "by", "without", "and", "or", "unless", "changes", "absent",
    "le", "on", "ignoring", "group_left", "group_right", "label_values", "max", "min", "avg", "count", "topk",
    "instance", "job", "platform", "policy", "verdict", "code", "ok",
}
CHECK = """{ recognizability(study: {institution: "bj-xh", item: "BJ-IMG:BW23ZYZZZ-00", performedOn: "2026-11-11"},
  at: "he-sjz-1", on: "2026-11-23") { verdict } }"""


def scrape(hub) -> tuple[str, dict[str, str]]:
    status, headers, body = hub.request("GET", "/metrics")
    assert status == 200 and headers["content-type"].startswith("text/plain")
    text = body.decode()
    return text, {f.name: f.type for f in text_string_to_metric_families(text)}


def exported_series(families: dict[str, str]) -> set[str]:
    """Every series name the families produce: a counter ``x`` is ``x_total``, a histogram ``x`` is
    ``x_bucket``, ``x_sum``, ``x_count``."""
    out = set()
    for name, kind in families.items():
        if kind == "counter":
            out.add(name + "_total")
        elif kind == "histogram":
            out.update({name + "_bucket", name + "_sum", name + "_count"})
        else:
            out.add(name)
    return out


def metric_names(expr: str) -> set[str]:
    expr = re.sub(r'"[^"]*"', '""', expr)  # label values
    expr = re.sub(r"\{[^}]*\}", "", expr)  # label matchers
    expr = re.sub(r"\[[^\]]*\]", "", expr)  # ranges
    words = set(re.findall(r"(?<![\w$.])([a-zA-Z_:][a-zA-Z0-9_:]*)(?![\w(]*\()", expr))
    calls = set(re.findall(r"([a-zA-Z_]+)\s*\(", expr))
    return {w for w in words - calls - PROMQL_WORDS if not w.startswith("__")}


def dashboard_exprs() -> list[str]:
    dash = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    exprs = [t["expr"] for p in dash["panels"] for t in p.get("targets", ())]
    exprs += [v["definition"] for v in dash["templating"]["list"] if v.get("definition")]
    return exprs


def alert_rules() -> list[dict]:
    doc = yaml.safe_load(ALERTS.read_text(encoding="utf-8"))
    return [r for g in doc["groups"] for r in g["rules"]]


def test_deploy_files_load_and_are_well_formed():
    dash = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    assert dash["uid"] == "huren-hub" and dash["schemaVersion"] >= 36 and dash["panels"]
    ids = [p["id"] for p in dash["panels"]]
    assert len(ids) == len(set(ids))
    for p in dash["panels"]:
        assert p["type"] in ("row", "timeseries", "stat") and p["title"] and set(p["gridPos"]) == {"x", "y", "w", "h"}
        assert 0 <= p["gridPos"]["x"] and p["gridPos"]["x"] + p["gridPos"]["w"] <= 24
        for t in p.get("targets", ()):
            assert t["expr"].count("(") == t["expr"].count(")") and t["refId"], (p["title"], t)
    doc = yaml.safe_load(ALERTS.read_text(encoding="utf-8"))
    assert [g["name"] for g in doc["groups"]] == ["huren-hub"]
    names = [r["alert"] for r in alert_rules()]
    assert len(names) == len(set(names)) and "HubDown" in names
    for r in alert_rules():
        assert set(r) <= {"alert", "expr", "for", "labels", "annotations", "keep_firing_for"}, r["alert"]
        assert r["labels"]["severity"] in ("critical", "warning", "info") and r["annotations"]["summary"]
        assert r["expr"].count("(") == r["expr"].count(")"), r["alert"]
        assert 'job="huren-hub"' in r["expr"], r["alert"]
        if "for" in r:
            assert re.fullmatch(r"\d+[smh]", r["for"]), r["alert"]
    scrape_config = yaml.safe_load(SCRAPE.read_text(encoding="utf-8"))
    assert [j["job_name"] for j in scrape_config["scrape_configs"]] == ["huren-hub"]
    assert scrape_config["rule_files"] == ["alerts.yml"]


def test_dashboard_and_alerts_name_only_metrics_the_hub_exports(demo_hub):
    demo_hub.gql(CHECK)  # a labelled sample exists too (families are listed with or without samples)
    text, families = scrape(demo_hub)
    exported = exported_series(families)
    for name in ("hub_recognitions_total", "hub_recognition_errors_total", "hub_graphql_request_seconds_bucket",
                 "hub_platform_searches_total", "hub_platform_search_seconds_bucket"):
        assert name in exported, name
    used: dict[str, set[str]] = {}
    for where, exprs in (("dashboard", dashboard_exprs()), ("alerts", [r["expr"] for r in alert_rules()])):
        for expr in exprs:
            for name in metric_names(expr):
                used.setdefault(name, set()).add(where)
    unknown = {n: w for n, w in used.items() if n not in exported | PROMETHEUS_OWN}
    assert not unknown, f"named in deploy/ but not exported by the hub: {unknown}"
    # and the panels cover what the hub exports of its own
    own = {n for n in exported if n.startswith("hub_")}
    assert {n.removesuffix("_bucket") for n in own if n.endswith("_bucket")} | {
        n for n in own if n.endswith("_total")} <= {n.removesuffix("_bucket") for n in used} | set(used)


def test_metric_name_extraction_finds_what_it_should():
    assert metric_names('sum by (le) (rate(hub_graphql_request_seconds_bucket{job="$job", le="10.0"}[5m])) > 1') == {
        "hub_graphql_request_seconds_bucket"}
    assert metric_names('up{job="huren-hub"} == 0 and changes(process_start_time_seconds[1h]) > 3') == {
        "up", "process_start_time_seconds"}


def test_metrics_without_created_series(demo_hub):
    demo_hub.gql(CHECK)
    text, _ = scrape(demo_hub)
    assert "hub_recognitions_total{" in text
    assert "_created" not in text


def test_access_log_has_each_request_and_no_patient_id(secured, web_keys):
    patient = "P-ACCESSLOG-4711"
    token = web_keys.token(role="clinician", institution="bj-xh", sub="dr-accesslog")
    query = f'query {{ priorStudies(patient: {{id: "{patient}", issuer: "BJ"}}, at: "bj-xh", on: "2026-11-23") {{ platforms {{ id ok }} }} }}'
    status, body = secured.post({"query": query, "variables": {"p": patient}}, headers={"Authorization": f"Bearer {token}"})
    assert status == 200 and body["data"]["priorStudies"]["platforms"] == [{"id": "counting", "ok": True}], body
    # the same question as a GET with the operation in the query string, and one refused without a token
    get = "/graphql?" + urllib.parse.urlencode({"query": query, "variables": json.dumps({"patient": patient})})
    assert secured.request("GET", get, headers={"Authorization": f"Bearer {token}"})[0] == 200
    assert secured.request("POST", "/graphql", json.dumps({"query": query}).encode(),
                           {"Content-Type": "application/json"})[0] == 401
    assert secured.request("GET", f"/public/list.json?on={DAY}&region=110000")[0] == 200
    log = ""
    for _ in range(50):  # the line is written after the response is sent
        log = secured.log.read_text(encoding="utf-8", errors="replace")
        if log.count("path=/public/list.json ") >= 1:
            break
        time.sleep(0.1)
    assert patient not in log and "P-ACCESSLOG" not in log
    assert token not in log and "variables" not in log and "region=110000" not in log
    lines = [line for line in log.splitlines() if " access " in line]
    assert any(re.search(r" access method=POST path=/graphql status=200 ms=[\d.]+ sub=dr-accesslog client=127\.0\.0\.1$",
                         line) for line in lines), lines
    assert any(re.search(r" access method=GET path=/graphql status=200 ms=[\d.]+ sub=dr-accesslog client=127\.0\.0\.1$",
                         line) for line in lines), lines
    assert any(re.search(r" access method=POST path=/graphql status=401 ms=[\d.]+ sub=- client=127\.0\.0\.1$", line)
               for line in lines), lines
    assert any(" access method=GET path=/public/list.json status=200 " in line and " sub=- " in line for line in lines)
    # a path cannot forge a second line
    secured.request("GET", "/x%0Aaccess%20method=GET%20path=/forged")
    time.sleep(0.3)
    log = secured.log.read_text(encoding="utf-8", errors="replace")
    assert not any(line.startswith("access method=GET path=/forged") for line in log.splitlines())
    assert "path=/x\\x0aaccess\\x20method=GET\\x20path=/forged status=404" in log


def test_hub_version():
    out = hub_cli("--version")
    assert out.stdout.strip() == f"hub {importlib.metadata.version('huren-hub')}"


def test_serve_prints_where_it_answers(demo_hub):
    log = demo_hub.log.read_text(encoding="utf-8", errors="replace")
    base = f"http://127.0.0.1:{demo_hub.port}"
    assert f"GraphiQL {base}/graphql" in log and f"public list {base}/public" in log


def test_start_page_points_to_graphiql_the_list_and_the_docs(demo_hub):
    status, headers, body = demo_hub.request("GET", "/")
    page = body.decode()
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in headers["content-security-policy"]
    hrefs = set(re.findall(r'href="([^"]+)"', page))
    assert {"/graphql", "/public", "/public/list.json", "/healthz", "/metrics"} <= hrefs
    assert all(h.startswith("/") for h in hrefs)
    for doc in ("README.md", "docs/DESIGN.md", "CONTRACT.md", "deploy/"):
        assert doc in page
    for href in hrefs - {"/graphql"}:
        assert demo_hub.request("GET", href)[0] == 200, href


def test_start_page_without_graphiql(tmp_path):
    from tests.support.hubproc import HubServer
    from tests.web.conftest import DEMO

    graph = tmp_path / "graph.lbug"
    hub_cli("load", "--graph", str(graph), str(DEMO))
    server = HubServer(graph, "--no-graphiql", hub_env=False)
    try:
        page = server.request("GET", "/")[2].decode()
        assert 'href="/graphql"' not in page and "GraphiQL 未启用" in page
        log = server.log.read_text(encoding="utf-8", errors="replace")
        assert f"public list http://127.0.0.1:{server.port}/public" in log and "GraphiQL http" not in log
    finally:
        server.stop()
