"""The browse API (issue 17 item 4) on each store: ``where`` operators, zone regions, sorting, keyset cursor
paging with ``totalCount`` / ``pageInfo``, aggregates, reverse lookups and the object fields, bounds — over
HTTP against ``hub serve`` on the demo dataset (``store_hub``: LadybugDB, then a real Neo4j).  Every expected
value is computed here from seeds/demo/demo.yaml (and the zones file), never read back from a store.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
import yaml

from hub.domain.regions import RegionIndex
from tests.support.hubproc import ROOT

DATA = yaml.safe_load((ROOT / "seeds/demo/demo.yaml").read_text(encoding="utf-8"))
DEMO = DATA["institutions"]
MARKS = DATA["marks"]
INDEX = RegionIndex.from_table()
DAY = dt.date(2026, 11, 23)


def _data(hub, query: str, variables: dict | None = None) -> dict:
    out = hub.gql(query, variables) if variables is not None else hub.gql(query)
    assert "errors" not in out, out
    return out["data"]


def _error(hub, query: str) -> dict:
    out = hub.gql(query)
    assert out.get("errors"), out
    return out["errors"][0]


def _ids(rows) -> list[str]:
    return sorted(str(i["id"]) for i in rows)


def _within(code: str) -> list[dict]:
    """The demo institutions inside ``code``, by the region table (scopes_containing), not by the hub."""
    return [i for i in DEMO if code in INDEX.scopes_containing(str(i["region"]))]


def _conn_ids(hub, args: str) -> list[str]:
    got = _data(hub, f"{{ institutionsConnection({args}) {{ edges {{ node {{ id }} }} }} }}")
    return [e["node"]["id"] for e in got["institutionsConnection"]["edges"]]


# --------------------------------------------------------------------------------------------- regions


@pytest.mark.parametrize("zone, provinces", [("JJJ", ("110000", "120000", "130000")), ("CY", ("510000", "500000"))])
def test_a_zone_is_its_provinces_in_the_old_list_and_in_where(store_hub, zone, provinces):
    """``institutions(region: "JJJ")`` answered [] before; a zone is its member provinces, from the zones file."""
    expected = sorted(str(i["id"]) for i in DEMO if str(i["region"])[:2] in {p[:2] for p in provinces})
    assert expected == _ids(_within(zone)) and expected
    got = _data(store_hub, f'{{ old: institutions(region: "{zone}", first: 500) {{ id }} '
                           f'new: institutionsConnection(where: {{region: {{within: "{zone}"}}}}, first: 500) '
                           f'{{ totalCount edges {{ node {{ id }} }} }} }}')
    assert [r["id"] for r in got["old"]] == expected
    assert [e["node"]["id"] for e in got["new"]["edges"]] == expected and got["new"]["totalCount"] == len(expected)


def test_the_nation_is_everyone_and_a_county_is_not_its_neighbour(store_hub):
    assert _conn_ids(store_hub, 'where: {region: {within: "CN"}}, first: 500') == _ids(DEMO)
    assert _conn_ids(store_hub, 'where: {region: {within: "110101"}}, first: 500') == ["bj-dc-2", "bj-xh"]
    assert _conn_ids(store_hub, 'where: {region: {eq: "110105"}}, first: 500') == ["bj-cy-c"]
    assert _conn_ids(store_hub, 'where: {region: {within: "500000"}}, first: 500') == ["cq-wz", "cq-yz"]  # not Sichuan's 51


def test_an_unknown_region_in_where_is_bad_input_naming_it(store_hub):
    err = _error(store_hub, '{ institutionsConnection(where: {region: {within: "XX"}}) { totalCount } }')
    assert err["extensions"]["code"] == "BAD_INPUT" and "where.region.within" in err["message"]


# --------------------------------------------------------------------------------------------- operators


@pytest.mark.parametrize("where, keep", [
    ('{name: {eq: "天津和平示例医院（示例）"}}', lambda i: i["name"] == "天津和平示例医院（示例）"),
    ('{name: {contains: "石家庄"}}', lambda i: "石家庄" in i["name"]),
    ('{name: {contains: ""}}', lambda i: True),
    ('{name: {startsWith: "杭州"}}', lambda i: i["name"].startswith("杭州")),
    ('{name: {in: ["成都锦江示例医院（示例）", "nobody"]}}', lambda i: i["name"] == "成都锦江示例医院（示例）"),
    ('{tier: {in: ["3A", "3B"]}}', lambda i: str(i["tier"]) in ("3A", "3B")),
    ('{tier: {eq: "1"}}', lambda i: str(i["tier"]) == "1"),
    ('{kind: {in: ["primary", "lab"]}}', lambda i: i["kind"] in ("primary", "lab")),
    ('{ownership: {in: ["private"]}}', lambda i: i["ownership"] == "private"),
    ('{id: {in: ["gx-nn", "tj-hp", "ghost"]}}', lambda i: i["id"] in ("gx-nn", "tj-hp")),
    ('{tier: {in: []}}', lambda i: False),
    ('{region: {within: "JJJ"}, tier: {in: ["3A"]}, name: {contains: "示例"}}',
     lambda i: str(i["region"])[:2] in ("11", "12", "13") and str(i["tier"]) == "3A"),
    ('{holdsMarks: true}', lambda i: any(m["institution"] == i["id"] for m in MARKS)),
    ('{holdsMarks: false, region: {within: "CY"}}',
     lambda i: str(i["region"])[:2] in ("50", "51") and not any(m["institution"] == i["id"] for m in MARKS)),
])
def test_each_operator(store_hub, where, keep):
    expected = _ids(i for i in DEMO if keep(i))
    got = _data(store_hub, f"{{ c: institutionsConnection(where: {where}, first: 500) {{ totalCount edges {{ node {{ id }} }} }} "
                           f"l: institutions(where: {where}, first: 500) {{ id }} "
                           f"a: institutionsAggregate(where: {where}) {{ count }} }}")
    assert [e["node"]["id"] for e in got["c"]["edges"]] == expected
    assert [r["id"] for r in got["l"]] == expected
    assert got["c"]["totalCount"] == got["a"]["count"] == len(expected)


# --------------------------------------------------------------------------------------------- sorting, paging


@pytest.mark.parametrize("field, key", [("ID", lambda i: str(i["id"])), ("NAME", lambda i: i["name"]),
                                        ("REGION", lambda i: str(i["region"])), ("TIER", lambda i: str(i["tier"]))])
@pytest.mark.parametrize("direction", ["ASC", "DESC"])
def test_paging_by_cursor_walks_the_sorted_list_without_gaps_or_repeats(store_hub, field, key, direction):
    """Pages of 4 through all 18 institutions, ties on the key (tier, region) broken by id: the concatenation
    is the unpaged sort, each page's pageInfo right."""
    down = direction == "DESC"
    expected = [str(i["id"]) for i in sorted(DEMO, key=lambda i: (key(i), str(i["id"])), reverse=down)]
    sort = f"sort: [{{field: {field}, direction: {direction}}}]"
    whole = _conn_ids(store_hub, f"{sort}, first: 500")
    assert whole == expected
    seen, after, pages = [], None, 0
    while True:
        cursor = f', after: "{after}"' if after else ""
        page = _data(store_hub, f"{{ institutionsConnection({sort}, first: 4{cursor}) {{ totalCount "
                                f"pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }} "
                                f"edges {{ cursor node {{ id }} }} }} }}")["institutionsConnection"]
        pages += 1
        info = page["pageInfo"]
        assert page["totalCount"] == len(DEMO)
        assert info["hasPreviousPage"] == (after is not None)
        assert info["startCursor"] == page["edges"][0]["cursor"] and info["endCursor"] == page["edges"][-1]["cursor"]
        seen += [e["node"]["id"] for e in page["edges"]]
        if not info["hasNextPage"]:
            break
        after = info["endCursor"]
    assert seen == expected and pages == -(-len(DEMO) // 4)


def test_the_old_list_takes_where_and_sort_with_offset(store_hub):
    expected = [str(i["id"]) for i in sorted(DEMO, key=lambda i: (i["name"], str(i["id"])), reverse=True)]
    got = _data(store_hub, '{ a: institutions(sort: [{field: NAME, direction: DESC}], first: 5) { id } '
                           'b: institutions(sort: [{field: NAME, direction: DESC}, {field: ID, direction: DESC}], first: 5, offset: 5) { id } }')
    assert [r["id"] for r in got["a"] + got["b"]] == expected[:10]


def test_an_empty_page_and_a_page_past_the_end(store_hub):
    page = _data(store_hub, '{ institutionsConnection(where: {name: {eq: "nobody"}}) { totalCount '
                            'pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor } } }')
    assert page["institutionsConnection"] == {"totalCount": 0, "edges": [], "pageInfo": {
        "hasNextPage": False, "hasPreviousPage": False, "startCursor": None, "endCursor": None}}


# --------------------------------------------------------------------------------------------- bounds, cursors


@pytest.mark.parametrize("args, argument", [
    ("first: 501", "first"), ("first: -1", "first"), ('after: "not-a-cursor"', "after"), ('after: "WyJ4Il0"', "after"),
    ('sort: [{field: NAME}, {field: TIER}]', "sort"),
])
def test_bounds_and_bad_cursors_are_bad_input_naming_the_argument(store_hub, args, argument):
    err = _error(store_hub, f"{{ institutionsConnection({args}) {{ totalCount }} }}")
    assert err["extensions"]["code"] == "BAD_INPUT" and f"argument {argument}" in err["message"], err


@pytest.mark.parametrize("query, argument", [
    ('{ institutions(region: "13", where: {region: {within: "JJJ"}}) { id } }', "region"),
    ('{ institutions(name: "示例", where: {name: {contains: "医院"}}) { id } }', "name"),
    ('{ institutionsConnection(where: {tier: {in: [%s]}}) { totalCount } }' % ", ".join(['"3A"'] * 201), "where.tier.in"),
    ('{ institutionsAggregate { byRegion(level: "planet") { code } } }', "level"),
    ('{ marksAggregate(where: {holder: {region: {within: "ZZ"}}}) { count } }', "where.holder.region.within"),
    ('{ region(code: "JJJ") { institutions(where: {region: {within: "CY"}}) { totalCount } } }', "where.region.within"),
])
def test_contradictions_and_bounds_are_bad_input_naming_the_argument(store_hub, query, argument):
    err = _error(store_hub, query)
    assert err["extensions"]["code"] == "BAD_INPUT" and f"argument {argument}" in err["message"], err


def test_a_marks_holder_filter_on_holding_marks(store_hub):
    got = _data(store_hub, '{ t: marksAggregate(where: {holder: {holdsMarks: true}}) { count } '
                           'f: marksAggregate(where: {holder: {holdsMarks: false}}) { count } '
                           'c: marksConnection(where: {holder: {holdsMarks: false}}) { totalCount edges { node { id } } } }')
    assert (got["t"]["count"], got["f"]["count"], got["c"]["totalCount"], got["c"]["edges"]) == (len(MARKS), 0, 0, [])


def test_a_cursor_of_another_sort_is_refused(store_hub):
    end = _data(store_hub, "{ institutionsConnection(first: 2) { pageInfo { endCursor } } }")[
        "institutionsConnection"]["pageInfo"]["endCursor"]
    err = _error(store_hub, f'{{ institutionsConnection(first: 2, after: "{end}", sort: [{{field: NAME}}]) {{ totalCount }} }}')
    assert err["extensions"]["code"] == "BAD_INPUT" and "argument after" in err["message"]


def test_offset_bound_of_the_old_list(store_hub):
    err = _error(store_hub, "{ institutions(first: 5, offset: 10001) { id } }")
    assert err["extensions"]["code"] == "BAD_INPUT" and "offset" in err["message"]


# --------------------------------------------------------------------------------------------- aggregates


def test_institutions_aggregate_by_region_and_tier(store_hub):
    got = _data(store_hub, '{ a: institutionsAggregate { count byRegion { code name count region { level } } byTier { tier count } } '
                           'z: institutionsAggregate { byRegion(level: "zone") { code count } } '
                           'c: institutionsAggregate(where: {region: {within: "130000"}}) { byRegion(level: "city") { code name count } } }')
    provinces = Counter(INDEX.province_of(str(i["region"])) for i in DEMO)
    assert got["a"]["count"] == len(DEMO)
    assert [(r["code"], r["count"]) for r in got["a"]["byRegion"]] == sorted(provinces.items())
    assert {r["region"]["level"] for r in got["a"]["byRegion"]} == {"province"}
    assert got["a"]["byRegion"][0]["name"] == "北京市"
    assert [(r["tier"], r["count"]) for r in got["a"]["byTier"]] == sorted(Counter(str(i["tier"]) for i in DEMO).items())
    assert [(r["code"], r["count"]) for r in got["z"]["byRegion"]] == [("CY", len(_within("CY"))), ("JJJ", len(_within("JJJ")))]
    cities = Counter(str(i["region"])[:4] + "00" for i in DEMO if str(i["region"]).startswith("13"))
    assert [(r["code"], r["count"]) for r in got["c"]["byRegion"]] == sorted(cities.items())


def _valid(m: dict, day: dt.date) -> bool:
    start = dt.date.fromisoformat(str(m["validFrom"]))
    end = dt.date.fromisoformat(str(m["validTo"])) if m.get("validTo") else None
    return start <= day and (end is None or end >= day)


def test_marks_aggregate_holders_by_region(store_hub):
    """"How many Hebei institutions hold 京津冀HR for chest CT, by city" and the same for everything valid today."""
    region_of = {i["id"]: str(i["region"]) for i in DEMO}
    got = _data(store_hub, '{ q: marksAggregate(where: {holder: {region: {within: "130000"}}, label: {eq: "京津冀HR"}, '
                           'forItem: {modality: {eq: "CT"}, bodyPart: {eq: "chest"}}, validOn: "2026-11-23"}) '
                           '{ count institutions byRegion(level: "city") { code name institutions marks } } '
                           'all: marksAggregate(where: {validOn: "2026-11-23"}) { count institutions byRegion { code institutions marks } } '
                           'jjj: marksAggregate(where: {scope: {eq: "JJJ"}}) { count institutions } }')
    hebei = [m for m in MARKS if region_of[m["institution"]].startswith("13") and m["scope"] == "JJJ" and _valid(m, DAY)]
    assert got["q"]["count"] == len(hebei) and got["q"]["institutions"] == len({m["institution"] for m in hebei}) == 1
    assert got["q"]["byRegion"] == [{"code": "130100", "name": "石家庄市", "institutions": 1, "marks": 1}]
    valid = [m for m in MARKS if _valid(m, DAY)]
    assert got["all"]["count"] == len(valid) and got["all"]["institutions"] == len({m["institution"] for m in valid})
    by_province: dict[str, set] = {}
    for m in valid:
        by_province.setdefault(INDEX.province_of(region_of[m["institution"]]), set()).add(m["institution"])
    assert [(r["code"], r["institutions"]) for r in got["all"]["byRegion"]] == sorted((k, len(v)) for k, v in by_province.items())
    jjj = [m for m in MARKS if m["scope"] == "JJJ"]
    assert (got["jjj"]["count"], got["jjj"]["institutions"]) == (len(jjj), len({m["institution"] for m in jjj}))


# --------------------------------------------------------------------------------------------- marks, reverse lookups


def test_marks_connection_pages_through_every_mark_with_its_objects(store_hub):
    ids = sorted(f'{m["institution"]}|{m["item"]}|{m["scope"]}|{m["validFrom"]}' for m in MARKS)
    seen, after = [], None
    while True:
        cursor = f', after: "{after}"' if after else ""
        page = _data(store_hub, f"{{ marksConnection(first: 5{cursor}) {{ totalCount pageInfo {{ hasNextPage endCursor }} "
                                f"edges {{ node {{ id item scope forItem {{ ref }} validIn {{ code }} holder {{ id }} }} }} }} }}")["marksConnection"]
        assert page["totalCount"] == len(MARKS)
        for e in page["edges"]:
            node = e["node"]
            assert node["forItem"]["ref"] == node["item"] and node["validIn"]["code"] == node["scope"]
            assert node["holder"]["id"] == node["id"].split("|")[0]
        seen += [e["node"]["id"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == ids


def test_item_holders_and_region_institutions(store_hub):
    got = _data(store_hub, '{ catalogItem(ref: "HE-IMG:122") { ref name all: holders { totalCount edges { node { id } } } '
                           'jjj: holders(scope: "JJJ", validOn: "2026-11-23") { totalCount edges { node { id } } } '
                           'one: holders(first: 1) { pageInfo { hasNextPage } edges { node { id } } } } '
                           'region(code: "CY") { name institutions(first: 500, sort: [{field: NAME}]) { totalCount edges { node { id name } } } } '
                           'none: region(code: "XX") { code } }')
    item = got["catalogItem"]
    holders = sorted({m["institution"] for m in MARKS if m["item"] == "HE-IMG:122"})
    assert [e["node"]["id"] for e in item["all"]["edges"]] == holders and item["all"]["totalCount"] == len(holders)
    assert [e["node"]["id"] for e in item["jjj"]["edges"]] == ["he-sjz-1"] and item["jjj"]["totalCount"] == 1
    assert item["one"]["pageInfo"]["hasNextPage"] and [e["node"]["id"] for e in item["one"]["edges"]] == holders[:1]
    cy = sorted(_within("CY"), key=lambda i: (i["name"], i["id"]))
    assert got["region"]["name"] == "川渝" and got["region"]["institutions"]["totalCount"] == len(cy)
    assert [e["node"]["id"] for e in got["region"]["institutions"]["edges"]] == [i["id"] for i in cy]
    assert got["none"] is None


def test_located_in_and_marks_of_a_page(store_hub):
    got = _data(store_hub, "{ institutions(first: 500) { id region locatedIn { code name level } marks { id item forItem { ref } } } }")
    for inst in got["institutions"]:
        assert inst["locatedIn"]["code"] == inst["region"] and inst["locatedIn"]["name"] == INDEX.names[inst["region"]]
        mine = sorted((m["item"], m["scope"]) for m in MARKS if m["institution"] == inst["id"])
        assert sorted(m["item"] for m in inst["marks"]) == [i for i, _ in mine]


# --------------------------------------------------------------------------------------------- other lists


def _walk(hub, field: str, args: str, key: str, size: int) -> tuple[list[str], int]:
    """Every element of a connection, page by page (``size`` each): the keys in order, and totalCount."""
    seen, after, total = [], None, None
    while True:
        cursor = f', after: "{after}"' if after else ""
        page = _data(hub, f"{{ {field}({args}first: {size}{cursor}) {{ totalCount pageInfo {{ hasNextPage endCursor }} "
                          f"edges {{ node {{ {key} }} }} }} }}")[field]
        total = page["totalCount"]
        seen += [e["node"][key] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return seen, total
        after = page["pageInfo"]["endCursor"]


def test_alliances_where_and_sort(store_hub):
    alliances = DATA["alliances"]
    got = _data(store_hub, '{ k: alliancesConnection(where: {kind: {eq: "county_medical_community"}}) { totalCount edges { node { id } } } '
                           'n: alliances(where: {name: {contains: "东城"}}) { id } '
                           'd: alliances(sort: [{field: NAME, direction: DESC}]) { id } }')
    assert [e["node"]["id"] for e in got["k"]["edges"]] == [a["id"] for a in alliances if a["kind"] == "county_medical_community"]
    assert [a["id"] for a in got["n"]] == [a["id"] for a in alliances if "东城" in a["name"]]
    assert [a["id"] for a in got["d"]] == [a["id"] for a in sorted(alliances, key=lambda a: (a["name"], a["id"]), reverse=True)]
    assert _walk(store_hub, "alliancesConnection", "", "id", 1) == (sorted(a["id"] for a in alliances), len(alliances))


@pytest.mark.parametrize("direction", ["ASC", "DESC"])
def test_regions_by_cursor_and_where(store_hub, direction):
    from hub.domain.regions import all_regions

    provinces = [r for r in all_regions() if r.level == "province"]
    expected = [r.code for r in sorted(provinces, key=lambda r: (r.name, r.code), reverse=direction == "DESC")]
    got = _walk(store_hub, "regionsConnection", f'where: {{level: {{eq: "province"}}}}, sort: [{{field: NAME, direction: {direction}}}], ', "code", 7)
    assert got == (expected, len(provinces))
    zone = _data(store_hub, '{ regionsConnection(where: {parent: {in: ["JJJ", "CY"]}}) { totalCount edges { node { code parents } } } '
                            'r: regions(parent: "130000", where: {name: {startsWith: "石家庄"}}) { code } }')
    assert [e["node"]["code"] for e in zone["regionsConnection"]["edges"]] == sorted(INDEX.provinces_within("JJJ") + INDEX.provinces_within("CY"))
    assert all("CN" in e["node"]["parents"] for e in zone["regionsConnection"]["edges"])  # every parent collected
    assert [r["code"] for r in zone["r"]] == [r.code for r in all_regions() if "130000" in r.parents and r.name.startswith("石家庄")]


def test_catalog_items_where_and_paging(store_hub):
    from graph.items import Items

    items = Items.from_seeds()
    records = [items.record(ref) for ref in items.by_ref]
    chest_ct = sorted(r.ref for r in records if r.modality == "CT" and r.body_part == "chest")
    got = _walk(store_hub, "catalogItemsConnection", 'where: {modality: {in: ["CT"]}, bodyPart: {eq: "chest"}}, ', "ref", 3)
    assert got == (chest_ct, len(chest_ct)) and chest_ct
    by_name = _data(store_hub, '{ catalogItems(catalog: "HE-IMG", where: {name: {contains: "胸部"}}, sort: [{field: NAME, direction: DESC}], first: 500) { ref } }')
    assert [r["ref"] for r in by_name["catalogItems"]] == [r.ref for r in sorted(
        (r for r in records if r.catalog == "HE-IMG" and "胸部" in r.name), key=lambda r: (r.name, r.ref), reverse=True)]


# --------------------------------------------------------------------------------------------- one read per field


def test_object_fields_and_holders_cost_one_read_per_field_not_per_element(counted):
    """A page of all 18 institutions with their region, marks, alliances, and each mark's item, scope region and
    holder: one read per field (the region loader may run once per level it is asked at), whatever the page size."""
    q = ("{ institutionsConnection(first: 500) { totalCount edges { node { id locatedIn { name } alliances { id } "
         "marks { item forItem { name } validIn { name } holder { id } } } } } }")
    counted.store.reads.clear()
    out = counted.gql(q)
    assert "errors" not in out, out
    assert len(out["data"]["institutionsConnection"]["edges"]) == len(DEMO)
    reads = Counter(counted.store.reads)
    assert reads == Counter({"q.institutions_seek": 1, "q.institutions_count": 1, "q.institutions_marks": 1,
                             "q.institution_alliances": 1, "q.regions_by_codes": 2, "q.institution": 1}), reads
    counted.store.reads.clear()
    refs = sorted({m["item"] for m in MARKS})
    out = counted.gql("{ " + " ".join(f'i{n}: catalogItem(ref: "{r}") {{ ref holders(first: 1) {{ totalCount edges {{ node {{ id }} }} }} '
                                      f'jjj: holders(scope: "JJJ") {{ edges {{ node {{ id }} }} }} }}' for n, r in enumerate(refs)) + " }")
    assert "errors" not in out, out
    for n, ref in enumerate(refs):  # each item's own holders, cut to its own page
        mine = sorted({m["institution"] for m in MARKS if m["item"] == ref})
        got = out["data"][f"i{n}"]
        assert [e["node"]["id"] for e in got["holders"]["edges"]] == mine[:1] and got["holders"]["totalCount"] == len(mine)
        assert [e["node"]["id"] for e in got["jjj"]["edges"]] == sorted(
            {m["institution"] for m in MARKS if m["item"] == ref and m["scope"] == "JJJ"})
    assert Counter(counted.store.reads) == Counter({"q.items_holders": 2, "q.items_holders_count": 1}), counted.store.reads
    counted.store.reads.clear()
    out = counted.gql('{ p: regions(level: "province", first: 100) { code institutions(first: 2, sort: [{field: NAME, direction: DESC}]) '
                      '{ totalCount pageInfo { hasNextPage } edges { node { id } } } } '
                      'z: regions(level: "zone") { code institutions(first: 500) { totalCount edges { node { id } } } } }')
    assert "errors" not in out, out
    for r in out["data"]["p"] + out["data"]["z"]:  # each region's own institutions, cut to its own page
        province = r in out["data"]["p"]  # provinces by name, descending, 2 a page; zones by id, all
        inside = sorted(_within(r["code"]), key=(lambda i: (i["name"], i["id"])) if province else (lambda i: i["id"]),
                        reverse=province)
        want = [i["id"] for i in inside][:2] if province else [i["id"] for i in inside]
        assert [e["node"]["id"] for e in r["institutions"]["edges"]] == want, r["code"]
        assert r["institutions"]["totalCount"] == len(inside)
    reads = Counter(counted.store.reads)
    # the totalCounts of both lists are one read when both lists' regions reach the count loader in the same
    # tick of the event loop (the loader batches what is asked together), else one read per list: never per region
    assert 1 <= reads.pop("q.regions_institutions_count") <= 2, counted.store.reads
    assert reads == Counter({"q.regions_page": 2, "q.regions_institutions_desc": 1,
                             "q.regions_institutions": 1}), counted.store.reads
    counted.store.reads.clear()
    out = counted.gql("{ institutionsAggregate { count byRegion(level: \"city\") { code count region { name } } byTier { tier } } "
                      "marksAggregate(where: {validOn: \"2026-11-23\"}) { count institutions byRegion { code } } }")
    assert "errors" not in out, out
    assert Counter(counted.store.reads) == Counter({"q.institutions_aggregate": 1, "q.marks_aggregate": 1,
                                                    "q.regions_by_codes": 1}), counted.store.reads


def test_one_institution_with_its_alliances_and_marks_is_one_read(counted):
    """institution(id) asking for alliances and marks reads them with the institution in one store call
    (q.institution_card), fragments included, and answers what the three separate reads answer; without them,
    the institution alone; an unknown id is null, an institution with neither has empty lists."""
    fields = "id name tier region alliances { id kind name } marks { item scope validFrom validTo }"
    demo = DATA
    for iid in ("bj-xh", "zj-hz-1", *[i["id"] for i in demo["institutions"][-2:]]):
        counted.store.reads.clear()
        card = counted.gql(f'{{ institution(id: "{iid}") {{ {fields} }} }}')
        assert "errors" not in card and Counter(counted.store.reads) == Counter({"q.institution_card": 1}), (
            card, counted.store.reads)
        got = card["data"]["institution"]
        assert got["alliances"] == [{"id": a["id"], "kind": a["kind"], "name": a["name"]}
                                    for a in sorted(demo.get("alliances", []), key=lambda a: a["id"])
                                    if iid in a["members"]]
        assert sorted((m["item"], m["scope"], m["validFrom"]) for m in got["marks"]) == sorted(
            (m["item"], m["scope"], str(m["validFrom"])) for m in MARKS if m["institution"] == iid)
        via_fragment = counted.gql(f'{{ institution(id: "{iid}") {{ ...F }} }} fragment F on Institution {{ {fields} }}')
        assert via_fragment == card
    counted.store.reads.clear()
    plain = counted.gql('{ institution(id: "bj-xh") { id name } ghost: institution(id: "ghost") { id marks { item } } }')
    assert plain["data"] == {"institution": {"id": "bj-xh", "name": next(
        i["name"] for i in demo["institutions"] if i["id"] == "bj-xh")}, "ghost": None}
    assert Counter(counted.store.reads) == Counter({"q.institution": 1, "q.institution_card": 1}), counted.store.reads
