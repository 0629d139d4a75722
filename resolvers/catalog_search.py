"""``catalogItems(search: "胸部CT")``: catalog items found by name, code or reference, best first.

The matching is hub/services/item_search.py's (in memory over the item index: no store round trip); this
module only turns its answer and its refusals into GraphQL: each item with its ``score`` and ``matchedOn``,
a page of the ranked list (``first`` / ``offset``, bounded like every browse list), and a ``BAD_INPUT``
naming the argument (``search``, ``catalog``, ``first``) for what cannot be searched.
"""

from __future__ import annotations

from typing import Optional

import strawberry

from hub.services.item_search import MAX_LIMIT, SearchRefused, item_search
from resolvers.context import hub
from resolvers.errors import hub_error
from resolvers.rows import catalog_item_from_record
from resolvers.types import CatalogItem


def bad_input(argument: str, message: str, value: object) -> Exception:
    return hub_error("BAD_INPUT", message, {"argument": argument, "value": value})


def matching(info: strawberry.Info, search: Optional[str], catalog: Optional[str], page: dict[str, int]) -> list[CatalogItem]:
    """The page ``page`` (``limit``/``skip``, already bounded) of the items ``search`` finds, in ``catalog``
    when given; without ``search`` nor ``catalog`` there is nothing to list."""
    if search is None:
        raise bad_input("catalog", "catalogItems needs the argument catalog (a catalog id, e.g. BJ-IMG) or search "
                        "(a name, code or reference, e.g. 胸部CT)", None)
    items = hub(info).items
    limit, skip = page["limit"], page["skip"]
    if limit == 0:
        return []
    try:
        found = item_search(items).search(search, catalogs=[catalog] if catalog is not None else None,
                                          limit=min(skip + limit, MAX_LIMIT))
    except SearchRefused as e:
        raise bad_input(e.argument, str(e), e.value) from None
    out = []
    for m in found[skip:]:
        item = catalog_item_from_record(items.record(m.ref))
        item.score = m.score
        item.matched_on = m.matched_on
        out.append(item)
    return out
