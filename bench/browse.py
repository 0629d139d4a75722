"""What a browse page costs at depth (issue 17 item 4): keyset cursors against ``offset`` paging, a zone
against a province, counts and aggregates, on a synthetic country in an embedded store.

    .venv/bin/python -m bench.browse 200k [--store PATH]     # generate + bulk-load once, then measure

Each figure is the median of ``--repeat`` reads of one named statement through the store port (the
resolver adds no store work: it builds parameters and rows), in milliseconds.  A page at depth is asked
the way a client asks it: with the cursor of the row before it (its name and id, read here first), not by
counting rows; the offset figure is the deepest page ``--max-offset`` allows (10,000).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from pathlib import Path
from typing import Any

from bench import synth

#: every filter flag off (the statements' "not asked for" convention: a flag and "" / [""], never null)
NO_FILTER: dict[str, Any] = {
    "regionPrefix": "", "anyRegionPrefix": True, "provinces": [""], "anyProvinces": True, "regionEq": "",
    "anyRegionEq": True, "nameEq": "", "anyNameEq": True, "nameContains": "", "anyNameContains": True,
    "nameStartsWith": "", "anyNameStartsWith": True, "nameIn": [""], "anyNameIn": True, "idIn": [""],
    "anyIdIn": True, "tierIn": [""], "anyTierIn": True, "kindIn": [""], "anyKindIn": True, "ownershipIn": [""],
    "anyOwnershipIn": True,
}


def page(sort: str = "name", after: tuple[str, str] | None = None, skip: int = 0, limit: int = 51) -> dict[str, Any]:
    return {"sortField": sort, "fromStart": after is None, "afterKey": after[0] if after else "",
            "afterId": after[1] if after else "", "skip": skip, "limit": limit}


async def median_ms(store: Any, name: str, params: dict[str, Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        await store.read(name, params)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


async def measure(target: str, repeat: int) -> list[tuple[str, float]]:
    from graph.store import open_store

    store = await open_store(target)
    try:
        total = (await store.read("q.institutions_count", NO_FILTER))[0]["total"]
        # the row before a deep page (the 10,000th and the (total - 100)th by name): walked to by cursor in
        # reads of 20,000 rows (the port bounds skip, not limit), as a client following endCursor would
        deep: dict[int, tuple[str, str]] = {}
        cursor: tuple[str, str] | None = None
        seen = 0
        for depth in (10_000, total - 100):
            while seen < depth:
                got = await store.read("q.institutions_seek", {**NO_FILTER, **page(after=cursor, limit=min(20_000, depth - seen))})
                if not got:
                    raise RuntimeError(f"no rows after {seen} of {total} by cursor {cursor}")
                cursor = (got[-1]["sortKey"], got[-1]["id"])
                seen += len(got)
            deep[depth] = cursor  # type: ignore[assignment]
        figures = [
            ("institutions", float(total)),
            ("first page by name (50 + 1 rows)", await median_ms(store, "q.institutions_seek", {**NO_FILTER, **page()}, repeat)),
            ("page after row 10,000 by cursor", await median_ms(store, "q.institutions_seek", {**NO_FILTER, **page(after=deep[10_000])}, repeat)),
            (f"page after row {total - 100:,} by cursor", await median_ms(store, "q.institutions_seek", {**NO_FILTER, **page(after=deep[total - 100])}, repeat)),
            ("page at offset 10,000 (the deepest offset allowed)", await median_ms(store, "q.institutions_seek", {**NO_FILTER, **page(skip=10_000, limit=50)}, repeat)),
            ("first page, province 130000 (prefix)", await median_ms(store, "q.institutions_seek", {
                **NO_FILTER, "regionPrefix": "13", "anyRegionPrefix": False, **page()}, repeat)),
            ("first page, zone JJJ (3 provinces)", await median_ms(store, "q.institutions_seek", {
                **NO_FILTER, "provinces": ["11", "12", "13"], "anyProvinces": False, **page()}, repeat)),
            ("totalCount, zone JJJ", await median_ms(store, "q.institutions_count", {
                **NO_FILTER, "provinces": ["11", "12", "13"], "anyProvinces": False}, repeat)),
            ("institutionsAggregate, nation (by region and tier)", await median_ms(store, "q.institutions_aggregate", NO_FILTER, repeat)),
            ("totalCount, nation (the scan under every page)", await median_ms(store, "q.institutions_count", NO_FILTER, repeat)),
        ]
        return figures
    finally:
        await store.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("size", help="institutions: 1k, 40k, 200k, 1m")
    ap.add_argument("--store", type=Path, help="an embedded store path (loaded with the country when it does not exist)")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args(argv)
    target = args.store or Path(f"/tmp/bench-browse-{args.size}.lbug")
    if not target.exists():
        started = time.perf_counter()
        asyncio.run(synth.load_country_offline(str(target), synth.generate(args.size)))
        print(f"generated and loaded {args.size} in {time.perf_counter() - started:.0f} s")
    for label, value in asyncio.run(measure(str(target), args.repeat)):
        print(f"{label:55s} {value:10.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
