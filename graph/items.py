"""The catalog item index: every seed item by ref, with the crosswalk's answers.

Implements the engine's :class:`hub.domain.recognition.ItemIndex` port from the seed catalogs
(:mod:`graph.catalogs`) and the committed crosswalk (:class:`hub.crosswalk.index.CrosswalkIndex`), in
memory: ~1,100 items, read once per process by the wiring (:meth:`Items.from_seeds`), so an item lookup
on the hot path is a dict access, not a store call.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cached_property
from pathlib import Path

from graph.catalogs import CatalogFile, catalog_file
from hub.crosswalk.index import CrosswalkIndex
from hub.domain.catalog_file import read_seed_catalogs
from hub.domain.model import CatalogItem as ItemRecord
from hub.domain.seeds import DEFAULT_SEEDS_DIR


class Items:
    def __init__(self, catalogs: Mapping[str, CatalogFile], crosswalk: CrosswalkIndex) -> None:
        self.catalogs = dict(catalogs)
        self.crosswalk = crosswalk
        self.by_ref: dict[str, ItemRecord] = {item.ref: item for cf in catalogs.values() for item in cf.items}
        self._clauses = {cid: cf.catalog.clause for cid, cf in catalogs.items()}
        self._kinds = {cid: cf.kind for cid, cf in catalogs.items()}

    @classmethod
    def from_seeds(cls, seeds: Path = DEFAULT_SEEDS_DIR) -> Items:
        """The catalogs and the committed crosswalk of a seeds directory (each file read once)."""
        seed_catalogs = read_seed_catalogs(seeds)
        crosswalk = CrosswalkIndex.from_seeds(seeds, catalogs={cid: c.spec for cid, c in seed_catalogs.items()})
        return cls({cid: catalog_file(c) for cid, c in seed_catalogs.items()}, crosswalk)

    def catalog_clause(self, catalog: str) -> str | None:
        return self._clauses.get(catalog)

    def resolve(self, ref: str) -> str | None:
        if ref in self.by_ref:
            return ref
        canonical = self.crosswalk.resolve_ref(ref)
        return canonical if canonical in self.by_ref else None

    def kind(self, ref: str) -> str:
        """``lab`` or ``imaging``, as the item's catalog file declares."""
        return self._kinds.get(ref.split(":", 1)[0], "imaging")

    def map_to_catalog(self, ref: str, catalog: str) -> str | None:
        if ref.split(":", 1)[0] == catalog:
            return ref
        return self.crosswalk.map_to_catalog(ref, catalog)

    def equivalents(self, ref: str) -> Sequence[str]:
        others = [r for r in self.crosswalk.equivalents(ref) if r != ref]
        return [ref, *others]

    def features(self, ref: str) -> Mapping[str, str | None]:
        return self._features.get(ref, {})

    @cached_property
    def _features(self) -> dict[str, dict[str, str | None]]:
        return {ref: self.crosswalk.item_features(ref) for ref in self.by_ref}

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
