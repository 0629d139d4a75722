"""CPU per check of a batch of 100, engine alone and through GraphQL (``schema.execute``), no store.

    .venv/bin/python -m bench.bench_answers [--repeat 200] [--lang ZH|EN]

The facts come from memory (300 institutions in Beijing, Tianjin and Hebei, marks at city, province and
zone scope), so what is measured is the engine's decisions and GraphQL's completion of the answers —
reasons, their texts in the language asked (``seeds/messages``), the verdict's label — not a store's
reads.  Each figure is the minimum and the median of ``--repeat`` batches: on a shared machine the minimum
is the figure to compare between two commits (run both, alternating).  docs/BENCHMARKS.md, "Readable
answers", has the figures of issue 16.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import time
from collections.abc import Iterable, Mapping
from typing import Any

from graph.items import Items
from hub.domain.policy import load_policies
from hub.domain.recognition import Check, InstitutionFacts, MarkFact, RecognitionEngine
from hub.domain.regions import RegionIndex
from resolvers.context import HubContext
from resolvers.schema import build_schema

CT, HE = "BJ-IMG:BW23ZYZZZ-00", "HE-IMG:122"
REGIONS = ["110101", "110108", "130102", "120101", "110105", "130104"]
FIELDS = "verdict mark markCode targetItem validUntil policy reasons { code source clause text }"


class Facts:
    """The engine's facts port over a dict."""

    def __init__(self, institutions: Mapping[str, InstitutionFacts]) -> None:
        self.institutions = dict(institutions)

    async def institution_facts(self, ids: Iterable[str], items: Iterable[str],
                                marks_for: Mapping[str, Iterable[str]] | None = None) -> Mapping[str, InstitutionFacts]:
        return {i: self.institutions[i] for i in set(ids) if i in self.institutions}


def country(n: int = 300, seed: int = 1) -> Facts:
    rnd = random.Random(seed)
    since = dt.date(2024, 1, 1)
    out = {}
    for i in range(n):
        marks = [MarkFact(CT, "110000", since, None), MarkFact(HE, "130000", since, None)]
        if i % 3 == 0:
            marks.append(MarkFact(CT, "JJJ", since, None))
        out[f"i{i}"] = InstitutionFacts(f"i{i}", rnd.choice(["3A", "3B", "2A", "2B", "1"]), rnd.choice(REGIONS),
                                        "public", "general", frozenset(), tuple(marks))
    return Facts(out)


async def measure(repeat: int, lang: str) -> dict[str, Any]:
    items = Items.from_seeds()
    engine = RecognitionEngine(load_policies(), RegionIndex.from_table(), items, country())
    rnd = random.Random(2)
    studies = [{"institution": f"i{i}", "item": rnd.choice([CT, HE]), "performedOn": f"2026-11-{1 + i % 20:02d}"}
               for i in range(100)]
    checks = [Check(s["institution"], s["item"], dt.date.fromisoformat(s["performedOn"]), "i7", dt.date(2026, 11, 23))
              for s in studies]
    args = ", lang: EN" if lang == "EN" else ""
    query = ("query($s: [StudyInput!]!, $at: ID!, $on: Date) { recognizabilities(studies: $s, at: $at, on: $on"
             f"{args}) {{ {FIELDS} }} }}")
    schema = build_schema()
    context = {"hub": HubContext(store=None, engine=engine, items=items)}  # type: ignore[arg-type]
    variables = {"s": studies, "at": "i7", "on": "2026-11-23"}

    async def through_graphql() -> None:
        result = await schema.execute(query, variable_values=variables, context_value=context)
        assert not result.errors, result.errors

    for _ in range(20):
        await through_graphql()
    alone, graphql = [], []
    for _ in range(repeat):
        t = time.perf_counter()
        await engine.check_many(checks)
        alone.append(time.perf_counter() - t)
        t = time.perf_counter()
        await through_graphql()
        graphql.append(time.perf_counter() - t)
    alone.sort()
    graphql.sort()
    per_check = lambda s: round(s * 1e6 / len(checks), 1)  # noqa: E731
    return {"engine_min_us": per_check(alone[0]), "engine_p50_us": per_check(alone[len(alone) // 2]),
            "graphql_min_us": per_check(graphql[0]), "graphql_p50_us": per_check(graphql[len(graphql) // 2])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--lang", choices=["ZH", "EN"], default="ZH")
    options = parser.parse_args()
    figures = asyncio.run(measure(options.repeat, options.lang))
    print(f"batch of 100, per check: engine min {figures['engine_min_us']} µs (p50 {figures['engine_p50_us']}), "
          f"through GraphQL min {figures['graphql_min_us']} µs (p50 {figures['graphql_p50_us']})")


if __name__ == "__main__":
    main()
