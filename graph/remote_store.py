"""The graph store port across processes: one process owns the embedded store, others use it through a
Unix socket.  What ``hub serve --workers N`` runs on the embedded store (hub/web/workers.py).

Why a store process rather than a read-only opening in every worker (measured with ladybug 0.22.0 on a
40k store; docs/BENCHMARKS.md, "Workers"): several processes *can* open the file read-only at once
(~60 ms each), and LadybugDB does not stop a read-write opener beside them — but each read-only opening
is a snapshot as of its open (after a write by the read-write process the readers still counted 40,000
institutions, not 40,001), and LadybugDB's documentation (docs.ladybugdb.com/concurrency) says a
read-write ``Database`` beside read-only ones is not safe: their buffer managers cache pages the writer
changes, which can read inconsistent data or crash (LadybugDB issues #642, #666, #766 are such crashes
and wrong reads).  The documented shapes are one read-write process, or only read-only ones.  The hub
writes while it serves (``hub load`` through the server, reminders and decisions on every workflow
request), so "only read-only ones" would mean closing every worker's opening for every write (~120 ms
at 40k, each time).  The documented pattern for "several processes read and write" is one process that
embeds the store and serves the others: this module.  Every worker therefore reads the same committed
state, sees a load as soon as it returns, and writes go through the one writer exactly as in a single
process (:class:`graph.ladybug_store.LadybugStore`'s write lock).

The wire: each frame is a 4-byte big-endian length and a pickle of ``(id, op, args)`` one way and
``(id, ok, value)`` the other; the owner answers a connection's requests in order, one at a time
(:class:`StoreService`), and a worker spreads its calls over a few connections.  pickle because the rows hold ``datetime.date`` and a bulk
load a ``pyarrow.Table``, and both ends are this program: the socket lives in a directory only the
hub's user can enter (0700), so no one else can send a frame.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import pickle
import socket
import struct
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import graph.store as store_module
from graph.statements import Backend
from graph.store import GraphStore, Params, Row, StoreError

_HEADER = struct.Struct(">I")
#: the largest frame accepted (a bulk load of a few million rows is well below)
MAX_FRAME = 1 << 31


def _frame(obj: Any) -> bytes:
    payload = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    return _HEADER.pack(len(payload)) + payload


class _Frames:
    """Splits a byte stream into frames (shared by both ends)."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[Any]:
        self._buffer += data
        out = []
        while len(self._buffer) >= 4:
            (size,) = _HEADER.unpack_from(self._buffer)
            if size > MAX_FRAME:
                raise ValueError(f"frame of {size} bytes")
            if len(self._buffer) < 4 + size:
                break
            out.append(pickle.loads(bytes(self._buffer[4:4 + size])))
            del self._buffer[:4 + size]
        return out


# -- the owner's side --------------------------------------------------------------------------------------


