"""The catalog item index: every seed item by ref, with the crosswalk's answers.

Implements the engine's :class:`hub.domain.recognition.ItemIndex` port from the seed catalogs
(:mod:`graph.catalogs`) and the committed crosswalk (:mod:`hub.crosswalk`), in memory: ~1,100 items,
read once per process, so an item lookup on the hot path is a dict access, not a store call.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cached_property

from graph.catalogs import read_catalogs
from hub.domain.model import CatalogItem as ItemRecord
from hub import crosswalk

LAB_CATALOGS = frozenset({"ZJ-LAB", "BJ-LAB"})


class Items:
    def __init__(self) -> None:
        catalogs = read_catalogs()
        self.by_ref: dict[str, ItemRecord] = {item.ref: item for cf in catalogs.values() for item in cf.items}
        self._clauses = {cid: cf.catalog.clause for cid, cf in catalogs.items()}

    def catalog_clause(self, catalog: str) -> str | None:
        return self._clauses.get(catalog)

    def resolve(self, ref: str) -> str | None:
        if ref in self.by_ref:
            return ref
        canonical = crosswalk.resolve_ref(ref)
        return canonical if canonical in self.by_ref else None

    def kind(self, ref: str) -> str:
        return "lab" if ref.split(":", 1)[0] in LAB_CATALOGS else "imaging"

    def map_to_catalog(self, ref: str, catalog: str) -> str | None:
        if ref.split(":", 1)[0] == catalog:
            return ref
        return crosswalk.map_to_catalog(ref, catalog)

    def equivalents(self, ref: str) -> Sequence[str]:
        others = [r for r in crosswalk.equivalents(ref) if r != ref]
        return [ref, *others]

    def features(self, ref: str) -> Mapping[str, str | None]:
        return self._features.get(ref, {})

    @cached_property
    def _features(self) -> dict[str, dict[str, str | None]]:
        return {ref: crosswalk.item_features(ref) for ref in self.by_ref}

    def record(self, ref: str) -> ItemRecord:
        """The item with its normalised attributes filled in (for the graph and for GraphQL)."""
        item = self.by_ref[ref]
        f = self.features(ref)
        return ItemRecord(
            **{
                **item.__dict__,
                "body_part": f.get("bodyPart"),
                "laterality": f.get("laterality"),
                "contrast": f.get("contrast"),
                "views": f.get("views"),
            }
        )
