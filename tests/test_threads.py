"""graph.threads.WorkerThreads: the reader threads' hand-over keeps run_in_executor's semantics."""

from __future__ import annotations

import asyncio
import threading

import pytest

from graph.threads import WorkerThreads


async def test_result_exception_and_thread():
    workers = WorkerThreads(2, "t")
    try:
        names = await asyncio.gather(*(workers.run(lambda: threading.current_thread().name) for _ in range(20)))
        assert set(names) <= {"t-0", "t-1"} and threading.current_thread().name not in names
        with pytest.raises(ZeroDivisionError):
            await workers.run(lambda: 1 / 0)
        assert await workers.run(lambda: 42) == 42  # a failed call does not stop the thread
    finally:
        workers.shutdown()


async def test_a_cancelled_call_that_waits_in_the_queue_is_skipped_and_a_running_one_finishes():
    workers = WorkerThreads(1, "t")
    started, release = threading.Event(), threading.Event()
    ran: list[str] = []

    def blocking() -> str:
        started.set()
        release.wait(5)
        ran.append("blocking")
        return "done"

    try:
        first = asyncio.ensure_future(workers.run(blocking))
        await asyncio.to_thread(started.wait, 5)
        queued = asyncio.ensure_future(workers.run(lambda: ran.append("queued")))
        await asyncio.sleep(0)
        first.cancel()
        queued.cancel()
        release.set()
        assert await workers.run(lambda: "after") == "after"
        assert ran == ["blocking"]  # the running call finished, the queued one never ran
        assert first.cancelled() and queued.cancelled()
    finally:
        workers.shutdown()


def test_shutdown_finishes_the_calls_already_given():
    async def main() -> list[int]:
        workers = WorkerThreads(1, "t")
        done: list[int] = []
        futures = [asyncio.ensure_future(workers.run(lambda k=k: done.append(k))) for k in range(5)]
        await asyncio.sleep(0)
        await asyncio.gather(*futures)
        workers.shutdown()
        assert not any(t.is_alive() for t in workers._threads)
        with pytest.raises(RuntimeError, match="after shutdown"):  # refused at once, never a hang
            await asyncio.wait_for(workers.run(lambda: None), 1)
        return done

    assert asyncio.run(main()) == [0, 1, 2, 3, 4]
