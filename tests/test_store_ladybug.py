"""The embedded graph store (LadybugDB) on a real store file in ``tmp_path``.

The behaviours shared with Neo4j live in ``test_store_common.py``; the ones only an embedded store has
(the file lock between processes, a ``kill -9`` in the middle of a bulk load) are here.
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
    StoreBehaviours,
    check_bulk_matches_merge,
    counts,
    seed_base,
    snapshot,
    synthetic_dataset,
)

from graph.ladybug_store import LadybugStore, holder_file  # noqa: E402
from graph.loading import load_dataset  # noqa: E402
from hub.domain.model import Dataset  # noqa: E402
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


@pytest.fixture
def opener(path: Path):
    return lambda: open_store(str(path), seed=False)


# -- the shared behaviours ---------------------------------------------------------------------------


class TestStoreBehaviours(StoreBehaviours):
    async def test_schema_on_first_open_and_reopen(self, opener, path: Path):
        await super().test_schema_on_first_open_and_reopen(opener)
        assert path.is_file()


async def test_bulk_path_builds_the_same_graph(tmp_path: Path):
    a = await open_store(str(tmp_path / "bulk.lbug"), seed=False)
    b = await open_store(str(tmp_path / "merge.lbug"), seed=False)
    try:
        await check_bulk_matches_merge(a, b)
    finally:
        await a.close()
        await b.close()


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


def _edit_offline(path: Path, *statements: str) -> None:
    """Runs ``statements`` on the closed store with the driver itself (to make an older or broken store)."""
    import ladybug

    db = ladybug.Database(str(path))
    conn = ladybug.Connection(db)
    for text in statements:
        conn.execute(text)
    conn.close()
    db.close()


async def _loaded(path: Path, dataset: Dataset, asked: int) -> tuple[list[str], dict]:
    """Loads ``dataset`` into a new store at ``path`` and closes it: the first ``asked`` institutions' ids
    and their facts (what the engine reads), to compare with after the store is edited and reopened."""
    from tests.test_store_common import facts_of

    store = await open_store(str(path), seed=False)
    try:
        await seed_base(store)
        await load_dataset(store, dataset)
        ids = [i.id for i in dataset.institutions[:asked]]
        return ids, await facts_of(store, ids)
    finally:
        await store.close()


async def test_schema_version_1_store_gets_its_marksets_on_open(path: Path):
    """A store written before MarkSet (schema version 1) has them built the first time it is opened."""
    from tests.test_store_common import expected_marks, fact_marks, facts_of

    from graph.store import SCHEMA_VERSION

    dataset = synthetic_dataset(20, 300)
    ids, want = await _loaded(path, dataset, 5)
    _edit_offline(path, "MATCH (s:MarkSet) DELETE s", "MATCH (m:Meta {key: 'schema.version'}) SET m.value = '1'")

    store = await open_store(str(path), seed=False)
    try:
        assert await store.read("meta.get", {"key": "schema.version"}) == [{"value": str(SCHEMA_VERSION)}]
        got = await facts_of(store, ids)
        assert got == want
        assert all(fact_marks(got, i) == expected_marks(dataset, i) for i in ids)
    finally:
        await store.close()


async def _loaded_with_alliances(path: Path) -> tuple[Dataset, list[str], dict]:
    """A closed store holding 30 institutions in 6 alliances of 3; the ids asked and their facts."""
    dataset = synthetic_dataset(30, 100, alliances=6)
    ids, want = await _loaded(path, dataset, 20)
    assert sum(1 for f in want.values() if f.alliances) == 18  # 6 alliances of 3 members
    return dataset, ids, want


async def test_schema_version_2_store_gets_alliance_ids_on_open(path: Path):
    """A store written before Institution.allianceIds (schema version 2: no such column) gets the column
    and its values from MEMBER_OF the first time it is opened, so SAME_ALLIANCE answers do not change."""
    from tests.test_store_common import facts_of

    from graph.store import SCHEMA_VERSION

    dataset, ids, want = await _loaded_with_alliances(path)

    _edit_offline(path, "ALTER TABLE Institution DROP allianceIds",
                  "MATCH (m:Meta {key: 'schema.version'}) SET m.value = '2'")

    store = await open_store(str(path), seed=False)
    try:
        assert await store.read("meta.get", {"key": "schema.version"}) == [{"value": str(SCHEMA_VERSION)}]
        assert await facts_of(store, ids) == want
    finally:
        await store.close()


async def test_members_without_alliance_ids_are_repaired_by_loading_again(path: Path):
    """A bulk load killed after the MEMBER_OF COPY leaves members whose allianceIds lack the alliance:
    the alliance then reads back as changed, and loading the file again recomputes them."""
    from tests.test_store_common import facts_of

    dataset, ids, want = await _loaded_with_alliances(path)

    _edit_offline(path, "MATCH (i:Institution) WHERE i.id IN ['inst-000000', 'inst-000004'] SET i.allianceIds = NULL")

    store = await open_store(str(path), seed=False)
    try:
        broken = await facts_of(store, ids)
        assert broken["inst-000000"].alliances == frozenset() != want["inst-000000"].alliances
        stats = await load_dataset(store, dataset)
        assert stats.alliances.updated == 2 and stats.alliances.unchanged == 4
        assert await facts_of(store, ids) == want
        assert not (await load_dataset(store, dataset)).changed
    finally:
        await store.close()
