"""The engine's facts port on the graph store: institutions, alliances and marks in one round trip."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from hub.domain.regions import RegionIndex
from graph.store import GraphStore
from hub.domain.recognition import InstitutionFacts, MarkFact


_NO_ALLIANCES: frozenset[str] = frozenset()


class GraphFacts:
    """:class:`hub.domain.recognition.FactsPort` answered by one named statement per batch."""

    def __init__(self, store: GraphStore) -> None:
        self.store = store

    async def institution_facts(
        self, ids: Iterable[str], items: Iterable[str], marks_for: Mapping[str, Iterable[str]] | None = None
    ) -> Mapping[str, InstitutionFacts]:
        ids = sorted(set(ids))
        if marks_for is None:
            items = sorted(set(items))
            pairs = [f"{i}|{item}" for i in ids for item in items]
        else:
            pairs = sorted({f"{i}|{item}" for i, wanted in marks_for.items() for item in wanted})
        rows = await self.store.read("facts.institutions", {"ids": ids, "pairs": pairs})
        # per institution: its own row (item null, allianceIds: the alliances it is a member of) and its
        # marks by id.  The statement's two parts come in no particular order: mark rows (item set) are
        # kept aside until every head is known.  Written for the batch of 100 checks (~100 heads, ~250
        # marks): positional records, no frozenset or sort for the many institutions with no alliance or
        # mark (docs/BENCHMARKS.md, "Engine").
        heads: dict[str, dict] = {}
        mark_rows = []
        for row in rows:
            if row.get("item") is None:  # part 1's rows have no item column (Neo4j's UNION: null)
                heads[row["id"]] = row
            else:
                mark_rows.append(row)
        marks: dict[str, dict[str, MarkFact]] = {}
        for row in mark_rows:
            iid = row["id"]
            if iid in heads:  # only the asked institutions' marks, as before
                held = marks.get(iid)
                if held is None:
                    held = marks[iid] = {}
                held[row["node"]] = MarkFact(row["item"], row["scope"], row["validFrom"], row["validTo"])
        out: dict[str, InstitutionFacts] = {}
        for iid, head in heads.items():
            alliances = head["allianceIds"]
            held = marks.get(iid)
            out[iid] = InstitutionFacts(
                iid, head["tier"], head["region"], head["ownership"], head["kind"],
                frozenset(alliances) if alliances else _NO_ALLIANCES,
                # by mark id: the store returns rows in no particular order, the engine's answer must not vary
                tuple(held[k] for k in sorted(held)) if held else (),
            )
        return out


async def region_index(store: GraphStore) -> RegionIndex:
    """The containment index of the regions held in the graph (built once per process)."""
    rows = await store.read("regions.edges")
    names = {r["code"]: r["name"] for r in rows}
    edges = [(r["code"], r["parent"]) for r in rows if r["parent"] is not None]
    return RegionIndex(edges, names)
