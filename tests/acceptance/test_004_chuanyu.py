"""Acceptance: 004 DB50/T XX—2025 (川渝: Sichuan + Chongqing)."""

from tests.acceptance.conftest import codes, reason

CHEST_CT = "CY-IMG:94"


def test_lower_recognizes_higher_across_sichuan_and_chongqing(ask):
    """6.2 下级医疗机构对上级医疗机构…予以认可; 6.4 川渝 HR; 6.5 1个月."""
    r = ask("sc-cd-1", CHEST_CT, "2026-11-11", "cq-wz", "2026-11-23")
    assert r["verdict"] == "RECOGNIZED"
    assert (r["mark"], r["markCode"]) == ("川渝HR", "CYHR")
    assert r["validUntil"] == "2026-12-11"


def test_same_level_mutual(ask):
    """6.2 同级医疗机构间医学影像检查结果予以互认 (二甲 Chengdu → 二甲 Chongqing)."""
    r = ask("sc-cd-2", CHEST_CT, "2026-11-11", "cq-jb-2a", "2026-11-23")
    assert r["verdict"] == "RECOGNIZED"
    assert "同级" in reason(r, "TIER_RULE")["text"]


def test_higher_need_not_recognize_lower(ask):
    """6.2 names no rule for a higher level accepting a lower one."""
    r = ask("sc-cd-2", CHEST_CT, "2026-11-11", "cq-yz", "2026-11-23")
    assert r["verdict"] == "NOT_RECOGNIZED"
    assert reason(r, "TIER_RULE")["clause"] == "6.2"


def test_binding_one_month_window(ask):
    """6.5 对近期（1个月）…予以认可 — binding."""
    r = ask("sc-cd-1", CHEST_CT, "2026-10-01", "cq-wz", "2026-11-23")
    assert r["verdict"] == "NOT_RECOGNIZED"
    assert reason(r, "OUTSIDE_WINDOW")["clause"] == "6.5"


def test_result_in_doubt(ask):
    """6.7 e) 对已有检查结果存疑的."""
    r = ask("sc-cd-1", CHEST_CT, "2026-11-11", "cq-wz", "2026-11-23", resultInDoubt=True)
    assert r["verdict"] == "PHYSICIAN_DISCRETION"
    assert "EXCLUSION_RESULT_IN_DOUBT" in codes(r)
