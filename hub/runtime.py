"""Wiring: one store, one engine, one item index per process — what both the ASGI app and the CLI use."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graph.facts import GraphFacts, region_index
from graph.seeding import ensure_seeded
from graph.store import GraphStore, open_store
from hub.config import Settings
from graph.items import Items
from hub.domain.policy import load_policies
from hub.domain.regions import zone_codes
from hub.domain.seeds import policies_dir
from hub.domain.recognition import RecognitionEngine
from hub.domain.upload_rules import UploadRules
from hub.services.audit import AuditLog, Pseudonyms, SyslogForwarder, beside_store
from resolvers.context import HubContext


@dataclass
class Runtime:
    settings: Settings
    store: GraphStore
    items: Items
    engine: RecognitionEngine
    load_token: str | None = None
    prior_studies: Any = None  # connectors.service.PriorStudySearch when --platforms is given
    audit: AuditLog | None = None  # every patient-data access (CONTRACT.md "Audit")
    _session: Any = None

    @classmethod
    async def start(cls, settings: Settings, seeds: Path | None = None, *, store: GraphStore | None = None,
                    shared_audit: bool = False) -> "Runtime":
        """Open the store (seeding it on first open) and wire the engine over the data of ``seeds`` (the
        settings' seeds directory, ``--seeds`` / ``HUB_SEEDS``, unless given); read the platform file
        first so a bad one is refused before anything is opened.  ``store``: one opened already (a worker
        of ``hub serve --workers N`` uses the store process's, :mod:`graph.remote_store`), closed with the
        runtime.  ``shared_audit``: the audit log is appended to by several processes (the workers)."""
        seeds = settings.seeds if seeds is None else seeds
        platforms = None
        if settings.platforms:
            from connectors.platforms import load_platforms

            platforms = load_platforms(settings.platforms, zones=zone_codes(seeds))
        items = Items.from_seeds(seeds)  # the catalogs and the crosswalk index, once per process
        if store is None:
            store = await open_store(settings.graph, seed=False)
        try:
            await ensure_seeded(store, items, seeds)
        except BaseException:
            await store.close()
            raise
        policies = load_policies(policies_dir(seeds))
        regions = await region_index(store)
        engine = RecognitionEngine(policies, regions, items, GraphFacts(store))
        try:
            audit = open_audit(settings, shared=shared_audit)
        except BaseException:
            await store.close()
            raise
        rt = cls(settings, store, items, engine, audit=audit)
        if platforms is not None:
            from connectors.dicomweb import make_session
            from connectors.service import PriorStudySearch
            from hub.services.directory import GraphDirectory

            rt._session = make_session()
            rt.prior_studies = PriorStudySearch(platforms, GraphDirectory(store, items, policies, regions), rt._session,
                                                rules=UploadRules.of(policies.values()))
        return rt

    def context(self) -> HubContext:
        return HubContext(
            store=self.store, engine=self.engine, items=self.items, max_batch=self.settings.max_batch,
            max_page=self.settings.max_page, max_offset=self.settings.max_offset, prior_studies=self.prior_studies,
            audit=self.audit,
        )

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
        if self.audit is not None:
            self.audit.close()
        await self.store.close()


def audit_paths(settings: Settings) -> tuple[Path, Path]:
    """(audit log, pseudonym key file): the settings', else beside the store — ``GRAPH.audit.jsonl`` for an
    embedded store (one log per store: two stores in one directory do not share a chain),
    ``audit-HOST_PORT.jsonl`` in the user's data directory for a Neo4j graph — and the key beside the log."""
    if settings.audit_log:
        log = Path(settings.audit_log)
    elif "://" in settings.graph:  # one log per server too: two hubs on two Neo4j servers must not share a chain
        server = re.sub(r"[^A-Za-z0-9.-]+", "_", settings.graph.split("://", 1)[1]).strip("_")
        log = beside_store(settings.graph)[0].with_name(f"audit-{server}.jsonl")
    else:
        log = Path(f"{Path(settings.graph).expanduser().resolve()}.audit.jsonl")
    key = Path(settings.pseudonym_key_file) if settings.pseudonym_key_file else log.parent / "pseudonym.key"
    return log, key


def open_audit(settings: Settings, *, shared: bool = False) -> AuditLog:
    """The audit log of these settings; ``shared``: one of several processes appending to it (see
    :class:`~hub.services.audit.AuditLog`)."""
    log, key = audit_paths(settings)
    forwarder = SyslogForwarder(settings.audit_syslog) if settings.audit_syslog else None
    return AuditLog(log, Pseudonyms.from_file(key), forwarder=forwarder, shared=shared)
