"""Trusted-documents mode: only the documents in a file run, by their sha256; anything else is refused."""

from __future__ import annotations

import hashlib
import json
import subprocess
import urllib.parse

import pytest

from tests.graphql.conftest import start_hub
from tests.graphql.support import copy_graph
from tests.support.hubproc import HUB, ROOT

CHECK = ('query Check($s: StudyInput!, $at: ID!) { recognizability(study: $s, at: $at, on: "2026-11-23") '
         '{ verdict mark targetItem } }')
INSTITUTION = 'query Inst($id: ID!) { institution(id: $id) { name tier } }'
VARS = {"s": {"institution": "bj-xh", "item": "BJ-IMG:BW23ZYZZZ-00", "performedOn": "2026-11-11"}, "at": "he-sjz-1"}


def sha(doc: str) -> str:
    return hashlib.sha256(doc.encode()).hexdigest()


@pytest.fixture(scope="module")
def trusted(demo_graph, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("trusted")
    # the Apollo persisted-query manifest form; the {hash: document} form is tested below
    docs = tmp / "documents.json"
    docs.write_text(json.dumps({
        "format": "apollo-persisted-query-manifest", "version": 1,
        "operations": [{"id": sha(CHECK), "name": "Check", "type": "query", "body": CHECK},
                       {"id": sha(INSTITUTION), "name": "Inst", "type": "query", "body": INSTITUTION}],
    }))
    server = start_hub(demo_graph, tmp, "--trusted-documents", str(docs))
    yield server
    server.stop()


def test_a_persisted_query_runs_by_its_hash(trusted):
    out = trusted.gql(None, VARS, extensions={"persistedQuery": {"version": 1, "sha256Hash": sha(CHECK)}})
    assert out == {"data": {"recognizability": {"verdict": "RECOGNIZED", "mark": "京津冀HR", "targetItem": "HE-IMG:122"}}}


def test_a_persisted_query_runs_by_document_id(trusted):
    status, out = trusted.post({"documentId": f"sha256:{sha(INSTITUTION)}", "variables": {"id": "bj-xh"}})
    assert status == 200 and out["data"]["institution"]["tier"] == "3A"
    params = urllib.parse.urlencode({"documentId": sha(INSTITUTION), "variables": json.dumps({"id": "he-sjz-1"})})
    status, _, body = trusted.request("GET", f"/graphql?{params}", headers={"Accept": "application/json"})
    assert status == 200 and json.loads(body)["data"]["institution"]["name"] == "石家庄第一示例医院（示例）"


def test_an_unknown_hash_is_refused(trusted):
    unknown = sha("{ catalogs { id } }")
    out = trusted.gql(None, extensions={"persistedQuery": {"version": 1, "sha256Hash": unknown}})
    (err,) = out["errors"]
    assert out["data"] is None
    assert err["extensions"] == {"code": "PERSISTED_QUERY_NOT_FOUND", "documentId": unknown}
    assert "unknown document" in err["message"] and "trusted-documents mode" in err["message"]
    assert "HUB_TRUSTED_DOCUMENTS" in err["message"]


def test_an_arbitrary_query_is_refused_but_a_trusted_text_runs(trusted):
    out = trusted.gql("{ catalogs { id } }")
    (err,) = out["errors"]
    assert err["extensions"]["code"] == "DOCUMENT_NOT_TRUSTED" and "not in documents.json" in err["message"]
    assert err["extensions"]["sha256"] == sha("{ catalogs { id } }")
    assert trusted.gql(INSTITUTION, {"id": "tj-hp"})["data"]["institution"]["tier"] == "3A"
    # a hash with a different text is refused
    out = trusted.gql("{ catalogs { id } }", extensions={"persistedQuery": {"version": 1, "sha256Hash": sha(CHECK)}})
    assert out["errors"][0]["extensions"]["code"] == "BAD_INPUT"
    # introspection is not a trusted document either
    assert trusted.gql("{ __schema { types { name } } }")["errors"][0]["extensions"]["code"] == "DOCUMENT_NOT_TRUSTED"


def test_the_hash_to_document_map_form(demo_graph, tmp_path):
    docs = tmp_path / "persisted-documents.json"
    docs.write_text(json.dumps({f"sha256:{sha(INSTITUTION)}": INSTITUTION}))
    server = start_hub(demo_graph, tmp_path / "s", env={"HUB_TRUSTED_DOCUMENTS": str(docs)})
    try:
        out = server.gql(None, {"id": "bj-xh"}, extensions={"persistedQuery": {"version": 1, "sha256Hash": sha(INSTITUTION)}})
        assert out["data"]["institution"]["name"] == "北京协和示例医院（示例）"
    finally:
        server.stop()


def test_a_file_whose_hash_does_not_match_is_refused_at_start(demo_graph, tmp_path):
    docs = tmp_path / "bad.json"
    docs.write_text(json.dumps({sha("{ catalogs { id } }"): "{ regions { code } }"}))
    graph = copy_graph(demo_graph, tmp_path / "g")
    r = subprocess.run([HUB, "serve", "--graph", str(graph), "--trusted-documents", str(docs)], cwd=ROOT,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode != 0 and "Traceback" not in r.stderr
    assert "bad.json" in r.stderr and "is not the sha256 of its document" in r.stderr
