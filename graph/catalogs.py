"""The seven seed catalogs, read from ``seeds/catalogs/*.yaml`` (one reader for every consumer).

The files are the reviewable record of what the documents print, with every flaw of the source text and
its handling beside the record (DESIGN.md "Seed catalog file format").  Seeding, the item index, the
crosswalk and ``hub seeds report`` all read them through this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from hub.domain.model import Catalog, CatalogItem

CATALOG_DIR = Path(__file__).resolve().parent.parent / "seeds" / "catalogs"
CATALOG_IDS = ("ZJ-LAB", "ZJ-IMG", "BJ-LAB", "BJ-IMG", "HC-IMG", "HE-IMG", "CY-IMG")


@dataclass(frozen=True)
class CatalogFile:
    catalog: Catalog
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


@cache
def read_catalog(catalog_id: str, directory: Path = CATALOG_DIR) -> CatalogFile:
    path = directory / f"{catalog_id}.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    source = str(raw["source"])
    items = tuple(_item(it, catalog_id, source) for it in raw.get("items", ()))
    return CatalogFile(
        catalog=Catalog(catalog_id, raw["name"], source, str(raw.get("clause", "")), int(raw["itemCount"])),
        items=items,
        raw_items=tuple(raw.get("items", ())),
        flaws=tuple(raw.get("flaws") or ()),
        excluded=tuple(raw.get("excluded") or ()),
        announced=raw.get("announced"),
        path=path,
    )


def read_catalogs(directory: Path = CATALOG_DIR) -> dict[str, CatalogFile]:
    """Every catalog present, by id, in the contract's order."""
    return {cid: read_catalog(cid, directory) for cid in CATALOG_IDS if (directory / f"{cid}.yaml").exists()}
