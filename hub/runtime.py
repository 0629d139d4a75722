"""Wiring: one store, one engine, one item index per process — what both the ASGI app and the CLI use."""

from __future__ import annotations

from dataclasses import dataclass

from graph.facts import GraphFacts, region_index
from graph.store import GraphStore, open_store
from hub.config import Settings
from hub.items import Items
from hub.policy import load_policies
from hub.recognition import RecognitionEngine
from resolvers.context import HubContext


@dataclass
class Runtime:
    settings: Settings
    store: GraphStore
    items: Items
    engine: RecognitionEngine
    load_token: str | None = None

    @classmethod
    async def start(cls, settings: Settings) -> "Runtime":
        store = await open_store(settings.graph)
        items = Items()
        engine = RecognitionEngine(load_policies(), await region_index(store), items, GraphFacts(store))
        return cls(settings, store, items, engine)

    def context(self) -> HubContext:
        return HubContext(store=self.store, engine=self.engine, items=self.items, max_batch=self.settings.max_batch)

    async def close(self) -> None:
        await self.store.close()
