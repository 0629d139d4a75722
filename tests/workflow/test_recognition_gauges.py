"""000 一(一)'s rates as Prometheus gauges (hub.services.recognition_gauges), on each store: the month's
counts and rates per scope equal values computed by hand, a rate over nothing has no sample, the store is
asked at most once per ttl however often /metrics is scraped, and a store that fails leaves the last figures
in place.  (tests/workflow/test_recognition_metrics_http.py scrapes a served hub's /metrics.)"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from graph.store import open_store
from graph.workflow import WorkflowStore
from hub.domain.regions import RegionIndex
from hub.services.recognition_gauges import RecognitionGauges, gauge_scopes
from tests.workflow.test_workflow_store import SCOPES_CD, SCOPES_HD, SCOPES_SJZ, D, decision, reminder


def _samples(registry: CollectorRegistry) -> dict[tuple[str, str, str], float]:
    out = {}
    for family in text_string_to_metric_families(generate_latest(registry).decode()):
        for s in family.samples:
            out[(s.name, s.labels.get("rate") or s.labels.get("count"), s.labels["region"])] = s.value
    return out


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_the_months_gauges_per_scope_cached(fresh_graph):
    """Hand-computed for June 2025 (the month of the gauges' clock): Beijing 2 reminders (1 viewed and accepted,
    1 rejected without an exclusion: non-compliant), Hebei 1 reminder untouched, Sichuan one from May (another
    month: not counted).  Nation 3 = 京津冀 3; 首次提醒调阅率 2/3, 互认率 1/3, 互认不遵从率 1/2, 诊断符合率
    absent (nothing re-examined and compared); Hebei 0/1, 0/1 and two absent; Sichuan and 川渝 all 0, no rate."""
    store = await open_store(fresh_graph, seed=False)
    w = WorkflowStore(store)
    clock = Clock()
    gauges = RecognitionGauges(ttl=60, clock=clock, today=lambda: D(2025, 6, 30))
    registry = CollectorRegistry()
    registry.register(gauges)
    try:
        await w.upsert([reminder("r_1"), reminder("r_2", uid="2"),
                        reminder("r_3", uid="3", at="he-sjz-1", scopes=SCOPES_SJZ),
                        reminder("r_4", uid="4", at="sc-cd", scopes=SCOPES_CD, issued=D(2025, 5, 31))])
        await w.record_decision(decision("d_1", "r_1"))
        await w.record_decision(decision("d_2", "r_2", "REJECTED", reason="x", patientInformed=True))
        regions = RegionIndex.from_table()
        scopes = gauge_scopes(regions)
        assert {"CN", "JJJ", "CY", "110000", "130000", "510000"} <= set(scopes) and "110108" not in scopes
        gauges.bind(store, regions)
        assert _samples(registry) == {}  # not refreshed yet: nothing to show
        await gauges.refresh()
        got = _samples(registry)
        for scope in ("CN", "JJJ"):
            assert {k[1]: v for k, v in got.items() if k[0] == "hub_recognition_count" and k[2] == scope} == {
                "reminders": 3, "viewed": 2, "accepted": 1, "decidedRecognized": 2, "nonCompliant": 1,
                "reexaminedCompared": 0, "consistent": 0}
            assert {k[1]: v for k, v in got.items() if k[0] == "hub_recognition_rate" and k[2] == scope} == {
                "firstReminderViewRate": 2 / 3, "recognitionRate": 1 / 3, "nonComplianceRate": 1 / 2}
        assert {k[1]: v for k, v in got.items() if k[0] == "hub_recognition_rate" and k[2] == "130000"} == {
            "firstReminderViewRate": 0.0, "recognitionRate": 0.0}
        assert got[("hub_recognition_count", "reminders", "110000")] == 2
        for scope in ("510000", "CY", "440000"):
            assert got[("hub_recognition_count", "reminders", scope)] == 0
            assert not [k for k in got if k[0] == "hub_recognition_rate" and k[2] == scope]

        # scraped again within the ttl: the store is not asked, even after a change
        await w.view("r_3", "2025-06-30T02:00:00.000000Z")
        clock.now += 59
        await gauges.refresh()
        assert gauges.reads == 1 and _samples(registry) == got
        clock.now += 2  # past the ttl: asked again, the view counted
        await gauges.refresh()
        assert gauges.reads == 2
        assert _samples(registry)[("hub_recognition_rate", "firstReminderViewRate", "130000")] == 1.0

        # the store fails: the last figures stay
        before = _samples(registry)
        await store.close()
        clock.now += 61
        await gauges.refresh()
        assert gauges.reads == 3 and _samples(registry) == before
    finally:
        await store.close()
