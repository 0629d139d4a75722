"""The in-process hub for the GraphQL tests: the ASGI app under uvicorn on a real socket; copies of the demo store.

``hub serve`` in a subprocess, and the HTTP client both use, are tests/support/hubproc.py's HubServer and Http.
Each server gets its own copy of one demo store (an embedded store is held by one process at a time).
"""

from __future__ import annotations

import asyncio
import shutil
import threading
from pathlib import Path
from typing import Any

from tests.support.hubproc import ROOT, Http, free_port, wait_http

GATEWAY_TOOLS = ROOT / "tools" / "gateway"
DEMO = ROOT / "seeds/demo/demo.yaml"


def copy_graph(source: Path, dest_dir: Path) -> Path:
    dest_dir.mkdir(parents=True, exist_ok=True)
    dest = dest_dir / source.name
    shutil.copyfile(source, dest)
    wal = source.with_name(source.name + ".wal")
    if wal.exists():
        shutil.copyfile(wal, dest.with_name(dest.name + ".wal"))
    return dest


def demo_target(backend: str, datasets: Any, demo_graph: Path, tmp: Path) -> str:
    """A ``--graph`` holding the demo dataset for one more server: a private copy of the demo store, or the
    Neo4j server holding it (claimed for the caller's test; any number of servers may share it)."""
    if backend == "ladybug":
        return str(copy_graph(demo_graph, tmp))
    return datasets.target("neo4j", "demo", [DEMO])


class InProcessHub(Http):
    """The hub's ASGI app under uvicorn in a thread of this process, on a real socket.

    ``wrap_store`` replaces the runtime's store (to count reads or inject a fault) before serving.
    """

    def __init__(self, settings: Any, wrap_store: Any = None) -> None:
        import uvicorn

        from hub.web.app import create_app
        from hub.runtime import Runtime

        self.port = free_port()
        settings.port = self.port
        self.ready = threading.Event()
        self.error: BaseException | None = None
        self.server: uvicorn.Server | None = None

        async def main() -> None:
            runtime = await Runtime.start(settings)
            if wrap_store is not None:
                runtime.store = wrap_store(runtime.store)
            config = uvicorn.Config(create_app(settings, runtime), host="127.0.0.1", port=self.port,
                                    log_level="warning", lifespan="on", access_log=False)
            self.server = uvicorn.Server(config)
            try:
                await self.server.serve()
            finally:
                await runtime.close()

        def run() -> None:
            try:
                asyncio.run(main())
            except BaseException as e:  # noqa: BLE001
                self.error = e

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()
        wait_http(f"{self.url}/healthz", None, None)

    def stop(self) -> None:
        if self.server is not None:
            self.server.should_exit = True
        self.thread.join(15)
