"""Behaviours every graph store adapter must show, written once and run on both stores: the embedded
LadybugDB file (in ``tmp_path``) and a real Neo4j 5 server (the scratch server of
tests/support/neo4j_server.py, emptied before each test) — the ``backend`` fixture runs each test once
per store.  What only one store has is in ``test_store_ladybug.py`` (the file lock, ``kill -9`` in the
middle of a COPY) and ``test_store_neo4j.py`` (the driver's settings, batching).

The ``check_*`` coroutines take the store under test, or an ``opener``: an async callable that opens (and
the first time creates) the store under test, always on the same target.  The helpers above them
(``seed_base``, ``synthetic_dataset``, ``snapshot`` …) are shared with those modules.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from graph.loading import BULK_THRESHOLD, institution_row, load_dataset, rel_table
from hub.domain.model import Alliance, Dataset, Institution, Mark
from graph.store import SCHEMA_VERSION, GraphStore, StoreError, open_store

Opener = Callable[[], Awaitable[GraphStore]]

REGIONS = [
    ("CN", "中国", "nation", []),
    ("JJJ", "京津冀", "zone", ["CN"]),
    ("110000", "北京市", "province", ["JJJ", "CN"]),
    ("110101", "东城区", "county", ["110000"]),
    ("120000", "天津市", "province", ["JJJ", "CN"]),
    ("130000", "河北省", "province", ["JJJ", "CN"]),
    ("130100", "石家庄市", "city", ["130000"]),
]
PROVINCES = ["110000", "110101", "120000", "130000", "130100"]
ITEMS = 60


def item_row(k: int) -> dict:
    return {
        "ref": f"BJ-IMG:T{k:03d}", "catalog": "BJ-IMG", "local": f"T{k:03d}", "row": k + 1,
        "name": f"检查{k}", "modality": "CT" if k % 2 else "DR", "bodyPart": "chest" if k % 3 == 0 else None,
        "laterality": None, "contrast": None, "views": None, "source": "001", "printed": None, "note": None,
    }


async def seed_base(store: GraphStore) -> None:
    """Regions, one catalog and its items: what datasets point at (seeding proper is graph/seeding.py)."""
    await store.write([
        ("region.upsert", {"rows": [{"code": c, "name": n, "level": lv} for c, n, lv, _ in REGIONS]}),
        ("region.part_of", {"rows": [{"child": c, "parent": p} for c, _, _, ps in REGIONS for p in ps]}),
        ("catalog.upsert", {"rows": [{"id": "BJ-IMG", "name": "北京市医学影像检查资料互认项目清单",
                                      "source": "001", "clause": "附件2", "itemCount": ITEMS}]}),
        ("catalog_item.upsert", {"rows": [item_row(k) for k in range(ITEMS)]}),
    ])


def synthetic_dataset(institutions: int, marks: int, *, source: str = "synthetic", alliances: int = 0) -> Dataset:
    """A deterministic dataset; mark k belongs to institution k % n, so ids never collide."""
    insts = [
        Institution(
            id=f"inst-{k:06d}", name=f"医院{k}", tier=("3A", "2", "1")[k % 3],
            region=PROVINCES[k % len(PROVINCES)], ownership=("public", "private")[k % 2],
            kind=("general", "tcm", "primary")[k % 3], aliases=(f"别名{k}",) if k % 4 == 0 else (),
        )
        for k in range(institutions)
    ]
    per_day = institutions * ITEMS
    mark_list = [
        Mark(
            institution=f"inst-{k % institutions:06d}", item=f"BJ-IMG:T{(k // institutions) % ITEMS:03d}",
            scope=("JJJ", "110000", "CN")[k % 3],
            valid_from=dt.date(2024, 1, 1) + dt.timedelta(days=k // per_day),
            valid_to=None if k % 5 == 0 else dt.date(2026, 12, 31),
        )
        for k in range(marks)
    ]
    alls = [
        Alliance(id=f"alliance-{k:04d}", kind="city_medical_group", name=f"医联体{k}",
                 members=tuple(f"inst-{j:06d}" for j in range(k * 3, min(institutions, k * 3 + 3))))
        for k in range(alliances)
    ]
    return Dataset(source=source, institutions=insts, alliances=alls, marks=mark_list)


async def counts(store: GraphStore) -> dict[str, int]:
    (row,) = await store.read("graph.counts")
    return row


async def snapshot(store: GraphStore, dataset: Dataset) -> dict:
    """Counts plus the stored state of a few records of ``dataset``."""
    picks = lambda xs: [x.id for x in xs[:3]] + [x.id for x in xs[-2:]]  # noqa: E731
    return {
        "counts": await counts(store),
        "institutions": sorted(await store.read("institution.existing", {"ids": picks(dataset.institutions)}),
                               key=lambda r: r["id"]),
        "alliances": sorted(({**r, "members": sorted(r["members"])} for r in
                             await store.read("alliance.existing", {"ids": picks(dataset.alliances)})),
                            key=lambda r: r["id"]),
        "marks": sorted(await store.read("mark.existing", {"ids": picks(dataset.marks)}), key=lambda r: r["id"]),
        "facts": await facts_of(store, picks(dataset.institutions)),
    }


async def facts_of(store: GraphStore, ids: list[str]) -> dict:
    """What the engine's facts port answers for ``ids`` and every item (marks through MarkSet)."""
    from graph.facts import GraphFacts

    return dict(await GraphFacts(store).institution_facts(ids, [f"BJ-IMG:T{k:03d}" for k in range(ITEMS)]))


