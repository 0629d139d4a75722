"""``hub cypher``: read-only Cypher on either store, as an analyst runs it (the real command, real stores).

Read-only is kept twice: the text is refused before anything runs when a clause writes (or reads files),
and the store itself is opened read-only (LadybugDB ``read_only=True``) or read in READ transactions
(Neo4j), so a write that slipped past the first check is refused by the engine.  The embedded store is
read while ``hub serve`` holds it, a fresh snapshot per statement.
"""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import time
from pathlib import Path

import pytest

from graph.readonly import ReadOnlyRefused, check_read_only, open_read_only, split_statements
from graph.store import StoreError
from hub.services.cypher import parse_params
from tests.support.hubproc import HUB, ROOT, HubServer, hub_cli

DEMO = [ROOT / "seeds" / "demo" / "demo.yaml"]


@pytest.fixture
def demo_graph(datasets, backend) -> str:
    """The demo dataset (seeds/demo/demo.yaml) on each store; only read here."""
    return datasets.target(backend, "demo", DEMO)


def cypher(graph: str, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([HUB, "cypher", "--graph", graph, *args], cwd=ROOT, capture_output=True, text=True,
                          input=stdin, timeout=300, check=False)


def rows(graph: str, query: str, *args: str) -> list[dict]:
    out = cypher(graph, "--format", "json", *args, query)
    assert out.returncode == 0, out.stderr
    return [json.loads(line) for line in out.stdout.splitlines()]


# -- the check on the text ---------------------------------------------------------------------------------


@pytest.mark.parametrize("text, clause", [
    ("CREATE (n:Meta {key: 'x', value: 'y'})", "CREATE"),
    ("MATCH (n:Institution {id: 'bj-xh'}) SET n.tier = '1'", "SET"),
    ("MATCH (n:Mark) DETACH DELETE n", "DETACH, DELETE"),
    ("MATCH (n:Mark) delete n", "DELETE"),
    ("MERGE (n:Meta {key: 'x'})", "MERGE"),
    ("MATCH (n:Institution) REMOVE n.aliases", "REMOVE"),
    ("DROP TABLE Meta", "DROP"),
    ("COPY Meta FROM 'meta.csv'", "COPY"),
    ("LOAD FROM 'https://example.org/x.csv' RETURN *", "LOAD"),
    ("LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line", "LOAD"),
    ("MATCH (n) WITH n FOREACH (x IN [1] | SET n.x = x)", "FOREACH, SET"),
    ("ALTER TABLE Institution ADD x STRING", "ALTER"),
    ("INSTALL httpfs", "INSTALL"),
    ("MATCH (n) RETURN n; CREATE (m:Meta {key: 'k'})", "CREATE"),
])
def test_clauses_that_write_are_refused_naming_them(text, clause):
    with pytest.raises(ReadOnlyRefused) as err:
        check_read_only(text)
    assert f"refused: {clause} — this shell is read-only" in str(err.value)
    assert "nothing was run" in str(err.value)


@pytest.mark.parametrize("text", [
    "MATCH (n:Institution) WHERE n.name CONTAINS 'CREATE' RETURN n.id",   # in a string
    'MATCH (n) RETURN "DELETE this" AS s',
    "MATCH (n:Institution) // then SET it\nRETURN n.id",                    # in a comment
    "MATCH (n) /* MERGE */ RETURN count(n)",
    "MATCH (n:Meta) RETURN n.set, n.`delete`",                            # properties, quoted names
    "RETURN {set: 1, remove: 2} AS m",                                    # map keys
    "MATCH (n:Mark) WHERE n.validTo >= date($on) RETURN count(n)",         # parameters
    "CALL show_tables() RETURN *",
    "EXPLAIN MATCH (n) RETURN n",
])
def test_reads_that_mention_those_words_pass(text):
    check_read_only(text)


def test_statements_split_at_semicolons_outside_strings_and_comments():
    assert split_statements("RETURN 1; RETURN ';' AS s;\n// only a comment;\n RETURN 2 ;  ") == [
        "RETURN 1", "RETURN ';' AS s", "// only a comment;\n RETURN 2"]  # a ';' in a comment ends nothing
    assert split_statements("  ;; // nothing\n") == []


def test_parameters_are_json_when_they_parse_else_strings():
    assert parse_params(["n=5", "scope=JJJ", 'code="130000"', "ids=[\"a\", \"b\"]", "$on=2026-11-23", "x=null"]) == {
        "n": 5, "scope": "JJJ", "code": "130000", "ids": ["a", "b"], "on": "2026-11-23", "x": None}
    with pytest.raises(ValueError, match="name=value"):
        parse_params(["no-equals-sign"])


# -- the command on both stores ----------------------------------------------------------------------------


def test_a_query_as_a_table_as_csv_and_as_json(demo_graph):
    query = ("MATCH (i:Institution)-[:MEMBER_OF]->(a:Alliance {id: 'bj-dc-yl'}) "
             "RETURN i.id AS id, i.tier AS tier ORDER BY id")
    table = cypher(demo_graph, query)
    assert table.returncode == 0, table.stderr
    assert "id" in table.stdout and "bj-cy-c" in table.stdout and "bj-xh" in table.stdout and "3A" in table.stdout
    assert "3 rows" in table.stderr  # the count and time go to standard error, the table to standard output
    csv_out = cypher(demo_graph, "--format", "csv", query)
    assert csv_out.stdout.splitlines() == ["id,tier", "bj-cy-c,1", "bj-dc-2,2B", "bj-xh,3A"]
    assert rows(demo_graph, query) == [{"id": "bj-cy-c", "tier": "1"}, {"id": "bj-dc-2", "tier": "2B"},
                                       {"id": "bj-xh", "tier": "3A"}]


def test_nodes_relationships_dates_and_lists_look_the_same_on_both_stores(demo_graph):
    (row,) = rows(demo_graph, "MATCH (i:Institution {id: 'bj-xh'})-[h:HOLDS]->(m:Mark) WHERE m.scope = 'JJJ' "
                              "RETURN i, h, m.validFrom AS since, i.aliases AS aliases")
    assert row["i"]["labels"] == ["Institution"]
    assert row["i"]["properties"]["name"] == "北京协和示例医院（示例）"
    assert row["h"] == {"type": "HOLDS", "properties": {}}
    assert row["since"] == "2024-01-01" and row["aliases"] == ["BJ XH DEMO HOSPITAL"]
    shown = cypher(demo_graph, "MATCH (a:Alliance {id: 'zj-xh-gt'}) RETURN a")
    assert '(:Alliance {' in shown.stdout and 'id: "zj-xh-gt"' in shown.stdout, shown.stdout


def test_statements_from_standard_input_and_parameters(demo_graph):
    script = ("MATCH (r:Region {code: $province}) RETURN r.name AS name;\n"
              "// how many marks\nMATCH (m:Mark) WHERE m.scope = $scope RETURN count(m) AS marks;\n")
    out = cypher(demo_graph, "--format", "csv", "-p", 'province="130000"', "-p", "scope=JJJ", stdin=script)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["name", "河北省", "marks", "2"]


def test_a_write_is_refused_and_nothing_changes(demo_graph):
    before = rows(demo_graph, "MATCH (n) RETURN count(n) AS n")
    out = cypher(demo_graph, "MATCH (i:Institution {id: 'bj-xh'}) SET i.tier = '1' RETURN i")
    assert out.returncode == 1
    assert "refused: SET — this shell is read-only" in out.stderr and "Traceback" not in out.stderr
    # one write among reads: none of them runs
    out = cypher(demo_graph, stdin="MATCH (n) RETURN count(n);\nCREATE (m:Meta {key: 'x', value: 'y'});\n")
    assert out.returncode == 1 and "refused: CREATE" in out.stderr and out.stdout == ""
    assert rows(demo_graph, "MATCH (n) RETURN count(n) AS n") == before
    assert rows(demo_graph, "MATCH (i:Institution {id: 'bj-xh'}) RETURN i.tier AS tier") == [{"tier": "3A"}]


async def test_the_store_itself_refuses_a_write_that_got_past_the_check(demo_graph):
    """The second guard: a write handed straight to the read-only connection (as a new write clause the
    word check does not know would be) is refused by LadybugDB's read-only database / Neo4j's READ mode."""
    graph = await open_read_only(demo_graph)
    try:
        with pytest.raises(StoreError) as err:
            await graph._run([("CREATE (m:Meta {key: 'sneaky', value: 'x'})", {})])  # type: ignore[attr-defined]
        assert "read-only" in str(err.value) or "read access mode" in str(err.value), err.value
        assert await graph.read("meta.get", {"key": "sneaky"}) == []
    finally:
        await graph.close()


def test_a_mistake_in_the_query_is_a_message(demo_graph):
    out = cypher(demo_graph, "MATCH (n:Institution RETURN n")
    assert out.returncode == 1 and "error:" in out.stderr and "Traceback" not in out.stderr, out.stderr


def test_no_store_at_the_path_is_a_message_and_creates_nothing(tmp_path):
    missing = tmp_path / "nothing" / "here.lbug"
    out = cypher(str(missing), "MATCH (n) RETURN count(n)")
    assert out.returncode == 1 and f"no graph store at {missing}" in out.stderr
    assert not missing.parent.exists()


# -- the embedded store while hub serve holds it -----------------------------------------------------------


def test_reads_a_store_hub_serve_holds_and_sees_what_was_loaded_since(tmp_path):
    """ladybug.Database(path, read_only=True) opens while the server holds the file read-write (the
    read-write lock only keeps out other read-write opens); each statement opens a fresh snapshot, so a
    load through the server is visible to the next one."""
    graph = tmp_path / "g.lbug"
    hub_cli("load", "--graph", str(graph), *map(str, DEMO))
    extra = tmp_path / "extra.yaml"
    extra.write_text('institutions:\n  - {id: he-new, name: 新示例医院, tier: 2A, region: "130102", '
                     'ownership: public, kind: general}\n', encoding="utf-8")
    server = HubServer(graph)
    try:
        count = "MATCH (i:Institution) WHERE i.region STARTS WITH '13' RETURN count(i) AS n"
        started = time.perf_counter()
        assert rows(str(graph), count) == [{"n": 3}]
        elapsed = time.perf_counter() - started
        loaded = hub_cli("load", "--graph", str(graph), str(extra))
        assert "through hub serve" in loaded.stdout
        assert rows(str(graph), count) == [{"n": 4}]
        # and the server still answers (the read-only opens did not disturb it)
        out = server.gql('{ institution(id: "he-new") { name } }')
        assert out["data"]["institution"]["name"] == "新示例医院"
    finally:
        server.stop()
    assert elapsed < 60


def test_an_interactive_session(demo_graph):
    """On a terminal: statements end with ';' (they may span lines), :help and :schema, errors leave the
    session open, :quit (or Ctrl-D) leaves."""
    primary, secondary = pty.openpty()
    proc = subprocess.Popen([HUB, "cypher", "--graph", demo_graph], cwd=ROOT, stdin=secondary, stdout=secondary,
                            stderr=secondary, env={**os.environ, "TERM": "dumb", "COLUMNS": "200"})
    os.close(secondary)
    lines = ["MATCH (a:Alliance)", "RETURN a.id AS id ORDER BY id;", "MATCH (n) SET n.x = 1;", ":schema",
             "RETURN 40 + 2 AS answer;", ":quit"]
    seen = b""
    try:
        for line in lines:
            os.write(primary, (line + "\n").encode())
        deadline = time.monotonic() + 120
        while proc.poll() is None and time.monotonic() < deadline:
            ready, _, _ = select.select([primary], [], [], 0.5)
            if ready:
                try:
                    seen += os.read(primary, 65536)
                except OSError:
                    break
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(primary)
    text = seen.decode(errors="replace")
    assert proc.returncode == 0, text
    assert "read-only" in text and "cypher>" in text and "...>" in text
    assert "bj-dc-yl" in text and "zj-xh-gt" in text
    assert "refused: SET" in text
    assert "Institution" in text and "HOLDS" in text  # :schema
    assert "42" in text

