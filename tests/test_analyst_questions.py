"""The three analyst questions of docs/ANALYSTS.md, run exactly as documented and checked against the
dataset file they are asked of (seeds/demo/demo.yaml) and the seeds.

Every ```cypher block of the document runs through ``hub cypher`` on both stores (the same text is what
Neo4j Browser runs); every ```graphql block runs on a served hub, and the answer is computed from it the
way the document says.  The expected answers are computed here from the YAML, not from the store.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
from collections import defaultdict

import pytest
import yaml

from graph.items import Items
from hub.domain.regions import all_regions
from tests.support.hubproc import HUB, ROOT

DOC = ROOT / "docs" / "ANALYSTS.md"
DEMO_FILE = ROOT / "seeds" / "demo" / "demo.yaml"
DAY = dt.date(2026, 11, 23)
UNTIL = dt.date(2027, 12, 31)


def blocks(language: str) -> dict[str, str]:
    found = re.findall(r"^```(\w+) (\S+)\n(.*?)^```", DOC.read_text(encoding="utf-8"), re.S | re.M)
    return {name: text for lang, name, text in found if lang == language}


@pytest.fixture(scope="module")
def data() -> dict:
    return yaml.safe_load(DEMO_FILE.read_text(encoding="utf-8"))


def valid_on(mark: dict, day: dt.date) -> bool:
    start = dt.date.fromisoformat(mark["validFrom"])
    end = dt.date.fromisoformat(mark["validTo"]) if mark["validTo"] else None
    return start <= day and (end is None or end >= day)


def chest_ct(ref: str) -> bool:
    record = Items.from_seeds().record(ref)
    return record.modality == "CT" and record.body_part == "chest"


def expected(data: dict) -> dict[str, list[dict]]:
    names = {i["id"]: i["name"] for i in data["institutions"]}
    region = {i["id"]: i["region"] for i in data["institutions"]}
    q1 = sorted({m["institution"] for m in data["marks"]
                 if region[m["institution"]].startswith("13") and m["scope"] == "JJJ" and valid_on(m, DAY)
                 and chest_ct(m["item"])})
    items = Items.from_seeds()
    q2 = sorted(({"institution": m["institution"], "name": names[m["institution"]], "item": m["item"],
                  "exam": items.record(m["item"]).name, "scope": m["scope"], "until": m["validTo"]}
                 for m in data["marks"] if m["validTo"] and DAY <= dt.date.fromisoformat(m["validTo"]) <= UNTIL),
                key=lambda r: (r["until"], r["institution"], r["item"], r["scope"]))
    province_names = {r.code: r.name for r in all_regions()}
    by_province: dict[str, list[str]] = defaultdict(list)
    for i in data["institutions"]:
        by_province[i["region"][:2] + "0000"].append(i["id"])
    marked = {m["institution"] for m in data["marks"] if valid_on(m, DAY)}
    q3 = [{"province": code, "name": province_names[code], "institutions": len(ids),
           "withValidMark": sum(1 for i in ids if i in marked)} for code, ids in sorted(by_province.items())]
    return {"q1": [{"institutions": len(q1), "names": [names[i] for i in q1]}], "q2": q2, "q3": q3}


def test_the_document_has_three_questions_in_cypher_and_graphql():
    assert sorted(blocks("cypher")) == ["q1", "q2", "q3"]
    assert {"q1", "q1-items", "q2", "q3"} <= set(blocks("graphql"))


def test_the_demo_answers_are_the_ones_the_document_states(data):
    """The prose quotes the answers: keep it honest."""
    want = expected(data)
    text = DOC.read_text(encoding="utf-8")
    assert want["q1"][0]["institutions"] == 1 and "Answer: 1 — 石家庄第一示例医院（示例）" in text
    assert len(want["q2"]) == 2 and "Answer: two marks" in text
    for row in want["q3"]:
        assert f"| {row['province']} | {row['name']} | {row['institutions']} | {row['withValidMark']} |" in text, row


@pytest.mark.parametrize("question", ["q1", "q2", "q3"])
def test_cypher_as_documented_on_both_stores(datasets, backend, data, question):
    graph = datasets.target(backend, "demo", [DEMO_FILE])
    out = subprocess.run([HUB, "cypher", "--graph", graph, "--format", "json"], input=blocks("cypher")[question],
                         cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    want = expected(data)[question]
    if question == "q1":  # collect() has no order
        rows = [{**r, "names": sorted(r["names"])} for r in rows]
        want = [{**r, "names": sorted(r["names"])} for r in want]
    assert rows == want


def test_graphql_as_documented(datasets, data):
    hub = datasets.served("ladybug", "demo", [DEMO_FILE])
    docs = blocks("graphql")
    want = expected(data)

    # 1: Hebei institutions with their marks, then what the JJJ marks' items are
    hebei = hub.gql(docs["q1"])["data"]["institutions"]
    jjj = [(i, m) for i in hebei for m in i["marks"] if m["scope"] == "JJJ" and valid_on(m, DAY)]
    refs = [{"__typename": "CatalogItem", "ref": ref} for ref in sorted({m["item"] for _, m in jjj})]
    items = {e["ref"]: e for e in hub.gql(docs["q1-items"], {"refs": refs})["data"]["_entities"]}
    holders = sorted({i["name"] for i, m in jjj
                      if items[m["item"]]["modality"] == "CT" and items[m["item"]]["bodyPart"] == "chest"})
    assert [{"institutions": len(holders), "names": holders}] == [
        {**r, "names": sorted(r["names"])} for r in want["q1"]]

    # 2: every institution's marks, those whose validTo falls in the window
    institutions = hub.gql(docs["q2"])["data"]["institutions"]
    assert len(institutions) == len(data["institutions"])  # one page holds them all here
    expiring = sorted(((m["validTo"], i["id"], m["item"], m["scope"]) for i in institutions for m in i["marks"]
                       if m["validTo"] and DAY <= dt.date.fromisoformat(m["validTo"]) <= UNTIL))
    assert expiring == [(r["until"], r["institution"], r["item"], r["scope"]) for r in want["q2"]]

    # 3: per province (the document shows two aliases; a client generates one per province)
    answer = hub.gql(docs["q3"])["data"]
    provinces = hub.gql('{ regions(level: "province", first: 100) { code } }')["data"]["regions"]
    generated: dict = {}
    for start in range(0, len(provinces), 20):  # under the alias limit (--max-aliases, 30)
        aliases = " ".join(f'p{r["code"]}: institutions(region: "{r["code"][:2]}", first: 500) '
                           "{ id region marks { validFrom validTo } }" for r in provinces[start:start + 20])
        out = hub.gql("{ " + aliases + " }")
        assert "errors" not in out, out
        generated.update(out["data"])
    assert {k: generated[k] for k in answer} == answer
    # each province's page holds its own institutions only (Chongqing's "50" once matched Sichuan's 51xxxx too)
    own = {key: [i for i in insts if i["region"].startswith(key[1:3])] for key, insts in generated.items()}
    assert own == generated and generated["p500000"]
    coverage = [{"province": key[1:], "institutions": len(insts),
                 "withValidMark": sum(1 for i in insts if any(valid_on(m, DAY) for m in i["marks"]))}
                for key, insts in sorted(own.items()) if insts]
    assert coverage == [{k: r[k] for k in ("province", "institutions", "withValidMark")} for r in want["q3"]]
