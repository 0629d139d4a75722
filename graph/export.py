"""The whole graph, page by page, out of a store: into another store (``hub export --to bolt://…``) or into
files (graph/export_files.py: CSV for pandas, GraphML for networkx and Gephi).

The source is read through named statements (``export.nodes.<Label>``, ``export.edges.<TYPE>``,
``export.alliances``) with keyset paging — ``WHERE key > $after ORDER BY key LIMIT $limit`` — because SKIP
is capped (graph.store.MAX_SKIP) and deep SKIP reads every skipped row.  Any object with the ``read`` of the
store port will do: a :class:`graph.readonly.ReadOnlyGraph` (the CLI's, which cannot write the source) or
a :class:`graph.store.GraphStore`.

**Copying to another store** writes nothing but what the hub's own writers write, so the copy is the
graph the hub would have built from the same inputs:

* the seed-derived nodes (regions and PART_OF, catalogs, catalog items, policies with GOVERNS / USES) by
  the seeding upserts (``region.upsert`` …), only those that differ from what the target holds;
* institutions, alliances (with their members) and marks by the dataset loader
  (:func:`graph.loading.load_dataset`), a page at a time: it compares each record with the target and
  writes only the new or changed ones (large pages take its bulk path), keeps the read models (MarkSet,
  Institution.allianceIds) and reports created / updated / unchanged;
* the ``seed`` fingerprint of the source's Meta, so a hub opening the copy with the same seeds does not
  seed it again (``schema.version`` is the target's own).

So an export is idempotent (a second one writes nothing) and converges after an interruption (run it
again).  It adds and updates; it never deletes what the target holds beyond the source.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from hub.domain.model import Alliance, Dataset, Institution, Mark
from graph.loading import KindStats, load_dataset
from graph.store import GraphStore, Params, Row

#: rows per page read from the source (and per dataset handed to the loader)
PAGE = 50_000
#: rows per upsert transaction of the seed-derived nodes (as graph.seeding)
WRITE_BATCH = 2_000


class Source(Protocol):
    target: str

    async def read(self, name: str, params: Params | None = None) -> list[Row]: ...


@dataclass(frozen=True)
class NodeKind:
    label: str
    key: str
    properties: tuple[str, ...]  # every property, the key first (the export.nodes.<label> columns)
    #: the property a viewer shows as the node's name (the ``label`` column / attribute of the file exports)
    display: str
    #: integer properties (typed ``long`` in GraphML); every other property is a string, a list or a date
    integers: tuple[str, ...] = ()


@dataclass(frozen=True)
class EdgeKind:
    type: str
    source: str  # label
    target: str  # label


NODES: tuple[NodeKind, ...] = (
    NodeKind("Region", "code", ("code", "name", "level"), "name"),
    NodeKind("Institution", "id", ("id", "name", "tier", "ownership", "kind", "aliases", "region", "allianceIds"),
             "name"),
    NodeKind("Alliance", "id", ("id", "kind", "name"), "name"),
    NodeKind("Catalog", "id", ("id", "name", "source", "clause", "itemCount"), "name", ("itemCount",)),
    NodeKind("CatalogItem", "ref", ("ref", "catalog", "local", "row", "name", "modality", "bodyPart", "laterality",
                                    "contrast", "views", "source", "printed", "note"), "name", ("row",)),
    NodeKind("Mark", "id", ("id", "institution", "item", "scope", "validFrom", "validTo"), "id"),
    NodeKind("Policy", "id", ("id", "title", "source"), "title"),
)
#: the read model and bookkeeping nodes: copied to a store (rebuilt by the loader / copied), not to files
INDEX_NODES: tuple[NodeKind, ...] = (
    NodeKind("MarkSet", "key", ("key", "marks"), "key"),
    NodeKind("Meta", "key", ("key", "value"), "key"),
)
#: derived properties the file exports leave out (Institution.allianceIds is MEMBER_OF again)
DERIVED = {"Institution": ("allianceIds",)}
EDGES: tuple[EdgeKind, ...] = (
    EdgeKind("PART_OF", "Region", "Region"),
    EdgeKind("LOCATED_IN", "Institution", "Region"),
    EdgeKind("MEMBER_OF", "Institution", "Alliance"),
    EdgeKind("IN_CATALOG", "CatalogItem", "Catalog"),
    EdgeKind("HOLDS", "Institution", "Mark"),
    EdgeKind("FOR_ITEM", "Mark", "CatalogItem"),
    EdgeKind("VALID_IN", "Mark", "Region"),
    EdgeKind("GOVERNS", "Policy", "Region"),
    EdgeKind("USES", "Policy", "Catalog"),
)
#: graph.counts' column for each label and type
COUNT_COLUMNS = {
    "Region": "regions", "Institution": "institutions", "Alliance": "alliances", "Catalog": "catalogs",
    "CatalogItem": "catalogItems", "Mark": "marks", "Policy": "policies", "MarkSet": "marksets", "Meta": "meta",
    "PART_OF": "partOf", "LOCATED_IN": "locatedIn", "MEMBER_OF": "memberOf", "IN_CATALOG": "inCatalog",
    "HOLDS": "holds", "FOR_ITEM": "forItem", "VALID_IN": "validIn", "GOVERNS": "governs", "USES": "uses",
}
NODE_KIND = {k.label: k for k in (*NODES, *INDEX_NODES)}


# -- reading the source page by page ----------------------------------------------------------------------


async def node_pages(src: Source, label: str, page: int = PAGE) -> AsyncIterator[list[Row]]:
    """Every ``label`` node of ``src`` (every property), in key order, ``page`` at a time."""
    key = NODE_KIND[label].key
    after = ""
    while True:
        rows = await src.read(f"export.nodes.{label}", {"after": after, "limit": page})
        if rows:
            yield rows
        if len(rows) < page:
            return
        after = rows[-1][key]


async def edge_pages(src: Source, rel: str, page: int = PAGE) -> AsyncIterator[list[tuple[str, str]]]:
    """Every ``rel`` relationship of ``src`` as (from key, to key), a page of paged nodes at a time."""
    after = ""
    while True:
        rows = await src.read(f"export.edges.{rel}", {"after": after, "limit": page})
        pairs = [(r["src"], r["dst"]) for r in rows if r["src"] is not None and r["dst"] is not None]
        if pairs:
            yield pairs
        if len({r["page"] for r in rows}) < page:
            return
        after = rows[-1]["page"]


async def _all_nodes(src: Source, label: str) -> list[Row]:
    return [row async for rows in node_pages(src, label) for row in rows]


async def _all_edges(src: Source, rel: str) -> list[tuple[str, str]]:
    return [pair async for pairs in edge_pages(src, rel) for pair in pairs]


async def counts(src: Source) -> dict[str, int]:
    """Nodes per label and relationships per type, by the names of :data:`COUNT_COLUMNS`' keys."""
    (row,) = await src.read("graph.counts")
    (extra,) = await src.read("export.index_counts")
    both = {**row, **extra}
    return {name: int(both[column]) for name, column in COUNT_COLUMNS.items()}


