"""Acceptance: 003 河北省影像检查项目互认工作指引（2025版）."""

from tests.acceptance.conftest import codes, reason


def test_marked_result_recognized_with_hebei_label(ask):
    """三(二): 标注互认标识 HBHR（河北互认）; 三(一)4: 参考时限 1 个月."""
    r = ask("he-sjz-2", "HE-IMG:122", "2026-11-11", "he-bd", "2026-11-23")
    assert r["verdict"] == "RECOGNIZED"
    assert (r["mark"], r["markCode"]) == ("河北互认", "HBHR")
    assert r["validUntil"] == "2026-12-11"


def test_advisory_window_leaves_it_to_the_physician(ask):
    """三(一)4: 仅供参考…并非强制性要求 — past one month the physician decides."""
    r = ask("he-sjz-2", "HE-IMG:122", "2026-10-01", "he-bd", "2026-11-23")
    assert r["verdict"] == "PHYSICIAN_DISCRETION"
    assert reason(r, "OUTSIDE_WINDOW")["clause"] == "三(一)4"


def test_unmarked_result_not_recognized(ask):
    """三(二): 质量抽查不合格的项目，不得标注 — without a mark nothing obliges recognition."""
    r = ask("he-bd", "HE-IMG:122", "2026-11-20", "he-sjz-1", "2026-11-23")
    assert r["verdict"] == "NOT_RECOGNIZED"
    assert "MARK_MISSING" in codes(r)


def test_jjj_listed_hebei_hospital_to_beijing(ask):
    """三(二): 在京津冀名单中的单位标注 JJJHR（京津冀互认）; the label is the source document's."""
    r = ask("he-sjz-1", "HE-IMG:122", "2026-11-20", "bj-xh", "2026-11-23")
    assert r["verdict"] == "RECOGNIZED"
    assert (r["mark"], r["markCode"]) == ("京津冀互认", "JJJHR")
    assert r["targetItem"] == "BJ-IMG:BW23ZYZZZ-00"


def test_emergency_is_outside_recognition(ask):
    """三(一)3: 互认主要适用于非急诊患者."""
    r = ask("he-sjz-2", "HE-IMG:122", "2026-11-11", "he-bd", "2026-11-23", emergency=True)
    assert r["verdict"] == "PHYSICIAN_DISCRETION"
    assert reason(r, "EXCLUSION_EMERGENCY")["clause"] == "三(一)3"
