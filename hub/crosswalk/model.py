"""The records a crosswalk build works on and produces: items, equivalence classes, the whole result.

Kept apart from the algorithm (:mod:`hub.crosswalk.build`, :mod:`hub.crosswalk.coverage`) and from the
file it is written to (:mod:`hub.crosswalk.artifact`), so each of those reads as one job.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from hub.crosswalk.features import Features


@dataclass
class Item:
    """One catalog item as the build sees it: where it sits, its printed code, its features."""

    ref: str
    catalog: str
    rank: int  # the catalog's position in catalog order
    lab: bool  # an item of a lab list (matched by lab identities, not by features)
    row: Any
    local: str
    name: str
    modality: str | None
    code: str | None  # the printed code, in a coded catalog
    raw: Mapping[str, Any]
    features: Features

    @property
    def order(self) -> tuple:
        row = self.row if isinstance(self.row, int) else 0
        return (self.rank, row, self.ref)


@dataclass
class EqClass:
    """The same exam in several catalogs (at most one item each), with each member's evidence."""

    id: str
    features: Features
    members: list[Item]
    evidence: dict[str, list[str]]


@dataclass
class Crosswalk:
    """Everything a build found, in catalog order; :mod:`hub.crosswalk.artifact` writes it out."""

    catalog_order: tuple[str, ...]
    items: dict[str, Item]
    classes: list[EqClass]
    unmatched: dict[str, list[dict[str, Any]]]
    coverage: list[dict[str, Any]]
    not_recognized: list[dict[str, Any]]
    conflicts: list[dict[str, Any]]
    attributes: dict[str, dict[str, Any]] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        """Classes, joined pairs, and per catalog how many items are matched, covered only, unmatched."""
        per: dict[str, dict[str, int]] = {}
        matched = {m.ref for c in self.classes for m in c.members}
        covered = {r["ref"] for cov in self.coverage for r in cov["covers"]}
        for it in self.items.values():
            s = per.setdefault(it.catalog, {"items": 0, "matched": 0, "covered_only": 0, "unmatched": 0})
            s["items"] += 1
            if it.ref in matched:
                s["matched"] += 1
            else:
                s["unmatched"] += 1
                if it.ref in covered:
                    s["covered_only"] += 1
        return {
            "classes": len(self.classes),
            "pairs": sum(len(c.members) * (len(c.members) - 1) // 2 for c in self.classes),
            "per_catalog": {c: per[c] for c in self.catalog_order if c in per},
        }
