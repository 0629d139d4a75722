"""What every resolver reaches through ``info.context["hub"]``: the store and the engine.

Built once per process by :func:`hub.web.app.create_app` (or by tests); resolvers never open stores.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import strawberry

from graph.store import GraphStore
from hub.domain.recognition import RecognitionEngine


@dataclass
class HubContext:
    store: GraphStore
    engine: RecognitionEngine
    items: Any  # graph.items.Items — the catalog index (ItemIndex port + lookups)
    max_batch: int = 1000
    max_page: int = 500  # Settings.max_page: the largest ``first``
    max_offset: int = 10_000  # Settings.max_offset: the largest ``offset``
    prior_studies: Any = None  # connectors.service.PriorStudySearch, when platforms are configured
    extra: dict[str, Any] = field(default_factory=dict)


def hub(info: strawberry.Info) -> HubContext:
    return info.context["hub"]
