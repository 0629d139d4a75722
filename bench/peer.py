"""A peer for the hub's browse queries (issue 18, "a peer"): the same questions asked of ``hub serve`` and of
the Neo4j GraphQL Library (``bench/peer/server.mjs``: ``@neo4j/graphql`` under GraphQL Yoga) over the same
Neo4j server and data, in one run.

    .venv/bin/python -m bench.peer                     # 40k institutions on a new scripts/neo4j server
    .venv/bin/python -m bench.peer --size 1k --seconds 1 --rounds 3
    .venv/bin/python -m bench.peer --neo4j-uri bolt://127.0.0.1:7687   # a given, empty server (emptied first)

``bench.run --neo4j`` calls :func:`figures` for each size on the server it loaded (unless ``--no-peer`` or
``--no-http``), so the figures appear in its report under ``<size> neo4j``.

The questions:

1. **a page of institutions of a region** — ``institutions(region:, first: 20, offset:)`` on the hub,
   ``institutions(where: {region: {startsWith:}}, sort: [{id: ASC}], limit: 20, offset:)`` on the peer: every
   province present at offsets 0 and 20, and the 20 most populous cities at offset 0 (both read
   ``Institution.region`` by prefix, ordered by id);
2. **one institution with its alliances and its marks** — ``institution(id:) { … alliances { … } marks { … } }``
   on the hub, ``institutions(where: {id: {eq:}}) { … alliances(sort: id) marks(sort: item, scope, validFrom) }``
   on the peer (the order the hub's statements give): 100 hospitals, 100 primary facilities and 50
   alliance members, drawn with the seed.
3. **a region's first page as a connection**, where the hub has ``institutionsConnection`` (the browse API,
   issue 17) — ``institutionsConnection(where: {region: {within:}}, first: 20) { edges { node { … } } pageInfo
   { hasNextPage } }`` on the hub, the same with ``startsWith`` and ``sort: [{id: ASC}]`` on the peer: the
   regions of (1) at offset 0 (cursors are each server's own, so only first pages are compared).

Why the answers are compared first: a ratio of two servers answering different data would compare different
work.  Every question is asked of both and the ids, names and every other field returned must be equal (a
missing ``aliases`` is read as the empty list the hub returns); a difference stops the run.

How they are timed (docs/BENCHMARKS.md, "Method"; "Peer"): the same client for both, ``wrk`` with
``bench/post.lua`` cycling through the question bodies, ``--connections`` (1) closed-loop connection — the
latency one caller sees, not a saturated server; a warm-up run of 2 s each (the node JIT, both query plans in
the server's cache) and, on a server this benchmark started, a wait until its JVM idles (under 5 % of a core,
at most 60 s: after a load its compiler and collector run on), then ``--rounds`` interleaved rounds (hub and
peer alternate which goes first), and for each server and question the round with the lowest p50 kept, its
p99 with it: other tenants only ever add time.
The figure is hub p50 ÷ peer p50 (target ≤ 1.0×).  Beside it, CPU µs per request of each server process
(psutil ``cpu_times`` before and after each run, ÷ requests) and, when this benchmark started the Neo4j
server, of the JVM under each — what the translation into one Cypher query saves or costs the database.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PEER_DIR = ROOT / "bench" / "peer"
SERVER = PEER_DIR / "server.mjs"
HUB = str(Path(sys.executable).with_name("hub"))
#: issue 18: the hub's p50 at most the peer's
TARGET_RATIO = 1.0
PAGE = 20
#: questions drawn per kind (see the module docstring)
HOSPITALS, PRIMARY, MEMBERS, CITIES = 100, 100, 50, 20

INSTITUTION_FIELDS = "id name tier region ownership kind aliases"
QUERIES: dict[str, dict[str, str]] = {
    "page": {
        "hub": ("query Page($region: String!, $first: Int!, $offset: Int!) {"
                f" institutions(region: $region, first: $first, offset: $offset) {{ {INSTITUTION_FIELDS} }} }}"),
        "peer": ("query Page($region: String!, $first: Int!, $offset: Int!) {"
                 " institutions(where: {region: {startsWith: $region}}, sort: [{id: ASC}], limit: $first,"
                 f" offset: $offset) {{ {INSTITUTION_FIELDS} }} }}"),
    },
    "one": {
        "hub": ("query One($id: ID!) { institution(id: $id) {"
                f" {INSTITUTION_FIELDS} alliances {{ id kind name }} marks {{ item scope validFrom validTo }} }} }}"),
        "peer": ("query One($id: ID!) { institutions(where: {id: {eq: $id}}) {"
                 f" {INSTITUTION_FIELDS} alliances(sort: [{{id: ASC}}]) {{ id kind name }}"
                 " marks(sort: [{item: ASC}, {scope: ASC}, {validFrom: ASC}]) { item scope validFrom validTo } } }"),
    },
    # asked only where the hub has it (the browse API of issue 17): see hub_fields
    "conn": {
        "hub": ("query Conn($region: String!, $first: Int!) {"
                " institutionsConnection(where: {region: {within: $region}}, first: $first) {"
                f" edges {{ node {{ {INSTITUTION_FIELDS} }} }} pageInfo {{ hasNextPage }} }} }}"),
        "peer": ("query Conn($region: String!, $first: Int!) {"
                 " institutionsConnection(where: {region: {startsWith: $region}}, sort: [{id: ASC}], first: $first) {"
                 f" edges {{ node {{ {INSTITUTION_FIELDS} }} }} pageInfo {{ hasNextPage }} }} }}"),
    },
}
TITLES = {"page": f"browse: a page of {PAGE} institutions of a region", "one": "browse: one institution with alliances and marks",
          "conn": f"browse: a region's first {PAGE} as a connection"}
OPERATIONS = {"page": "Page", "one": "One", "conn": "Conn"}


# --------------------------------------------------------------------------------------------- set-up


def node_missing() -> str | None:
    """Why the peer cannot run here (no node or npm), or None."""
    for exe in ("node", "npm"):
        if shutil.which(exe) is None:
            return f"{exe} not found (Node.js 20+ with npm: scripts/install-test-deps.sh)"
    return None


def ensure_npm(out: Callable[[str], None] = print) -> None:
    """``npm ci`` in bench/peer when its node_modules is missing or older than package-lock.json (the exact
    versions pinned there); ``--prefer-offline``: after the first install npm's cache is enough."""
    installed = PEER_DIR / "node_modules" / ".package-lock.json"
    lock = PEER_DIR / "package-lock.json"
    if installed.exists() and installed.stat().st_mtime >= lock.stat().st_mtime:
        return
    out("  (npm ci in bench/peer)")
    proc = subprocess.run(["npm", "ci", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"],
                          cwd=PEER_DIR, capture_output=True, text=True, timeout=900, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"npm ci in {PEER_DIR} failed (exit {proc.returncode}): {proc.stderr[-2000:]}")


@dataclass(frozen=True)
class Questions:
    #: (region prefix, offset)
    pages: list[tuple[str, int]]
    ids: list[str]

    def variables(self, kind: str) -> list[dict[str, Any]]:
        if kind == "page":
            return [{"region": r, "first": PAGE, "offset": o} for r, o in self.pages]
        if kind == "conn":  # cursors are each server's own: the first page of each region
            return [{"region": r, "first": PAGE} for r, o in self.pages if o == 0]
        return [{"id": i} for i in self.ids]


def questions(country_dir: Path, seed: int) -> Questions:
    """The questions of the module docstring, drawn from the country's own tables (deterministic)."""
    import pyarrow.parquet as pq

    inst = pq.read_table(country_dir / "institutions.parquet", columns=["id", "kind", "region"]).to_pydict()
    members = pq.read_table(country_dir / "memberships.parquet", columns=["institution"]).to_pydict()["institution"]
    provinces = sorted({r[:2] for r in inst["region"]})
    cities: dict[str, int] = {}
    for r in inst["region"]:
        cities[r[:4]] = cities.get(r[:4], 0) + 1
    busiest = sorted(cities, key=lambda c: (-cities[c], c))[:CITIES]
    pages = [(p, o) for p in provinces for o in (0, PAGE)] + [(c, 0) for c in busiest]
    rng = random.Random(seed)
    hospitals = sorted(i for i, k in zip(inst["id"], inst["kind"]) if k != "primary")
    primary = sorted(i for i, k in zip(inst["id"], inst["kind"]) if k == "primary")
    in_alliance = sorted(set(members))
    ids = (rng.sample(hospitals, min(HOSPITALS, len(hospitals))) + rng.sample(primary, min(PRIMARY, len(primary)))
           + rng.sample(in_alliance, min(MEMBERS, len(in_alliance))))
    ids = list(dict.fromkeys(ids))
    rng.shuffle(ids)
    return Questions(pages, ids)


def body(kind: str, side: str, variables: dict[str, Any]) -> dict[str, Any]:
    return {"query": QUERIES[kind][side], "operationName": OPERATIONS[kind], "variables": variables}


def hub_kinds(hub_url: str) -> list[str]:
    """The questions this hub can be asked: page and one always, conn where its schema has
    ``institutionsConnection`` (asked by introspection, on in development mode)."""
    from bench.run import post

    fields = post(hub_url, {"query": "{ __type(name: \"Query\") { fields { name } } }"})["data"]["__type"]["fields"]
    return ["page", "one"] + (["conn"] if any(f["name"] == "institutionsConnection" for f in fields) else [])


# --------------------------------------------------------------------------------------------- the servers


def _stop(proc: subprocess.Popen, grace: float = 15) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextlib.contextmanager
def hub_server(uri: str, tmp: Path, timeout: float = 300) -> Iterator[tuple[str, int]]:
    """``hub serve --graph URI`` on a free loopback port (development mode, as on any loopback address; its
    audit log in ``tmp``); yields (``/graphql`` URL, pid), stops it with SIGTERM."""
    from bench.run import free_port

    port = free_port()
    log = tmp / "hub-serve.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([HUB, "serve", "--graph", uri, "--port", str(port),
                                 "--audit-log", str(tmp / "audit.jsonl")],
                                cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        _wait_healthz(f"http://127.0.0.1:{port}/healthz", proc, log, timeout)
        yield f"http://127.0.0.1:{port}/graphql", proc.pid
    finally:
        _stop(proc)


