"""The benchmark's "every core used" figure and the CPU each check costs (issue 18).

* **CPU µs per check**: the server's CPU time (user + system of the server process and every process it
  started, from psutil, children's reaped time included) across one wrk run, divided by the checks that
  run answered (requests × checks per request).  It is what a province pays per question, whatever the
  machine's other tenants do to the wall-clock figures.
* **Workers**: ``hub serve --workers 2`` against ``hub serve --workers 1`` — the real command, each on its
  own copy of the same store (one store can be held by one server), both up at once and measured in
  alternating wrk rounds (the paired method of the other HTTP figures); the figure is the median of the
  rounds' req/s ratios.  Both answer the same sample checks identically before anything is timed.
  wrk runs 32 connections against both: enough requests in flight that each server is bound by its CPU,
  not by the latency of a request — on a busy machine a worker's call to the store process waits for the
  scheduler twice (there and back), and with 8 connections one run measured 0.99× at a load average of
  6–9 where the same code had read 1.50× at 5–6.  Each round also prints each process's CPU per check, so
  a worker left without connections would show (none was).
"""

from __future__ import annotations

import contextlib
import json
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

HUB = str(Path(sys.executable).with_name("hub"))
#: issue 18: two workers at least 1.5× one worker's req/s on this (2-core) machine
TARGET_WORKERS_RATIO = 1.5
WORKERS_CONNECTIONS = 32


def tree_cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) used so far by process ``pid`` and every live descendant, plus what its
    reaped children used."""
    import psutil

    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    total = 0.0
    for p in procs:
        try:
            t = p.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += t.user + t.system + (t.children_user + t.children_system if p is root else 0.0)
    return total


def per_process_cpu(pid: int) -> dict[int, float]:
    """CPU seconds so far of ``pid`` and each live descendant, by pid."""
    import psutil

    out: dict[int, float] = {}
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return out
    for p in procs:
        try:
            t = p.cpu_times()
        except psutil.NoSuchProcess:
            continue
        out[p.pid] = t.user + t.system
    return out


def machine_busy_seconds() -> float:
    """CPU seconds every core of the machine has spent busy (not idle, not waiting for I/O) since boot."""
    import psutil

    t = psutil.cpu_times()
    return sum(t) - t.idle - getattr(t, "iowait", 0.0)


def own_and_children_seconds() -> float:
    """CPU seconds of this process and its reaped children (wrk, once ``subprocess.run`` returned)."""
    import resource

    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def cpu_us_per_check(cpu_s: float, result: dict[str, Any], checks_per_request: int) -> float:
    return cpu_s * 1e6 / max(1, result["requests"] * checks_per_request)


@contextlib.contextmanager
def hub_serve(graph: str, workers: int, port: int, log: Path, timeout: float = 300) -> Iterator[tuple[str, int]]:
    """``hub serve --workers N`` on ``port`` (loopback); yields (base URL, pid) and SIGTERMs it after."""
    url = f"http://127.0.0.1:{port}"
    out = open(log, "w")  # noqa: SIM115
    proc = subprocess.Popen([HUB, "serve", "--graph", graph, "--port", str(port), "--workers", str(workers)],
                            stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + timeout
        pids: set[int] = set()
        while len(pids) < workers:  # every worker answers before timing
            if proc.poll() is not None:
                raise RuntimeError(f"hub serve --workers {workers} exited with {proc.returncode} (log: {log})")
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=2) as r:
                    pids.add(json.load(r)["pid"])
            except OSError:
                time.sleep(0.1)
            if time.monotonic() > deadline:
                raise RuntimeError(f"hub serve --workers {workers} did not become ready (log: {log})")
        yield url, proc.pid
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        out.close()


def copy_store(graph: str, to: str) -> None:
    """A closed store's files (the database and, when present, its WAL) under another name."""
    src = Path(graph)
    for f in src.parent.glob(src.name + "*"):
        if f.suffix in (".pid", ".json", ".jsonl", ".key", ".lock") or f.name.endswith(".serve.json"):
            continue
        shutil.copy2(f, Path(to).parent / (Path(to).name + f.name[len(src.name):]))


