"""Alliances, regions and catalog items: ``where``/``sort`` for their lists and their connections
(``alliancesConnection``, ``regionsConnection``, ``catalogItemsConnection``), each one named statement for a
page (keyset after a cursor, or the older lists' offset) and one for ``totalCount`` (only when asked).
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any, Callable, Optional

import strawberry

from resolvers import rows as to
from resolvers.browse.filters import Selection, StringFilter, ValueFilter, list_params, sort_of, text_params
from resolvers.browse.paging import Connection, Sort, SortDirection, connection, page_bounds, seek, statement
from resolvers.context import hub
from resolvers.types import Alliance, CatalogItem, Region

FirstArg = Annotated[int, strawberry.argument(description="Page size (at most max_page).")]
AfterArg = Annotated[Optional[str], strawberry.argument(description="Continue after this cursor (a page's endCursor, same sort).")]


# ---------------------------------------------------------------------------------------------- inputs


@strawberry.input(description="Filters on alliances; every field given must hold.")
class AllianceWhere:
    id: Optional[ValueFilter] = strawberry.field(default=None, description="By id.")
    kind: Optional[ValueFilter] = strawberry.field(default=None, description="By kind (city_medical_group, county_medical_community).")
    name: Optional[StringFilter] = strawberry.field(default=None, description="By name (eq, contains, startsWith, in).")


@strawberry.enum(description="What alliances can be sorted by (the id always breaks ties).")
class AllianceSortField(Enum):
    ID = strawberry.enum_value("id", description="The id.")
    NAME = strawberry.enum_value("name", description="The name (by code point).")
    KIND = strawberry.enum_value("kind", description="The kind.")


@strawberry.input(description="One sort key of alliances.")
class AllianceSort:
    field: AllianceSortField = strawberry.field(description="The key.")
    direction: SortDirection = strawberry.field(default=SortDirection.ASC, description="ASC (default) or DESC.")


@strawberry.input(description="Filters on regions; every field given must hold.")
class RegionWhere:
    code: Optional[ValueFilter] = strawberry.field(default=None, description="By code.")
    level: Optional[ValueFilter] = strawberry.field(default=None, description="By level (nation, zone, province, city, county).")
    parent: Optional[ValueFilter] = strawberry.field(default=None, description="Directly part of this region (eq) or of one of these (in).")
    name: Optional[StringFilter] = strawberry.field(default=None, description="By name (eq, contains, startsWith, in).")


@strawberry.enum(description="What regions can be sorted by (the code always breaks ties).")
class RegionSortField(Enum):
    CODE = strawberry.enum_value("code", description="The code.")
    NAME = strawberry.enum_value("name", description="The name (by code point).")
    LEVEL = strawberry.enum_value("level", description="The level as spelled.")


@strawberry.input(description="One sort key of regions.")
class RegionSort:
    field: RegionSortField = strawberry.field(description="The key.")
    direction: SortDirection = strawberry.field(default=SortDirection.ASC, description="ASC (default) or DESC.")


@strawberry.input(description="Filters on the catalog items of the store; every field given must hold.")
class CatalogItemFilter:
    ref: Optional[ValueFilter] = strawberry.field(default=None, description="By reference CATALOG:LOCAL.")
    catalog: Optional[ValueFilter] = strawberry.field(default=None, description="By catalog (ZJ-LAB, ZJ-IMG, BJ-LAB, BJ-IMG, HC-IMG, HE-IMG, CY-IMG).")
    modality: Optional[ValueFilter] = strawberry.field(default=None, description="By modality (DR, CT, MR, MG, RF, LAB).")
    body_part: Optional[ValueFilter] = strawberry.field(default=None, description="By normalised body part (chest, head …).")
    name: Optional[StringFilter] = strawberry.field(default=None, description="By the name as printed (eq, contains, startsWith, in).")


@strawberry.enum(description="What catalog items can be sorted by (the ref always breaks ties).")
class CatalogItemSortField(Enum):
    REF = strawberry.enum_value("ref", description="The reference CATALOG:LOCAL.")
    NAME = strawberry.enum_value("name", description="The name as printed (by code point).")


@strawberry.input(description="One sort key of catalog items.")
class CatalogItemSort:
    field: CatalogItemSortField = strawberry.field(description="The key.")
    direction: SortDirection = strawberry.field(default=SortDirection.ASC, description="ASC (default) or DESC.")


# ---------------------------------------------------------------------------------------------- selections


AllianceWhereArg = Annotated[Optional[AllianceWhere], strawberry.argument(description="Filters (operators per field; all must hold).")]
AllianceSortArg = Annotated[Optional[list[AllianceSort]], strawberry.argument(description="One key (id, name, kind) and its direction; default by id.")]
RegionWhereArg = Annotated[Optional[RegionWhere], strawberry.argument(description="Filters (operators per field; all must hold).")]
RegionSortArg = Annotated[Optional[list[RegionSort]], strawberry.argument(description="One key (code, name, level) and its direction; default by code.")]
CatalogItemWhereArg = Annotated[Optional[CatalogItemFilter], strawberry.argument(description="Filters (operators per field; all must hold).")]
CatalogItemSortArg = Annotated[Optional[list[CatalogItemSort]], strawberry.argument(description="One key (ref, name) and its direction; default by ref.")]


def alliance_sort(sort: Optional[list[AllianceSort]]) -> Sort:
    return sort_of(sort, AllianceSortField.ID)


def region_sort(sort: Optional[list[RegionSort]]) -> Sort:
    return sort_of(sort, RegionSortField.CODE)


def item_sort(sort: Optional[list[CatalogItemSort]]) -> Sort:
    return sort_of(sort, CatalogItemSortField.REF)


def _also(filt: Optional[ValueFilter], value: Optional[str]) -> Optional[ValueFilter]:
    """``filt`` narrowed by an older list's plain argument (``catalog``, ``level``, ``parent``): both must hold."""
    if value is None:
        return filt
    if filt is None:
        return ValueFilter(eq=value)
    allowed = [v for v in (filt.in_ if filt.in_ is not None else [value]) if v == value]
    return ValueFilter(eq=filt.eq, in_=allowed)


