"""`hub load` / `hub serve` / `hub seeds report` as a person runs them: real processes, real store — each
test that loads or serves runs on both stores (``fresh_graph``: a new LadybugDB file, or the emptied
scratch Neo4j server of tests/support/neo4j_server.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.hubproc import ROOT, HubServer, hub_cli

DATA = Path(__file__).parent / "data"


def _counts(graph: Path | str) -> dict:
    server = HubServer(graph)
    try:
        q = "{ institutions(first: 500) { id name tier region aliases } alliances(first: 500) { id name } }"
        out = server.query(q)
        assert "errors" not in out, out  # else every comparison of counts would compare two nulls
        return out["data"]
    finally:
        server.stop()


@pytest.fixture
def prerequisite(tmp_path) -> Path:
    """CONTRACT's example lists bj-dc-2 as an alliance member without defining it: define it first."""
    p = tmp_path / "prereq.json"
    p.write_text(json.dumps({"institutions": [
        {"id": "bj-dc-2", "name": "东城第二医院", "tier": "2B", "region": "110101", "ownership": "public", "kind": "general"}]}))
    return p


def test_contract_example_loads_twice_without_change(fresh_graph, prerequisite):
    graph = fresh_graph
    first = hub_cli("load", "--graph", str(graph), str(prerequisite), str(DATA / "contract_example.json"))
    assert "1 created" in first.stdout, first.stdout
    second = hub_cli("load", "--graph", str(graph), str(DATA / "contract_example.json"))
    assert "0 created, 0 updated" in second.stdout and "marks: 0 created, 0 updated, 1 unchanged" in second.stdout
    yaml_too = hub_cli("load", "--graph", str(graph), str(DATA / "contract_example.yaml"))
    assert "institutions: 0 created, 0 updated, 1 unchanged" in yaml_too.stdout


@pytest.mark.parametrize(
    "record, needle",
    [
        ({"institutions": [{"id": "x1", "name": "n", "tier": "3C", "region": "110101", "ownership": "public", "kind": "general"}]},
         'institutions[1] (id "x1").tier: "3C"'),
        ({"institutions": [{"id": "x1", "name": "n", "tier": "3A", "region": "999999", "ownership": "public", "kind": "general"}]},
         'institutions[1] (id "x1").region: "999999"'),
        ({"marks": [{"institution": "ghost", "item": "BJ-IMG:BW23ZYZZZ-00", "scope": "JJJ", "validFrom": "2024-01-01"}]},
         ".institution: \"ghost\""),
        ({"marks": [{"institution": "bj-dc-2", "item": "BJ-IMG:BW23ZYZZZ-00", "scope": "JJJ", "validFrom": "2025-01-01", "validTo": "2024-01-01"}]},
         "validTo"),
    ],
)
def test_bad_file_is_refused_whole_and_writes_nothing(fresh_graph, tmp_path, prerequisite, record, needle):
    graph = fresh_graph
    hub_cli("load", "--graph", str(graph), str(prerequisite))
    before = _counts(graph)
    good_then_bad = {"institutions": [{"id": "would-be-new", "name": "新", "tier": "2A", "region": "110101",
                                       "ownership": "public", "kind": "general"}] + record.get("institutions", []),
                     "marks": record.get("marks", [])}
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(good_then_bad))
    out = hub_cli("load", "--graph", str(graph), str(bad), check=False)
    assert out.returncode != 0
    assert str(bad) in out.stderr and needle in out.stderr, out.stderr
    assert "Traceback" not in out.stderr
    assert _counts(graph) == before


def test_malformed_json_names_the_file_and_line(fresh_graph, tmp_path):
    bad = tmp_path / "broken.json"
    bad.write_text('{"institutions": [\n  {"id": "a",}\n]}')
    out = hub_cli("load", "--graph", fresh_graph, str(bad), check=False)
    assert out.returncode != 0 and str(bad) in out.stderr and "line 2" in out.stderr, out.stderr


def test_a_store_that_cannot_be_created_there_is_a_clear_refusal(tmp_path):
    a_file = tmp_path / "a-file"
    a_file.write_text("not a directory")
    out = hub_cli("load", "--graph", str(a_file / "g.lbug"), str(ROOT / "seeds/demo/demo.yaml"), check=False)
    assert out.returncode != 0 and "Traceback" not in out.stderr, out.stderr
    assert f"{a_file} is a file, not a directory" in out.stderr, out.stderr


def test_a_server_that_cannot_be_reached_is_a_clear_refusal(unused_tcp_port):
    url = f"bolt://127.0.0.1:{unused_tcp_port}"
    out = hub_cli("load", "--graph", url, str(ROOT / "seeds/demo/demo.yaml"), check=False)
    assert out.returncode != 0 and "Traceback" not in out.stderr, out.stderr
    assert f"cannot reach Neo4j at {url}" in " ".join(out.stderr.split()), out.stderr


