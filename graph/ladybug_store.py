"""The embedded adapter of the graph store port: LadybugDB (``ladybug``, the maintained fork of Kùzu).

How it uses the engine (facts measured in FIELD-NOTES and while building this):

* **One ``Database`` per process and file.**  LadybugDB happily opens a second ``Database`` on the
  same file in the same process (two buffer managers on one file: a corruption waiting to happen), so
  stores opened on the same path share one :class:`_Engine` (reference counted).  Another *process*
  cannot open the file read-write: :class:`~graph.store.StoreLocked` names the holder.
* **Reads** run on a few reader threads (:mod:`graph.threads`), one ``Connection`` per thread.  Measured against
  ``ladybug.AsyncConnection`` on point lookups (more queries/s, lower median latency: docs/BENCHMARKS.md,
  "Store reads"), the thread-local connections are simpler and faster.
* **One writer.**  LadybugDB fails a second write transaction at once instead of waiting, so every
  write runs on one dedicated thread with one write connection (``BEGIN TRANSACTION`` … ``COMMIT``,
  ``ROLLBACK`` on any error), behind an ``asyncio.Lock``.  A cancelled ``write()`` still finishes (or
  rolls back) on that thread before the next write starts.
* **Bulk loads** ``COPY`` from a pyarrow Table, or straight from a parquet file (:class:`ParquetColumns`:
  LadybugDB reads the file itself, so neither the rows nor their Arrow copy pass through Python), all or
  nothing per ``COPY``.  Each ``COPY`` runs on a
  fresh connection that is closed afterwards: the driver caches a prepared statement per Table object
  (keeping the Table alive), and running a second ``COPY`` with the same Table object on the same
  connection crashed the process (ladybug 0.22.0, segfault).
* **Plans go stale.**  Each connection caches the plan of every statement it ran; after a bulk load
  (or every :data:`REPLAN_ROWS` rows written) connections are renewed so lookups are planned for the
  tables' new sizes (see :meth:`_Engine.replan`).
* Rows come back as ``dict`` of Python scalars/lists with ``DATE`` as ``datetime.date``.
"""

from __future__ import annotations

import asyncio
import functools
import json
import os
import re
import sys
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graph.statements import Backend, statement
from graph.threads import WorkerThreads
from graph.store import Params, Row, StoreError, StoreLocked, check_schema_version, check_skip, skip_op

#: file name used when the target is an existing directory
DEFAULT_FILE = "hub.lbug"
#: rows written after which connections are renewed so that statements are planned afresh
REPLAN_ROWS = 10_000


def _import_ladybug() -> Any:
    if "kuzu" in sys.modules:  # FIELD-NOTES: importing both in one process crashes it
        raise StoreError("the 'kuzu' module is loaded in this process; it cannot coexist with 'ladybug'")
    import ladybug

    return ladybug


def resolve_path(target: str | os.PathLike[str]) -> Path:
    """The database file for ``target``: the path itself, or ``<dir>/hub.lbug`` for a directory."""
    path = Path(target).expanduser()
    if path.is_dir():
        path = path / DEFAULT_FILE
    return path.absolute()


def holder_file(path: Path) -> Path:
    """The file beside the store that names the process holding it read-write."""
    return path.with_name(path.name + ".pid")


def _process_command(pid: int) -> str | None:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    return " ".join(part.decode(errors="replace") for part in raw.split(b"\0") if part) or None


def _locked_message(path: Path, engine_message: str) -> str:
    match = re.search(r"held by PID (\d+)", engine_message)
    pid: int | None = int(match.group(1)) if match else None
    command: str | None = None
    try:
        info = json.loads(holder_file(path).read_text(encoding="utf-8"))
        if pid is None or info.get("pid") == pid:
            pid = info.get("pid")
            command = info.get("command")
    except (OSError, ValueError, AttributeError):
        pass
    if pid is not None and command is None:
        command = _process_command(pid)
    who = "another process"
    if pid is not None:
        who = f"process {pid}" + (f" ({command})" if command else "")
    return (
        f"the graph store {path} is in use by {who}; stop that process, or run the command through it "
        f"(a server that holds the store), then retry"
    )


