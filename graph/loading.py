"""Write a validated :class:`~hub.domain.model.Dataset` into a graph store, idempotently.

Validation is not done here (``hub.domain.dataset`` does it): every institution's region, every mark's
institution, item and scope exist in the graph or in the dataset.

Two paths, both idempotent and both converging after a crash (``kill -9``) when simply run again:

* **Small datasets** (fewer than :data:`BULK_THRESHOLD` records) are written through
  :meth:`GraphStore.write` in **one** transaction: the whole file or nothing.
* **Large datasets** take the bulk path.  The loader first reads the stored state of every record of
  the file (statements ``institution.existing``, ``alliance.existing``, ``mark.existing``, in batches),
  ``bulk_load``\\ s only the records that do not exist yet (pyarrow Tables: COPY on LadybugDB, batched
  ``UNWIND … CREATE`` on Neo4j, where an institution or a mark is created with its edges in one pass:
  :func:`graph.statements.bulk_links`) and MERGE-updates the ones that exist but differ through ``write()``
  in batches of :data:`WRITE_BATCH`.  This path is not one transaction (a COPY per table), but each
  step is all or nothing on LadybugDB, and a record left half-written by a crash — a node whose
  relationships were not copied yet — reads back as *changed* (the ``.existing`` statements report
  the keys the relationships point at), so the next run repairs it: a record whose only fault is a
  missing relationship gets that relationship by COPY, any other difference is MERGE-updated.

In both paths a record whose stored state already equals the file is not written at all, so loading
the same file twice changes nothing (and the second run is a read-only pass).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from hub.domain.model import Alliance, Dataset, Institution, Mark
from graph.store import GraphStore, Params, Row
from graph.statements import bulk_links, bulk_table

#: records (institutions + alliances + marks) from which a dataset takes the bulk path
BULK_THRESHOLD = 20_000
#: ids per ``*.existing`` read
READ_BATCH = 10_000
#: rows per MERGE transaction on the bulk path
WRITE_BATCH = 10_000

Progress = Callable[[int, int], None]


@dataclass
class KindStats:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


@dataclass
class LoadStats:
    """What a load did, per kind of record."""

    source: str = ""
    institutions: KindStats = field(default_factory=KindStats)
    alliances: KindStats = field(default_factory=KindStats)
    marks: KindStats = field(default_factory=KindStats)
    bulk: bool = False
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return any(k.created or k.updated for k in (self.institutions, self.alliances, self.marks))

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def __str__(self) -> str:
        parts = [
            f"{name}: {k.created} created, {k.updated} updated, {k.unchanged} unchanged"
            for name, k in (("institutions", self.institutions), ("alliances", self.alliances),
                            ("marks", self.marks))
        ]
        how = "bulk" if self.bulk else "one transaction"
        return f"{self.source or 'dataset'} ({how}, {self.seconds:.2f} s) — " + "; ".join(parts)


# -- records as the statements' rows ---------------------------------------------------------------


def institution_row(i: Institution) -> dict[str, Any]:
    return {"id": i.id, "name": i.name, "tier": i.tier, "ownership": i.ownership, "kind": i.kind,
            "aliases": list(i.aliases), "region": i.region}


def alliance_row(a: Alliance) -> dict[str, Any]:
    return {"id": a.id, "kind": a.kind, "name": a.name}


def members_row(a: Alliance) -> dict[str, Any]:
    return {"id": a.id, "members": list(dict.fromkeys(a.members))}


def mark_row(m: Mark) -> dict[str, Any]:
    return {"id": m.id, "institution": m.institution, "item": m.item, "scope": m.scope,
            "validFrom": m.valid_from, "validTo": m.valid_to}


INSTITUTION_COLUMNS = ("id", "name", "tier", "ownership", "kind", "aliases", "region")
ALLIANCE_COLUMNS = ("id", "kind", "name")
MARK_COLUMNS = ("id", "institution", "item", "scope", "validFrom", "validTo")


def _arrow_types() -> dict[str, Any]:
    import pyarrow as pa

    return {"aliases": pa.list_(pa.string()), "validFrom": pa.date32(), "validTo": pa.date32(),
            "row": pa.int64(), "itemCount": pa.int64()}


def arrow_table(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> Any:
    """A pyarrow Table of ``rows`` with ``columns`` (strings unless the graph types them otherwise)."""
    import pyarrow as pa

    types = _arrow_types()
    return pa.table({c: pa.array([r[c] for r in rows], type=types.get(c, pa.string())) for c in columns})


def rel_table(pairs: Iterable[tuple[str, str]]) -> Any:
    import pyarrow as pa

    src, dst = [], []
    for a, b in pairs:
        src.append(a)
        dst.append(b)
    return pa.table({"src": pa.array(src, pa.string()), "dst": pa.array(dst, pa.string())})


# -- comparing the stored state with the file ------------------------------------------------------


def _group(rows: list[Row], key: str = "id") -> dict[str, list[Row]]:
    out: dict[str, list[Row]] = {}
    for r in rows:
        out.setdefault(r[key], []).append(r)
    return out


def _as_date(value: Any) -> dt.date | None:
    if value is None:
        return None
    if hasattr(value, "to_native"):  # neo4j.time.Date, should an adapter not convert
        value = value.to_native()
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def _institution_same(want: dict[str, Any], got: list[Row]) -> bool:
    if len(got) != 1:
        return False
    g = got[0]
    return (
        all(g.get(k) == want[k] for k in ("name", "tier", "ownership", "kind", "region"))
        and list(g.get("aliases") or []) == want["aliases"]
        and g.get("locatedIn") == want["region"]
    )


def _alliance_same(want: dict[str, Any], members: list[str], got: list[Row]) -> bool:
    if len(got) != 1:
        return False
    g = got[0]
    stored = [m for m in (g.get("members") or []) if m is not None]
    # a member whose allianceIds lacks the alliance (a bulk load killed after the MEMBER_OF COPY) makes
    # the alliance "changed": writing it again recomputes the members' allianceIds
    unlisted = [m for m in (g.get("unlisted") or []) if m is not None]
    return g.get("kind") == want["kind"] and g.get("name") == want["name"] and not unlisted and (
        sorted(stored) == sorted(members)
    )


def _mark_same(want: dict[str, Any], got: list[Row]) -> bool:
    if len(got) != 1:
        return False
    g = got[0]
    return (
        g.get("institution") == want["institution"]
        and g.get("item") == want["item"]
        and g.get("scope") == want["scope"]
        and _as_date(g.get("validFrom")) == want["validFrom"]
        and _as_date(g.get("validTo")) == want["validTo"]
        and g.get("holder") == want["institution"]
        and g.get("forItem") == want["item"]
        and g.get("validIn") == want["scope"]
    )


def _mark_missing_links(want: dict[str, Any], got: list[Row]) -> list[tuple[str, tuple[str, str]]]:
    """The links a stored mark lacks, when that is all that differs from the file (else [])."""
    if len(got) != 1:
        return []
    g = got[0]
    links = (("HOLDS", "holder", (want["institution"], want["id"]), want["institution"]),
             ("FOR_ITEM", "forItem", (want["id"], want["item"]), want["item"]),
             ("VALID_IN", "validIn", (want["id"], want["scope"]), want["scope"]))
    if any(g.get(key) not in (None, target) for _, key, _, target in links):
        return []
    if not _mark_same(want, [{**g, **{key: target for _, key, _, target in links}}]):
        return []
    return [(table, pair) for table, key, pair, _ in links if g.get(key) is None]


async def _existing(store: GraphStore, name: str, ids: list[str]) -> dict[str, list[Row]]:
    found: dict[str, list[Row]] = {}
    for start in range(0, len(ids), READ_BATCH):
        batch = ids[start:start + READ_BATCH]
        if batch:
            for key, rows in _group(await store.read(name, {"ids": batch})).items():
                found.setdefault(key, []).extend(rows)
    return found


def _dedupe(records: Iterable[Any], key: Callable[[Any], str]) -> list[Any]:
    """Last record wins for a repeated id (a file that lists a mark twice must not fail a COPY)."""
    return list({key(r): r for r in records}.values())


@dataclass
class _Plan:
    """Per kind: rows to create, rows to update, count unchanged."""

    institutions_new: list[dict[str, Any]] = field(default_factory=list)
    institutions_changed: list[dict[str, Any]] = field(default_factory=list)
    alliances_new: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)
    alliances_changed: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)
    marks_new: list[dict[str, Any]] = field(default_factory=list)
    marks_changed: list[dict[str, Any]] = field(default_factory=list)
    #: relationships missing from records that are otherwise stored right (a bulk load killed between
    #: the node COPY and the relationship COPY): relationship table -> (from key, to key)
    relink: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    #: (institution, item) whose MarkSet the bulk path rebuilds: those of new, changed or relinked marks,
    #: and of unchanged marks left without their MarkSet (a bulk load killed before it was written)
    markset_keys: set[tuple[str, str]] = field(default_factory=set)
    #: (institution, item) of this file's marks that are not new (unchanged, changed or relinked)
    older_keys: set[tuple[str, str]] = field(default_factory=set)
    #: alliance id -> its members as stored before this load (changed alliances): their allianceIds
    #: are recomputed too, so an institution dropped from an alliance loses it
    members_before: dict[str, list[str]] = field(default_factory=dict)


async def _plan(store: GraphStore, dataset: Dataset, stats: LoadStats, tick: Callable[[int], None]) -> _Plan:
    plan = _Plan()
    bulk = stats.bulk

    institutions = [institution_row(i) for i in _dedupe(dataset.institutions, lambda i: i.id)]
    stored = await _existing(store, "institution.existing", [r["id"] for r in institutions])
    for row in institutions:
        got = stored.get(row["id"])
        if not got:
            plan.institutions_new.append(row)
            stats.institutions.created += 1
        elif _institution_same(row, got):
            stats.institutions.unchanged += 1
        elif bulk and _institution_same(row, [{**got[0], "locatedIn": row["region"]}]) and (
            len(got) == 1 and got[0].get("locatedIn") is None
        ):
            plan.relink.setdefault("LOCATED_IN", []).append((row["id"], row["region"]))
            stats.institutions.updated += 1
        else:
            plan.institutions_changed.append(row)
            stats.institutions.updated += 1
    tick(len(dataset.institutions))

    alliances = _dedupe(dataset.alliances, lambda a: a.id)
    stored = await _existing(store, "alliance.existing", [a.id for a in alliances])
    for a in alliances:
        row, members = alliance_row(a), members_row(a)
        got = stored.get(a.id)
        if not got:
            plan.alliances_new.append((row, members))
            stats.alliances.created += 1
        elif _alliance_same(row, members["members"], got):
            stats.alliances.unchanged += 1
        else:
            plan.alliances_changed.append((row, members))
            plan.members_before[a.id] = [m for m in (got[0].get("members") or []) if m is not None]
            stats.alliances.updated += 1
    tick(len(dataset.alliances))

    marks = [mark_row(m) for m in _dedupe(dataset.marks, lambda m: m.id)]
    unchanged_keys: set[tuple[str, str]] = set()  # their MarkSet is rebuilt only if missing (checked below)
    for start in range(0, len(marks), READ_BATCH):
        batch = marks[start:start + READ_BATCH]
        stored = _group(await store.read("mark.existing", {"ids": [r["id"] for r in batch]}))
        for row in batch:
            got = stored.get(row["id"])
            if got:
                plan.older_keys.add((row["institution"], row["item"]))
            if not got:
                plan.marks_new.append(row)
                stats.marks.created += 1
            elif _mark_same(row, got):
                stats.marks.unchanged += 1
                unchanged_keys.add((row["institution"], row["item"]))
                continue
            elif bulk and (missing := _mark_missing_links(row, got)):
                for table, pair in missing:
                    plan.relink.setdefault(table, []).append(pair)
                stats.marks.updated += 1
            else:
                plan.marks_changed.append(row)
                stats.marks.updated += 1
            plan.markset_keys.add((row["institution"], row["item"]))
        tick(len(batch))
    # bulk path: unchanged marks whose MarkSet is missing (a bulk load killed before it wrote them)
    unchanged = sorted(unchanged_keys - plan.markset_keys) if bulk else []
    for start in range(0, len(unchanged), READ_BATCH):
        keys = [f"{i}|{item}" for i, item in unchanged[start:start + READ_BATCH]]
        found = {r["id"] for r in await store.read("markset.existing", {"ids": keys})}
        plan.markset_keys.update(k for k, key in zip(unchanged[start:start + READ_BATCH], keys) if key not in found)
    return plan


def _members_touched(alliances: Iterable[tuple[dict[str, Any], dict[str, Any]]],
                     members_before: dict[str, list[str]]) -> list[str]:
    """The institutions whose allianceIds a write of ``alliances`` may change: old and new members."""
    touched: set[str] = set()
    for _, m in alliances:
        touched.update(m["members"])
        touched.update(members_before.get(m["id"], ()))
    return sorted(touched)


def _merge_ops(institutions: list[dict[str, Any]], alliances: list[tuple[dict[str, Any], dict[str, Any]]],
               marks: list[dict[str, Any]], members_before: dict[str, list[str]]) -> list[tuple[str, Params]]:
    ops: list[tuple[str, Params]] = []
    if institutions:
        ops.append(("institution.upsert", {"rows": institutions}))
    if alliances:
        ops.append(("alliance.upsert", {"rows": [a for a, _ in alliances]}))
        ops.append(("alliance.members", {"rows": [m for _, m in alliances]}))
        ops.append(("institution.alliances", {"ids": _members_touched(alliances, members_before)}))
    if marks:
        ops.append(("mark.upsert", {"rows": marks}))
    return ops


async def load_dataset(store: GraphStore, dataset: Dataset, progress: Progress | None = None, *,
                       bulk_threshold: int = BULK_THRESHOLD) -> LoadStats:
    """Upsert ``dataset`` into ``store`` and report what changed (see the module docstring).

    ``progress(done, total)`` is called as records are compared and written (``total`` is twice the
    number of records: one pass to compare, one to write)."""
    started = time.perf_counter()
    stats = LoadStats(source=dataset.source, bulk=len(dataset) >= bulk_threshold)
    total = 2 * len(dataset)
    done = 0

    def tick(n: int) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress(min(done, total), total)

    plan = await _plan(store, dataset, stats, tick)
    unchanged = stats.institutions.unchanged + stats.alliances.unchanged + stats.marks.unchanged
    tick(unchanged)

    if not stats.bulk:
        ops = _merge_ops(plan.institutions_changed + plan.institutions_new,
                         plan.alliances_changed + plan.alliances_new,
                         plan.marks_changed + plan.marks_new, plan.members_before)
        if ops:
            await store.write(ops)
        tick(total - done)
    else:
        await _bulk(store, plan, tick)
    stats.seconds = time.perf_counter() - started
    return stats


async def _bulk(store: GraphStore, plan: _Plan, tick: Callable[[int], None]) -> None:
    # institutions: new ones by COPY (node, then its LOCATED_IN), changed ones by MERGE
    new = plan.institutions_new
    if new:
        await _bulk_nodes(store, "Institution", arrow_table(new, INSTITUTION_COLUMNS), {
            "LOCATED_IN": lambda: rel_table((r["id"], r["region"]) for r in new)})
        tick(len(new))
    await _merge_batches(store, "institution.upsert", plan.institutions_changed, tick)

    new_alliances = plan.alliances_new
    if new_alliances:
        await store.bulk_load("Alliance", arrow_table([a for a, _ in new_alliances], ALLIANCE_COLUMNS))
        await store.bulk_load(
            "MEMBER_OF", rel_table((i, m["id"]) for _, m in new_alliances for i in m["members"])
        )
        members = _members_touched(new_alliances, {})
        for start in range(0, len(members), WRITE_BATCH):
            await store.write([("institution.alliances", {"ids": members[start:start + WRITE_BATCH]})])
        tick(len(new_alliances))
    for start in range(0, len(plan.alliances_changed), WRITE_BATCH):
        batch = plan.alliances_changed[start:start + WRITE_BATCH]
        await store.write(_merge_ops([], batch, [], plan.members_before))
        tick(len(batch))

    marks = plan.marks_new
    if marks:
        await _bulk_nodes(store, "Mark", arrow_table(marks, MARK_COLUMNS), {
            "HOLDS": lambda: rel_table((r["institution"], r["id"]) for r in marks),
            "FOR_ITEM": lambda: rel_table((r["id"], r["item"]) for r in marks),
            "VALID_IN": lambda: rel_table((r["id"], r["scope"]) for r in marks)})
        tick(len(marks))
    await _merge_batches(store, "mark.upsert", plan.marks_changed, tick)

    # links missing from nodes a killed bulk load left behind: COPY just those links
    for table in ("LOCATED_IN", "HOLDS", "FOR_ITEM", "VALID_IN"):
        pairs = plan.relink.get(table)
        if pairs:
            await store.bulk_load(table, rel_table(pairs))
            tick(len(pairs))

    # the MarkSets (institution|item -> mark ids) of plan.markset_keys.  A key whose marks in this file
    # are all new and which has no MarkSet yet gets one by COPY (the common case: a first national load —
    # recomputing a million sets from HOLDS took 112 s for 40k institutions + 1M marks, COPY seconds);
    # every other key is recomputed from HOLDS (a new mark may join an existing MarkSet).
    new_ids: dict[tuple[str, str], list[str]] = {}
    for r in plan.marks_new:
        new_ids.setdefault((r["institution"], r["item"]), []).append(r["id"])
    candidates = sorted(k for k in new_ids if k not in plan.older_keys)
    fresh: list[tuple[str, str]] = []
    for start in range(0, len(candidates), READ_BATCH):
        chunk = candidates[start:start + READ_BATCH]
        found = {r["id"] for r in await store.read("markset.existing", {"ids": [f"{i}|{it}" for i, it in chunk]})}
        fresh.extend(k for k in chunk if f"{k[0]}|{k[1]}" not in found)
    if fresh:
        import pyarrow as pa

        await store.bulk_load("MarkSet", pa.table({
            "key": [f"{i}|{it}" for i, it in fresh],
            "marks": pa.array([sorted(new_ids[k]) for k in fresh], type=pa.list_(pa.string())),
        }))
    keys = sorted(plan.markset_keys - set(fresh))
    for start in range(0, len(keys), WRITE_BATCH):
        batch = [{"institution": i, "item": item} for i, item in keys[start:start + WRITE_BATCH]]
        await store.write([("markset.rebuild", {"rows": batch})])


async def _bulk_nodes(store: GraphStore, node: str, rows: Any, links: dict[str, Callable[[], Any]]) -> None:
    """New ``node`` rows and their ``links`` (relationship table -> its rows, built only when needed): in one
    pass where the store's backend has a combined bulk statement for them (Neo4j: each node created with its
    edges in the same batched transaction, so a killed load leaves no node without its edges), else the
    node table then one pass per relationship (LadybugDB's COPY)."""
    combined = bulk_links(store.backend).get(node, ())
    await store.bulk_load(bulk_table(node, store.backend), rows)
    for table, pairs in links.items():
        if table not in combined:
            await store.bulk_load(table, pairs())


async def _merge_batches(store: GraphStore, name: str, rows: list[dict[str, Any]],
                         tick: Callable[[int], None]) -> None:
    for start in range(0, len(rows), WRITE_BATCH):
        batch = rows[start:start + WRITE_BATCH]
        await store.write([(name, {"rows": batch})])
        tick(len(batch))
