"""``hub serve --workers N``: N server processes on one port, so that every core answers requests.

One request's work is Python under the GIL (GraphQL, the engine, Starlette, uvicorn): one process uses
one core however many requests wait.  So the supervisor (the ``hub serve`` process) starts N worker
processes (``multiprocessing`` *spawn*: a fresh interpreter each, no forked threads or store handles),
each running the same app as ``hub serve`` alone on a socket of its own bound to the same port with
``SO_REUSEPORT``, so that the kernel spreads new connections over the workers.  Why not one listening
socket shared by all: a worker woken by new connections accepts every one that is waiting, and wrk's 8
kept-alive connections landed all on one worker in 2 rounds of 5 (docs/BENCHMARKS.md, "Workers"); with
a socket each, a worker gets connections only once it listens, that is once it is ready.  The supervisor
keeps the port reserved (bound, not listening: the kernel sends it no connection), so ``--port 0`` picks
one port for all of them.

**The store.**
* Embedded (LadybugDB): the supervisor opens the store read-write, seeds it, and serves it to the
  workers over a Unix socket (:mod:`graph.remote_store`; why not a read-only opening per worker: the
  measurements and LadybugDB's documented rule are in that module).  All workers therefore read the same
  committed state, a load is visible on every worker as soon as it returns, and writes (loads, reminders,
  decisions) go through the one writer as in a single process.  The supervisor announces itself beside
  the store as a single server does, so ``hub load`` hands its files to a worker, which loads them
  through the store process.
* Neo4j: the supervisor seeds once, then each worker opens its own driver (stateless workers).

**The audit log** is one hash-chained file that the workers append to in turn
(:class:`hub.services.audit.AuditLog` with ``shared=True``).  **Metrics**: prometheus_client's
multiprocess mode (``PROMETHEUS_MULTIPROC_DIR``, a private directory of this run), so ``/metrics`` on any
worker reports the counters and histograms summed over all workers (hub.web.metrics_exposition).

**Rate limits** (``--rate-limit``, ``--institution-rate-limit``) are counted by each worker in its own
memory (hub.web.guard): a caller whose connections reach several workers gets up to N times the limit.
Kept so rather than divided by N, which would hold a caller on one kept-alive connection to a share of its
limit; a limit shared across workers needs a shared counter (not built yet).

**Lifecycle.**  SIGTERM or SIGINT to the supervisor stops every worker (uvicorn's graceful shutdown,
then SIGKILL after :data:`GRACE_S`), closes the store and exits 0.  A worker that exits on its own (a
crash) is restarted, at most :data:`RESTARTS` times in :data:`RESTART_WINDOW_S` seconds; beyond that the
supervisor stops the others and exits 1, so a worker that cannot start (or keeps dying) surfaces to the
service manager instead of a server silently serving on fewer cores.  Workers die with the supervisor
(``PR_SET_PDEATHSIG``), so a killed supervisor leaves no orphan holding the port.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import multiprocessing
import os
import secrets
import shutil
import signal
import socket
import sys
import tempfile
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hub.config import Settings

log = logging.getLogger("hub.workers")

#: seconds a worker gets to finish its requests after SIGTERM before it is killed
GRACE_S = 15.0
#: restarts of crashed workers allowed within RESTART_WINDOW_S before the server gives up (exit 1)
RESTARTS = 3
RESTART_WINDOW_S = 60.0
METRICS_ENV = "PROMETHEUS_MULTIPROC_DIR"


@dataclass(frozen=True)
class WorkerSpec:
    """What a worker process needs, handed over at spawn (pickled)."""

    settings: Settings
    index: int
    host: str
    port: int
    store_socket: str | None  # the store process's Unix socket (embedded store); None on Neo4j
    load_token: str | None
    supervisor: int


def bind(host: str, port: int, *, listen: bool) -> socket.socket:
    """A socket on (``host``, ``port``) in the port's ``SO_REUSEPORT`` group: listening (a worker's), or
    only reserving the port (the supervisor's: bound, never listening, so the kernel sends it nothing)."""
    host = host.strip("[]")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
        if listen:
            sock.listen(2048)
    except OSError:
        sock.close()
        raise
    return sock


async def prepare_store(settings: Settings, runtime_dir: Path) -> tuple[Any, Any, Path | None]:
    """Open and seed the store once, before any worker starts.  Embedded: keep it open and serve it on a
    Unix socket in ``runtime_dir`` (returns the store, the socket server and the socket's path).  Neo4j:
    close it again (each worker opens its own driver)."""
    from graph.items import Items
    from graph.remote_store import serve_store
    from graph.seeding import ensure_seeded
    from graph.store import is_neo4j_target, open_store

    store = await open_store(settings.graph, seed=False)
    try:
        await ensure_seeded(store, Items.from_seeds(settings.seeds), settings.seeds)
        if is_neo4j_target(settings.graph):
            await store.close()
            return None, None, None
        path = runtime_dir / "store.sock"
        server = serve_store(store, path)
        return store, server, path
    except BaseException:
        await store.close()
        raise


def check_before_spawn(settings: Settings) -> None:
    """Refuse here, once, what every worker would refuse at its start: a bad platform file, an audit log
    held by another writer (creates the pseudonym key before the workers could race to create it)."""
    from hub.domain.regions import zone_codes
    from hub.runtime import open_audit

    if settings.platforms:
        from connectors.platforms import load_platforms

        load_platforms(settings.platforms, zones=zone_codes(settings.seeds))
    open_audit(settings, shared=True).close()


class Supervisor:
    """Starts, watches and stops the worker processes (see the module docstring)."""

    def __init__(self, settings: Settings, port: int, store_socket: Path | None, load_token: str | None) -> None:
        self.settings = settings
        self.port = port
        self.store_socket = str(store_socket) if store_socket else None
        self.load_token = load_token
        self.context = multiprocessing.get_context("spawn")
        self.workers: dict[int, Any] = {}
        self.restarts: deque[float] = deque()

    def start(self, index: int) -> None:
        spec = WorkerSpec(self.settings, index, self.settings.host, self.port, self.store_socket, self.load_token,
                          os.getpid())
        process = self.context.Process(target=worker_main, args=(spec,), name=f"hub-worker-{index}", daemon=False)
        process.start()
        self.workers[index] = process

    def crashed(self) -> list[int]:
        return [i for i, p in self.workers.items() if not p.is_alive()]

    def restart(self, index: int) -> bool:
        """Restart a worker that exited on its own; False when the restart budget is spent."""
        process = self.workers[index]
        now = time.monotonic()
        while self.restarts and now - self.restarts[0] > RESTART_WINDOW_S:
            self.restarts.popleft()
        _mark_dead(process.pid)
        if len(self.restarts) >= RESTARTS:
            log.error("worker %d (pid %s) exited with %s; %d restarts in %g s already: stopping the server",
                      index, process.pid, process.exitcode, RESTARTS, RESTART_WINDOW_S)
            return False
        self.restarts.append(now)
        log.error("worker %d (pid %s) exited with %s: restarting it", index, process.pid, process.exitcode)
        self.start(index)
        return True

    async def stop(self) -> None:
        """SIGTERM to every worker, wait up to GRACE_S, then SIGKILL what is left."""
        for process in self.workers.values():
            if process.is_alive():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + GRACE_S
        for process in self.workers.values():
            await asyncio.to_thread(process.join, max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                log.error("worker pid %s did not stop in %g s: killing it", process.pid, GRACE_S)
                process.kill()
                await asyncio.to_thread(process.join, 5)


def _mark_dead(pid: int | None) -> None:
    """prometheus_client's multiprocess files of a dead worker: its counters stay (they are totals), its
    live gauges go."""
    if pid is None or not os.environ.get(METRICS_ENV):
        return
    with contextlib.suppress(Exception):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)


async def supervise(settings: Settings, announce: Any) -> int:
    """Run the server with ``settings.workers`` workers until SIGTERM/SIGINT (0) or the restart budget is
    spent (1).  ``announce(settings, token, port)``: a context manager telling ``hub load`` where the
    server is (embedded store only).  Store, platform-file and audit-log problems are raised before any
    worker starts."""
    from graph.store import is_neo4j_target

    runtime_dir = Path(tempfile.mkdtemp(prefix="hub-serve-"))  # 0700: the store socket and metrics files
    store = store_server = None
    try:
        metrics_dir = runtime_dir / "metrics"
        metrics_dir.mkdir()
        os.environ[METRICS_ENV] = str(metrics_dir)  # inherited by the workers (spawn)
        check_before_spawn(settings)
        store, store_server, store_socket = await prepare_store(settings, runtime_dir)
        reserved = bind(settings.host, settings.port, listen=False)
        port = reserved.getsockname()[1]
        token = None if is_neo4j_target(settings.graph) else secrets.token_urlsafe(24)
        supervisor = Supervisor(settings, port, store_socket, token)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        code = 0
        with announce(settings, token, port):
            for index in range(settings.workers):
                supervisor.start(index)
            print(f"hub serve: {settings.workers} workers (pids "
                  + ", ".join(str(p.pid) for p in supervisor.workers.values()) + f") on port {port}, "
                  + ("store served by this process" if store is not None else "each with its own Neo4j driver")
                  + f" (pid {os.getpid()})", file=sys.stderr, flush=True)
            try:
                while not stop.is_set():
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), 0.5)
                    if stop.is_set():
                        break
                    if not all(supervisor.restart(i) for i in supervisor.crashed()):
                        code = 1
                        break
            finally:
                await supervisor.stop()
                reserved.close()
        return code
    finally:
        if store_server is not None:  # off the loop: a statement finishing on it may still need the loop
            await asyncio.to_thread(store_server.close)
        if store is not None:
            await store.close()
        shutil.rmtree(runtime_dir, ignore_errors=True)


