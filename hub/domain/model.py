"""Plain records of the graph: what a dataset file holds once validated.

These are the shapes the loader writes and the seeding code produces; both backends store exactly these
properties (see docs/DESIGN.md, "Graph model").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from hub.domain.vocabulary import Tier

#: tier -> its Chinese name (3A -> 三级甲等); the tiers themselves are hub.domain.vocabulary.Tier
TIERS: dict[str, str] = {t.value: t.chinese for t in Tier}
OWNERSHIPS = ("public", "private", "military")
KINDS = ("general", "tcm", "lab", "primary", "specialist")
ALLIANCE_KINDS: dict[str, str] = {
    "city_medical_group": "城市医联体",
    "county_medical_community": "县域医共体",
}


@dataclass(frozen=True)
class Institution:
    id: str
    name: str
    tier: str
    region: str
    ownership: str = "public"
    kind: str = "general"
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Alliance:
    id: str
    kind: str
    name: str
    members: tuple[str, ...] = ()


@dataclass(frozen=True)
class Mark:
    institution: str
    item: str
    scope: str
    valid_from: dt.date
    valid_to: dt.date | None = None

    @property
    def id(self) -> str:
        """Identity of a mark: the same institution, item, scope and start date is the same mark, so
        re-loading a file (or extending ``validTo``) updates it instead of adding another."""
        return f"{self.institution}|{self.item}|{self.scope}|{self.valid_from.isoformat()}"


@dataclass
class Dataset:
    """One validated dataset file."""

    source: str
    institutions: list[Institution] = field(default_factory=list)
    alliances: list[Alliance] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.institutions) + len(self.alliances) + len(self.marks)


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    level: str  # nation | zone | province | city | county
    parents: tuple[str, ...] = ()  # PART_OF targets (a province may also sit in a zone)


@dataclass(frozen=True)
class Catalog:
    id: str
    name: str
    source: str
    clause: str
    item_count: int


@dataclass(frozen=True)
class CatalogItem:
    ref: str
    catalog: str
    local: str
    row: int | None
    name: str
    modality: str | None = None
    body_part: str | None = None
    laterality: str | None = None
    contrast: str | None = None
    views: str | None = None
    source: str = ""
    printed: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class PolicyNode:
    """A policy as the graph shows it to analysts; the rules themselves live in seeds/policies/."""

    id: str
    title: str
    source: str
    governs: tuple[str, ...]
    catalogs: tuple[str, ...]