def expected_marks(dataset: Dataset, institution: str) -> list[tuple]:
    return sorted((m.id, m.item, m.scope, m.valid_from, m.valid_to) for m in dataset.marks
                  if m.institution == institution)


def fact_marks(facts: dict, institution: str) -> list[tuple]:
    return sorted((f"{institution}|{m.item}|{m.scope}|{m.valid_from.isoformat()}", m.item, m.scope, m.valid_from,
                   m.valid_to) for m in facts[institution].marks)


def expected_counts(dataset: Dataset) -> dict[str, int]:
    members = {(i, a.id) for a in dataset.alliances for i in a.members}
    return {
        "institutions": len({i.id for i in dataset.institutions}),
        "locatedIn": len({i.id for i in dataset.institutions}),
        "alliances": len({a.id for a in dataset.alliances}),
        "memberOf": len(members),
        "marks": len({m.id for m in dataset.marks}),
        "holds": len({m.id for m in dataset.marks}),
        "forItem": len({m.id for m in dataset.marks}),
        "validIn": len({m.id for m in dataset.marks}),
    }


def assert_graph_holds(found: dict[str, int], dataset: Dataset) -> None:
    want = expected_counts(dataset)
    assert {k: found[k] for k in want} == want


# -- the behaviours ---------------------------------------------------------------------------------


async def check_schema_on_open_and_reopen(opener: Opener) -> None:
    store = await opener()
    try:
        assert store.calls == 0, "open() does not count as calls"
        assert set((await counts(store)).values()) == {0}
        assert await store.read("meta.get", {"key": "schema.version"}) == [{"value": str(SCHEMA_VERSION)}]
        await seed_base(store)
        await store.write([("meta.set", {"key": "seed.fingerprint", "value": "abc"})])
    finally:
        await store.close()
    store = await opener()  # reopen: schema statements are idempotent, the data is still there
    try:
        c = await counts(store)
        assert (c["regions"], c["catalogItems"], c["inCatalog"]) == (len(REGIONS), ITEMS, ITEMS)
        assert await store.read("meta.get", {"key": "seed.fingerprint"}) == [{"value": "abc"}]
        assert await store.read("meta.get", {"key": "nothing"}) == []
    finally:
        await store.close()


async def check_write_atomicity(store: GraphStore) -> None:
    await seed_base(store)
    before = await counts(store)
    calls = store.calls
    dataset = synthetic_dataset(3, 10)
    bad_region = {"code": None, "name": "no key", "level": "county"}  # a null key fails on both engines
    with pytest.raises(StoreError) as err:
        await store.write([
            ("institution.upsert", {"rows": [institution_row(i) for i in dataset.institutions]}),
            ("meta.set", {"key": "half", "value": "written"}),
            ("region.upsert", {"rows": [bad_region]}),
        ])
    assert "region.upsert" in str(err.value) and "nothing of this batch was written" in str(err.value)
    assert store.calls == calls + 1
    assert await counts(store) == before
    assert await store.read("meta.get", {"key": "half"}) == []
    # the store is still usable after the rollback
    await store.write([("meta.set", {"key": "after", "value": "ok"})])
    assert await store.read("meta.get", {"key": "after"}) == [{"value": "ok"}]


