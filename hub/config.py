"""Settings of one hub process, from command-line options and the environment.

Precedence: explicit option > environment variable (``HUB_*``) > default.  The default graph is the
embedded store under the user's data directory, so a fresh machine needs no server (CONTRACT.md).

The GraphQL endpoint's limits live here too; each refusal names the setting and its variable, so an
operator reading an error knows what to change (the table is in :mod:`hub.limits`).
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Optional

from platformdirs import user_data_dir

from graph.store import MAX_SKIP

Mode = Literal["development", "production"]
MODES: tuple[Mode, ...] = ("development", "production")


def default_graph() -> str:
    return str(Path(user_data_dir("huren-hub", appauthor=False)) / "graph.lbug")


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    try:
        return int(raw) if raw else default
    except ValueError:
        raise ValueError(f"{name}={raw!r}: expected a whole number") from None


def _env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    try:
        return float(raw) if raw else default
    except ValueError:
        raise ValueError(f"{name}={raw!r}: expected a number") from None


def _env_bool(name: str) -> Optional[bool]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return None
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{name}={raw!r}: expected true/false")


def _env_list(name: str) -> list[str]:
    raw = os.environ.get(name) or ""
    return [x.strip() for x in raw.split(",") if x.strip()]


def is_loopback(host: str) -> bool:
    if host in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass
class Settings:
    graph: str = field(default_factory=lambda: os.environ.get("HUB_GRAPH") or default_graph())
    platforms: str | None = field(default_factory=lambda: os.environ.get("HUB_PLATFORMS") or None)
    host: str = field(default_factory=lambda: os.environ.get("HUB_HOST", "127.0.0.1"))
    port: int = field(default_factory=lambda: _env_int("HUB_PORT", 8000))
    #: largest `recognizabilities` batch; the contract asks for at least 500
    max_batch: int = field(default_factory=lambda: _env_int("HUB_MAX_BATCH", 1000))

    # --- the GraphQL endpoint -------------------------------------------------------------------------
    #: ``development`` (introspection + GraphiQL on) or ``production`` (both off unless enabled);
    #: None = development when bound to a loopback address, production otherwise
    mode: Optional[str] = field(default_factory=lambda: os.environ.get("HUB_MODE") or None)
    #: None = follow the mode
    introspection: Optional[bool] = field(default_factory=lambda: _env_bool("HUB_INTROSPECTION"))
    graphiql: Optional[bool] = field(default_factory=lambda: _env_bool("HUB_GRAPHIQL"))
    #: levels of selection below the root field (introspection not counted); the deepest useful query,
    #: priorStudies → studies → recognition → reasons → code, is 4
    max_depth: int = field(default_factory=lambda: _env_int("HUB_MAX_DEPTH", 10))
    #: aliased fields per document
    max_aliases: int = field(default_factory=lambda: _env_int("HUB_MAX_ALIASES", 30))
    #: field selections per document with every fragment spread inlined (hub.document_cost); GraphiQL's
    #: introspection query is ~230
    max_fields: int = field(default_factory=lambda: _env_int("HUB_MAX_FIELDS", 500))
    #: rows one page of a browse list may ask for (``first``)
    max_page: int = field(default_factory=lambda: _env_int("HUB_MAX_PAGE", 500))
    #: rows a browse list may skip (``offset``); at most graph.store.MAX_SKIP, which both stores enforce
    max_offset: int = field(default_factory=lambda: _env_int("HUB_MAX_OFFSET", 10000))
    #: lexical tokens per document; a batch of 1,000 studies written inline (not as variables) is ~11k
    max_tokens: int = field(default_factory=lambda: _env_int("HUB_MAX_TOKENS", 20000))
    #: bytes of one HTTP request body
    max_body_bytes: int = field(default_factory=lambda: _env_int("HUB_MAX_BODY_BYTES", 1 << 20))
    #: seconds one operation may execute
    timeout_s: float = field(default_factory=lambda: _env_float("HUB_TIMEOUT_S", 30.0))
    #: trusted-documents file (persisted queries by sha256); when set, only those documents run
    trusted_documents: Optional[str] = field(default_factory=lambda: os.environ.get("HUB_TRUSTED_DOCUMENTS") or None)
    #: origins allowed by CORS (``*`` for any); empty = no CORS headers (same-origin only)
    cors_origins: list[str] = field(default_factory=lambda: _env_list("HUB_CORS_ORIGINS"))
    #: hide the messages of unexpected (non-GraphQL) errors behind an error id (the log has the traceback)
    mask_errors: bool = field(default_factory=lambda: _env_bool("HUB_MASK_ERRORS") is not False)

    @classmethod
    def from_options(cls, **options: object) -> "Settings":
        s = cls()
        for key, value in options.items():
            if value is not None:
                setattr(s, key, value)
        s.check()
        return s

    def check(self) -> None:
        if self.mode is not None and self.mode not in MODES:
            raise ValueError(f"mode {self.mode!r}: expected one of {', '.join(MODES)} (--mode / HUB_MODE)")
        for name in ("max_depth", "max_aliases", "max_fields", "max_tokens", "max_body_bytes", "max_batch", "max_page"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be ≥ 1 (HUB_{name.upper()})")
        if not 0 <= self.max_offset <= MAX_SKIP:
            raise ValueError(f"max_offset must be 0-{MAX_SKIP} (HUB_MAX_OFFSET): the embedded store cannot skip more")
        if self.timeout_s <= 0:
            raise ValueError("timeout_s must be > 0 (HUB_TIMEOUT_S)")
        if not 0 <= self.port <= 65535:  # uvicorn would announce the port, fail to bind it and exit silently
            raise ValueError(f"port {self.port}: expected 0-65535 (--port / HUB_PORT)")

    @property
    def effective_mode(self) -> Mode:
        if self.mode in MODES:
            return self.mode  # type: ignore[return-value]
        return "development" if is_loopback(self.host) else "production"

    @property
    def introspection_enabled(self) -> bool:
        return self.introspection if self.introspection is not None else self.effective_mode == "development"

    @property
    def graphiql_enabled(self) -> bool:
        return self.graphiql if self.graphiql is not None else self.effective_mode == "development"