# -- copying to another store -----------------------------------------------------------------------------

Progress = Callable[[str, int, int], None]


@dataclass
class CopyReport:
    """What a copy did (per kind: created / updated / unchanged) and the counts on both sides after it."""

    kinds: dict[str, KindStats] = field(default_factory=dict)
    source_counts: dict[str, int] = field(default_factory=dict)
    target_counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def stats(self, kind: str) -> KindStats:
        return self.kinds.setdefault(kind, KindStats())

    @property
    def missing(self) -> dict[str, tuple[int, int]]:
        """Labels and types the target holds fewer of than the source: (source, target)."""
        return {k: (n, self.target_counts.get(k, 0)) for k, n in self.source_counts.items()
                if self.target_counts.get(k, 0) < n}

    @property
    def changed(self) -> bool:
        return any(s.created or s.updated for s in self.kinds.values())


def _same(a: Any, b: Any) -> bool:
    """Equal as stored values (a list equals a tuple, a Neo4j date a date)."""
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return list(a) == list(b)
    return a == b


def _row_same(a: Row, b: Row | None) -> bool:
    return b is not None and all(_same(a[k], b.get(k)) for k in a)


async def _upsert_changed(dst: GraphStore, report: CopyReport, kind: str, statement: str, key: str,
                          want: list[Row], have: list[Row]) -> None:
    stored = {r[key]: r for r in have}
    changed = []
    for row in want:
        old = stored.get(row[key])
        if _row_same(row, old):
            report.stats(kind).unchanged += 1
        else:
            changed.append(row)
            if old is None:
                report.stats(kind).created += 1
            else:
                report.stats(kind).updated += 1
    for start in range(0, len(changed), WRITE_BATCH):
        await dst.write([(statement, {"rows": changed[start:start + WRITE_BATCH]})])


def _policies(nodes: list[Row], governs: list[tuple[str, str]], uses: list[tuple[str, str]]) -> list[Row]:
    by_policy: dict[str, tuple[list[str], list[str]]] = {p["id"]: ([], []) for p in nodes}
    for p, code in governs:
        by_policy.setdefault(p, ([], []))[0].append(code)
    for p, catalog in uses:
        by_policy.setdefault(p, ([], []))[1].append(catalog)
    return [{**p, "governs": sorted(by_policy[p["id"]][0]), "catalogs": sorted(by_policy[p["id"]][1])}
            for p in nodes]


