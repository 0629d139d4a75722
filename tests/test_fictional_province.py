"""A province added as data only (issue 13): a fictional document for Jiangsu (320000) — its policy file, its
catalog file and a zone 苏皖 (Jiangsu + Anhui) — written into a copy of seeds/, then the real `hub` commands
against that directory: `hub policy check`, `hub crosswalk check|build --seeds`, `hub load --seeds` into a
new store and `hub serve --seeds`, asked over GraphQL — on each store (a LadybugDB file, a real Neo4j).  No code names the province, its catalog
or its zone; every verdict cites the new document ("900") and its clauses.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from hub.domain.regions import ZonesFileError, all_regions, zone_codes, zones
from hub.domain.seeds import DEFAULT_SEEDS_DIR, zones_file
from tests.support.hubproc import HubServer, hub_cli

SOURCE = "900"  # the fictional document's prefix (the five documents are 000…004)

POLICY = """\
# 江苏省医学影像检查结果互认办法（虚构，测试用）: not one of the five documents.
id: "900"
source: "900"
title: 江苏省医学影像检查结果互认办法（虚构）
clause: 二、互认范围
governs: ["320000"]
sourceScope: ["320000", SW]
catalogs: {imaging: JS-IMG}
tierRules:
  - id: marked-any
    clause: 三(一)
    items: imaging
    verdict: RECOGNIZED
    source: any
    target: any
    requiresMark: true
    text: 标注苏HR或苏皖HR标识的检查结果，省内医疗机构予以互认
marks:
  - {scope: "320000", label: 苏HR, code: SUHR, clause: 三(二)}
  - {scope: SW, label: 苏皖HR, code: SWHR, clause: 三(三)}
window:
  length: 30
  unit: day
  binding: true
  clause: 四(一)
  text: 互认时限为检查之日起30日
exclusions:
  - {flag: emergency, code: EXCLUSION_EMERGENCY, clause: 五(一), text: 急诊、急救等紧急状态不予互认}
"""

CATALOG = """\
catalog: JS-IMG
name: 江苏省医学影像检查结果互认项目清单（虚构）
source: "900"
clause: 附件1
kind: imaging
localPattern: 0*(?P<number>\\d+)
localFormat: '{number}'
announced: 2
itemCount: 2
items:
  - {ref: "JS-IMG:1", local: "1", row: 1, name: 胸部CT平扫, modality: CT}
  - {ref: "JS-IMG:2", local: "2", row: 2, name: 头颅MR平扫, modality: MR}
"""

ZONE = """\
- code: SW
  name: 苏皖
  level: zone
  members: ["320000", "340000"]
  source: "900"
  clause: 二、2
"""

DATASET = {
    "institutions": [
        {"id": "js-nj-1", "name": "南京虚构第一医院", "tier": "3A", "region": "320102", "ownership": "public",
         "kind": "general"},
        {"id": "js-sz-1", "name": "苏州虚构第一医院", "tier": "2A", "region": "320505", "ownership": "public",
         "kind": "general"},
        {"id": "ah-hf-1", "name": "合肥虚构第一医院", "tier": "3A", "region": "340102", "ownership": "public",
         "kind": "general"},
    ],
    "marks": [
        {"institution": "js-nj-1", "item": "JS-IMG:1", "scope": "320000", "validFrom": "2026-01-01",
         "validTo": "2026-12-31"},
        {"institution": "ah-hf-1", "item": "JS-IMG:2", "scope": "SW", "validFrom": "2026-01-01", "validTo": None},
    ],
}

QUERY = """
query ($study: StudyInput!, $at: ID!, $on: Date, $context: ClinicalContext) {
  recognizability(study: $study, at: $at, on: $on, context: $context) {
    verdict mark markCode targetItem validUntil reasons { code source clause text }
  }
}"""


def copy_seeds(dest: Path) -> Path:
    """seeds/ of the checkout without its extract scripts and demo data."""
    shutil.copytree(DEFAULT_SEEDS_DIR, dest, ignore=shutil.ignore_patterns("extract", "demo", "__pycache__"))
    return dest


def add_province(seeds: Path) -> Path:
    """The new province's files, and nothing else: returns the policy file."""
    policy = seeds / "policies" / f"{SOURCE}.yaml"
    policy.write_text(POLICY, encoding="utf-8")
    (seeds / "catalogs" / "JS-IMG.yaml").write_text(CATALOG, encoding="utf-8")
    with zones_file(seeds).open("a", encoding="utf-8") as f:
        f.write(ZONE)
    return policy


