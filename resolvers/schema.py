"""The hub's GraphQL schema: the contract's queries plus what an analyst needs to browse the graph."""

from __future__ import annotations

from typing import Optional

import strawberry
from strawberry.extensions import ParserCache, ValidationCache

from resolvers import graph, recognition
from resolvers.types import Alliance, Catalog, CatalogItem, Institution, Recognition, Region


@strawberry.type
class Query:
    recognizability: Recognition = strawberry.field(
        resolver=recognition.recognizability,
        description="Is this prior study recognizable (可互认) at institution `at` on day `on` (default today, China time)?",
    )
    recognizabilities: list[Optional[Recognition]] = strawberry.field(
        resolver=recognition.recognizabilities,
        description="The same question for many studies at one institution, answered in order. A bad element is null "
        "with its own error (path ['recognizabilities', i]); the others still answer.",
    )
    equivalents: list[CatalogItem] = strawberry.field(
        resolver=recognition.equivalents,
        description="The same exam in every catalog (crosswalk equivalence class), the asked item first.",
    )
    institution: Optional[Institution] = strawberry.field(resolver=graph.institution, description="An institution by id; null when unknown.")
    institutions: list[Institution] = strawberry.field(resolver=graph.institutions, description="Browse institutions by region prefix or name.")
    alliance: Optional[Alliance] = strawberry.field(resolver=graph.alliance, description="An alliance (医联体/医共体) by id.")
    alliance_members: list[Institution] = strawberry.field(resolver=graph.alliance_members, description="The members of an alliance.")
    alliances: list[Alliance] = strawberry.field(resolver=graph.alliances, description="Browse alliances.")
    catalogs: list[Catalog] = strawberry.field(resolver=graph.catalogs, description="The seven catalogs of the five documents.")
    catalog_items: list[CatalogItem] = strawberry.field(resolver=graph.catalog_items, description="The items of one catalog, in the document's order.")
    regions: list[Region] = strawberry.field(resolver=graph.regions, description="Browse regions (GB/T 2260, zones JJJ/CY, CN).")


def build_schema() -> strawberry.Schema:
    return strawberry.Schema(query=Query, extensions=[ParserCache(maxsize=256), ValidationCache(maxsize=256)])