def _wait_healthz(url: str, proc: subprocess.Popen, log: Path, timeout: float) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"hub serve exited {proc.returncode}: {log.read_text(errors='replace')[-2000:]}")
        with contextlib.suppress(OSError, ValueError):
            with urllib.request.urlopen(url, timeout=2) as r:
                if json.load(r).get("ok"):
                    return
        if time.monotonic() > deadline:
            raise RuntimeError(f"hub serve not ready in {timeout:g} s: {log.read_text(errors='replace')[-2000:]}")
        time.sleep(0.1)


@contextlib.contextmanager
def peer_server(uri: str, tmp: Path, timeout: float = 120) -> Iterator[tuple[str, int]]:
    """``node bench/peer/server.mjs URI 0``; yields (the URL it prints once it answers, pid), stops it with
    SIGTERM.  Its stderr goes to ``tmp/peer.log``."""
    log = tmp / "peer.log"
    with open(log, "wb") as err:
        proc = subprocess.Popen(["node", str(SERVER), uri, "0"], cwd=PEER_DIR, stdout=subprocess.PIPE,
                                stderr=err, stdin=subprocess.DEVNULL)
    try:
        assert proc.stdout is not None
        deadline = time.monotonic() + timeout
        line = b""
        while not line.endswith(b"\n"):
            left = deadline - time.monotonic()
            if left <= 0:
                raise RuntimeError(f"the peer did not start in {timeout:g} s: {log.read_text(errors='replace')[-2000:]}")
            ready, _, _ = select.select([proc.stdout], [], [], min(left, 0.5))
            if ready:
                chunk = os.read(proc.stdout.fileno(), 4096)
                if not chunk:
                    raise RuntimeError(f"the peer exited {proc.wait()}: {log.read_text(errors='replace')[-2000:]}")
                line += chunk
        yield line.decode().strip(), proc.pid
    finally:
        _stop(proc)
        if proc.stdout is not None:
            proc.stdout.close()


