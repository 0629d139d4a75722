"""Authorization (CONTRACT.md "Who is asking"; issue 15): every role against every patient-data field, allowed
and refused; a refusal is FORBIDDEN before any platform is asked.  Plus /admin/load, rate limits and the
refusal to serve off loopback without authentication."""

from __future__ import annotations

import json

import pytest

from hub.services.access import PATIENT_DATA, RULES
from tests.support.hubproc import ROOT, HubServer, hub_cli

PRIOR = """query($at: ID!) { priorStudies(patient: {id: "P-0001", issuer: "BJ"}, at: $at, on: "2026-11-23") {
  studies { studyInstanceUid } platforms { id ok } } }"""

#: (role, extra claims, at, allowed) — clinician of bj-xh, portal of {bj-xh, bj-hd-3b}
CASES = [
    ("clinician", {"institution": "bj-xh"}, "bj-xh", True),
    ("clinician", {"institution": "bj-xh"}, "bj-hd-3b", False),
    ("portal", {"institutions": ["bj-xh", "bj-hd-3b"]}, "bj-hd-3b", True),
    ("portal", {"institutions": ["bj-xh", "bj-hd-3b"]}, "he-sjz-1", False),
    ("analyst", {}, "bj-xh", False),
    ("auditor", {}, "bj-xh", False),
    ("admin", {}, "bj-xh", False),
]


@pytest.mark.parametrize("role, claims, at, allowed", CASES, ids=[f"{c[0]}@{c[2]}" for c in CASES])
def test_prior_studies_by_role(secured_hub, keys, key_server, role, claims, at, allowed):
    before = key_server.platform_requests
    status, out = secured_hub.post({"query": PRIOR, "variables": {"at": at}},
                                   headers={"Authorization": f"Bearer {keys.token(role=role, **claims)}"})
    assert status == 200
    if allowed:
        assert "errors" not in out, out
        assert out["data"]["priorStudies"]["platforms"] == [{"id": "counting", "ok": True}]
        assert key_server.platform_requests > before
    else:
        assert out["data"] is None
        error = out["errors"][0]
        assert error["extensions"]["code"] == "FORBIDDEN", out
        assert key_server.platform_requests == before  # refused before any platform is asked
        # what would be allowed, in Chinese by default (seeds/messages refusals: access.*)
        if role in ("clinician", "portal"):
            assert error["extensions"]["argument"] == "at" and error["extensions"]["value"] == at, out
            assert "只能在" in error["message"] and at in error["message"], out
        else:
            assert "仅限以下角色使用" in error["message"] and "clinician、portal" in error["message"], out
            assert role in error["message"], out


def test_a_refusal_is_in_english_on_request(secured_hub, keys):
    query = PRIOR.replace('on: "2026-11-23")', 'on: "2026-11-23", lang: EN)')
    status, out = secured_hub.post({"query": query, "variables": {"at": "he-sjz-1"}},
                                   headers={"Authorization": f"Bearer {keys.token(role='clinician', institution='bj-xh')}"})
    assert status == 200 and out["errors"][0]["extensions"]["code"] == "FORBIDDEN", out
    assert out["errors"][0]["message"] == ("argument at: a clinician of bj-xh may read patient data only at bj-xh, "
                                           "not at he-sjz-1"), out


def test_every_patient_data_field_is_bound_to_clinician_and_portal():
    """The matrix itself (hub.services.access.RULES): the fields the contract lists, nobody else."""
    assert PATIENT_DATA == {"priorStudies", "reminders", "decisions", "recordView", "recordDecision"}
    assert {f: sorted(RULES[f]) for f in PATIENT_DATA} == {f: ["clinician", "portal"] for f in PATIENT_DATA}
    assert sorted(RULES["recognitionMetrics"]) == ["admin", "analyst"]
    assert sorted(RULES["auditEvents"]) == ["auditor"]


