"""Resolvers for browsing the graph: institutions, alliances, regions, catalogs and their items.

Plain functions reading named statements through the store (institutions: resolvers/browse/, with the
rest of the browse API); paging is ``first``/``offset``, each bounded
(``max_page`` / ``max_offset``) so one request cannot pull the whole country, and refused outside its bounds
as a ``BAD_INPUT`` naming the argument: nothing out of range reaches the store (an ``offset`` of a few
thousand million once killed the process inside LadybugDB, graph.store.MAX_SKIP).
"""

from __future__ import annotations

from typing import Any, Optional

import strawberry

from resolvers import catalog_search
from resolvers import rows as to
from resolvers.browse import others
from resolvers.browse.paging import page_bounds
from resolvers.context import hub
from resolvers.errors import hub_error
from resolvers.types import Alliance, Catalog, CatalogItem, Institution, Region

def _page(info: strawberry.Info, first: int, offset: int) -> dict[str, int]:
    """``first``/``offset`` as the page statements take them, or a BAD_INPUT naming the argument (the browse
    API's bounds, :func:`resolvers.browse.paging.page_bounds`)."""
    return page_bounds(info, first, offset)


def _filter(name: str, value: str | None) -> dict[str, Any]:
    """An optional filter as the page statements take it: ``any<Name>`` true and ``""`` when not asked
    for (never a null parameter: LadybugDB types it as BOOL and refuses it beside a string)."""
    return {name: value or "", f"any{name[0].upper()}{name[1:]}": value is None}


#: Institution fields that read the store through a loader which q.institution_card answers at once
_CARD_FIELDS = frozenset({"alliances", "marks"})


async def institution(info: strawberry.Info, id: strawberry.ID) -> Optional[Institution]:
    """One institution; when the query also asks for its alliances or marks, all of it in one store call
    (q.institution_card), the loaders primed with the rest, instead of three calls one after the other."""
    key = str(id)
    if not _CARD_FIELDS & {s.name for s in _selections(info)}:
        rows = await hub(info).store.read("q.institution", {"ids": [key]})
        return to.institution(rows[0]) if rows else None
    from resolvers.entities import loaders

    parts: dict[str, list[Any]] = {"institution": [], "alliance": [], "mark": []}
    for row in await hub(info).store.read("q.institution_card", {"id": key}):
        parts[row["part"]].append(row)
    if not parts["institution"]:
        return None
    found = loaders(info)
    found.alliances_of.prime(key, [to.alliance(r) for r in parts["alliance"]])
    found.marks_of.prime(key, [to.mark(r) for r in parts["mark"]])
    return to.institution(parts["institution"][0])


def _selections(info: strawberry.Info) -> list[Any]:
    """The fields selected under this field (fragments included), for look-ahead."""
    from strawberry.types.nodes import SelectedField

    out: list[SelectedField] = []
    pending = [s for field in info.selected_fields for s in field.selections]
    while pending:
        s = pending.pop()
        if isinstance(s, SelectedField):
            out.append(s)
        else:  # a fragment spread or an inline fragment: its selections
            pending.extend(s.selections)
    return out


async def alliances_of(info: strawberry.Info, institution_id: str) -> list[Alliance]:
    rows = await hub(info).store.read("q.institution_alliances", {"ids": [institution_id]})
    return [to.alliance(r) for r in rows]


async def alliance(info: strawberry.Info, id: strawberry.ID) -> Optional[Alliance]:
    rows = await hub(info).store.read("q.alliance", {"id": str(id)})
    return to.alliance(rows[0]) if rows else None


async def alliance_members(info: strawberry.Info, id: strawberry.ID) -> list[Institution]:
    rows = await hub(info).store.read("q.alliance_members", {"id": str(id)})
    return [to.institution(r) for r in rows]


async def alliances(info: strawberry.Info, first: int = 50, offset: int = 0, where: others.AllianceWhereArg = None,
                    sort: others.AllianceSortArg = None) -> list[Alliance]:
    """Alliances by id (or ``sort``), filtered by ``where``; first/offset paging."""
    rows = await others.offset_page(info, "q.alliances", others.alliance_selection(where), others.alliance_sort(sort),
                                    first, offset)
    return [to.alliance(r) for r in rows]


async def catalogs(info: strawberry.Info) -> list[Catalog]:
    rows = await hub(info).store.read("q.catalogs")
    return [to.catalog(r) for r in rows]


async def catalog_items(
    info: strawberry.Info, catalog: Optional[str] = None, first: int = 50, offset: int = 0, search: Optional[str] = None,
    where: others.CatalogItemWhereArg = None, sort: others.CatalogItemSortArg = None,
) -> list[CatalogItem]:
    """The items of one catalog in the document's order; with ``search``, the items it finds, best first
    (resolvers/catalog_search.py); with ``where`` or ``sort`` (and no search), the items of every catalog (or
    of ``catalog``) the filter selects, by ref or the sort asked for."""
    if search is None and (where is not None or sort is not None):
        rows = await others.offset_page(info, "q.catalog_items", others.item_selection(where, catalog=catalog),
                                        others.item_sort(sort), first, offset)
        return [to.catalog_item(r) for r in rows]
    if search is not None or catalog is None:
        return catalog_search.matching(info, search, catalog, _page(info, first, offset))
    rows = await hub(info).store.read("q.catalog_items_page", {"catalog": catalog, **_page(info, first, offset)})
    if not rows and offset == 0 and catalog not in {c.id for c in await catalogs(info)}:
        raise hub_error("BAD_INPUT", f"unknown catalog {catalog!r}", catalog)
    return [to.catalog_item(r) for r in rows]


async def regions(
    info: strawberry.Info,
    level: Optional[str] = None,
    parent: Optional[str] = None,
    first: int = 100,
    offset: int = 0,
    where: others.RegionWhereArg = None,
    sort: others.RegionSortArg = None,
) -> list[Region]:
    """Regions by level (nation, zone, province, city, county) and/or parent code, or ``where``; by code (or
    ``sort``)."""
    if where is None and sort is None:
        rows = await hub(info).store.read(
            "q.regions_page", {**_filter("level", level), **_filter("parent", parent), **_page(info, first, offset)}
        )
    else:
        rows = await others.offset_page(info, "q.regions", others.region_selection(where, level=level, parent=parent),
                                        others.region_sort(sort), first, offset)
    return [to.region(r) for r in rows]
