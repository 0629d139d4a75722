"""What every resolver reaches through ``info.context["hub"]``: the store and the engine.

Built once per process by :func:`hub.web.app.create_app` (or by tests); resolvers never open stores.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from collections.abc import Callable
from typing import Any, TypeVar

import strawberry

from graph.store import GraphStore
from hub.domain.identity import ANONYMOUS, Identity
from hub.domain.recognition import RecognitionEngine
from hub.services.access import Forbidden, authorize
from resolvers.errors import refused

T = TypeVar("T")


@dataclass
class HubContext:
    store: GraphStore
    engine: RecognitionEngine
    items: Any  # graph.items.Items — the catalog index (ItemIndex port + lookups)
    max_batch: int = 1000
    max_page: int = 500  # Settings.max_page: the largest ``first``
    max_offset: int = 10_000  # Settings.max_offset: the largest ``offset``
    prior_studies: Any = None  # connectors.service.PriorStudySearch, when platforms are configured
    audit: Any = None  # hub.services.audit.AuditLog: every patient-data access
    extra: dict[str, Any] = field(default_factory=dict)


def per_request(info: strawberry.Info, key: str, make: Callable[[strawberry.Info], T]) -> T:
    """The request's one ``make(info)`` (a set of DataLoaders), kept in the request's context dict under
    ``key``: every field of the request shares it, and nothing is cached across requests."""
    found = info.context.get(key)
    if found is None:
        found = info.context[key] = make(info)
    return found


def hub(info: strawberry.Info) -> HubContext:
    return info.context["hub"]


def identity(info: strawberry.Info) -> Identity:
    """The caller of this request (the web layer's Guard put it in the context; anonymous without auth)."""
    return info.context.get("identity", ANONYMOUS)


def client(info: strawberry.Info) -> str | None:
    """The caller's address, for the audit."""
    return info.context.get("client")


def authorized(info: strawberry.Info, field: str, at: str | None = None, *, lang: Any = "zh") -> Identity:
    """The caller, when :func:`hub.services.access.authorize` lets it use ``field`` (at ``at``); else the
    GraphQL error ``FORBIDDEN`` in ``lang`` — raised before the resolver asks anything of a platform or the store."""
    who = identity(info)
    try:
        authorize(who, field, at)
    except Forbidden as e:
        raise refused(e, lang) from None
    return who
