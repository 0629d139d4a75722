"""What only the embedded graph store (LadybugDB) has, on a real store file in ``tmp_path``: a directory
as target, one database per process, the file lock between processes, a ``kill -9`` in the middle of a
``COPY``.  The behaviours shared with Neo4j (schema versions and migrations included) run on both stores
in ``test_store_common.py``.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.test_store_common import (  # noqa: E402
    counts,
    seed_base,
    snapshot,
    synthetic_dataset,
)

from graph.ladybug_store import LadybugStore, holder_file  # noqa: E402
from graph.loading import load_dataset  # noqa: E402
from graph.store import StoreError, StoreLocked, open_store  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CHILD_ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests")])}


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "graph" / "hub.lbug"  # the parent directory does not exist yet


@pytest.fixture
async def store(path: Path):
    s = await open_store(str(path), seed=False)
    yield s
    await s.close()


# -- embedded only -----------------------------------------------------------------------------------


async def test_directory_target_and_one_database_per_process(tmp_path: Path):
    a = await open_store(str(tmp_path), seed=False)  # an existing directory: the file goes inside
    assert isinstance(a, LadybugStore) and a.target == str(tmp_path / "hub.lbug")
    b = await open_store(str(tmp_path / "hub.lbug"), seed=False)  # same file, same process: shared
    try:
        await a.write([("meta.set", {"key": "k", "value": "v"})])
        assert await b.read("meta.get", {"key": "k"}) == [{"value": "v"}]
        await a.close()
        with pytest.raises(StoreError, match="closed"):
            await a.read("graph.counts")
        assert await b.read("meta.get", {"key": "k"}) == [{"value": "v"}]
        assert holder_file(b.path).exists()
    finally:
        await a.close()
        await b.close()
    assert not holder_file(tmp_path / "hub.lbug").exists()


def _run_child(code: str, *args: str, **kw) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), *args], env=CHILD_ENV, cwd=ROOT,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.PIPE, text=True, **kw,
    )


TRY_OPEN = """
    import asyncio, sys
    from graph.store import StoreLocked, open_store
    async def main():
        try:
            store = await open_store(sys.argv[1], seed=False)
        except StoreLocked as exc:
            print("LOCKED", exc)
            return
        print("OPENED")
        await store.close()
    asyncio.run(main())
"""

HOLD = """
    import asyncio, sys
    from graph.store import open_store
    async def main():
        store = await open_store(sys.argv[1], seed=False)
        print("HOLDING", flush=True)
        await asyncio.to_thread(sys.stdin.read)
        await store.close()
    asyncio.run(main())
"""


async def test_second_process_gets_a_message_naming_the_holder(store):
    # this process holds the store; another one tries to open it
    child = _run_child(TRY_OPEN, store.target)
    out, err = child.communicate(timeout=60)
    assert child.returncode == 0, err
    assert out.startswith("LOCKED"), out + err
    assert store.target in out and f"process {os.getpid()}" in out
    assert "Traceback" not in err


async def test_open_held_by_another_process_raises_store_locked(path: Path):
    child = _run_child(HOLD, str(path), "--marker-for-the-test")
    try:
        assert child.stdout.readline().strip() == "HOLDING", child.stderr.read()
        with pytest.raises(StoreLocked) as err:
            await open_store(str(path), seed=False)
        message = str(err.value)
        assert str(path) in message and f"process {child.pid}" in message
        assert "--marker-for-the-test" in message  # the holder's command line
        assert "\n" not in message and "Traceback" not in message
    finally:
        child.communicate(input="", timeout=60)
    assert child.returncode == 0
    # once the holder has gone, the store opens (and the holder's note beside it is gone too)
    assert not holder_file(path).exists()
    s = await open_store(str(path), seed=False)
    await s.close()


# -- kill -9 in the middle of a large bulk load -------------------------------------------------------

BIG = {"institutions": 2_000, "marks": 200_000, "alliances": 100}

LOAD = """
    import asyncio, sys
    from graph.ladybug_store import LadybugStore
    from graph.loading import load_dataset
    from tests.test_store_common import synthetic_dataset

    class Announcing(LadybugStore):
        async def bulk_load(self, table, rows):
            print("BULK", table, flush=True)
            return await super().bulk_load(table, rows)

        async def write(self, ops):
            print("WRITE", *[name for name, _ in ops], flush=True)
            return await super().write(ops)

    async def main():
        store = await Announcing.open(sys.argv[1])
        stats = await load_dataset(store, synthetic_dataset(%(institutions)d, %(marks)d, alliances=%(alliances)d))
        print("DONE", stats, flush=True)
        await store.close()
    asyncio.run(main())
