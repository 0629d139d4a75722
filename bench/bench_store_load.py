"""Measure the embedded graph store's load paths (LadybugDB), all in one run so the ratios compare.

    .venv/bin/python bench/bench_store_load.py                    # 40k institutions + 1M marks
    .venv/bin/python bench/bench_store_load.py --marks 200000     # quicker

Prints:
* open time of a new store (schema only; seeding is graph/seeding.py's and is not measured here) and
  of a reopen;
* ``load_dataset`` of the synthetic dataset through the bulk path (existence check + COPY), split into
  building the records and loading, then the same file again (nothing changes: read-only comparison);
* raw ``bulk_load`` (COPY from pyarrow Tables, no existence check) of the same data into another store;
* the MERGE path (``write()`` of ``mark.upsert`` / ``institution.upsert`` in 10k-row transactions) for
  new and for existing rows, and the ratio bulk : MERGE in rows/s.

Numbers are noisy on a shared 2-core machine; the ratios within one run are the trustworthy part.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pyarrow as pa  # noqa: E402

from graph.ladybug_store import LadybugStore  # noqa: E402
from graph.loading import (  # noqa: E402
    INSTITUTION_COLUMNS,
    MARK_COLUMNS,
    WRITE_BATCH,
    institution_row,
    load_dataset,
    mark_row,
    rel_table,
)
from hub.domain.model import Dataset, Institution, Mark  # noqa: E402

REGIONS = ["110000", "110101", "120000", "130000", "130100", "JJJ", "CN"]
ITEMS = 300


def synthetic_tables(n_inst: int, n_marks: int) -> tuple[pa.Table, pa.Table]:
    """Institutions and marks as pyarrow Tables (mark k: institution k % n, item (k // n) % ITEMS)."""
    inst = pa.table({
        "id": [f"inst-{k:07d}" for k in range(n_inst)],
        "name": [f"医院{k}" for k in range(n_inst)],
        "tier": [("3A", "2", "1")[k % 3] for k in range(n_inst)],
        "ownership": ["public"] * n_inst,
        "kind": ["general"] * n_inst,
        "aliases": pa.array([[f"别名{k}"] if k % 4 == 0 else [] for k in range(n_inst)], pa.list_(pa.string())),
        "region": [REGIONS[k % 5] for k in range(n_inst)],
    })
    base = dt.date(2024, 1, 1)
    per_day = n_inst * ITEMS
    institution = [f"inst-{k % n_inst:07d}" for k in range(n_marks)]
    item = [f"BJ-IMG:T{(k // n_inst) % ITEMS:03d}" for k in range(n_marks)]
    scope = [("JJJ", "110000", "CN")[k % 3] for k in range(n_marks)]
    valid_from = [base + dt.timedelta(days=k // per_day) for k in range(n_marks)]
    valid_to = [None if k % 5 == 0 else dt.date(2026, 12, 31) for k in range(n_marks)]
    ids = [f"{i}|{t}|{s}|{f.isoformat()}" for i, t, s, f in zip(institution, item, scope, valid_from, strict=True)]
    marks = pa.table({
        "id": ids, "institution": institution, "item": item, "scope": scope,
        "validFrom": pa.array(valid_from, pa.date32()), "validTo": pa.array(valid_to, pa.date32()),
    })
    return inst, marks


def dataset_from_tables(inst: pa.Table, marks: pa.Table) -> Dataset:
    return Dataset(
        source="bench",
        institutions=[Institution(id=r["id"], name=r["name"], tier=r["tier"], region=r["region"],
                                  ownership=r["ownership"], kind=r["kind"], aliases=tuple(r["aliases"]))
                      for r in inst.to_pylist()],
        marks=[Mark(institution=r["institution"], item=r["item"], scope=r["scope"],
                    valid_from=r["validFrom"], valid_to=r["validTo"]) for r in marks.to_pylist()],
    )


async def seed_base(store: LadybugStore) -> None:
    await store.write([
        ("region.upsert", {"rows": [{"code": c, "name": c, "level": "province"} for c in REGIONS]}),
        ("catalog.upsert", {"rows": [{"id": "BJ-IMG", "name": "bench", "source": "001", "clause": "附件2",
                                      "itemCount": ITEMS}]}),
        ("catalog_item.upsert", {"rows": [
            {"ref": f"BJ-IMG:T{k:03d}", "catalog": "BJ-IMG", "local": f"T{k:03d}", "row": k + 1,
             "name": f"检查{k}", "modality": "CT", "bodyPart": None, "laterality": None, "contrast": None,
             "views": None, "source": "001", "printed": None, "note": None} for k in range(ITEMS)]}),
    ])


def rate(rows: int, seconds: float) -> str:
    return f"{rows / seconds:,.0f} rows/s" if seconds else "-"


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--institutions", type=int, default=40_000)
    ap.add_argument("--marks", type=int, default=1_000_000)
    ap.add_argument("--merge-rows", type=int, default=100_000, help="marks written through the MERGE path")
    ap.add_argument("--dir", help="work directory (default: a temporary one, removed afterwards)")
    args = ap.parse_args()
    work = Path(args.dir or tempfile.mkdtemp(prefix="bench-store-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        await run(args, work)
    finally:
        if not args.dir:
            shutil.rmtree(work, ignore_errors=True)


async def run(args: argparse.Namespace, work: Path) -> None:
    n_inst, n_marks = args.institutions, args.marks
    total = n_inst + n_marks
    print(f"LadybugDB load paths — {n_inst:,} institutions + {n_marks:,} marks, work dir {work}")

    # -- open -------------------------------------------------------------------------------------
    t = time.perf_counter()
    store = await LadybugStore.open(work / "loaded" / "hub.lbug")
    cold = time.perf_counter() - t
    await store.close()
    t = time.perf_counter()
    store = await LadybugStore.open(work / "loaded" / "hub.lbug")
    warm = time.perf_counter() - t
    print(f"open, new store (schema only): {cold * 1e3:7.1f} ms    reopen: {warm * 1e3:7.1f} ms")
    await seed_base(store)

    # -- the loading path ---------------------------------------------------------------------------
    t = time.perf_counter()
    inst_table, mark_table = synthetic_tables(n_inst, n_marks)
    tables_s = time.perf_counter() - t
    t = time.perf_counter()
    dataset = dataset_from_tables(inst_table, mark_table)
    records_s = time.perf_counter() - t
    print(f"synthetic pyarrow tables: {tables_s:6.2f} s    -> Dataset records: {records_s:6.2f} s")

    stats = await load_dataset(store, dataset)
    load_s = stats.seconds
    assert stats.bulk and stats.marks.created == n_marks, stats
    print(f"load_dataset, bulk path:     {load_s:6.2f} s  {rate(total, load_s):>16}   ({stats})")
    again = await load_dataset(store, dataset)
    assert not again.changed, again
    print(f"load_dataset, same file again: {again.seconds:6.2f} s  {rate(total, again.seconds):>16}   "
          f"(nothing written: read-only comparison)")
    (counts,) = await store.read("graph.counts")
    print(f"  graph: {counts['institutions']:,} institutions, {counts['marks']:,} marks, "
          f"{counts['holds']:,} HOLDS, {counts['forItem']:,} FOR_ITEM, {counts['validIn']:,} VALID_IN")
    await store.close()
    size = sum(p.stat().st_size for p in (work / "loaded").iterdir())
    print(f"  on disk: {size / 2**20:,.0f} MB")

    # -- raw COPY, no existence check -----------------------------------------------------------------
    raw = await LadybugStore.open(work / "raw" / "hub.lbug")
    await seed_base(raw)
    t = time.perf_counter()
    await raw.bulk_load("Institution", inst_table.select(list(INSTITUTION_COLUMNS)))
    await raw.bulk_load("LOCATED_IN", inst_table.select(["id", "region"]))
    await raw.bulk_load("Mark", mark_table.select(list(MARK_COLUMNS)))
    await raw.bulk_load("HOLDS", mark_table.select(["institution", "id"]))
    await raw.bulk_load("FOR_ITEM", mark_table.select(["id", "item"]))
    await raw.bulk_load("VALID_IN", mark_table.select(["id", "scope"]))
    from bench.synth import marksets

    await raw.bulk_load("MarkSet", marksets(mark_table.select(["institution", "item", "id"])))
    copy_s = time.perf_counter() - t
    print(f"bulk_load (COPY) only:        {copy_s:6.2f} s  {rate(total, copy_s):>16}   "
          f"(load_dataset overhead: x{load_s / copy_s:.1f})")
    await raw.close()

    # -- the MERGE path ---------------------------------------------------------------------------------
    merge = await LadybugStore.open(work / "merge" / "hub.lbug")
    await seed_base(merge)
    inst_rows = [institution_row(i) for i in dataset.institutions]
    t = time.perf_counter()
    for start in range(0, len(inst_rows), WRITE_BATCH):
        await merge.write([("institution.upsert", {"rows": inst_rows[start:start + WRITE_BATCH]})])
    inst_merge_s = time.perf_counter() - t
    n_merge = min(args.merge_rows, n_marks)
    mark_rows = [mark_row(m) for m in dataset.marks[:n_merge]]
    results = {}
    for label in ("new", "existing"):
        t = time.perf_counter()
        for start in range(0, len(mark_rows), WRITE_BATCH):
            await merge.write([("mark.upsert", {"rows": mark_rows[start:start + WRITE_BATCH]})])
        results[label] = time.perf_counter() - t
    await merge.close()
    print(f"MERGE institution.upsert, new: {rate(len(inst_rows), inst_merge_s):>16}   ({len(inst_rows):,} rows)")
    print(f"MERGE mark.upsert, new:        {rate(n_merge, results['new']):>16}   ({n_merge:,} rows, "
          f"{WRITE_BATCH:,}-row transactions)")
    print(f"MERGE mark.upsert, existing:   {rate(n_merge, results['existing']):>16}")

    bulk_rate = total / load_s
    copy_rate = total / copy_s
    merge_rate = n_merge / results["new"]
    print("ratios (same run):")
    print(f"  load_dataset bulk path : MERGE  = {bulk_rate / merge_rate:5.1f} x")
    print(f"  raw COPY               : MERGE  = {copy_rate / merge_rate:5.1f} x")
    print(f"  1M+40k by MERGE would take ~{total / merge_rate:,.0f} s vs {load_s:.1f} s by the bulk path")


if __name__ == "__main__":
    asyncio.run(main())
