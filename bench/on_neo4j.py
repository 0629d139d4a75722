"""The Neo4j figures of ``bench.run`` (``--neo4j`` or ``--neo4j-uri URI``), per size:

1. a **real Neo4j server**: ``scripts/neo4j start`` in ``WORKDIR/neo4j/<size>`` (a fresh database for each
   size; heap and page cache from ``--neo4j-heap`` / ``--neo4j-pagecache``), stopped after the size — or the
   server ``--neo4j-uri`` names, emptied first (only when it is empty or holds a country this benchmark
   loaded: a ``Meta {key: "bench.run"}`` node);
2. **the load**: the same synthetic country the embedded store was loaded with, through the port's bulk
   path (:func:`bench.synth.load_country`: on Neo4j batched ``UNWIND``, each node created with its
   relationships — ``synth.NEO4J_LOAD_STEPS``), in a child process: load time and the peak RSS of both
   processes, the Python loader and the server's JVM, each against the embedded store's load figures of
   the same size in the same run;
3. **in-process** (uvloop, ``Runtime.start`` on the server): a ``RETURN 1`` round trip through the adapter
   (statement ``ping``: the baseline), the store round trip ``meta.get``, the facts read of one check and of
   a batch of 100, a single check (target ≤ 3× ``RETURN 1``, issue 18) and a batch of 100 per check
   (target ≤ 0.1× the single check), in interleaved rounds, the round with the lowest p50 kept.
4. **a peer** (with the HTTP figures, unless ``--no-peer``): the browse queries asked of ``hub serve`` and
   of the Neo4j GraphQL Library over this server and data, answers compared, hub p50 ÷ peer p50
   (target ≤ 1.0×, issue 18): :mod:`bench.peer`.

Figures go to the section ``"<size> neo4j"`` of the report.  docs/BENCHMARKS.md, "Neo4j", has the method
and the figures.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import synth

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "neo4j"
#: issue 18's targets on the real server
TARGET_SINGLE_RATIO = 3.0
TARGET_BATCH_RATIO = 0.1
#: the JVM's heap and page cache (scripts/neo4j's NEO4J_HEAP, NEO4J_PAGECACHE) for a 24 GB, 2-core machine:
#: the national store takes ~4 GB of store files, held whole by a 4 GB page cache; the heap holds one
#: 10k-row transaction at a time and the 280k-membership allianceIds one (docs/BENCHMARKS.md, "Neo4j")
DEFAULT_HEAP = "2g"
DEFAULT_PAGECACHE = "4g"
#: the Meta key this benchmark leaves in a database it loaded: "mine to empty" (--neo4j-uri)
MARKER = "bench.run"
SECTION = "{} neo4j"


# --------------------------------------------------------------------------------------------- the server


@dataclass(frozen=True)
class Server:
    uri: str
    #: the JVM's pid when this benchmark started the server (its RSS is measured), else None
    pid: int | None
    home: Path | None
    start_s: float = 0.0


@contextlib.contextmanager
def server(workdir: Path, section: str, *, uri: str | None, heap: str, pagecache: str,
           keep: bool = False) -> Iterator[Server]:
    """A server with an empty database for one size: ``uri`` emptied, or a new one started with
    scripts/neo4j in ``workdir/neo4j/<section>`` and stopped (its directory removed unless ``keep``)."""
    if uri:
        empty(uri)
        yield Server(uri, None, None)
        return
    home = workdir / "neo4j" / section
    stop(home)
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    env = {**os.environ, "NEO4J_HEAP": heap, "NEO4J_PAGECACHE": pagecache}
    started = time.perf_counter()
    try:
        proc = subprocess.run([str(SCRIPT), "start", str(home)], capture_output=True, text=True, env=env,
                              timeout=900, check=False)
        lines = proc.stdout.strip().splitlines()
        if proc.returncode != 0 or not lines or not lines[-1].startswith("bolt://"):
            raise RuntimeError(f"scripts/neo4j start failed (exit {proc.returncode}): "
                               f"{(proc.stderr or proc.stdout).strip()[-2000:]}")
        start_s = time.perf_counter() - started
        pid = int((home / "neo4j.pid").read_text().strip())
        yield Server(lines[-1], pid, home, start_s)
    finally:
        stop(home)
        if not keep:
            shutil.rmtree(home, ignore_errors=True)


def stop(home: Path) -> None:
    if home.exists():
        subprocess.run([str(SCRIPT), "stop", str(home)], capture_output=True, timeout=300, check=False)


def empty(uri: str) -> None:
    """Empty the database at ``uri`` — only if it holds nothing but Meta nodes or a country this
    benchmark loaded (the :data:`MARKER`); the delete runs in transactions of 10k nodes
    (``graph.clear_batched``), since a national graph does not fit in one."""
    import asyncio

    import neo4j

    from graph.statements import statement
    from graph.store import open_store

    async def held() -> tuple[int, bool]:
        store = await open_store(uri, seed=False)
        try:
            counts = (await store.read("graph.counts"))[0]
            mine = bool(await store.read("meta.get", {"key": MARKER}))
        finally:
            await store.close()
        return sum(v for k, v in counts.items()), mine

    nodes, mine = asyncio.run(held())
    if nodes and not mine:
        raise RuntimeError(f"the Neo4j database at {uri} holds data this benchmark did not load; point "
                           f"--neo4j-uri at an empty, throw-away server (or use --neo4j to start one)")
    user, password = os.environ.get("NEO4J_USER") or "neo4j", os.environ.get("NEO4J_PASSWORD")
    with neo4j.GraphDatabase.driver(uri, auth=(user, password) if password is not None else None) as driver:
        with driver.session(database=os.environ.get("NEO4J_DATABASE") or None) as session:
            for part in statement("graph.clear_batched", "neo4j").parts:
                session.run(part).consume()


# --------------------------------------------------------------------------------------------- the load


class ProcessPeak:
    """Peak RSS (MB) and CPU seconds of another process (the JVM), sampled every 20 ms; VmHWM as well."""

    def __init__(self, pid: int | None) -> None:
        self.pid = pid
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._proc: Any = None

    def _run(self) -> None:
        while not self._stop.is_set():
            with contextlib.suppress(Exception):
                self.peak = max(self.peak, self._proc.memory_info().rss)
            self._stop.wait(0.02)

    def __enter__(self) -> "ProcessPeak":
        if self.pid:
            import psutil

            self._proc = psutil.Process(self.pid)
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._proc is not None:
            self._thread.join()

    def cpu(self) -> float:
        if self._proc is None:
            return 0.0
        t = self._proc.cpu_times()
        return t.user + t.system

    @property
    def mb(self) -> float | None:
        if self._proc is None:
            return None
        return max(self.peak / 2**20, vmhwm_mb(self.pid))


def vmhwm_mb(pid: int | None) -> float:
    """The peak RSS of process ``pid`` since it started (VmHWM), in MB; 0 when unknown."""
    with contextlib.suppress(OSError, TypeError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def load_child(country_dir: str, uri: str, pid: str) -> dict[str, Any]:
    """In a fresh process: open the server's store (schema + seeds: ``create_s``), bulk-load the country
    (:func:`bench.synth.load_country`: ``load_s``), with the peak RSS and CPU of this process and of the
    server's JVM (``pid``, 0 when unknown) over both."""
    from bench.run import RssPeak, _run_loop
    from graph.store import open_store

    async def go() -> dict[str, Any]:
        with RssPeak() as rss, ProcessPeak(int(pid) or None) as jvm:
            cpu0, jvm0 = time.process_time(), jvm.cpu()
            started = time.perf_counter()
            store = await open_store(uri)
            try:
                await store.write([("meta.set", {"key": MARKER, "value": "1"})])  # mine to empty next time
                created = time.perf_counter() - started
                started = time.perf_counter()
                tables = await synth.load_country(store, Path(country_dir))
                loaded = time.perf_counter() - started
                counts = (await store.read("graph.counts"))[0]
            finally:
                await store.close()
            cpu, jvm_cpu = time.process_time() - cpu0, jvm.cpu() - jvm0
        return {"create_s": created, "load_s": loaded, "tables_s": tables, "counts": counts,
                "peak_rss_mb": rss.mb, "jvm_peak_rss_mb": jvm.mb, "cpu_s": cpu, "jvm_cpu_s": jvm_cpu if pid != "0" else None}

    return _run_loop(go())