# --------------------------------------------------------------------------------------------- same answers


def _answer(kind: str, side: str, response: dict[str, Any]) -> Any:
    """The data of one answer in one shape for both servers: a page as its list of institutions, a
    connection as its nodes and hasNextPage (cursors are each server's own), one institution as a dict
    (None when unknown), ``aliases`` null read as []."""
    if response.get("errors"):
        raise RuntimeError(f"the {side} answered with errors: {str(response['errors'])[:1000]}")
    data = response["data"]
    if kind == "conn":
        conn = data["institutionsConnection"]
        rows = [edge["node"] for edge in conn["edges"]]
        for row in rows:
            row["aliases"] = row.get("aliases") or []
        return {"nodes": rows, "hasNextPage": conn["pageInfo"]["hasNextPage"]}
    if kind == "page":
        rows = data["institutions"]
    else:
        found = data["institution"] if side == "hub" else data["institutions"]
        rows = [] if found is None else found if isinstance(found, list) else [found]
        if len(rows) > 1:
            raise RuntimeError(f"the {side} found {len(rows)} institutions for one id")
    for row in rows:
        row["aliases"] = row.get("aliases") or []
    return rows if kind == "page" else (rows[0] if rows else None)


def same_answers(urls: dict[str, str], qs: Questions, kinds: Sequence[str] = ("page", "one")) -> dict[str, int]:
    """Ask every question of ``kinds`` of both servers; the answers must be equal field by field (else
    RuntimeError naming the first difference).  Returns the questions compared, and the rows / marks seen,
    per kind."""
    from bench.run import post

    seen = {"page": 0, "one": 0, "conn": 0, "institutions": 0, "marks": 0, "alliances": 0, "unknown": 0}
    for kind in kinds:
        for variables in qs.variables(kind):
            hub, peer = (_answer(kind, side, post(urls[side], body(kind, side, variables))) for side in ("hub", "peer"))
            if hub != peer:
                raise RuntimeError(f"the hub and the peer answer {kind} {variables} differently:\n"
                                   f"  hub:  {json.dumps(hub, ensure_ascii=False)[:1500]}\n"
                                   f"  peer: {json.dumps(peer, ensure_ascii=False)[:1500]}")
            seen[kind] += 1
            if kind == "page":
                seen["institutions"] += len(hub)
            elif kind == "conn":
                pass
            elif hub is None:
                seen["unknown"] += 1
            else:
                seen["marks"] += len(hub["marks"])
                seen["alliances"] += len(hub["alliances"])
    return seen