async def check_idempotent_upserts(store: GraphStore) -> None:
    await seed_base(store)
    await seed_base(store)
    c = await counts(store)
    assert (c["regions"], c["partOf"], c["catalogs"], c["catalogItems"], c["inCatalog"]) == (
        len(REGIONS), sum(len(p) for *_, p in REGIONS), 1, ITEMS, ITEMS)
    row = {"id": "h1", "name": "协和", "tier": "3A", "ownership": "public", "kind": "general",
           "aliases": ["北京协和医院", "PUMCH"], "region": "110101"}
    for _ in range(2):
        await store.write([("institution.upsert", {"rows": [row]})])
    assert await store.read("institution.existing", {"ids": ["h1", "unknown"]}) == [row | {"locatedIn": "110101"}]
    # moving the institution relinks LOCATED_IN instead of adding a second link
    await store.write([("institution.upsert", {"rows": [row | {"region": "120000", "aliases": []}]})])
    assert await store.read("institution.existing", {"ids": ["h1"]}) == [
        row | {"region": "120000", "aliases": [], "locatedIn": "120000"}]
    assert (await counts(store))["locatedIn"] == 1
    # alliance membership becomes the listed members
    other = row | {"id": "h2", "name": "二院"}
    await store.write([
        ("institution.upsert", {"rows": [other]}),
        ("alliance.upsert", {"rows": [{"id": "a1", "kind": "city_medical_group", "name": "医联体"}]}),
        ("alliance.members", {"rows": [{"id": "a1", "members": ["h1", "h2"]}]}),
    ])
    from graph.facts import GraphFacts

    # members whose allianceIds does not list the alliance yet (the loader then writes it again)
    assert sorted((await store.read("alliance.existing", {"ids": ["a1"]}))[0]["unlisted"]) == ["h1", "h2"]
    # allianceIds (the engine's read model of MEMBER_OF) follows the edges once recomputed
    await store.write([("institution.alliances", {"ids": ["h1", "h2"]})])
    facts = await GraphFacts(store).institution_facts(["h1", "h2"], [])
    assert facts["h1"].alliances == facts["h2"].alliances == frozenset({"a1"})
    await store.write([("alliance.members", {"rows": [{"id": "a1", "members": ["h2"]}]}),
                       ("institution.alliances", {"ids": ["h1", "h2"]})])
    (a1,) = await store.read("alliance.existing", {"ids": ["a1"]})
    assert a1["members"] == ["h2"] and a1["unlisted"] == [] and (await counts(store))["memberOf"] == 1
    facts = await GraphFacts(store).institution_facts(["h1", "h2"], [])
    assert facts["h1"].alliances == frozenset() and facts["h2"].alliances == frozenset({"a1"})
    # policies: GOVERNS / USES become exactly the lists
    policy = {"id": "001", "title": "北京", "source": "001", "governs": ["110000", "JJJ"], "catalogs": ["BJ-IMG"]}
    await store.write([("policy.upsert", {"rows": [policy]})] * 2)
    c = await counts(store)
    assert (c["policies"], c["governs"], c["uses"]) == (1, 2, 1)
    await store.write([("policy.upsert", {"rows": [policy | {"governs": ["110000"], "catalogs": []}]})])
    c = await counts(store)
    assert (c["policies"], c["governs"], c["uses"]) == (1, 1, 0)
    # an empty batch is skipped, not sent (LadybugDB's binder chokes on an empty UNWIND list)
    await store.write([("institution.upsert", {"rows": []})])
    assert await store.read("institution.existing", {"ids": []}) == []


async def check_dates_round_trip(store: GraphStore) -> None:
    await seed_base(store)
    dataset = synthetic_dataset(2, 10)
    await load_dataset(store, dataset)
    rows = {r["id"]: r for r in await store.read("mark.existing", {"ids": [m.id for m in dataset.marks]})}
    assert len(rows) == 10
    for m in dataset.marks:
        got = rows[m.id]
        assert type(got["validFrom"]) is dt.date and got["validFrom"] == m.valid_from
        assert got["validTo"] == m.valid_to
        assert got["validTo"] is None or type(got["validTo"]) is dt.date
    # a batch whose validTo are all null, and one where the first is null
    extra = [Mark("inst-000000", "BJ-IMG:T050", "CN", dt.date(2020, 2, 29), None),
             Mark("inst-000001", "BJ-IMG:T051", "CN", dt.date(1999, 12, 31), None)]
    later = [dataclasses.replace(extra[0], valid_to=None),
             dataclasses.replace(extra[1], valid_to=dt.date(2100, 1, 1))]
    for marks in (extra, later):
        await load_dataset(store, Dataset(source="dates", marks=marks))
        rows = await store.read("mark.existing", {"ids": [m.id for m in marks]})
        assert sorted((r["validFrom"], r["validTo"]) for r in rows) == sorted(
            (m.valid_from, m.valid_to) for m in marks)


