"""Start a real ``hub serve`` in a subprocess on a free loopback port, and talk GraphQL to it.

Acceptance tests go through the same console script and HTTP stack a portal uses.  The GraphQL tests
(tests/graphql) use the same server and client, plus the in-process hub of tests/graphql/support.py.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[2]
HUB = str(Path(sys.executable).with_name("hub"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def hub_cli(*args: str, env: dict | None = None, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run([HUB, *args], cwd=ROOT, capture_output=True, text=True, env={**os.environ, **(env or {})},
                          check=check, timeout=600)


def terminate(proc: subprocess.Popen, *, group: bool = False, grace: float = 15) -> None:
    """SIGTERM, and SIGKILL when `proc` has not exited `grace` seconds later; with `group`, to its whole process
    group (a process started with ``start_new_session=True``, and what it started)."""
    if proc.poll() is None:
        send = (lambda sig: os.killpg(proc.pid, sig)) if group else proc.send_signal
        send(signal.SIGTERM)
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            send(signal.SIGKILL)
            proc.wait()


def _log_tail(log: Path | None) -> str:
    return log.read_text(errors="replace")[-3000:] if log else ""


def wait_http(url: str, proc: subprocess.Popen | None, log: Path | None, timeout: float = 60,
              ready: Callable[[bytes], Any] = lambda body: True) -> None:
    """Until GET `url` answers 2xx with a body `ready` accepts; an error (with the end of `log`) when `proc`
    exits first or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{proc.args} exited {proc.returncode}: {_log_tail(log)}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if ready(r.read()):
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} not ready in {timeout} s: {_log_tail(log)}")


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

    def post(self, payload: Any, headers: dict | None = None, path: str = "/graphql",
             timeout: float = 60) -> tuple[int, dict]:
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        status, _, data = self.request("POST", path, body, {"Content-Type": "application/json", **(headers or {})},
                                       timeout=timeout)
        return status, json.loads(data)

    def gql(self, query: str, variables: dict | None = None, *, timeout: float = 60, **extra: Any) -> dict:
        status, out = self.post({"query": query, "variables": variables or {}, **extra}, timeout=timeout)
        assert status == 200, (status, out)
        return out

    query = gql


class HubServer(Http):
    """``hub serve --graph GRAPH --port <free port> *extra``, logging to `log` (default GRAPH.serve.log beside
    an embedded store; a new temporary file for a Neo4j URL, which has no directory beside it).

    `env` is added to this process's environment; with ``hub_env=False`` the server does not inherit this
    process's ``HUB_*`` variables (its settings are then only the defaults, `extra` and `env`).
    """

    def __init__(self, graph: Path | str, *extra: str, env: dict | None = None, hub_env: bool = True,
                 log: Path | None = None) -> None:
        self.graph = graph
        self.port = free_port()
        # the server's log goes to a file: a pipe nobody reads fills up and blocks it
        env = dict(env or {})
        if "://" in str(graph):
            if log is None:
                fd, name = tempfile.mkstemp(prefix="hub-serve-", suffix=".log")
                os.close(fd)
                log = Path(name)
            # a Neo4j-backed hub keeps its audit log in the user's data directory, which one process holds
            # at a time: each test server gets its own, beside its log
            if "--audit-log" not in extra:
                env.setdefault("HUB_AUDIT_LOG", str(log.with_suffix(".audit.jsonl")))
        self.log = log or Path(f"{graph}.serve.log")
        environ = os.environ if hub_env else {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [HUB, "serve", "--graph", str(graph), "--port", str(self.port), *extra],
                cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                env={**environ, **(env or {})},
            )
        try:
            wait_http(f"{self.url}/healthz", self.proc, self.log, ready=lambda body: json.loads(body).get("ok"))
        except Exception:
            self.stop()
            raise

    def stop(self) -> None:
        terminate(self.proc)
