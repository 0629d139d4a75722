"""A second, small Apollo Federation subgraph for the gateway test: a bed registry that adds
``Institution.beds`` to the hub's Institution entity (by its key ``id``) and lists transfers that point
at hub institutions by key only, so the gateway must ask the hub's ``_entities`` for their names.

Served by uvicorn in its own process: ``python -m uvicorn tests.graphql.beds_subgraph:app --port P``.
"""

from __future__ import annotations

from typing import Optional

import strawberry
from strawberry.asgi import GraphQL

BEDS = {"bj-xh": 2000, "he-sjz-1": 1500, "bj-dc-2": 320, "tj-hp": 1200}
TRANSFERS = [("P-001", "bj-xh"), ("P-002", "he-sjz-1"), ("P-003", "bj-dc-2"), ("P-004", "tj-hp")]


@strawberry.federation.type(keys=["id"], description="The hub's institution, extended with the registry's beds.")
class Institution:
    id: strawberry.ID

    @strawberry.field(description="Licensed beds (核定床位) in the bed registry.")
    def beds(self) -> Optional[int]:
        return BEDS.get(str(self.id))

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> "Institution":
        return cls(id=id)


@strawberry.type(description="A patient transfer to an institution.")
class Transfer:
    patient: str
    to: Institution


@strawberry.type
class Query:
    @strawberry.field(description="Transfers in the registry.")
    def transfers(self) -> list[Transfer]:
        return [Transfer(patient=p, to=Institution(id=strawberry.ID(i))) for p, i in TRANSFERS]


schema = strawberry.federation.Schema(query=Query, types=[Institution], federation_version="2.9")
app = GraphQL(schema, graphql_ide=None)
