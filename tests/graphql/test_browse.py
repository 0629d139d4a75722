"""Browsing the graph from GraphiQL: ``institutions`` and ``regions`` with and without their filters, over
HTTP against ``hub serve`` on the demo dataset, on each store (``store_hub``: LadybugDB, a real Neo4j).
Expected rows come from the sources the store was loaded from (seeds/demo/demo.yaml, the GB/T 2260
table), not from the store itself.

Without a filter both lists once failed inside LadybugDB (a null parameter is typed BOOL: "Cannot change
parameter expression data type from BOOL to STRING" / "Value nation is not a valid boolean"), and no test
asked for them without one.
"""

from __future__ import annotations

import pytest
import yaml

from hub.domain.regions import all_regions
from tests.support.hubproc import ROOT

DEMO = yaml.safe_load((ROOT / "seeds/demo/demo.yaml").read_text(encoding="utf-8"))["institutions"]


def _data(store_hub, query: str) -> dict:
    out = store_hub.gql(query)
    assert "errors" not in out, out
    return out["data"]


def test_institutions_without_a_filter_are_every_institution_in_id_order(store_hub):
    got = [r["id"] for r in _data(store_hub, "{ institutions(first: 500) { id } }")["institutions"]]
    assert got == sorted(i["id"] for i in DEMO)


@pytest.mark.parametrize("region, prefix", [("13", "13"), ("130000", "13"), ("110101", "110101"), ("500000", "50"),
                                           ("50", "50"), ("130100", "1301"), ("451202", "451202")])
def test_institutions_by_region_prefix(store_hub, region, prefix):
    got = [r["id"] for r in _data(store_hub, f'{{ institutions(region: "{region}", first: 500) {{ id region }} }}')["institutions"]]
    assert got == sorted(i["id"] for i in DEMO if str(i["region"]).startswith(prefix)) and got


def test_institutions_by_part_of_the_name_and_region_together(store_hub):
    got = _data(store_hub, '{ a: institutions(name: "石家庄", first: 500) { id } '
                     'b: institutions(name: "示例", region: "11", first: 500) { id } }')
    assert [r["id"] for r in got["a"]] == sorted(i["id"] for i in DEMO if "石家庄" in i["name"])
    assert [r["id"] for r in got["b"]] == sorted(
        i["id"] for i in DEMO if "示例" in i["name"] and str(i["region"]).startswith("11"))


def test_an_empty_filter_filters_nothing(store_hub):
    """"" is a prefix of every region code and part of every name: LadybugDB's CONTAINS '' is false where
    Neo4j's is true, and the two stores once answered this with nothing and with everything."""
    got = _data(store_hub, '{ n: institutions(name: "", first: 500) { id } r: institutions(region: "", first: 500) { id } }')
    assert [r["id"] for r in got["n"]] == [r["id"] for r in got["r"]] == sorted(i["id"] for i in DEMO)


def test_institutions_page_by_page(store_hub):
    everyone = sorted(i["id"] for i in DEMO)
    pages = _data(store_hub, "{ p1: institutions(first: 7) { id } p2: institutions(first: 7, offset: 7) { id } "
                       "p3: institutions(first: 7, offset: 14) { id } }")
    assert [r["id"] for k in ("p1", "p2", "p3") for r in pages[k]] == everyone


def test_regions_without_a_filter_are_pages_of_every_region(store_hub):
    got = [r["code"] for r in _data(store_hub, "{ regions(first: 500, offset: 100) { code } }")["regions"]]
    assert got == sorted(r.code for r in all_regions())[100:600]


def test_regions_by_level_and_by_parent(store_hub):
    got = _data(store_hub, '{ p: regions(level: "province", first: 500) { code level } '
                     'c: regions(parent: "130000", first: 500) { code parents } '
                     'hc: regions(level: "city", parent: "130000", first: 500) { code } '
                     'z: regions(level: "zone") { code } }')
    regions = all_regions()
    assert [r["code"] for r in got["p"]] == sorted(r.code for r in regions if r.level == "province")
    assert [r["code"] for r in got["c"]] == sorted(r.code for r in regions if "130000" in r.parents)
    assert all("130000" in r["parents"] for r in got["c"])
    assert [r["code"] for r in got["hc"]] == sorted(r.code for r in regions if r.level == "city" and "130000" in r.parents)
    assert {r["code"] for r in got["z"]} == {"JJJ", "CY"}
