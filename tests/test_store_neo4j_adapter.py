"""The Neo4j adapter's own code (sessions, transactions, batching, value conversion, error messages),
exercised without a Neo4j server: the driver is replaced by a stand-in that runs the statements on an
embedded LadybugDB file.

This is plumbing coverage only — it says nothing about Neo4j's semantics, which need the real server
(``test_store_neo4j.py``, ``NEO4J_URI``) — but it runs everywhere, so the adapter never ships unexecuted.
The stand-in skips Neo4j DDL (constraints, indexes: the LadybugDB tables are created instead), turns
LadybugDB errors into ``neo4j.exceptions`` and returns dates as ``neo4j.time.Date`` like the real driver.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from tests.test_store_common import StoreBehaviours, check_bulk_load_port, check_load_idempotent  # noqa: E402

import graph.neo4j_store as neo4j_store  # noqa: E402
from graph.statements import statement  # noqa: E402
from graph.store import StoreError, open_store  # noqa: E402

neo4j = pytest.importorskip("neo4j")


class _Record:
    def __init__(self, values: list[Any]) -> None:
        self._values = values

    def values(self) -> list[Any]:
        return self._values


class _Result:
    def __init__(self, keys: list[str], records: list[_Record]) -> None:
        self.keys, self.records = keys, records

    async def consume(self) -> None:
        return None


def _neo4j_value(value: Any) -> Any:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return neo4j.time.Date(value.year, value.month, value.day)
    if isinstance(value, list):
        return [_neo4j_value(v) for v in value]
    return value


class FakeDriver:
    """Just enough of ``neo4j.AsyncDriver`` for Neo4jStore, on a LadybugDB file."""

    databases: dict[str, Any] = {}

    def __init__(self, target: str, path: Path) -> None:
        import ladybug

        if target not in self.databases:
            self.databases[target] = ladybug.Database(str(path))
            conn = ladybug.Connection(self.databases[target])
            for part in statement("schema", "ladybug").parts:
                conn.execute(part)
        self.conn = ladybug.Connection(self.databases[target])
        self.execute_query_bookmark_manager = object()
        self.sessions: list[dict] = []
        self.closed = False

    async def verify_connectivity(self) -> None:
        return None

    def run(self, query: str, params: dict | None = None) -> _Result:
        if query.lstrip().startswith("CREATE CONSTRAINT") or query.lstrip().startswith("CREATE INDEX"):
            return _Result([], [])
        try:
            result = self.conn.execute(query, params or {})
        except RuntimeError as exc:
            code = ("Neo.ClientError.Schema.ConstraintValidationFailed" if "duplicate" in str(exc).lower()
                    else "Neo.ClientError.Statement.SemanticError")
            raise neo4j.exceptions.Neo4jError._hydrate_neo4j(code=code, message=str(exc)) from None
        keys = result.get_column_names()
        return _Result(keys, [_Record([_neo4j_value(v) for v in row]) for row in result.get_all()])

    async def execute_query(self, query: str, params: dict | None = None, *, routing_: Any = None,
                            database_: str | None = None) -> _Result:
        return self.run(query, params)

    def session(self, **config: Any) -> _Session:
        self.sessions.append(config)
        return _Session(self)

    async def close(self) -> None:
        self.closed = True


class _Tx:
    def __init__(self, driver: FakeDriver) -> None:
        self.driver = driver

    async def run(self, query: str, params: dict | None = None) -> _Result:
        return self.driver.run(query, params)


class _Session:
    def __init__(self, driver: FakeDriver) -> None:
        self.driver = driver

    async def __aenter__(self) -> _Session:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        return None

    async def execute_write(self, work: Any, *args: Any) -> Any:
        conn = self.driver.conn
        conn.execute("BEGIN TRANSACTION")
        try:
            out = await work(_Tx(self.driver), *args)
        except BaseException:
            try:
                conn.execute("ROLLBACK")
            except RuntimeError:
                pass  # LadybugDB already rolled back the failed transaction
            raise
        conn.execute("COMMIT")
        return out


@pytest.fixture
def fake_neo4j(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    drivers: list[FakeDriver] = []

    def driver(target: str, *, auth: Any = None, **config: Any) -> FakeDriver:
        made = FakeDriver(target, tmp_path / "fake-neo4j.lbug")
        made.auth = auth
        drivers.append(made)
        return made

    monkeypatch.setattr(neo4j.AsyncGraphDatabase, "driver", driver)
    monkeypatch.setenv("NEO4J_USER", "hub")
    monkeypatch.setenv("NEO4J_PASSWORD", "secret")
    monkeypatch.setenv("NEO4J_DATABASE", "hubdb")
    target = f"neo4j://fake-{tmp_path.name}:7687"
    yield target, drivers
    for d in drivers:
        d.conn.close()
    FakeDriver.databases.pop(target).close()


@pytest.fixture
async def store(fake_neo4j):
    target, _ = fake_neo4j
    s = await open_store(target, seed=False)
    yield s
    await s.close()


@pytest.fixture
def opener(fake_neo4j):
    target, _ = fake_neo4j
    return lambda: open_store(target, seed=False)


async def test_open_uses_env_credentials_database_and_bookmarks(fake_neo4j):
    target, drivers = fake_neo4j
    store = await open_store(target, seed=False)
    assert isinstance(store, neo4j_store.Neo4jStore) and store.database == "hubdb"
    assert drivers[-1].auth == ("hub", "secret")
    await store.write([("meta.set", {"key": "k", "value": "v"})])
    sessions = drivers[-1].sessions
    assert sessions and all(
        s == {"database": "hubdb", "bookmark_manager": drivers[-1].execute_query_bookmark_manager} for s in sessions
    )
    await store.close()
    assert drivers[-1].closed
    with pytest.raises(StoreError, match="closed"):
        await store.read("graph.counts")


class TestStoreBehaviours(StoreBehaviours):
    """The shared behaviours; dates come back native (``neo4j.time.Date`` → ``datetime.date``) in
    test_dates_round_trip, and the bulk tests run in many small batches."""

    @pytest.mark.parametrize("bulk", [False, True], ids=["one-transaction", "bulk"])
    async def test_loading_twice_changes_nothing(self, store, bulk: bool, monkeypatch: pytest.MonkeyPatch):
        monkeypatch.setattr(neo4j_store, "BULK_BATCH", 7)  # many batches
        await check_load_idempotent(store, bulk=bulk)

    async def test_bulk_load(self, store, monkeypatch: pytest.MonkeyPatch):
        monkeypatch.setattr(neo4j_store, "BULK_BATCH", 1)
        await check_bulk_load_port(store)


async def test_read_of_several_parts_returns_the_rows_of_each(store, monkeypatch: pytest.MonkeyPatch):
    """A read statement of several parts (as common/facts.institutions is for LadybugDB) runs each part
    with the same parameters and returns their rows in order, on Neo4j as on LadybugDB."""
    from graph.statements import Statement

    await store.write([("meta.set", {"key": "a", "value": "1"}), ("meta.set", {"key": "b", "value": "2"})])
    two = Statement("two.parts", "neo4j", ("MATCH (m:Meta {key: $first}) RETURN m.value AS value",
                                           "MATCH (m:Meta {key: $second}) RETURN m.value AS value"), Path("two.parts"))
    monkeypatch.setattr(neo4j_store, "statement", lambda name, backend: two if name == "two.parts" else statement(name, backend))
    assert await store.read("two.parts", {"first": "b", "second": "a"}) == [{"value": "2"}, {"value": "1"}]
