"""Acceptance: 000 浙江省实施意见 (2021). Targets in Zhejiang are governed by 000."""

from tests.acceptance.conftest import codes, reason

CHEST_CT = "ZJ-IMG:BW23ZYZZZ"


def test_upper_tier_mutual_with_quality_mark_inside_window(ask):
    """二(一): 二级甲等及以上医疗机构间予以互认 (passed 室间质评 = a mark); 四(一): 30 days."""
    r = ask("zj-hz-1", CHEST_CT, "2026-11-11", "zj-nb-2a", "2026-11-23")
    assert r["verdict"] == "RECOGNIZED"
    assert reason(r, "TIER_RULE")["clause"] == "二(一)"
    assert reason(r, "MARK_SCOPE")["source"] == "000"
    assert r["targetItem"] == CHEST_CT
    assert r["validUntil"] == "2026-12-11"  # 30 days after the study
    assert r["mark"] is None  # 000 prints no mark label


def test_binding_30_day_window(ask):
    """四(一): 30天内 … 原则上予以认可 — binding: day 31 is not recognized."""
    inside = ask("zj-hz-1", CHEST_CT, "2026-10-01", "zj-nb-2a", "2026-10-31")
    outside = ask("zj-hz-1", CHEST_CT, "2026-10-01", "zj-nb-2a", "2026-11-01")
    assert inside["verdict"] == "RECOGNIZED"
    assert outside["verdict"] == "NOT_RECOGNIZED"
    assert reason(outside, "OUTSIDE_WINDOW")["clause"] == "四(一)"
    assert outside["validUntil"] == "2026-10-31"


def test_lower_tiers_mutual_without_mark(ask):
    """二(一): 全省二级乙等及以下医疗机构间予以互认 — no 室间质评 condition for this group."""
    r = ask("zj-hz-2", CHEST_CT, "2026-11-20", "zj-wz-2b", "2026-11-23")
    assert r["verdict"] == "RECOGNIZED"
    assert reason(r, "TIER_RULE")["text"].startswith("全省二级乙等及以下")
    assert "MARK_MISSING" not in codes(r)


def test_upper_does_not_have_to_accept_lower(ask):
    """二(一) gives no rule by which a 二甲 accepts a 二乙 outside an alliance."""
    r = ask("zj-wz-2b", CHEST_CT, "2026-11-20", "zj-nb-2a", "2026-11-23")
    assert r["verdict"] == "NOT_RECOGNIZED"
    assert reason(r, "TIER_RULE")["clause"] == "二(一)"


def test_alliance_members_recognize_each_other(ask):
    """二(二): 城市医联体、县域医共体内各医疗机构…予以互认 (zj-hz-2 二乙 → zj-hz-1 三甲, same 医共体)."""
    r = ask("zj-hz-2", CHEST_CT, "2026-11-20", "zj-hz-1", "2026-11-23")
    assert r["verdict"] == "RECOGNIZED"
    assert reason(r, "SAME_ALLIANCE")["clause"] == "二(二)"


def test_independent_lab_counts_with_the_upper_group(ask):
    """二(一): 独立第三方医学检测机构 — lab results of a passed independent lab (ZJ-LAB:1 血常规)."""
    r = ask("zj-lab", "ZJ-LAB:1", "2026-11-20", "zj-hz-1", "2026-11-23")
    assert r["verdict"] == "RECOGNIZED"
    assert r["targetItem"] == "ZJ-LAB:1"


def test_emergency_exclusion(ask):
    """四(三)7: 急诊、急救等抢救生命的紧急状态下 → the physician decides."""
    r = ask("zj-hz-1", CHEST_CT, "2026-11-11", "zj-nb-2a", "2026-11-23", emergency=True)
    assert r["verdict"] == "PHYSICIAN_DISCRETION"
    assert reason(r, "EXCLUSION_EMERGENCY")["clause"] == "四(三)7"
