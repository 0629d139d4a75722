"""Worker threads for blocking calls awaited from the event loop, with the shortest hand-over we measured.

Why not ``loop.run_in_executor(ThreadPoolExecutor)``: every read of the embedded store crosses to a
reader thread and back, and that crossing was a measurable part of a single check.  Of the no-op round
trips measured on uvloop — ``run_in_executor``, ``anyio.to_thread.run_sync``, and one ``queue.SimpleQueue``
with the result handed back by ``loop.call_soon_threadsafe`` — the last is by far the shortest (figures in
docs/BENCHMARKS.md, "Store reads"): the executor wraps each call in a ``concurrent.futures.Future``,
chains it to an asyncio future and takes locks on both sides.  This module is that last design and
nothing more: a fixed set of threads reading one queue.

Semantics kept from ``run_in_executor``: the call's exception is raised in the awaiting task; a call
whose awaiting task was cancelled before a thread took it is skipped; a call already running finishes
(a database call cannot be interrupted half-way) and its result is dropped.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

_Job = tuple[asyncio.AbstractEventLoop, "asyncio.Future[Any]", Callable[[], Any]]


def _deliver(future: "asyncio.Future[Any]", result: Any, error: BaseException | None) -> None:
    """On the loop: hand the outcome to the awaiting task (unless it stopped waiting)."""
    if future.cancelled():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


class WorkerThreads:
    """``count`` daemon threads running the calls given to :meth:`run`, in the order given."""

    def __init__(self, count: int, name: str) -> None:
        self._jobs: "queue.SimpleQueue[_Job | None]" = queue.SimpleQueue()
        self._closed = False
        #: makes "not shut down, so queue the call" one step: a call queued after the stop signals would
        #: wait for ever
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._work, name=f"{name}-{k}", daemon=True) for k in range(count)]
        for thread in self._threads:
            thread.start()

    async def run(self, call: Callable[[], T]) -> T:
        """``call()`` on one of the threads; its result, or its exception raised here.  After
        :meth:`shutdown` it raises at once (as an executor does) instead of waiting for no thread."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        with self._lock:
            if self._closed:
                raise RuntimeError("cannot run a call after shutdown")
            self._jobs.put((loop, future, call))
        return await future

    def _work(self) -> None:
        while (job := self._jobs.get()) is not None:
            loop, future, call = job
            if future.cancelled():  # the caller gave up before this thread took the call
                continue
            result: Any = None
            error: BaseException | None = None
            try:
                result = call()
            except BaseException as exc:  # noqa: BLE001 - delivered to the awaiting task
                error = exc
            try:
                loop.call_soon_threadsafe(_deliver, future, result, error)
            except RuntimeError:  # the loop was closed meanwhile: nobody is waiting
                pass
            del job, future, call, result, error

    def shutdown(self) -> None:
        """Finish the calls already given, then stop every thread."""
        with self._lock:
            self._closed = True
            for _ in self._threads:
                self._jobs.put(None)
        for thread in self._threads:
            thread.join()