# --------------------------------------------------------------------------------------------- timing


def _cpu(pid: int | None) -> float:
    """CPU seconds (user + system) of process ``pid`` and its children; 0 when unknown."""
    if not pid:
        return 0.0
    import psutil

    with contextlib.suppress(psutil.Error):
        proc = psutil.Process(pid)
        total = 0.0
        for p in [proc, *proc.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):
                t = p.cpu_times()
                total += t.user + t.system
        return total
    return 0.0


def measure(urls: dict[str, str], pids: dict[str, int], qs: Questions, tmp: Path, *, seconds: float, rounds: int,
            connections: int, jvm_pid: int | None = None,
            kinds: Sequence[str] = ("page", "one")) -> dict[str, dict[str, dict[str, Any]]]:
    """wrk runs of each (question, server) in interleaved rounds; per question and server the run with the
    lowest p50, with the CPU µs per request of the server (and of the JVM) during that run."""
    from bench.run import wrk

    files: dict[tuple[str, str], Path] = {}
    for kind in kinds:
        for side in ("hub", "peer"):
            files[kind, side] = tmp / f"{kind}-{side}.jsonl"
            files[kind, side].write_text("\n".join(json.dumps(body(kind, side, v), ensure_ascii=False)
                                                   for v in qs.variables(kind)) + "\n", encoding="utf-8")

    def run(kind: str, side: str, d: float) -> dict[str, Any]:
        cpu0, jvm0 = _cpu(pids[side]), _cpu(jvm_pid)
        r = wrk(urls[side], files[kind, side], d, connections=connections)
        cpu, jvm = _cpu(pids[side]) - cpu0, _cpu(jvm_pid) - jvm0
        n = max(1, r["requests"])
        return {**r, "cpu_us": cpu * 1e6 / n, "jvm_cpu_us": jvm * 1e6 / n if jvm_pid else None}

    for kind in kinds:  # warm: node's JIT, the server's plan cache, every body at least once
        for side in ("hub", "peer"):
            run(kind, side, 2)
    settled = settle(jvm_pid)
    best: dict[str, dict[str, dict[str, Any]]] = {kind: {} for kind in kinds}
    every: dict[str, dict[str, list[float]]] = {kind: {"hub": [], "peer": []} for kind in kinds}
    for k in range(max(1, rounds)):
        for kind in kinds:
            for side in (("hub", "peer") if k % 2 == 0 else ("peer", "hub")):
                r = run(kind, side, seconds)
                every[kind][side].append(r["p50_us"] / 1000)
                if side not in best[kind] or r["p50_us"] < best[kind][side]["p50_us"]:
                    best[kind][side] = r
    for kind in kinds:
        for side in ("hub", "peer"):
            best[kind][side]["rounds_p50_ms"] = every[kind][side]
            best[kind][side]["jvm_idle_cores"] = settled
    return best


