"""The catalog item search (hub/services/item_search.py) over the seed catalogs, no store, no server.

Expected items are derived from the catalog files (seeds/catalogs/*.yaml: their names, modalities and kinds),
not typed in; where a test names one item it cites the document and the row.
"""

from __future__ import annotations

import pytest

from graph.items import Items
from hub.services.directory import normalise_name
from hub.services.item_search import MAX_LIMIT, MAX_TEXT, ItemSearch, SearchRefused, item_search


@pytest.fixture(scope="module")
def items() -> Items:
    return Items.from_seeds()


@pytest.fixture(scope="module")
def search(items) -> ItemSearch:
    return item_search(items)


def imaging_catalogs(items: Items) -> list[str]:
    return [cid for cid, cf in items.catalogs.items() if cf.kind == "imaging"]


def named(items: Items, catalog: str, modality: str, starts: tuple[str, ...], contains: str, lacks: str = "增强") -> list[str]:
    """The refs of ``catalog`` whose printed name (normalised) starts with one of ``starts`` and holds
    ``contains`` but not ``lacks``, with ``modality``: what a reader of the list would pick by eye."""
    return [i.ref for i in items.catalogs[catalog].items
            if i.modality == modality and normalise_name(i.name).startswith(starts)
            and contains in normalise_name(i.name) and lacks not in normalise_name(i.name)]


def chest_ct_plain(items: Items) -> dict[str, str]:
    """Per imaging catalog, its one plain chest CT by its printed name (胸部…平扫 under CT)."""
    out = {}
    for cid in imaging_catalogs(items):
        found = named(items, cid, "CT", ("胸部",), "平扫")
        assert len(found) == 1, (cid, found)
        out[cid] = found[0]
    return out


def test_the_search_is_built_once_per_items(items, search):
    assert item_search(items) is search


def test_chest_ct_finds_the_plain_chest_ct_of_every_imaging_catalog(items, search):
    wanted = chest_ct_plain(items)
    assert set(wanted) == {"ZJ-IMG", "BJ-IMG", "HC-IMG", "HE-IMG", "CY-IMG"}
    found = search.search("胸部CT", limit=20)
    refs = [m.ref for m in found]
    assert set(wanted.values()) <= set(refs), (wanted, refs)
    # every chest CT ranks above anything that is not a chest CT (胸椎, 全腹部 …)
    chest = [m for m in found if items.features(m.ref).get("bodyPart") == "chest"
             and items.features(m.ref).get("modality") == "CT"]
    assert refs[: len(chest)] == [m.ref for m in chest]
    assert [m.score for m in found] == sorted((m.score for m in found), reverse=True)
    # the printed names that say 胸部 CT 平扫 come first, as name matches (001 附件2, 003 附表 row 122, 004 表A.1)
    printed = {wanted[c] for c in ("BJ-IMG", "HE-IMG", "CY-IMG")}
    assert {m.ref for m in found[:5]} >= printed
    assert all(m.matched_on == "name" for m in found if m.ref in printed)


def test_002s_chest_ct_is_found_though_its_name_says_no_ct(items, search):
    """002 附件1 CT(5) prints 胸部平扫（含薄层…） under its CT heading: found as the same exam as a match."""
    hc = chest_ct_plain(items)["HC-IMG"]
    assert "CT" not in normalise_name(items.by_ref[hc].name)
    (m,) = [m for m in search.search("胸部CT", limit=20) if m.ref == hc]
    assert m.matched_on in ("equivalent", "features") and m.score >= 70


@pytest.mark.parametrize("text", ["头颅MR", "头颅磁共振"])
def test_head_mr_finds_the_head_mr_items(items, search, text):
    wanted = {ref for cid in imaging_catalogs(items) for ref in named(items, cid, "MR", ("头颅", "颅脑"), "平扫")}
    assert {r.split(":")[0] for r in wanted} == set(imaging_catalogs(items)), wanted  # every list prints a plain head MR
    found = search.search(text, limit=40)
    assert wanted <= {m.ref for m in found}, wanted - {m.ref for m in found}
    assert all(items.features(m.ref).get("modality") == "MR" for m in found[:10])
    assert all(items.features(m.ref).get("bodyPart") == "head" for m in found[:3])