def test_load_while_serving(fresh_graph, backend, prerequisite):
    """A running hub serve answers with what hub load writes meanwhile: on LadybugDB, which one process
    holds, hub load hands the file to the server; on Neo4j both write to the server."""
    graph = fresh_graph
    hub_cli("load", "--graph", str(graph), str(prerequisite))
    server = HubServer(graph)
    try:
        out = hub_cli("load", "--graph", str(graph), str(DATA / "contract_example.json"), check=False)
        assert out.returncode == 0, out.stderr
        assert ("through hub serve" in out.stdout) is (backend == "ladybug"), out.stdout
        got = server.query('{ institution(id: "bj-xh") { name alliances { id } } }')["data"]["institution"]
        assert got == {"name": "北京协和医院", "alliances": [{"id": "bj-dc-yl"}]}
        if backend != "ladybug":
            return
        # what hub load hands over, malformed: a JSON refusal, not a 500 (the client reads the answer as JSON)
        token = json.loads(Path(f"{graph}.serve.json").read_text())["token"]
        for body in (b"5", b"{bad", b'{"files": "x.json"}', b'{"files": [1]}'):
            status, _, data = server.request("POST", "/admin/load", body, {"Authorization": f"Bearer {token}"})
            answer = json.loads(data)
            assert status == 400 and answer["ok"] is False and '{"files"' in answer["error"], (body, status, data)
    finally:
        server.stop()


def test_catalog_counts_equal_the_documents(fresh_graph):
    """ZJ-LAB 18 classes (000 三(一)), ZJ-IMG 180 (000 三(二)), BJ-LAB 150 printed of 181 (001 三、2(一)),
    BJ-IMG 300 (001 三、2(二)), HC-IMG 52 (002 二), HE-IMG 256 printed (003 附表), CY-IMG 141 (004 6.3)."""
    server = HubServer(fresh_graph)
    try:
        got = {c["id"]: c["itemCount"] for c in server.query("{ catalogs { id itemCount } }")["data"]["catalogs"]}
    finally:
        server.stop()
    assert got == {"ZJ-LAB": 18, "ZJ-IMG": 180, "BJ-LAB": 150, "BJ-IMG": 300, "HC-IMG": 52, "HE-IMG": 256, "CY-IMG": 141}


def test_a_large_file_takes_the_bulk_path_and_loads_twice_without_change(fresh_graph, tmp_path):
    """BULK_THRESHOLD records or more: the bulk path (COPY on LadybugDB, batched UNWIND on Neo4j); the
    second load of the same file writes nothing."""
    from graph.loading import BULK_THRESHOLD

    regions = ["110101", "110105", "130102", "330102", "510104"]
    big = tmp_path / "big.json"
    big.write_text(json.dumps({"institutions": [
        {"id": f"bulk-{k:05d}", "name": f"批量医院{k}", "tier": ("3A", "2B", "1")[k % 3], "region": regions[k % 5],
         "ownership": "public", "kind": "general", **({"aliases": [f"别名{k}"]} if k % 7 == 0 else {})}
        for k in range(BULK_THRESHOLD)]}, ensure_ascii=False))
    first = hub_cli("load", "--graph", fresh_graph, str(big))
    assert "(bulk," in first.stdout and f"institutions: {BULK_THRESHOLD} created" in first.stdout, first.stdout
    second = hub_cli("load", "--graph", fresh_graph, str(big))
    assert f"institutions: 0 created, 0 updated, {BULK_THRESHOLD} unchanged" in second.stdout, second.stdout
    server = HubServer(fresh_graph)
    try:
        got = server.query('{ institutions(region: "13", first: 3) { id region aliases } '
                           'institution(id: "bulk-00007") { name tier aliases } }')["data"]
    finally:
        server.stop()
    assert got["institutions"] == [{"id": "bulk-00002", "region": "130102", "aliases": []},
                                   {"id": "bulk-00007", "region": "130102", "aliases": ["别名7"]},
                                   {"id": "bulk-00012", "region": "130102", "aliases": []}]
    assert got["institution"] == {"name": "批量医院7", "tier": "2B", "aliases": ["别名7"]}


def test_seeds_report_lists_every_known_flaw():
    """INDEX.md's known flaws of the copies: OCR letter O, lost character, one code for two items,
    repeated lab code, stray rows, cut lists, scrambled text."""
    data = json.loads(hub_cli("seeds", "report", "--json").stdout)
    kinds = {(c["id"], f["kind"]) for c in data["catalogs"] for f in c["flaws"]}
    for expected in [("BJ-IMG", "ocr_letter_o"), ("BJ-IMG", "lost_character"), ("BJ-IMG", "duplicate_code"),
                     ("BJ-LAB", "duplicate_code"), ("BJ-LAB", "cut_list"), ("HE-IMG", "cut_list"),
                     ("BJ-IMG", "scrambled_text")]:
        assert expected in kinds
    bj = next(c for c in data["catalogs"] if c["id"] == "BJ-IMG")
    assert {str(x["row"]) for x in bj["excluded"]} >= {"308", "309", "300"}


def test_a_server_answering_without_a_load_report_is_a_clear_refusal(tmp_path):
    """hub load hands files to whatever the announcement names; a plain-text 500 there (a real HTTP server
    here) is reported with its status and text, not a JSONDecodeError traceback."""
    import asyncio
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from graph.store import StoreLocked
    from hub.config import Settings
    from hub.services.loading import LoadRefused, _through_server, announce_file

    class Broken(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(500)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"Internal Server Error")

        def log_message(self, *args) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Broken)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    graph = str(tmp_path / "g.lbug")
    announce_file(graph).write_text(json.dumps({"pid": 1, "url": f"http://127.0.0.1:{httpd.server_port}", "token": "t"}))
    try:
        with pytest.raises(LoadRefused) as refused:
            asyncio.run(_through_server(Settings(graph=graph), [tmp_path / "x.json"], StoreLocked("held")))
    finally:
        httpd.shutdown()
    assert "HTTP 500" in str(refused.value) and "Internal Server Error" in str(refused.value)