def settle(jvm_pid: int | None, *, below: float = 0.05, most_s: float = 60.0) -> float | None:
    """Wait (at most ``most_s``) until the JVM idles — under ``below`` of a core over a second — and return
    its last idle rate (cores), None when it is not ours to watch.  Why: right after a load its compiler and
    garbage collector run on for a while, and that CPU, divided by each run's requests, would read as the
    queries' cost — more per request for the slower side (the JVM CPU per request is printed beside the
    figures)."""
    if not jvm_pid:
        return None
    deadline = time.monotonic() + most_s
    while True:
        before = _cpu(jvm_pid)
        time.sleep(1.0)
        rate = _cpu(jvm_pid) - before
        if rate < below or time.monotonic() > deadline:
            return rate


# --------------------------------------------------------------------------------------------- figures


def figures(uri: str, country_dir: Path, report: Any, section: str, *, seconds: float, rounds: int, seed: int,
            workdir: Path | None = None, connections: int = 1, jvm_pid: int | None = None) -> dict[str, Any]:
    """Start the hub and the peer on the server at ``uri`` (holding the country of ``country_dir``), compare
    their answers, time both, and add the figures to ``report`` under ``section``.  Returns the raw runs."""
    from bench.run import Figure

    out = report.out
    why = node_missing()
    if why:
        out(f"  (peer skipped: {why})")
        return {}
    ensure_npm(out)
    qs = questions(country_dir, seed)
    tmp = Path(tempfile.mkdtemp(prefix="bench-peer-", dir=workdir))
    try:
        with hub_server(uri, tmp) as (hub_url, hub_pid), peer_server(uri, tmp) as (peer_url, peer_pid):
            urls, pids = {"hub": hub_url, "peer": peer_url}, {"hub": hub_pid, "peer": peer_pid}
            kinds = hub_kinds(hub_url)
            seen = same_answers(urls, qs, kinds)
            out(f"  peer (@neo4j/graphql under GraphQL Yoga, {peer_url}): the same answers to {seen['page']} pages "
                f"({seen['institutions']:,} institutions), {seen['one']} institutions ({seen['marks']:,} marks, "
                f"{seen['alliances']} alliances, {seen['unknown']} unknown)"
                + (f" and {seen['conn']} connection pages" if "conn" in kinds else ""))
            best = measure(urls, pids, qs, tmp, seconds=seconds, rounds=rounds, connections=connections,
                           jvm_pid=jvm_pid, kinds=kinds)
    except Exception as exc:  # the servers' logs stay for the post-mortem
        raise RuntimeError(f"{exc}\n(the servers' logs: {tmp})") from exc
    shutil.rmtree(tmp, ignore_errors=True)
    for kind in best:
        title = TITLES[kind]
        hub, peer = best[kind]["hub"], best[kind]["peer"]
        hub_p50, peer_p50 = hub["p50_us"] / 1000, peer["p50_us"] / 1000
        detail = {"connections": connections, "rounds": rounds, "seconds": seconds, "questions": len(qs.variables(kind)),
                  "hub": hub, "peer": peer}
        report.add(section, Figure(f"{title}, hub p50", hub_p50, "ms", "peer p50", peer_p50,
                                   f"≤ {TARGET_RATIO:g}× peer", hub_p50 <= TARGET_RATIO * peer_p50, detail))
        report.add(section, Figure(f"{title}, hub p99", hub["p99_us"] / 1000, "ms", "peer p99", peer["p99_us"] / 1000))
        report.add(section, Figure(f"{title}, hub CPU per request", hub["cpu_us"], "µs", "peer CPU per request",
                                   peer["cpu_us"]))
        jvm = (f"; Neo4j JVM CPU per request: under the hub {hub['jvm_cpu_us']:.0f} µs, under the peer "
               f"{peer['jvm_cpu_us']:.0f} µs (idle before the rounds: {hub['jvm_idle_cores']:.2f} of a core)"
               if hub["jvm_cpu_us"] is not None else "")
        out(f"    (req/s with {connections} connection(s): hub {hub['rps']:.0f}, peer {peer['rps']:.0f}; p50 per round, ms: "
            f"hub {', '.join(f'{v:.2f}' for v in hub['rounds_p50_ms'])}, peer "
            f"{', '.join(f'{v:.2f}' for v in peer['rounds_p50_ms'])}{jvm})")
    return best