def test_a_plain_word_for_mr_is_read_with_the_vocabulary(items, search):
    """磁共振 is nowhere in the catalogs' names: the crosswalk vocabulary reads it as MR."""
    assert not any("磁共振" in i.name for cf in items.catalogs.values() for i in cf.items)
    first = search.search("头颅磁共振", limit=3)
    assert all(m.matched_on == "features" for m in first)
    assert all(items.features(m.ref).get("contrast") == "plain" for m in first)


def test_complete_blood_count_finds_the_lab_item_and_its_equivalent(items, search):
    """000 附件1 class 1 is 血常规 (CONTRACT: ZJ-LAB:1); BJ-LAB names the same panel otherwise."""
    (zj,) = [i.ref for i in items.catalogs["ZJ-LAB"].items if i.name == "血常规"]
    found = search.search("血常规", limit=5)
    assert (found[0].ref, found[0].score, found[0].matched_on) == (zj, 100.0, "name")
    others = [r for r in items.equivalents(zj)[1:]]
    assert others and all(any(m.ref == r and m.matched_on == "equivalent" and m.via == zj for m in found) for r in others)


def test_a_typo_still_finds_the_chest_ct(items, search):
    """胸布CT (布 typed for 部): the vocabulary reads 胸 + CT with one unread character."""
    wanted = chest_ct_plain(items)
    found = search.search("胸布CT", limit=20)
    assert items.features(found[0].ref) == items.features(wanted["HE-IMG"])
    assert set(wanted.values()) <= {m.ref for m in found[:10]}
    spine = [m for m in found if items.features(m.ref).get("bodyPart") == "thoracic_spine"]
    assert all(s.score < m.score for s in spine for m in found if m.ref in wanted.values())


def test_spaces_and_full_width_letters_do_not_matter(search):
    assert search.search("胸部 ＣＴ") == search.search("胸部CT") == search.search("胸部ct")


def test_a_reference_and_a_printed_code(items, search):
    he = chest_ct_plain(items)["HE-IMG"]
    first = search.search(f" {he.lower()} ", limit=5)[0]
    assert (first.ref, first.matched_on, first.score) == (he, "ref", 100.0)
    zj = items.by_ref[chest_ct_plain(items)["ZJ-IMG"]]  # 000 附件2 row 137: printed code BW23ZYZZZ
    found = search.search(zj.printed or zj.local, limit=5)
    assert (found[0].ref, found[0].matched_on) == (zj.ref, "code")


def test_the_catalog_filter(items, search):
    found = search.search("胸部CT", catalogs=["he-img"], limit=50)
    assert found and {m.catalog for m in found} == {"HE-IMG"}
    assert found[0].ref == chest_ct_plain(items)["HE-IMG"]
    with pytest.raises(SearchRefused) as e:
        search.search("胸部CT", catalogs=["XX-IMG"])
    assert e.value.argument == "catalog" and "XX-IMG" in str(e.value)


@pytest.mark.parametrize(("kwargs", "argument"), [
    ({"text": "胸部CT", "limit": 0}, "limit"),
    ({"text": "胸部CT", "limit": MAX_LIMIT + 1}, "limit"),
    ({"text": "  "}, "search"),
    ({"text": "胸" * (MAX_TEXT + 1)}, "search"),
])
def test_bounds_are_refused_naming_the_argument(search, kwargs, argument):
    with pytest.raises(SearchRefused) as e:
        search.search(**kwargs)
    assert e.value.argument == argument


def test_the_limit_bounds_the_answer(search):
    assert len(search.search("CT", limit=7)) == 7
    assert search.search("CT", limit=7) == search.search("CT", limit=30)[:7]


def test_suggestions_for_unknown_items(items, search):
    he = chest_ct_plain(items)["HE-IMG"]
    assert search.suggest("HE-IMG:胸部CT平扫")[0].ref == he           # a name where the code belongs
    assert search.suggest("胸布CT")[0].ref in chest_ct_plain(items).values()
    bj = chest_ct_plain(items)["BJ-IMG"]                                # 001 附件2: BW23ZYZZZ-00
    typo = "BJ-IMG:" + items.by_ref[bj].local.replace("ZYZZZ", "ZYZZX")
    assert items.resolve(typo) is None and search.suggest(typo)[0].ref == bj
    # 003's list ends at row 256 (附表): a serial number past it resembles nothing
    assert items.catalogs["HE-IMG"].catalog.item_count < 9999
    assert search.suggest("HE-IMG:9999") == ()
    assert len(search.suggest("胸部CT", 3)) == 3
    assert search.suggest("胸部CT") is search.suggest("胸部CT")  # cached per value