@pytest.fixture(scope="module")
def province(tmp_path_factory):
    """The seeds directory with the new province, checked and crosswalked through the CLI."""
    tmp = tmp_path_factory.mktemp("province")
    seeds = copy_seeds(tmp / "seeds")
    policy = add_province(seeds)
    return {"tmp": tmp, "seeds": seeds, "policy": policy}


@pytest.fixture(scope="module")
def dataset(province) -> Path:
    """The seeds directory crosswalked by `hub crosswalk build --seeds`, and the province's dataset file."""
    seeds, tmp = province["seeds"], province["tmp"]
    built = hub_cli("crosswalk", "build", "--seeds", str(seeds), check=False)
    assert built.returncode == 0, built.stderr
    data = tmp / "jiangsu.yaml"
    data.write_text(yaml.safe_dump(DATASET, allow_unicode=True), encoding="utf-8")
    return data


def _loaded(stdout: str) -> None:
    assert "institutions: 3 created" in stdout and "marks: 2 created" in stdout, stdout


@pytest.fixture
def server(backend, province, dataset, datasets):
    """The dataset loaded by `hub load --seeds` into a new store, served by `hub serve --seeds`, on each
    store (a LadybugDB file, a real Neo4j)."""
    return datasets.served(backend, "province", [dataset], seeds=province["seeds"],
                           hub_env=False, check=_loaded)


def ask(server: HubServer, source: str, item: str, performed: str, at: str, on: str, **context: bool) -> dict:
    out = server.query(QUERY, {"study": {"institution": source, "item": item, "performedOn": performed},
                               "at": at, "on": on, "context": context or None})
    assert "errors" not in out, out
    return out["data"]["recognizability"]


def reason(answer: dict, code: str) -> dict:
    found = [r for r in answer["reasons"] if r["code"] == code]
    assert found, f"no {code} in {answer['reasons']}"
    return found[0]


# ------------------------------------------------------------------------------------ the files, checked


def test_the_new_policy_file_passes_hub_policy_check(province):
    out = hub_cli("policy", "check", str(province["policy"]), check=False)
    assert out.returncode == 0, out.stderr
    assert f"ok: {province['policy']} (policy {SOURCE}" in out.stdout


def test_a_misspelt_key_is_refused_naming_file_and_key(province):
    bad = province["tmp"] / "misspelt.yaml"
    bad.write_text(POLICY.replace("exclusions:", "exclusion:").replace("  length: 30", "  lenght: 30"),
                   encoding="utf-8")
    out = hub_cli("policy", "check", str(province["policy"]), str(bad), check=False)
    assert out.returncode != 0
    text = " ".join(out.stderr.split())  # rich wraps long lines
    assert str(bad) in text and "exclusion: unknown key" in text and "window.lenght: unknown key" in text, text
    assert "Traceback" not in out.stderr


def test_the_crosswalk_asks_for_the_new_catalog_until_built(tmp_path):
    """`hub crosswalk check` fails on a seeds directory whose catalogs changed, naming the new catalog;
    `hub crosswalk build --seeds` is the designed step that puts its items in their equivalence classes."""
    seeds = copy_seeds(tmp_path / "seeds")
    add_province(seeds)
    stale = hub_cli("crosswalk", "check", "--seeds", str(seeds), check=False)
    assert stale.returncode != 0 and "JS-IMG" in stale.stdout + stale.stderr
    assert hub_cli("crosswalk", "build", "--seeds", str(seeds), check=False).returncode == 0
    fresh = hub_cli("crosswalk", "check", "--seeds", str(seeds), check=False)
    assert fresh.returncode == 0, fresh.stdout + fresh.stderr
    built = yaml.safe_load((seeds / "crosswalk" / "equivalences.yaml").read_text(encoding="utf-8"))
    chest_ct = next(c for c in built["classes"] if any(m["ref"] == "JS-IMG:1" for m in c["members"]))
    assert {"BJ-IMG:BW23ZYZZZ-00", "HE-IMG:122"} <= {m["ref"] for m in chest_ct["members"]}


