"""The graph store port: one async interface, two adapters (embedded LadybugDB, Neo4j).

Callers name a statement from the registry (``graph/cypher``) and pass parameters; they never hold
Cypher.  Reads return plain rows (``dict`` of scalars/lists; dates as ``datetime.date``) whatever the
backend.  Writes go through :meth:`GraphStore.write`, which runs a list of statements in one transaction
behind the store's single writer — LadybugDB allows one write transaction at a time and fails a second
one at once instead of waiting (FIELD-NOTES), so serialising writers here is what makes concurrent
``hub load`` through a running server safe.

``open_store(target)`` picks the adapter: a ``bolt://``, ``neo4j://`` or ``neo4j+s://`` URL selects Neo4j
(credentials from ``NEO4J_USER`` / ``NEO4J_PASSWORD``); anything else is a filesystem path for the
embedded store.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

from graph.statements import Backend

Row = dict[str, Any]
Params = Mapping[str, Any]
NEO4J_SCHEMES = ("bolt://", "bolt+s://", "bolt+ssc://", "neo4j://", "neo4j+s://", "neo4j+ssc://")
#: bumped when the schema changes in a way an older hub cannot read (one number for both adapters)
SCHEMA_VERSION = 3
#: the most rows a statement may skip (its ``skip`` parameter): both adapters refuse more, and the browse
#: resolvers refuse it earlier as a BAD_INPUT naming ``offset`` (``Settings.max_offset``).  An offset of
#: a few thousand million once reached LadybugDB and killed the process (graph.ladybug_store.read); a
#: deep offset is also the slowest page any store can serve (every skipped row is read and sorted)
MAX_SKIP = 10_000


class StoreError(Exception):
    """A store failure worth showing to a person (not a stack trace)."""


class StoreLocked(StoreError):
    """The embedded store is held read-write by another process."""


@runtime_checkable
class GraphStore(Protocol):
    backend: Backend
    target: str
    #: round trips made so far (reads + write transactions + bulk loads); tests count these
    calls: int

    async def read(self, name: str, params: Params | None = None) -> list[Row]:
        """Run the named read statement (a single-part statement) and return its rows: one ``dict``
        per row, keyed by the ``RETURN`` aliases, values plain Python (``datetime.date`` for dates).
        A call whose ``ids`` (or ``rows``) parameter is an empty list returns ``[]`` without running:
        LadybugDB's binder cannot type an empty list."""
        ...

    async def write(self, ops: Sequence[tuple[str, Params]]) -> None:
        """Run named write statements in order, in one transaction: all or nothing.  Every part of a
        multi-part statement runs, in order, with the op's parameters.  Ops whose ``rows`` (or
        ``ids``) list is empty are skipped.  Writers queue behind the store's single writer; a failure
        raises :class:`StoreError` naming the statement, after a rollback."""
        ...

    async def bulk_load(self, table: str, rows: Any) -> int:
        """Insert new rows fast with statement ``bulk.<table>``.  ``rows`` is a ``pyarrow.Table``:
        for a node table its columns are matched **by name** to the properties the statement lists
        (every one present; order free); for a relationship table (upper-case name) the first two
        columns are the FROM and TO keys, whatever their names.  Every node key must be new: a key
        already stored fails the load (LadybugDB) or its batch (Neo4j).  LadybugDB uses ``COPY FROM``
        (all or nothing per call), Neo4j batched ``UNWIND … CREATE`` (one transaction per 10k rows).
        Returns the number of rows written."""
        ...

    async def close(self) -> None: ...


def skip_op(params: Params | None) -> bool:
    """An op or read whose ``rows`` (or ``ids``) list is empty has nothing to do, and the adapters skip it:
    running it would only confuse LadybugDB's binder (FIELD-NOTES: an empty list parameter to UNWIND)."""
    if not params:
        return False
    return any(
        key in params and isinstance(params[key], (list, tuple)) and not params[key]
        for key in ("rows", "ids")
    )


def check_skip(name: str, params: Params | None) -> None:
    """Refuse a ``skip`` parameter outside 0..MAX_SKIP before it reaches an engine (see MAX_SKIP)."""
    skip = (params or {}).get("skip")
    if skip is not None and not (isinstance(skip, int) and 0 <= skip <= MAX_SKIP):
        raise StoreError(f"{name}: skip {skip!r} outside 0-{MAX_SKIP}")


async def check_schema_version(store: GraphStore) -> None:
    """Record :data:`SCHEMA_VERSION` in a store that has none yet; refuse one written by a newer hub."""
    rows = await store.read("meta.get", {"key": "schema.version"})
    if not rows:
        await store.write([("meta.set", {"key": "schema.version", "value": str(SCHEMA_VERSION)})])
        return
    found = int(rows[0]["value"])
    if found < SCHEMA_VERSION:
        # version 2 added MarkSet (the marks of an institution|item by primary key), version 3
        # Institution.allianceIds (the alliances it is a member of): both read models of edges, built once
        migrations = [("markset.migrate", None)] if found < 2 else []
        await store.write([*migrations, ("institution.alliances_all", None),
                           ("meta.set", {"key": "schema.version", "value": str(SCHEMA_VERSION)})])
        return
    if found > SCHEMA_VERSION:
        raise StoreError(
            f"the graph store {store.target} has schema version {found}; this hub knows only "
            f"{SCHEMA_VERSION} — upgrade the hub"
        )


def is_neo4j_target(target: str) -> bool:
    return target.startswith(NEO4J_SCHEMES)


async def open_store(target: str, *, seed: bool = True) -> GraphStore:
    """Open (creating and seeding on first open) the store at ``target``."""
    if is_neo4j_target(target):
        from graph.neo4j_store import Neo4jStore

        store: GraphStore = await Neo4jStore.open(target)
    else:
        from graph.ladybug_store import LadybugStore

        store = await LadybugStore.open(target)
    if seed:
        from graph.seeding import ensure_seeded

        await ensure_seeded(store)
    return store
