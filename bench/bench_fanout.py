"""Benchmark (not a test): does the fan-out cost the slowest platform's delay, not the sum of delays?

Three small HTTP servers on loopback answer a QIDO study search with a valid DICOM JSON list after
different delays (they run in their own thread and event loop, like separate platforms would).  The
hub's ``FanOut.search_studies`` asks all three N times; each search's latency is divided by the slowest
platform's delay.  A ratio close to 1.0 means the platforms were asked at once and the hub adds little;
~1.7 (the sum of delays / the slowest) would mean they were asked one after another.

    .venv/bin/python bench/bench_fanout.py [--reps 30] [--delays 0.1,0.25,0.5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import threading
import time
from pathlib import Path

from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from connectors.dicomweb import StudyQuery, make_session  # noqa: E402
from connectors.fanout import FanOut  # noqa: E402
from connectors.platforms import Platform  # noqa: E402


def study_list(n: int) -> bytes:
    """``n`` studies of one patient, as a QIDO-RS answer."""
    return json.dumps([{
        "0020000D": {"vr": "UI", "Value": [f"1.2.826.0.1.3680043.9.{i}"]},
        "00080020": {"vr": "DA", "Value": ["20250601"]},
        "00080061": {"vr": "CS", "Value": ["CT"]},
        "00081030": {"vr": "LO", "Value": ["头颅 CT 平扫"]},
        "00080080": {"vr": "LO", "Value": ["北京协和医院"]},
        "00100020": {"vr": "LO", "Value": ["P-1"]},
    } for i in range(n)]).encode()


class Platforms:
    """Delaying servers in a background thread with its own event loop."""

    def __init__(self, delays: list[float], studies: int = 5) -> None:
        self.delays = delays
        self.body = study_list(studies)
        self.ports: list[int] = []
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._runners: list[web.AppRunner] = []
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._start())
        self._ready.set()
        self._loop.run_forever()

    async def _start(self) -> None:
        for delay in self.delays:
            async def handle(request: web.Request, delay: float = delay) -> web.Response:
                await asyncio.sleep(delay)
                return web.Response(body=self.body, headers={"Content-Type": "application/dicom+json"})

            app = web.Application()
            app.router.add_get("/{tail:.*}", handle)
            runner = web.AppRunner(app, access_log=None)
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            self.ports.append(site._server.sockets[0].getsockname()[1])  # type: ignore[union-attr]
            self._runners.append(runner)

    def __enter__(self) -> Platforms:
        self._thread.start()
        self._ready.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        async def stop() -> None:
            for runner in self._runners:
                await runner.cleanup()

        asyncio.run_coroutine_threadsafe(stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)


async def bench(delays: list[float], reps: int) -> None:
    with Platforms(delays) as servers:
        platforms = [Platform(id=f"p{i}-{d:g}s", name=f"p{i}", region="110000", timeout_s=5.0,
                              base_url=f"http://127.0.0.1:{port}/dicom-web")
                     for i, (d, port) in enumerate(zip(delays, servers.ports, strict=True))]
        session = make_session()
        fanout = FanOut(session)
        query = StudyQuery("P-1", "CN-RESIDENT")
        slowest = max(delays)
        try:
            await fanout.search_studies(platforms, query)  # warm-up: opens the pooled connections
            ratios: list[float] = []
            for _ in range(reps):
                started = time.perf_counter()
                studies, statuses = await fanout.search_studies(platforms, query)
                elapsed = time.perf_counter() - started
                assert all(s.ok for s in statuses) and len(studies) == 5 * len(delays), statuses
                ratios.append(elapsed / slowest)
        finally:
            await session.close()
    ratios.sort()
    p95 = ratios[min(len(ratios) - 1, int(0.95 * len(ratios)))]
    print(f"platform delays: {', '.join(f'{d:g} s' for d in delays)}  (sum {sum(delays):g} s, "
          f"slowest {slowest:g} s); {reps} searches after one warm-up")
    print(f"hub latency / slowest delay: median {statistics.median(ratios):.3f}, "
          f"mean {statistics.fmean(ratios):.3f}, p95 {p95:.3f}, max {ratios[-1]:.3f}")
    print(f"(asking one after another would give {sum(delays) / slowest:.2f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=30)
    parser.add_argument("--delays", default="0.1,0.25,0.5", help="seconds, comma-separated")
    args = parser.parse_args()
    asyncio.run(bench([float(d) for d in args.delays.split(",")], args.reps))


if __name__ == "__main__":
    main()
