"""Acceptance (issue 16): answers a doctor can read, billing guidance, and the two readings decided there —
over HTTP against a real ``hub serve`` on the acceptance dataset.

Reason texts in Chinese by default and in English with ``lang: EN``; the verdict's label; the reasons that
decided marked; institution and item names beside their ids; the documents' titles and clauses; 001 四(三)'s
billing guidance on a Beijing answer; 004 6.2 公立; a 京津冀 lab result at Tianjin and at Hebei targets.
"""

from __future__ import annotations

import re

from tests.acceptance.conftest import codes, reason
from tests.support.hubproc import ROOT

CHEST_CT = "BJ-IMG:BW23ZYZZZ-00"
LAB = "BJ-LAB:0025010101500000000"
FIELDS = ("verdict verdictLabel mark markCode targetItem validUntil policy billing { code text clause source kind } "
          "reasons { code kind source clause text decisive } sourceInstitution { id name } "
          "targetInstitution { id name tier } studyCatalogItem { ref name } targetCatalogItem { ref name catalog }")
IDS = re.compile(r"[A-Za-z][A-Za-z0-9]*-[A-Za-z0-9:-]+|[A-Z]{2,}[-:][A-Z0-9:-]+")


def query(hub_server, study: dict, at: str, on: str = "2026-11-23", lang: str | None = None, **context) -> dict:
    args = f', lang: {lang}' if lang else ""
    q = (f"query($s: StudyInput!, $at: ID!, $on: Date, $c: ClinicalContext) {{ recognizability(study: $s, at: $at, "
         f"on: $on, context: $c{args}) {{ {FIELDS} }} }}")
    out = hub_server.query(q, {"s": study, "at": at, "on": on, "c": context or None})
    assert "errors" not in out, out
    return out["data"]["recognizability"]


def study(institution: str, item: str = CHEST_CT, performed: str = "2026-11-11") -> dict:
    return {"institution": institution, "item": item, "performedOn": performed}


def chinese(text: str) -> bool:
    """Chinese, with nothing English but ids and codes (an id has a dash or a colon; codes are upper case)."""
    return bool(re.search(r"[\u4e00-\u9fff]", text)) and not re.search(r"[a-z]{2,}", IDS.sub(" ", text))


def readme_first_query() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.search(r"```graphql\n(.*?)```", readme, re.S).group(1)


def test_the_readmes_first_query_answers_in_chinese(hub_server):
    out = hub_server.query(readme_first_query())
    assert "errors" not in out, out
    r = out["data"]["recognizability"]
    assert r["verdict"] == "RECOGNIZED" and r["verdictLabel"] == "应予互认"
    assert all(chinese(x["text"]) for x in r["reasons"]), [x["text"] for x in r["reasons"]]
    assert r["reasons"][0]["text"].startswith("东城区（110101）与长安区（130102）分属京津冀的不同省份")


def test_english_on_request(hub_server):
    zh = query(hub_server, study("bj-xh"), "he-sjz-1")
    en = query(hub_server, study("bj-xh"), "he-sjz-1", lang="EN")
    assert en["verdictLabel"].startswith("Recognized") and zh["verdictLabel"] == "应予互认"
    assert en["reasons"][0]["text"].startswith("东城区 (110101) and 长安区 (130102) lie in different provinces of 京津冀")
    # the contract's fields keep their values whatever the language
    same = ("verdict", "mark", "markCode", "targetItem", "validUntil", "policy")
    assert {k: en[k] for k in same} == {k: zh[k] for k in same}
    assert [(x["code"], x["source"], x["clause"], x["decisive"]) for x in en["reasons"]] == [
        (x["code"], x["source"], x["clause"], x["decisive"]) for x in zh["reasons"]]