def _recv_exact(conn: socket.socket, size: int) -> bytes | None:
    """``size`` bytes from ``conn``; None when the peer closed the connection."""
    chunks, left = [], size
    while left:
        chunk = conn.recv(min(left, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


class StoreService:
    """Serves ``store`` on the Unix socket ``path`` with one thread per connection.

    Why threads rather than the event loop: a read arriving on the loop would hop to a reader thread and
    back before its answer could be sent — two hand-overs on top of the socket's — while a thread that
    owns its connection reads the frame, runs the statement on its own LadybugDB connection
    (:meth:`graph.ladybug_store.LadybugStore.read_here`; the engine releases the GIL while it executes)
    and sends the rows.  Concurrency is one statement per connection at a time, so a worker opens
    :data:`CONNECTIONS` of them.  Writes and bulk loads are handed to the store's event loop, where its
    single writer serialises them exactly as in one process."""

    def __init__(self, store: GraphStore, path: Path, loop: asyncio.AbstractEventLoop) -> None:
        self.store = store
        self.loop = loop
        self._read_here = getattr(store, "read_here", None)
        self._listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._listener.bind(str(path))
        os.chmod(path, 0o600)
        self._listener.listen(64)
        self._lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        self._threads: list[threading.Thread] = []
        self._closed = False
        self._accepting = threading.Thread(target=self._accept, name="store-accept", daemon=True)
        self._accepting.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return  # closed
            with self._lock:
                if self._closed:
                    conn.close()
                    return
                self._connections.add(conn)
                thread = threading.Thread(target=self._serve, args=(conn,), name="store-conn", daemon=True)
                self._threads.append(thread)
            thread.start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            while True:
                header = _recv_exact(conn, 4)
                if header is None:
                    return
                (size,) = _HEADER.unpack(header)
                if size > MAX_FRAME:
                    return
                payload = _recv_exact(conn, size)
                if payload is None:
                    return
                request_id, op, args = pickle.loads(payload)
                conn.sendall(_frame(self._answer(request_id, op, args)))
        except OSError:
            return
        finally:
            with self._lock:
                self._connections.discard(conn)
            conn.close()

    def _answer(self, request_id: int, op: str, args: tuple[Any, ...]) -> tuple[int, bool, Any]:
        try:
            if op == "read" and self._read_here is not None:
                value: Any = self._read_here(*args)
            elif op in ("read", "write", "bulk_load"):
                value = asyncio.run_coroutine_threadsafe(getattr(self.store, op)(*args), self.loop).result()
            else:
                raise StoreError(f"unknown store operation {op!r}")
            return (request_id, True, value)
        except StoreError as e:
            return (request_id, False, (type(e).__name__, str(e)))
        except Exception as e:  # noqa: BLE001 — the worker gets a message, the owner keeps serving
            return (request_id, False, ("StoreError", f"{op}: {type(e).__name__}: {e}"))

    def close(self, timeout: float = 10.0) -> None:
        """Stop accepting, close every connection and wait (up to ``timeout``) for statements running on
        them to finish — before the store itself may be closed."""
        with self._lock:
            self._closed = True
            connections = list(self._connections)
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes accept()
        self._listener.close()
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        deadline = time.monotonic() + timeout
        for thread in [self._accepting, *self._threads]:
            thread.join(max(0.0, deadline - time.monotonic()))


def serve_store(store: GraphStore, path: Path) -> StoreService:
    """Serve ``store`` on the Unix socket ``path`` (its directory must be private to this user); call from
    the store's event loop."""
    return StoreService(store, path, asyncio.get_running_loop())


# -- the workers' side -------------------------------------------------------------------------------------


class _ClientProtocol(asyncio.Protocol):
    def __init__(self) -> None:
        self.frames = _Frames()
        self.pending: dict[int, asyncio.Future[Any]] = {}
        self.transport: asyncio.Transport | None = None
        self.lost: str | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        for request_id, ok, value in self.frames.feed(data):
            future = self.pending.pop(request_id, None)
            if future is None or future.done():
                continue
            if ok:
                future.set_result(value)
            else:
                kind, message = value
                error = getattr(store_module, kind, StoreError)
                if not (isinstance(error, type) and issubclass(error, StoreError)):
                    error = StoreError
                future.set_exception(error(message))

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = "the store process closed the connection" + (f" ({exc})" if exc else "")
        self.transport = None
        for future in self.pending.values():
            if not future.done():
                future.set_exception(StoreError(self.lost))
        self.pending.clear()


#: connections a worker opens to the store process: statements run concurrently up to this many
CONNECTIONS = 2


class RemoteStore:
    """The store port served by another process (:func:`serve_store`): the same calls, the same rows,
    the same :class:`~graph.store.StoreError` messages.  Each call goes out on the connection with the
    fewest calls waiting."""

    def __init__(self, protocols: list[_ClientProtocol], socket_path: Path, backend: Backend, target: str) -> None:
        self._protocols = protocols
        self._ids = itertools.count(1)
        self.socket_path = socket_path
        self.backend = backend
        self.target = target
        self.calls = 0

    @classmethod
    async def connect(cls, socket_path: Path, backend: Backend, target: str,
                      connections: int = CONNECTIONS) -> "RemoteStore":
        loop = asyncio.get_running_loop()
        protocols = []
        try:
            for _ in range(connections):
                protocols.append((await loop.create_unix_connection(_ClientProtocol, str(socket_path)))[1])
        except OSError as e:
            for protocol in protocols:
                if protocol.transport is not None:
                    protocol.transport.close()
            raise StoreError(f"cannot reach the store process at {socket_path}: {e.strerror or e}") from None
        return cls(protocols, socket_path, backend, target)

    async def _call(self, op: str, *args: Any) -> Any:
        protocol = min(self._protocols, key=lambda p: len(p.pending) if p.transport is not None else 1 << 30)
        if protocol.transport is None:
            raise StoreError(protocol.lost or f"the graph store {self.target} is closed")
        request_id = next(self._ids)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        protocol.pending[request_id] = future
        protocol.transport.write(_frame((request_id, op, args)))
        try:
            return await future
        finally:
            protocol.pending.pop(request_id, None)

    async def read(self, name: str, params: Params | None = None) -> list[Row]:
        self.calls += 1
        if store_module.skip_op(params):
            return []
        return await self._call("read", name, dict(params) if params is not None else None)

    async def write(self, ops: Sequence[tuple[str, Params]]) -> None:
        self.calls += 1
        await self._call("write", [(name, dict(params) if params is not None else None) for name, params in ops])

    async def bulk_load(self, table: str, rows: Any) -> int:
        self.calls += 1
        return int(await self._call("bulk_load", table, rows))

    async def close(self) -> None:
        for protocol in self._protocols:
            if protocol.transport is not None:
                protocol.transport.close()
                protocol.transport = None
                protocol.lost = f"the graph store {self.target} is closed"

    def __repr__(self) -> str:
        return f"RemoteStore({self.target!r} via {self.socket_path})"
