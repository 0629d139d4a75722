"""Reminders and decisions in the graph store (graph/workflow.py, graph/cypher/**/reminder.* decision.*), on
each store (LadybugDB in tmp_path, the emptied scratch Neo4j): what a reminder keeps from its first issue and
what it updates, views, a decision retried / replaced / given again, the decisions that count found from the
patient's pseudonym, everything still there after the store is closed and opened again — and the metrics of
CONTRACT.md counted by one statement in the store (``reminder.metrics``)."""

from __future__ import annotations

import datetime as dt

from graph.store import open_store
from graph.workflow import WorkflowStore

D = dt.date
SCOPES_HD = ["110108", "110000", "JJJ", "CN"]
SCOPES_SJZ = ["130102", "130100", "130000", "JJJ", "CN"]
SCOPES_CD = ["510104", "510100", "510000", "CY", "CN"]


def reminder(rid: str, *, patient: str = "p_aaaaaaaaaaaaaaaaaaaaaaaaaa", at: str = "bj-hd", scopes=SCOPES_HD,
             uid: str = "1.2.3", verdict: str = "RECOGNIZED", issued: dt.date = D(2025, 6, 30), **extra) -> dict:
    row = {
        "id": rid, "patient": patient, "keyId": "k_test0001", "at": at, "atRegion": scopes[0], "atScopes": scopes,
        "orderedItem": "BJ-IMG:B020ZYZZZ-00", "platform": "bj-cloud", "studyUid": uid, "performedOn": D(2025, 6, 10),
        "modality": "CT", "description": None, "dicomInstitutionName": None, "institution": "bj-xh",
        "institutionName": "北京协和医院", "institutionRegion": "110101", "item": "BJ-IMG:B020ZYZZZ-00",
        "findings": None, "verdict": verdict, "policy": "001", "issuedOn": issued,
        "issuedAt": f"{issued.isoformat()}T01:00:00.000000Z",
    }
    return {**row, **extra}


def decision(did: str, rid: str, kind: str = "ACCEPTED", *, at_time: str = "2026-12-07T01:00:00.000000Z",
             verdict: str = "RECOGNIZED", **extra) -> dict:
    return {
        "id": did, "reminder": rid, "decision": kind, "reason": None, "exclusion": None, "exclusionClause": None,
        "patientInformed": None, "archiveNo": None, "diagnosisConsistent": None, "institutionName": "北京协和医院",
        "performedOn": D(2025, 6, 10), "verdict": verdict, "citation": "001 三、互认规则", "byUser": "dr-li",
        "byRole": "clinician", "byInstitution": "bj-hd", "recordedAt": at_time, "recordedOn": D(2026, 12, 7), **extra,
    }


async def test_reminders_and_decisions_round_trip_and_survive_reopening(fresh_graph):
    store = await open_store(fresh_graph, seed=False)
    w = WorkflowStore(store)
    try:
        await w.upsert([reminder("r_1"), reminder("r_2", uid="1.2.4", verdict="PHYSICIAN_DISCRETION")])
        # asked again the next day with another verdict: the first issue stays, the latest question's view changes
        await w.upsert([reminder("r_1", verdict="PHYSICIAN_DISCRETION", issued=D(2025, 7, 1), institutionName="改名")])
        got = await w.reminders(["r_1", "r_2", "r_unknown"])
        assert set(got) == {"r_1", "r_2"}
        r1 = got["r_1"]
        assert (r1.issued_on, r1.issued_at, r1.last_on, r1.verdict, r1.institution_name) == (
            D(2025, 6, 30), "2025-06-30T01:00:00.000000Z", D(2025, 7, 1), "PHYSICIAN_DISCRETION", "改名")
        assert r1.at_scopes == tuple(SCOPES_HD) and r1.viewed is False and r1.decision_id is None
        assert r1.performed_on == D(2025, 6, 10)

        await w.view("r_1", "2026-12-07T00:00:00.000000Z")
        await w.view("r_1", "2026-12-08T00:00:00.000000Z")  # idempotent: the first view's time stays
        assert (await w.reminder("r_1")).viewed_at == "2026-12-07T00:00:00.000000Z"

        first = await w.record_decision(decision("d_a", "r_1", archiveNo="A-1"))
        retry = await w.record_decision(decision("d_a", "r_1", archiveNo="A-1", at_time="2026-12-07T02:00:00.000000Z"))
        assert retry == first and first.current and first.recorded_at == "2026-12-07T01:00:00.000000Z"
        assert (first.study_uid, first.ordered_item, first.patient, first.at) == (
            "1.2.3", "BJ-IMG:B020ZYZZZ-00", "p_aaaaaaaaaaaaaaaaaaaaaaaaaa", "bj-hd")
        replaced = await w.record_decision(decision(
            "d_b", "r_1", "REJECTED", reason="病情变化", patientInformed=True, at_time="2026-12-07T03:00:00.000000Z"))
        assert replaced.current and not (await w.decisions(["d_a"]))["d_a"].current
        again = await w.record_decision(decision("d_a", "r_1", archiveNo="A-1", at_time="2026-12-07T04:00:00.000000Z"))
        assert again.current and again.recorded_at == "2026-12-07T04:00:00.000000Z"  # given again: counts from now
        assert not (await w.decisions(["d_b"]))["d_b"].current
        r1 = await w.reminder("r_1")
        assert (r1.decision_id, r1.decision, r1.decision_verdict, r1.viewed) == ("d_a", "ACCEPTED", "RECOGNIZED", True)
        await w.record_decision(decision("d_c", "r_2", "REEXAMINED", reason="复查", patientInformed=True,
                                         diagnosisConsistent=False, verdict="PHYSICIAN_DISCRETION"))
        assert (await w.reminder("r_2")).viewed is True  # a decision is a view
    finally:
        await store.close()

    store = await open_store(fresh_graph, seed=False)  # closed and opened again: everything is still there
    w = WorkflowStore(store)
    try:
        mine = await w.decisions_of(["p_aaaaaaaaaaaaaaaaaaaaaaaaaa", "p_bbbbbbbbbbbbbbbbbbbbbbbbbb"], "bj-hd", None)
        assert [(d.id, d.reminder, d.decision) for d in mine] == [("d_c", "r_2", "REEXAMINED"), ("d_a", "r_1", "ACCEPTED")]
        assert mine[0].diagnosis_consistent is False and mine[0].patient_informed is True
        assert await w.decisions_of(["p_aaaaaaaaaaaaaaaaaaaaaaaaaa"], "he-sjz-1", None) == []
        assert await w.decisions_of(["p_bbbbbbbbbbbbbbbbbbbbbbbbbb"], "bj-hd", None) == []
        assert await w.decisions_of(["p_aaaaaaaaaaaaaaaaaaaaaaaaaa"], "bj-hd", D(2026, 12, 8)) == []
        assert len(await w.decisions_of(["p_aaaaaaaaaaaaaaaaaaaaaaaaaa"], "bj-hd", D(2026, 12, 7))) == 2
    finally:
        await store.close()


