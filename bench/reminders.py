"""What a reminder adds over ``priorStudies``: the same patient, institution and day, measured in the same run.

    .venv/bin/python -m bench.reminders                    # 5 rounds, LadybugDB
    .venv/bin/python -m bench.reminders --rounds 3 --seconds 1
    .venv/bin/python -m bench.reminders --graph bolt://127.0.0.1:7687   # a throw-away Neo4j (it is written)

One real Orthanc platform (the test suite's harness, tests/connectors) holds six studies of one patient; the
store holds the institutions and marks.  Three questions are compared:

* ``priorStudies`` — the platforms, the completeness rules, the engine (the baseline);
* ``reminders``, steady state — the same, plus the crosswalk match, the reminder ids and the two store reads
  (the reminders already stored, the institutions' names and regions); every reminder is stored as asked, so
  nothing is written;
* ``reminders``, a new day each time (at a second institution, so its writes never touch the steady side's
  reminders) — the same plus one write transaction (each reminder's ``lastOn`` changes): what a first issue
  costs.

Two measurements, each alternating the three questions so that the machine's drift hits them alike:

1. **in process**, the use cases alone (hub.services.prior_studies / hub.services.reminders) with the
   platform's answer captured once and replayed: what the reminder itself adds, without the platform's noise;
2. **over HTTP**, a real ``hub serve --platforms`` asking the real Orthanc each time: what a caller sees (the
   audit log on, as always: one fsynced event per request on every side).

Printed: medians over the rounds of each side's p50, ratios to ``priorStudies`` and differences in ms taken
within each round (the machine is noisy and shared: only same-run figures mean anything).
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.connectors.connectors_harness import OrthancServer, orthanc_missing  # noqa: E402
from tests.connectors.dicom_synth import SeriesSpec, StudySpec, make_instances  # noqa: E402
from tests.support.hubproc import HubServer, hub_cli  # noqa: E402

PATIENT, ISSUER = "P-BENCH-1", "CN-RESIDENT"
ON = dt.date(2025, 6, 30)
DATASET = {
    "institutions": [
        {"id": "bj-xh", "name": "北京协和医院", "tier": "3A", "region": "110101", "ownership": "public", "kind": "general"},
        {"id": "bj-cy", "name": "北京朝阳医院", "tier": "3A", "region": "110105", "ownership": "public", "kind": "general"},
        {"id": "bj-hd", "name": "海淀示例医院", "tier": "3A", "region": "110108", "ownership": "public", "kind": "general"},
        # the new-day side orders here, so that its writes never touch the steady side's reminders
        {"id": "bj-hd-2", "name": "海淀第二示例医院", "tier": "3A", "region": "110108", "ownership": "public", "kind": "general"},
    ],
    "marks": [
        {"institution": "bj-xh", "item": "BJ-IMG:B020ZYZZZ-00", "scope": "110000", "validFrom": "2024-01-01"},
        {"institution": "bj-xh", "item": "BJ-IMG:B030ZYZZZ-00", "scope": "110000", "validFrom": "2024-01-01"},
        {"institution": "bj-cy", "item": "BJ-IMG:BW23ZYZZZ-00", "scope": "110000", "validFrom": "2024-01-01"},
    ],
}
#: (date, institution, description, procedure code): three are reminded for ORDERS, three are not
STUDIES = [
    (dt.date(2025, 6, 10), "北京协和医院", "头颅 CT 平扫", "B020ZYZZZ-00"),
    (dt.date(2025, 5, 20), "北京协和医院", "头颅MRI平扫", "B030ZYZZZ-00"),
    (dt.date(2025, 4, 2), "北京朝阳医院", "胸部 CT 平扫", "BW23ZYZZZ-00"),
    (dt.date(2025, 3, 1), "北京朝阳医院", "胸部正位 DR", "BW03ZZZZ1-00"),
    (dt.date(2025, 2, 1), "北京协和医院", "泌尿系 CT 平扫", "BT24ZYZZZ-00"),
    (dt.date(2024, 12, 1), "北京朝阳医院", "头颅 CT 平扫", "B020ZYZZZ-00"),
]
ORDERS = ["BJ-IMG:B020ZYZZZ-00", "BJ-IMG:B030ZYZZZ-00", "BJ-IMG:BW23ZYZZZ-00"]
P = {"id": PATIENT, "issuer": ISSUER}
PRIOR = "query($p: PatientInput!, $on: Date) { priorStudies(patient: $p, at: \"bj-hd\", on: $on) { " \
        "studies { studyInstanceUid recognition { verdict } } platforms { id ok } } }"
REMIND = "query($p: PatientInput!, $at: ID!, $on: Date, $orders: [String!]!) { reminders(patient: $p, at: $at, " \
         "orders: $orders, on: $on) { id viewed study { studyInstanceUid } recognition { verdict } } }"


def post(conn: http.client.HTTPConnection, payload: bytes) -> dict:
    conn.request("POST", "/graphql", payload, {"Content-Type": "application/json"})
    r = conn.getresponse()
    data = r.read()
    assert r.status == 200, (r.status, data[:500])
    out = json.loads(data)
    assert "errors" not in out, out["errors"]
    return out


def interleaved(sides: list[Callable[[], float]], seconds: float) -> list[float]:
    """Run the sides in turn (A B C A B C …) for ``seconds``; each side's p50 in ms."""
    samples: list[list[float]] = [[] for _ in sides]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline or len(samples[0]) < 5:
        for k, side in enumerate(sides):
            samples[k].append(side())
    return [statistics.median(x) * 1000 for x in samples]


