"""``hub export``: the graph to CSV, to GraphML and to a real Neo4j server, read back the way analysts and
the hub read it, and checked against the dataset file (seeds/demo/demo.yaml) the store was loaded from.

* CSV read back with ``csv`` and ``pyarrow.csv`` (typed columns, as pandas reads them), GraphML with
  ``networkx.read_graphml``; every dataset record and every relationship it implies is in the files.
* Neo4j: the demo store copied to the emptied scratch server while ``hub serve`` holds it, the counts of
  both sides equal, a second export writes nothing, an export after damage repairs it, and a hub serving
  the copy answers every GraphQL question exactly as the hub serving the source.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import subprocess
from collections import Counter
from pathlib import Path

import pytest
import yaml

from graph.items import Items
from tests.support.hubproc import HUB, ROOT, HubServer

DEMO_FILE = ROOT / "seeds" / "demo" / "demo.yaml"
DEMO = [DEMO_FILE]
ON = "2026-11-23"


def export(graph: str, to: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([HUB, "export", "--graph", graph, "--to", to, *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=600, check=False)


@pytest.fixture(scope="module")
def demo_data() -> dict:
    return yaml.safe_load(DEMO_FILE.read_text(encoding="utf-8"))


@pytest.fixture
def demo_graph(datasets, backend) -> str:
    """The demo dataset on each store (only read)."""
    return datasets.target(backend, "demo", DEMO)


def expected_counts(data: dict) -> dict[str, int]:
    """What the demo store holds by label and type, from the dataset file and the seeds it was opened with."""
    items = Items.from_seeds()
    n_items = sum(len(cf.items) for cf in items.catalogs.values())
    return {
        "Institution": len(data["institutions"]), "Alliance": len(data["alliances"]), "Mark": len(data["marks"]),
        "Catalog": len(items.catalogs), "CatalogItem": n_items,
        "LOCATED_IN": len(data["institutions"]),
        "MEMBER_OF": sum(len(a["members"]) for a in data["alliances"]),
        "HOLDS": len(data["marks"]), "FOR_ITEM": len(data["marks"]), "VALID_IN": len(data["marks"]),
        "IN_CATALOG": n_items,
    }


def check_against_dataset(nodes: dict[str, dict], edges: list[tuple[str, str, str]], data: dict) -> None:
    """``nodes``: id -> attributes (strings as a file gives them); ``edges``: (source, target, label)."""
    by_type = Counter(attrs["type"] for attrs in nodes.values())
    by_label = Counter(label for _, _, label in edges)
    for name, n in expected_counts(data).items():
        assert by_type.get(name, by_label.get(name)) == n, (name, by_type, by_label)
    assert by_type["Region"] > 3000 and by_label["PART_OF"] >= by_type["Region"] - 1
    assert {"MarkSet", "Meta"}.isdisjoint(by_type)  # the hub's own index and bookkeeping stay out
    # every relationship joins two exported nodes
    assert all(s in nodes and t in nodes for s, t, _ in edges)
    edge_set = set(edges)

    for inst in data["institutions"]:
        node = nodes[f"Institution:{inst['id']}"]
        assert (node["key"], node["name"], node["label"], node["tier"], node["region"]) == (
            inst["id"], inst["name"], inst["name"], inst["tier"], inst["region"])
        assert json.loads(node["aliases"]) == inst.get("aliases", [])
        assert (f"Institution:{inst['id']}", f"Region:{inst['region']}", "LOCATED_IN") in edge_set
    for alliance in data["alliances"]:
        assert nodes[f"Alliance:{alliance['id']}"]["kind"] == alliance["kind"]
        members = {s for s, t, label in edges if label == "MEMBER_OF" and t == f"Alliance:{alliance['id']}"}
        assert members == {f"Institution:{m}" for m in alliance["members"]}
    marks = {}
    for node_id, attrs in nodes.items():
        if attrs["type"] == "Mark":
            marks[(attrs["institution"], attrs["item"], attrs["scope"], attrs["validFrom"], attrs.get("validTo") or None)] = node_id
    assert set(marks) == {(m["institution"], m["item"], m["scope"], m["validFrom"], m["validTo"]) for m in data["marks"]}
    for (institution, item, scope, _, _), node_id in marks.items():
        assert {(f"Institution:{institution}", node_id, "HOLDS"), (node_id, f"CatalogItem:{item}", "FOR_ITEM"),
                (node_id, f"Region:{scope}", "VALID_IN")} <= edge_set
    # a few seeded facts
    assert nodes["Region:130000"]["name"] == "河北省" and nodes["Region:JJJ"]["level"] == "zone"
    assert ("Region:130000", "Region:JJJ", "PART_OF") in edge_set
    chest_ct = nodes["CatalogItem:HE-IMG:122"]
    assert (chest_ct["name"], chest_ct["modality"], chest_ct["bodyPart"]) == ("胸部CT平扫", "CT", "chest")
    assert ("CatalogItem:HE-IMG:122", "Catalog:HE-IMG", "IN_CATALOG") in edge_set
    assert ("Policy:003", "Region:130000", "GOVERNS") in edge_set
    assert ("Policy:003", "Catalog:HE-IMG", "USES") in edge_set


def test_csv_reads_back_with_csv_and_pyarrow_and_holds_the_dataset(demo_graph, demo_data, tmp_path):
    out = export(demo_graph, str(tmp_path / "csv"))
    assert out.returncode == 0, out.stderr
    nodes_file, edges_file = tmp_path / "csv" / "nodes.csv", tmp_path / "csv" / "edges.csv"
    assert f"wrote {nodes_file}" in out.stdout and "short" not in out.stdout
    with open(nodes_file, encoding="utf-8", newline="") as f:
        nodes = {row["id"]: {k: v for k, v in row.items() if v != ""} for row in csv.DictReader(f)}
    with open(edges_file, encoding="utf-8", newline="") as f:
        edges = [(row["source"], row["target"], row["label"]) for row in csv.DictReader(f)]
    check_against_dataset(nodes, edges, demo_data)
    assert not nodes_file.read_bytes().startswith(b"\xef\xbb\xbf")  # no byte-order mark (pandas would keep it)

    # a typed reader (pyarrow's, like pandas.read_csv): one table per file, integers typed, dates as dates
    import pyarrow.csv as pacsv

    table = pacsv.read_csv(nodes_file)
    assert table.num_rows == len(nodes) and table.column_names[:4] == ["id", "type", "label", "key"]
    assert str(table.schema.field("row").type) == "int64" and str(table.schema.field("itemCount").type) == "int64"
    assert str(table.schema.field("validFrom").type) == "date32[day]"
    rows = table.to_pylist()
    mark = next(r for r in rows if r["id"] == "Mark:he-sjz-1|HE-IMG:122|JJJ|2025-01-01")
    assert mark["validFrom"] == dt.date(2025, 1, 1) and mark["validTo"] is None
    assert pacsv.read_csv(edges_file).num_rows == len(edges)


def test_graphml_reads_back_with_networkx_and_holds_the_dataset(demo_graph, demo_data, tmp_path):
    import networkx as nx

    path = tmp_path / "demo.graphml"
    out = export(demo_graph, str(path))
    assert out.returncode == 0, out.stderr
    g = nx.read_graphml(path)
    assert g.is_directed()
    nodes = {n: {k: str(v) for k, v in attrs.items()} for n, attrs in g.nodes(data=True)}
    edges = [(s, t, attrs["label"]) for s, t, attrs in g.edges(data=True)]
    assert len(edges) == g.number_of_edges()
    check_against_dataset(nodes, edges, demo_data)
    assert g.nodes["CatalogItem:HE-IMG:122"]["row"] == 122  # typed long: an int, not a string
    assert "validTo" not in g.nodes["Mark:he-sjz-1|HE-IMG:122|JJJ|2025-01-01"]  # no value, no <data>
    # the counts the command printed are the file's
    printed = dict(line.split()[0:3:2] for line in out.stdout.splitlines()[1:] if line.split()[0] in ("Institution", "HOLDS"))
    assert printed == {"Institution": str(len(demo_data["institutions"])), "HOLDS": str(len(demo_data["marks"]))}


def test_refusals_are_messages_and_write_nothing(demo_graph, tmp_path):
    a_file = tmp_path / "x.txt"
    a_file.write_text("")
    cases = [
        ([str(a_file)], f"a CSV export writes nodes.csv and edges.csv into a directory; {a_file} is a file"),
        ([str(tmp_path), "--format", "graphml"], "a directory; name the .graphml file"),
        ([str(tmp_path / "d"), "--format", "neo4j"], "a Neo4j export needs a bolt:// or neo4j:// URL"),
        (["bolt://127.0.0.1:1", "--format", "csv"], "a file export needs a path, not a Neo4j URL"),
        ([str(tmp_path / "d"), "--format", "xls"], "choose one of neo4j, csv, graphml"),
    ]
    for args, message in cases:
        out = export(demo_graph, *args)
        assert out.returncode == 1 and message in out.stderr and "Traceback" not in out.stderr, (args, out.stderr)
    missing = tmp_path / "none" / "g.lbug"
    out = export(str(missing), str(tmp_path / "out"))
    assert out.returncode == 1 and f"no graph store at {missing}" in out.stderr
    assert not missing.parent.exists() and not (tmp_path / "out").exists()
    if "://" in demo_graph:
        out = export(demo_graph, demo_graph)
        assert out.returncode == 1 and "is the store being exported" in out.stderr, out.stderr
    else:
        out = export(demo_graph, "bolt://127.0.0.1:1")
        assert out.returncode == 1 and "cannot reach Neo4j at bolt://127.0.0.1:1" in out.stderr, out.stderr


# -- to Neo4j -----------------------------------------------------------------------------------------------

INSTITUTION_FIELDS = ("id name tier region ownership kind aliases tierLevel alliances { id kind name } "
                      "marks { item scope validFrom validTo }")
RECOGNITION = "verdict mark markCode targetItem validUntil reasons { code source clause text }"


def graphql_answers(hub: HubServer, data: dict) -> dict:
    """Every kind of question the hub answers over the graph, for the dataset's records."""
    answers: dict = {}
    ids = [i["id"] for i in data["institutions"]] + ["nobody"]
    answers["institutions"] = [hub.gql(f'{{ institution(id: "{i}") {{ {INSTITUTION_FIELDS} }} }}') for i in ids]
    answers["browse"] = hub.gql(
        "{ institutions(first: 100) { id name } h: institutions(region: \"13\") { id } "
        "alliances { id kind name } catalogs { id name source itemCount } "
        "c: catalogItems(catalog: \"HE-IMG\", first: 200) { ref name modality bodyPart row } "
        "regions(parent: \"JJJ\") { code name level parents } zones: regions(level: \"zone\") { code parents } "
        "equivalents(item: \"HE-IMG:122\") { ref catalog } }")
    answers["members"] = [hub.gql(f'{{ allianceMembers(id: "{a["id"]}") {{ id }} }}') for a in data["alliances"]]
    studies = [{"institution": m["institution"], "item": m["item"],
                "performedOn": (dt.date.fromisoformat(m["validFrom"]) + dt.timedelta(days=400)).isoformat()}
               for m in data["marks"]]
    query = f"query($s: [StudyInput!]!, $at: ID!) {{ recognizabilities(studies: $s, at: $at, on: \"{ON}\") {{ {RECOGNITION} }} }}"
    answers["recognition"] = {at: hub.gql(query, {"s": studies, "at": at})
                              for at in ("he-sjz-1", "bj-xh", "tj-hp", "cq-wz", "zj-hz-2", "gx-hc-c", "sc-cd-2")}
    return answers


