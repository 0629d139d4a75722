"""Real Neo4j 5 servers for the tests that run on both stores, and the fixtures that hand them out.

Why two servers, and why only two
---------------------------------
Neo4j community has one user database (no ``CREATE DATABASE``), and the suite needs two incompatible
kinds of tenant:

* **scratch** — tests that want an empty store (the store behaviour suite, ``hub load`` into a new
  store, a ``kill -9`` in a bulk load): the database is emptied before each of them with the store's own
  ``graph.clear`` statement (``MATCH (n) DETACH DELETE n``: 0.1–0.4 s at the sizes these tests write, a
  few thousand nodes).  It is one transaction holding the whole delete in the heap — with a 512 MB heap
  it ran out on 200k marks and left the server broken — so it suits tests, not a national graph, and
  the servers keep the launcher's default 1 GB heap (committed only as it is used).
* **datasets** — a dataset loaded once and then only read by many tests: the acceptance dataset
  (demo + tests/acceptance/extra.yaml) behind the acceptance ``hub serve`` processes, the demo dataset behind
  the GraphQL browse/rows/federation tests and the refusal matrix, the fictional province.

Emptying per test and holding data across tests cannot share one database, so there are two servers,
started lazily (only when a test asks for one: ~5–8 s and ~0.5–1 GB resident each) and stopped at the
end of the session.  The datasets server holds **one dataset at a time**: :meth:`Neo4jPool.claim`
names the tenant (this session's id and the dataset's key) in a ``Meta {key: "test.tenant"}`` node and,
when another one is asked for, empties the database and fills it again (``hub load`` of the dataset's
files: ~3.5 s for the demo, seeding included).  Tests of one dataset sit together (tests/acceptance,
tests/graphql, a module), so a full run fills it four times — acceptance, demo, province, demo again —
where a server per dataset would have cost two more JVMs.  Every test that reads a dataset claims it
first (one Bolt round trip when it is current), so a dataset replaced in between is loaded again instead
of answering wrong, whatever order or subset of tests runs.  A third server (one per purpose: scratch,
session datasets, module datasets) would save only the one reload of the demo.

``NEO4J_URI`` set: that one server plays both parts (credentials from ``NEO4J_USER`` /
``NEO4J_PASSWORD``, database from ``NEO4J_DATABASE``); datasets are then reloaded whenever a scratch test
ran in between — slower, still correct.  It is emptied like the local ones, so it must be a throw-away
server: a database holding nodes without the tenant marker is refused, never wiped.

Missing Java, a launcher that cannot be built, or a server that does not start: the tests skip saying
why — except under CI (``CI=true``), where that is a failure (CI installs Java and Maven and builds the
launcher: scripts/install-test-deps.sh).

Fixtures (made visible to the whole suite by tests/conftest.py):

* ``neo4j_pool`` (session): the :class:`Neo4jPool`.
* ``neo4j_server`` / ``neo4j_uri`` (session): the scratch server (and its URL) — not emptied by the
  fixture; tests/test_store_neo4j_server.py checks scripts/neo4j on it.
* ``neo4j_scratch``: the scratch server's URL, emptied for this test.
* ``backend``: ``"ladybug"`` and ``"neo4j"`` (marked ``neo4j``) — a test that asks for it runs once per
  store; ``fresh_graph``: a store target no one has written, for that backend (a new LadybugDB file in
  ``tmp_path``, or the emptied scratch server).
* ``datasets`` (session): :class:`Datasets`, stores and ``hub serve`` processes holding one dataset per key, for
  either backend.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "neo4j"
LAUNCHER = ROOT / "tools" / "neo4j" / "target" / "neo4j-launcher.jar"
#: the first start may build the launcher (and, without install-test-deps.sh, download its artifacts)
START_TIMEOUT_S = 600
#: the Meta key naming the tenant of a test server's database ("" while it is being filled)
TENANT_KEY = "test.tenant"
#: the two servers (see the module docstring)
SCRATCH, DATASETS = "scratch", "datasets"
#: the backends a store-touching test runs on; the Neo4j one carries the ``neo4j`` marker
BACKENDS = [pytest.param("ladybug", id="ladybug"), pytest.param("neo4j", id="neo4j", marks=pytest.mark.neo4j)]

__all__ = ["BACKENDS", "SCRIPT", "Datasets", "Neo4jPool", "Neo4jServer", "backend", "datasets", "fresh_graph",
           "neo4j_pool", "neo4j_scratch", "neo4j_server", "neo4j_uri"]


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"no Neo4j server under CI: {reason}", pytrace=False)
    pytest.skip(f"no Neo4j server: {reason} (or set NEO4J_URI to a throw-away Neo4j 5)")


@dataclass(frozen=True)
class Neo4jServer:
    uri: str
    #: the directory scripts/neo4j runs it in; None for the server NEO4J_URI names
    home: Path | None


class Neo4jPool:
    """The session's Neo4j servers by purpose (:data:`SCRATCH`, :data:`DATASETS`), each started the
    first time it is asked for and stopped by :meth:`stop`."""

    def __init__(self, base: Path) -> None:
        self._base = base
        self._given = os.environ.get("NEO4J_URI") or None
        self._servers: dict[str, Neo4jServer] = {}
        self._failed: str | None = None  # why starting failed: asked again, it fails again at once
        self._checked: set[str] = set()  # uris whose data we know to be ours to empty
        self._drivers: dict[str, object] = {}
        #: tenants are this session's: a dataset another session (older code, other seeds) left on the
        #: server NEO4J_URI names is loaded again, not trusted
        self._session = secrets.token_hex(4)

    # -- servers ------------------------------------------------------------------------------------

    def server(self, purpose: str) -> Neo4jServer:
        if self._given:
            return Neo4jServer(self._given, None)
        if purpose not in self._servers:
            self._servers[purpose] = self._start(purpose)
        return self._servers[purpose]

    def _start(self, purpose: str) -> Neo4jServer:
        if self._failed:
            _unavailable(self._failed)
        if shutil.which(os.environ.get("JAVA", "java")) is None:
            self._fail("java not found (scripts/install-test-deps.sh installs openjdk-17-jdk-headless)")
        if not LAUNCHER.exists() and shutil.which("mvn") is None:
            self._fail("tools/neo4j is not built and mvn is not found (scripts/install-test-deps.sh)")
        home = self._base / purpose
        home.mkdir(parents=True, exist_ok=True)
        # C1 only: a test session is too short for C2 to pay off, and on 2 cores its compiler threads compete
        # with the tests (tests/test_store_neo4j.py on a fresh server: 24-28 s instead of 36-52 s, machine
        # busy).  The default 1 GB heap, not less: it is committed only as it is used, and a server that ran
        # out of it (512 MB: graph.clear of 200k marks) is broken for the rest of the session
        env = {"NEO4J_JAVA_OPTS": "-XX:TieredStopAtLevel=1", **os.environ}
        try:
            started = subprocess.run([str(SCRIPT), "start", str(home)], capture_output=True, text=True,
                                     timeout=START_TIMEOUT_S, check=False, env=env)
        except BaseException as exc:  # a timeout, or ^C: the server runs in its own session, stop it too
            _stop(home)
            if isinstance(exc, subprocess.TimeoutExpired):
                self._fail(f"scripts/neo4j start did not finish in {START_TIMEOUT_S} s (log: {home}/neo4j.log)")
            raise
        lines = started.stdout.strip().splitlines()
        if started.returncode != 0 or not lines or not lines[-1].startswith("bolt://"):
            _stop(home)
            self._fail(f"scripts/neo4j start failed (exit {started.returncode}): "
                       f"{(started.stderr or started.stdout).strip()[-2000:]}")
        return Neo4jServer(lines[-1], home)

    def _fail(self, reason: str) -> None:
        self._failed = reason
        _unavailable(reason)

    def stop(self) -> None:
        for driver in self._drivers.values():
            driver.close()  # type: ignore[attr-defined]
        self._drivers.clear()
        for server in self._servers.values():
            if server.home is not None:
                _stop(server.home)
        self._servers.clear()

    # -- tenants ------------------------------------------------------------------------------------

    def empty(self, purpose: str = SCRATCH) -> str:
        """The server's URL, its database emptied (and marked as this suite's, tenant "")."""
        uri = self.server(purpose).uri
        self._guard(uri)
        self._clear(uri)
        self._set_tenant(uri, "")
        return uri

    def claim(self, purpose: str, tenant: str, fill: Callable[[str], None]) -> str:
        """The server's URL holding ``tenant``'s data: as it is when the tenant is already there, else
        emptied and ``fill(uri)``-ed (the tenant is recorded only once ``fill`` has returned)."""
        uri = self.server(purpose).uri
        mine = f"{self._session}:{tenant}"
        if self._tenant(uri) == mine:
            return uri
        self.empty(purpose)
        fill(uri)
        self._set_tenant(uri, mine)
        return uri

    # -- Bolt ---------------------------------------------------------------------------------------

    def _driver(self, uri: str):  # noqa: ANN202 - neo4j.Driver
        import neo4j

        if uri not in self._drivers:
            password = os.environ.get("NEO4J_PASSWORD")
            auth = (os.environ.get("NEO4J_USER") or "neo4j", password) if password is not None else None
            # no notifications: "label Meta does not exist" on an empty database is what we expect there
            self._drivers[uri] = neo4j.GraphDatabase.driver(uri, auth=auth, notifications_min_severity="OFF")
        return self._drivers[uri]

    def _run(self, uri: str, query: str, **params: object) -> list[dict]:
        records, _, _ = self._driver(uri).execute_query(  # type: ignore[attr-defined]
            query, params, database_=os.environ.get("NEO4J_DATABASE") or None)
        return [r.data() for r in records]

    def _tenant(self, uri: str) -> str | None:
        rows = self._run(uri, "MATCH (m:Meta {key: $key}) RETURN m.value AS value", key=TENANT_KEY)
        return rows[0]["value"] if rows else None

    def _set_tenant(self, uri: str, tenant: str) -> None:
        self._run(uri, "MERGE (m:Meta {key: $key}) SET m.value = $value", key=TENANT_KEY, value=tenant)

    def _guard(self, uri: str) -> None:
        """Refuse to empty a database holding data this suite did not write (NEO4J_URI pointed at a real
        server by mistake); the Meta schema.version node a bare ``open`` writes is no data."""
        if uri in self._checked:
            return
        (row,) = self._run(uri, "MATCH (n) WHERE NOT n:Meta RETURN count(n) AS nodes")
        if row["nodes"] and self._tenant(uri) is None:
            pytest.fail(f"the Neo4j database at {uri} holds data this suite did not write; point NEO4J_URI "
                        f"(and NEO4J_DATABASE) at a throw-away server such as the one in docker-compose.yml",
                        pytrace=False)
        self._checked.add(uri)

    def _clear(self, uri: str) -> None:
        from graph.statements import statement

        for part in statement("graph.clear", "neo4j").parts:
            self._run(uri, part)


def _stop(home: Path) -> None:
    subprocess.run([str(SCRIPT), "stop", str(home)], capture_output=True, timeout=120, check=False)


# -- fixtures -----------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def neo4j_pool(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Neo4jPool]:
    pool = Neo4jPool(tmp_path_factory.mktemp("neo4j"))
    try:
        yield pool
    finally:
        pool.stop()


@pytest.fixture(scope="session")
def neo4j_server(neo4j_pool: Neo4jPool) -> Neo4jServer:
    """The scratch server, with the directory scripts/neo4j keeps it in (not emptied here)."""
    return neo4j_pool.server(SCRATCH)


@pytest.fixture(scope="session")
def neo4j_uri(neo4j_server: Neo4jServer) -> str:
    """The Bolt URL of the scratch server (not emptied here: ``neo4j_scratch`` is)."""
    return neo4j_server.uri


@pytest.fixture
def neo4j_scratch(neo4j_pool: Neo4jPool) -> str:
    """The scratch server's URL, its database emptied for this test."""
    return neo4j_pool.empty(SCRATCH)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Each store in turn: a test asking for it runs on LadybugDB and on Neo4j."""
    return request.param


@pytest.fixture
def fresh_graph(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """A ``--graph`` target nobody has written: a new LadybugDB file, or the emptied scratch Neo4j."""
    if backend == "neo4j":
        return request.getfixturevalue("neo4j_scratch")
    return str(tmp_path / "g.lbug")


class Datasets:
    """Stores holding one dataset each, by key, on either backend, and ``hub serve`` processes over them — for
    tests that only read a dataset (loading it once is what makes them cheap).

    A dataset is ``files`` loaded with ``hub load`` (``--seeds seeds`` when given) into a new store: a
    LadybugDB file of its own, or the Neo4j datasets server claimed for the key (see the module
    docstring).  :meth:`target` and :meth:`served` must be asked by every test that reads it (a fixture
    of function scope), so that a Neo4j dataset replaced in between is loaded again.  A LadybugDB dataset
    once :meth:`served` is held by that ``hub serve`` until the session ends: this process cannot open it
    any more, and ``hub load`` hands files to the server — use another key for a file opened directly.
    """

    def __init__(self, base: Path, pool: Neo4jPool) -> None:
        self._base = base
        self._pool = pool
        self._ladybug: dict[str, str] = {}
        self._hubs: dict[tuple[str, str], object] = {}

    def target(self, backend: str, key: str, files: Sequence[Path], *, seeds: Path | None = None,
               check: Callable[[str], None] | None = None) -> str:
        """The ``--graph`` holding the dataset; ``check(stdout)`` is called on each ``hub load`` that fills it."""
        from tests.support.hubproc import hub_cli

        def fill(graph: str) -> None:
            args = ["--seeds", str(seeds)] if seeds else []
            out = hub_cli("load", "--graph", graph, *args, *map(str, files), check=False)
            assert out.returncode == 0, f"loading dataset {key} into {graph}: {out.stderr}"
            if check is not None:
                check(out.stdout)

        if backend == "neo4j":
            return self._pool.claim(DATASETS, key, fill)
        if key not in self._ladybug:
            graph = str(self._base / key / "graph.lbug")
            Path(graph).parent.mkdir(parents=True, exist_ok=True)
            fill(graph)
            self._ladybug[key] = graph
        return self._ladybug[key]

    def served(self, backend: str, key: str, files: Sequence[Path], *serve_args: str, seeds: Path | None = None,
               hub_env: bool = True, check: Callable[[str], None] | None = None):  # noqa: ANN201 - HubServer
        """``hub serve`` over the dataset (started once per backend and key, stopped at the session's end)."""
        from tests.support.hubproc import HubServer

        graph = self.target(backend, key, files, seeds=seeds, check=check)
        if (backend, key) not in self._hubs:
            args = [*(["--seeds", str(seeds)] if seeds else []), *serve_args]
            log = self._base / key / f"serve-{backend}.log"
            log.parent.mkdir(parents=True, exist_ok=True)
            self._hubs[(backend, key)] = HubServer(graph, *args, hub_env=hub_env, log=log)
        return self._hubs[(backend, key)]

    def stop(self) -> None:
        for hub in self._hubs.values():
            hub.stop()  # type: ignore[attr-defined]
        self._hubs.clear()


@pytest.fixture(scope="session")
def datasets(tmp_path_factory: pytest.TempPathFactory, neo4j_pool: Neo4jPool) -> Iterator[Datasets]:
    # the pool starts a server only when a Neo4j dataset is asked for: a LadybugDB-only run starts no JVM
    store = Datasets(tmp_path_factory.mktemp("datasets"), neo4j_pool)
    try:
        yield store
    finally:
        store.stop()

