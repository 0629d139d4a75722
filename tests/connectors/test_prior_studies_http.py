"""`priorStudies` over HTTP against `hub serve --platforms`, with real Orthanc platforms (conftest) and
one platform port with nothing listening: studies, institutions, items, verdicts, partial results."""

from __future__ import annotations

import json
import time

import pytest

from tests.connectors.conftest import BJ, CY, HE, ISSUER, ON, PATIENT, SINCE
from tests.connectors.connectors_harness import free_port
from tests.support.hubproc import HubServer, hub_cli

DATASET = {
    "institutions": [
        {"id": "bj-xh", "name": "北京协和医院", "tier": "3A", "region": "110101", "ownership": "public",
         "kind": "general", "aliases": ["协和医院", "PUMCH"]},
        {"id": "bj-cy", "name": "北京朝阳医院", "tier": "3A", "region": "110105", "ownership": "public", "kind": "general"},
        {"id": "bj-hd", "name": "海淀示例医院", "tier": "3A", "region": "110108", "ownership": "public", "kind": "general"},
        {"id": "he-2", "name": "河北医科大学第二医院", "tier": "3A", "region": "130102", "ownership": "public", "kind": "general"},
    ],
    "marks": [
        {"institution": "bj-xh", "item": "BJ-IMG:B020ZYZZZ-00", "scope": "110000", "validFrom": "2024-01-01"},
        {"institution": "bj-cy", "item": "BJ-IMG:BW23ZYZZZ-00", "scope": "110000", "validFrom": "2024-01-01"},
        {"institution": "he-2", "item": "HE-IMG:219", "scope": "JJJ", "validFrom": "2024-01-01"},
        {"institution": "he-2", "item": "HE-IMG:5", "scope": "JJJ", "validFrom": "2024-01-01"},
    ],
}
QUERY = """query($p: PatientInput!, $at: ID!, $since: Date, $on: Date) {
  priorStudies(patient: $p, at: $at, since: $since, on: $on) {
    studies { platform studyInstanceUid performedOn modality description institution item
              recognition { verdict mark markCode targetItem reasons { code source clause } } }
    platforms { id ok error latencyMs }
  }
}"""


@pytest.fixture(scope="module")
def hub_with_platforms(scenario, tmp_path_factory):
    work = tmp_path_factory.mktemp("prior")
    (work / "data.json").write_text(json.dumps(DATASET, ensure_ascii=False))
    platforms = json.loads(json.dumps(scenario.platform_file))
    platforms["platforms"].append({"id": "dead-cloud", "name": "无人值守", "region": "510000", "protocol": "dicomweb",
                                   "baseUrl": f"http://127.0.0.1:{free_port()}/dicom-web", "timeoutS": 2})
    (work / "platforms.json").write_text(json.dumps(platforms, ensure_ascii=False))
    graph = work / "graph.lbug"
    hub_cli("load", "--graph", str(graph), str(work / "data.json"))
    server = HubServer(graph, "--platforms", str(work / "platforms.json"), env=scenario.env)
    yield server
    server.stop()


def _ask(server, at="bj-hd"):
    started = time.monotonic()
    out = server.query(QUERY, {"p": {"id": PATIENT, "issuer": ISSUER}, "at": at, "since": SINCE.isoformat(),
                               "on": ON.isoformat()})
    return out, time.monotonic() - started


