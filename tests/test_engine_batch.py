"""The batch path makes one graph round trip for N studies (counted at the real store: the embedded one,
and a real Neo4j, whose facts statement is one UNION ALL where LadybugDB runs two parts in one job)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from hub.config import Settings
from hub.services.loading import load_into
from hub.domain.recognition import Check, CheckError, Recognition
from hub.runtime import Runtime

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "seeds/demo/demo.yaml"


@pytest.fixture(scope="module")
async def runtimes():
    started: dict[str, Runtime] = {}
    yield started
    for rt in started.values():
        await rt.close()


@pytest.fixture
async def runtime(backend, runtimes, datasets, tmp_path_factory) -> Runtime:
    """The hub's wiring over the demo dataset, on each store (started once per module)."""
    graph = datasets.target("neo4j", "demo", [DEMO]) if backend == "neo4j" else None  # claimed for this test
    if backend not in runtimes:
        tmp = tmp_path_factory.mktemp(f"batch-{backend}")
        rt = await Runtime.start(Settings(graph=graph or str(tmp / "graph.lbug"), audit_log=str(tmp / "audit.jsonl")))
        if backend == "ladybug":
            await load_into(rt.store, [DEMO])
        runtimes[backend] = rt
    return runtimes[backend]


@pytest.mark.parametrize("n", [1, 10, 500])
async def test_one_store_call_per_batch(runtime, n):
    on = dt.date(2026, 11, 23)
    checks = [
        Check("bj-xh" if i % 2 else "he-sjz-1", "BJ-IMG:BW23ZYZZZ-00" if i % 2 else "HE-IMG:122",
              on - dt.timedelta(days=i % 40), "bj-hd-3b", on)
        for i in range(n)
    ]
    before = runtime.store.calls
    results = await runtime.engine.check_many(checks)
    assert runtime.store.calls - before == 1
    assert len(results) == n and all(isinstance(r, Recognition) for r in results)


async def test_bad_elements_cost_nothing_and_keep_their_slot(runtime):
    on = dt.date(2026, 11, 23)
    checks = [
        Check("bj-xh", "BJ-IMG:BW23ZYZZZ-00", on, "bj-hd-3b", on),
        Check("bj-xh", "NOPE:1", on, "bj-hd-3b", on),
        Check("bj-xh", "BJ-IMG:BW23ZYZZZ-00", on + dt.timedelta(days=1), "bj-hd-3b", on),
    ]
    before = runtime.store.calls
    results = await runtime.engine.check_many(checks)
    assert runtime.store.calls - before == 1
    assert isinstance(results[0], Recognition)
    assert isinstance(results[1], CheckError) and results[1].code == "UNKNOWN_ITEM"
    assert isinstance(results[2], CheckError) and results[2].code == "BAD_INPUT"


async def test_the_item_step_is_worked_out_per_governing_document_and_answers_stay_the_same(runtime):
    """Step 2 (the item in the governing catalog) is computed once per (document, item) and reused:
    the same study asked at a Beijing and a Hebei target cites each target's own document and catalog,
    in either order and on every repetition."""
    on = dt.date(2026, 11, 23)
    at_beijing = Check("bj-xh", "BJ-IMG:BW23ZYZZZ-00", on, "bj-hd-3b", on)
    at_hebei = Check("bj-xh", "BJ-IMG:BW23ZYZZZ-00", on, "he-sjz-1", on)
    first = await runtime.engine.check_many([at_beijing, at_hebei, at_beijing, at_hebei])
    again = await runtime.engine.check_many([at_hebei, at_beijing])
    assert first[0] == first[2] == again[1] and first[1] == first[3] == again[0]

    def item_reason(r):  # type: ignore[no-untyped-def]
        return next(x for x in r.reasons if x.code.startswith("ITEM_"))

    beijing, hebei = item_reason(first[0]), item_reason(first[1])
    assert beijing.source != hebei.source and first[0].policy != first[1].policy
    assert beijing.param("catalog") == "BJ-IMG" and first[0].target_item == "BJ-IMG:BW23ZYZZZ-00"
