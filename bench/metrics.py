"""What ``recognitionMetrics`` costs over a million reminders, as a ratio to counting them (issue 17).

    .venv/bin/python -m bench.metrics                      # 1,000,000 reminders, LadybugDB, 7 rounds
    .venv/bin/python -m bench.metrics --reminders 100k --rounds 5

A throw-away embedded store receives ``--reminders`` synthetic reminders in one bulk write (``COPY``,
statement ``bulk.Reminder``) and ``--institutions`` institutions in the counties of the real GB/T 2260
table, each reminder with the scopes of its institution (county, city, province, zone, CN) as the hub keeps
them, issued on a day of 2025, with every outcome the metrics count (viewed, accepted, refused with or
without an exclusion, re-examined with the diagnosis compared or not; recognized or left to the physician).
Deterministic: a fixed seed (:data:`SEED`).

Measured in the same run, alternating so that the machine's drift hits every side alike, each a median over
``--rounds`` rounds of ``--per-round`` calls:

* the baseline, ``MATCH (r:Reminder) RETURN count(r)`` (statement ``reminder.count``) — which LadybugDB
  answers from the table's size without reading a row, so a second baseline:
* ``count(CASE WHEN r.viewed THEN 1 END)`` over the period (statement ``reminder.count_viewed``): one
  aggregate over one column of every reminder, the least a statement that reads each reminder costs;
* the use case :func:`hub.services.recognition_metrics.recognition_metrics` (the scope check, then one
  statement) over the whole year for the nation, one province and one institution;
* 000 六(三)'s ranking (:func:`hub.services.recognition_metrics.recognition_ranking`), nation, 50 places.

Printed: each p50 in ms and its ratios to both baselines' p50.  Only same-run ratios mean anything on a shared
machine (docs/BENCHMARKS.md).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.synth import parse_count  # noqa: E402
from graph.store import GraphStore, open_store  # noqa: E402
from hub.domain.recognition_metrics import RecognitionCounts  # noqa: E402
from hub.domain.regions import RegionIndex  # noqa: E402
from hub.services.recognition_metrics import recognition_metrics, recognition_ranking  # noqa: E402

SEED = 20_261_207
YEAR = (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
CHUNK_ROWS = 250_000
#: (share, verdict, decision, exclusion, diagnosisConsistent, viewed without a decision)
OUTCOMES: tuple[tuple[float, str, str | None, str | None, bool | None, bool], ...] = (
    (0.25, "RECOGNIZED", None, None, None, False),              # reminded, never opened
    (0.15, "RECOGNIZED", None, None, None, True),               # opened, nothing decided
    (0.30, "RECOGNIZED", "ACCEPTED", None, None, True),
    (0.05, "RECOGNIZED", "REJECTED", None, None, True),          # non-compliant
    (0.03, "RECOGNIZED", "REJECTED", "EXCLUSION_EMERGENCY", None, True),
    (0.04, "RECOGNIZED", "REEXAMINED", None, True, True),       # non-compliant, compared, consistent
    (0.02, "RECOGNIZED", "REEXAMINED", None, False, True),
    (0.02, "RECOGNIZED", "REEXAMINED", "EXCLUSION_CONDITION_CHANGED", None, True),
    (0.08, "PHYSICIAN_DISCRETION", None, None, None, False),
    (0.04, "PHYSICIAN_DISCRETION", "ACCEPTED", None, None, True),
    (0.02, "PHYSICIAN_DISCRETION", "REEXAMINED", None, True, True),
)


@dataclass(frozen=True)
class Synthetic:
    """The generated reminders (a pyarrow Table), the institutions (another), and what the bench asks about."""

    reminders: object
    institutions: object
    province: str  # the province with the most reminders
    institution: str  # the institution with the most reminders
    expected: RecognitionCounts  # the nation's counts over YEAR, computed while generating


def generate(n: int, institutions: int, seed: int = SEED) -> Synthetic:
    """``n`` reminders at ``institutions`` institutions (weights skewed like hospital sizes), deterministic."""
    import pyarrow as pa

    rng = random.Random(seed)
    regions = RegionIndex.from_table()
    counties = sorted(c for c in regions.names if len(c) == 6 and c.isdigit() and not c.endswith("00"))
    homes = [rng.choice(counties) for _ in range(institutions)]
    ids = [f"bench-{k:05d}" for k in range(institutions)]
    scopes = [list(regions.scopes_containing(c)) for c in homes]
    weights = [rng.paretovariate(1.2) for _ in range(institutions)]
    at_index = rng.choices(range(institutions), weights=weights, k=n)
    outcome = rng.choices(range(len(OUTCOMES)), weights=[o[0] for o in OUTCOMES], k=n)
    days = (YEAR[1] - YEAR[0]).days + 1
    issued = [YEAR[0] + dt.timedelta(days=rng.randrange(days)) for _ in range(n)]
    totals = dict.fromkeys(RecognitionCounts.__dataclass_fields__, 0)
    for o in outcome:
        _, verdict, decision, exclusion, consistent, viewed = OUTCOMES[o]
        totals["reminders"] += 1
        totals["viewed"] += viewed or decision is not None
        totals["accepted"] += decision == "ACCEPTED"
        totals["decidedRecognized"] += verdict == "RECOGNIZED" and decision is not None
        totals["nonCompliant"] += verdict == "RECOGNIZED" and decision in ("REJECTED", "REEXAMINED") and exclusion is None
        totals["reexaminedCompared"] += decision == "REEXAMINED" and consistent is not None
        totals["consistent"] += decision == "REEXAMINED" and consistent is True
    column = lambda k: [OUTCOMES[o][k] for o in outcome]  # noqa: E731
    decisions = column(2)
    table = pa.table({
        "id": pa.array([f"r_{k:09d}" for k in range(n)]),
        "patient": pa.array([f"p_bench{k % 100_003:021d}" for k in range(n)]),
        "at": pa.array([ids[i] for i in at_index]),
        "atRegion": pa.array([homes[i] for i in at_index]),
        "atScopes": pa.array([scopes[i] for i in at_index], type=pa.list_(pa.string())),
        "issuedOn": pa.array(issued, type=pa.date32()),
        "lastOn": pa.array(issued, type=pa.date32()),
        "verdict": pa.array(column(1)),
        "viewed": pa.array([v or d is not None for v, d in zip(column(5), decisions)]),
        "decision": pa.array(decisions, type=pa.string()),
        "decisionVerdict": pa.array([v if d is not None else None for v, d in zip(column(1), decisions)],
                                    type=pa.string()),
        "decisionExclusion": pa.array(column(3), type=pa.string()),
        "diagnosisConsistent": pa.array(column(4), type=pa.bool_()),
    })
    insts = pa.table({
        "id": ids, "name": [f"基准医院{k}" for k in range(institutions)], "tier": ["3A"] * institutions,
        "ownership": ["public"] * institutions, "kind": ["general"] * institutions,
        "aliases": pa.array([[] for _ in range(institutions)], type=pa.list_(pa.string())), "region": homes,
    })
    per_institution: dict[int, int] = {}
    per_province: dict[str, int] = {}
    for i in at_index:
        per_institution[i] = per_institution.get(i, 0) + 1
    for i, count in per_institution.items():
        province = homes[i][:2] + "0000"
        per_province[province] = per_province.get(province, 0) + count
    busiest = max(per_institution, key=lambda i: (per_institution[i], -i))
    return Synthetic(table, insts, max(per_province, key=lambda p: (per_province[p], p)), ids[busiest],
                     RecognitionCounts(**totals))


async def write(store: GraphStore, data: Synthetic) -> float:
    """The institutions and the reminders into ``store`` by bulk COPY; returns the seconds it took."""
    started = time.perf_counter()
    await store.bulk_load("Institution", data.institutions)
    rows = data.reminders
    for offset in range(0, rows.num_rows, CHUNK_ROWS):  # type: ignore[attr-defined]
        await store.bulk_load("Reminder", rows.slice(offset, CHUNK_ROWS))  # type: ignore[attr-defined]
    return time.perf_counter() - started


async def _p50(call: Callable[[], Awaitable[object]], per_round: int) -> float:
    times = []
    for _ in range(per_round):
        started = time.perf_counter()
        await call()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


async def measure(store: GraphStore, data: Synthetic, *, rounds: int, per_round: int) -> dict[str, float]:
    """Median over ``rounds`` of each side's p50 (seconds), the sides alternating within every round."""
    regions = RegionIndex.from_table()

    async def baseline() -> object:
        return await store.read("reminder.count")

    async def one_column() -> object:
        return await store.read("reminder.count_viewed", {"from": YEAR[0], "to": YEAR[1]})

    sides: dict[str, Callable[[], Awaitable[object]]] = {
        "count(r) baseline": baseline,
        "one-column pass baseline": one_column,
        "recognitionMetrics nation": lambda: recognition_metrics(store, regions, from_=YEAR[0], to=YEAR[1]),
        f"recognitionMetrics province {data.province}": lambda: recognition_metrics(
            store, regions, from_=YEAR[0], to=YEAR[1], region=data.province),
        f"recognitionMetrics institution {data.institution}": lambda: recognition_metrics(
            store, regions, from_=YEAR[0], to=YEAR[1], institution=data.institution),
        "recognitionRanking nation, 50": lambda: recognition_ranking(
            store, regions, from_=YEAR[0], to=YEAR[1], rate="recognitionRate", first=50),
    }
    for call in sides.values():  # warm every plan once
        await call()
    p50s: dict[str, list[float]] = {name: [] for name in sides}
    for _ in range(rounds):
        for name, call in sides.items():
            p50s[name].append(await _p50(call, per_round))
    return {name: statistics.median(values) for name, values in p50s.items()}


