"""Real processes for the GraphQL tests: ``hub serve``, an in-process uvicorn on a real socket, HTTP helpers.

Each server gets its own copy of one demo store (an embedded store is held by one process at a time) and
logs to a file in the test's tmp directory (never an undrained pipe).
"""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
HUB = str(Path(sys.executable).with_name("hub"))
GATEWAY_TOOLS = ROOT / "tools" / "gateway"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def copy_graph(source: Path, dest_dir: Path) -> Path:
    dest_dir.mkdir(parents=True, exist_ok=True)
    dest = dest_dir / source.name
    shutil.copyfile(source, dest)
    wal = source.with_name(source.name + ".wal")
    if wal.exists():
        shutil.copyfile(wal, dest.with_name(dest.name + ".wal"))
    return dest


def wait_http(url: str, proc: subprocess.Popen | None, log: Path | None, timeout: float = 60) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{proc.args} exited {proc.returncode}: {log.read_text() if log else ''}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} not ready in {timeout} s: {log.read_text() if log else ''}")


class Http:
    """GraphQL over a real socket with http.client (no redirects followed, any status returned)."""

    host = "127.0.0.1"
    port: int

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None,
                timeout: float = 60) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            r = conn.getresponse()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
        finally:
            conn.close()

    def post(self, payload: Any, headers: dict | None = None, path: str = "/graphql") -> tuple[int, dict]:
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        status, _, data = self.request("POST", path, body, {"Content-Type": "application/json", **(headers or {})})
        return status, json.loads(data)

    def gql(self, query: str, variables: dict | None = None, **extra: Any) -> dict:
        status, out = self.post({"query": query, "variables": variables or {}, **extra})
        assert status == 200, (status, out)
        return out


class HubProcess(Http):
    """``hub serve`` in a subprocess on a free loopback port."""

    def __init__(self, graph: Path, *args: str, env: dict | None = None, log: Path | None = None) -> None:
        self.port = free_port()
        self.log = log or graph.with_suffix(f".{self.port}.log")
        self._log_file = open(self.log, "w")
        environ = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
        self.proc = subprocess.Popen(
            [HUB, "serve", "--graph", str(graph), "--port", str(self.port), *args],
            cwd=ROOT, stdout=self._log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env={**environ, **(env or {})},
        )
        try:
            wait_http(f"{self.url}/healthz", self.proc, self.log)
        except Exception:
            self.stop()
            raise

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log_file.close()


class InProcessHub(Http):
    """The hub's ASGI app under uvicorn in a thread of this process, on a real socket.

    ``wrap_store`` replaces the runtime's store (to count reads or inject a fault) before serving.
    """

    def __init__(self, settings: Any, wrap_store: Any = None) -> None:
        import uvicorn

        from hub.app import create_app
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
