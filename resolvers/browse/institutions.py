"""Institutions: the list (``institutions``), its connection (``institutionsConnection``), its counts
(``institutionsAggregate``) and a region's institutions (``Region.institutions``).

One statement per answer — q.institutions_seek for a page (keyset after a cursor, or the older list's
offset), q.institutions_count for ``totalCount`` (only when asked), q.institutions_aggregate for every count
of an aggregate at once — all with the same filter block (:func:`resolvers.browse.filters.institution_selection`).
"""

from __future__ import annotations

import dataclasses
import json
from collections import defaultdict
from collections.abc import Sequence
from typing import Annotated, Any, Optional

import strawberry

from resolvers import rows as to
from resolvers.browse.filters import (
    InstitutionSort, InstitutionWhere, RegionFilter, Selection, bad, institution_selection, sort_of,
)
from resolvers.browse.paging import Connection, Sort, connection, page_bounds, seek, statement
from resolvers.context import hub, per_request
from resolvers.types import Institution, Region


WhereArg = Annotated[Optional[InstitutionWhere], strawberry.argument(description="Filters (operators per field; all must hold).")]
SortArg = Annotated[Optional[list[InstitutionSort]], strawberry.argument(
    description="Sort: one key (id, name, region, tier) and its direction; the id breaks ties. Default: by id.")]
FirstArg = Annotated[int, strawberry.argument(description="Page size (at most max_page, default 500).")]
AfterArg = Annotated[Optional[str], strawberry.argument(description="Continue after this cursor (a page's endCursor, same sort).")]


def named(kind: str, selection: Selection) -> str:
    """``q.institutions_<kind>``, or its ``_marked`` variant when ``holdsMarks`` was asked."""
    return f"q.institutions_marked_{kind}" if selection.marked else f"q.institutions_{kind}"


async def _count(info: strawberry.Info, selection: Selection) -> int:
    if selection.empty:
        return 0
    rows = await hub(info).store.read(named("count", selection), selection.params)
    return int(rows[0]["total"]) if rows else 0


async def page(info: strawberry.Info, selection: Selection, sort: Sort, first: int, after: Optional[str]) -> Connection[Institution]:
    """A connection page of the institutions ``selection`` selects (``totalCount`` read only when asked)."""
    params = seek(info, sort, first, after)
    rows = [] if selection.empty else await hub(info).store.read(statement(named("seek", selection), sort),
                                                                  {**selection.params, **params})

    async def count() -> int:
        return await _count(info, selection)

    return connection(rows, first, after, sort, to.institution, count)


async def institutions_connection(info: strawberry.Info, where: WhereArg = None, sort: SortArg = None,
                                  first: FirstArg = 50, after: AfterArg = None) -> Connection[Institution]:
    return await page(info, institution_selection(info, where), sort_of(sort), first, after)


async def institutions(
    info: strawberry.Info,
    region: Optional[str] = None,
    name: Optional[str] = None,
    first: int = 50,
    offset: int = 0,
    where: WhereArg = None,
    sort: SortArg = None,
) -> list[Institution]:
    """The older list: ``first``/``offset`` paging (``offset`` at most max_offset), with ``where``/``sort``
    too; ``region`` takes a zone as well (JJJ: Beijing, Tianjin and Hebei)."""
    selection = institution_selection(info, where, region=region, name=name)
    bounds = page_bounds(info, first, offset)
    key = sort_of(sort)
    if selection.empty:
        return []
    rows = await hub(info).store.read(statement(named("seek", selection), key), {
        **selection.params, "sortField": key.field, "fromStart": True, "afterKey": "", "afterId": "", **bounds})
    return [to.institution(r) for r in rows]


async def region_institutions(info: strawberry.Info, code: str, where: Optional[InstitutionWhere], sort: Optional[list[InstitutionSort]],
                              first: int, after: Optional[str]) -> Connection[Institution]:
    """``Region.institutions``: those lying inside the region (a zone's provinces, a division's codes), batched
    with every other region of the request asked the same page (:class:`RegionPages`)."""
    if where is not None and where.region is not None and where.region.within is not None:
        raise bad("where.region.within", "a region's institutions lie within the region already")
    inside = dataclasses.replace(where or InstitutionWhere(),
                                 region=RegionFilter(within=code, eq=where.region.eq if where and where.region else None))
    selection = institution_selection(info, inside)
    key = sort_of(sort)
    if selection.marked or selection.empty:  # holdsMarks has statements of its own: one read for this region
        return await page(info, selection, key, first, after)
    params = seek(info, key, first, after)
    scope = {k: selection.params.pop(k) for k in ("regionPrefix", "anyRegionPrefix", "provinces", "anyProvinces")}
    scope = {"code": code, "prefix": scope["regionPrefix"], "anyPrefix": scope["anyRegionPrefix"],
             "provinces": scope["provinces"], "anyProvinces": scope["anyProvinces"]}
    shared = json.dumps({**selection.params, **params, "reverse": key.reverse}, sort_keys=True, default=str)
    pages = region_pages(info)
    rows = await pages.pages.load((shared, json.dumps(scope, sort_keys=True)))

    async def count() -> int:
        counted = json.dumps({**selection.params}, sort_keys=True, default=str)
        return await pages.counts.load((counted, json.dumps(scope, sort_keys=True)))

    return connection(rows, first, after, key, to.institution, count)