async def check_load_idempotent(store: GraphStore, *, bulk: bool) -> None:
    """Loading the same file twice changes nothing; a changed file updates exactly what changed."""
    await seed_base(store)
    threshold = 1 if bulk else BULK_THRESHOLD
    dataset = synthetic_dataset(30, 400, alliances=5)
    first = await load_dataset(store, dataset, bulk_threshold=threshold)
    assert first.bulk is bulk
    assert (first.institutions.created, first.alliances.created, first.marks.created) == (30, 5, 400)
    before = await snapshot(store, dataset)
    assert_graph_holds(before["counts"], dataset)

    progress: list[tuple[int, int]] = []
    second = await load_dataset(store, dataset, lambda d, t: progress.append((d, t)), bulk_threshold=threshold)
    assert not second.changed
    assert (second.institutions.unchanged, second.alliances.unchanged, second.marks.unchanged) == (30, 5, 400)
    assert await snapshot(store, dataset) == before
    assert progress and progress[-1][0] == progress[-1][1] and all(a <= b for (a, _), (b, _) in
                                                                       zip(progress, progress[1:]))

    # change a few records: only they are written
    changed = Dataset(
        source="v2",
        institutions=[dataclasses.replace(dataset.institutions[0], name="改名医院", region="130100"),
                      *dataset.institutions[1:]],
        alliances=[dataclasses.replace(dataset.alliances[0], members=("inst-000029",)), *dataset.alliances[1:]],
        marks=[dataclasses.replace(dataset.marks[0], valid_to=dt.date(2030, 1, 1)), *dataset.marks[1:]],
    )
    third = await load_dataset(store, changed, bulk_threshold=threshold)
    assert (third.institutions.updated, third.alliances.updated, third.marks.updated) == (1, 1, 1)
    assert (third.institutions.created, third.alliances.created, third.marks.created) == (0, 0, 0)
    after = await snapshot(store, changed)
    assert_graph_holds(after["counts"], changed)
    assert after["institutions"][0]["name"] == "改名医院" and after["institutions"][0]["locatedIn"] == "130100"
    assert after["alliances"][0]["members"] == ["inst-000029"]
    assert after["marks"][0]["validTo"] == dt.date(2030, 1, 1)
    first_id = changed.institutions[0].id
    assert fact_marks(after["facts"], first_id) == expected_marks(changed, first_id)


async def check_bulk_matches_merge(store: GraphStore) -> None:
    """The bulk path and the one-transaction path build the same graph: the same dataset loaded each way
    into the emptied store (``graph.clear``) gives the same snapshot."""
    dataset = synthetic_dataset(200, 3000, alliances=20)
    shots = []
    for threshold in (1, 10**9):
        await store.write([("graph.clear", {})])
        await seed_base(store)
        stats = await load_dataset(store, dataset, bulk_threshold=threshold)
        assert stats.marks.created == 3000 and stats.bulk is (threshold == 1)
        shots.append(await snapshot(store, dataset))
    assert shots[0] == shots[1]
    for iid, facts in shots[0]["facts"].items():  # every mark of each institution, found through its MarkSets
        assert facts.marks and fact_marks(shots[0]["facts"], iid) == expected_marks(dataset, iid)


