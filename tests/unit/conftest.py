"""The recognition engine against an in-memory FactsPort: each document's rules in milliseconds.

No store and no server: the engine is built from the real policy files, the real GB/T 2260 region table
and the real catalogs + crosswalk (all read from ``seeds/``), and answers institution facts from
:class:`MemoryFacts`, which holds exactly the institutions a test declares.  The HTTP acceptance tests
(tests/acceptance) ask the same kind of questions through a real ``hub serve``; these pin each clause's
edge (a window's last day, a mark's last day, the largest scope, weakest-verdict-wins) cheaply.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pytest

from graph.items import Items
from hub.domain.messages import Renderer
from hub.domain.policy import load_policies
from hub.domain.recognition import (
    Check,
    CheckError,
    ClinicalContext,
    InstitutionFacts,
    MarkFact,
    Recognition,
    RecognitionEngine,
)
from hub.domain.regions import RegionIndex

FOREVER = None


@dataclass
class MemoryFacts:
    """:class:`hub.domain.recognition.FactsPort` over a dict; counts its calls (one per batch)."""

    institutions: dict[str, InstitutionFacts] = field(default_factory=dict)
    calls: int = 0

    def add(self, iid: str, tier: str, region: str, *, kind: str = "general", ownership: str = "public",
            alliances: Iterable[str] = (), marks: Iterable[tuple[str, str, str, str | None]] = ()) -> None:
        """marks: (item, scope, validFrom, validTo or None)."""
        self.institutions[iid] = InstitutionFacts(
            id=iid, tier=tier, region=region, ownership=ownership, kind=kind, alliances=frozenset(alliances),
            marks=tuple(MarkFact(item, scope, dt.date.fromisoformat(a), dt.date.fromisoformat(b) if b else None)
                        for item, scope, a, b in marks),
        )

    async def institution_facts(self, ids: Iterable[str], items: Iterable[str],
                                marks_for: Mapping[str, Iterable[str]] | None = None) -> Mapping[str, InstitutionFacts]:
        self.calls += 1
        items = set(items)
        out = {}
        for iid in set(ids):
            inst = self.institutions.get(iid)
            if inst is None:
                continue
            wanted = set(marks_for.get(iid, ())) if marks_for is not None else items
            out[iid] = InstitutionFacts(inst.id, inst.tier, inst.region, inst.ownership, inst.kind, inst.alliances,
                                        tuple(m for m in inst.marks if m.item in wanted))
        return out


@pytest.fixture(scope="session")
def seeds() -> tuple:
    return load_policies(), RegionIndex.from_table(), Items.from_seeds()


@pytest.fixture
def facts() -> MemoryFacts:
    return MemoryFacts()


@pytest.fixture
def engine(seeds, facts) -> RecognitionEngine:
    policies, regions, items = seeds
    return RecognitionEngine(policies, regions, items, facts)


@pytest.fixture(scope="session")
def renderer(seeds) -> Renderer:
    """The texts of answers, as the resolvers render them (names from the real catalogs and regions)."""
    policies, regions, items = seeds
    return Renderer(policies, regions.names, lambda ref: items.by_ref[ref].name if ref in items.by_ref else None,
                    lambda cid: items.catalogs[cid].catalog.name if cid in items.catalogs else None)


@pytest.fixture
def ask(engine):
    """ask(source, item, performedOn, at, on, **context) -> Recognition (or the CheckError raised)."""

    def _ask(source: str, item: str, performed: str, at: str, on: str, **context: bool) -> Recognition:
        check = Check(source, item, dt.date.fromisoformat(performed), at, dt.date.fromisoformat(on),
                      ClinicalContext(**context))
        return asyncio.run(engine.check(check))

    return _ask


def codes(r: Recognition) -> list[str]:
    return [x.code for x in r.reasons]


def reason(r: Recognition, code: str):
    for x in r.reasons:
        if x.code == code:
            return x
    raise AssertionError(f"no reason {code} in {[x.code for x in r.reasons]}")


__all__ = ["CheckError", "MemoryFacts", "codes", "reason"]
