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
``(id, ok, value)`` the other; requests on one connection are answered out of order (a worker's reads run
concurrently on the owner's reader threads).  pickle because the rows hold ``datetime.date`` and a bulk
load a ``pyarrow.Table``, and both ends are this program: the socket lives in a directory only the
hub's user can enter (0700), so no one else can send a frame.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import pickle
import struct
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


class _ServerProtocol(asyncio.Protocol):
    def __init__(self, store: GraphStore) -> None:
        self.store = store
        self.frames = _Frames()
        self.transport: asyncio.Transport | None = None
        self.tasks: set[asyncio.Task[None]] = set()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        try:
            requests = self.frames.feed(data)
        except Exception:  # noqa: BLE001 — a peer that speaks something else is dropped
            if self.transport is not None:
                self.transport.close()
            return
        for request in requests:
            task = asyncio.ensure_future(self._answer(*request))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)

    async def _answer(self, request_id: int, op: str, args: tuple[Any, ...]) -> None:
        try:
            if op == "read":
                value: Any = await self.store.read(*args)
            elif op == "write":
                value = await self.store.write(*args)
            elif op == "bulk_load":
                value = await self.store.bulk_load(*args)
            else:
                raise StoreError(f"unknown store operation {op!r}")
            reply = (request_id, True, value)
        except StoreError as e:
            reply = (request_id, False, (type(e).__name__, str(e)))
        except Exception as e:  # noqa: BLE001 — the worker gets a message, the owner keeps serving
            reply = (request_id, False, ("StoreError", f"{op}: {type(e).__name__}: {e}"))
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(_frame(reply))

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None


async def serve_store(store: GraphStore, path: Path) -> asyncio.AbstractServer:
    """Serve ``store`` on the Unix socket ``path`` (its directory must be private to this user)."""
    loop = asyncio.get_running_loop()
    server = await loop.create_unix_server(lambda: _ServerProtocol(store), str(path))
    os.chmod(path, 0o600)
    return server


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


class RemoteStore:
    """The store port served by another process (:func:`serve_store`): the same calls, the same rows,
    the same :class:`~graph.store.StoreError` messages."""

    def __init__(self, protocol: _ClientProtocol, socket_path: Path, backend: Backend, target: str) -> None:
        self._protocol = protocol
        self._ids = itertools.count(1)
        self.socket_path = socket_path
        self.backend = backend
        self.target = target
        self.calls = 0

    @classmethod
    async def connect(cls, socket_path: Path, backend: Backend, target: str) -> "RemoteStore":
        loop = asyncio.get_running_loop()
        try:
            _, protocol = await loop.create_unix_connection(_ClientProtocol, str(socket_path))
        except OSError as e:
            raise StoreError(f"cannot reach the store process at {socket_path}: {e.strerror or e}") from None
        return cls(protocol, socket_path, backend, target)

    async def _call(self, op: str, *args: Any) -> Any:
        protocol = self._protocol
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
        transport = self._protocol.transport
        if transport is not None:
            transport.close()
            self._protocol.transport = None
            self._protocol.lost = f"the graph store {self.target} is closed"

    def __repr__(self) -> str:
        return f"RemoteStore({self.target!r} via {self.socket_path})"
