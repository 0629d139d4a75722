"""Soak: minutes of mixed GraphQL traffic at ~80 % of the measured peak against a real ``hub serve``.

    .venv/bin/python -m bench.soak                  # 10 minutes (issue 12's figure)
    .venv/bin/python -m bench.soak --minutes 1      # a short look

What it does: loads the demo dataset into a fresh embedded store, starts ``hub serve --mode production``
(as on a hospital network), measures the peak rate of the mix with a closed loop of ``--concurrency``
clients, then sends the same mix open-loop at ``--load`` (0.8) of that peak for ``--minutes``.  Every
``--window`` seconds it prints the window's rate, p50/p99 latency, errors and the server's RSS.

The mix: single checks (recognized, not recognized, unknown ids), batches of 20, browse pages (some out of
bounds: refused), an institution with its alliances, catalogs, a document over the field limit, a
malformed body.  An *error* is anything the mix did not expect: a status other than the expected one,
a dropped connection, an ``INTERNAL_SERVER_ERROR``, a request still unanswered after 10 s.

Figures (ratios within the run, the machine is noisy): errors (goal 0), p99 drift = p99 of the last
window / p99 of the first, RSS growth = RSS at the end / RSS after the first window (goal < 10 %).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import psutil

ROOT = Path(__file__).resolve().parents[1]
HUB = str(Path(sys.executable).with_name("hub"))

CHECK = ('query($s: StudyInput!, $at: ID!, $on: Date) { recognizability(study: $s, at: $at, on: $on) '
         '{ verdict mark markCode targetItem validUntil reasons { code source clause text } } }')
BATCH = ('query($s: [StudyInput!]!, $at: ID!, $on: Date) { recognizabilities(studies: $s, at: $at, on: $on) '
         '{ verdict mark reasons { code } } }')


@dataclass(frozen=True)
class Request:
    """One request of the mix: the body, the status it must get, whether GraphQL errors are expected."""
    name: str
    body: bytes
    status: int = 200
    errors_expected: bool = False


def _gql(query: str, variables: dict | None = None) -> bytes:
    return json.dumps({"query": query, "variables": variables or {}}).encode()


def mix() -> list[tuple[Request, int]]:
    """The requests and their weights."""
    bj = {"institution": "bj-xh", "item": "BJ-IMG:BW23ZYZZZ-00", "performedOn": "2026-11-11"}
    cy = {"institution": "sc-cd-1", "item": "CY-IMG:94", "performedOn": "2026-11-20"}
    zj = {"institution": "zj-hz-1", "item": "ZJ-IMG:BW23ZYZZZ", "performedOn": "2026-11-20"}
    fields = "{ " + " ".join(["catalogs { id }"] * 600) + " }"
    return [
        (Request("check-recognized", _gql(CHECK, {"s": bj, "at": "he-sjz-1", "on": "2026-11-23"})), 30),
        (Request("check-cy", _gql(CHECK, {"s": cy, "at": "cq-yz", "on": "2026-11-30"})), 10),
        (Request("check-not", _gql(CHECK, {"s": zj, "at": "bj-xh", "on": "2026-11-30"})), 10),
        (Request("check-unknown", _gql(CHECK, {"s": {**bj, "institution": "nope"}, "at": "he-sjz-1"}),
                 errors_expected=True), 5),
        (Request("batch-20", _gql(BATCH, {"s": [bj, cy, zj, bj] * 5, "at": "he-sjz-1", "on": "2026-11-23"})), 10),
        (Request("institutions-page", _gql("{ institutions(first: 10, offset: 5) { id name tier region } }")), 8),
        (Request("institution", _gql('{ institution(id: "bj-xh") { id name alliances { id name } } }')), 8),
        (Request("regions-page", _gql('{ regions(level: "city", first: 50) { code name } }')), 5),
        (Request("catalogs", _gql("{ catalogs { id name itemCount } }")), 5),
        (Request("page-out-of-bounds", _gql("{ institutions(first: 1, offset: 1000000000) { id } }"), errors_expected=True), 3),
        (Request("field-limit", _gql(fields), errors_expected=True), 2),
        (Request("malformed-body", b'{"query": ', status=400), 2),
    ]


@dataclass
class Window:
    started: float
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    rss: int = 0

    def p(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def send(session: aiohttp.ClientSession, url: str, request: Request, window: Window) -> None:
    started = time.perf_counter()
    try:
        async with session.post(url, data=request.body, headers={"Content-Type": "application/json"},
                                timeout=aiohttp.ClientTimeout(total=10)) as response:
            raw = await response.read()
            status = response.status
    except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
        window.errors.append(f"{request.name}: {type(exc).__name__}")
        return
    window.latencies.append(time.perf_counter() - started)
    if status != request.status:
        window.errors.append(f"{request.name}: status {status}")
        return
    if status == 200:
        out = json.loads(raw)
        codes = [(e.get("extensions") or {}).get("code") for e in out.get("errors") or []]
        if "INTERNAL_SERVER_ERROR" in codes or (codes and not request.errors_expected):
            window.errors.append(f"{request.name}: {codes}")


def start_server(workdir: Path, port: int) -> subprocess.Popen:
    graph = workdir / "graph.lbug"
    subprocess.run([HUB, "load", "--graph", str(graph), str(ROOT / "seeds/demo/demo.yaml")], check=True,
                   capture_output=True)
    log = open(workdir / "serve.log", "wb")
    proc = subprocess.Popen([HUB, "serve", "--graph", str(graph), "--port", str(port), "--mode", "production"],
                            stdout=log, stderr=subprocess.STDOUT)
    import urllib.request

    for _ in range(300):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return proc
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("hub serve did not start: " + (workdir / "serve.log").read_text(errors="replace")[-2000:])


async def peak(url: str, requests: list[Request], weights: list[int], seconds: float, concurrency: int) -> float:
    window = Window(time.perf_counter())
    deadline = time.perf_counter() + seconds
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as session:
        async def client() -> None:
            while time.perf_counter() < deadline:
                await send(session, url, random.choices(requests, weights)[0], window)

        await asyncio.gather(*(client() for _ in range(concurrency)))
    return len(window.latencies) / seconds


async def soak(url: str, server: psutil.Process, requests: list[Request], weights: list[int], rate: float,
               seconds: float, window_s: float) -> list[Window]:
    windows = [Window(time.perf_counter())]
    pending: set[asyncio.Task] = set()
    interval = 1 / rate
    started = time.perf_counter()
    sent = 0
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=256)) as session:
        while (now := time.perf_counter()) - started < seconds:
            if now - windows[-1].started >= window_s:
                windows[-1].rss = server.memory_info().rss
                report(len(windows), windows[-1], window_s)
                windows.append(Window(now))
            due = int((now - started) / interval) - sent
            for _ in range(max(0, due)):
                if len(pending) >= 512:  # the server fell far behind: count it, do not queue without end
                    windows[-1].errors.append("backlog: 512 requests outstanding")
                    break
                task = asyncio.create_task(send(session, url, random.choices(requests, weights)[0], windows[-1]))
                pending.add(task)
                task.add_done_callback(pending.discard)
                sent += 1
            await asyncio.sleep(interval / 2)
        await asyncio.gather(*pending)
    windows[-1].rss = server.memory_info().rss
    report(len(windows), windows[-1], window_s)
    return windows


def report(n: int, w: Window, window_s: float) -> None:
    print(f"  window {n:3d}: {len(w.latencies) / window_s:7.0f} req/s  p50 {w.p(0.5) * 1e3:6.2f} ms  "
          f"p99 {w.p(0.99) * 1e3:6.2f} ms  errors {len(w.errors):3d}  RSS {w.rss / 2**20:6.1f} MiB", flush=True)
    for e in sorted(set(w.errors))[:5]:
        print(f"      {e}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--load", type=float, default=0.8, help="fraction of the measured peak (default 0.8)")
    parser.add_argument("--window", type=float, default=30.0, help="seconds per reported window")
    parser.add_argument("--peak-seconds", type=float, default=15.0)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args(argv)
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    entries = mix()
    requests, weights = [r for r, _ in entries], [w for _, w in entries]
    with tempfile.TemporaryDirectory(prefix="hub-soak-") as tmp:
        port = 20000 + os.getpid() % 20000
        proc = start_server(Path(tmp), port)
        url = f"http://127.0.0.1:{port}/graphql"
        try:
            server = psutil.Process(proc.pid)
            top = asyncio.run(peak(url, requests, weights, args.peak_seconds, args.concurrency))
            rate = top * args.load
            print(f"peak of the mix: {top:.0f} req/s ({args.concurrency} clients, closed loop); "
                  f"soak at {args.load:.0%} = {rate:.0f} req/s for {args.minutes:g} min")
            windows = asyncio.run(soak(url, server, requests, weights, rate, args.minutes * 60, args.window))
            alive = proc.poll() is None
        finally:
            proc.terminate()
            proc.wait(30)
    errors = sum(len(w.errors) for w in windows)
    answered = sum(len(w.latencies) for w in windows)
    full = [w for w in windows if w.latencies]
    drift = full[-1].p(0.99) / full[0].p(0.99) if len(full) > 1 else float("nan")
    base_rss = windows[0].rss or windows[-1].rss
    growth = windows[-1].rss / base_rss - 1 if base_rss else float("nan")
    print(f"answered {answered}, errors {errors} ({'ok' if errors == 0 else 'MISS'}, goal 0); server "
          f"{'alive' if alive else 'DEAD'}")
    print(f"p99 drift (last / first window): {drift:.2f}x; p99 overall "
          f"{statistics.quantiles([x for w in full for x in w.latencies], n=100)[98] * 1e3:.2f} ms")
    print(f"RSS growth (end / after the first window): {growth:+.1%} ({'ok' if growth < 0.10 else 'MISS'}, goal < 10%)")
    return 0 if errors == 0 and alive and growth < 0.10 else 1


if __name__ == "__main__":
    raise SystemExit(main())
