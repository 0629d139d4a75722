"""``catalogItems(search:)`` and the suggestions of UNKNOWN_ITEM, over HTTP against ``hub serve`` on the demo
dataset (docs/SEARCH.md).  The search reads the item index, not the store, so ``store_hub`` proves it answers the
same on both stores; the error tests use the session's LadybugDB hub.

Expected items come from the catalog files (seeds/catalogs/*.yaml), not from the hub.
"""

from __future__ import annotations

import pytest

from graph.items import Items
from hub.services.directory import normalise_name
from resolvers.suggestions import MAX_SUGGESTED_VALUES
from tests.test_item_search import chest_ct_plain

ITEMS = Items.from_seeds()
CHEST_CT = chest_ct_plain(ITEMS)  # per imaging catalog, its plain chest CT by printed name
FIELDS = "ref catalog name score matchedOn"


def _data(server, query: str, variables: dict | None = None) -> dict:
    out = server.gql(query, variables)
    assert "errors" not in out, out
    return out["data"]


def _error(server, query: str, variables: dict | None = None) -> dict:
    out = server.gql(query, variables)
    assert out.get("errors"), out
    (err,) = out["errors"]
    return err


def test_search_answers_in_relevance_order_on_both_stores(store_hub):
    found = _data(store_hub, f'{{ catalogItems(search: "胸部CT", first: 20) {{ {FIELDS} }} }}')["catalogItems"]
    assert set(CHEST_CT.values()) <= {i["ref"] for i in found}
    scores = [i["score"] for i in found]
    assert scores == sorted(scores, reverse=True) and scores[0] > 90
    for i in found:
        assert i["name"] == ITEMS.by_ref[i["ref"]].name and i["catalog"] == i["ref"].split(":")[0]
        assert i["matchedOn"] in {"ref", "code", "name", "features", "equivalent", "fuzzy"}
    # browsing a catalog without search is the document's order, without scores
    listed = _data(store_hub, '{ catalogItems(catalog: "HE-IMG", first: 3) { ref row score matchedOn } }')["catalogItems"]
    assert [i["row"] for i in listed] == [1, 2, 3] and all(i["score"] is None and i["matchedOn"] is None for i in listed)


def test_search_within_one_catalog_and_pages(hub):
    found = _data(hub, f'{{ catalogItems(search: "胸部 ct", catalog: "HE-IMG", first: 50) {{ {FIELDS} }} }}')["catalogItems"]
    assert found[0]["ref"] == CHEST_CT["HE-IMG"]  # 003 附表 row 122 胸部CT平扫
    assert {i["catalog"] for i in found} == {"HE-IMG"}
    page = _data(hub, '{ catalogItems(search: "CT", first: 4, offset: 3) { ref } }')["catalogItems"]
    whole = _data(hub, '{ catalogItems(search: "CT", first: 7) { ref } }')["catalogItems"]
    assert page == whole[3:7]


@pytest.mark.parametrize("text", ["头颅MR", "头颅磁共振"])
def test_head_mr(hub, text):
    found = _data(hub, f'{{ catalogItems(search: "{text}", first: 5) {{ ref }} }}')["catalogItems"]
    assert found and all(ITEMS.features(i["ref"])["modality"] == "MR" and ITEMS.features(i["ref"])["bodyPart"] == "head"
                         for i in found)


def test_complete_blood_count_and_a_typo(hub):
    (first,) = _data(hub, f'{{ catalogItems(search: "血常规", first: 1) {{ {FIELDS} }} }}')["catalogItems"]
    assert (first["name"], first["catalog"], first["score"]) == ("血常规", "ZJ-LAB", 100.0)  # 000 附件1 class 1
    top = _data(hub, '{ catalogItems(search: "胸布CT", first: 5) { ref } }')["catalogItems"]
    assert all(ITEMS.features(i["ref"])["bodyPart"] == "chest" for i in top)


@pytest.mark.parametrize(("args", "argument"), [
    ("", "catalog"),
    ('first: 5', "catalog"),
    ('search: "胸部CT", first: 501', "first"),
    ('search: "胸部CT", offset: -1', "offset"),
    ('search: ""', "search"),
    (f'search: "{"胸" * 65}"', "search"),
    ('search: "胸部CT", catalog: "XX-IMG"', "catalog"),
])
def test_what_cannot_be_searched_is_bad_input_naming_the_argument(hub, args, argument):
    err = _error(hub, f"{{ catalogItems{f'({args})' if args else ''} {{ ref }} }}")
    assert err["extensions"]["code"] == "BAD_INPUT", err
    assert err["extensions"]["value"]["argument"] == argument and argument in err["message"]


# --------------------------------------------------------------------------------------------- suggestions

ONE = 'query($s: StudyInput!, $lang: Language) { recognizability(study: $s, at: "he-sjz-1", on: "2026-11-23", lang: $lang) { verdict } }'
MANY = ('query($s: [StudyInput!]!, $lang: Language) { recognizabilities(studies: $s, at: "he-sjz-1", on: "2026-11-23", '
        'lang: $lang) { verdict } }')


