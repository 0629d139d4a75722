"""000 六(三) ranks institutions by the rates of 000 一(一): the store groups the counts by institution and
orders them in one statement (``reminder.ranking``), dividing there only to order; the rates an answer shows
are divided by hub.domain.recognition_metrics.  These tests prove, on each store, that the statement's page
is exactly the domain's ranking cut at ``limit`` — with ties of equal fractions written differently (1/2 and
2/4, 1/3 and 2/6), 互认不遵从率 ranked lowest first, and institutions under ``minDenominator`` left out —
and that the per-scope statement of the gauges (``reminder.metrics_by_scope``) counts what
``reminder.metrics`` counts for each scope."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from graph.store import open_store
from graph.workflow import WorkflowStore
from hub.domain.recognition_metrics import RATES, RATES_BY_NAME, RecognitionCounts, ranked
from tests.workflow.test_workflow_store import SCOPES_CD, SCOPES_HD, SCOPES_SJZ, D, decision, reminder

JUNE = (D(2025, 6, 1), D(2025, 6, 30))
SCOPES = {"bj": SCOPES_HD, "he": SCOPES_SJZ, "sc": SCOPES_CD}


def _plan(seed: int = 17, institutions: int = 14) -> tuple[list[dict], list[dict], list[str]]:
    """Reminders at ``institutions`` institutions with every kind of outcome, drawn from a fixed seed; two
    institutions are built by hand to tie with others on equal fractions written differently."""
    rnd = random.Random(seed)
    rows: list[dict] = []
    decisions: list[dict] = []
    views: list[str] = []
    n = 0

    def add(at: str, outcome: str, scopes: list[str]) -> None:
        nonlocal n
        n += 1
        rid = f"r_{n:04d}"
        verdict = "PHYSICIAN_DISCRETION" if outcome.endswith("-pd") else "RECOGNIZED"
        rows.append(reminder(rid, at=at, scopes=scopes, uid=str(n), verdict=verdict))
        kind = outcome.removesuffix("-pd")
        if kind == "viewed":
            views.append(rid)
        elif kind == "accepted":
            decisions.append(decision(f"d_{n:04d}", rid, "ACCEPTED", verdict=verdict))
        elif kind in ("rejected", "excused"):
            decisions.append(decision(f"d_{n:04d}", rid, "REJECTED", reason="x", patientInformed=True, verdict=verdict,
                                      exclusion="EXCLUSION_EMERGENCY" if kind == "excused" else None))
        elif kind in ("same", "different", "uncompared"):
            decisions.append(decision(f"d_{n:04d}", rid, "REEXAMINED", reason="x", patientInformed=True, verdict=verdict,
                                      diagnosisConsistent={"same": True, "different": False}.get(kind)))

    outcomes = ["none", "viewed", "accepted", "rejected", "excused", "same", "different", "uncompared",
                "accepted-pd", "rejected-pd"]
    for i in range(institutions):
        province = rnd.choice(sorted(SCOPES))
        for _ in range(rnd.randint(1, 9)):
            add(f"{province}-{i:02d}", rnd.choice(outcomes), SCOPES[province])
    # ties on equal fractions: 1/2 vs 2/4 accepted, 1/3 vs 2/6 non-compliant
    for at, outcomes_ in (("tie-a", ["accepted", "none"]), ("tie-b", ["accepted", "accepted", "none", "none"]),
                          ("tie-c", ["rejected", "accepted", "accepted"]),
                          ("tie-d", ["rejected", "rejected", "accepted", "accepted", "accepted", "accepted"])):
        for o in outcomes_:
            add(at, o, SCOPES_HD)
    return rows, decisions, views


def _grouped(rows: list[dict], decisions: list[dict], views: list[str], region: str | None) -> dict[str, RecognitionCounts]:
    """The counts per institution, computed here from the plan by CONTRACT.md's definitions (not by the store)."""
    last = {d["reminder"]: d for d in decisions}
    out: dict[str, dict[str, int]] = {}
    for r in rows:
        if region and region not in r["atScopes"]:
            continue
        c = out.setdefault(r["at"], dict.fromkeys(
            ("reminders", "viewed", "accepted", "decidedRecognized", "nonCompliant", "reexaminedCompared", "consistent"), 0))
        d = last.get(r["id"])
        c["reminders"] += 1
        c["viewed"] += r["id"] in views or d is not None
        if d is None:
            continue
        c["accepted"] += d["decision"] == "ACCEPTED"
        recognized = d["verdict"] == "RECOGNIZED"
        c["decidedRecognized"] += recognized
        c["nonCompliant"] += recognized and d["decision"] != "ACCEPTED" and d["exclusion"] is None
        compared = d["decision"] == "REEXAMINED" and d["diagnosisConsistent"] is not None
        c["reexaminedCompared"] += compared
        c["consistent"] += compared and d["diagnosisConsistent"] is True
    return {k: RecognitionCounts(**v) for k, v in out.items()}


