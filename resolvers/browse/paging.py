"""What every browse list shares: the page bounds, opaque keyset cursors, and the Relay connection types.

A cursor is the sort it was made under and the row's place in it (sort key, id), base64url-encoded JSON:
the next page's statement seeks past that place (``key > $afterKey OR (key = $afterKey AND id > $afterId)``)
instead of skipping rows, so the millionth page reads what the first does — ``SKIP`` at 1M rows reads and
sorts every skipped row, and LadybugDB caps it (graph.store.MAX_SKIP).  The id breaks ties, so a page never
repeats or drops rows that share a sort key.  A cursor from another sort, or one this hub did not make, is
a BAD_INPUT naming ``after`` (never a store error).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any, Generic, Optional, TypeVar

import strawberry

from resolvers.context import hub
from resolvers.errors import hub_error

T = TypeVar("T")


def page_bounds(info: strawberry.Info, first: int, offset: int = 0) -> dict[str, int]:
    """``first``/``offset`` as the page statements take them (``limit``/``skip``), or a BAD_INPUT naming the
    argument: nothing out of range reaches the store (an ``offset`` of a few thousand million once killed the
    process inside LadybugDB, graph.store.MAX_SKIP)."""
    context = hub(info)
    for argument, value, most, setting in (
        ("first", first, context.max_page, "max_page"),
        ("offset", offset, context.max_offset, "max_offset"),
    ):
        if not 0 <= value <= most:
            raise hub_error(
                "BAD_INPUT",
                f"argument {argument}: {value} is outside 0–{most} "
                f"({setting}={most}; --{setting.replace('_', '-')} / HUB_{setting.upper()})",
                {"argument": argument, "value": value, "max": most},
            )
    return {"limit": first, "skip": offset}


@strawberry.enum(description="The order of a sort key.")
class SortDirection(Enum):
    ASC = strawberry.enum_value("ASC", description="Ascending (A→Z, 0→9; strings by code point).")
    DESC = strawberry.enum_value("DESC", description="Descending.")


@dataclass(frozen=True)
class Sort:
    """One sort key (the statement's ``$sortField``) and its direction; the id breaks ties, same direction."""

    field: str
    reverse: bool = False

    @property
    def direction(self) -> str:
        return "DESC" if self.reverse else "ASC"


def statement(name: str, sort: Sort) -> str:
    """The page statement for ``sort``'s direction: ``name`` ascending, ``name_desc`` descending (ordering both
    ways in one statement through computed columns made a page 5x slower on LadybugDB)."""
    return f"{name}_desc" if sort.reverse else name


def encode_cursor(sort: Sort, key: Any, node_id: str) -> str:
    raw = json.dumps([sort.field, sort.direction, "" if key is None else str(key), node_id],
                     ensure_ascii=False, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode("utf-8")).decode("ascii").rstrip("=")


def decode_cursor(after: str, sort: Sort) -> tuple[str, str]:
    """(sort key, id) of a cursor made under ``sort``, or a BAD_INPUT naming ``after``."""
    def bad(why: str) -> Exception:
        return hub_error("BAD_INPUT", f"argument after: {after[:60]!r} {why}", {"argument": "after"})

    try:
        value = json.loads(base64.urlsafe_b64decode(after + "=" * (-len(after) % 4)).decode("utf-8"))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise bad("is not a cursor of this list") from None
    if not (isinstance(value, list) and len(value) == 4 and all(isinstance(v, str) for v in value)):
        raise bad("is not a cursor of this list")
    if (value[0], value[1]) != (sort.field, sort.direction):
        raise bad(f"was made for the sort {value[0]} {value[1]}, not {sort.field} {sort.direction}")
    return value[2], value[3]


def seek(info: strawberry.Info, sort: Sort, first: int, after: Optional[str]) -> dict[str, Any]:
    """The page statement's keyset parameters: one row more than ``first`` (it tells whether a next page
    exists), the sort, and where to start."""
    limit = page_bounds(info, first)["limit"]
    key, node_id = decode_cursor(after, sort) if after is not None else ("", "")
    return {"sortField": sort.field, "fromStart": after is None,
            "afterKey": key, "afterId": node_id, "limit": limit + 1, "skip": 0}


@strawberry.type(description="Where a page of a connection lies (Relay's PageInfo).")
class PageInfo:
    has_next_page: bool = strawberry.field(description="Whether more elements follow this page (ask again with after: endCursor).")
    has_previous_page: bool = strawberry.field(description="Whether elements precede this page (true when it was asked with `after`).")
    start_cursor: Optional[str] = strawberry.field(description="The cursor of the page's first element; null for an empty page.")
    end_cursor: Optional[str] = strawberry.field(description="The cursor of the page's last element: pass it as `after` for the next page; null for an empty page.")


@strawberry.type(description="An element of a page with its cursor (Relay's edge).")
class Edge(Generic[T]):
    cursor: str = strawberry.field(description="Opaque: pass it as `after` to continue after this element (with the same sort).")
    node: T = strawberry.field(description="The element.")


@strawberry.type(description="A page of a list (Relay connection): its elements with their cursors, where it lies, and how "
                 "many elements the filter selects in all.")
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(description="The page's elements in the sort asked for, each with its cursor.")
    page_info: PageInfo = strawberry.field(description="Cursors of the page's ends and whether more pages exist.")
    _count: strawberry.Private[Optional[Callable[[], Awaitable[int]]]] = None

    @strawberry.field(description="How many elements the filter selects in all pages (counted in the store, only when asked).")
    async def total_count(self) -> int:
        return 0 if self._count is None else await self._count()


def connection(rows: Sequence[dict[str, Any]], first: int, after: Optional[str], sort: Sort,
               node: Callable[[dict[str, Any]], Any], count: Optional[Callable[[], Awaitable[int]]],
               id_key: str = "id") -> Connection[Any]:
    """The connection of a page statement's rows (``first + 1`` asked: the extra one only says a next page
    exists); each row's ``sortKey`` column and id make its cursor."""
    page = list(rows[:first])
    edges = [Edge(cursor=encode_cursor(sort, r.get("sortKey"), str(r[id_key])), node=node(r)) for r in page]
    info = PageInfo(has_next_page=len(rows) > first, has_previous_page=after is not None,
                    start_cursor=edges[0].cursor if edges else None, end_cursor=edges[-1].cursor if edges else None)
    return Connection(edges=edges, page_info=info, _count=count)