async def check_bulk_load_port(store: GraphStore) -> None:
    """``bulk_load`` itself: node tables by column name, relationship tables by position."""
    import pyarrow as pa

    await seed_base(store)
    calls = store.calls
    table = pa.table({  # columns deliberately out of order
        "region": ["110000", "120000"], "id": ["b1", "b2"], "name": ["甲", "乙"], "tier": ["3A", "2"],
        "ownership": ["public", "public"], "kind": ["general", "tcm"],
        "aliases": pa.array([["x"], []], pa.list_(pa.string())),
    })
    assert await store.bulk_load("Institution", table) == 2
    assert await store.bulk_load("LOCATED_IN", rel_table([("b1", "110000"), ("b2", "120000")])) == 2
    assert await store.bulk_load("Institution", table.slice(0, 0)) == 0
    assert store.calls == calls + 3
    rows = sorted(await store.read("institution.existing", {"ids": ["b1", "b2"]}), key=lambda r: r["id"])
    assert rows[0] == {"id": "b1", "name": "甲", "tier": "3A", "ownership": "public", "kind": "general",
                       "aliases": ["x"], "region": "110000", "locatedIn": "110000"}
    assert rows[1]["aliases"] == [] and rows[1]["locatedIn"] == "120000"
    # a key that exists already fails the load instead of duplicating the node
    with pytest.raises(StoreError):
        await store.bulk_load("Institution", table.slice(0, 1))
    assert (await counts(store))["institutions"] == 2


async def check_calls_counter(store: GraphStore) -> None:
    start = store.calls
    await store.read("graph.counts")
    await store.write([("meta.set", {"key": "a", "value": "1"}), ("meta.set", {"key": "b", "value": "2"})])
    await store.read("meta.get", {"key": "a"})
    assert store.calls == start + 3


async def check_concurrent_writes(store: GraphStore) -> None:
    """Writers queue behind the store's single writer instead of failing (LadybugDB refuses a second
    write transaction at once)."""
    import asyncio

    await seed_base(store)
    dataset = synthetic_dataset(40, 0)
    await asyncio.gather(*(
        store.write([("institution.upsert", {"rows": [institution_row(i)]}),
                     ("meta.set", {"key": f"k{n}", "value": str(n)})])
        for n, i in enumerate(dataset.institutions)
    ), *(store.read("graph.counts") for _ in range(10)))
    c = await counts(store)
    assert (c["institutions"], c["locatedIn"]) == (40, 40)


# -- the behaviours as tests, on both stores ------------------------------------------------------------


