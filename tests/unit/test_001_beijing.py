"""001 京卫医〔2024〕28号 (Beijing) and its 京津冀 scope: the engine alone."""

import pytest

from tests.unit.conftest import codes, reason

CT = "BJ-IMG:BW23ZYZZZ-00"
LAB = "BJ-LAB:0025010101500000000"
DC, HD, CY, SJZ, HP = "110101", "110108", "110105", "130102", "120101"


@pytest.fixture(autouse=True)
def beijing(facts):
    facts.add("both", "3A", DC, marks=[(CT, "110000", "2024-01-01", None), (CT, "JJJ", "2024-01-01", None),
                                       (LAB, "110000", "2024-01-01", None)])
    facts.add("city", "3A", HD, marks=[(CT, "110000", "2024-01-01", None)])
    facts.add("zone-lapsed", "3A", HD, marks=[(CT, "110000", "2024-01-01", None), (CT, "JJJ", "2024-01-01", "2026-06-30")])
    facts.add("low", "2B", DC, marks=[(CT, "110000", "2024-01-01", None)])
    facts.add("primary", "1", CY)
    facts.add("3b", "3B", HD)
    facts.add("sjz", "3A", SJZ)
    facts.add("tj", "3A", HP)


def test_largest_scope_names_the_mark(ask):
    """三、4 如同一项目满足多个互认范围，则以最大范围的名称标注: 京津冀HR over 北京HR."""
    assert (ask("both", CT, "2026-11-11", "3b", "2026-11-23").mark_code) == "JJHR"
    assert (ask("city", CT, "2026-11-11", "3b", "2026-11-23").mark) == "北京HR"


def test_a_zone_mark_that_lapsed_before_the_study_leaves_the_city_label(ask):
    """三、4: only a mark valid on the study date counts — the 京津冀 one ended 2026-06-30."""
    r = ask("zone-lapsed", CT, "2026-11-11", "3b", "2026-11-23")
    assert r.verdict == "RECOGNIZED" and r.mark == "北京HR"
    hebei = ask("zone-lapsed", CT, "2026-11-11", "sjz", "2026-11-23")
    assert hebei.verdict == "NOT_RECOGNIZED" and "NO_SHARED_SCOPE" in codes(hebei)


def test_no_window_means_no_expiry(ask):
    """001 prints no time window: a study almost three years old (marked on its date) is still recognized, validUntil null."""
    r = ask("city", CT, "2024-02-01", "3b", "2026-11-23")
    assert r.verdict == "RECOGNIZED" and r.valid_until is None
    assert "OUTSIDE_WINDOW" not in codes(r)


def test_tertiary_may_accept_a_marked_lower_result(ask):
    """三、3(二) 三级医院也可予以认可 — may, so the physician decides."""
    r = ask("low", CT, "2026-11-11", "3b", "2026-11-23")
    assert r.verdict == "PHYSICIAN_DISCRETION"
    assert reason(r, "TIER_RULE").clause == "三、3(二)"


def test_lab_results_need_the_eqa_pass_at_any_tier(ask):
    """三、3(一) 医学检验项目被互认的医疗机构需通过国家、省级室间质评: a 一级 target accepts it."""
    r = ask("both", LAB, "2026-11-20", "primary", "2026-11-23")
    assert r.verdict == "RECOGNIZED"
    assert reason(r, "TIER_RULE").clause == "三、3(一)"


def test_zone_overlay_carries_the_target_catalog_and_window(ask):
    """三、1 区域（如：京津冀）: a Beijing study at a Hebei target is named in 003's catalog and gets
    003's advisory month (三(一)4)."""
    r = ask("both", CT, "2026-11-11", "sjz", "2026-11-23")
    assert r.verdict == "RECOGNIZED" and r.policy == "JJJ"
    assert r.target_item == "HE-IMG:122"
    assert str(r.valid_until) == "2026-12-11"


def test_tianjin_has_no_document_of_its_own(ask):
    """Only the 京津冀 overlay reaches Tianjin, and only across provinces (a Beijing source)."""
    r = ask("both", CT, "2026-11-11", "tj", "2026-11-23")
    assert r.verdict == "RECOGNIZED" and r.policy == "JJJ"
