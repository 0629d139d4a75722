"""The act of recognition end to end (issue 16, "Done when"; CONTRACT.md "The act of recognition"): a real
``hub serve --auth-jwks`` over each store, the three real Orthanc platforms of tests/connectors, clinicians'
signed tokens.  Order → reminders → view → accept one, reject one with its reason → restart the hub →
``decisions`` returns both with the recorded fields; the refusals (a missing reason, patientInformed, an
exclusion the document does not list); a clinician of another institution refused everywhere; every call
audited (the events counted, the chain verified, the raw patient id in no file)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.auth.conftest import AUDIENCE, ISSUER
from tests.connectors.conftest import CY, ISSUER as PATIENT_ISSUER, ON, PATIENT
from tests.support.hubproc import HubServer, hub_cli

DATASET = {
    "institutions": [
        {"id": "bj-xh", "name": "北京协和医院", "tier": "3A", "region": "110101", "ownership": "public",
         "kind": "general", "aliases": ["协和医院", "PUMCH"]},
        {"id": "bj-cy", "name": "北京朝阳医院", "tier": "3A", "region": "110105", "ownership": "public", "kind": "general"},
        {"id": "bj-hd", "name": "海淀示例医院", "tier": "3A", "region": "110108", "ownership": "public", "kind": "general"},
        {"id": "he-2", "name": "河北医科大学第二医院", "tier": "3A", "region": "130102", "ownership": "public", "kind": "general"},
        # the Chongqing platform's MR angiography comes from here; a Chengdu hospital orders under 004
        {"id": "cq-x", "name": "重庆某未登记医院", "tier": "3A", "region": "500103", "ownership": "public", "kind": "general"},
        {"id": "sc-cd", "name": "成都示例医院", "tier": "3A", "region": "510104", "ownership": "public", "kind": "general"},
    ],
    "marks": [
        {"institution": "bj-xh", "item": "BJ-IMG:B020ZYZZZ-00", "scope": "110000", "validFrom": "2019-01-01"},
        {"institution": "bj-cy", "item": "BJ-IMG:BW23ZYZZZ-00", "scope": "110000", "validFrom": "2024-01-01"},
        {"institution": "he-2", "item": "HE-IMG:219", "scope": "JJJ", "validFrom": "2024-01-01"},
        {"institution": "cq-x", "item": "CY-IMG:116", "scope": "CY", "validFrom": "2024-01-01"},
    ],
}

P = {"id": PATIENT, "issuer": PATIENT_ISSUER}
STUDY = "platform studyInstanceUid performedOn institution item"
REMINDERS = f"""query($p: PatientInput!, $at: ID!, $orders: [String!]!, $on: Date) {{
  reminders(patient: $p, at: $at, orders: $orders, on: $on) {{
    id orderedItem viewed issuedOn at study {{ {STUDY} }} recognition {{ verdict markCode policy }} decision {{ id decision }}
  }}
}}"""
VIEW = f"""mutation($r: ID!) {{ recordView(reminder: $r) {{
  id viewed orderedItem study {{ {STUDY} }} recognition {{ verdict markCode reasons {{ code clause }} }} }} }}"""
DECISION = """id reminder decision reason exclusion exclusionClause archiveNo institutionName performedOn recordedAt by
  citation patientInformed diagnosisConsistent verdict orderedItem studyInstanceUid platform item at"""
DECIDE = f"mutation($in: DecisionInput!, $lang: Language) {{ recordDecision(input: $in, lang: $lang) {{ {DECISION} }} }}"
DECISIONS = f"""query($p: PatientInput!, $at: ID!, $since: Date) {{
  decisions(patient: $p, at: $at, since: $since) {{ {DECISION} }} }}"""

#: what the doctor at bj-hd orders on 2025-06-30: head CT (as OCR prints it: letter O for digit 0; then again as
#: Hebei's list names it — the same exam, one order), head MR, chest CT, chest DR (the prior chest DR is not
#: recognizable: no reminder)
ORDERS = ["BJ-IMG:B02OZYZZZ-00", "HE-IMG:95", "BJ-IMG:B030ZYZZZ-00", "BJ-IMG:BW23ZYZZZ-00", "BJ-IMG:BW03ZZZZ1-00"]


class Flow:
    """A hub over one store, restartable on the same store, audit log and pseudonym key; calls made with a
    token, each remembered with the audit outcome it must leave."""

    def __init__(self, graph: str, work: Path, key_server, keys, scenario) -> None:
        self.graph, self.keys = graph, keys
        self.audit = work / "audit.jsonl"
        platforms = work / "platforms.json"
        platforms.write_text(json.dumps(scenario.platform_file, ensure_ascii=False))
        self.args = ("--platforms", str(platforms), "--auth-jwks", key_server.url, "--auth-issuer", ISSUER,
                     "--auth-audience", AUDIENCE, "--audit-log", str(self.audit),
                     "--pseudonym-key-file", str(work / "pseudonym.key"),
                     "--rate-limit", "100000/minute", "--institution-rate-limit", "100000/minute")
        self.env = scenario.env
        self.log = work / "serve.log"
        self.server: HubServer | None = None
        self.expected: list[tuple[str, str, str | None]] = []  # (operation, outcome, code) per call, in order
        self.start()

    def start(self) -> None:
        self.server = HubServer(self.graph, *self.args, env=self.env, hub_env=False, log=self.log)

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None

    def ask(self, who: dict, query: str, variables: dict, *, audit: tuple[str, str, str | None] | None) -> dict:
        token = self.keys.token(role="clinician", **who)
        status, out = self.server.post({"query": query, "variables": variables},
                                       headers={"Authorization": f"Bearer {token}"})
        assert status == 200, (status, out)
        if audit is not None:
            self.expected.append(audit)
        return out


@pytest.fixture
def flow(backend, fresh_graph, tmp_path, key_server, keys, scenario) -> Iterator[Flow]:
    data = tmp_path / "data.json"
    data.write_text(json.dumps(DATASET, ensure_ascii=False))
    loaded = hub_cli("load", "--graph", fresh_graph, str(data), check=False)
    assert loaded.returncode == 0, loaded.stderr
    f = Flow(fresh_graph, tmp_path, key_server, keys, scenario)
    yield f
    f.stop()


def _error(out: dict) -> dict:
    assert out.get("errors"), out
    return out["errors"][0]["extensions"]


CJK = re.compile(r"[\u4e00-\u9fff]")


def _message(out: dict) -> str:
    assert out.get("errors"), out
    return out["errors"][0]["message"]


def test_order_remind_view_decide_restart_and_read_the_decisions(flow, scenario):
    li = {"sub": "dr-li", "institution": "bj-hd"}
    uids = {uid: key for key, uid in scenario.uids.items()}
    ask_reminders = {"p": P, "at": "bj-hd", "orders": ORDERS, "on": ON.isoformat()}

    out = flow.ask(li, REMINDERS, ask_reminders, audit=("reminders", "success", None))
    assert "errors" not in out, out
    got = out["data"]["reminders"]
    by_study = {(uids[r["study"]["studyInstanceUid"]], r["orderedItem"]): r for r in got}
    # the head CT (ordered as OCR prints the code) twice — 2025, and 2019 (001 sets no window; one thick series
    # only, so PHYSICIAN_DISCRETION) —, the Hebei head MR through the crosswalk, the chest CT without its thin
    # series (PHYSICIAN_DISCRETION); never the chest DR (NOT_RECOGNIZED)
    assert {k: r["recognition"]["verdict"] for k, r in by_study.items()} == {
        ("bj_ct", "BJ-IMG:B020ZYZZZ-00"): "RECOGNIZED",
        ("bj_old", "BJ-IMG:B020ZYZZZ-00"): "PHYSICIAN_DISCRETION",
        ("he_mr", "BJ-IMG:B030ZYZZZ-00"): "RECOGNIZED",
        ("bj_ct_thin_missing", "BJ-IMG:BW23ZYZZZ-00"): "PHYSICIAN_DISCRETION",
    }
    assert all(r["viewed"] is False and r["issuedOn"] == ON.isoformat() and r["at"] == "bj-hd" and r["decision"] is None
               for r in got)
    assert all(r["id"].startswith("r_") and PATIENT not in r["id"] for r in got)
    head_ct = by_study[("bj_ct", "BJ-IMG:B020ZYZZZ-00")]
    chest_ct = by_study[("bj_ct_thin_missing", "BJ-IMG:BW23ZYZZZ-00")]
    assert head_ct["study"]["institution"] == "bj-xh" and head_ct["recognition"]["markCode"] == "BJHR"

    # asked again (the code as the catalog prints it, another day): the same reminders, reminded once
    again = flow.ask(li, REMINDERS, {**ask_reminders, "orders": ["bj-img:b020zyzzz-00"], "on": "2025-07-01"},
                     audit=("reminders", "success", None))
    assert {r["id"] for r in again["data"]["reminders"]} == {head_ct["id"], by_study[("bj_old", "BJ-IMG:B020ZYZZZ-00")]["id"]}
    assert {r["issuedOn"] for r in again["data"]["reminders"]} == {ON.isoformat()}  # first issued stays

    viewed = flow.ask(li, VIEW, {"r": head_ct["id"]}, audit=("recordView", "success", None))
    assert "errors" not in viewed, viewed
    assert viewed["data"]["recordView"]["viewed"] is True
    assert viewed["data"]["recordView"]["study"]["studyInstanceUid"] == head_ct["study"]["studyInstanceUid"]
    assert viewed["data"]["recordView"]["recognition"]["verdict"] == "RECOGNIZED"

    # refusals, each naming the field to fix and the value given, in Chinese unless English is asked for;
    # nothing is stored
    for given, field, value in (({"decision": "REJECTED", "patientInformed": True}, "reason", None),
                                ({"decision": "REJECTED", "reason": "   ", "patientInformed": True}, "reason", "   "),
                                ({"decision": "REEXAMINED", "reason": "病情变化"}, "patientInformed", None),
                                ({"decision": "REJECTED", "reason": "病情变化", "patientInformed": False}, "patientInformed", False),
                                ({"decision": "REJECTED", "reason": "x", "patientInformed": True, "exclusion": "sunny day"},
                                 "exclusion", "sunny day"),
                                ({"decision": "ACCEPTED", "diagnosisConsistent": True}, "diagnosisConsistent", True)):
        for lang in ("ZH", "EN", None):
            out = flow.ask(li, DECIDE, {"in": {"reminder": chest_ct["id"], **given}, **({"lang": lang} if lang else {})},
                           audit=("recordDecision", "failure", "BAD_INPUT"))
            expected = {"code": "BAD_INPUT", "field": field, "argument": field}
            assert out["data"] is None and _error(out) == ({**expected, "value": value} if value is not None
                                                           else expected), (given, out)
            message = _message(out)
            assert field in message and (CJK.search(message) if lang != "EN" else message.startswith(
                f"argument {field}: ")), (lang, message)
            if isinstance(value, str):
                assert value in message if value.strip() else "未填写" in message or "nothing" in message
            if field in ("reason", "patientInformed"):  # the documents' clauses, as they number them
                assert "000 四(二)" in message and "004 6.6" in message and given["decision"] in message, message

    accept = {"reminder": head_ct["id"], "decision": "ACCEPTED", "archiveNo": "XH-2025-061001"}
    accepted = flow.ask(li, DECIDE, {"in": accept}, audit=("recordDecision", "success", None))
    assert "errors" not in accepted, accepted
    a = accepted["data"]["recordDecision"]
    retried = flow.ask(li, DECIDE, {"in": accept}, audit=("recordDecision", "success", None))["data"]["recordDecision"]
    assert retried == a  # idempotent: same id, same recordedAt

    reject = {"reminder": chest_ct["id"], "decision": "REJECTED", "reason": "胸痛加重，需薄层重建评估",
              "patientInformed": True, "exclusion": "三、5(六)"}
    rejected = flow.ask(li, DECIDE, {"in": reject}, audit=("recordDecision", "success", None))
    assert "errors" not in rejected, rejected
    r = rejected["data"]["recordDecision"]

    # a clinician of another institution: every field refused, each refusal audited
    wang = {"sub": "dr-wang", "institution": "bj-xh"}
    for query, variables, operation in (
            (REMINDERS, ask_reminders, "reminders"), (VIEW, {"r": head_ct["id"]}, "recordView"),
            (DECIDE, {"in": {**accept, "archiveNo": "other"}}, "recordDecision"),
            (DECISIONS, {"p": P, "at": "bj-hd"}, "decisions")):
        out = flow.ask(wang, query, variables, audit=(operation, "forbidden", "FORBIDDEN"))
        assert _error(out)["code"] == "FORBIDDEN", (operation, out)

    # the Chongqing platform's MR angiography at a Chengdu hospital: 004 6.6 says what to record
    chen = {"sub": "dr-chen", "institution": "sc-cd"}
    cy = flow.ask(chen, REMINDERS, {"p": P, "at": "sc-cd", "orders": ["CY-IMG:116"], "on": "2024-11-20"},
                  audit=("reminders", "success", None))
    assert "errors" not in cy, cy
    (mra,) = cy["data"]["reminders"]
    assert mra["study"]["platform"] == CY and mra["study"]["institution"] == "cq-x"
    cy_decided = flow.ask(chen, DECIDE, {"in": {"reminder": mra["id"], "decision": "ACCEPTED"}},
                          audit=("recordDecision", "success", None))
    assert "errors" not in cy_decided, cy_decided
    assert cy_decided["data"]["recordDecision"]["citation"] == "004 6.6"

    flow.stop()
    flow.start()

    out = flow.ask(li, DECISIONS, {"p": P, "at": "bj-hd"}, audit=("decisions", "success", None))
    assert "errors" not in out, out
    decided = {d["id"]: d for d in out["data"]["decisions"]}
    assert decided == {a["id"]: a, r["id"]: r}
    assert (a["decision"], a["archiveNo"], a["institutionName"], a["performedOn"], a["by"], a["verdict"],
            a["studyInstanceUid"], a["orderedItem"], a["reason"], a["exclusion"]) == (
        "ACCEPTED", "XH-2025-061001", "北京协和医院", "2025-06-10", "dr-li", "RECOGNIZED",
        head_ct["study"]["studyInstanceUid"], "BJ-IMG:B020ZYZZZ-00", None, None)
    assert a["citation"] == "001 三、互认规则"  # 001 says nothing of records: the rules the decision rests on
    assert (r["decision"], r["reason"], r["patientInformed"], r["exclusion"], r["exclusionClause"], r["citation"],
            r["institutionName"], r["performedOn"], r["verdict"]) == (
        "REJECTED", "胸痛加重，需薄层重建评估", True, "EXCLUSION_IMAGE_QUALITY", "001 三、5(六)", "001 三、5(六)",
        "北京朝阳医院", "2025-03-15", "PHYSICIAN_DISCRETION")
    assert a["recordedAt"].endswith("Z") and a["recordedAt"] <= r["recordedAt"]
    late = flow.ask(li, DECISIONS, {"p": P, "at": "bj-hd", "since": "2999-01-01"}, audit=("decisions", "success", None))
    assert late["data"]["decisions"] == []

    # the reminders survived too: same ids, viewed, the first issue day, their decisions
    after = flow.ask(li, REMINDERS, ask_reminders, audit=("reminders", "success", None))["data"]["reminders"]
    assert {x["id"] for x in after} == {x["id"] for x in got}
    state = {x["id"]: (x["viewed"], x["issuedOn"], (x["decision"] or {}).get("decision")) for x in after}
    assert state[head_ct["id"]] == (True, ON.isoformat(), "ACCEPTED")
    assert state[chest_ct["id"]] == (True, ON.isoformat(), "REJECTED")  # decided: seen

    # the last decision counts: re-examined after all, the rejection no longer listed
    reexam = {"reminder": chest_ct["id"], "decision": "REEXAMINED", "reason": "复查薄层CT", "patientInformed": True,
              "diagnosisConsistent": True}
    redo = flow.ask(li, DECIDE, {"in": reexam}, audit=("recordDecision", "success", None))["data"]["recordDecision"]
    now = flow.ask(li, DECISIONS, {"p": P, "at": "bj-hd"}, audit=("decisions", "success", None))["data"]["decisions"]
    assert {d["id"] for d in now} == {a["id"], redo["id"]} and redo["citation"] == "001 三、互认规则"

    # an empty patient id names nobody: refused, nothing to audit (no pseudonym)
    out = flow.ask(li, DECISIONS, {"p": {"id": ""}, "at": "bj-hd"}, audit=None)
    assert _error(out) == {"code": "BAD_INPUT", "field": "patient.id", "argument": "patient.id", "value": ""}
    assert "patient.id" in _message(out) and CJK.search(_message(out))

    # an unknown reminder: refused after the role check, audited at the caller's institution
    out = flow.ask(li, VIEW, {"r": "r_nosuchreminder"}, audit=("recordView", "failure", "UNKNOWN_REMINDER"))
    assert _error(out) == {"code": "UNKNOWN_REMINDER", "field": "reminder", "argument": "reminder",
                           "value": "r_nosuchreminder"}
    assert "r_nosuchreminder" in _message(out) and CJK.search(_message(out))
    flow.stop()

    # every call audited once, in order, with the patient's pseudonym (never the id); the chain verifies
    events = [json.loads(line) for line in flow.audit.read_text(encoding="utf-8").splitlines()]
    assert [(e["operation"], e["outcome"], e.get("code")) for e in events] == flow.expected
    patients = {e.get("patient") for e in events if e.get("code") != "UNKNOWN_REMINDER"}
    assert len(patients) == 1 and next(iter(patients)).startswith("p_")
    # each names the key that made its pseudonym, also where the patient came from a stored reminder
    # (recordView, recordDecision), so the events can be found again after a key rotation
    assert {e["operation"] for e in events if e.get("patient")} >= {"reminders", "recordView", "recordDecision"}
    assert len({e.get("keyId") for e in events if e.get("patient")} - {None}) == 1
    assert all(e.get("keyId") for e in events if e.get("patient")), [e for e in events if e.get("patient") and not e.get("keyId")]
    assert {e["at"] for e in events if e["user"] == "dr-wang"} == {"bj-hd"}  # refused where they asked (or the reminder's)
    assert [e["action"] for e in events if e["operation"] == "recordDecision" and e["outcome"] == "success"][0] == "C"
    verified = hub_cli("audit", "verify", str(flow.audit), check=False)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    for path in [flow.audit, flow.log, *Path(flow.graph).parent.glob("*")] if "://" not in flow.graph else [flow.audit, flow.log]:
        if path.is_file():
            assert PATIENT.encode() not in path.read_bytes(), path


@pytest.fixture
def flow_with_a_dead_platform(backend, fresh_graph, tmp_path, key_server, keys, scenario, unused_tcp_port) -> Iterator[Flow]:
    """The flow's hub with a fourth platform in its file that nothing listens for (connection refused)."""
    import dataclasses

    dead = {"id": "gx-cloud", "name": "广西影像云", "region": "450000", "protocol": "dicomweb",
            "baseUrl": f"http://127.0.0.1:{unused_tcp_port}/dicom-web", "timeoutS": 2}
    with_dead = dataclasses.replace(scenario, platform_file={
        "platforms": [*scenario.platform_file["platforms"], dead]})
    data = tmp_path / "data.json"
    data.write_text(json.dumps(DATASET, ensure_ascii=False))
    assert hub_cli("load", "--graph", fresh_graph, str(data), check=False).returncode == 0
    f = Flow(fresh_graph, tmp_path, key_server, keys, with_dead)
    yield f
    f.stop()


