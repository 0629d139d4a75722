"""000 浙江省实施意见 (2021): the engine alone, one clause edge per test."""

import pytest

from tests.unit.conftest import codes, reason

CT = "ZJ-IMG:BW23ZYZZZ"
HZ, NB, WZ = "330102", "330203", "330302"


@pytest.fixture(autouse=True)
def zhejiang(facts):
    facts.add("hz-3a", "3A", HZ, marks=[(CT, "330000", "2024-01-01", None)])
    facts.add("nb-2a", "2A", NB)
    facts.add("wz-2b", "2B", WZ)
    facts.add("hz-2b", "2B", HZ, alliances=["gt"])
    facts.add("hz-3a-gt", "3A", HZ, alliances=["gt"])
    facts.add("lab", "0", HZ, kind="lab", ownership="private", marks=[("ZJ-LAB:1", "330000", "2024-01-01", None)])
    facts.add("nb-2a-lapsed", "2A", NB, marks=[(CT, "330000", "2024-01-01", "2026-11-10")])


def test_thirty_days_counted_from_the_study_across_a_month_end(ask):
    """四(一) 30天内: a study of 2026-01-31 stays recognizable through 2026-03-02, not a day longer."""
    last = ask("hz-3a", CT, "2026-01-31", "nb-2a", "2026-03-02")
    after = ask("hz-3a", CT, "2026-01-31", "nb-2a", "2026-03-03")
    assert (last.verdict, str(last.valid_until)) == ("RECOGNIZED", "2026-03-02")
    assert after.verdict == "NOT_RECOGNIZED"
    assert reason(after, "OUTSIDE_WINDOW").clause == "四(一)"


def test_upper_group_needs_the_eqa_pass(ask):
    """二(一) 通过国家、省级室间质评的二级甲等及以上…间予以互认: a 二甲 source without the pass is not covered."""
    r = ask("nb-2a", CT, "2026-11-20", "hz-3a", "2026-11-23")
    assert r.verdict == "NOT_RECOGNIZED"
    assert reason(r, "MARK_MISSING").source == "000"


def test_a_pass_that_ended_before_the_study_does_not_count(ask):
    """二(一): the pass must hold on the study date (valid to 2026-11-10; studies of 11-10 and 11-11)."""
    on_last_day = ask("nb-2a-lapsed", CT, "2026-11-10", "hz-3a", "2026-11-23")
    day_after = ask("nb-2a-lapsed", CT, "2026-11-11", "hz-3a", "2026-11-23")
    assert on_last_day.verdict == "RECOGNIZED"
    assert day_after.verdict == "NOT_RECOGNIZED" and "MARK_MISSING" in codes(day_after)


def test_lower_group_mutual_without_a_pass(ask):
    """二(一) 全省二级乙等及以下医疗机构间予以互认 — no 室间质评 condition is written for this group."""
    r = ask("hz-2b", CT, "2026-11-20", "wz-2b", "2026-11-23")
    assert r.verdict == "RECOGNIZED"
    assert "MARK_MISSING" not in codes(r)


def test_upper_need_not_accept_lower_outside_an_alliance_but_must_inside(ask):
    """二(一) gives no upper-accepts-lower rule; 二(二) 医共体内各医疗机构…予以互认 does."""
    outside = ask("wz-2b", CT, "2026-11-20", "nb-2a", "2026-11-23")
    inside = ask("hz-2b", CT, "2026-11-20", "hz-3a-gt", "2026-11-23")
    assert outside.verdict == "NOT_RECOGNIZED"
    assert inside.verdict == "RECOGNIZED" and reason(inside, "SAME_ALLIANCE").clause == "二(二)"


def test_independent_lab_counts_with_the_upper_group(ask):
    """二(一) 独立第三方医学检测机构 with the pass: its 血常规 is recognized by a 三甲."""
    r = ask("lab", "ZJ-LAB:1", "2026-11-20", "hz-3a", "2026-11-23")
    assert r.verdict == "RECOGNIZED"
    assert r.target_item == "ZJ-LAB:1"


def test_every_stated_exclusion_is_listed_and_the_weakest_verdict_wins(ask):
    """四(三): each stated circumstance cites its own item; outside the binding window the answer stays
    NOT_RECOGNIZED (weakest wins) while the exclusions are still explained."""
    r = ask("hz-3a", CT, "2026-11-11", "nb-2a", "2026-11-23", emergency=True, forensicAssessment=True)
    assert r.verdict == "PHYSICIAN_DISCRETION"
    assert {"EXCLUSION_EMERGENCY", "EXCLUSION_FORENSIC"} <= set(codes(r))
    late = ask("hz-3a", CT, "2026-09-01", "nb-2a", "2026-11-23", emergency=True)
    assert late.verdict == "NOT_RECOGNIZED"
    assert {"OUTSIDE_WINDOW", "EXCLUSION_EMERGENCY"} <= set(codes(late))