# --------------------------------------------------------------------------------------------- standalone


def main(argv: Sequence[str] | None = None) -> int:
    from bench import on_neo4j, synth
    from bench.run import Report, _child, ensure_country

    ap = argparse.ArgumentParser(prog="python -m bench.peer", description=__doc__.splitlines()[0])
    ap.add_argument("--size", default="40k", help="institutions (default 40k; marks 5×, alliances 2%%)")
    ap.add_argument("--seconds", type=float, default=3.0, help="wrk -d per run (default 3)")
    ap.add_argument("--rounds", type=int, default=5, help="interleaved rounds (default 5)")
    ap.add_argument("--connections", type=int, default=1, help="wrk connections, closed loop (default 1)")
    ap.add_argument("--seed", type=int, default=synth.SEED)
    ap.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "huren-hub-bench",
                    help="the generated country (cached) and the server's directory")
    ap.add_argument("--neo4j-uri", help="a given server (emptied first: it must be empty or hold only what "
                                        "bench.run / bench.peer loaded)")
    ap.add_argument("--neo4j-heap", default=on_neo4j.DEFAULT_HEAP)
    ap.add_argument("--neo4j-pagecache", default=on_neo4j.DEFAULT_PAGECACHE)
    ap.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    a = ap.parse_args(argv)
    # SIGTERM as an exit, so the servers this run started are stopped on the way out (the finally blocks)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    why = node_missing()
    if why:
        print(f"bench.peer: {why}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    sizes = synth.Sizes(synth.parse_count(a.size))
    section = f"{synth.label(sizes.institutions)} neo4j"
    report = Report()
    ensure_npm(report.out)
    a.workdir.mkdir(parents=True, exist_ok=True)
    country_dir, _, cached = ensure_country(sizes, a.seed, a.workdir)
    counts = json.loads((country_dir / "country.json").read_text(encoding="utf-8"))["counts"]
    print(f"bench.peer: {', '.join(f'{k} {v:,}' for k, v in counts.items())}" + (" (cached)" if cached else "")
          + f"; wrk -c{a.connections} -d{a.seconds:g}s × {a.rounds} rounds; load average "
          + ", ".join(f"{x:.2f}" for x in os.getloadavg()))
    with on_neo4j.server(a.workdir, f"peer-{synth.label(sizes.institutions)}", uri=a.neo4j_uri, heap=a.neo4j_heap,
                         pagecache=a.neo4j_pagecache) as srv:
        loaded = _child(["_load_neo4j", str(country_dir), srv.uri, str(srv.pid or 0)], timeout=6 * 3600)
        print(f"  loaded into {srv.uri} in {loaded['load_s']:.1f} s")
        figures(srv.uri, country_dir, report, section, seconds=a.seconds, rounds=a.rounds, seed=a.seed,
                workdir=a.workdir, connections=a.connections, jvm_pid=srv.pid)
    print(f"\n{len(report.figures)} figures in {time.perf_counter() - started:.0f} s; load average "
          + ", ".join(f"{x:.2f}" for x in os.getloadavg()))
    if a.json:
        a.json.write_text(json.dumps({"figures": report.as_dict()}, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