async def run(n: int, *, institutions: int = 5000, rounds: int = 7, per_round: int = 5,
              graph: Path | None = None) -> dict[str, object]:
    """Generate, write, check the nation's counts against the generator's, measure.  Returns the figures."""
    own = graph is None
    work = Path(tempfile.mkdtemp(prefix="bench-metrics-")) if own else None
    target = str(graph or work / "metrics.lbug")  # type: ignore[operator]
    started = time.perf_counter()
    data = generate(n, institutions)
    generated = time.perf_counter() - started
    store = await open_store(target, seed=False)
    try:
        written = await write(store, data)
        (counted,) = await store.read("reminder.count")
        nation = await recognition_metrics(store, RegionIndex.from_table(), from_=YEAR[0], to=YEAR[1])
        if counted["reminders"] != n or nation != data.expected:
            raise AssertionError(f"the store counts {nation} of {counted['reminders']}, the generator {data.expected}")
        p50 = await measure(store, data, rounds=rounds, per_round=per_round)
    finally:
        await store.close()
        if work is not None:
            shutil.rmtree(work, ignore_errors=True)
    return {"reminders": n, "institutions": institutions, "generate_s": generated, "write_s": written,
            "p50_s": p50, "nation": nation}


def report(figures: dict[str, object]) -> str:
    p50: dict[str, float] = figures["p50_s"]  # type: ignore[assignment]
    base, scan = p50["count(r) baseline"], p50["one-column pass baseline"]
    lines = [f"{figures['reminders']:,} reminders at {figures['institutions']:,} institutions "
             f"(generated in {figures['generate_s']:.1f} s, bulk-written in {figures['write_s']:.1f} s)",
             f"{'':<46}{'p50 ms':>10}{'× count(r)':>12}{'× 1-column':>12}"]
    for name, seconds in p50.items():
        lines.append(f"{name:<46}{seconds * 1000:>10.1f}{seconds / base:>12.2f}{seconds / scan:>12.2f}")
    nation: RecognitionCounts = figures["nation"]  # type: ignore[assignment]
    lines.append("nation: " + ", ".join(f"{k} {v:.3f}" for k, v in nation.rates().items() if v is not None))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.metrics", description=__doc__.splitlines()[0])
    parser.add_argument("--reminders", default="1m", help="how many reminders (1m, 100k, 5000 …; default 1m)")
    parser.add_argument("--institutions", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--per-round", type=int, default=5)
    args = parser.parse_args(argv)
    figures = asyncio.run(run(parse_count(args.reminders), institutions=args.institutions, rounds=args.rounds,
                              per_round=args.per_round))
    print(report(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
