"""Read-only access to a graph store, for analysts: ``hub cypher`` (Cypher text typed by a person) and the
source side of ``hub export`` (named statements of the registry).  Nothing here can write.

* **Embedded (LadybugDB)**: ``ladybug.Database(path, read_only=True)``.  Measured with ladybug 0.22.0
  (docs/ANALYSTS.md, "Reading a store that hub serve holds"): it opens while ``hub serve`` (or ``hub load``)
  holds the file read-write — the lock the adapter relies on (graph.ladybug_store) is only taken by
  read-write opens — and does not stop a read-write open either.  What it reads is a **snapshot as of
  the open** (the committed data plus the writer's WAL replayed in memory); later writes are not seen,
  so the shell opens a fresh snapshot for every query and an export reads one snapshot throughout.
  While the writer is writing or checkpointing, an open or a query can fail (checkpoint recovery
  pending, a WAL read mid-append, an index page rewritten under it): the engine raises, it did not
  return wrong rows in our trials, and :func:`transient` says which failures are worth one more try.
  Nothing is created: a path with no store is refused rather than made into an empty one.
* **Neo4j**: the official driver; every query runs in a managed *read* transaction (``execute_read``,
  access mode READ): the server refuses a write in it, and a ``neo4j://`` URL routes it to a reader of a
  cluster.
* Both refuse, before anything runs, text with a clause that writes or reaches outside the graph
  (:func:`check_read_only`): the engines would refuse most of it anyway, but with messages that do not
  say "this shell is read-only", and ``LOAD FROM`` / ``LOAD CSV`` (reading files) is not a write to them.
"""

from __future__ import annotations

import asyncio
import os
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from graph.statements import Backend, statement
from graph.store import Params, Row, SCHEMA_VERSION, StoreError, is_neo4j_target

#: clauses that write, change the schema, manage the server or read files: refused by check_read_only
WRITE_CLAUSES = frozenset({
    "CREATE", "MERGE", "SET", "DELETE", "DETACH", "REMOVE", "DROP", "ALTER", "COPY", "LOAD", "FOREACH",
    "INSTALL", "UNINSTALL", "IMPORT", "EXPORT", "ATTACH", "CHECKPOINT", "BEGIN", "COMMIT", "ROLLBACK",
    "GRANT", "DENY", "REVOKE", "TERMINATE", "RENAME",
})
_TOKEN = re.compile(
    r"""//[^\n]*|/\*.*?\*/          # comments
      |'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"   # strings
      |`[^`]*`                       # quoted names
      |[$.]?[A-Za-z_][A-Za-z0-9_]*   # words (with a leading $ or . they are parameters or properties)
      |\S""",
    re.S | re.X,
)
#: how many times an embedded read is tried when it fails while another process writes (see transient)
ATTEMPTS = 4


class ReadOnlyRefused(StoreError):
    """The text would write (or read files); nothing ran."""


def clause_words(text: str) -> list[str]:
    """The words of ``text`` that can be clause keywords: not in a comment, a string or backticks, not a
    ``$parameter`` or a ``.property``, not a map key or label (followed or preceded by ``:``)."""
    tokens = _TOKEN.findall(text)
    words = []
    for k, tok in enumerate(tokens):
        if not (tok[0].isalpha() or tok[0] == "_"):
            continue
        after = tokens[k + 1] if k + 1 < len(tokens) else ""
        before = tokens[k - 1] if k else ""
        if after == ":" or before == ":":
            continue
        words.append(tok.upper())
    return words


def check_read_only(text: str) -> None:
    """Refuse Cypher that would write or read outside the graph, naming the clause."""
    found = [w for w in clause_words(text) if w in WRITE_CLAUSES]
    if found:
        clauses = ", ".join(dict.fromkeys(found))
        raise ReadOnlyRefused(
            f"refused: {clauses} — this shell is read-only (it runs MATCH … RETURN, WITH, UNWIND, CALL of "
            f"read-only procedures, SHOW, EXPLAIN/PROFILE); write with `hub load`, nothing was run"
        )


def split_statements(text: str) -> list[str]:
    """``text`` cut at every ``;`` that is not inside a string, a comment or backticks; empty parts dropped."""
    parts, current = [], []
    for tok in re.findall(r"//[^\n]*|/\*.*?\*/|'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|`[^`]*`|;|[^;'\"`/]+|/",
                          text, re.S):
        if tok == ";":
            parts.append("".join(current))
            current = []
        else:
            current.append(tok)
    parts.append("".join(current))
    return [p.strip() for p in parts if _has_code(p)]