def test_a_batch_answers_in_the_language_asked(hub_server):
    q = ('query($s: [StudyInput!]!) { zh: recognizabilities(studies: $s, at: "bj-hd-3b", on: "2026-11-23") '
         '{ verdictLabel reasons { text } } en: recognizabilities(studies: $s, at: "bj-hd-3b", on: "2026-11-23", '
         'lang: EN) { verdictLabel reasons { text } } }')
    out = hub_server.query(q, {"s": [study("bj-xh"), study("bj-ft-2b")]})["data"]
    assert [r["verdictLabel"] for r in out["zh"]] == ["应予互认", "由接诊医师判断"]
    assert [r["verdictLabel"] for r in out["en"]] == ["Recognized (should be accepted)", "The physician decides"]
    assert all(chinese(x["text"]) for r in out["zh"] for x in r["reasons"])


def test_billing_guidance_on_a_beijing_answer(hub_server):
    """001 四(三)1: 检查检验结果即可满足诊疗需要的，医疗机构按门（急）诊诊查收取相应的医事服务费，不额外收费."""
    r = query(hub_server, study("bj-xh"), "bj-hd-3b")
    assert r["verdict"] == "RECOGNIZED"
    assert r["billing"] == {"code": "NO_EXTRA_FEE", "kind": "NO_EXTRA_FEE", "clause": "四(三)1", "source": "001",
                            "text": "检查检验结果即可满足诊疗需要的，医疗机构按门（急）诊诊查收取相应的医事服务费，不额外收费"}
    again = query(hub_server, study("bj-xh"), "bj-hd-3b", emergency=True)
    assert (again["verdict"], again["billing"]["clause"]) == ("PHYSICIAN_DISCRETION", "四(三)3")  # 三、5(七)
    joint = query(hub_server, study("bj-xh"), "bj-hd-3b", jointReading=True)
    assert joint["billing"]["clause"] == "四(三)2" and "院内会诊费用" in joint["billing"]["text"]
    assert query(hub_server, study("bj-xh"), "he-sjz-1")["billing"] is None  # 003 says nothing of fees


def test_the_reasons_that_decided_are_marked(hub_server):
    """The reasons whose own verdict is the answer's: the tier rule and the mark for RECOGNIZED (001 三、3(二),
    三、4); the exclusion for PHYSICIAN_DISCRETION (三、5(七)); the missing mark for NOT_RECOGNIZED (003 三(二))."""
    recognized = query(hub_server, study("bj-xh"), "bj-hd-3b")
    assert [(x["code"], x["clause"]) for x in recognized["reasons"] if x["decisive"]] == [
        ("TIER_RULE", "三、3(二)"), ("MARK_SCOPE", "三、4")]
    emergency = query(hub_server, study("bj-xh"), "bj-hd-3b", emergency=True)
    assert [x["code"] for x in emergency["reasons"] if x["decisive"]] == ["EXCLUSION_EMERGENCY"]
    refused = query(hub_server, study("he-bd", "HE-IMG:122", "2026-11-20"), "he-sjz-1")
    assert [(x["code"], x["clause"]) for x in refused["reasons"] if x["decisive"]] == [("MARK_MISSING", "三(二)")]


def test_names_beside_ids(hub_server):
    r = query(hub_server, study("bj-xh", "BJ-IMG:BPONZZZZ7-00"), "bj-dc-2")
    assert r["sourceInstitution"] == {"id": "bj-xh", "name": "北京协和示例医院（示例）"}
    assert r["targetInstitution"] == {"id": "bj-dc-2", "name": "北京东城第二示例医院（示例）", "tier": "2B"}
    assert r["studyCatalogItem"]["ref"] == "BJ-IMG:BP0NZZZZ7-00"  # the OCR variant resolved
    hebei = query(hub_server, study("bj-xh"), "he-sjz-1")
    assert hebei["targetItem"] == "HE-IMG:122"
    assert hebei["targetCatalogItem"] == {"ref": "HE-IMG:122", "name": "胸部CT平扫", "catalog": "HE-IMG"}
    assert hebei["studyCatalogItem"] == {"ref": CHEST_CT, "name": "胸部 CT 平扫"}