# --------------------------------------------------------------------------------------------- in-process


async def inprocess_figures(runtime: Any, samples: Sequence[synth.SampleCheck], seconds: float, report: Any,
                            section: str, embedded_section: str, rounds: int = 3) -> None:
    """``RETURN 1`` (baseline), ``meta.get``, the facts read of one check and of a batch, a single check
    and a batch of 100 on the Neo4j store: interleaved rounds, the lowest-p50 round of each kept."""
    from bench.run import BATCH, Figure, _checks, batches, pct, timed

    store, engine = runtime.store, runtime.engine
    checks = _checks(samples)
    groups = batches(samples)
    group_checks = [[c.__class__(c.institution, c.item, c.performed_on, at, on) for c in _checks(g)]
                    for at, on, g in groups]
    n = len(checks)
    one_facts = [{"ids": sorted({c.institution, c.at}), "pairs": [f"{c.institution}|{c.item}"]} for c in checks]
    many_facts = [{"ids": sorted({c.institution for c in g} | {g[0].at}),
                   "pairs": sorted({f"{c.institution}|{c.item}" for c in g})} for g in group_checks]
    calls: dict[str, Callable[[int], Awaitable[Any]]] = {
        "return1": lambda i: store.read("ping"),
        "meta": lambda i: store.read("meta.get", {"key": "schema.version"}),
        "facts": lambda i: store.read("facts.institutions", one_facts[i % n]),
        "one": lambda i: engine.check(checks[i % n]),
    }
    if groups:
        calls["facts_many"] = lambda i: store.read("facts.institutions", many_facts[i % len(many_facts)])
        calls["many"] = lambda i: engine.check_many(group_checks[i % len(group_checks)])
    # warm: the server compiles each query once and its JIT needs a few thousand calls; every sample once
    for name, call in calls.items():
        for i in range(len(groups) * 3 if name in ("many", "facts_many") else min(n, 1000)):
            await call(i)
    best: dict[str, list[float]] = {}
    share = seconds / max(1, rounds)
    for _ in range(max(1, rounds)):
        for name, call in calls.items():
            ms = await timed(call, share / 2 if name in ("return1", "meta") else share)
            if name not in best or pct(ms, 50) < pct(best[name], 50):
                best[name] = ms

    def p50(name: str) -> float:
        return pct(best[name], 50)

    base = report.add(section, Figure("RETURN 1 round trip p50 (ping)", p50("return1"), "ms",
                                      detail={"p99": pct(best["return1"], 99), "n": len(best["return1"])}))
    report.add(section, Figure("store round trip (meta.get) p50", p50("meta"), "ms", "RETURN 1", base.value))
    facts = report.add(section, Figure("facts read, one check p50", p50("facts"), "ms", "RETURN 1", base.value,
                                       detail={"p99": pct(best["facts"], 99)}))
    single = p50("one")
    report.add(section, Figure("single check p50", single, "ms", "RETURN 1", base.value,
                               f"≤ {TARGET_SINGLE_RATIO:g}× RETURN 1", single <= TARGET_SINGLE_RATIO * base.value,
                               {"n": len(best["one"]), "p99": pct(best["one"], 99)}))
    report.add(section, Figure("single check p99", pct(best["one"], 99), "ms", "RETURN 1", base.value))
    embedded = report.get(embedded_section, "single check in-process p50")
    if embedded is not None:
        report.add(section, Figure("single check p50 against the embedded store", single, "ms",
                                   "embedded, same run", embedded.value))
    if groups:
        report.add(section, Figure(f"facts read, batch of {BATCH} p50", p50("facts_many"), "ms",
                                   "facts read, one check", facts.value))
        per = p50("many") * 1000 / BATCH
        report.add(section, Figure(f"batch of {BATCH}, per check (p50)", per, "µs", "single check p50 (µs)",
                                   single * 1000, f"≤ {TARGET_BATCH_RATIO:g}× single",
                                   per <= TARGET_BATCH_RATIO * single * 1000,
                                   {"batch_p50_ms": p50("many"), "batch_p99_ms": pct(best["many"], 99),
                                    "n": len(best["many"])}))