def alliance_selection(where: Optional[AllianceWhere], argument: str = "where") -> Selection:
    where = where or AllianceWhere()
    out = Selection()
    list_params(out, "idIn", f"{argument}.id", where.id)
    list_params(out, "kindIn", f"{argument}.kind", where.kind)
    text_params(out, f"{argument}.name", where.name)
    return out


def region_selection(where: Optional[RegionWhere], argument: str = "where", level: Optional[str] = None,
                     parent: Optional[str] = None) -> Selection:
    where = where or RegionWhere()
    out = Selection()
    list_params(out, "idIn", f"{argument}.code", where.code)
    list_params(out, "levelIn", f"{argument}.level", _also(where.level, level))
    list_params(out, "parentIn", f"{argument}.parent", _also(where.parent, parent))
    text_params(out, f"{argument}.name", where.name)
    return out


def item_selection(where: Optional[CatalogItemFilter], argument: str = "where", catalog: Optional[str] = None) -> Selection:
    where = where or CatalogItemFilter()
    out = Selection()
    list_params(out, "idIn", f"{argument}.ref", where.ref)
    list_params(out, "catalogIn", f"{argument}.catalog", _also(where.catalog, catalog))
    list_params(out, "modalityIn", f"{argument}.modality", where.modality)
    list_params(out, "bodyPartIn", f"{argument}.bodyPart", where.body_part)
    text_params(out, f"{argument}.name", where.name)
    return out


# ---------------------------------------------------------------------------------------------- reads


async def _connection(info: strawberry.Info, name: str, selection: Selection, sort: Sort, first: int,
                      after: Optional[str], node: Callable[[dict[str, Any]], Any], id_key: str) -> Connection[Any]:
    params = seek(info, sort, first, after)
    rows = [] if selection.empty else await hub(info).store.read(statement(f"{name}_seek", sort),
                                                                  {**selection.params, **params})

    async def count() -> int:
        if selection.empty:
            return 0
        found = await hub(info).store.read(f"{name}_count", selection.params)
        return int(found[0]["total"]) if found else 0

    return connection(rows, first, after, sort, node, count, id_key=id_key)


async def offset_page(info: strawberry.Info, name: str, selection: Selection, sort: Sort, first: int,
                      offset: int) -> list[dict[str, Any]]:
    """Rows of the older lists (first/offset) through the same statement: no cursor, ``$skip`` rows."""
    bounds = page_bounds(info, first, offset)
    if selection.empty:
        return []
    return await hub(info).store.read(statement(f"{name}_seek", sort), {
        **selection.params, "sortField": sort.field, "fromStart": True, "afterKey": "", "afterId": "", **bounds})


async def alliances_connection(
    info: strawberry.Info,
    where: AllianceWhereArg = None,
    sort: AllianceSortArg = None,
    first: FirstArg = 50, after: AfterArg = None,
) -> Connection[Alliance]:
    return await _connection(info, "q.alliances", alliance_selection(where), alliance_sort(sort), first,
                             after, to.alliance, "id")


async def regions_connection(
    info: strawberry.Info,
    where: RegionWhereArg = None,
    sort: RegionSortArg = None,
    first: FirstArg = 50, after: AfterArg = None,
) -> Connection[Region]:
    return await _connection(info, "q.regions", region_selection(where), region_sort(sort), first,
                             after, to.region, "code")


async def catalog_items_connection(
    info: strawberry.Info,
    where: CatalogItemWhereArg = None,
    sort: CatalogItemSortArg = None,
    first: FirstArg = 50, after: AfterArg = None,
) -> Connection[CatalogItem]:
    return await _connection(info, "q.catalog_items", item_selection(where), item_sort(sort),
                             first, after, to.catalog_item, "ref")
