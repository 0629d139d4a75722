"""The engine's facts port on the graph store: institutions, alliances and marks in one round trip."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from graph.regions import RegionIndex
from graph.store import GraphStore
from hub.recognition import InstitutionFacts, MarkFact


class GraphFacts:
    """:class:`hub.recognition.FactsPort` answered by one named statement per batch."""

    def __init__(self, store: GraphStore) -> None:
        self.store = store

    async def institution_facts(self, ids: Iterable[str], items: Iterable[str]) -> Mapping[str, InstitutionFacts]:
        rows = await self.store.read("facts.institutions", {"ids": sorted(set(ids)), "items": sorted(set(items))})
        grouped: dict[str, tuple[dict, dict[str, MarkFact]]] = {}
        for row in rows:
            head, marks = grouped.setdefault(row["id"], (row, {}))
            if row.get("mark") is not None:
                marks[row["mark"]] = MarkFact(row["item"], row["scope"], row["validFrom"], row["validTo"])
        return {
            iid: InstitutionFacts(
                id=iid,
                tier=head["tier"],
                region=head["region"],
                ownership=head["ownership"],
                kind=head["kind"],
                alliances=frozenset(a for a in head["alliances"] or () if a is not None),
                marks=tuple(marks.values()),
            )
            for iid, (head, marks) in grouped.items()
        }


async def region_index(store: GraphStore) -> RegionIndex:
    """The containment index of the regions held in the graph (built once per process)."""
    rows = await store.read("regions.edges")
    names = {r["code"]: r["name"] for r in rows}
    edges = [(r["code"], r["parent"]) for r in rows if r["parent"] is not None]
    return RegionIndex(edges, names)