def _rows(result: Any) -> list[Row]:
    columns = result.get_column_names()
    return [dict(zip(columns, values, strict=True)) for values in result.get_all()]


@dataclass(frozen=True)
class ParquetColumns:
    """Rows for :meth:`LadybugStore.bulk_load` that LadybugDB reads itself from a parquet file: for a node
    table the columns the ``bulk.<table>`` statement lists (by name; the file may hold others), for a
    relationship table ``columns`` names its FROM and TO keys.  Measured on the national load's relationships
    (1M institutions, 4.9M marks, one table at a time): one COPY from the file took 12.3-13.9 s of CPU and
    1.0 GB peak RSS where ten 500k-row COPYs from Arrow tables of the same file took 17.6-19.9 s and 1.5 GB
    (docs/BENCHMARKS.md, "Loading")."""

    path: Path
    columns: tuple[str, ...] = ()

    def num_rows(self) -> int:
        import pyarrow.parquet as pq

        return int(pq.ParquetFile(self.path).metadata.num_rows)

    def load_from(self, relationship: bool) -> str:
        """The ``LOAD FROM`` clause that stands for ``LOAD FROM $rows`` in a ``bulk.<table>`` statement."""
        path = str(Path(self.path).absolute())
        if "'" in path or "\\" in path:
            raise StoreError(f"bulk load from {path}: a path with a quote or a backslash cannot be a COPY source")
        if not relationship:
            return f"LOAD FROM '{path}'"
        if len(self.columns) != 2 or not all(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", c) for c in self.columns):
            raise StoreError(f"bulk load from {path}: a relationship needs its two key columns, not {self.columns}")
        return f"LOAD FROM '{path}' WITH {self.columns[0]} AS src, {self.columns[1]} AS dst"


#: a list parameter a statement reads as ``string_split($name, '\u001f')`` (graph/cypher/ladybug/
#: facts.institutions): handed to the driver as one string, its elements joined by U+001F (see _joined)
_SPLIT = re.compile(r"string_split\(\s*\$([A-Za-z_][A-Za-z0-9_]*)\s*,\s*'\\u001f'\s*\)")
_UNIT = "\x1f"


@functools.cache
def _split_params(text: str) -> tuple[tuple[str, ...], str]:
    """The parameters ``text`` splits (see _SPLIT), and ``text`` reading them as lists instead."""
    names = tuple(dict.fromkeys(_SPLIT.findall(text)))
    return names, (_SPLIT.sub(lambda m: "$" + m.group(1), text) if names else text)


def _joined(text: str, bound: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The part ``text`` and its parameters as the driver is handed them: each list the part splits
    joined into one string.  Why: the driver walks every element of a list parameter in Python (for the type
    signature of its statement cache) and converts each one; one string costs neither (figures in
    graph/cypher/ladybug/facts.institutions).  A list that cannot be joined back exactly — empty, an
    element that is not a string or holds U+001F — runs the part with ``$name`` in place of the split, the
    same rows from the list itself."""
    names, as_lists = _split_params(text)
    if not names:
        return text, bound
    out = dict(bound)
    for name in names:
        values = out.get(name)
        if not isinstance(values, (list, tuple)):
            continue
        try:
            joined = _UNIT.join(values)
        except TypeError:
            return as_lists, bound
        if not values or joined.count(_UNIT) != len(values) - 1:
            return as_lists, bound
        out[name] = joined
    return text, out


#: threads one read query may use (see _Engine.connection)
READ_THREADS = 1


class _Engine:
    """The process-wide state of one database file: the ``Database``, the reader pool and the writer."""

    def __init__(self, path: Path, db: Any, readers: int) -> None:
        self.path = path
        self.db = db
        self.refs = 0
        #: reads: a SimpleQueue hand-over, shorter than run_in_executor's (graph/threads.py)
        self.readers = WorkerThreads(readers, "lbug-read")
        self.write_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lbug-write")
        self._local = threading.local()
        self._connections: list[Any] = []
        self._connections_lock = threading.Lock()
        self._write_conn: Any = None
        self._write_generation = 0
        #: bumped when the tables have grown enough for cached plans to be stale (see replan())
        self.generation = 0
        self._rows_since_replan = 0

    def replan(self, rows: int | None = None) -> None:
        """Note that ``rows`` rows were written (``None``: a bulk load).  A connection caches the plan
        of every statement it ran, compiled for the table sizes of that moment: a lookup planned on an
        empty ``Mark`` table and reused after a million marks were copied in ran several times slower
        than one planned afresh (docs/BENCHMARKS.md, "Store reads").  After a bulk load, or every
        REPLAN_ROWS rows written, connections are renewed before their next statement."""
        self._rows_since_replan += REPLAN_ROWS if rows is None else rows
        if self._rows_since_replan >= REPLAN_ROWS:
            self._rows_since_replan = 0
            self.generation += 1

    def connection(self) -> Any:
        """This thread's read connection."""
        import ladybug

        conn = getattr(self._local, "conn", None)
        if conn is not None and self._local.generation != self.generation:
            with self._connections_lock:
                self._connections.remove(conn)
            conn.close()
            conn = None
        if conn is None:
            conn = self._local.conn = ladybug.Connection(self.db)
            # Reads are point lookups from the engine and small pages: one thread each runs them faster
            # than the engine's parallel plan (docs/BENCHMARKS.md, "Store reads"), and the read pool
            # already gives concurrency across requests.
            conn.set_max_threads_for_exec(READ_THREADS)
            self._local.generation = self.generation
            with self._connections_lock:
                self._connections.append(conn)
        return conn

    def write_connection(self) -> Any:
        """The writer thread's connection (only ever used on the writer thread)."""
        import ladybug

        if self._write_conn is not None and self._write_generation != self.generation:
            self._write_conn.close()
            self._write_conn = None
        if self._write_conn is None:
            self._write_conn = ladybug.Connection(self.db)
            self._write_generation = self.generation
        return self._write_conn

    def close(self) -> None:
        self.readers.shutdown()
        self.write_pool.shutdown(wait=True)
        for conn in [*self._connections, self._write_conn]:
            if conn is not None:
                conn.close()
        self._connections.clear()
        self._write_conn = None
        self.db.close()


_ENGINES: dict[Path, _Engine] = {}
_ENGINES_LOCK = threading.Lock()


def _acquire_engine(path: Path, readers: int) -> _Engine:
    with _ENGINES_LOCK:
        engine = _ENGINES.get(path)
        if engine is None:
            ladybug = _import_ladybug()
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:  # a parent is a file, or not writable
                blocker = next((p for p in (path.parent, *path.parent.parents) if p.exists() and not p.is_dir()), None)
                why = (f"{blocker} is a file, not a directory" if blocker is not None
                       else f"{exc.strerror or exc} ({exc.filename or path.parent})")
                raise StoreError(f"cannot create the graph store {path}: {why}") from None
            try:
                db = ladybug.Database(str(path))
            except RuntimeError as exc:
                message = str(exc)
                if "could not set lock" in message.lower():
                    raise StoreLocked(_locked_message(path, message)) from None
                raise StoreError(f"cannot open the graph store {path}: {message}") from None
            engine = _Engine(path, db, readers)
            _write_holder_file(path)
            _ENGINES[path] = engine
        engine.refs += 1
        return engine


def _release_engine(engine: _Engine) -> None:
    with _ENGINES_LOCK:
        engine.refs -= 1
        if engine.refs > 0:
            return
        _ENGINES.pop(engine.path, None)
        engine.close()
        _remove_holder_file(engine.path)


def _write_holder_file(path: Path) -> None:
    info = {"pid": os.getpid(), "command": " ".join(sys.argv) or sys.executable, "since": time.time()}
    try:
        holder_file(path).write_text(json.dumps(info), encoding="utf-8")
    except OSError:
        pass  # only used to name the holder in a message


def _remove_holder_file(path: Path) -> None:
    try:
        info = json.loads(holder_file(path).read_text(encoding="utf-8"))
        if info.get("pid") == os.getpid():
            holder_file(path).unlink()
    except (OSError, ValueError, AttributeError):
        pass


class LadybugStore:
    """The graph store on an embedded LadybugDB file (see the module docstring)."""

    backend: Backend = "ladybug"

    def __init__(self, engine: _Engine) -> None:
        self._engine: _Engine | None = engine
        self.target = str(engine.path)
        self.path = engine.path
        self.calls = 0
        self._write_lock = asyncio.Lock()

    @classmethod
    async def open(cls, target: str | os.PathLike[str], *, readers: int = 2) -> LadybugStore:
        """Open the store at ``target`` (a file path; an existing directory gets ``hub.lbug`` inside),
        creating its parent directories and the schema when needed.

        Raises :class:`StoreLocked` when another process holds the file read-write."""
        path = resolve_path(target)
        engine = await asyncio.to_thread(_acquire_engine, path, readers)
        store = cls(engine)
        try:
            await store._run_script("schema")
            await check_schema_version(store)
        except BaseException:
            await store.close()
            raise
        store.calls = 0
        return store

    # -- the port -------------------------------------------------------------------------------

    async def read(self, name: str, params: Params | None = None) -> list[Row]:
        """Run the named read statement on a reader thread; rows as ``dict``.

        A statement of several parts runs them in order on one connection in one job of the reader
        thread, and returns their rows one after the other.  No transaction spans the parts (BEGIN/COMMIT
        would cost most of what splitting saves: docs/BENCHMARKS.md, "Store reads"): each part reads the
        last committed state, so a load committed between two parts can show one request facts from
        before and after it, as the bulk load path (a COPY per table) can anyway."""
        engine = self._live()
        self.calls += 1
        if skip_op(params):
            return []
        return await engine.readers.run(self._read_job(engine, name, params))

    def read_here(self, name: str, params: Params | None = None) -> list[Row]:
        """:meth:`read` on the calling thread, blocking it (with that thread's connection): for a thread
        that exists only to run reads — the store process's thread per worker connection
        (graph.remote_store), where a hop to a reader thread would add a second hand-over."""
        engine = self._live()
        self.calls += 1
        if skip_op(params):
            return []
        return self._read_job(engine, name, params)()

    def _read_job(self, engine: _Engine, name: str, params: Params | None) -> Any:
        """The blocking job of one read (see :meth:`read`): checked and bound here, run by the caller."""
        check_skip(name, params)
        args = params or {}
        st = statement(name, self.backend).specialised(args)
        skip = args.get("skip") or 0
        if skip:
            # LadybugDB 0.22 kills the process (SIGSEGV in its TopK operator) on ORDER BY … SKIP n past the
            # end of a small table — from n ≈ 8,500 on the demo store's catalog items, ≈ 12,000 on its 18
            # institutions; 30,000 rows skipped 10**9 fine.  ORDER BY … LIMIT k alone never crashed: a page
            # statement (ending ``SKIP $skip LIMIT $limit``) reads its first skip+limit rows and drops skip
            # of them here (at most MAX_SKIP + a page; the deepest page's time: docs/BENCHMARKS.md,
            # "Store reads").
            args = {**args, "skip": 0, "limit": skip + args["limit"]}

        def run() -> list[Row]:
            conn = engine.connection()
            rows: list[Row] = []
            try:
                for text, bound in st.bound(args):
                    rows.extend(_rows(conn.execute(*_joined(text, bound))))
            except RuntimeError as exc:
                raise StoreError(f"{name}: {exc}") from None
            return rows[skip:] if skip else rows

        return run

    async def write(self, ops: Sequence[tuple[str, Params]]) -> None:
        """Run the named statements (every part of each, in order) in one write transaction; on any
        error roll back and raise :class:`StoreError` — nothing of the batch is written.  Ops whose
        ``rows``/``ids`` list is empty are skipped."""
        engine = self._live()
        self.calls += 1
        plan = [
            (name, statement(name, self.backend), params or {})
            for name, params in ops
            if not skip_op(params)
        ]
        if not plan:
            return
        rows = sum(len(p["rows"]) for _, _, p in plan if isinstance(p.get("rows"), (list, tuple)))

        def run() -> None:
            conn = engine.write_connection()
            conn.execute("BEGIN TRANSACTION")
            current = ""
            try:
                for name, st, params in plan:
                    current = name
                    for part, bound in st.bound(params):
                        conn.execute(part, bound)
                conn.execute("COMMIT")
                engine.replan(rows)
            except BaseException as exc:
                try:
                    conn.execute("ROLLBACK")
                except RuntimeError:
                    pass
                if isinstance(exc, RuntimeError):
                    raise StoreError(f"{current}: {exc} (nothing of this batch was written)") from None
                raise

        async with self._write_lock:
            await asyncio.get_running_loop().run_in_executor(engine.write_pool, run)

    async def bulk_load(self, table: str, rows: Any) -> int:
        """``COPY`` the pyarrow Table ``rows`` into ``table`` (statement ``bulk.<table>``), all or
        nothing.  Node tables: columns matched by name.  Relationship tables (upper-case names): the
        first two columns are the FROM and TO keys.  Every node key must be new (a duplicate fails the
        whole COPY).  ``rows`` may also be a :class:`ParquetColumns`: LadybugDB then reads the file
        itself.  Returns the number of rows written."""
        engine = self._live()
        self.calls += 1
        text = statement(f"bulk.{table}", self.backend).text
        if isinstance(rows, ParquetColumns):
            n = rows.num_rows()
            text = text.replace("LOAD FROM $rows", rows.load_from(table.isupper()), 1)
            params: dict[str, Any] = {}
        else:
            n = int(rows.num_rows)
            if table.isupper():
                rows = rows.rename_columns(["src", "dst", *rows.column_names[2:]])
            else:
                # a new Table object per COPY: never hand the driver the same Table twice (see module doc)
                rows = rows.select(rows.column_names)
            params = {"rows": rows}
        if n == 0:
            return 0

        def run() -> int:
            import ladybug

            conn = ladybug.Connection(engine.db)
            try:
                conn.execute(text, params)
            except RuntimeError as exc:
                raise StoreError(f"bulk load of {table}: {exc} (nothing of this table was written)") from None
            finally:
                conn.close()
            engine.replan()
            return n

        async with self._write_lock:
            return await asyncio.get_running_loop().run_in_executor(engine.write_pool, run)

    async def close(self) -> None:
        engine, self._engine = self._engine, None
        if engine is not None:
            await asyncio.to_thread(_release_engine, engine)

    # -- helpers --------------------------------------------------------------------------------

    def _live(self) -> _Engine:
        if self._engine is None:
            raise StoreError(f"the graph store {self.target} is closed")
        return self._engine

    async def _run_script(self, name: str) -> None:
        """Run a DDL script (every part, each in its own auto-committed transaction)."""
        engine = self._live()
        parts = statement(name, self.backend).parts

        def run() -> None:
            conn = engine.write_connection()
            for part in parts:
                try:
                    conn.execute(part)
                except RuntimeError as exc:
                    raise StoreError(f"{name}: {exc}") from None

        async with self._write_lock:
            await asyncio.get_running_loop().run_in_executor(engine.write_pool, run)

    def __repr__(self) -> str:
        return f"LadybugStore({self.target!r})"