def _has_code(text: str) -> bool:
    return bool(re.sub(r"//[^\n]*|/\*.*?\*/|\s", "", text, flags=re.S))


@dataclass
class Result:
    columns: list[str]
    rows: list[list[Any]]
    ms: float


class ReadOnlyGraph(Protocol):
    backend: Backend
    target: str

    async def read(self, name: str, params: Params | None = None) -> list[Row]:
        """The named statement's rows (as :meth:`graph.store.GraphStore.read`, without its counters)."""
        ...

    async def query(self, text: str, params: Mapping[str, Any] | None = None) -> Result:
        """Run one read-only statement typed by a person (checked by :func:`check_read_only`)."""
        ...

    async def close(self) -> None: ...


def transient(message: str) -> bool:
    """An embedded read that failed because another process was writing the file at that moment (seen
    in our trials: docs/ANALYSTS.md), as opposed to a mistake in the query."""
    m = message.lower()
    return any(s in m for s in ("checkpoint recovery is pending", "wal file is corrupted", "cannot read from file",
                                "primary-key index contains an invalid", "of the diskarray"))


# -- LadybugDB ---------------------------------------------------------------------------------------------


class LadybugReadOnly:
    """A read-only snapshot of an embedded store (see the module docstring)."""

    backend: Backend = "ladybug"

    def __init__(self, path: Path, *, fresh: bool) -> None:
        self.path = path
        self.target = str(path)
        #: True: a new snapshot for every query (the shell); False: one snapshot for every read (export)
        self.fresh = fresh
        self._db: Any = None
        self._conn: Any = None
        self._used = False  # has the current snapshot answered a query yet

    @classmethod
    async def open(cls, target: str, *, fresh: bool = False) -> LadybugReadOnly:
        from graph.ladybug_store import resolve_path

        path = resolve_path(target)
        if not path.exists():
            raise StoreError(f"no graph store at {path} (hub load creates one)")
        store = cls(path, fresh=fresh)
        await asyncio.to_thread(store._connect)
        try:
            rows = await store.read("meta.get", {"key": "schema.version"})
        except StoreError as exc:
            await store.close()
            if "does not exist" in str(exc) or "not exist" in str(exc):
                raise StoreError(f"{path} is not a graph store of this hub (no Meta table)") from None
            raise
        found = int(rows[0]["value"]) if rows else None
        store._used = False  # the snapshot just opened is fresh enough for the first statement
        if found != SCHEMA_VERSION:
            await store.close()
            raise StoreError(
                f"the graph store {path} has schema version {found}, this hub reads {SCHEMA_VERSION}: open it "
                f"once read-write (hub load or hub serve) to bring it up to date, then retry"
            )
        return store

    def _connect(self) -> None:
        import ladybug

        self._disconnect()
        for attempt in range(ATTEMPTS):
            try:
                self._db = ladybug.Database(str(self.path), read_only=True)
                self._conn = ladybug.Connection(self._db)
                self._used = False
                return
            except RuntimeError as exc:
                self._disconnect()
                if attempt + 1 == ATTEMPTS or not transient(str(exc)):
                    raise StoreError(f"cannot open the graph store {self.path} read-only: {exc}") from None
                time.sleep(0.2 * (attempt + 1))

    def _disconnect(self) -> None:
        conn, db, self._conn, self._db = self._conn, self._db, None, None
        if conn is not None:
            conn.close()
        if db is not None:
            db.close()

    def _run(self, parts: list[tuple[str, dict[str, Any]]]) -> tuple[list[str], list[list[Any]]]:
        for attempt in range(ATTEMPTS):
            try:
                if self._conn is None or (self.fresh and self._used):
                    self._connect()
                self._used = True
                columns: list[str] = []
                rows: list[list[Any]] = []
                for text, params in parts:
                    result = self._conn.execute(text, params)
                    if isinstance(result, list):  # several statements in one text: the last one answers
                        result = result[-1]
                    columns = result.get_column_names()
                    rows.extend(result.get_all())
                return columns, rows
            except RuntimeError as exc:
                # a snapshot opened for this query may be retried from a new one; one that the caller reads
                # throughout (export) may not — a new one would mix two states of the store
                if not (self.fresh and transient(str(exc))) or attempt + 1 == ATTEMPTS:
                    raise StoreError(str(exc)) from None
                time.sleep(0.2 * (attempt + 1))
                self._disconnect()
        raise AssertionError("unreachable")

    async def read(self, name: str, params: Params | None = None) -> list[Row]:
        st = statement(name, self.backend).specialised(params or {})
        try:
            columns, rows = await asyncio.to_thread(self._run, st.bound(params or {}))
        except StoreError as exc:
            raise StoreError(f"{name}: {exc}") from None
        return [dict(zip(columns, r, strict=True)) for r in rows]

    async def query(self, text: str, params: Mapping[str, Any] | None = None) -> Result:
        check_read_only(text)
        started = time.perf_counter()
        columns, rows = await asyncio.to_thread(self._run, [(text, dict(params or {}))])
        return Result(columns, rows, (time.perf_counter() - started) * 1000)

    async def close(self) -> None:
        await asyncio.to_thread(self._disconnect)


