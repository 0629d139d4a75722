"""Store rows (and item index records) as GraphQL types: one function per type, the only place a row
becomes a GraphQL object.

Browsing (:mod:`resolvers.graph`), federation's ``_entities`` and the list fields
(:mod:`resolvers.entities`), ``equivalents`` and ``CatalogItem``'s entity lookup all build their objects
here, so an object reads the same whichever way it was reached (``Region.parents`` was sorted by one and
in store order by the other).  Row keys are the named statements' ``RETURN`` aliases (graph/cypher/).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import strawberry

from resolvers.types import Alliance, Catalog, CatalogItem, Institution, Mark, Region

if TYPE_CHECKING:
    from hub.domain.model import CatalogItem as ItemRecord

Row = dict[str, Any]


def institution(row: Row) -> Institution:
    return Institution(
        id=strawberry.ID(row["id"]),
        name=row["name"],
        tier=row["tier"],
        region=row["region"],
        ownership=row.get("ownership"),
        kind=row.get("kind"),
        aliases=list(row.get("aliases") or []),
    )


def alliance(row: Row) -> Alliance:
    return Alliance(id=strawberry.ID(row["id"]), kind=row["kind"], name=row["name"])


def region(row: Row) -> Region:
    """``parents`` sorted: the statements ``collect`` them in whatever order the store walks the edges."""
    return Region(code=row["code"], name=row["name"], level=row["level"], parents=sorted(row["parents"] or []))


def mark(row: Row) -> Mark:
    return Mark(item=row["item"], scope=row["scope"], valid_from=row["validFrom"], valid_to=row["validTo"],
                id=row.get("id"), _institution=row.get("institution"))


def catalog(row: Row) -> Catalog:
    return Catalog(id=row["id"], name=row["name"], source=row["source"], item_count=row["itemCount"],
                   clause=row.get("clause"))


def catalog_item(row: Row) -> CatalogItem:
    return CatalogItem(
        ref=row["ref"],
        catalog=row["catalog"],
        name=row["name"],
        modality=row.get("modality"),
        local=row.get("local"),
        row=row.get("row"),
        body_part=row.get("bodyPart"),
        laterality=row.get("laterality"),
        contrast=row.get("contrast"),
        views=row.get("views"),
        source=row.get("source"),
        printed=row.get("printed"),
        note=row.get("note"),
    )


def catalog_item_from_record(r: ItemRecord) -> CatalogItem:
    """An item of the item index (a catalog record with its normalised attributes), as ``equivalents`` and
    the CatalogItem entity lookup answer it."""
    return CatalogItem(
        ref=r.ref, catalog=r.catalog, name=r.name, modality=r.modality, local=r.local, row=r.row,
        body_part=r.body_part, laterality=r.laterality, contrast=r.contrast, views=r.views,
        source=r.source, printed=r.printed, note=r.note,
    )