@pytest.mark.parametrize("role", ["clinician", "portal", "analyst", "auditor", "admin"])
def test_non_patient_fields_are_open_to_every_role(secured_hub, keys, role):
    claims = {"institution": "bj-xh"} if role == "clinician" else {"institutions": ["bj-xh"]} if role == "portal" else {}
    status, out = secured_hub.post({"query": '{ institution(id: "bj-xh") { id name } }'},
                                   headers={"Authorization": f"Bearer {keys.token(role=role, **claims)}"})
    assert status == 200 and out["data"]["institution"]["id"] == "bj-xh", out


def test_admin_load_needs_an_admin_token(secured_hub, keys):
    body = json.dumps({"files": [str(ROOT / "seeds/demo/demo.yaml")]}).encode()
    status, _, _ = secured_hub.request("POST", "/admin/load", body, {"Content-Type": "application/json"})
    assert status == 401
    status, _, data = secured_hub.request("POST", "/admin/load", body, {
        "Authorization": f"Bearer {keys.token(role='analyst')}"})
    assert status == 403 and "admin" in json.loads(data)["error"]
    status, _, data = secured_hub.request("POST", "/admin/load", body, {
        "Authorization": f"Bearer {keys.token(role='admin')}"})
    assert status == 200 and json.loads(data)["ok"], data


def test_rate_limit_per_caller_answers_429_with_retry_after(tmp_path, keys, key_server):
    graph = tmp_path / "graph.lbug"
    hub_cli("load", "--graph", str(graph), str(ROOT / "seeds/demo/demo.yaml"))
    hub = HubServer(graph, "--auth-jwks", key_server.url, "--rate-limit", "3/minute",
                    "--institution-rate-limit", "none", hub_env=False)
    try:
        ask = {"query": "{ __typename }"}
        mine = {"Authorization": f"Bearer {keys.token(role='analyst', sub='busy')}"}
        assert [hub.post(ask, headers=mine)[0] for _ in range(3)] == [200, 200, 200]
        status, headers, body = hub.request("POST", "/graphql", json.dumps(ask).encode(),
                                            {"Content-Type": "application/json", **mine})
        assert status == 429 and 1 <= int(headers["retry-after"]) <= 60
        assert json.loads(body)["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
        other = {"Authorization": f"Bearer {keys.token(role='analyst', sub='calm')}"}
        assert hub.post(ask, headers=other)[0] == 200  # per caller: another sub is not held back
    finally:
        hub.stop()


def test_rate_limit_per_institution_sums_its_callers(tmp_path, keys, key_server):
    graph = tmp_path / "graph.lbug"
    hub_cli("load", "--graph", str(graph), str(ROOT / "seeds/demo/demo.yaml"))
    hub = HubServer(graph, "--auth-jwks", key_server.url, "--rate-limit", "none",
                    "--institution-rate-limit", "4/minute", hub_env=False)
    try:
        ask = {"query": "{ __typename }"}
        codes = [hub.post(ask, headers={"Authorization": f"Bearer {keys.token(role='clinician', sub=f'dr-{i}', institution='bj-xh')}"})[0]
                 for i in range(5)]
        assert codes == [200, 200, 200, 200, 429]
    finally:
        hub.stop()


def test_serving_off_loopback_without_auth_is_refused(tmp_path):
    run = hub_cli("serve", "--graph", str(tmp_path / "g.lbug"), "--host", "0.0.0.0", check=False)
    assert run.returncode != 0
    assert "--auth-jwks" in run.stderr and "HUB_AUTH=off" in run.stderr, run.stderr


def test_auth_off_serves_off_loopback_with_a_warning(tmp_path):
    graph = tmp_path / "graph.lbug"
    hub_cli("load", "--graph", str(graph), str(ROOT / "seeds/demo/demo.yaml"))
    hub = HubServer(graph, "--host", "0.0.0.0", env={"HUB_AUTH": "off"}, hub_env=False)
    try:
        assert hub.post({"query": "{ __typename }"})[0] == 200
        assert "HUB_AUTH=off" in hub.log.read_text() and "without authentication" in hub.log.read_text()
    finally:
        hub.stop()
