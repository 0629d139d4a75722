"""bench.metrics at a small size, so it cannot rot (tests/test_bench_smoke.py's rule): the synthetic reminders
are deterministic and shaped as documented, the embedded store counts them as the generator does (000
一(一)'s seven counts, nation-wide), and every figure is printed.  No timing is asserted."""

from __future__ import annotations

import math

from bench import metrics


def test_same_seed_same_reminders_with_every_outcome():
    a, b = metrics.generate(3000, 200), metrics.generate(3000, 200)
    assert a.reminders.equals(b.reminders) and a.institutions.equals(b.institutions) and a.expected == b.expected
    assert not metrics.generate(3000, 200, seed=1).reminders.equals(a.reminders)
    e = a.expected
    assert e.reminders == 3000 and 0 < e.consistent < e.reexaminedCompared < e.decidedRecognized < e.viewed < 3000
    assert 0 < e.nonCompliant < e.decidedRecognized and 0 < e.accepted
    scopes = a.reminders.column("atScopes").to_pylist()
    assert all("CN" in s and s[0] == r and s[0][:2] + "0000" in s for s, r in zip(scopes, a.reminders.column("atRegion").to_pylist()))


async def test_the_bench_counts_what_it_wrote_and_prints_every_figure(tmp_path):
    figures = await metrics.run(3000, institutions=200, rounds=1, per_round=1, graph=tmp_path / "m.lbug")
    assert figures["nation"] == metrics.generate(3000, 200).expected
    p50 = figures["p50_s"]
    assert len(p50) == 6 and all(math.isfinite(v) and v > 0 for v in p50.values())
    text = metrics.report(figures)
    assert "count(r) baseline" in text and "recognitionMetrics institution bench-" in text and "× count(r)" in text and "× 1-column" in text
