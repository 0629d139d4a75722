"""A synthetic country for the benchmarks: deterministic (fixed seed), sizes as parameters.

What it generates, and why it looks like this (national figures from issue 5: ~38,000 hospitals,
~1,000,000 primary-care facilities, ~20,000 alliances, millions of marks):

* **Regions** are the real GB/T 2260 table (:func:`hub.domain.regions.all_regions`); every institution sits in
  a county-level region.  Counties get a random "population" weight; third-level hospitals go to city
  districts (市辖区, codes ``xxxx01``–``xxxx20`` under a prefecture) where there are any.
* **Hospitals** (:data:`HOSPITAL_SHARE` of the institutions) with the tier mix :data:`TIER_MIX`
  (8% 3A, 5% 3B, 2% 3, 25% 2A, 15% 2B, 10% 2, 35% 1/0) and kinds general / tcm / specialist / lab;
  **primary facilities** (kind ``primary``, tier 1 or 0) are the rest.
* **Alliances**: county medical communities (医共体: a hospital of the county and primary facilities of
  the same county) and city medical groups (医联体: a hospital of the city and other institutions of the
  same city), :data:`ALLIANCE_SHARE` of the institutions, 70/30.
* **Marks** over the seeded catalogs' items (:func:`graph.catalogs.read_catalogs`): the catalog(s) of the
  institution's province where a document governs it (policy files), else one imaging catalog chosen per
  province.  A mark's scope is the institution's city, its province, its zone (JJJ/CY where the province
  is in one) or, rarely, CN; validity windows of 1-3 years (some open), a quarter of the items with an
  older expired mark (a renewal), a tenth with a second scope.  Marks are spread by tier
  (:data:`MARK_WEIGHT`): a 3A hospital holds ~60× a primary facility's.

The generator works per institution in Python with one ``random.Random(seed)`` and keeps marks as
integer columns; the string columns (mark ids) are built by pyarrow.  The result, :class:`Country`, is
columnar (pyarrow Tables with :mod:`graph.loading`'s column names) and converts to a
:class:`hub.domain.model.Dataset` for the record-by-record loader.  Same seed and sizes ⇒ same records.

    .venv/bin/python -m bench.synth 1k --out DIR      # write DIR/*.parquet and print the counts
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import itertools
import json
import random
import sys
import time
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SEED = 20_240_601
#: generator version: bump when the same seed would produce different records (cached stores key on it)
VERSION = 2

HOSPITAL_SHARE = 0.038  # ~38,000 hospitals among ~1,000,000 institutions
ALLIANCE_SHARE = 0.02  # ~20,000 alliances
MARKS_PER_INSTITUTION = 5.0  # 1M institutions -> 5M marks
TIER_MIX: tuple[tuple[str, float], ...] = (
    ("3A", 0.08), ("3B", 0.05), ("3", 0.02), ("2A", 0.25), ("2B", 0.15), ("2", 0.10), ("1", 0.25), ("0", 0.10),
)
PRIMARY_TIER_MIX: tuple[tuple[str, float], ...] = (("1", 0.7), ("0", 0.3))
HOSPITAL_KINDS: tuple[tuple[str, float], ...] = (("general", 0.72), ("tcm", 0.15), ("specialist", 0.10), ("lab", 0.03))
#: relative number of marks an institution holds, by tier (primary facilities: :data:`PRIMARY_MARK_WEIGHT`)
MARK_WEIGHT = {"3A": 60.0, "3B": 40.0, "3": 30.0, "2A": 20.0, "2B": 14.0, "2": 10.0, "1": 3.0, "0": 3.0}
PRIMARY_MARK_WEIGHT = 1.0
#: share of a lab catalog's items in the marks, where the province has one
LAB_SHARE = {"hospital": 0.3, "primary": 0.6}
SUFFIX = {"general": "人民医院", "tcm": "中医医院", "specialist": "妇幼保健院", "lab": "医学检验所"}

EPOCH = dt.date(1970, 1, 1)
FIRST_DAY = (dt.date(2021, 1, 1) - EPOCH).days
LAST_DAY = (dt.date(2026, 6, 30) - EPOCH).days

INSTITUTION_COLUMNS = ("id", "name", "tier", "ownership", "kind", "aliases", "region")
ALLIANCE_COLUMNS = ("id", "kind", "name")
MEMBERSHIP_COLUMNS = ("institution", "alliance")
MARK_COLUMNS = ("id", "institution", "item", "scope", "validFrom", "validTo")
TABLES = ("institutions", "alliances", "memberships", "marks")


# --------------------------------------------------------------------------------------------- sizes


def parse_count(text: str) -> int:
    """``200``, ``1k``, ``40k``, ``1m``, ``1.5M`` -> an integer."""
    t = text.strip().lower().replace("_", "")
    scale = {"k": 1_000, "m": 1_000_000}.get(t[-1:], 1)
    return int(round(float(t[:-1] if scale > 1 else t) * scale))


def label(n: int) -> str:
    """1000 -> ``1k``, 40000 -> ``40k``, 1000000 -> ``1m`` (the inverse of :func:`parse_count`)."""
    if n and n % 1_000_000 == 0:
        return f"{n // 1_000_000}m"
    if n and n % 1_000 == 0:
        return f"{n // 1_000}k"
    return str(n)


@dataclass(frozen=True)
class Sizes:
    institutions: int
    marks: int | None = None  # default MARKS_PER_INSTITUTION × institutions
    alliances: int | None = None  # default ALLIANCE_SHARE × institutions
    hospital_share: float = HOSPITAL_SHARE

    @property
    def hospitals(self) -> int:
        return min(self.institutions, max(1, round(self.institutions * self.hospital_share)))

    @property
    def primary(self) -> int:
        return self.institutions - self.hospitals

    @property
    def n_marks(self) -> int:
        return self.marks if self.marks is not None else round(self.institutions * MARKS_PER_INSTITUTION)

    @property
    def n_alliances(self) -> int:
        return self.alliances if self.alliances is not None else round(self.institutions * ALLIANCE_SHARE)

    @classmethod
    def parse(cls, text: str) -> "Sizes":
        return cls(parse_count(text))

    def key(self) -> str:
        return f"{label(self.institutions)}-m{self.n_marks}-a{self.n_alliances}-h{self.hospitals}"


# --------------------------------------------------------------------------------------------- geography


@dataclass(frozen=True)
class _County:
    code: str
    name: str
    city: str  # the prefecture, or the province where the county hangs directly under it
    city_name: str
    province: str
    zone: str | None
    district: bool  # 市辖区 of a prefecture: where third-level hospitals concentrate


def _geography() -> tuple[list[_County], dict[str, list[str]], dict[str, list[str]]]:
    """Counties (sorted by code), and the item pools per province: ``(imaging, lab)`` refs."""
    from graph.catalogs import read_catalogs
    from hub.domain.regions import all_regions, zones
    from hub.domain.policy import load_policies

    regions = all_regions()
    names = {r.code: r.name for r in regions}
    zone_of = {m: z.code for z in zones() for m in z.members}
    counties = []
    for r in sorted((r for r in regions if r.level == "county"), key=lambda r: r.code):
        parent = r.parents[0]
        province = r.code[:2] + "0000"
        district = parent != province and "01" <= r.code[4:] <= "20"
        counties.append(_County(r.code, r.name, parent, names.get(parent, parent), province, zone_of.get(province), district))

    catalogs = read_catalogs()
    refs = {cid: [it.ref for it in cf.items] for cid, cf in catalogs.items()}
    imaging_ids = sorted(cid for cid in refs if cid.endswith("-IMG"))
    governed: dict[str, dict[str, str]] = {}
    for p in load_policies().values():
        if p.zone:
            continue
        for code in p.governs:
            governed[code] = dict(p.catalogs)
    imaging: dict[str, list[str]] = {}
    lab: dict[str, list[str]] = {}
    for i, province in enumerate(sorted({c.province for c in counties})):
        cats = governed.get(province, {})
        imaging[province] = refs[cats.get("imaging") or imaging_ids[i % len(imaging_ids)]]
        lab[province] = refs[cats["lab"]] if cats.get("lab") in refs else []
    return counties, imaging, lab


def _pick(rng: random.Random, mix: Sequence[tuple[str, float]], k: int) -> list[str]:
    return rng.choices([v for v, _ in mix], weights=[w for _, w in mix], k=k)


# --------------------------------------------------------------------------------------------- the country


@dataclass
class Country:
    """The generated records as pyarrow Tables (columns as :mod:`graph.loading` names them)."""

    sizes: Sizes
    seed: int
    institutions: Any  # pa.Table INSTITUTION_COLUMNS
    alliances: Any  # pa.Table ALLIANCE_COLUMNS
    memberships: Any  # pa.Table MEMBERSHIP_COLUMNS
    marks: Any  # pa.Table MARK_COLUMNS
    seconds: float = 0.0

    def tables(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in TABLES}

    def counts(self) -> dict[str, int]:
        return {name: int(t.num_rows) for name, t in self.tables().items()}

    def dataset(self, source: str = "synthetic") -> Any:
        """The same records as :class:`hub.domain.model.Dataset` (for :func:`graph.loading.load_dataset`)."""
        from hub.domain.model import Alliance, Dataset, Institution, Mark

        members: dict[str, list[str]] = {}
        for row in self.memberships.to_pylist():
            members.setdefault(row["alliance"], []).append(row["institution"])
        return Dataset(
            source=source,
            institutions=[
                Institution(r["id"], r["name"], r["tier"], r["region"], r["ownership"], r["kind"], tuple(r["aliases"] or ()))
                for r in self.institutions.to_pylist()
            ],
            alliances=[
                Alliance(r["id"], r["kind"], r["name"], tuple(members.get(r["id"], ())))
                for r in self.alliances.to_pylist()
            ],
            marks=[
                Mark(r["institution"], r["item"], r["scope"], r["validFrom"], r["validTo"])
                for r in self.marks.to_pylist()
            ],
        )

    def write(self, directory: Path) -> None:
        """``DIR/<table>.parquet`` for each table, and ``DIR/country.json`` (sizes, seed, counts)."""
        import pyarrow.parquet as pq

        directory.mkdir(parents=True, exist_ok=True)
        for name, table in self.tables().items():
            pq.write_table(table, directory / f"{name}.parquet", compression="zstd")
        meta = {"sizes": self.sizes.__dict__, "seed": self.seed, "version": VERSION, "counts": self.counts(),
                "seconds": self.seconds}
        (directory / "country.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")

    @classmethod
    def read(cls, directory: Path) -> "Country":
        import pyarrow.parquet as pq

        meta = json.loads((directory / "country.json").read_text(encoding="utf-8"))
        tables = {name: pq.read_table(directory / f"{name}.parquet") for name in TABLES}
        return cls(Sizes(**meta["sizes"]), meta["seed"], seconds=meta.get("seconds", 0.0), **tables)


def generate(sizes: Sizes | int | str, seed: int = SEED) -> Country:
    """The synthetic country of ``sizes`` (an int or ``"40k"`` means that many institutions)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not isinstance(sizes, Sizes):
        sizes = Sizes(sizes) if isinstance(sizes, int) else Sizes.parse(sizes)
    started = time.perf_counter()
    rng = random.Random(seed)
    counties, imaging_pool, lab_pool = _geography()

    # ---- where institutions are: a population weight per county
    weights = [rng.uniform(0.2, 1.8) * (1.5 if c.district else 1.0) for c in counties]
    cum_all = list(itertools.accumulate(weights))
    districts = [i for i, c in enumerate(counties) if c.district]
    cum_districts = list(itertools.accumulate(weights[i] for i in districts))

    n_h, n_p = sizes.hospitals, sizes.primary
    tiers = _pick(rng, TIER_MIX, n_h) + _pick(rng, PRIMARY_TIER_MIX, n_p)
    kinds = _pick(rng, HOSPITAL_KINDS, n_h) + ["primary"] * n_p
    where: list[int] = []
    for i in range(n_h + n_p):
        if i < n_h and tiers[i].startswith("3") and districts:
            where.append(districts[bisect.bisect(cum_districts, rng.random() * cum_districts[-1])])
        else:
            where.append(min(bisect.bisect(cum_all, rng.random() * cum_all[-1]), len(counties) - 1))

    ids: list[str] = []
    inst_names: list[str] = []
    ownership: list[str] = []
    aliases: list[list[str]] = []
    seq: dict[tuple[str, int], int] = {}
    for i in range(n_h + n_p):
        c = counties[where[i]]
        hospital = i < n_h
        n = seq[(c.code, hospital)] = seq.get((c.code, hospital), 0) + 1
        if hospital:
            ids.append(f"H{c.code}{n:04d}")
            inst_names.append(f"{c.name}第{n}{SUFFIX[kinds[i]]}（合成）")
            r = rng.random()
            ownership.append("public" if r < 0.80 else "private" if r < 0.98 else "military")
            aliases.append([f"{c.city_name}{c.name}{n}院"] if rng.random() < 0.05 else [])
        else:
            ids.append(f"P{c.code}{n:05d}")
            kind = "社区卫生服务中心" if c.district else "乡镇卫生院"
            inst_names.append(f"{c.name}第{n}{kind}（合成）")
            ownership.append("public" if rng.random() < 0.9 else "private")
            aliases.append([])

    # ---- marks: item / scope / window per institution, kept as integer columns
    item_refs: list[str] = sorted({r for pool in (*imaging_pool.values(), *lab_pool.values()) for r in pool})
    item_index = {r: k for k, r in enumerate(item_refs)}
    scope_codes: list[str] = []
    scope_index: dict[str, int] = {}

    def scope_id(code: str) -> int:
        k = scope_index.get(code)
        if k is None:
            k = scope_index[code] = len(scope_codes)
            scope_codes.append(code)
        return k

    # per county: (province, city, zone-or-None, CN) as scope ids; per province: item pools as indices
    county_scopes = [
        (scope_id(c.province), scope_id(c.city), scope_id(c.zone) if c.zone else None, scope_id("CN"))
        for c in counties
    ]
    img_ix = {p: [item_index[r] for r in refs] for p, refs in imaging_pool.items()}
    lab_ix = {p: [item_index[r] for r in refs] for p, refs in lab_pool.items()}

    mark_weight = [MARK_WEIGHT[tiers[i]] if i < n_h else PRIMARY_MARK_WEIGHT for i in range(n_h + n_p)]
    per_unit = sizes.n_marks / sum(mark_weight) if mark_weight else 0.0
    m_inst, m_item, m_scope = array("I"), array("H"), array("H")
    m_from, m_to = array("i"), array("i")
    rnd = rng.random
    span = LAST_DAY - FIRST_DAY
    remaining = sizes.n_marks
    for i in range(n_h + n_p):
        if remaining <= 0:
            break
        want = mark_weight[i] * per_unit
        k = min(int(want) + (1 if rnd() < want - int(want) else 0), remaining)
        if k == 0:
            continue
        ci = where[i]
        province = counties[ci].province
        img, lab = img_ix[province], lab_ix[province]
        prov, city, zone, nation = county_scopes[ci]
        n_items = max(1, -(-k * 20 // 23))  # ~1.4 marks per item (renewals, second scopes); stop at k
        lab_share = LAB_SHARE["hospital" if i < n_h else "primary"] if lab else 0.0
        n_lab = min(len(lab), round(n_items * lab_share))
        n_img = min(len(img), n_items - n_lab)
        chosen = rng.sample(img, n_img) + (rng.sample(lab, n_lab) if n_lab else [])
        made = 0
        for item in chosen:
            if made >= k:
                break
            r = rnd()
            if r < 0.50:
                scopes = [prov]
            elif r < 0.86 or (r < 0.99 and zone is None):
                scopes = [city]
            elif r < 0.99:
                scopes = [zone]
            else:
                scopes = [nation]
            if rnd() < 0.10 and made + 1 < k:
                second = zone if zone is not None and scopes[0] != zone else (prov if scopes[0] != prov else city)
                if second != scopes[0]:
                    scopes.append(second)
            start = FIRST_DAY + int(rnd() * span)
            end = -1 if rnd() < 0.15 else start + 365 + int(rnd() * 730)
            renewal = rnd() < 0.25
            for sid in scopes:
                m_inst.append(i); m_item.append(item); m_scope.append(sid)  # noqa: E702
                m_from.append(start); m_to.append(end)  # noqa: E702
                made += 1
                if renewal and made < k:
                    m_inst.append(i); m_item.append(item); m_scope.append(sid)  # noqa: E702
                    m_from.append(start - 730 - int(rnd() * 365)); m_to.append(start - 1)  # noqa: E702
                    made += 1
        remaining -= made

    # ---- alliances: county medical communities and city medical groups, members nearby
    by_county: dict[int, tuple[list[int], list[int]]] = {}
    by_city: dict[str, tuple[list[int], list[int]]] = {}
    for i, ci in enumerate(where):
        h = 0 if i < n_h else 1
        by_county.setdefault(ci, ([], []))[h].append(i)
        by_city.setdefault(counties[ci].city, ([], []))[h].append(i)
    county_keys = sorted(k for k, (hs, ps) in by_county.items() if len(hs) + len(ps) >= 2)
    city_keys = sorted(k for k, (hs, ps) in by_city.items() if hs and len(hs) + len(ps) >= 2)
    city_names = {c.city: c.city_name for c in counties}
    a_ids: list[str] = []
    a_kinds: list[str] = []
    a_names: list[str] = []
    mem_inst: list[str] = []
    mem_all: list[str] = []
    a_seq: dict[str, int] = {}
    n_a = sizes.n_alliances
    for _ in range(n_a):
        if county_keys and (rng.random() < 0.7 or not city_keys):
            ci = county_keys[rng.randrange(len(county_keys))]
            hs, ps = by_county[ci]
            c = counties[ci]
            n = a_seq[c.code] = a_seq.get(c.code, 0) + 1
            aid, kind, name = f"CMC-{c.code}-{n}", "county_medical_community", f"{c.name}县域医共体{n}（合成）"
            lead = [hs[rng.randrange(len(hs))]] if hs else []
            pool = [p for p in ps if p not in lead] or [x for x in hs if x not in lead]
            members = lead + rng.sample(pool, min(len(pool), rng.randint(5, 25)))
        elif city_keys:
            city = city_keys[rng.randrange(len(city_keys))]
            hs, ps = by_city[city]
            n = a_seq[city] = a_seq.get(city, 0) + 1
            aid, kind, name = f"CMG-{city}-{n}", "city_medical_group", f"{city_names[city]}城市医疗集团{n}（合成）"
            top = [h for h in hs if tiers[h].startswith("3")] or hs
            lead = [top[rng.randrange(len(top))]]
            others = [x for x in itertools.chain(hs, ps) if x != lead[0]]
            members = lead + rng.sample(others, min(len(others), rng.randint(3, 15)))
        else:
            break
        a_ids.append(aid)
        a_kinds.append(kind)
        a_names.append(name)
        for m in members:
            mem_inst.append(ids[m])
            mem_all.append(aid)

    # ---- tables
    s = pa.string()
    id_array = pa.array(ids, s)
    institutions = pa.table({
        "id": id_array,
        "name": pa.array(inst_names, s),
        "tier": pa.array(tiers, s),
        "ownership": pa.array(ownership, s),
        "kind": pa.array(kinds, s),
        "aliases": pa.array(aliases, pa.list_(s)),
        "region": pa.array([counties[w].code for w in where], s),
    })
    alliances = pa.table({"id": pa.array(a_ids, s), "kind": pa.array(a_kinds, s), "name": pa.array(a_names, s)})
    memberships = pa.table({"institution": pa.array(mem_inst, s), "alliance": pa.array(mem_all, s)})
    inst_col = pc.take(id_array, pa.array(m_inst, pa.uint32()))
    item_col = pc.take(pa.array(item_refs, s), pa.array(m_item, pa.uint16()))
    scope_col = pc.take(pa.array(scope_codes, s), pa.array(m_scope, pa.uint16()))
    from_days = pa.array(m_from, pa.int32())
    to_days = pa.array(m_to, pa.int32())
    valid_from = from_days.cast(pa.date32())
    valid_to = pc.if_else(pc.less(to_days, 0), pa.scalar(None, pa.int32()), to_days).cast(pa.date32())
    mark_id = pc.binary_join_element_wise(inst_col, item_col, scope_col, valid_from.cast(s), "|")
    del m_inst, m_item, m_scope, m_from, m_to
    marks = pa.table({
        "id": mark_id, "institution": inst_col, "item": item_col, "scope": scope_col,
        "validFrom": valid_from, "validTo": valid_to,
    })
    return Country(sizes, seed, institutions, alliances, memberships, marks, time.perf_counter() - started)


# --------------------------------------------------------------------------------------------- loading


#: rows per COPY of a node table: one COPY of 5M marks holds ~1.4 GB of transient memory in LadybugDB;
#: 500k-row COPYs less.  (From a country directory on LadybugDB, relationships and MarkSet are one COPY
#: each, read from parquet by the store: see _load_step.)
CHUNK_ROWS = 500_000
#: (table, source table, columns) in load order: nodes before the relationships that point at them
LOAD_STEPS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Institution", "institutions", INSTITUTION_COLUMNS),
    ("LOCATED_IN", "institutions", ("id", "region")),
    ("Alliance", "alliances", ALLIANCE_COLUMNS),
    ("MEMBER_OF", "memberships", MEMBERSHIP_COLUMNS),
    ("Mark", "marks", MARK_COLUMNS),
    ("HOLDS", "marks", ("institution", "id")),
    ("FOR_ITEM", "marks", ("id", "item")),
    ("VALID_IN", "marks", ("id", "scope")),
    ("MarkSet", "marks", ("institution", "item", "id")),  # grouped by marksets() before the COPY
)
def load_steps(backend: str) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """The steps of the initial bulk load on ``backend``: :data:`LOAD_STEPS` (LadybugDB: one COPY per table),
    with a node table and the relationships it starts merged into one step where the backend has a combined
    statement for them (Neo4j: ``Institution+LOCATED_IN``, ``Mark+HOLDS+FOR_ITEM+VALID_IN`` — the same
    statements ``hub load``'s bulk path takes, :func:`graph.statements.bulk_links`)."""
    from graph.statements import bulk_links, bulk_table

    links = bulk_links(backend)  # type: ignore[arg-type]
    merged = {rel for rels in links.values() for rel in rels}
    return tuple(
        (bulk_table(target, backend), table, names) if target in links else (target, table, names)  # type: ignore[arg-type]
        for target, table, names in LOAD_STEPS if target not in merged
    )


#: the same load on Neo4j (see :func:`load_steps`)
NEO4J_LOAD_STEPS = load_steps("neo4j")


def marksets(marks: Any) -> Any:
    """The MarkSet table (key "institution|item", marks: the ids) of a table of marks."""
    import pyarrow as pa
    import pyarrow.compute as pc

    keys = pc.binary_join_element_wise(marks["institution"], marks["item"], "|")
    grouped = pa.table({"key": keys, "id": marks["id"]}).group_by("key").aggregate([("id", "list")])
    return pa.table({"key": grouped["key"], "marks": grouped["id_list"]})


def _institution_pieces(marks: Any, rows: int) -> Iterator[Any]:
    """Slices of about ``rows`` marks that end where the institution changes."""
    institution = marks["institution"]
    start, n = 0, marks.num_rows
    while start < n:
        end = min(start + rows, n)
        while end < n and institution[end].as_py() == institution[end - 1].as_py():
            end += 1
        yield marks.slice(start, end - start)
        start = end


async def _refuse_loaded(store: Any) -> None:
    from graph.store import StoreError

    counts = (await store.read("graph.counts"))[0]
    held = {k: counts[k] for k in ("institutions", "alliances", "marks") if counts[k]}
    if held:
        raise StoreError(f"{store.target} already holds {held}: the initial bulk load needs a store without them")


def _parquet_source(store: Any) -> Any:
    """:class:`graph.ladybug_store.ParquetColumns` where ``store`` COPYs straight from parquet files (the
    embedded store), else None (Neo4j: Arrow tables, batched)."""
    from graph.ladybug_store import LadybugStore, ParquetColumns

    return ParquetColumns if isinstance(store, LadybugStore) else None


async def _copy_marksets(store: Any, marks: Any, chunk_rows: int, source: Any) -> None:
    """The MarkSet table of ``marks`` (a Table of institution, item, id, or its parquet file), grouped piece by
    piece: one group_by over all marks held ~1 GB more at national scale; the generator writes each
    institution's marks contiguously, so a piece ending on an institution boundary holds whole MarkSets (a
    key split across pieces would fail the COPY loudly).  Where the store COPYs from parquet (``source``),
    the pieces go to one file that one COPY reads: the primary-key index of 3.8M keys built by one COPY took
    17.7-22.8 s of CPU against 22.7-29.2 s as eight COPYs into a growing table, and peaked at 1.3 GB RSS
    against 1.7 GB, the grouped rows having left Python before LadybugDB reads them."""
    import tempfile

    import pyarrow.parquet as pq

    if isinstance(marks, Path):
        marks = pq.read_table(marks, columns=["institution", "item", "id"])
    if source is None:
        for piece in _institution_pieces(marks, chunk_rows):
            await store.bulk_load("MarkSet", marksets(piece))
        return
    with tempfile.TemporaryDirectory(prefix="huren-marksets-") as tmp:
        path = Path(tmp) / "MarkSet.parquet"
        writer = None
        try:
            for piece in _institution_pieces(marks, chunk_rows):
                grouped = marksets(piece)
                if writer is None:
                    writer = pq.ParquetWriter(path, grouped.schema, compression="none")
                writer.write_table(grouped)
        finally:
            if writer is not None:
                writer.close()
        del marks
        _release_memory()
        if writer is not None:
            await store.bulk_load("MarkSet", source(path))


def _release_memory() -> None:
    import gc

    import pyarrow as pa

    gc.collect()
    pa.default_memory_pool().release_unused()


async def _load_step(store: Any, country: "Country | Path", step: tuple[str, str, tuple[str, ...]],
                     chunk_rows: int) -> float:
    target, table, names = step
    started = time.perf_counter()
    if isinstance(country, Country):
        rows = getattr(country, table).select(list(names))
        if target == "MarkSet":
            await _copy_marksets(store, rows, chunk_rows, None)
        else:
            for offset in range(0, rows.num_rows, chunk_rows):
                await store.bulk_load(target, rows.slice(offset, chunk_rows))
        del rows
    else:
        import pyarrow as pa
        import pyarrow.parquet as pq

        path = Path(country) / f"{table}.parquet"
        source = _parquet_source(store)
        if target == "MarkSet":
            await _copy_marksets(store, path, chunk_rows, source)
        elif source is not None and target.isupper():
            # a relationship in one COPY straight from its parquet file: no Arrow copy in Python, and ~two
            # thirds of the CPU of ten 500k-row COPYs into a growing table (graph.ladybug_store.ParquetColumns)
            await store.bulk_load(target, source(path, names[:2]))
        else:
            # read chunk by chunk: only one COPY's rows are in Python while the store copies them (4.9M
            # marks' six columns are ~0.5 GB)
            with pq.ParquetFile(path) as file:
                for batch in file.iter_batches(batch_size=chunk_rows, columns=list(names)):
                    await store.bulk_load(target, pa.Table.from_batches([batch]))
    if target == "MEMBER_OF":
        # Institution.allianceIds, the read model of MEMBER_OF that facts.institutions reads (schema v3)
        await store.write([("institution.alliances_all", None)])
    _release_memory()
    return time.perf_counter() - started


async def load_country(store: Any, country: "Country | Path", *, chunk_rows: int = CHUNK_ROWS) -> dict[str, float]:
    """Initial bulk load of ``country`` into ``store`` through the port's bulk path
    (:meth:`graph.store.GraphStore.bulk_load`: ``COPY`` on LadybugDB), nodes before the relationships that
    point at them, ``chunk_rows`` rows per COPY.

    ``country`` is a :class:`Country` in memory or the directory :meth:`Country.write` wrote.  From a
    directory, node tables are read ``chunk_rows`` rows at a time (only the columns copied), and on
    LadybugDB each relationship table is one COPY that the store reads straight from the parquet file
    (:class:`graph.ladybug_store.ParquetColumns`), MarkSet one COPY of a grouped file in a temporary
    directory.  Every key must be new, so a store that already holds institutions, alliances or marks is
    refused (load into it with :func:`graph.loading.load_dataset`).  Returns the seconds each
    node/relationship table took."""
    await _refuse_loaded(store)
    return {step[0]: await _load_step(store, country, step, chunk_rows) for step in load_steps(store.backend)}


async def _load_offline(target: str, country: "Country | Path", steps: Sequence[tuple[str, str, tuple[str, ...]]],
                        chunk_rows: int, *, seed: bool) -> dict[str, float]:
    """``steps`` into the store at ``target``, opened for each table and closed after it (see
    :func:`load_country_offline`); the first open refuses a store that already holds records."""
    from graph.store import open_store

    seconds: dict[str, float] = {}
    for k, step in enumerate(steps):
        started = time.perf_counter()
        store = await open_store(target, seed=seed)
        try:
            if k == 0:
                await _refuse_loaded(store)
            await _load_step(store, country, step, chunk_rows)
        finally:
            await store.close()
        seconds[step[0]] = time.perf_counter() - started
    return seconds


async def load_country_offline(target: str, country: "Country | Path", *, chunk_rows: int = CHUNK_ROWS) -> dict[str, float]:
    """:func:`load_country` into the store at ``target`` while nothing else holds it: the store is opened
    for each table and closed after it.  LadybugDB keeps ~300 MB per 5M-row COPY until its ``Database``
    closes (measured: 1M institutions + 5M marks peak at ~2.4 GB RSS in one open, ~1.8 GB this way; 1.5 GB
    since the relationships and MarkSet are COPYed from files), so an initial national load releases it
    between tables.  Returns the seconds per table (open/close included)."""
    return await _load_offline(target, country, LOAD_STEPS, chunk_rows, seed=True)


async def load_nodes_only(target: str, country: "Country | Path", *, chunk_rows: int = CHUNK_ROWS) -> float:
    """The same-run baseline of the national load: only the Institution and Mark node COPYs (same port,
    same statements, same chunks, reopened per table), into a new store without seeds, relationships or
    read models — the part of the load no graph model can avoid.  Returns the seconds."""
    from graph.store import open_store

    steps = [step for step in LOAD_STEPS if step[0] in ("Institution", "Mark")]
    await (await open_store(target, seed=False)).close()  # the schema is created outside the time, as for the load
    return sum((await _load_offline(target, country, steps, chunk_rows, seed=False)).values())


# --------------------------------------------------------------------------------------------- sample checks


@dataclass(frozen=True)
class SampleCheck:
    """One realistic question: a study of ``institution`` (for ``item``, on ``performed_on``) asked at
    ``at`` on ``on``; the source holds a mark for the item (valid or not on that day)."""

    institution: str
    item: str
    performed_on: dt.date
    at: str
    on: dt.date

    def as_variables(self) -> dict[str, Any]:
        return {"s": {"institution": self.institution, "item": self.item,
                      "performedOn": self.performed_on.isoformat()},
                "at": self.at, "on": self.on.isoformat()}


def sample_checks(country: Country, n: int, seed: int = SEED, *, governed_share: float = 0.9) -> list[SampleCheck]:
    """``n`` checks drawn from the marks: ``governed_share`` of them from institutions in a province that a
    document governs (where the hub is asked; elsewhere the answer is a quick NO_POLICY), the rest from
    anywhere.  The target is a hospital of the source's province (75%), of its city (15%) or anywhere
    (10%); the study date lies in the mark's window (85%) or before it."""
    from hub.domain.policy import load_policies

    rng = random.Random(seed ^ 0x5EED)
    governed = {code[:2] for p in load_policies().values() if not p.zone for code in p.governs}
    inst = country.institutions
    regions = inst.column("region").to_pylist()
    inst_ids = inst.column("id").to_pylist()
    hospital = [t != "primary" for t in inst.column("kind").to_pylist()]
    by_province: dict[str, list[int]] = {}
    by_city: dict[str, list[int]] = {}
    hospitals: list[int] = []
    for i, (code, h) in enumerate(zip(regions, hospital)):
        if h:
            hospitals.append(i)
            by_province.setdefault(code[:2], []).append(i)
            by_city.setdefault(code[:4], []).append(i)
    marks = country.marks
    if marks.num_rows == 0 or not hospitals or n <= 0:
        return []
    region_of = dict(zip(inst_ids, regions))
    candidates = marks.take(sorted(rng.sample(range(marks.num_rows), min(marks.num_rows, 20 * n)))).to_pylist()
    rng.shuffle(candidates)
    inside = [m for m in candidates if region_of[m["institution"]][:2] in governed]
    outside = [m for m in candidates if region_of[m["institution"]][:2] not in governed]
    taken = []
    for _ in range(n):
        pool = inside if (rng.random() < governed_share and inside) or not outside else outside
        taken.append(pool[rng.randrange(len(pool))])
    out = []
    for m in taken:
        code = region_of[m["institution"]]
        r = rng.random()
        pool = by_province.get(code[:2]) if r < 0.75 else by_city.get(code[:4]) if r < 0.9 else None
        pool = pool or hospitals
        at = inst_ids[pool[rng.randrange(len(pool))]]
        start, end = m["validFrom"], m["validTo"] or m["validFrom"] + dt.timedelta(days=3 * 365)
        if rng.random() < 0.85:
            performed = start + dt.timedelta(days=rng.randint(0, max(0, (end - start).days)))
        else:
            performed = start - dt.timedelta(days=rng.randint(1, 200))
        out.append(SampleCheck(m["institution"], m["item"], performed, at,
                               performed + dt.timedelta(days=rng.randint(0, 240))))
    return out


def iter_counts(country: Country) -> Iterator[str]:
    for name, n in country.counts().items():
        yield f"{name}: {n:,}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Generate a synthetic country (parquet tables).")
    ap.add_argument("size", help="institutions: 200, 1k, 40k, 1m")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--marks", type=parse_count)
    ap.add_argument("--alliances", type=parse_count)
    ap.add_argument("--out", type=Path, help="directory for <table>.parquet (default: print counts only)")
    args = ap.parse_args(argv)
    country = generate(Sizes(parse_count(args.size), args.marks, args.alliances), args.seed)
    print(f"generated in {country.seconds:.2f} s: " + ", ".join(iter_counts(country)))
    if args.out:
        country.write(args.out)
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
