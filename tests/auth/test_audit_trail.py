"""The audit trail of patient data (CONTRACT.md "Audit"; issue 15) through a real ``hub serve``: one event per
patient per request, allowed or refused, chained; ``hub audit verify`` after a mixed run and after a kill -9
in the middle of a priorStudies burst; ``auditEvents`` for auditors only; the raw patient id in no log."""

from __future__ import annotations

import json
import os
import signal
import threading
from pathlib import Path

from tests.auth.conftest import KeyServer
from tests.support.hubproc import ROOT, HubServer, hub_cli

PATIENT = "110101199001011234"  # shaped like a 居民身份证号: the kind of id that must never reach a log
PRIOR = """query($id: String!, $at: ID!) { priorStudies(patient: {id: $id, issuer: "BJ"}, at: $at, on: "2026-11-23") {
  platforms { id ok } } }"""
EVENTS = """query($id: String!) { auditEvents(patient: {id: $id, issuer: "BJ"}) {
  time operation outcome code user role institution at client patient platforms { id ok } prev hash } }"""


def _bearer(keys, role, **claims):
    return {"Authorization": f"Bearer {keys.token(role=role, **claims)}"}


def _verify(log: Path) -> tuple[int, str]:
    run = hub_cli("audit", "verify", str(log), check=False)
    return run.returncode, run.stdout + run.stderr


def test_mixed_run_is_audited_chained_and_readable_by_auditors(secured_hub, keys, auth_graph):
    clinician = _bearer(keys, "clinician", sub="dr-li", institution="bj-xh")
    assert "errors" not in secured_hub.post({"query": PRIOR, "variables": {"id": PATIENT, "at": "bj-xh"}},
                                            headers=clinician)[1]
    refused = secured_hub.post({"query": PRIOR, "variables": {"id": PATIENT, "at": "he-sjz-1"}}, headers=clinician)[1]
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    # auditors read the trail; nobody else does
    status, out = secured_hub.post({"query": EVENTS, "variables": {"id": PATIENT}},
                                   headers=_bearer(keys, "auditor", sub="audit-wang"))
    assert status == 200 and "errors" not in out, out
    mine = [e for e in out["data"]["auditEvents"] if e["user"] == "dr-li"]
    assert [(e["operation"], e["outcome"], e["at"]) for e in mine[-2:]] == [
        ("priorStudies", "success", "bj-xh"), ("priorStudies", "forbidden", "he-sjz-1")]
    ok, forbidden = mine[-2:]
    assert ok["role"] == "clinician" and ok["institution"] == "bj-xh" and ok["client"] == "127.0.0.1"
    assert ok["platforms"] == [{"id": "counting", "ok": True}] and forbidden["code"] == "FORBIDDEN"
    assert ok["patient"].startswith("p_") and PATIENT not in json.dumps(out)
    assert forbidden["prev"] == ok["hash"]  # consecutive events of this run are chained
    for role, claims in (("clinician", {"institution": "bj-xh"}), ("analyst", {}), ("admin", {})):
        denied = secured_hub.post({"query": EVENTS, "variables": {"id": PATIENT}}, headers=_bearer(keys, role, **claims))[1]
        assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN", (role, denied)

    log = Path(f"{auth_graph}.audit.jsonl")
    code, said = _verify(log)
    assert code == 0, said
    # the raw id is nowhere: not in the audit file, not in the server's log, not in any file beside the store
    for path in auth_graph.parent.rglob("*"):
        if path.is_file() and path.suffix in (".jsonl", ".log", ".json"):
            assert PATIENT.encode() not in path.read_bytes(), path


def test_verify_names_the_line_whose_byte_changed(secured_hub, keys, auth_graph, tmp_path):
    secured_hub.post({"query": PRIOR, "variables": {"id": PATIENT, "at": "bj-xh"}},
                     headers=_bearer(keys, "clinician", institution="bj-xh"))
    copy = tmp_path / "audit.jsonl"
    lines = Path(f"{auth_graph}.audit.jsonl").read_bytes().splitlines(keepends=True)
    assert len(lines) >= 2
    tampered = bytearray(lines[1])
    tampered[tampered.index(b'"outcome":"') + 11] ^= 0x01  # one bit of one byte
    copy.write_bytes(lines[0] + bytes(tampered) + b"".join(lines[2:]))
    code, said = _verify(copy)
    assert code != 0 and "line 2" in said, said


def test_kill_9_during_a_prior_studies_burst_leaves_a_chain_that_verifies(tmp_path, keys):
    graph = tmp_path / "graph.lbug"
    hub_cli("load", "--graph", str(graph), str(ROOT / "seeds/demo/demo.yaml"))
    platform = KeyServer()  # answers QIDO with [] (and would serve a JWKS; not used: auth off on loopback)
    platforms = tmp_path / "platforms.json"
    platforms.write_text(json.dumps({"platforms": [{"id": "p", "region": "110000",
                                                    "baseUrl": f"http://127.0.0.1:{platform.port}/dicom-web"}]}))
    log = Path(f"{graph}.audit.jsonl")
    try:
        for round_ in range(2):  # the second round resumes the chain the kill left behind
            hub = HubServer(graph, "--platforms", str(platforms), hub_env=False)
            stop = threading.Event()

            def burst() -> None:
                while not stop.is_set():
                    try:
                        hub.post({"query": PRIOR, "variables": {"id": PATIENT, "at": "bj-xh"}}, timeout=5)
                    except Exception:
                        return

            threads = [threading.Thread(target=burst) for _ in range(8)]
            for t in threads:
                t.start()
            while len(log.read_bytes().splitlines()) < 40 * (round_ + 1):
                pass
            os.kill(hub.proc.pid, signal.SIGKILL)
            hub.proc.wait()
            stop.set()
            for t in threads:
                t.join()
            code, said = _verify(log)
            assert code == 0, said
        events = [json.loads(line) for line in log.read_bytes().splitlines() if line.startswith(b"{")]
        assert {e.get("user") for e in events if e.get("operation") == "priorStudies"} == {"anonymous"}
        assert PATIENT.encode() not in log.read_bytes()
    finally:
        platform.stop()


def test_an_empty_patient_id_is_bad_input_not_an_audit_failure(secured_hub, keys):
    """Refused before any audit, naming the argument (patient.id) and the value given; in Chinese by default,
    in English on request."""
    english = {PRIOR: PRIOR.replace("$at: ID!)", "$at: ID!, $lang: Language)").replace('on: "2026-11-23")',
                                                                                         'on: "2026-11-23", lang: $lang)'),
               EVENTS: EVENTS.replace("$id: String!)", "$id: String!, $lang: Language)").replace(
                   'issuer: "BJ"})', 'issuer: "BJ"}, lang: $lang)')}
    for query, variables in ((PRIOR, {"id": " ", "at": "bj-xh"}), (EVENTS, {"id": ""})):
        role = {"role": "clinician", "institution": "bj-xh"} if query is PRIOR else {"role": "auditor"}
        out = secured_hub.post({"query": query, "variables": variables}, headers=_bearer(keys, **role))[1]
        assert out["errors"][0]["extensions"] == {"code": "BAD_INPUT", "argument": "patient.id",
                                                  "value": variables["id"]}, out
        assert out["errors"][0]["message"].startswith("参数 patient.id：患者 ID 为空"), out
        en = secured_hub.post({"query": english[query], "variables": {**variables, "lang": "EN"}},
                              headers=_bearer(keys, **role))[1]
        assert en["errors"][0]["extensions"] == out["errors"][0]["extensions"], en
        assert en["errors"][0]["message"].startswith("argument patient.id: the patient id is empty"), en