async def test_the_store_ranking_is_the_domain_ranking_cut_at_limit(fresh_graph):
    """000 六(三): for every rate, several limits and minimum denominators, nation-wide and in a zone, the
    statement's page (ordered by the domain's rates) equals the domain's ranking over counts computed here
    by hand from the plan; ties of equal fractions are broken by id, 互认不遵从率 lowest first."""
    rows, decisions, views = _plan()
    store = await open_store(fresh_graph, seed=False)
    w = WorkflowStore(store)
    try:
        await w.upsert(rows)
        for rid in views:
            await w.view(rid, "2026-12-07T00:00:00.000000Z")
        for d in decisions:
            await w.record_decision(d)
        for region in (None, "JJJ"):
            expected_all = _grouped(rows, decisions, views, region)
            for rate in RATES:
                for limit, min_den in ((100, 1), (5, 1), (3, 3)):
                    page = await w.ranking(*JUNE, numerator=rate.numerator, denominator=rate.denominator,
                                           sign=rate.sign, region=region, limit=limit, min_denominator=min_den)
                    got = ranked(((r["id"], RecognitionCounts.from_row(r)) for r in page), rate.name)
                    want = [e for e in ranked(expected_all.items(), rate.name)
                            if e[1].count(rate.denominator) >= min_den][:limit]
                    assert got == want, (region, rate.name, limit, min_den)
        # the hand-built ties: 1/2 = 2/4 accepted (by id), 1/3 = 2/6 non-compliant
        page = await w.ranking(*JUNE, numerator="accepted", denominator="reminders", sign=1, limit=100)
        order = [i for i, _ in ranked(((r["id"], RecognitionCounts.from_row(r)) for r in page), "recognitionRate")]
        assert order.index("tie-a") + 1 == order.index("tie-b")
        nc = RATES_BY_NAME["nonComplianceRate"]
        page = await w.ranking(*JUNE, numerator=nc.numerator, denominator=nc.denominator, sign=nc.sign, limit=100)
        order = ranked(((r["id"], RecognitionCounts.from_row(r)) for r in page), nc.name)
        ids = [i for i, _ in order]
        assert ids.index("tie-c") + 1 == ids.index("tie-d")
        rates = [c.rate(nc.name) for _, c in order]
        assert rates == sorted(rates) and rates[0] < rates[-1]  # lowest non-compliance first
        with pytest.raises(ValueError):
            await w.ranking(*JUNE, numerator="accepted", denominator="reminders", sign=1, min_denominator=0)
    finally:
        await store.close()


async def test_metrics_by_scope_counts_what_the_scoped_metrics_count(fresh_graph):
    """000 一(一) per province and zone for the gauges: one statement for many scopes gives, for each scope,
    what ``reminder.metrics`` gives for it alone; a scope without reminders is absent."""
    rows, decisions, views = _plan(seed=3, institutions=8)
    store = await open_store(fresh_graph, seed=False)
    w = WorkflowStore(store)
    try:
        await w.upsert(rows)
        for rid in views:
            await w.view(rid, "2026-12-07T00:00:00.000000Z")
        for d in decisions:
            await w.record_decision(d)
        scopes = ["CN", "JJJ", "CY", "110000", "130000", "510000", "440000"]
        by_scope = await w.metrics_by_scope(*JUNE, scopes)
        assert "440000" not in by_scope and by_scope["CN"]["reminders"] == len(rows)
        for scope in scopes[:-1]:
            assert by_scope[scope] == await w.metrics(*JUNE, region=scope), scope
        assert await w.metrics_by_scope(D(2024, 1, 1), D(2024, 1, 31), scopes) == {}
    finally:
        await store.close()