def test_studies_from_every_platform_with_verdicts(hub_with_platforms, scenario):
    out, _ = _ask(hub_with_platforms)
    data = out["data"]["priorStudies"]
    by_uid = {s["studyInstanceUid"]: s for s in data["studies"]}
    uids = scenario.uids
    # since 2024-01-01 drops the 2019 study; the other issuer's study is not this patient's
    assert uids["bj_old"] not in by_uid and uids["bj_other_issuer"] not in by_uid
    assert {s["platform"] for s in data["studies"]} == {BJ, HE, CY}

    head_ct = by_uid[uids["bj_ct"]]
    assert (head_ct["institution"], head_ct["item"]) == ("bj-xh", "BJ-IMG:B020ZYZZZ-00")
    assert head_ct["recognition"]["verdict"] == "RECOGNIZED"
    assert head_ct["recognition"]["markCode"] == "BJHR"

    chest_dr = by_uid[uids["bj_dr"]]  # InstitutionName "协和医院" is an alias of bj-xh
    assert (chest_dr["institution"], chest_dr["item"]) == ("bj-xh", "BJ-IMG:BW03ZZZZ1-00")
    assert chest_dr["recognition"]["verdict"] == "NOT_RECOGNIZED"

    he_mr = by_uid[uids["he_mr"]]  # item from StudyDescription in the Hebei platform's catalog
    assert (he_mr["institution"], he_mr["item"]) == ("he-2", "HE-IMG:219")
    assert he_mr["recognition"]["verdict"] == "RECOGNIZED"
    assert he_mr["recognition"]["markCode"] == "JJJHR"


def test_incomplete_ct_cannot_be_recognized_outright(hub_with_platforms, scenario):
    """001 三、2(二): CT 应上传厚层及薄层图像 — a CT without its thin series; 三、5(六) image quality."""
    out, _ = _ask(hub_with_platforms)
    study = next(s for s in out["data"]["priorStudies"]["studies"]
                 if s["studyInstanceUid"] == scenario.uids["bj_ct_thin_missing"])
    assert study["item"] == "BJ-IMG:BW23ZYZZZ-00"
    rec = study["recognition"]
    assert rec["verdict"] == "PHYSICIAN_DISCRETION"
    codes = {(r["code"], r["source"], r["clause"]) for r in rec["reasons"]}
    assert ("EXCLUSION_IMAGE_QUALITY", "001", "三、5(六)") in codes
    assert ("INCOMPLETE_IMAGES", "001", "三、2(二)") in codes


def test_unknown_institution_gives_null_recognition_with_error(hub_with_platforms, scenario):
    out, _ = _ask(hub_with_platforms)
    studies = out["data"]["priorStudies"]["studies"]
    i = next(i for i, s in enumerate(studies) if s["studyInstanceUid"] == scenario.uids["cy_mra"])
    assert studies[i]["recognition"] is None and studies[i]["institution"] is None
    err = next(e for e in out["errors"] if e["path"] == ["priorStudies", "studies", i, "recognition"])
    assert err["extensions"]["code"] == "UNRESOLVED_STUDY"


def test_dead_platform_is_reported_and_the_others_answer(hub_with_platforms):
    out, elapsed = _ask(hub_with_platforms)
    status = {p["id"]: p for p in out["data"]["priorStudies"]["platforms"]}
    assert set(status) == {BJ, HE, CY, "dead-cloud"}
    assert status["dead-cloud"]["ok"] is False and "refused" in status["dead-cloud"]["error"]
    assert all(status[p]["ok"] for p in (BJ, HE, CY))
    assert elapsed < 10  # bounded by the largest platform timeout (5 s) plus slack, never a hang


def test_without_platforms_the_query_says_so(tmp_path):
    server = HubServer(tmp_path / "g.lbug")
    english = QUERY.replace("$on: Date)", "$on: Date, $lang: Language)").replace("on: $on)", "on: $on, lang: $lang)")
    try:
        out = server.query(QUERY, {"p": {"id": PATIENT}, "at": "x"})
        en = server.query(english, {"p": {"id": PATIENT}, "at": "x", "lang": "EN"})
        since = server.query(english, {"p": {"id": PATIENT}, "at": "x", "since": "2026-02-01", "on": "2026-01-31"})
    finally:
        server.stop()
    # said in Chinese by default, in English on request; the code clients switch on is the same
    assert out["errors"][0]["extensions"] == en["errors"][0]["extensions"] == {"code": "NO_PLATFORMS"}
    assert "未配置区域平台" in out["errors"][0]["message"] and "--platforms" in out["errors"][0]["message"]
    assert en["errors"][0]["message"].startswith("no regional platforms are configured"), en
    # no platform: that is said first, whatever else the question gets wrong (as before)
    assert since["errors"][0]["extensions"] == {"code": "NO_PLATFORMS"}
