"""Behaviours every graph store adapter must show, written once and run against each backend by
``test_store_ladybug.py`` (embedded, always), ``test_store_neo4j_adapter.py`` (the Neo4j adapter on a
stand-in driver, always) and ``test_store_neo4j.py`` (needs ``NEO4J_URI``).

Each ``check_*`` coroutine takes the store under test, or an ``opener``: an async callable that opens
(and the first time creates) the store under test, always on the same target.  :class:`StoreBehaviours`
runs them as tests in each backend's module.  Nothing here is collected as a test.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Awaitable, Callable

import pytest

from graph.loading import BULK_THRESHOLD, institution_row, load_dataset, rel_table
from hub.domain.model import Alliance, Dataset, Institution, Mark
from graph.store import SCHEMA_VERSION, GraphStore, StoreError

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


async def check_bulk_matches_merge(bulk_store: GraphStore, merge_store: GraphStore) -> None:
    """The bulk path and the one-transaction path build the same graph."""
    dataset = synthetic_dataset(200, 3000, alliances=20)
    for store, threshold in ((bulk_store, 1), (merge_store, 10**9)):
        await seed_base(store)
        stats = await load_dataset(store, dataset, bulk_threshold=threshold)
        assert stats.marks.created == 3000
    snap = await snapshot(bulk_store, dataset)
    assert snap == await snapshot(merge_store, dataset)
    for iid, facts in snap["facts"].items():  # every mark of each institution, found through its MarkSets
        assert facts.marks and fact_marks(snap["facts"], iid) == expected_marks(dataset, iid)


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


# -- the behaviours as tests ---------------------------------------------------------------------------


class StoreBehaviours:
    """The shared behaviours as tests, for every backend.  A backend's test module runs them by subclassing
    (``class TestStoreBehaviours(StoreBehaviours)``) and providing two fixtures: ``store``, an open store
    with an empty graph, and ``opener``, an async callable that opens (the first time creates) the store
    on the same target every time.  A subclass overrides a test where its backend needs more around it.
    Not named ``Test…``: nothing is collected in this module."""

    async def test_schema_on_first_open_and_reopen(self, opener: Opener):
        await check_schema_on_open_and_reopen(opener)

    async def test_write_is_all_or_nothing(self, store):
        await check_write_atomicity(store)

    async def test_upserts_are_idempotent(self, store):
        await check_idempotent_upserts(store)

    async def test_dates_round_trip(self, store):
        await check_dates_round_trip(store)

    @pytest.mark.parametrize("bulk", [False, True], ids=["one-transaction", "bulk"])
    async def test_loading_twice_changes_nothing(self, store, bulk: bool):
        await check_load_idempotent(store, bulk=bulk)

    async def test_bulk_load(self, store):
        await check_bulk_load_port(store)

    async def test_calls_counter(self, store):
        await check_calls_counter(store)

    async def test_concurrent_writes_queue(self, store):
        await check_concurrent_writes(store)