async def _copy_seeded(src: Source, dst: GraphStore, report: CopyReport, tick: Callable[[str, int], None]) -> None:
    """Regions, PART_OF, catalogs, catalog items and policies: written by the seeding upserts where the
    target differs (thousands of rows: read whole on both sides)."""
    await _upsert_changed(dst, report, "regions", "region.upsert", "code",
                          await _all_nodes(src, "Region"), await _all_nodes(dst, "Region"))
    tick("regions", 1)
    have = set(await _all_edges(dst, "PART_OF"))
    missing = [{"child": c, "parent": p} for c, p in await _all_edges(src, "PART_OF") if (c, p) not in have]
    stats = report.stats("PART_OF")
    stats.created += len(missing)
    stats.unchanged += len(have)
    for start in range(0, len(missing), WRITE_BATCH):
        await dst.write([("region.part_of", {"rows": missing[start:start + WRITE_BATCH]})])
    await _upsert_changed(dst, report, "catalogs", "catalog.upsert", "id",
                          await _all_nodes(src, "Catalog"), await _all_nodes(dst, "Catalog"))
    await _upsert_changed(dst, report, "catalog items", "catalog_item.upsert", "ref",
                          await _all_nodes(src, "CatalogItem"), await _all_nodes(dst, "CatalogItem"))
    tick("catalogs", 1)
    want = _policies(await _all_nodes(src, "Policy"), await _all_edges(src, "GOVERNS"), await _all_edges(src, "USES"))
    have_p = _policies(await _all_nodes(dst, "Policy"), await _all_edges(dst, "GOVERNS"), await _all_edges(dst, "USES"))
    await _upsert_changed(dst, report, "policies", "policy.upsert", "id", want, have_p)
    tick("policies", 1)


def _date(value: Any) -> dt.date | None:
    if value is None:
        return None
    if hasattr(value, "to_native"):
        value = value.to_native()
    return value.date() if isinstance(value, dt.datetime) else value


def _institution(r: Row) -> Institution:
    return Institution(id=r["id"], name=r["name"], tier=r["tier"], region=r["region"], ownership=r["ownership"],
                       kind=r["kind"], aliases=tuple(r["aliases"] or ()))


def _mark(r: Row) -> Mark:
    mark = Mark(institution=r["institution"], item=r["item"], scope=r["scope"], valid_from=_date(r["validFrom"]),
                valid_to=_date(r["validTo"]))
    if mark.id != r["id"]:
        raise ValueError(f"mark {r['id']!r} does not have the id its properties make ({mark.id!r})")
    return mark


def _add(total: KindStats, part: KindStats) -> None:
    total.created += part.created
    total.updated += part.updated
    total.unchanged += part.unchanged


async def copy_graph(src: Source, dst: GraphStore, progress: Progress | None = None, *,
                     page: int = PAGE) -> CopyReport:
    """Copy every node and relationship of ``src`` into ``dst`` (see the module docstring)."""
    import time

    started = time.perf_counter()
    report = CopyReport()
    report.source_counts = await counts(src)
    totals = {"institutions": report.source_counts["Institution"], "alliances": report.source_counts["Alliance"],
              "marks": report.source_counts["Mark"], "regions": 1, "catalogs": 1, "policies": 1}
    done: dict[str, int] = {}

    def tick(stage: str, n: int) -> None:
        done[stage] = done.get(stage, 0) + n
        if progress is not None:
            progress(stage, min(done[stage], totals[stage]), totals[stage])

    await _copy_seeded(src, dst, report, tick)

    async def load(kind: str, dataset: Dataset) -> None:
        stats = await load_dataset(dst, dataset)
        _add(report.stats(kind), getattr(stats, kind))
        tick(kind, len(dataset))

    async for rows in node_pages(src, "Institution", page):
        await load("institutions", Dataset(f"{src.target} institutions", institutions=[_institution(r) for r in rows]))
    after = ""
    while True:
        rows = await src.read("export.alliances", {"after": after, "limit": page})
        if rows:
            await load("alliances", Dataset(f"{src.target} alliances", alliances=[
                Alliance(id=r["id"], kind=r["kind"], name=r["name"], members=tuple(sorted(m for m in r["members"] if m)))
                for r in rows]))
        if len(rows) < page:
            break
        after = rows[-1]["id"]
    async for rows in node_pages(src, "Mark", page):
        await load("marks", Dataset(f"{src.target} marks", marks=[_mark(r) for r in rows]))

    # the seed fingerprint (schema.version is the target's own, written when it was opened)
    stored = {r["key"]: r["value"] for r in await _all_nodes(dst, "Meta")}
    for row in await _all_nodes(src, "Meta"):
        if row["key"] == "schema.version":
            continue
        stats = report.stats("meta")
        if stored.get(row["key"]) == row["value"]:
            stats.unchanged += 1
            continue
        await dst.write([("meta.set", {"key": row["key"], "value": row["value"]})])
        if row["key"] in stored:
            stats.updated += 1
        else:
            stats.created += 1

    report.target_counts = await counts(dst)
    report.seconds = time.perf_counter() - started
    return report