def workers_figures(graph: str, samples: Sequence[Any], bodies: Path, seconds: float, rounds: int, tmp: Path,
                    report: Any, section: str, *, post: Callable[..., Any], wrk: Callable[..., Any],
                    body_one: Callable[[Any], dict[str, Any]], free_port: Callable[[], int],
                    figure: Callable[..., Any]) -> None:
    """wrk against ``hub serve --workers 2`` and ``--workers 1`` in alternating rounds (see the module
    docstring); prints req/s, the ratio (target ≥ 1.5×) and CPU µs per check of both."""
    second = str(tmp / "workers-copy.lbug")
    copy_store(graph, second)
    with hub_serve(graph, 1, free_port(), tmp / "serve-w1.log") as (one_url, one_pid), \
            hub_serve(second, 2, free_port(), tmp / "serve-w2.log") as (two_url, two_pid):
        for s in samples[:20]:  # the same answers from one worker and from two
            a = post(f"{one_url}/graphql", body_one(s))
            b = post(f"{two_url}/graphql", body_one(s))
            if "errors" in a or a != b:
                raise RuntimeError(f"--workers 1 and --workers 2 answer {s} differently: {a} vs {b}")
        runs: dict[str, list[dict[str, Any]]] = {"one": [], "two": []}
        for _ in range(rounds):
            for name, url, pid in (("one", one_url, one_pid), ("two", two_url, two_pid)):
                before, split = tree_cpu_seconds(pid), per_process_cpu(pid)
                busy, mine, started = machine_busy_seconds(), own_and_children_seconds(), time.monotonic()
                r = wrk(f"{url}/graphql", bodies, seconds, connections=WORKERS_CONNECTIONS)
                server_s = tree_cpu_seconds(pid) - before
                r["cpu_us"] = cpu_us_per_check(server_s, r, 1)
                # the cores other tenants kept busy meanwhile (the machine's busy time less the server's, wrk's
                # and this process's): a second worker can only use a core they leave free
                r["others_cores"] = (machine_busy_seconds() - busy - server_s - (own_and_children_seconds() - mine)) \
                    / (time.monotonic() - started)
                # each process's CPU per check (supervisor first): a worker left idle shows here
                after = per_process_cpu(pid)
                r["cpu_us_by_process"] = [round(cpu_us_per_check(after[p] - split[p], r, 1)) for p in split if p in after]
                runs[name].append(r)
    med = statistics.median
    ratios = [b["rps"] / a["rps"] for a, b in zip(runs["one"], runs["two"])]
    one_rps, two_rps = med(r["rps"] for r in runs["one"]), med(r["rps"] for r in runs["two"])
    report.add(section, figure("hub serve --workers 1, single check req/s", one_rps, "req/s",
                               detail={"rounds_rps": [r["rps"] for r in runs["one"]],
                                       "connections": WORKERS_CONNECTIONS}))
    report.add(section, figure("hub serve --workers 2, single check req/s", two_rps, "req/s", "--workers 1",
                               one_rps, f"≥ {TARGET_WORKERS_RATIO}× one worker", med(ratios) >= TARGET_WORKERS_RATIO,
                               {"rounds_rps": [r["rps"] for r in runs["two"]], "round_ratios": ratios,
                                "answers_identical": True,
                                "cpu_us_by_process": [r["cpu_us_by_process"] for r in runs["two"]],
                                "others_cores": [[a["others_cores"], b["others_cores"]]
                                                 for a, b in zip(runs["one"], runs["two"])]},
                               paired_ratio=med(ratios)))
    one_cpu, two_cpu = med(r["cpu_us"] for r in runs["one"]), med(r["cpu_us"] for r in runs["two"])
    report.add(section, figure("hub serve --workers 1, CPU per check", one_cpu, "µs"))
    report.add(section, figure("hub serve --workers 2, CPU per check (all processes)", two_cpu, "µs",
                               "--workers 1", one_cpu))
    if len(ratios) > 1:
        report.out("    (median of " + str(len(ratios)) + " rounds; --workers 2 ÷ --workers 1 per round: "
                   + ", ".join(f"{r:.2f}" for r in ratios) + "; answers identical)")
    report.out("    (cores kept busy by other tenants per round, during --workers 1 / --workers 2: "
               + "; ".join(f"{a['others_cores']:.2f}/{b['others_cores']:.2f}" for a, b in zip(runs["one"], runs["two"]))
               + ")")
    report.out("    (--workers 2, CPU µs per check by process, supervisor first, per round: "
               + "; ".join("/".join(str(x) for x in r["cpu_us_by_process"]) for r in runs["two"]) + ")")
