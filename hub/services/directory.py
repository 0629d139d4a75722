"""The connectors' :class:`connectors.mapping.Directory` port, answered by the graph and the catalogs.

CONTRACT: a study's institution is the hub institution whose name or alias equals its DICOM
InstitutionName; its item comes from a procedure code equal to a local code of *the platform region's
catalog*, else from a StudyDescription naming an item of that catalog.  "The region's catalog" is the
imaging catalog of the policy that governs the region (a Hebei platform → HE-IMG).  Answers are lists so
an ambiguous code (001 prints one code for two items) is reported, never silently picked.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Collection

from hub.domain.regions import RegionIndex
from graph.store import GraphStore
from graph.items import Items
from hub.domain.policy import Policy


def normalise_name(text: str) -> str:
    """Full-width → half-width, no whitespace, upper case: 胸部 CT 平扫 == 胸部CT平扫 == 胸部ｃｔ平扫."""
    return "".join(unicodedata.normalize("NFKC", text).split()).upper()


class GraphDirectory:
    def __init__(self, store: GraphStore, items: Items, policies: dict[str, Policy], regions: RegionIndex) -> None:
        self.store = store
        self.items = items
        self.regions = regions
        self._catalog_of_province = {
            code: p.catalogs.get("imaging") for p in policies.values() if not p.zone for code in p.governs
        }
        self._codes: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        self._names: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for ref, item in items.by_ref.items():
            for code in {item.local, item.printed} - {None}:
                if ref not in self._codes[item.catalog][code.upper()]:
                    self._codes[item.catalog][code.upper()].append(ref)
            self._names[item.catalog][normalise_name(item.name)].append(ref)

    def catalog_for(self, region: str) -> str | None:
        return self._catalog_of_province.get(self.regions.province_of(region) or "")

    async def institutions_by_names(self, names: Collection[str]) -> dict[str, list[str]]:
        names = sorted({n for n in names if n})
        if not names:
            return {}
        out: dict[str, list[str]] = defaultdict(list)
        for row in await self.store.read("q.institutions_by_names", {"names": names}):
            if row["id"] not in out[row["name"]]:
                out[row["name"]].append(row["id"])
        return dict(out)

    async def items_by_codes(self, region: str, codes: Collection[str]) -> dict[str, list[str]]:
        catalog = self.catalog_for(region)
        if catalog is None:
            return {}
        out = {}
        for code in codes:
            refs = self._codes[catalog].get(code.upper())
            if not refs:
                resolved = self.items.resolve(f"{catalog}:{code}")
                refs = [resolved] if resolved else []
            if refs:
                out[code] = list(refs)
        return out

    async def items_by_names(self, region: str, names: Collection[str]) -> dict[str, list[str]]:
        catalog = self.catalog_for(region)
        if catalog is None:
            return {}
        return {n: list(refs) for n in names if (refs := self._names[catalog].get(normalise_name(n)))}
