"""UNKNOWN_ITEM as a GraphQL error a doctor can act on: the message in the language asked, and the items the
hub thinks were meant (hub/services/item_search.py) in ``extensions.suggestions`` and in the message.

The engine (hub/domain/recognition.py) only says that an item is unknown — it knows no search library and
needs none to decide; the suggestions are added here, where its CheckError becomes a GraphQL error.

A batch must not get slow because many of its items are unknown: :class:`UnknownItems` makes one error per
distinct value (graphql-core gives each element its own copy with its path), searches for at most
:data:`MAX_SUGGESTED_VALUES` distinct values per request (the rest keep the message without suggestions)
and the search caches its answer per value for the process.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError

from hub.domain.messages import Renderer
from hub.services.item_search import Match, item_search

#: the most distinct unknown values one request gets suggestions for (each costs a search of ~1–3 ms)
MAX_SUGGESTED_VALUES = 5
#: the most items one error suggests
SUGGESTIONS = 3


def suggestion(m: Match) -> dict[str, str]:
    """One suggestion as ``extensions.suggestions`` lists it."""
    return {"ref": m.ref, "name": m.name, "catalog": m.catalog}


class UnknownItems:
    """The UNKNOWN_ITEM errors of one request, in one language."""

    def __init__(self, items: Any, renderer: Renderer, lang: str) -> None:
        self.search = item_search(items)
        self.renderer = renderer
        self.lang = lang
        self._errors: dict[tuple[str, str | None], GraphQLError] = {}
        self._searched = 0

    def error(self, value: Any, field: str | None = None) -> GraphQLError:
        """The error for the unknown item ``value`` (``field``: the argument it came in, when it says more
        than the path)."""
        key = (str(value), field)
        found = self._errors.get(key)
        if found is None:
            matches: tuple[Match, ...] = ()
            if self._searched < MAX_SUGGESTED_VALUES:
                self._searched += 1
                matches = self.search.suggest(str(value), SUGGESTIONS)
            extensions: dict[str, Any] = {"code": "UNKNOWN_ITEM"}
            if field is not None:
                extensions["field"] = field
            extensions["value"] = value
            extensions["suggestions"] = [suggestion(m) for m in matches]
            message = self.renderer.error_text("UNKNOWN_ITEM", value, [(m.ref, m.name, m.catalog) for m in matches],
                                               self.lang)
            found = self._errors[key] = GraphQLError(message, extensions=extensions)
        return found
