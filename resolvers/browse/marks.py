"""Marks: ``marksConnection`` (a page of marks with their holders), ``marksAggregate`` (how many marks and
holders, by region — "how many Hebei institutions hold 京津冀HR for chest CT, by city" in one read) and the
reverse lookup ``CatalogItem.holders`` (the institutions holding a mark for an item).

The item filter is resolved in memory through the item index (the catalogs never change while the hub
runs): ``forItem: {modality, bodyPart, catalog, name}`` becomes the list of refs the statement matches
``m.item`` against, so the store reads no CatalogItem.  A label (京津冀HR) or mark code (JJHR) is the scopes
the policies print it for (seeds/policies/*.yaml ``marks``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import Annotated, Any, Optional

import strawberry

from resolvers.browse.filters import (
    DateRange, InstitutionWhere, Selection, StringFilter, ValueFilter, day, day_range, flag, in_values,
    institution_selection,
)
from resolvers.browse.institutions import RegionCount, roll_up
from resolvers.browse.paging import Connection, Sort, connection, seek
from resolvers.context import hub, per_request
from resolvers.types import Institution, Mark

BY_ID = Sort("id")


@strawberry.input(description="Filters on catalog items; every field given must hold.")
class CatalogItemWhere:
    ref: Optional[ValueFilter] = strawberry.field(default=None, description="By reference CATALOG:LOCAL (OCR variants resolve).")
    catalog: Optional[ValueFilter] = strawberry.field(default=None, description="By catalog (ZJ-LAB, ZJ-IMG, BJ-LAB, BJ-IMG, HC-IMG, HE-IMG, CY-IMG).")
    modality: Optional[ValueFilter] = strawberry.field(default=None, description="By modality (DR, CT, MR, MG, RF, LAB).")
    body_part: Optional[ValueFilter] = strawberry.field(default=None, description="By normalised body part (chest, head …; the crosswalk vocabulary).")
    name: Optional[StringFilter] = strawberry.field(default=None, description="By the name as printed (eq, contains, startsWith).")


@strawberry.input(description="Filters on marks; every field given must hold.")
class MarkWhere:
    item: Optional[ValueFilter] = strawberry.field(default=None, description="The item's reference (eq / in; OCR variants resolve).")
    for_item: Optional[CatalogItemWhere] = strawberry.field(default=None, description="The item's attributes (catalog, modality, body part, name).")
    scope: Optional[ValueFilter] = strawberry.field(default=None, description="The scope it is valid in (a region or zone code: 110000, JJJ, CY).")
    label: Optional[ValueFilter] = strawberry.field(default=None, description="The label or mark code a document prints for its scope (京津冀HR or JJHR: scope JJJ; 北京HR: 110000; 川渝HR: CY).")
    valid_on: Optional[dt.date] = strawberry.field(default=None, description="Valid on this day (validFrom ≤ day ≤ validTo, or open).")
    holder: Optional[InstitutionWhere] = strawberry.field(default=None, description="The institution holding it (the institution filters: region within a zone, tier …).")
    valid_to: Optional[DateRange] = strawberry.field(default=None, description="Its last day falls in this range (gte, lte): marks "
                                                     "running out — an open mark never does.")


def _text(value: Optional[str], filt: Optional[StringFilter]) -> bool:
    if filt is None:
        return True
    text = value or ""
    return ((filt.eq is None or text == filt.eq) and (filt.contains is None or filt.contains in text)
            and (filt.starts_with is None or text.startswith(filt.starts_with))
            and (filt.in_ is None or text in filt.in_))


def _value(value: Optional[str], allowed: Optional[list[str]]) -> bool:
    return allowed is None or (value or "") in allowed


def item_refs(info: strawberry.Info, argument: str, where: Optional[CatalogItemWhere]) -> Optional[list[str]]:
    """The refs of the catalog items ``where`` selects, from the in-memory item index; None: any item."""
    if where is None:
        return None
    items = hub(info).items
    refs = in_values(f"{argument}.ref", where.ref)
    if refs is not None:
        refs = [r for r in (items.resolve(x) for x in refs) if r is not None]
    catalogs = in_values(f"{argument}.catalog", where.catalog)
    modalities = in_values(f"{argument}.modality", where.modality)
    parts = in_values(f"{argument}.bodyPart", where.body_part)
    out = []
    for ref in (refs if refs is not None else items.by_ref):
        record = items.by_ref[ref]
        if (_value(record.catalog, catalogs) and _value(record.modality, modalities)
                and _value(items.features(ref).get("bodyPart"), parts) and _text(record.name, where.name)):
            out.append(ref)
    return out


def label_scopes(info: strawberry.Info, argument: str, filt: Optional[ValueFilter]) -> Optional[list[str]]:
    """The scopes whose marks carry one of the labels or mark codes asked for, in any policy."""
    wanted = in_values(argument, filt)
    if wanted is None:
        return None
    return sorted({label.scope for policy in hub(info).engine.policies.values() for label in policy.labels
                   if label.label in wanted or label.code in wanted})


def _intersect(a: Optional[list[str]], b: Optional[list[str]]) -> Optional[list[str]]:
    if a is None or b is None:
        return a if b is None else b
    return [x for x in a if x in set(b)]


def mark_selection(info: strawberry.Info, where: Optional[MarkWhere], argument: str = "where") -> Selection:
    """The parameters of the mark statements' filter block (holder block + item, scope, validity)."""
    where = where or MarkWhere()
    out = institution_selection(info, where.holder, argument=f"{argument}.holder")
    if out.marked:  # a mark's holder holds a mark: holdsMarks true selects them all, false none
        out.marked, out.empty = False, out.empty or not out.params.pop("holdsMarks")
    items = hub(info).items
    refs = in_values(f"{argument}.item", where.item)
    if refs is not None:
        refs = [items.resolve(r) or r for r in refs]
    refs = _intersect(refs, item_refs(info, f"{argument}.forItem", where.for_item))
    scopes = _intersect(in_values(f"{argument}.scope", where.scope), label_scopes(info, f"{argument}.label", where.label))
    for key, values in (("itemIn", refs), ("scopeIn", scopes)):
        if values == []:
            out.empty = True
        out.params.update(flag(key, values or None, [""]))
    out.params.update(day(where.valid_on))
    out.params.update(day_range("validTo", where.valid_to))
    return out