def test_the_new_zone_is_a_region_of_that_seeds_directory_only(province):
    seeds = province["seeds"]
    assert zone_codes(seeds) == ("JJJ", "CY", "SW", "CN")
    regions = {r.code: r for r in all_regions(seeds)}
    assert regions["SW"].level == "zone" and regions["SW"].parents == ("CN",)
    assert "SW" in regions["320000"].parents and "SW" in regions["340000"].parents
    assert "SW" not in zone_codes()  # the checkout's seeds are untouched


@pytest.mark.parametrize(
    "entry, message",
    [
        ('- {code: XX, name: x, level: zone, member: ["320000"]}\n', "XX: member: unknown key"),
        ('- {code: XX, name: x, level: zone, members: ["320100"]}\n', "XX: members: '320100' is not a GB/T 2260 province"),
        ('- {code: XX, name: x, level: region}\n', "XX: level: 'region' is not one of nation, zone"),
        ('- {code: JJJ, name: x, level: zone}\n', "JJJ: code: defined twice"),
    ],
)
def test_a_bad_zone_entry_is_refused_naming_file_and_key(tmp_path, entry, message):
    seeds = tmp_path / "seeds"
    zones_file(seeds).parent.mkdir(parents=True)
    zones_file(seeds).write_text(zones_file().read_text(encoding="utf-8") + entry, encoding="utf-8")
    with pytest.raises(ZonesFileError) as info:
        zones(seeds)
    assert str(zones_file(seeds)) in str(info.value) and message in str(info.value)


def test_hub_load_refuses_a_bad_seeds_directory_without_a_traceback(tmp_path):
    not_seeds = hub_cli("load", "--graph", str(tmp_path / "g.lbug"), "--seeds", str(tmp_path), "x.json", check=False)
    assert not_seeds.returncode != 0 and "--seeds / HUB_SEEDS" in not_seeds.stderr, not_seeds.stderr
    seeds = copy_seeds(tmp_path / "seeds")
    zones_file(seeds).write_text(zones_file().read_text(encoding="utf-8") + "- {code: XX, name: x, level: zonE}\n",
                                 encoding="utf-8")
    data = tmp_path / "empty.json"
    data.write_text('{"institutions": []}')
    bad = hub_cli("load", "--graph", str(tmp_path / "g.lbug"), "--seeds", str(seeds), str(data), check=False)
    text = " ".join(bad.stderr.split())
    assert bad.returncode != 0 and str(zones_file(seeds)) in text and "XX: level" in text, bad.stderr
    assert "Traceback" not in bad.stderr


# ------------------------------------------------------------------------------- verdicts citing "900"


def test_a_marked_study_is_recognized_citing_the_new_policy(server):
    got = ask(server, "js-nj-1", "JS-IMG:1", "2026-03-01", at="js-sz-1", on="2026-03-10")
    assert got["verdict"] == "RECOGNIZED", got
    assert (got["mark"], got["markCode"], got["targetItem"], got["validUntil"]) == (
        "苏HR", "SUHR", "JS-IMG:1", "2026-03-31")
    assert {(r["source"], r["clause"]) for r in got["reasons"]} >= {
        (SOURCE, "二、互认范围"), (SOURCE, "附件1"), (SOURCE, "三(一)"), (SOURCE, "三(二)"), (SOURCE, "四(一)")}
    assert reason(got, "MARK_SCOPE")["clause"] == "三(二)"


def test_a_mark_of_the_new_zone_carries_a_study_across_its_provinces(server):
    got = ask(server, "ah-hf-1", "JS-IMG:2", "2026-03-01", at="js-sz-1", on="2026-03-10")
    assert got["verdict"] == "RECOGNIZED", got
    assert (got["mark"], got["markCode"]) == ("苏皖HR", "SWHR")
    assert (reason(got, "MARK_SCOPE")["source"], reason(got, "MARK_SCOPE")["clause"]) == (SOURCE, "三(三)")