@pytest.fixture
def target(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """The store under test: a LadybugDB file whose directory does not exist yet, or the emptied scratch
    Neo4j (a bare ``open`` on it finds no schema version and writes it)."""
    if backend == "neo4j":
        return request.getfixturevalue("neo4j_scratch")
    return str(tmp_path / "graph" / "hub.lbug")


@pytest.fixture
async def store(target: str):
    s = await open_store(target, seed=False)
    yield s
    await s.close()


@pytest.fixture
def opener(target: str) -> Opener:
    return lambda: open_store(target, seed=False)


async def test_schema_on_first_open_and_reopen(opener: Opener, backend: str, target: str):
    await check_schema_on_open_and_reopen(opener)
    if backend == "ladybug":
        assert Path(target).is_file()


async def test_write_is_all_or_nothing(store):
    await check_write_atomicity(store)


async def test_upserts_are_idempotent(store):
    await check_idempotent_upserts(store)


async def test_dates_round_trip(store):
    await check_dates_round_trip(store)


@pytest.mark.parametrize("bulk", [False, True], ids=["one-transaction", "bulk"])
async def test_loading_twice_changes_nothing(store, bulk: bool):
    await check_load_idempotent(store, bulk=bulk)


async def test_bulk_path_builds_the_same_graph(store):
    await check_bulk_matches_merge(store)


async def test_bulk_load(store):
    await check_bulk_load_port(store)


async def test_calls_counter(store):
    await check_calls_counter(store)


async def test_concurrent_writes_queue(store):
    await check_concurrent_writes(store)


async def test_read_of_several_parts_returns_the_rows_of_each(store, monkeypatch: pytest.MonkeyPatch):
    """A read statement of several parts (as ladybug/facts.institutions is) runs each part
    with the same parameters and returns their rows in order, on either store."""
    import importlib

    from graph.statements import Statement, statement

    await store.write([("meta.set", {"key": "a", "value": "1"}), ("meta.set", {"key": "b", "value": "2"})])
    two = Statement("two.parts", store.backend, ("MATCH (m:Meta {key: $first}) RETURN m.value AS value",
                                                 "MATCH (m:Meta {key: $second}) RETURN m.value AS value"),
                    Path("two.parts"))
    adapter = importlib.import_module(type(store).__module__)
    monkeypatch.setattr(adapter, "statement", lambda name, backend: two if name == "two.parts" else statement(name, backend))
    assert await store.read("two.parts", {"first": "b", "second": "a"}) == [{"value": "2"}, {"value": "1"}]


# -- a store written by an older hub, or left half-written ----------------------------------------------


def edit_offline(backend: str, target: str, *statements: str) -> None:
    """Runs ``statements`` on the closed store with the engine's own driver (to make an older or broken
    store): the ladybug module on the file, the neo4j driver on the server."""
    if backend == "ladybug":
        import ladybug

        db = ladybug.Database(target)
        conn = ladybug.Connection(db)
        for text in statements:
            conn.execute(text)
        conn.close()
        db.close()
        return
    import os

    import neo4j

    password = os.environ.get("NEO4J_PASSWORD")
    auth = (os.environ.get("NEO4J_USER") or "neo4j", password) if password is not None else None
    with neo4j.GraphDatabase.driver(target, auth=auth) as driver:
        for text in statements:
            driver.execute_query(text, database_=os.environ.get("NEO4J_DATABASE") or None)


async def _loaded(target: str, dataset: Dataset, asked: int) -> tuple[list[str], dict]:
    """Loads ``dataset`` into the new store at ``target`` and closes it: the first ``asked`` institutions'
    ids and their facts (what the engine reads), to compare with after the store is edited and reopened."""
    store = await open_store(target, seed=False)
    try:
        await seed_base(store)
        await load_dataset(store, dataset)
        ids = [i.id for i in dataset.institutions[:asked]]
        return ids, await facts_of(store, ids)
    finally:
        await store.close()


async def test_schema_version_1_store_gets_its_marksets_on_open(backend: str, target: str):
    """A store written before MarkSet (schema version 1) has them built the first time it is opened."""
    dataset = synthetic_dataset(20, 300)
    ids, want = await _loaded(target, dataset, 5)
    edit_offline(backend, target, "MATCH (s:MarkSet) DELETE s",
                 "MATCH (m:Meta {key: 'schema.version'}) SET m.value = '1'")

    store = await open_store(target, seed=False)
    try:
        assert await store.read("meta.get", {"key": "schema.version"}) == [{"value": str(SCHEMA_VERSION)}]
        got = await facts_of(store, ids)
        assert got == want
        assert all(fact_marks(got, i) == expected_marks(dataset, i) for i in ids)
    finally:
        await store.close()


async def _loaded_with_alliances(target: str) -> tuple[Dataset, list[str], dict]:
    """A closed store holding 30 institutions in 6 alliances of 3; the ids asked and their facts."""
    dataset = synthetic_dataset(30, 100, alliances=6)
    ids, want = await _loaded(target, dataset, 20)
    assert sum(1 for f in want.values() if f.alliances) == 18  # 6 alliances of 3 members
    return dataset, ids, want


async def test_schema_version_2_store_gets_alliance_ids_on_open(backend: str, target: str):
    """A store written before Institution.allianceIds (schema version 2: no such column on LadybugDB, no
    such property on Neo4j) gets it from MEMBER_OF the first time it is opened, so SAME_ALLIANCE answers
    do not change."""
    dataset, ids, want = await _loaded_with_alliances(target)
    drop = ("ALTER TABLE Institution DROP allianceIds" if backend == "ladybug"
            else "MATCH (i:Institution) REMOVE i.allianceIds")
    edit_offline(backend, target, drop, "MATCH (m:Meta {key: 'schema.version'}) SET m.value = '2'")

    store = await open_store(target, seed=False)
    try:
        assert await store.read("meta.get", {"key": "schema.version"}) == [{"value": str(SCHEMA_VERSION)}]
        assert await facts_of(store, ids) == want
    finally:
        await store.close()


async def test_members_without_alliance_ids_are_repaired_by_loading_again(backend: str, target: str):
    """A bulk load killed after the MEMBER_OF COPY leaves members whose allianceIds lack the alliance:
    the alliance then reads back as changed, and loading the file again recomputes them."""
    dataset, ids, want = await _loaded_with_alliances(target)
    edit_offline(backend, target,
                 "MATCH (i:Institution) WHERE i.id IN ['inst-000000', 'inst-000004'] SET i.allianceIds = NULL")

    store = await open_store(target, seed=False)
    try:
        broken = await facts_of(store, ids)
        assert broken["inst-000000"].alliances == frozenset() != want["inst-000000"].alliances
        stats = await load_dataset(store, dataset)
        assert stats.alliances.updated == 2 and stats.alliances.unchanged == 4
        assert await facts_of(store, ids) == want
        assert not (await load_dataset(store, dataset)).changed
    finally:
        await store.close()
