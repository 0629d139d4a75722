"""Acceptance: 001 京卫医〔2024〕28号 (Beijing) and its 京津冀 scope."""

from tests.acceptance.conftest import codes, reason

CHEST_CT = "BJ-IMG:BW23ZYZZZ-00"


def test_marked_tertiary_to_tertiary_largest_scope_label(ask):
    """三、3(二) 二级甲等及以上间互认; 三、4 如同一项目满足多个互认范围，则以最大范围的名称标注."""
    r = ask("bj-xh", CHEST_CT, "2026-11-11", "bj-hd-3b", "2026-11-23")
    assert r["verdict"] == "RECOGNIZED"
    assert (r["mark"], r["markCode"]) == ("京津冀HR", "JJHR")
    assert reason(r, "MARK_SCOPE")["clause"] == "三、4"
    assert r["validUntil"] is None  # 001 sets no window


def test_alliance_members_without_marks(ask):
    """三、3(二): 医联体内各医疗机构医学影像检查结果予以互认 (bj-dc-2 二乙 → bj-xh 三甲)."""
    r = ask("bj-dc-2", CHEST_CT, "2026-11-11", "bj-xh", "2026-11-23")
    assert r["verdict"] == "RECOGNIZED"
    assert reason(r, "SAME_ALLIANCE")["clause"] == "三、3(二)"


def test_tertiary_may_accept_lower(ask):
    """三、3(二): 如二级及以下…符合质量要求，三级医院也可予以认可 — may, not must."""
    r = ask("bj-ft-2b", CHEST_CT, "2026-11-11", "bj-hd-3b", "2026-11-23")
    assert r["verdict"] == "PHYSICIAN_DISCRETION"
    assert reason(r, "TIER_RULE")["text"].startswith("如二级及以下")
    assert (r["mark"], r["markCode"]) == ("北京HR", "BJHR")


def test_expired_mark_does_not_cover_the_study(ask):
    """三、4 / 四(一): only items that passed the evaluation carry the mark; bj-hd-3b's ends 2025-06-30."""
    r = ask("bj-hd-3b", CHEST_CT, "2025-08-01", "bj-xh", "2025-08-05")
    assert r["verdict"] == "NOT_RECOGNIZED"
    assert "MARK_MISSING" in codes(r)
    valid = ask("bj-hd-3b", CHEST_CT, "2025-06-01", "bj-xh", "2025-06-05")
    assert valid["verdict"] == "RECOGNIZED"


def test_jjj_zone_mark_carries_a_beijing_study_to_hebei(ask):
    """三、1 区域（如：京津冀）质量评价合格 → 互认范围为相关区域; the target's catalog (003) names the exam."""
    r = ask("bj-xh", CHEST_CT, "2026-11-11", "he-sjz-1", "2026-11-23")
    assert r["verdict"] == "RECOGNIZED"
    assert (r["mark"], r["markCode"]) == ("京津冀HR", "JJHR")
    assert r["targetItem"] == "HE-IMG:122"
    assert r["policy"] == "JJJ"
    assert "ZONE_POLICY" in codes(r)
    assert r["validUntil"] == "2026-12-11"  # 003 三(一)4 advisory 1 month at the Hebei target


def test_city_scope_mark_does_not_reach_another_province(ask):
    """三、1: a 北京HR mark's scope is 全市 — it does not contain Hebei."""
    r = ask("bj-ft-2b", CHEST_CT, "2026-11-11", "he-sjz-1", "2026-11-23")
    assert r["verdict"] == "NOT_RECOGNIZED"
    assert "NO_SHARED_SCOPE" in codes(r)


def test_lab_results_need_eqa_any_tier(ask):
    """三、3(一): 医学检验项目被互认的医疗机构需通过国家、省级室间质评 (BJ-LAB 全血细胞分析)."""
    r = ask("bj-xh", "BJ-LAB:0025010101500000000", "2026-11-20", "bj-cy-c", "2026-11-23")
    assert r["verdict"] == "RECOGNIZED"
    assert r["targetItem"] == "BJ-LAB:0025010101500000000"