def inprocess(uri: str, samples: Sequence[synth.SampleCheck], seconds: float, report: Any, section: str,
              embedded_section: str) -> float:
    """``Runtime.start`` on the server (its audit log in a temporary directory), the figures, close;
    returns the open time."""
    from bench.run import _run_loop
    from hub.config import Settings
    from hub.runtime import Runtime

    async def go() -> float:
        with tempfile.TemporaryDirectory(prefix="bench-neo4j-") as tmp:
            settings = Settings.from_options(graph=uri, audit_log=str(Path(tmp) / "audit.jsonl"))
            started = time.perf_counter()
            rt = await Runtime.start(settings)
            opened = time.perf_counter() - started
            try:
                await inprocess_figures(rt, samples, seconds, report, section, embedded_section)
            finally:
                await rt.close()
        return opened

    return _run_loop(go())


# --------------------------------------------------------------------------------------------- one size


def figures(opts: Any, country_dir: Path, samples: Sequence[synth.SampleCheck], report: Any,
            embedded_section: str, records: int) -> None:
    """Every Neo4j figure of one size (see the module docstring)."""
    from bench.run import Figure, _child

    section = SECTION.format(embedded_section)
    out = report.out
    how = (f"server {opts.neo4j_uri}" if opts.neo4j_uri
           else f"scripts/neo4j, heap {opts.neo4j_heap}, page cache {opts.neo4j_pagecache}")
    out(f"\n  -- {embedded_section} on Neo4j ({how})")
    with server(opts.workdir, embedded_section, uri=opts.neo4j_uri, heap=opts.neo4j_heap,
                pagecache=opts.neo4j_pagecache, keep=opts.keep_stores) as srv:
        if srv.pid:
            out(f"  server ready in {srv.start_s:.1f} s ({srv.uri}, JVM pid {srv.pid})")
        loaded = _child(["_load_neo4j", str(country_dir), srv.uri, str(srv.pid or 0)], timeout=6 * 3600)
        emb_load = report.get(embedded_section, "load time")
        emb_rss = report.get(embedded_section, "load peak RSS (loading process)")
        detail = {k: loaded[k] for k in ("tables_s", "create_s", "cpu_s", "jvm_cpu_s", "counts")}
        detail.update(records=records, us_per_record=loaded["load_s"] / max(1, records) * 1e6,
                      heap=opts.neo4j_heap, pagecache=opts.neo4j_pagecache)
        report.add(section, Figure("load time", loaded["load_s"], "s", "embedded load, same run",
                                   emb_load.value if emb_load else None, detail=detail))
        out("    (by step: " + ", ".join(f"{k} {v:.1f} s" for k, v in loaded["tables_s"].items())
            + f"; schema and seeds before it {loaded['create_s']:.1f} s; CPU: loader {loaded['cpu_s']:.0f} s"
            + (f", JVM {loaded['jvm_cpu_s']:.0f} s)" if loaded["jvm_cpu_s"] is not None else ")"))
        report.add(section, Figure("load peak RSS, loader (Python)", loaded["peak_rss_mb"], "MB",
                                   "embedded loading process", emb_rss.value if emb_rss else None))
        if loaded["jvm_peak_rss_mb"] is not None:
            report.add(section, Figure("load peak RSS, server (JVM)", loaded["jvm_peak_rss_mb"], "MB",
                                       "embedded loading process", emb_rss.value if emb_rss else None,
                                       detail={"heap": opts.neo4j_heap, "pagecache": opts.neo4j_pagecache}))
        opened = inprocess(srv.uri, samples, opts.seconds, report, section, embedded_section)
        out(f"  (Runtime.start on the server in {opened * 1000:.0f} ms)")
        if opts.http and getattr(opts, "peer", True):
            # the browse queries against the Neo4j GraphQL Library on this server and data (bench/peer.py)
            from bench import peer

            peer.figures(srv.uri, country_dir, report, section, seconds=opts.http_seconds, rounds=opts.rounds,
                         seed=opts.seed, workdir=opts.workdir, jvm_pid=srv.pid)
        if srv.home is not None:
            data = sum(f.stat().st_size for f in (srv.home / "data").rglob("*") if f.is_file()) / 2**20
            out(f"  (server data directory {data:,.0f} MB; JVM peak RSS over the size {vmhwm_mb(srv.pid):,.0f} MB)")