def test_a_platform_that_does_not_answer_is_an_error_beside_the_reminders(flow_with_a_dead_platform, scenario):
    """A failed regional platform yields partial results with a per-platform error: the reminders from the
    platforms that answered come back, and one PLATFORM_UNAVAILABLE error at ``reminders`` names the platform
    that did not (in Chinese by default, English on request) — so a doctor never reads "no reminder" as "no
    prior study" (004 6.6 重复检查提醒 depends on every platform being asked)."""
    flow = flow_with_a_dead_platform
    li = {"sub": "dr-li", "institution": "bj-hd"}
    ask = {"p": P, "at": "bj-hd", "orders": ORDERS, "on": ON.isoformat()}
    out = flow.ask(li, REMINDERS, ask, audit=("reminders", "success", None))
    uids = {uid: key for key, uid in scenario.uids.items()}
    assert {uids[r["study"]["studyInstanceUid"]] for r in out["data"]["reminders"]} == {
        "bj_ct", "bj_old", "he_mr", "bj_ct_thin_missing"}
    (error,) = out["errors"]
    assert error["path"] == ["reminders"]
    assert error["extensions"]["code"] == "PLATFORM_UNAVAILABLE" and error["extensions"]["platform"] == "gx-cloud"
    assert "区域平台 gx-cloud 未返回结果" in error["message"] and error["extensions"]["error"], error

    english = flow.ask(li, REMINDERS.replace("$on: Date) {", "$on: Date, $lang: Language) {").replace(
        "on: $on)", "on: $on, lang: $lang)"), {**ask, "lang": "EN"}, audit=("reminders", "success", None))
    assert english["data"]["reminders"] and english["errors"][0]["message"].startswith(
        "regional platform gx-cloud did not answer"), english


