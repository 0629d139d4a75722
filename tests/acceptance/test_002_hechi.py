"""Acceptance: 002 河市三医〔2024〕43号 (Guangxi; applied to targets in 450000)."""

from tests.acceptance.conftest import codes, reason


def test_second_grade_a_and_above_recognized_without_mark(ask):
    """一、互认机构: 医学影像检查互认机构为国家二级甲等及以上医疗机构; no window is set."""
    r = ask("gx-hc-3", "CY-IMG:94", "2026-10-01", "gx-nn", "2026-11-23")
    assert r["verdict"] == "RECOGNIZED"
    assert reason(r, "TIER_RULE")["clause"] == "一"
    assert r["targetItem"] == "HC-IMG:CT-5"
    assert r["validUntil"] is None


def test_below_second_grade_a_not_recognized(ask):
    """一: an 一级 institution is not an 互认机构."""
    r = ask("gx-hc-c", "CY-IMG:94", "2026-11-01", "gx-hc-3", "2026-11-23")
    assert r["verdict"] == "NOT_RECOGNIZED"
    assert "TIER_RULE" in codes(r)


def test_neck_ct_plain_is_not_an_item(ask, hub_server):
    """附件1 CT(4): 颈部平扫+增强（颈部 CT 平扫不作为互认项目）."""
    neck = hub_server.query('{ catalogItems(catalog: "CY-IMG", first: 200) { ref name } }')["data"]["catalogItems"]
    plain = [i["ref"] for i in neck if "颈部" in i["name"] and "平扫" in i["name"] and "增强" not in i["name"]
             and "CT" in i["name"] and "椎" not in i["name"]]
    assert plain, "CY-IMG prints a 颈部 CT 平扫"
    r = ask("gx-nn", plain[0], "2026-11-01", "gx-hc-3", "2026-11-23")
    assert r["verdict"] == "NOT_RECOGNIZED"
    assert reason(r, "ITEM_NOT_IN_CATALOG")["clause"] == "附件1 CT(4)"
    assert r["targetItem"] is None


def test_forensic_exclusion(ask):
    """三(五)5: 涉及司法、伤残、病退、劳动仲裁等鉴定的."""
    r = ask("gx-hc-3", "CY-IMG:94", "2026-11-01", "gx-nn", "2026-11-23", forensicAssessment=True)
    assert r["verdict"] == "PHYSICIAN_DISCRETION"
    assert reason(r, "EXCLUSION_FORENSIC")["clause"] == "三(五)5"
