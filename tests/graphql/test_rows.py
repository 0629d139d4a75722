"""An object reads the same whichever way it is reached: browsing, federation's ``_entities`` and list
fields build it through one function per type (resolvers/rows.py) — on each store (``store_hub``: the demo
dataset on LadybugDB and on a real Neo4j)."""

from __future__ import annotations

import pytest

FIELDS = {
    "Region": "code name level parents",
    "Institution": "id name tier tierLevel region ownership kind aliases",
    "Alliance": "id kind name",
    "CatalogItem": "ref catalog name modality local row bodyPart laterality contrast views source printed note",
}
KEY = {"Region": "code", "Institution": "id", "Alliance": "id", "CatalogItem": "ref"}


def entities(store_hub, typename: str, keys: list[str]) -> list[dict]:
    q = (f"query($r: [_Any!]!) {{ _entities(representations: $r) {{ ... on {typename} {{ {FIELDS[typename]} }} }} }}")
    out = store_hub.gql(q, {"r": [{"__typename": typename, KEY[typename]: k} for k in keys]})
    assert "errors" not in out, out
    return out["data"]["_entities"]


def test_a_region_browsed_and_one_read_through_entities_are_equal(store_hub):
    browsed = []
    for level in ("nation", "zone", "province", "city"):
        out = store_hub.gql(f'{{ regions(level: "{level}", first: 500) {{ {FIELDS["Region"]} }} }}')
        browsed += out["data"]["regions"]
    assert any(len(r["parents"]) > 1 for r in browsed)  # provinces of a zone: CN and the zone
    assert all(r["parents"] == sorted(r["parents"]) for r in browsed)
    assert entities(store_hub, "Region", [r["code"] for r in browsed]) == browsed


def test_institutions_and_alliances_browsed_and_through_entities_are_equal(store_hub):
    institutions = store_hub.gql(f'{{ institutions(first: 100) {{ {FIELDS["Institution"]} }} }}')["data"]["institutions"]
    assert len(institutions) > 10 and any(i["aliases"] for i in institutions)
    assert entities(store_hub, "Institution", [i["id"] for i in institutions]) == institutions
    alliances = store_hub.gql(f'{{ alliances(first: 100) {{ {FIELDS["Alliance"]} }} }}')["data"]["alliances"]
    assert alliances and entities(store_hub, "Alliance", [a["id"] for a in alliances]) == alliances
    members = store_hub.gql('{ institution(id: "bj-xh") { alliances { id kind name } } }')["data"]["institution"]["alliances"]
    assert members == [a for a in alliances if a["id"] == "bj-dc-yl"]


def test_a_catalog_item_browsed_and_through_entities_are_equal(store_hub):
    browsed = store_hub.gql(f'{{ catalogItems(catalog: "BJ-IMG", first: 40) {{ {FIELDS["CatalogItem"]} }} }}')
    items = browsed["data"]["catalogItems"]
    assert len(items) == 40
    assert entities(store_hub, "CatalogItem", [i["ref"] for i in items]) == items


def test_a_region_browsed_by_parent_keeps_all_its_parents(store_hub):
    """regions(parent: "JJJ") lists Beijing, Tianjin and Hebei, each still part of the nation too."""
    by_parent = store_hub.gql(f'{{ regions(parent: "JJJ") {{ {FIELDS["Region"]} }} }}')["data"]["regions"]
    assert {r["code"] for r in by_parent} == {"110000", "120000", "130000"}
    assert all(r["parents"] == ["CN", "JJJ"] for r in by_parent), by_parent
    assert entities(store_hub, "Region", [r["code"] for r in by_parent]) == by_parent