async def test_the_metrics_are_one_statement_in_the_store(fresh_graph):
    """CONTRACT.md recognitionMetrics' counts, by period, institution, province and zone (issue 17 serves them)."""
    store = await open_store(fresh_graph, seed=False)
    w = WorkflowStore(store)
    try:
        await w.upsert([
            reminder("r_1"), reminder("r_2", uid="2"), reminder("r_3", uid="3"), reminder("r_4", uid="4"),
            reminder("r_5", uid="5", verdict="PHYSICIAN_DISCRETION"), reminder("r_6", uid="6"),
            reminder("r_7", uid="7", at="he-sjz-1", scopes=SCOPES_SJZ),
            reminder("r_8", uid="8", at="sc-cd", scopes=SCOPES_CD),
            reminder("r_9", uid="9", issued=D(2025, 5, 31)),  # the month before
        ])
        await w.view("r_6", "2026-12-07T00:00:00.000000Z")
        await w.record_decision(decision("d_1", "r_1"))                                   # accepted
        await w.record_decision(decision("d_2", "r_2", "REJECTED", reason="x", patientInformed=True))  # non-compliant
        await w.record_decision(decision("d_3", "r_3", "REEXAMINED", reason="x", patientInformed=True,
                                         exclusion="EXCLUSION_EMERGENCY", diagnosisConsistent=True))  # excused
        await w.record_decision(decision("d_4", "r_4", "REEXAMINED", reason="x", patientInformed=True,
                                         diagnosisConsistent=False))                         # non-compliant
        await w.record_decision(decision("d_5", "r_5", "REJECTED", reason="x", patientInformed=True,
                                         verdict="PHYSICIAN_DISCRETION"))                    # the physician's call
        await w.record_decision(decision("d_7", "r_7", "ACCEPTED"))
        june = (D(2025, 6, 1), D(2025, 6, 30))
        assert await w.metrics(*june) == {
            "reminders": 8, "viewed": 7, "accepted": 2, "decidedRecognized": 5, "nonCompliant": 2,
            "reexaminedCompared": 2, "consistent": 1}
        assert (await w.metrics(*june, institution="bj-hd"))["reminders"] == 6
        assert (await w.metrics(*june, region="110000"))["accepted"] == 1
        assert (await w.metrics(*june, region="JJJ"))["reminders"] == 7   # a zone: Beijing and Hebei
        assert (await w.metrics(*june, region="CY"))["reminders"] == 1
        assert (await w.metrics(*june, region="130100"))["decidedRecognized"] == 1
        assert (await w.metrics(D(2025, 5, 1), D(2025, 5, 31)))["reminders"] == 1
        assert (await w.metrics(D(2024, 1, 1), D(2024, 12, 31)))["reminders"] == 0
    finally:
        await store.close()
