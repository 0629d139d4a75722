"""``hub seeds report``: every catalog's counts and every flaw of the source text with its handling.

Nothing from the documents is dropped silently: a row is an item, a component, or an excluded row with
its reason, and each flaw says whether it was corrected, excluded or kept.
"""

from __future__ import annotations

from typing import Any

from graph.catalogs import read_catalogs


def report() -> dict[str, Any]:
    catalogs = []
    for cid, cf in read_catalogs().items():
        catalogs.append(
            {
                "id": cid,
                "source": cf.catalog.source,
                "clause": cf.catalog.clause,
                "items": len(cf.items),
                "itemCount": cf.catalog.item_count,
                "announced": cf.announced,
                "corrected": sum(1 for it in cf.raw_items if it.get("correction")),
                "flaws": [
                    {"kind": f.get("kind"), "rows": f.get("rows"), "handling": f.get("handling"), "detail": f.get("detail")}
                    for f in cf.flaws
                ],
                "excluded": [dict(x) for x in cf.excluded],
            }
        )
    return {
        "catalogs": catalogs,
        "totals": {
            "items": sum(c["items"] for c in catalogs),
            "flaws": sum(len(c["flaws"]) for c in catalogs),
            "excluded": sum(len(c["excluded"]) for c in catalogs),
        },
    }
