"""Start a real ``hub serve`` in a subprocess on a free loopback port, and talk GraphQL to it.

Acceptance tests go through the same console script and HTTP stack a portal uses.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HUB = str(Path(sys.executable).with_name("hub"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def hub_cli(*args: str, env: dict | None = None, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run([HUB, *args], cwd=ROOT, capture_output=True, text=True, env={**os.environ, **(env or {})},
                          check=check, timeout=600)


class HubServer:
    def __init__(self, graph: Path, *extra: str, env: dict | None = None) -> None:
        self.graph = graph
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # the server's log goes to a file beside the store: a pipe nobody reads fills up and blocks it
        self.log = Path(f"{graph}.serve.log")
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [HUB, "serve", "--graph", str(graph), "--port", str(self.port), *extra],
                cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})},
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"hub serve exited: {self.log.read_text(errors='replace')[-3000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=1) as r:
                    if json.load(r).get("ok"):
                        return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("hub serve did not become ready in 60 s")

    def query(self, query: str, variables: dict | None = None, timeout: float = 60) -> dict:
        body = json.dumps({"query": query, "variables": variables or {}}).encode()
        req = urllib.request.Request(f"{self.url}/graphql", body, {"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=timeout) as r:
            assert r.status == 200, r.status
            return json.load(r)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