def neo4j_counts(uri: str) -> dict:
    import asyncio

    from graph.export import counts
    from graph.readonly import open_read_only

    async def main() -> dict:
        graph = await open_read_only(uri)
        try:
            return await counts(graph)
        finally:
            await graph.close()

    return asyncio.run(main())


@pytest.mark.neo4j
def test_to_neo4j_while_hub_serve_holds_the_store_and_the_copy_answers_the_same(
        datasets, neo4j_scratch, demo_data, tmp_path):
    source_hub = datasets.served("ladybug", "demo", DEMO)  # holds the embedded store read-write
    source = datasets.target("ladybug", "demo", DEMO)

    first = export(source, neo4j_scratch)
    assert first.returncode == 0, first.stderr
    assert f"institutions: {len(demo_data['institutions'])} created, 0 updated, 0 unchanged" in first.stdout
    assert f"marks: {len(demo_data['marks'])} created" in first.stdout and "short" not in first.stdout
    copied = neo4j_counts(neo4j_scratch)
    source_counts = neo4j_counts(source)
    assert copied["MarkSet"] > 0 and copied["Meta"] == source_counts["Meta"] + 1  # + the suite's tenant marker
    assert {k: n for k, n in copied.items() if k != "Meta"} == {k: n for k, n in source_counts.items() if k != "Meta"}

    again = export(source, neo4j_scratch)  # idempotent: everything compared, nothing written
    assert again.returncode == 0, again.stderr
    kinds = [line for line in again.stdout.splitlines() if " created, " in line]
    assert kinds and all(" 0 created, 0 updated, " in line for line in kinds), kinds
    assert neo4j_counts(neo4j_scratch) == copied

    want = graphql_answers(source_hub, demo_data)
    text = json.dumps(want, ensure_ascii=False)
    assert '"errors"' not in text and '"RECOGNIZED"' in text and '"NOT_RECOGNIZED"' in text  # real answers
    assert "京津冀HR" in text and "川渝HR" in text and '"TERTIARY_A"' in text
    copy_hub = HubServer(neo4j_scratch, log=tmp_path / "serve-copy.log")
    try:
        assert graphql_answers(copy_hub, demo_data) == want
    finally:
        copy_hub.stop()