def study(item: str) -> dict:
    return {"institution": "bj-xh", "item": item, "performedOn": "2026-11-11"}


def shown(s: dict) -> str:
    return f"{s['ref']} {s['name']}"


def test_an_unknown_item_suggests_what_was_meant_in_chinese_by_default(hub):
    err = _error(hub, ONE, {"s": study("胸布CT")})
    ext = err["extensions"]
    assert (ext["code"], ext["value"]) == ("UNKNOWN_ITEM", "胸布CT")
    assert 1 <= len(ext["suggestions"]) <= 3
    for s in ext["suggestions"]:
        assert s["name"] == ITEMS.by_ref[s["ref"]].name and s["catalog"] == s["ref"].split(":")[0]
        assert ITEMS.features(s["ref"])["bodyPart"] == "chest"
    assert err["message"] == f"未知检查项目 '胸布CT'。您是否要找：{'、'.join(shown(s) for s in ext['suggestions'])}？"
    assert err["path"] == ["recognizability"]


def test_in_english_with_lang_en(hub):
    err = _error(hub, ONE, {"s": study("HE-IMG:胸部CT平扫"), "lang": "EN"})
    first = err["extensions"]["suggestions"][0]
    assert first["ref"] == CHEST_CT["HE-IMG"]  # 003 附表 row 122
    assert err["message"].startswith(f"unknown catalog item 'HE-IMG:胸部CT平扫'. Did you mean: {shown(first)}")


def test_nothing_resembling_means_no_suggestion(hub):
    """003's list ends at row 256: HE-IMG:9999 resembles nothing, and nothing is made up."""
    err = _error(hub, ONE, {"s": study("HE-IMG:9999")})
    assert err["extensions"]["suggestions"] == [] and err["message"] == "未知检查项目 'HE-IMG:9999'"


def test_a_batch_gives_each_unknown_element_its_error_with_its_path_and_suggestions(hub):
    known = CHEST_CT["BJ-IMG"]
    typos = [f"胸部CT平扫{n}" for n in range(MAX_SUGGESTED_VALUES + 4)]  # more distinct unknown values than get suggestions
    studies = [study(known if i % 2 else typos[(i // 2) % len(typos)]) for i in range(500)]
    out = hub.gql(MANY, {"s": studies})
    data = out["data"]["recognizabilities"]
    assert len(data) == 500 and all((d is not None) == bool(i % 2) for i, d in enumerate(data))
    errors = {e["path"][1]: e for e in out["errors"]}
    assert sorted(errors) == list(range(0, 500, 2))
    assert all(e["path"][0] == "recognizabilities" and e["extensions"]["code"] == "UNKNOWN_ITEM" for e in errors.values())
    with_suggestions = {e["extensions"]["value"] for e in errors.values() if e["extensions"]["suggestions"]}
    assert len(with_suggestions) == MAX_SUGGESTED_VALUES  # bounded per request; the others keep the plain message
    for e in errors.values():
        value = e["extensions"]["value"]
        assert value == typos[(e["path"][1] // 2) % len(typos)]
        if value in with_suggestions:
            assert "您是否要找" in e["message"]
        else:
            assert e["message"] == f"未知检查项目 '{value}'"


def test_equivalents_and_orders_suggest_too(hub):
    err = _error(hub, 'query($i: String!) { equivalents(item: $i, lang: EN) { ref } }', {"i": "胸布CT"})
    assert err["extensions"]["code"] == "UNKNOWN_ITEM" and err["extensions"]["suggestions"]
    assert err["message"].startswith("unknown catalog item '胸布CT'. Did you mean: ")
    err = _error(hub, '{ reminders(patient: {id: "P-1"}, at: "bj-xh", orders: ["头颅磁共振"]) { id } }')
    ext = err["extensions"]
    assert (ext["code"], ext["field"], ext["value"]) == ("UNKNOWN_ITEM", "orders", "头颅磁共振")
    assert ext["suggestions"] and all(ITEMS.features(s["ref"])["modality"] == "MR" for s in ext["suggestions"])
    assert normalise_name(err["message"]).startswith("未知检查项目")


def test_production_mode_keeps_the_suggestions(demo_graph, tmp_path):
    """Production mode strips graphql-core's "Did you mean …?" (it would list the schema); UNKNOWN_ITEM's names
    catalog items, public in the documents, and stays."""
    from tests.graphql.conftest import start_hub

    server = start_hub(demo_graph, tmp_path, "--mode", "production")
    try:
        err = _error(server, ONE, {"s": study("HE-IMG:胸部CT平扫"), "lang": "EN"})
        assert err["extensions"]["suggestions"][0]["ref"] == CHEST_CT["HE-IMG"]
        assert "Did you mean: " + shown(err["extensions"]["suggestions"][0]) in err["message"]
        out = server.gql('{ catalogItems(serach: "胸部CT") { ref } }')
        assert "Did you mean" not in out["errors"][0]["message"]  # graphql-core's own: still stripped
    finally:
        server.stop()
