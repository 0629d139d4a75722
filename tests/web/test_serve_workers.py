"""``hub serve --workers 2`` on both stores, through the real command (hub/web/workers.py): both worker
processes answer, with the answers one worker gives; ``hub load`` while serving is seen by every worker;
the audit chain verifies after a concurrent burst of patient-data requests with real tokens; a crashed
worker is replaced; SIGTERM stops every process."""

from __future__ import annotations

import http.client
import json
import os
import signal
import threading
import time
from pathlib import Path

import pytest

from tests.auth.conftest import AUDIENCE, ISSUER, Keys, KeyServer
from tests.support.hubproc import ROOT, HubServer, hub_cli

pytestmark = pytest.mark.slow

CHECKS = [
    ({"institution": "bj-xh", "item": "BJ-IMG:BW23ZYZZZ-00", "performedOn": "2026-11-11"}, "he-sjz-1"),
    ({"institution": "bj-xh", "item": "BJ-IMG:BW23ZYZZZ-00", "performedOn": "2026-11-11"}, "zj-hz-1"),
    ({"institution": "zj-hz-1", "item": "ZJ-IMG:BW23ZYZZZ", "performedOn": "2026-10-01"}, "zj-hz-2"),
    ({"institution": "sc-cd-1", "item": "CY-IMG:94", "performedOn": "2026-09-01"}, "cq-yz"),
]
CHECK = """query($s: StudyInput!, $at: ID!) { recognizability(study: $s, at: $at, on: "2026-11-23") {
  verdict mark markCode targetItem validUntil policy reasons { code source clause text } } }"""
INSTITUTION = "query($id: ID!) { institution(id: $id) { id name tier } }"
PRIOR = """query($id: String!, $at: ID!) { priorStudies(patient: {id: $id, issuer: "BJ"}, at: $at, on: "2026-11-23") {
  platforms { id ok } } }"""
NEW = {"id": "ws-new-1", "name": "工作进程示例医院（示例）", "tier": "2A", "region": "110101", "ownership": "public",
       "kind": "general"}


def _pids_seen(hub: HubServer, want: int, seconds: float = 90, *, resets: bool = False) -> set[int]:
    """The worker pids that answer /healthz, one new connection per request, until ``want`` differ (a
    worker still starting lets the others take every connection).  ``resets``: a connection reset is
    expected (a connection the kernel had queued for a worker that was just killed) and tried again."""
    pids: set[int] = set()
    deadline = time.monotonic() + seconds
    while len(pids) < want and time.monotonic() < deadline:
        try:
            status, _, body = hub.request("GET", "/healthz")
        except ConnectionResetError:
            if not resets:
                raise
            continue
        assert status == 200
        pids.add(json.loads(body)["pid"])
    return pids