def mark_node(row: dict[str, Any]) -> Mark:
    from resolvers import rows as to

    return to.mark(row)


async def marks_connection(
    info: strawberry.Info,
    where: Annotated[Optional[MarkWhere], strawberry.argument(description="Filters on the mark, its item and its holder.")] = None,
    first: Annotated[int, strawberry.argument(description="Page size (at most max_page).")] = 50,
    after: Annotated[Optional[str], strawberry.argument(description="Continue after this cursor (a page's endCursor).")] = None,
) -> Connection[Mark]:
    """Marks in id order (institution|item|scope|validFrom), a page after a cursor."""
    selection = mark_selection(info, where)
    params = seek(info, BY_ID, first, after)
    rows = [] if selection.empty else await hub(info).store.read("q.marks_seek", {**selection.params, **params})

    async def count() -> int:
        if selection.empty:
            return 0
        found = await hub(info).store.read("q.marks_count", selection.params)
        return int(found[0]["total"]) if found else 0

    return connection(rows, first, after, BY_ID, mark_node, count)


@strawberry.type(description="How many marks, and institutions holding them, lie in one region.")
class RegionMarkCount:
    code: str = strawberry.field(description="The region's code.")
    name: str = strawberry.field(description="The region's name.")
    institutions: int = strawberry.field(description="How many institutions there hold at least one of the marks.")
    marks: int = strawberry.field(description="How many of the marks they hold.")


@strawberry.type(description="Counts over the marks a filter selects and their holders, computed in the store in one read.")
class MarkAggregate:
    count: int = strawberry.field(description="How many marks the filter selects.")
    institutions: int = strawberry.field(description="How many distinct institutions hold them.")
    _marks: strawberry.Private[dict[str, int]]
    _holders: strawberry.Private[dict[str, int]]

    @strawberry.field(description="Holders and marks per region of one level (province by default; city, county, zone, "
                      "nation) of the holder's region, regions with none left out, by code.")
    def by_region(self, info: strawberry.Info, level: Annotated[str, strawberry.argument(
            description="province (default), city, county, zone or nation.")] = "province") -> list[RegionMarkCount]:
        index = hub(info).engine.regions
        marks = dict(roll_up(index, self._marks, level))
        return [RegionMarkCount(code=c, name=index.names.get(c, c), institutions=n, marks=marks.get(c, 0))
                for c, n in roll_up(index, self._holders, level)]