# -- in a worker process -----------------------------------------------------------------------------------


def _die_with_parent() -> None:
    """Linux: SIGTERM this worker when the supervisor dies (even by SIGKILL), so no orphan keeps the port."""
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def worker_main(spec: WorkerSpec) -> None:
    """A worker: the hub's app under uvicorn on the shared socket, its store the store process's (embedded)
    or its own driver (Neo4j)."""
    _die_with_parent()
    if os.getppid() != spec.supervisor:  # the supervisor died before prctl took effect
        sys.exit(1)
    try:
        import uvloop

        loop_factory: Any = uvloop.new_event_loop
    except ImportError:
        loop_factory = None
    with asyncio.Runner(loop_factory=loop_factory) as runner:
        sys.exit(runner.run(_serve_worker(spec)))


async def _serve_worker(spec: WorkerSpec) -> int:
    import uvicorn

    from graph.remote_store import RemoteStore
    from hub.runtime import Runtime
    from hub.web.app import create_app

    settings = spec.settings
    store = None
    if spec.store_socket is not None:
        store = await RemoteStore.connect(Path(spec.store_socket), "ladybug", settings.graph)
    runtime = await Runtime.start(settings, store=store, shared_audit=True)
    runtime.load_token = spec.load_token
    try:
        config = uvicorn.Config(create_app(settings, runtime), log_level="info", lifespan="on", access_log=False)
        listener = bind(spec.host, spec.port, listen=True)  # once ready: connections only reach ready workers
        try:
            await uvicorn.Server(config).serve(sockets=[listener])
        finally:
            listener.close()
    finally:
        await runtime.close()
    return 0
