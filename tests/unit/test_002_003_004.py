"""002 (河池), 003 (河北), 004 (川渝): the engine alone, one clause edge per test."""

import pytest

from tests.unit.conftest import codes, reason

CY_CT, HE_CT = "CY-IMG:94", "HE-IMG:122"


@pytest.fixture(autouse=True)
def institutions(facts):
    facts.add("gx-2a", "2A", "451202")
    facts.add("gx-2", "2", "451202", alliances=["a"])
    facts.add("gx-1", "1", "451202", alliances=["a"])
    facts.add("gx-3a", "3A", "450102")
    facts.add("he-2a", "2A", "130104", marks=[(HE_CT, "130000", "2025-01-01", None)])
    facts.add("he-1", "1", "130602")
    facts.add("sc-3a", "3A", "510104", marks=[(CY_CT, "CY", "2025-01-01", None)])
    facts.add("sc-2a", "2A", "510105", marks=[(CY_CT, "CY", "2025-01-01", None)])
    facts.add("sc-2a-nomark", "2A", "510105")
    facts.add("cq-2b", "2B", "500101")
    facts.add("cq-2a", "2A", "500105")
    facts.add("cq-3a", "3A", "500103")


def test_002_second_grade_a_and_above_without_mark_or_window(ask):
    """002 一: 互认机构为国家二级甲等及以上医疗机构 — no mark, no window."""
    r = ask("gx-2a", CY_CT, "2020-01-01", "gx-3a", "2026-11-23")
    assert r.verdict == "RECOGNIZED" and r.valid_until is None
    assert r.target_item == "HC-IMG:CT-5"


def test_002_ungraded_second_level_is_not_an_institution_of_recognition(ask):
    """002 一 names 二级甲等及以上; 002 has no alliance rule, so membership of one alliance does not help."""
    r = ask("gx-1", CY_CT, "2026-11-01", "gx-2", "2026-11-23")
    assert r.verdict == "NOT_RECOGNIZED"
    assert "TIER_RULE" in codes(r) and "SAME_ALLIANCE" not in codes(r)


def test_003_advisory_month_ends_on_the_same_day_next_month(ask):
    """003 三(一)4 参考时限为1个月（…并非强制性要求）: the last day is RECOGNIZED, the next the physician's."""
    last = ask("he-2a", HE_CT, "2026-01-31", "he-1", "2026-02-28")
    after = ask("he-2a", HE_CT, "2026-01-31", "he-1", "2026-03-01")
    assert (last.verdict, str(last.valid_until)) == ("RECOGNIZED", "2026-02-28")
    assert after.verdict == "PHYSICIAN_DISCRETION"
    assert reason(after, "OUTSIDE_WINDOW").clause == "三(一)4"


def test_003_marked_results_are_recognized_by_any_tier(ask):
    """003 三(二): a marked result is recognized whatever the target's tier (一级 here)."""
    r = ask("he-2a", HE_CT, "2026-11-11", "he-1", "2026-11-23")
    assert (r.verdict, r.mark, r.mark_code) == ("RECOGNIZED", "河北互认", "HBHR")


def test_004_lower_accepts_higher_and_same_level_across_the_two_provinces(ask):
    """004 6.2 下级对上级予以认可, 同级间予以互认; 6.4 川渝HR."""
    down = ask("sc-3a", CY_CT, "2026-11-11", "cq-2b", "2026-11-23")
    same = ask("sc-2a", CY_CT, "2026-11-11", "cq-2a", "2026-11-23")
    up = ask("sc-2a", CY_CT, "2026-11-11", "cq-3a", "2026-11-23")
    assert (down.verdict, down.mark) == ("RECOGNIZED", "川渝HR")
    assert same.verdict == "RECOGNIZED"
    assert up.verdict == "NOT_RECOGNIZED" and reason(up, "TIER_RULE").clause == "6.2"


def test_004_every_rule_requires_the_mark(ask):
    """004 6.2/6.4: without a 川渝 mark the same-level rule does not apply."""
    r = ask("sc-2a-nomark", CY_CT, "2026-11-11", "cq-2a", "2026-11-23")
    assert r.verdict == "NOT_RECOGNIZED" and "MARK_MISSING" in codes(r)


def test_004_binding_month(ask):
    """004 6.5 近期（1个月）: binding — the day after the month is NOT_RECOGNIZED."""
    last = ask("sc-3a", CY_CT, "2026-10-31", "cq-2b", "2026-11-30")
    after = ask("sc-3a", CY_CT, "2026-10-31", "cq-2b", "2026-12-01")
    assert last.verdict == "RECOGNIZED"
    assert after.verdict == "NOT_RECOGNIZED" and reason(after, "OUTSIDE_WINDOW").clause == "6.5"


def test_004_incomplete_images(ask):
    """004 6.7 f) 图像质量和方法不能满足诊断要求 (the connectors' completeness finding)."""
    r = ask("sc-3a", CY_CT, "2026-11-11", "cq-2b", "2026-11-23", imagesIncomplete=True)
    assert r.verdict == "PHYSICIAN_DISCRETION"
    assert reason(r, "EXCLUSION_IMAGE_QUALITY").clause == "6.7 f)"
