"""The seed catalogs as graph records: every ``seeds/catalogs/*.yaml`` of a seeds directory.

The files are the reviewable record of what the documents print, with every flaw of the source text and
its handling beside the record (DESIGN.md "Seed catalog file format").  Which catalogs exist and in what
order is what the files say (:mod:`hub.domain.catalog_file`): a new province's catalog is a new file,
not a code change.  Seeding, the item index and ``hub seeds report`` read them through this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hub.domain.catalog_file import SeedCatalog, read_seed_catalogs
from hub.domain.model import Catalog, CatalogItem
from hub.domain.seeds import DEFAULT_SEEDS_DIR


@dataclass(frozen=True)
class CatalogFile:
    catalog: Catalog
    kind: str  # lab | imaging, as the file declares
    items: tuple[CatalogItem, ...]
    raw_items: tuple[dict[str, Any], ...]
    flaws: tuple[dict[str, Any], ...]
    excluded: tuple[dict[str, Any], ...]
    announced: int | None
    path: Path


def _item(raw: dict[str, Any], catalog: str, source: str) -> CatalogItem:
    return CatalogItem(
        ref=raw["ref"],
        catalog=catalog,
        local=str(raw.get("local", raw["ref"].split(":", 1)[1])),
        row=raw.get("row"),
        name=raw["name"],
        modality=raw.get("modality"),
        source=source,
        printed=raw.get("printed"),
        note=raw.get("correction") or raw.get("note"),
    )


def catalog_file(seed: SeedCatalog) -> CatalogFile:
    spec = seed.spec
    return CatalogFile(
        catalog=Catalog(spec.id, spec.name, spec.source, spec.clause, spec.item_count),
        kind=spec.kind,
        items=tuple(_item(it, spec.id, spec.source) for it in seed.items),
        raw_items=tuple(seed.items),
        flaws=tuple(seed.data.get("flaws") or ()),
        excluded=tuple(seed.data.get("excluded") or ()),
        announced=spec.announced,
        path=seed.path,
    )


def read_catalogs(seeds: Path = DEFAULT_SEEDS_DIR) -> dict[str, CatalogFile]:
    """Every catalog of the seeds directory, by id, in catalog order."""
    return {cid: catalog_file(seed) for cid, seed in read_seed_catalogs(seeds).items()}