def test_past_the_window_is_not_recognized_citing_its_clause(server):
    got = ask(server, "js-nj-1", "JS-IMG:1", "2026-03-01", at="js-sz-1", on="2026-04-10")
    assert got["verdict"] == "NOT_RECOGNIZED", got
    assert (reason(got, "OUTSIDE_WINDOW")["source"], reason(got, "OUTSIDE_WINDOW")["clause"]) == (SOURCE, "四(一)")


def test_without_a_mark_is_not_recognized_citing_its_clause(server):
    got = ask(server, "js-sz-1", "JS-IMG:1", "2026-03-01", at="js-nj-1", on="2026-03-10")
    assert got["verdict"] == "NOT_RECOGNIZED" and got["mark"] is None, got
    assert (reason(got, "MARK_MISSING")["source"], reason(got, "MARK_MISSING")["clause"]) == (SOURCE, "三(二)")


def test_an_exclusion_of_the_new_policy_applies(server):
    got = ask(server, "js-nj-1", "JS-IMG:1", "2026-03-01", at="js-sz-1", on="2026-03-10", emergency=True)
    assert got["verdict"] == "PHYSICIAN_DISCRETION", got
    assert (reason(got, "EXCLUSION_EMERGENCY")["source"], reason(got, "EXCLUSION_EMERGENCY")["clause"]) == (
        SOURCE, "五(一)")


def test_the_same_exam_of_another_catalog_maps_into_the_new_one(server):
    """The crosswalk built from the new catalog: a Beijing code for a chest CT is JS-IMG:1 at a Jiangsu target."""
    got = ask(server, "js-nj-1", "BJ-IMG:BW23ZYZZZ-00", "2026-03-01", at="js-sz-1", on="2026-03-10")
    assert got["verdict"] == "RECOGNIZED" and got["targetItem"] == "JS-IMG:1", got
    out = server.query('{ equivalents(item: "JS-IMG:1") { ref } catalogs { id source itemCount } }')
    assert "BJ-IMG:BW23ZYZZZ-00" in {e["ref"] for e in out["data"]["equivalents"]}
    assert {"id": "JS-IMG", "source": SOURCE, "itemCount": 2} in out["data"]["catalogs"]


def test_the_checkouts_seeds_know_nothing_of_it(province, fresh_graph, tmp_path):
    """The province lives in its seeds directory only: without --seeds its dataset is refused (the store,
    seeded from the checkout's seeds, has no region SW to check the mark's scope against)."""
    data = tmp_path / "jiangsu.yaml"
    data.write_text(yaml.safe_dump(DATASET, allow_unicode=True), encoding="utf-8")
    out = hub_cli("load", "--graph", fresh_graph, str(data), check=False,
                 env={"HUB_SEEDS": ""})  # empty = the default
    assert out.returncode != 0
    assert '"JS-IMG:1" is not a catalog item' in out.stderr and '"SW" is not a region or zone code' in out.stderr


# ------------------------------------------------------------------------------- browsing the new zone


def test_the_new_zone_selects_its_provinces_institutions_when_browsing(server):
    """A zone is what the seeds' zones file says (RegionIndex.provinces_within), not a list in the code: the
    zone 苏皖 added to a copy of seeds/ selects the institutions of Jiangsu and Anhui in the browse API."""
    expected = sorted(i["id"] for i in DATASET["institutions"] if i["region"][:2] in ("32", "34"))
    out = server.query('{ old: institutions(region: "SW") { id } '
                       'new: institutionsConnection(where: {region: {within: "SW"}}) { totalCount edges { node { id } } } '
                       'agg: institutionsAggregate { byRegion(level: "zone") { code name count } } '
                       'zone: region(code: "SW") { name institutions { totalCount } } }')
    assert "errors" not in out, out
    got = out["data"]
    assert [i["id"] for i in got["old"]] == expected and expected
    assert [e["node"]["id"] for e in got["new"]["edges"]] == expected and got["new"]["totalCount"] == len(expected)
    assert {"code": "SW", "name": "苏皖", "count": len(expected)} in got["agg"]["byRegion"]
    assert got["zone"] == {"name": "苏皖", "institutions": {"totalCount": len(expected)}}