async def marks_aggregate(
    info: strawberry.Info,
    where: Annotated[Optional[MarkWhere], strawberry.argument(description="Filters on the mark, its item and its holder.")] = None,
) -> MarkAggregate:
    selection = mark_selection(info, where)
    rows = [] if selection.empty else await hub(info).store.read("q.marks_aggregate", selection.params)
    marks: dict[str, int] = defaultdict(int)
    holders: dict[str, int] = defaultdict(int)
    for r in rows:
        marks[r["region"]] += int(r["marks"])
        holders[r["region"]] += int(r["institutions"])
    return MarkAggregate(count=sum(marks.values()), institutions=sum(holders.values()), _marks=dict(marks),
                         _holders=dict(holders))


class Holders:
    """CatalogItem.holders for every item of a request in one read (and their totalCounts in one more, when
    asked): DataLoaders keyed by (ref, the field's arguments), a batch read once per distinct argument set —
    a page of items asking the same page of holders is one ``q.items_holders``, not one read per item."""

    def __init__(self, info: strawberry.Info) -> None:
        from strawberry.dataloader import DataLoader

        self._info = info
        self.pages: DataLoader[tuple[Any, ...], list[dict[str, Any]]] = DataLoader(self._pages)
        self.counts: DataLoader[tuple[Any, ...], int] = DataLoader(self._counts)

    @staticmethod
    def _filters(scope: Optional[str], valid_on: Optional[dt.date]) -> dict[str, Any]:
        return {**flag("scopeIn", [scope] if scope is not None else None, [""]), **day(valid_on)}

    async def _pages(self, keys: Sequence[tuple[Any, ...]]) -> list[list[dict[str, Any]]]:
        groups: dict[tuple[Any, ...], list[str]] = defaultdict(list)
        for ref, *args in keys:
            groups[tuple(args)].append(ref)
        found: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
        for (scope, valid_on, take, key, after_id), refs in groups.items():
            rows = await hub(self._info).store.read("q.items_holders", {
                "refs": refs, **self._filters(scope, valid_on), "fromStart": after_id is None, "afterId": after_id or "",
                "take": take, "cap": 1 << 62})
            for row in rows:
                found[(row["ref"], scope, valid_on, take, key, after_id)] = [{**h, "sortKey": h["id"]} for h in row["holders"]]
        return [found.get(k, []) for k in keys]

    async def _counts(self, keys: Sequence[tuple[Any, ...]]) -> list[int]:
        groups: dict[tuple[Any, ...], list[str]] = defaultdict(list)
        for ref, *args in keys:
            groups[tuple(args)].append(ref)
        found: dict[tuple[Any, ...], int] = {}
        for (scope, valid_on), refs in groups.items():
            for row in await hub(self._info).store.read("q.items_holders_count", {"refs": refs, **self._filters(scope, valid_on)}):
                found[(row["ref"], scope, valid_on)] = int(row["total"])
        return [found.get(k, 0) for k in keys]


def holders_of(info: strawberry.Info) -> Holders:
    """The request's holder loaders (kept in the context dict, like resolvers.entities.loaders)."""
    return per_request(info, "holders", Holders)


async def item_holders(info: strawberry.Info, ref: str, scope: Optional[str], valid_on: Optional[dt.date], first: int,
                       after: Optional[str]) -> Connection[Institution]:
    """``CatalogItem.holders``: institutions holding a mark for the item (of ``scope``, valid on ``valid_on``), by
    id after the cursor — batched with every other item of the request asked the same page."""
    from resolvers import rows as to

    params = seek(info, BY_ID, first, after)
    after_id = params["afterId"] if after is not None else None
    loaders = holders_of(info)
    rows = await loaders.pages.load((ref, scope, valid_on, params["limit"], "id", after_id))

    async def count() -> int:
        return await loaders.counts.load((ref, scope, valid_on))

    return connection(rows, first, after, BY_ID, to.institution, count)


__all__ = ["RegionCount", "item_holders", "marks_aggregate", "marks_connection"]