def report(title: str, rows: list[list[float]]) -> None:
    names = ["priorStudies", "reminders (stored, no write)", "reminders (new day: a write)"]
    print(f"\n{title}")
    for k, name in enumerate(names):
        med = statistics.median(r[k] for r in rows)
        if k == 0:
            print(f"  {name:30s} p50 {med:8.3f} ms   1.000")
        else:
            ratio = statistics.median(r[k] / r[0] for r in rows)
            delta = statistics.median(r[k] - r[0] for r in rows)
            print(f"  {name:30s} p50 {med:8.3f} ms   {ratio:.3f}   {delta:+.3f} ms")


class Replayed:
    """The prior-studies search port answering with one captured answer (no platform asked)."""

    def __init__(self, found: object) -> None:
        self.found = found

    async def search(self, patient_id: str, issuer: str | None = None, since: dt.date | None = None,
                     on: dt.date | None = None) -> object:
        return self.found


def in_process(graph: str, work: Path, rounds: int, seconds: float) -> list[list[float]]:
    import asyncio

    from graph.workflow import WorkflowStore
    from hub.config import Settings
    from hub.runtime import Runtime
    from hub.services.prior_studies import prior_studies
    from hub.services.reminders import reminders

    async def run() -> list[list[float]]:
        settings = Settings(graph=graph, platforms=str(work / "platforms.json"), audit_log=str(work / "audit-ip.jsonl"),
                            pseudonym_key_file=str(work / "pseudonym.key"))
        rt = await Runtime.start(settings)
        try:
            search = Replayed(await rt.prior_studies.search(PATIENT, ISSUER, None, ON))
            store, pseudonyms = WorkflowStore(rt.store), rt.audit.pseudonyms
            day = [0]

            async def prior() -> None:
                await prior_studies(search, rt.engine, PATIENT, ISSUER, "bj-hd", None, ON)

            async def steady() -> None:
                got = await reminders(search, rt.engine, rt.items, store, pseudonyms, PATIENT, ISSUER, "bj-hd", ORDERS, ON)
                assert len(got.reminders) == 3

            async def fresh() -> None:
                day[0] += 1
                got = await reminders(search, rt.engine, rt.items, store, pseudonyms, PATIENT, ISSUER, "bj-hd-2", ORDERS,
                                      ON + dt.timedelta(days=day[0]))
                assert len(got.reminders) == 3

            def timed(fn):  # noqa: ANN001, ANN202
                async def once() -> float:
                    t = time.perf_counter()
                    await fn()
                    return time.perf_counter() - t
                return once

            sides = [timed(prior), timed(steady), timed(fresh)]
            for side in sides:  # warm-up: caches, plans, the steady side's reminders stored
                for _ in range(20):
                    await side()
            rows = []
            for k in range(rounds):
                samples: list[list[float]] = [[] for _ in sides]
                deadline = time.monotonic() + seconds
                while time.monotonic() < deadline or len(samples[0]) < 20:
                    for i, side in enumerate(sides):
                        samples[i].append(await side())
                row = [statistics.median(x) * 1000 for x in samples]
                rows.append(row)
                print(f"in process, round {k + 1}: " + " · ".join(f"{v:.3f} ms" for v in row)
                      + f"  ({len(samples[0])} each)", flush=True)
            return rows
        finally:
            await rt.close()

    return asyncio.run(run())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--graph", help="a Neo4j URL to run on instead of a new LadybugDB file (it is written to)")
    args = ap.parse_args()
    if why := orthanc_missing():
        sys.exit(f"Orthanc is needed ({why}); run scripts/install-test-deps.sh")

    with tempfile.TemporaryDirectory(prefix="bench-reminders-") as tmp:
        work = Path(tmp)
        orthanc = OrthancServer("bj", work)
        orthanc.start()
        hub = None
        try:
            for date, institution, description, code in STUDIES:
                orthanc.stow(make_instances(StudySpec(
                    PATIENT, "DX" if "DR" in description else "MR" if "MR" in description else "CT", date, institution,
                    description, issuer=ISSUER, requested_code=code,
                    series=[SeriesSpec("thick", 2, 5.0), SeriesSpec("thin", 2, 1.0)])))
            (work / "data.json").write_text(json.dumps(DATASET, ensure_ascii=False))
            (work / "platforms.json").write_text(json.dumps({"platforms": [{
                "id": "bj-cloud", "name": "北京市影像云", "region": "110000", "protocol": "dicomweb",
                "baseUrl": orthanc.dicomweb, "timeoutS": 10}]}, ensure_ascii=False))
            graph = args.graph or str(work / "graph.lbug")
            hub_cli("load", "--graph", graph, str(work / "data.json"))
            store = "Neo4j" if args.graph else "LadybugDB"
            what = f"{len(STUDIES)} studies on one Orthanc platform, {len(ORDERS)} orders → 3 reminders"

            rows = in_process(graph, work, args.rounds, args.seconds)
            report(f"in process ({store}; the platform's answer replayed), {what}:", rows)

            hub = HubServer(graph, "--platforms", str(work / "platforms.json"), "--audit-log", str(work / "audit.jsonl"),
                            "--pseudonym-key-file", str(work / "pseudonym.key"), hub_env=False, log=work / "serve.log")
            conn = http.client.HTTPConnection("127.0.0.1", hub.port, timeout=30)
            day = [100_000]  # days the in-process run did not use

            def ask(query: str, at: str, on: Callable[[], dt.date]) -> Callable[[], float]:
                def once() -> float:
                    payload = json.dumps({"query": query, "variables": {
                        "p": P, "at": at, "on": on().isoformat(), "orders": ORDERS}}).encode()
                    t = time.perf_counter()
                    post(conn, payload)
                    return time.perf_counter() - t
                return once

            def next_day() -> dt.date:
                day[0] += 1
                return ON + dt.timedelta(days=day[0] % 3000)

            sides = [ask(PRIOR, "bj-hd", lambda: ON), ask(REMIND, "bj-hd", lambda: ON), ask(REMIND, "bj-hd-2", next_day)]
            interleaved(sides, 1.0)  # warm-up
            rows = []
            for k in range(args.rounds):
                row = interleaved(sides, args.seconds)
                rows.append(row)
                print(f"HTTP, round {k + 1}: " + " · ".join(f"{v:.2f} ms" for v in row), flush=True)
            conn.close()
            report(f"over HTTP ({store}; hub serve asking the real Orthanc each time), {what}:", rows)
        finally:
            if hub is not None:
                hub.stop()
            orthanc.stop(signal.SIGTERM)


if __name__ == "__main__":
    main()
