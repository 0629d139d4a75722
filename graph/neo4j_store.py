"""The server adapter of the graph store port: Neo4j 5 through the official async driver.

* ``target`` is the URL as given: ``neo4j://`` / ``neo4j+s://`` / ``neo4j+ssc://`` route (reads go to
  readers, writes to the leader of a cluster), ``bolt://`` / ``bolt+s://`` / ``bolt+ssc://`` talk to one
  server; ``+s`` verifies TLS against the system CAs, ``+ssc`` accepts a self-signed certificate.
* Credentials from ``NEO4J_USER`` (default ``neo4j``) and ``NEO4J_PASSWORD`` (no auth when unset); the
  database from ``NEO4J_DATABASE`` (the server's default database when unset).
* ``open`` creates the constraints and indexes (statement ``schema``) and checks the schema version
  kept in the ``Meta`` node.
* ``read`` runs each part as an auto-commit query in a read session (routed to readers, retried on
  retryable errors, rows possibly packed into one record: :data:`PACKED`); ``write(ops)`` runs every op
  in one managed write transaction (retried by the driver on transient errors, all or nothing); ``bulk_load`` runs
  ``bulk.<table>`` (``UNWIND $rows … CREATE``) in batches of :data:`BULK_BATCH` rows, one transaction
  per batch.
* Temporal values come back as ``neo4j.time`` types and are converted with ``.to_native()`` (a
  ``DATE`` becomes ``datetime.date``), so rows look the same as the embedded store's.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from graph.statements import Backend, statement
from graph.store import Params, Row, StoreError, check_schema_version, check_skip, skip_op

BULK_BATCH = 10_000
#: a read tried this many times on a retryable error (0.1 s, 0.2 s, 0.4 s … apart)
READ_ATTEMPTS = 5
#: a read statement may return its rows packed: one record whose only column, named so, is the list of
#: the rows as maps.  Every record is a Bolt message the async driver reads in Python (~40 µs each here);
#: the 240 rows of a batch of 100 checks' facts cost 10 ms of client CPU as records, 3 ms packed
#: (docs/BENCHMARKS.md, "Neo4j").  The adapter unpacks them, so callers see the same rows either way.
PACKED = "packedRows"
#: a packed read may add a second column, named so: the keys of its rows that hold a date as an ISO string
#: (``toString(d)``), which the adapter makes ``datetime.date``.  The driver builds a ``neo4j.time.Date``
#: in Python for every date it receives (~5 µs each): the ~290 dates of a batch of 100 checks' facts were
#: half of its 3 ms of client CPU (docs/BENCHMARKS.md, "Neo4j").
PACKED_DATES = "packedDates"

# the driver logs a failed connection at WARNING as well as raising it; the error we raise is enough
logging.getLogger("neo4j").addHandler(logging.NullHandler())


#: values that come back from the driver as they are (the common case first: _native runs on every value
#: of every row — as hasattr() first it was a fifth of a batch of 100 checks' client CPU)
_PLAIN = frozenset({str, type(None), int, float, bool})


def _native(value: Any) -> Any:
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is list:
        return [_native(v) for v in value]
    if kind is dict:
        return {k: _native(v) for k, v in value.items()}
    if hasattr(value, "to_native"):
        return value.to_native()
    return value


def _unpacked(row: dict[str, Any], dates: Sequence[str]) -> Row:
    """A row of a packed read (see PACKED): its ``dates`` keys from ISO strings to ``datetime.date``."""
    row = _native(row)
    for key in dates:
        day = row.get(key)
        if day is not None:
            row[key] = dt.date.fromisoformat(day)
    return row


def _plain(params: Params | None) -> dict[str, Any]:
    """Parameters the driver can pack (tuples as lists)."""
    out: dict[str, Any] = {}
    for key, value in (params or {}).items():
        out[key] = list(value) if isinstance(value, tuple) else value
    return out


async def connect(target: str, prepare: Callable[[Any, str | None], Awaitable[None]] | None = None
                  ) -> tuple[Any, str | None]:
    """A driver for the Neo4j server at ``target`` (credentials and database from ``NEO4J_USER`` /
    ``NEO4J_PASSWORD`` / ``NEO4J_DATABASE``), its connectivity verified and ``prepare`` run on it; every
    failure a :class:`StoreError` naming the server (the driver closed).  Shared by the store and the
    read-only view (graph/readonly.py)."""
    import neo4j

    user = os.environ.get("NEO4J_USER") or "neo4j"
    password = os.environ.get("NEO4J_PASSWORD")
    auth = (user, password) if password is not None else None
    database = os.environ.get("NEO4J_DATABASE") or None
    try:
        driver = neo4j.AsyncGraphDatabase.driver(target, auth=auth)
    except (ValueError, neo4j.exceptions.ConfigurationError) as exc:
        raise StoreError(f"bad Neo4j URL {target!r}: {exc}") from None
    try:
        await driver.verify_connectivity()
        if prepare is not None:
            await prepare(driver, database)
    except BaseException as exc:
        await driver.close()
        if isinstance(exc, neo4j.exceptions.AuthError):
            raise StoreError(
                f"Neo4j at {target} refused the credentials (NEO4J_USER / NEO4J_PASSWORD): {exc.message}"
            ) from None
        if isinstance(exc, (neo4j.exceptions.ServiceUnavailable, OSError)):
            raise StoreError(f"cannot reach Neo4j at {target}: {exc}") from None
        if isinstance(exc, neo4j.exceptions.Neo4jError):
            raise StoreError(f"Neo4j at {target}: {exc.message}") from None
        raise
    return driver, database


class Neo4jStore:
    """The graph store on a Neo4j 5 server (see the module docstring)."""

    backend: Backend = "neo4j"

    def __init__(self, target: str, driver: Any, database: str | None) -> None:
        self.target = target
        self.database = database
        self.calls = 0
        self._driver: Any = driver

    @classmethod
    async def open(cls, target: str) -> Neo4jStore:
        store: Neo4jStore | None = None

        async def prepare(driver: Any, database: str | None) -> None:
            nonlocal store
            store = cls(target, driver, database)
            for part in statement("schema", cls.backend).parts:
                await driver.execute_query(part, database_=database)
            await check_schema_version(store)

        await connect(target, prepare)
        assert store is not None
        store.calls = 0
        return store

    # -- the port -------------------------------------------------------------------------------

    async def read(self, name: str, params: Params | None = None) -> list[Row]:
        import neo4j

        self.calls += 1
        if skip_op(params):
            return []
        check_skip(name, params)
        args = _plain(params)
        st = statement(name, self.backend).specialised(args)
        rows: list[Row] = []
        try:
            # a statement of several parts: each its own query with its own parameters, rows one after the
            # other (as LadybugStore)
            for text, bound in st.bound(args):
                keys, values = await self._run_read(text, bound)
                if keys in ([PACKED], [PACKED, PACKED_DATES]):  # one record carrying the rows (see PACKED)
                    for packed, *dates in values:
                        rows.extend(_unpacked(row, dates[0] if dates else ()) for row in packed)
                else:
                    rows.extend({k: _native(v) for k, v in zip(keys, record, strict=True)} for record in values)
        except neo4j.exceptions.Neo4jError as exc:
            raise StoreError(f"{name}: {exc.message}") from None
        except (neo4j.exceptions.DriverError, OSError) as exc:
            raise StoreError(f"{name}: Neo4j at {self.target}: {exc}") from None
        return rows

    async def write(self, ops: Sequence[tuple[str, Params]]) -> None:
        """All ops (every part of each) in one write transaction: all or nothing."""
        import neo4j

        self.calls += 1
        plan = [
            (name, statement(name, self.backend), _plain(params))
            for name, params in ops
            if not skip_op(params)
        ]
        if not plan:
            return
        current = [""]

        async def work(tx: Any) -> None:
            for name, st, params in plan:
                current[0] = name
                for part, bound in st.bound(params):
                    result = await tx.run(part, bound)
                    await result.consume()

        try:
            async with self._session() as session:
                await session.execute_write(work)
        except neo4j.exceptions.Neo4jError as exc:
            raise StoreError(f"{current[0]}: {exc.message} (nothing of this batch was written)") from None
        except (neo4j.exceptions.DriverError, OSError) as exc:
            raise StoreError(f"{current[0]}: Neo4j at {self.target}: {exc}") from None

    async def bulk_load(self, table: str, rows: Any) -> int:
        """``bulk.<table>`` over ``rows`` (a pyarrow Table) in batches of :data:`BULK_BATCH` rows, one
        transaction each.  Node tables: columns by name.  Relationship tables (upper-case names): the
        first two columns are the FROM and TO keys."""
        import neo4j

        self.calls += 1
        n = int(rows.num_rows)
        if n == 0:
            return 0
        if table.isupper():
            rows = rows.rename_columns(["src", "dst", *rows.column_names[2:]])
        text = statement(f"bulk.{table}", self.backend).text

        async def work(tx: Any, batch: list[dict[str, Any]]) -> None:
            result = await tx.run(text, {"rows": batch})
            await result.consume()

        written = 0
        try:
            async with self._session() as session:
                for start in range(0, n, BULK_BATCH):
                    batch = rows.slice(start, BULK_BATCH).to_pylist()
                    await session.execute_write(work, batch)
                    written += len(batch)
        except neo4j.exceptions.Neo4jError as exc:
            raise StoreError(f"bulk load of {table}: {exc.message} ({written} of {n} rows written)") from None
        except (neo4j.exceptions.DriverError, OSError) as exc:
            raise StoreError(f"bulk load of {table}: Neo4j at {self.target}: {exc}") from None
        return written

    async def close(self) -> None:
        driver, self._driver = self._driver, None
        if driver is not None:
            await driver.close()

    # -- helpers --------------------------------------------------------------------------------

    async def _run_read(self, text: str, params: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
        """One read query as an auto-commit transaction: its keys and its records' values.

        Not ``execute_query``: that runs a managed transaction (BEGIN with the query, COMMIT after), two
        round trips where an auto-commit query takes one — 0.3 ms of a 0.8 ms ``RETURN 1`` here
        (docs/BENCHMARKS.md, "Neo4j").  What it gave besides is kept: reads go to readers (a READ
        session), see this store's own writes (the bookmarks ``execute_query`` and ``write`` share), and
        are tried again on the errors the driver calls retryable (a leader switch, a lost connection)."""
        import neo4j

        driver = self._live()
        for attempt in range(READ_ATTEMPTS):
            try:
                async with driver.session(database=self.database, default_access_mode=neo4j.READ_ACCESS,
                                          bookmark_manager=driver.execute_query_bookmark_manager) as session:
                    result = await session.run(text, params)
                    keys = list(result.keys())
                    return keys, await result.values()
            except (neo4j.exceptions.Neo4jError, neo4j.exceptions.DriverError) as exc:
                if attempt + 1 == READ_ATTEMPTS or not exc.is_retryable():
                    raise
                await asyncio.sleep(0.1 * 2**attempt)
        raise AssertionError("unreachable")

    def _session(self) -> Any:
        """A session that shares the driver's ``execute_query`` bookmarks, so a read routed to a
        follower after a write here sees that write (causal consistency across the two APIs)."""
        driver = self._live()
        return driver.session(database=self.database, bookmark_manager=driver.execute_query_bookmark_manager)

    def _live(self) -> Any:
        if self._driver is None:
            raise StoreError(f"the graph store {self.target} is closed")
        return self._driver

    def __repr__(self) -> str:
        return f"Neo4jStore({self.target!r}, database={self.database!r})"