# -- Neo4j -------------------------------------------------------------------------------------------------


def _native(value: Any) -> Any:
    """Driver values as plain Python (dates as ``datetime.date``); nodes and relationships kept."""
    if hasattr(value, "to_native"):
        return value.to_native()
    if isinstance(value, list):
        return [_native(v) for v in value]
    if isinstance(value, dict):
        return {k: _native(v) for k, v in value.items()}
    return value


class Neo4jReadOnly:
    """Read transactions on a Neo4j server (see the module docstring)."""

    backend: Backend = "neo4j"

    def __init__(self, target: str, driver: Any, database: str | None) -> None:
        self.target = target
        self.database = database
        self._driver = driver

    @classmethod
    async def open(cls, target: str) -> Neo4jReadOnly:
        from graph.neo4j_store import connect

        driver, database = await connect(target)
        return cls(target, driver, database)

    async def _run(self, parts: list[tuple[str, dict[str, Any]]]) -> tuple[list[str], list[list[Any]]]:
        import neo4j

        async def work(tx: Any) -> tuple[list[str], list[list[Any]]]:
            columns: list[str] = []
            rows: list[list[Any]] = []
            for text, params in parts:
                result = await tx.run(text, params)
                columns = list(result.keys())
                rows.extend([[_native(v) for v in record.values()] async for record in result])
            return columns, rows

        try:
            async with self._driver.session(database=self.database, default_access_mode=neo4j.READ_ACCESS) as s:
                return await s.execute_read(work)
        except neo4j.exceptions.Neo4jError as exc:
            raise StoreError(exc.message or str(exc)) from None
        except (neo4j.exceptions.DriverError, OSError) as exc:
            raise StoreError(f"Neo4j at {self.target}: {exc}") from None

    async def read(self, name: str, params: Params | None = None) -> list[Row]:
        args = {k: list(v) if isinstance(v, tuple) else v for k, v in (params or {}).items()}
        st = statement(name, self.backend).specialised(args)
        try:
            columns, rows = await self._run(st.bound(args))
        except StoreError as exc:
            raise StoreError(f"{name}: {exc}") from None
        if columns == ["packedRows"]:  # a statement returning its rows as one list of maps (graph.neo4j_store)
            return [dict(row) for (packed,) in rows for row in packed]
        return [dict(zip(columns, r, strict=True)) for r in rows]

    async def query(self, text: str, params: Mapping[str, Any] | None = None) -> Result:
        check_read_only(text)
        started = time.perf_counter()
        columns, rows = await self._run([(text, dict(params or {}))])
        return Result(columns, rows, (time.perf_counter() - started) * 1000)

    async def close(self) -> None:
        driver, self._driver = self._driver, None
        if driver is not None:
            await driver.close()


async def open_read_only(target: str, *, fresh: bool = False) -> ReadOnlyGraph:
    """A read-only view of the store at ``target`` (a path or a Neo4j URL).  ``fresh``: embedded store, a
    new snapshot for every query (an interactive shell) instead of one for the whole session (an export)."""
    if is_neo4j_target(target):
        return await Neo4jReadOnly.open(target)
    return await LadybugReadOnly.open(target, fresh=fresh)