def _on_one_connection(hub: HubServer, payload: dict, headers: dict) -> tuple[int, dict]:
    """(the pid of the worker that answered, its answer): /healthz and the query on one kept-alive
    connection, which one worker accepted."""
    conn = http.client.HTTPConnection(hub.host, hub.port, timeout=60)
    try:
        conn.request("GET", "/healthz")
        pid = json.loads(conn.getresponse().read())["pid"]
        conn.request("POST", "/graphql", body=json.dumps(payload), headers={"Content-Type": "application/json",
                                                                            **headers})
        response = conn.getresponse()
        assert response.status == 200
        return pid, json.loads(response.read())
    finally:
        conn.close()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _stopped(hub: HubServer, pids: set[int]) -> None:
    """SIGTERM to the supervisor stops it (exit 0) and every worker."""
    hub.proc.send_signal(signal.SIGTERM)
    assert hub.proc.wait(30) == 0
    deadline = time.monotonic() + 10
    while any(_alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [p for p in pids if _alive(p)], "workers outlived the supervisor"


@pytest.mark.parametrize("backend", [pytest.param("ladybug"), pytest.param("neo4j", marks=pytest.mark.neo4j)])
def test_two_workers_answer_alike_see_loads_and_keep_one_audit_chain(backend, tmp_path: Path, request):
    graph = request.getfixturevalue("neo4j_scratch") if backend == "neo4j" else str(tmp_path / "graph.lbug")
    hub_cli("load", "--graph", graph, str(ROOT / "seeds/demo/demo.yaml"))
    keys, idp = Keys(), KeyServer()  # the identity provider's keys; also the platform (QIDO: no studies)
    idp.jwks = keys.public_set(keys.rsa)
    platforms = tmp_path / "platforms.json"
    platforms.write_text(json.dumps({"platforms": [{"id": "p", "region": "110000",
                                                    "baseUrl": f"http://127.0.0.1:{idp.port}/dicom-web"}]}))
    audit = tmp_path / "audit.jsonl"
    serve = ["--auth-jwks", idp.url, "--auth-issuer", ISSUER, "--auth-audience", AUDIENCE,
             "--platforms", str(platforms), "--audit-log", str(audit),
             "--rate-limit", "100000/minute", "--institution-rate-limit", "100000/minute"]
    clinician = {"Authorization": f"Bearer {keys.token(role='clinician', sub='dr-li', institution='bj-xh')}"}
    analyst = {"Authorization": f"Bearer {keys.token(role='analyst', sub='an-wu')}"}
    admin = f"Bearer {keys.token(role='admin', sub='ops')}"
    try:
        one = HubServer(graph, *serve, hub_env=False, log=tmp_path / "serve-1.log")
        try:
            def ask(hub: HubServer) -> list[dict]:
                out = []
                for study, at in CHECKS:
                    status, answer = hub.post({"query": CHECK, "variables": {"s": study, "at": at}}, headers=analyst)
                    assert status == 200 and "errors" not in answer, answer
                    out.append(answer["data"])
                return out

            alone = ask(one)
        finally:
            one.stop()

        hub = HubServer(graph, *serve, "--workers", "2", hub_env=False, log=tmp_path / "serve-2.log")
        pids: set[int] = set()
        try:
            pids = _pids_seen(hub, 2)
            assert len(pids) == 2, f"only {pids} answered"
            for _ in range(5):  # both workers, the answers of one
                assert ask(hub) == alone

            # a load while serving, seen by every worker once it returns
            dataset = tmp_path / "new.json"
            dataset.write_text(json.dumps({"institutions": [NEW]}, ensure_ascii=False), encoding="utf-8")
            loaded = hub_cli("load", "--graph", graph, str(dataset), env={"HUB_TOKEN": admin.removeprefix("Bearer ")})
            if backend == "ladybug":
                assert "through hub serve" in loaded.stdout, loaded.stdout
            answered_by: set[int] = set()
            for asked in range(1, 41):
                pid, answer = _on_one_connection(hub, {"query": INSTITUTION, "variables": {"id": NEW["id"]}}, analyst)
                assert answer["data"]["institution"]["name"] == NEW["name"], answer
                answered_by.add(pid)
                if answered_by == pids:
                    break
            assert answered_by == pids

            # a burst of patient-data requests from many threads: one chain, every event in it
            def burst() -> None:
                for _ in range(10):
                    status, answer = hub.post({"query": PRIOR, "variables": {"id": "110101199001011234", "at": "bj-xh"}},
                                              headers=clinician)
                    assert status == 200 and "errors" not in answer, answer

            threads = [threading.Thread(target=burst) for _ in range(8)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            events = [json.loads(line) for line in audit.read_bytes().splitlines()]
            assert sum(e.get("operation") == "priorStudies" for e in events) == 80
            assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
            verified = hub_cli("audit", "verify", str(audit), check=False)
            assert verified.returncode == 0, verified.stdout + verified.stderr

            # the counters of /metrics are every worker's
            status, _, body = hub.request("GET", "/metrics", headers={"Authorization": admin})
            assert status == 200, body[:300]
            served = sum(float(line.split()[-1]) for line in body.decode().splitlines()
                         if line.startswith("hub_graphql_request_seconds_count"))
            assert served == 5 * len(CHECKS) + asked + 80  # every /graphql request since the start, on either

            # a worker that dies is replaced, the server goes on
            victim = next(iter(pids))
            os.kill(victim, signal.SIGKILL)
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                now = _pids_seen(hub, 2, seconds=2, resets=True)
                if len(now) == 2 and victim not in now:
                    break
            assert len(now) == 2 and victim not in now, now
            pids = now
        finally:
            if hub.proc.poll() is None:
                _stopped(hub, pids)
        if backend == "ladybug":
            assert not Path(f"{graph}.serve.json").exists()  # the announcement is gone with the server
            assert hub_cli("load", "--graph", graph, str(dataset)).returncode == 0  # and the store is free
    finally:
        idp.stop()