class RegionPages:
    """Region.institutions for every region of a request in one read (and their totalCounts in one more, when
    asked): DataLoaders keyed by (the shared filters, sort and page as JSON, the region's scope as JSON); a
    batch reads once per distinct shared part, with every region's scope in ``$scopes``."""

    def __init__(self, info: strawberry.Info) -> None:
        from strawberry.dataloader import DataLoader

        self._info = info
        self.pages: DataLoader[tuple[str, str], list[dict[str, Any]]] = DataLoader(self._pages)
        self.counts: DataLoader[tuple[str, str], int] = DataLoader(self._counts)

    async def _batch(self, keys: Sequence[tuple[str, str]], read: Any) -> dict[tuple[str, str], Any]:
        groups: dict[str, list[str]] = defaultdict(list)
        for shared, scope in keys:
            if scope not in groups[shared]:
                groups[shared].append(scope)
        found: dict[tuple[str, str], Any] = {}
        for shared, scopes in groups.items():
            by_code = {json.loads(s)["code"]: s for s in scopes}
            for code, value in (await read(json.loads(shared), [json.loads(s) for s in scopes])).items():
                found[(shared, by_code[code])] = value
        return found

    async def _pages(self, keys: Sequence[tuple[str, str]]) -> list[list[dict[str, Any]]]:
        async def read(shared: dict[str, Any], scopes: list[dict[str, Any]]) -> dict[str, Any]:
            name = "q.regions_institutions_desc" if shared.pop("reverse") else "q.regions_institutions"
            rows = await hub(self._info).store.read(name, {**shared, "scopes": scopes, "take": shared["limit"], "cap": 1 << 62})
            return {r["code"]: r["rows"] for r in rows}

        found = await self._batch(keys, read)
        return [found.get(k, []) for k in keys]

    async def _counts(self, keys: Sequence[tuple[str, str]]) -> list[int]:
        async def read(shared: dict[str, Any], scopes: list[dict[str, Any]]) -> dict[str, Any]:
            rows = await hub(self._info).store.read("q.regions_institutions_count", {**shared, "scopes": scopes})
            return {r["code"]: int(r["total"]) for r in rows}

        found = await self._batch(keys, read)
        return [found.get(k, 0) for k in keys]


def region_pages(info: strawberry.Info) -> RegionPages:
    """The request's region page loaders (kept in the context dict, like resolvers.entities.loaders)."""
    return per_request(info, "region_pages", RegionPages)


# ------------------------------------------------------------------------------------------ aggregates

LEVELS = ("province", "city", "county", "zone", "nation")


@strawberry.type(description="How many institutions lie in one region.")
class RegionCount:
    code: str = strawberry.field(description="The region's code.")
    name: str = strawberry.field(description="The region's name.")
    count: int = strawberry.field(description="How many.")

    @strawberry.field(description="The region (code, name, level, parents).")
    async def region(self, info: strawberry.Info) -> Optional[Region]:
        from resolvers.entities import loaders

        return await loaders(info).regions.load(self.code)


@strawberry.type(description="How many institutions have one tier.")
class TierCount:
    tier: str = strawberry.field(description="The tier (3A, 3B, 3, 2A, 2B, 2, 1, 0).")
    count: int = strawberry.field(description="How many.")


def level_of(index: Any, code: str) -> str:
    """A region's level from its code (GB/T 2260) or, for the others, its place in the RegionIndex: the
    region no other contains is the nation, the rest are zones."""
    if len(code) == 6 and code.isdigit():
        return "province" if code.endswith("0000") else "city" if code.endswith("00") else "county"
    return "nation" if index.scopes_containing(code) == (code,) else "zone"


def roll_up(index: Any, counts: dict[str, int], level: str) -> list[tuple[str, int]]:
    """Counts per region code rolled up to the regions of ``level`` containing them (a county's to its city,
    province, zone), sorted by code; a code with no region of that level above it counts in none.  An unknown
    ``level`` is the BAD_INPUT of the GraphQL argument of that name (every ``byRegion`` takes it)."""
    if level not in LEVELS:
        raise bad("level", f"{level[:20]!r} is not one of {', '.join(LEVELS)}", level)
    out: dict[str, int] = defaultdict(int)
    for code, n in counts.items():
        for scope in index.scopes_containing(code):
            if level_of(index, scope) == level:
                out[scope] += n
    return sorted(out.items())


@strawberry.type(description="Counts over the institutions a filter selects, computed in the store in one read.")
class InstitutionAggregate:
    count: int = strawberry.field(description="How many institutions the filter selects.")
    _by_code: strawberry.Private[dict[str, int]]
    _by_tier: strawberry.Private[dict[str, int]]

    @strawberry.field(description="How many lie in each region of one level (province by default; city, county, zone, "
                      "nation), regions with none left out, by code.")
    def by_region(self, info: strawberry.Info, level: Annotated[str, strawberry.argument(
            description="province (default), city, county, zone or nation.")] = "province") -> list[RegionCount]:
        index = hub(info).engine.regions
        return [RegionCount(code=c, name=index.names.get(c, c), count=n) for c, n in roll_up(index, self._by_code, level)]

    @strawberry.field(description="How many have each tier, tiers with none left out, by tier.")
    def by_tier(self) -> list[TierCount]:
        return [TierCount(tier=t, count=n) for t, n in sorted(self._by_tier.items())]


async def institutions_aggregate(info: strawberry.Info, where: WhereArg = None) -> InstitutionAggregate:
    selection = institution_selection(info, where)
    rows = [] if selection.empty else await hub(info).store.read(named("aggregate", selection), selection.params)
    by_code: dict[str, int] = defaultdict(int)
    by_tier: dict[str, int] = defaultdict(int)
    for r in rows:
        by_code[r["region"]] += int(r["count"])
        by_tier[r["tier"]] += int(r["count"])
    return InstitutionAggregate(count=sum(by_code.values()), _by_code=dict(by_code), _by_tier=dict(by_tier))


__all__ = ["institutions", "institutions_aggregate", "institutions_connection", "region_institutions"]
