"""Per-request batch loaders: federation's ``_entities`` and list fields read the store once per type.

A gateway resolving 200 institutions sends one ``_entities`` request with 200 representations; strawberry
calls ``resolve_reference`` once per representation, and each awaits a ``DataLoader`` here, so the store
sees one ``UNWIND $ids …`` read per entity type (and one for all their alliances), not 200.
Loaders live in the request's context dict, so nothing is cached across requests.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Optional

import strawberry
from strawberry.dataloader import DataLoader

from resolvers import rows as to
from resolvers.context import hub, per_request


class Loaders:
    def __init__(self, info: strawberry.Info) -> None:
        self._store = hub(info).store
        self.institutions: DataLoader[str, Optional[Any]] = DataLoader(self._institutions)
        self.alliances: DataLoader[str, Optional[Any]] = DataLoader(self._alliances)
        self.regions: DataLoader[str, Optional[Any]] = DataLoader(self._regions)
        self.alliances_of: DataLoader[str, list[Any]] = DataLoader(self._alliances_of)
        self.marks_of: DataLoader[str, list[Any]] = DataLoader(self._marks_of)
        #: store reads made through these loaders (tests assert batching with it)
        self.reads = 0

    async def _read(self, name: str, params: dict) -> list[dict]:
        self.reads += 1
        return await self._store.read(name, params)

    async def _institutions(self, ids: Sequence[str]) -> list[Optional[Any]]:
        rows = await self._read("q.institution", {"ids": list(ids)})
        by_id = {r["id"]: to.institution(r) for r in rows}
        return [by_id.get(i) for i in ids]

    async def _alliances(self, ids: Sequence[str]) -> list[Optional[Any]]:
        rows = await self._read("q.alliances_by_ids", {"ids": list(ids)})
        by_id = {r["id"]: to.alliance(r) for r in rows}
        return [by_id.get(i) for i in ids]

    async def _regions(self, codes: Sequence[str]) -> list[Optional[Any]]:
        rows = await self._read("q.regions_by_codes", {"codes": list(codes)})
        by_code = {r["code"]: to.region(r) for r in rows}
        return [by_code.get(c) for c in codes]

    async def _alliances_of(self, ids: Sequence[str]) -> list[list[Any]]:
        rows = await self._read("q.institution_alliances", {"ids": list(ids)})
        out: dict[str, list[Any]] = {i: [] for i in ids}
        for r in rows:
            out.setdefault(r["institution"], []).append(to.alliance(r))
        return [out[i] for i in ids]

    async def _marks_of(self, ids: Sequence[str]) -> list[list[Any]]:
        rows = await self._read("q.institutions_marks", {"ids": list(ids)})
        out: dict[str, list[Any]] = {i: [] for i in ids}
        for r in rows:
            out.setdefault(r["institution"], []).append(to.mark(r))
        return [out[i] for i in ids]


def loaders(info: strawberry.Info) -> Loaders:
    """The request's loaders (created on first use and kept in the context dict)."""
    return per_request(info, "loaders", Loaders)
