"""Settings of one hub process, from command-line options and the environment.

Precedence: explicit option > environment variable > default.  The default graph is the embedded store
under the user's data directory, so a fresh machine needs no server (CONTRACT.md).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from platformdirs import user_data_dir


def default_graph() -> str:
    return str(Path(user_data_dir("huren-hub", appauthor=False)) / "graph.lbug")


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw else default


@dataclass
class Settings:
    graph: str = field(default_factory=lambda: os.environ.get("HUB_GRAPH") or default_graph())
    platforms: str | None = field(default_factory=lambda: os.environ.get("HUB_PLATFORMS") or None)
    host: str = field(default_factory=lambda: os.environ.get("HUB_HOST", "127.0.0.1"))
    port: int = field(default_factory=lambda: _env_int("HUB_PORT", 8000))
    #: largest `recognizabilities` batch; the contract asks for at least 500
    max_batch: int = field(default_factory=lambda: _env_int("HUB_MAX_BATCH", 1000))

    @classmethod
    def from_options(cls, **options: object) -> "Settings":
        s = cls()
        for key, value in options.items():
            if value is not None:
                setattr(s, key, value)
        return s