""" % BIG


@pytest.fixture(scope="module")
def clean_load(tmp_path_factory) -> tuple[dict, dict]:
    """Counts and a snapshot of the big dataset loaded without interruption."""

    async def run():
        store = await open_store(str(tmp_path_factory.mktemp("clean") / "hub.lbug"), seed=False)
        try:
            await seed_base(store)
            dataset = synthetic_dataset(BIG["institutions"], BIG["marks"], alliances=BIG["alliances"])
            stats = await load_dataset(store, dataset)
            assert stats.bulk and stats.marks.created == BIG["marks"]
            return await counts(store), await snapshot(store, dataset)
        finally:
            await store.close()

    return asyncio.run(run())


@pytest.mark.slow
@pytest.mark.parametrize(("kill_at", "delay"), [("Institution", 0.0), ("Mark", 0.05), ("FOR_ITEM", 0.0)])
async def test_kill_9_during_bulk_load_then_rerun_converges(path: Path, clean_load, kill_at: str, delay: float):
    store = await open_store(str(path), seed=False)
    await seed_base(store)
    await store.close()

    child = _run_child(LOAD, str(path))
    seen = []
    try:
        for line in child.stdout:
            seen.append(line.strip())
            if line.strip() == f"BULK {kill_at}":
                time.sleep(delay)
                os.kill(child.pid, signal.SIGKILL)
                break
        else:
            pytest.fail(f"the loader never reached BULK {kill_at}: {seen} {child.stderr.read()}")
    finally:
        child.kill()
        child.wait(timeout=60)
    assert child.returncode == -signal.SIGKILL

    # reopen: the store opens, answers, and every COPY is all or nothing
    store = await open_store(str(path), seed=False)
    try:
        found = await counts(store)
        want, want_snapshot = clean_load
        assert found["marks"] in (0, want["marks"]), found
        assert found["institutions"] in (0, want["institutions"]), found
        for key in ("holds", "forItem", "validIn"):
            assert found[key] in (0, found["marks"]), found
        assert found["locatedIn"] in (0, found["institutions"]), found
        # run the same load again: it finishes the job, and the graph equals a clean load
        dataset = synthetic_dataset(BIG["institutions"], BIG["marks"], alliances=BIG["alliances"])
        stats = await load_dataset(store, dataset)
        assert stats.marks.created == BIG["marks"] - found["marks"]
        assert stats.institutions.created == BIG["institutions"] - found["institutions"]
        if found["marks"] and not found["forItem"]:  # killed between the COPYs: links repaired
            assert stats.marks.updated == BIG["marks"]
        assert await counts(store) == want
        assert await snapshot(store, dataset) == want_snapshot
        # and a third run changes nothing
        assert not (await load_dataset(store, dataset)).changed
    finally:
        await store.close()


async def test_the_facts_read_hands_its_lists_joined_and_answers_as_the_lists_would(store):
    """graph/cypher/ladybug/facts.institutions splits ``$ids`` and ``$pairs`` from one U+001F-joined string
    (graph.ladybug_store._joined, cheaper for the driver than a list): the rows are those of the lists
    themselves, also for an id that could not be joined back exactly (holding U+001F) and an empty list."""
    await seed_base(store)
    base = {"name": "院", "tier": "3A", "ownership": "public", "kind": "general", "aliases": [], "region": "110101"}
    odd = "h\x1f2"
    await store.write([("institution.upsert", {"rows": [base | {"id": i} for i in ("h1", "h2", odd)]})])

    async def heads(ids: list, pairs: list) -> list[str]:
        return sorted(r["id"] for r in await store.read("facts.institutions", {"ids": ids, "pairs": pairs}))

    assert await heads(["h1", "h2", "nope"], ["h1|x"]) == ["h1", "h2"]
    assert await heads([odd], ["h1|x"]) == [odd]  # joined, it would have asked for "h" and "2"
    assert await heads(["h1", odd, "h2"], []) == sorted(["h1", "h2", odd])
