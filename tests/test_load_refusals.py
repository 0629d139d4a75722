"""The bad-dataset matrix (issue 12): every kind of bad file ``hub load`` may meet is refused whole, with
the file (and the record and field where there is one) named, no stack trace, and the store unchanged.

Each case runs the real ``hub load`` on a store already holding the demo dataset, then compares every node
and relationship count and one record of the store with what they were before.  Every bad file also
updates an existing institution first (its name), so a refusal that wrote part of the file shows.  Every
case runs on both stores: the demo dataset in a LadybugDB file and in a real Neo4j (``datasets``; on Neo4j
the same store the GraphQL tests read: the matrix writes nothing to it, the good files load into new
stores).
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from graph.store import open_store
from tests.support.hubproc import ROOT, hub_cli

GOOD_INSTITUTION = {"id": "bj-xh", "name": "改名了（不应写入）", "tier": "3A", "region": "110101",
                    "ownership": "public", "kind": "general"}
INSTITUTION = {"id": "x-1", "name": "新医院", "tier": "2A", "region": "110101", "ownership": "public", "kind": "general"}
MARK = {"institution": "bj-xh", "item": "BJ-IMG:BW23ZYZZZ-00", "scope": "JJJ", "validFrom": "2024-01-01",
        "validTo": "2026-12-31"}


def dataset(**sections: list) -> dict:
    """A dataset whose first record is a valid update (which must not be written when the file is refused)."""
    return {"institutions": [GOOD_INSTITUTION, *sections.pop("institutions", [])], **sections}


def anchor_bomb() -> str:
    lines = ["base: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"l{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 9)]
    lines.append("institutions: [*a8]")
    return "\n".join(lines) + "\n"


def huge() -> str:
    """~30 MB of valid records with one bad record at the very end."""
    rows = [{**INSTITUTION, "id": f"big-{i}", "name": f"大医院{i}" * 20} for i in range(60_000)]
    rows.append({**INSTITUTION, "id": "big-last", "tier": "9Z"})
    return json.dumps(dataset(institutions=rows), ensure_ascii=False)


#: (case id, file name, content (str, bytes or a JSON-able dict), what the message must name)
CASES = [
    ("malformed-json", "d.json", '{"institutions": [\n  {"id": "a",}\n]}', ["line 2", "malformed JSON"]),
    ("malformed-yaml", "d.yaml", "institutions:\n  - {id: a\n  - b: [\n", ["malformed YAML", "line"]),
    ("yaml-anchor-bomb", "d.yaml", anchor_bomb(), ["alias", "line 1"]),
    ("non-utf8", "d.json", b'{"institutions": [{"id": "\xff\xfe"}]}', ["not UTF-8", "byte 26"]),
    ("bom-with-a-bad-record", "d.json",
     b"\xef\xbb\xbf" + json.dumps(dataset(institutions=[{**INSTITUTION, "tier": "3C"}])).encode(),
     ['(id "x-1").tier', '"3C"']),
    ("utf16", "d.json", json.dumps(dataset()).encode("utf-16"), ["not UTF-8"]),
    ("empty-file", "d.json", "", ["malformed JSON"]),
    ("empty-yaml", "d.yaml", "", ["the top level is null"]),
    ("top-level-list", "d.json", "[]", ["expected"]),
    ("deep-nesting", "d.json", "[" * 100_000 + "]" * 100_000, ["nested too deeply"]),
    ("unknown-top-level-key", "d.json", {**dataset(), "hospitals": []}, ["hospitals", "unknown top-level key"]),
    ("unknown-field", "d.json", dataset(institutions=[{**INSTITUTION, "grade": "3A"}]), ['(id "x-1")', "grade"]),
    ("wrong-type", "d.json", dataset(institutions=[{**INSTITUTION, "aliases": "not a list"}]), ['(id "x-1").aliases']),
    ("wrong-type-number-id", "d.json", dataset(institutions=[{**INSTITUTION, "id": 42}]), [".id", "42"]),
    ("unknown-region", "d.json", dataset(institutions=[{**INSTITUTION, "region": "999999"}]), ['(id "x-1").region', "999999"]),
    ("bad-tier", "d.json", dataset(institutions=[{**INSTITUTION, "tier": "3C"}]), ['(id "x-1").tier', '"3C"']),
    ("duplicate-id", "d.json", dataset(institutions=[INSTITUTION, INSTITUTION]), ['institutions[2] (id "x-1").id', "defined twice"]),
    ("duplicate-yaml-key", "d.yaml", "institutions:\n  - {id: a, id: b}\n", ["duplicate key"]),
    ("member-unknown", "d.json",
     dataset(alliances=[{"id": "al-1", "kind": "city_medical_group", "name": "医联体", "members": ["ghost-1"]}]),
     ['(id "al-1").members', "ghost-1"]),
    ("mark-institution-unknown", "d.json", dataset(marks=[{**MARK, "institution": "ghost-2"}]), [".institution", "ghost-2"]),
    ("mark-item-unknown", "d.json", dataset(marks=[{**MARK, "item": "BJ-IMG:NOPE-00"}]), [".item", "BJ-IMG:NOPE-00"]),
    ("mark-scope-unknown", "d.json", dataset(marks=[{**MARK, "scope": "JJ"}]), [".scope", '"JJ"']),
    ("valid-from-after-valid-to", "d.json", dataset(marks=[{**MARK, "validFrom": "2026-01-01", "validTo": "2025-01-01"}]),
     ["validTo", "2025-01-01"]),
    ("impossible-date", "d.json", dataset(marks=[{**MARK, "validFrom": "2024-02-30"}]), [".validFrom", "2024-02-30"]),
    ("not-a-dataset-extension", "d.csv", "id,name\n", ["not a dataset file", ".csv"]),
    ("huge-file-bad-at-the-end", "d.json", huge(), ['(id "big-last").tier', '"9Z"']),
]


def store_state(graph: Path | str) -> tuple[dict, list]:
    async def read() -> tuple[dict, list]:
        store = await open_store(str(graph))
        try:
            (counts,) = await store.read("graph.counts")
            return counts, await store.read("q.institution", {"ids": ["bj-xh"]})
        finally:
            await store.close()

    return asyncio.run(read())


@pytest.fixture
def demo_store(backend, datasets) -> str:
    """The demo dataset on each store (loaded once per session, and again on Neo4j if another dataset
    took the server in between).  On LadybugDB a file of its own: the session's "demo" file may be held
    by a hub serve (tests/test_export.py serves it), and then hub load would hand the files over to it."""
    key = "demo" if backend == "neo4j" else "refusals-demo"
    return datasets.target(backend, key, [ROOT / "seeds/demo/demo.yaml"])


def test_the_matrix_covers_at_least_fifteen_kinds():
    assert len(CASES) >= 15 and len({c[0] for c in CASES}) == len(CASES)


@pytest.mark.parametrize("name, file_name, content, needles", CASES, ids=[c[0] for c in CASES])
def test_a_bad_file_is_refused_whole_naming_what_is_wrong(demo_store, tmp_path, name, file_name, content, needles):
    before = store_state(demo_store)
    bad = tmp_path / file_name
    if isinstance(content, bytes):
        bad.write_bytes(content)
    elif isinstance(content, str):
        bad.write_text(content, encoding="utf-8")
    else:
        bad.write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
    out = hub_cli("load", "--graph", str(demo_store), str(bad), check=False)
    message = " ".join(out.stderr.split())  # rich wraps long lines
    assert out.returncode != 0, out.stdout
    assert "Traceback" not in out.stderr and "Error:" not in out.stderr, out.stderr
    assert str(bad) in message, message
    for needle in needles:
        assert needle in message, (needle, message)
    assert f"nothing of {bad} was written" in message, message
    assert store_state(demo_store) == before


def test_a_bom_alone_is_no_fault(fresh_graph, tmp_path):
    """Windows editors write a UTF-8 byte-order mark: a good file with one loads."""
    good = tmp_path / "bom.json"
    good.write_bytes(b"\xef\xbb\xbf" + json.dumps({"institutions": [INSTITUTION]}, ensure_ascii=False).encode())
    out = hub_cli("load", "--graph", fresh_graph, str(good))
    assert "institutions: 1 created" in out.stdout, out.stdout


def test_an_alias_of_a_scalar_still_works(fresh_graph, tmp_path):
    good = tmp_path / "alias.yaml"
    good.write_text("institutions:\n"
                    "  - {id: y-1, name: 甲, tier: 2A, region: &r '110101', ownership: public, kind: general}\n"
                    "  - {id: y-2, name: 乙, tier: 2A, region: *r, ownership: public, kind: general}\n", encoding="utf-8")
    out = hub_cli("load", "--graph", fresh_graph, str(good))
    assert "institutions: 2 created" in out.stdout, out.stdout