@pytest.mark.neo4j
def test_an_export_repairs_a_damaged_copy(datasets, neo4j_scratch, demo_data):
    """Run again after an interruption or damage, an export converges: what is missing or different is
    written, what is right is left alone."""
    import neo4j

    source = datasets.target("ladybug", "demo", DEMO)
    assert export(source, neo4j_scratch).returncode == 0
    want = neo4j_counts(neo4j_scratch)
    with neo4j.GraphDatabase.driver(neo4j_scratch) as driver:
        driver.execute_query("MATCH (m:Mark {id: 'he-sjz-1|HE-IMG:122|JJJ|2025-01-01'}) DETACH DELETE m")
        driver.execute_query("MATCH (:Institution {id: 'bj-xh'})-[r:MEMBER_OF]->() DELETE r")
        driver.execute_query("MATCH (i:Institution {id: 'tj-hp'}) SET i.tier = '1'")
        driver.execute_query("MATCH (:Region {code: '130000'})-[p:PART_OF]->(:Region {code: 'JJJ'}) DELETE p")
        driver.execute_query("MATCH (c:CatalogItem {ref: 'HE-IMG:122'}) SET c.name = 'wrong'")
    repaired = export(source, neo4j_scratch)
    assert repaired.returncode == 0, repaired.stderr
    assert "institutions: 0 created, 1 updated" in repaired.stdout
    assert "alliances: 0 created, 1 updated" in repaired.stdout and "marks: 1 created, 0 updated" in repaired.stdout
    assert "catalog items: 0 created, 1 updated" in repaired.stdout and "PART_OF: 1 created" in repaired.stdout
    assert neo4j_counts(neo4j_scratch) == want
    with neo4j.GraphDatabase.driver(neo4j_scratch) as driver:
        records, _, _ = driver.execute_query(
            "MATCH (i:Institution {id: 'tj-hp'}), (c:CatalogItem {ref: 'HE-IMG:122'}), (x:Institution {id: 'bj-xh'}) "
            "RETURN i.tier AS tier, c.name AS name, x.allianceIds AS alliances")
    assert records[0].data() == {"tier": "3A", "name": "胸部CT平扫", "alliances": ["bj-dc-yl"]}


@pytest.mark.neo4j
def test_files_from_a_neo4j_store_too(datasets, demo_data, tmp_path):
    """The source may be Neo4j (read in READ transactions): the same files."""
    source = datasets.target("neo4j", "demo", DEMO)
    out = export(source, str(tmp_path / "csv"))
    assert out.returncode == 0, out.stderr
    with open(tmp_path / "csv" / "nodes.csv", encoding="utf-8", newline="") as f:
        nodes = {row["id"]: {k: v for k, v in row.items() if v != ""} for row in csv.DictReader(f)}
    with open(tmp_path / "csv" / "edges.csv", encoding="utf-8", newline="") as f:
        edges = [(row["source"], row["target"], row["label"]) for row in csv.DictReader(f)]
    check_against_dataset(nodes, edges, demo_data)
