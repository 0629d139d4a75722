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
from hub.domain.regions import RegionIndex, all_regions
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


def test_the_document_has_three_questions_in_cypher_and_five_in_graphql():
    assert sorted(blocks("cypher")) == ["q1", "q2", "q3"]
    assert sorted(blocks("graphql")) == ["q1", "q2", "q3", "q4", "q5"]


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


def within(code: str, region: str) -> bool:
    """Whether ``region`` lies inside ``code``, by the region table and the zones file."""
    return code in RegionIndex.from_table().scopes_containing(region)


@pytest.mark.parametrize("backend_name", ["ladybug", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def test_graphql_as_documented_one_query_each(datasets, data, backend_name):
    """Every GraphQL block is one request, sent as written; its answer is checked against the dataset."""
    hub = datasets.served(backend_name, "demo", [DEMO_FILE])
    docs = blocks("graphql")
    want = expected(data)
    names = {i["id"]: i["name"] for i in data["institutions"]}

    def ask(name: str) -> dict:
        out = hub.gql(docs[name])
        assert "errors" not in out, out
        return out["data"]

    # 1: how many Hebei institutions hold 京津冀HR for chest CT, by city, and who
    got = ask("q1")
    holders = sorted({e["node"]["holder"]["name"] for e in got["marksConnection"]["edges"]})
    assert [{"institutions": got["marksAggregate"]["institutions"], "names": holders}] == [
        {**r, "names": sorted(r["names"])} for r in want["q1"]]
    region = {i["id"]: i["region"] for i in data["institutions"]}
    cities: dict[str, set] = defaultdict(set)
    for m in data["marks"]:
        if region[m["institution"]].startswith("13") and m["scope"] == "JJJ" and valid_on(m, DAY) and chest_ct(m["item"]):
            cities[region[m["institution"]][:4] + "00"].add(m["institution"])
    assert [(r["code"], r["institutions"]) for r in got["marksAggregate"]["byRegion"]] == sorted(
        (c, len(v)) for c, v in cities.items())

    # 2: the marks running out in the window
    got = ask("q2")["marksConnection"]
    rows = sorted(({"institution": e["node"]["holder"]["id"], "name": e["node"]["holder"]["name"], "item": e["node"]["item"],
                    "exam": e["node"]["forItem"]["name"], "scope": e["node"]["scope"], "until": e["node"]["validTo"]}
                   for e in got["edges"]), key=lambda r: (r["until"], r["institution"], r["item"], r["scope"]))
    assert rows == want["q2"] and got["totalCount"] == len(want["q2"])

    # 3: coverage by province
    got = ask("q3")
    marked = {r["code"]: r["institutions"] for r in got["marked"]["byRegion"]}
    coverage = [{"province": r["code"], "name": r["name"], "institutions": r["count"],
                 "withValidMark": marked.get(r["code"], 0)} for r in got["all"]["byRegion"]]
    assert coverage == want["q3"]

    # 4: the 3A institutions of 京津冀 that hold no mark
    got = ask("q4")["institutionsConnection"]
    holding = {m["institution"] for m in data["marks"]}
    none = sorted(i["id"] for i in data["institutions"]
                  if within("JJJ", i["region"]) and str(i["tier"]) == "3A" and i["id"] not in holding)
    assert [e["node"]["id"] for e in got["edges"]] == none and got["totalCount"] == len(none) == 1
    assert got["edges"][0]["node"]["name"] == names[none[0]] == "天津和平示例医院（示例）"

    # 5: a zone's institutions page by page, by name, following endCursor to the end
    inside = sorted((i for i in data["institutions"] if within("JJJ", i["region"])), key=lambda i: (i["name"], i["id"]))
    first = ask("q5")["region"]
    assert first["name"] == "京津冀" and first["institutions"]["totalCount"] == len(inside) == 8
    seen, page = [], first["institutions"]
    while True:
        seen += [e["node"]["id"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        following = docs["q5"].replace("first: 3,", f'first: 3, after: "{page["pageInfo"]["endCursor"]}",')
        out = hub.gql(following)
        assert "errors" not in out, out
        page = out["data"]["region"]["institutions"]
    assert seen == [i["id"] for i in inside]