def test_documents_with_titles_issuers_years_and_the_clauses_used(hub_server):
    docs = hub_server.query("{ documents { id source title issuer year number zone clauses { clause text use } } }")
    by_id = {d["id"]: d for d in docs["data"]["documents"]}
    assert list(by_id) == ["000", "001", "002", "003", "004", "JJJ"]
    beijing = by_id["001"]
    assert (beijing["year"], beijing["number"]) == (2024, "京卫医〔2024〕28号")
    assert beijing["issuer"].startswith("北京市卫生健康委员会") and "北京市医疗保障局" in beijing["issuer"]
    clauses = {(c["clause"], c["use"]) for c in beijing["clauses"]}
    assert {("三、3(二)", "tierRules"), ("三、4", "marks"), ("四(三)1", "billing"), ("三、5(七)", "exclusions"),
            ("附件2", "catalog"), ("三、1", "governs (JJJ)")} <= clauses
    assert {(d["id"], d["year"]) for d in by_id.values() if d["zone"] is None} == {
        ("000", 2021), ("001", 2024), ("002", 2024), ("003", 2025), ("004", 2025)}
    assert by_id["JJJ"]["zone"] == "JJJ" and by_id["JJJ"]["source"] == "001"
    # every reason of an answer leads to its document and clause
    r = query(hub_server, study("bj-xh"), "he-sjz-1")
    cited = {(x["source"], x["clause"]) for x in r["reasons"]}
    listed = {(d["source"], c["clause"]) for d in by_id.values() for c in d["clauses"]}
    assert cited <= listed, cited - listed
    assert {"clause": "附件2", "use": "catalog", "text": "北京市医学影像检查资料互认项目清单（BJ-IMG）"} in beijing["clauses"]
    one = hub_server.query('{ document(id: "002") { title quality: clauses { clause text use } } }')["data"]["document"]
    assert {"clause": "二", "use": "quality",
            "text": "优先将参加国家级、区级质控，稳定性好、质量能够监控、费用较高检查项目作为互认项目"} in one["quality"]


def test_004_a_private_second_level_hospital_is_left_to_the_physician(ask):
    """004 6.2 川渝两地所有二级及以上**公立**医疗机构 — a private 二级甲等 hospital with the 川渝 mark is outside it; 1
    社会办医机构可参照执行: the physician decides (INTERPRETATIONS.md)."""
    r = ask("cq-yb-pr", "CY-IMG:94", "2026-11-11", "cq-wz", "2026-11-23")
    assert r["verdict"] == "PHYSICIAN_DISCRETION"
    assert (reason(r, "INSTITUTION_SCOPE")["source"], reason(r, "INSTITUTION_SCOPE")["clause"]) == ("004", "1")
    assert reason(r, "TIER_RULE")["clause"] == "6.2" and r["mark"] == "川渝HR"
    public = ask("sc-cd-2", "CY-IMG:94", "2026-11-11", "cq-wz", "2026-11-23")
    assert public["verdict"] == "RECOGNIZED" and "INSTITUTION_SCOPE" not in codes(public)


def test_a_jjj_lab_result_is_recognized_at_tianjin_and_at_hebei(ask):
    """001 三、1 满足区域（如：京津冀）质量评价指标…的检查检验项目，互认范围为相关区域; 003 lists no lab items, so
    001 supplies the lab rules at a Hebei target as it does at a Tianjin one (INTERPRETATIONS.md)."""
    for target in ("tj-hx", "he-sjz-1"):
        r = ask("bj-xc-3a", LAB, "2026-11-20", target, "2026-11-23")
        assert (r["verdict"], r["policy"], r["markCode"], r["targetItem"]) == ("RECOGNIZED", "JJJ", "JJHR", LAB)
        assert reason(r, "ZONE_POLICY")["clause"] == "三、1" and reason(r, "TIER_RULE")["clause"] == "三、3(一)"
    city = ask("bj-xh", LAB, "2026-11-20", "he-sjz-1", "2026-11-23")  # 北京HR only: 全市
    assert city["verdict"] == "NOT_RECOGNIZED" and "NO_SHARED_SCOPE" in codes(city)