def test_an_unknown_institution_ordering_is_refused_in_the_language_asked(flow):
    """``at`` no dataset loaded (a clinician's token may name it): UNKNOWN_INSTITUTION naming ``at``, its message
    Chinese by default and English on request, as recognizability words it; no reminder is stored."""
    ghost = {"sub": "dr-ghost", "institution": "ghost-hospital"}
    ask = {"p": P, "at": "ghost-hospital", "orders": ORDERS, "on": ON.isoformat()}
    out = flow.ask(ghost, REMINDERS, ask, audit=("reminders", "failure", "UNKNOWN_INSTITUTION"))
    (error,) = out["errors"]
    assert error["extensions"] == {"code": "UNKNOWN_INSTITUTION", "field": "at", "argument": "at",
                                   "value": "ghost-hospital"}
    assert "未知机构 'ghost-hospital'" in error["message"] and error["message"].startswith("参数 at："), error
    english = flow.ask(ghost, REMINDERS.replace("$on: Date) {", "$on: Date, $lang: Language) {").replace(
        "on: $on)", "on: $on, lang: $lang)"), {**ask, "lang": "EN"}, audit=("reminders", "failure", "UNKNOWN_INSTITUTION"))
    (error,) = english["errors"]
    assert error["extensions"]["code"] == "UNKNOWN_INSTITUTION" and not CJK.search(error["message"]), error
    assert error["message"].startswith("argument at: unknown institution 'ghost-hospital'"), error
