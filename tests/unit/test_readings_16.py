"""Issue 16: the decisive reasons, no reason without a clause, and the two readings of docs/INTERPRETATIONS.md
decided there (004 6.2 公立; a 京津冀 lab result at a Hebei target) — the engine alone."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from hub.domain.recognition import Check, ClinicalContext
from hub.domain.vocabulary import CONTEXT_FLAGS
from tests.unit.conftest import codes, reason

CT, LAB, CY_CT, HC_CT = "BJ-IMG:BW23ZYZZZ-00", "BJ-LAB:0025010101500000000", "CY-IMG:94", "HC-IMG:CT-5"


@pytest.fixture(autouse=True)
def institutions(facts):
    facts.add("xh", "3A", "110101", marks=[(CT, "110000", "2024-01-01", None), (CT, "JJJ", "2024-01-01", None)])
    facts.add("xc", "3A", "110102", marks=[(LAB, "110000", "2024-01-01", None), (LAB, "JJJ", "2024-01-01", None)])
    facts.add("cy-only", "3A", "110105", marks=[(LAB, "110000", "2024-01-01", None)])
    facts.add("hd", "3B", "110108")
    facts.add("ft-2b", "2B", "110106", marks=[(CT, "110000", "2024-01-01", None)])
    facts.add("sjz", "3A", "130102")
    facts.add("tj", "3A", "120101")
    facts.add("cd-3a", "3A", "510104", marks=[(CY_CT, "CY", "2025-01-01", None)])
    facts.add("cd-2a", "2A", "510105", marks=[(CY_CT, "CY", "2025-01-01", None)])
    facts.add("cq-2a", "2A", "500105")
    facts.add("cq-private-2a", "2A", "500112", ownership="private", marks=[(CY_CT, "CY", "2025-01-01", None)])
    facts.add("cq-military-2a", "2A", "500106", ownership="military", marks=[(CY_CT, "CY", "2025-01-01", None)])
    facts.add("cq-private-1", "1", "500113", ownership="private", marks=[(CY_CT, "CY", "2025-01-01", None)])
    facts.add("cq-private-3a", "3A", "500103", ownership="private")
    facts.add("gx-2a", "2A", "451202", marks=[(HC_CT, "450000", "2020-01-01", "2021-12-31")])
    facts.add("gx-1", "1", "451202")
    facts.add("gx-3a", "3A", "450102")


def decisive(r) -> list[str]:
    return [x.code for x in r.reasons if r.decisive(x)]


# ---- decisive: the reasons whose own verdict is the answer's


def test_recognized_the_granting_rule_and_the_mark_that_carries_it_decide(ask):
    """001 三、3(二) 二级甲等及以上医疗机构间…予以互认, carried by the mark (三、4); the document and the item only inform."""
    r = ask("xh", CT, "2026-11-11", "hd", "2026-11-23")
    assert r.verdict == "RECOGNIZED"
    assert decisive(r) == ["TIER_RULE", "MARK_SCOPE"]
    assert [x.verdict for x in r.reasons if x.code in ("POLICY", "ITEM_IN_CATALOG")] == [None, None]


def test_not_recognized_every_refusing_rule_decides(ask):
    """004 6.2: a higher level has no rule to accept a lower one, and no 川渝 mark either."""
    r = ask("cq-2a", CY_CT, "2026-11-11", "cd-3a", "2026-11-23")
    assert r.verdict == "NOT_RECOGNIZED"
    assert decisive(r) == ["TIER_RULE", "MARK_MISSING"]


def test_physician_discretion_the_exclusion_decides_not_the_rule(ask):
    """001 三、5(七) 急诊: the exclusion sets PHYSICIAN_DISCRETION; the tier rule (RECOGNIZED) no longer decides."""
    r = ask("xh", CT, "2026-11-11", "hd", "2026-11-23", emergency=True)
    assert r.verdict == "PHYSICIAN_DISCRETION" and decisive(r) == ["EXCLUSION_EMERGENCY"]


def test_an_optional_rule_decides_its_discretion(ask):
    """001 三、3(二) 三级医院也可予以认可 — the optional rule itself sets the physician's discretion."""
    r = ask("ft-2b", CT, "2026-11-11", "hd", "2026-11-23")
    assert r.verdict == "PHYSICIAN_DISCRETION" and decisive(r) == ["TIER_RULE"]


def test_every_answer_has_a_decisive_reason(engine, facts):
    ids = sorted(facts.institutions)
    every = ClinicalContext(**{f: True for f in CONTEXT_FLAGS})
    checks = [Check(s, item, dt.date(2026, 11, 11), t, dt.date(2026, 11, 23), ctx)
              for s in ids for t in ids for item in (CT, LAB, CY_CT, HC_CT) for ctx in (ClinicalContext(), every)]
    answers = asyncio.run(engine.check_many(checks))
    assert [a for a in answers if not decisive(a)] == []


# ---- no reason without a clause


def test_no_reason_without_a_clause_but_no_policy(engine, facts):
    """Every reason cites its document's clause; NO_POLICY alone has none (no document exists to cite)."""
    ids = sorted(facts.institutions)
    every = ClinicalContext(**{f: True for f in CONTEXT_FLAGS})
    checks = [Check(s, item, performed, t, dt.date(2026, 11, 23), ctx)
              for s in ids for t in ids for item in (CT, LAB, CY_CT, HC_CT)
              for performed in (dt.date(2026, 11, 11), dt.date(2021, 6, 1)) for ctx in (ClinicalContext(), every)]
    reasons = [x for a in asyncio.run(engine.check_many(checks)) for x in a.reasons]
    assert {x.code for x in reasons if not x.clause} == {"NO_POLICY"}


def test_002_mark_reasons_cite_what_002_relies_on_instead_of_a_mark(ask):
    """002 defines no 互认标识: its quality gate is the grade (一) and the items chosen among those under
    国家级、区级质控 (二).  A lapsed mark is reported citing 二, and decides nothing; below 二级甲等 the grade
    (一) refuses alone — no MARK_MISSING for a mark 002 never asks for."""
    lapsed = ask("gx-2a", HC_CT, "2026-11-11", "gx-3a", "2026-11-23")
    assert lapsed.verdict == "RECOGNIZED"
    assert reason(lapsed, "MARK_MISSING").clause == "二" and not lapsed.decisive(reason(lapsed, "MARK_MISSING"))
    below = ask("gx-1", HC_CT, "2026-11-11", "gx-3a", "2026-11-23")
    assert below.verdict == "NOT_RECOGNIZED" and codes(below) == ["POLICY", "ITEM_IN_CATALOG", "TIER_RULE"]
    assert reason(below, "TIER_RULE").clause == "一"


def test_the_same_institution_cites_the_documents_rules_on_institutions(ask):
    r = ask("xh", CT, "2026-11-11", "xh", "2026-11-23")
    assert (reason(r, "SAME_INSTITUTION").source, reason(r, "SAME_INSTITUTION").clause) == ("001", "三、互认规则")


# ---- 004 6.2 二级及以上公立 (INTERPRETATIONS.md)


def test_004_a_private_second_level_source_is_left_to_the_physician(ask):
    """6.2 所有二级及以上**公立**医疗机构: a private 二级甲等 hospital is outside 6.2; 1 社会办医机构可参照执行 —
    it may follow the standard, nothing obliges the target: PHYSICIAN_DISCRETION, its 川渝 mark still required."""
    r = ask("cq-private-2a", CY_CT, "2026-11-11", "cd-2a", "2026-11-23")
    assert r.verdict == "PHYSICIAN_DISCRETION" and decisive(r) == ["INSTITUTION_SCOPE"]
    scope = reason(r, "INSTITUTION_SCOPE")
    assert (scope.source, scope.clause, scope.variant) == ("004", "1", "source")
    assert r.mark == "川渝HR"


def test_004_a_private_target_is_not_obliged_either(ask):
    r = ask("cd-3a", CY_CT, "2026-11-11", "cq-private-3a", "2026-11-23")
    assert r.verdict == "PHYSICIAN_DISCRETION" and reason(r, "INSTITUTION_SCOPE").variant == "target"


def test_004_military_hospitals_are_public(ask):
    """军队 hospitals are state-owned (公立), not 社会办医: inside 6.2 like any public hospital."""
    r = ask("cq-military-2a", CY_CT, "2026-11-11", "cd-2a", "2026-11-23")
    assert r.verdict == "RECOGNIZED" and "INSTITUTION_SCOPE" not in codes(r)


def test_004_below_second_level_any_ownership_takes_part_once_it_passed_qc(ask):
    """6.2 …以及参加地市级及以上质控中心组织开展的质量评价并合格的二级以下医疗机构 — whatever the ownership."""
    r = ask("cq-private-1", CY_CT, "2026-11-11", "cq-private-1", "2026-11-23")
    assert "INSTITUTION_SCOPE" not in codes(r)
    r = ask("cq-private-1", CY_CT, "2026-11-11", "cd-2a", "2026-11-23")
    assert "INSTITUTION_SCOPE" not in codes(r)
    assert r.verdict == "NOT_RECOGNIZED" and reason(r, "TIER_RULE").clause == "6.2"  # a higher level accepts no lower


def test_004_without_the_mark_a_private_source_is_still_refused(ask):
    r = ask("cq-private-3a", CY_CT, "2026-11-11", "cq-2a", "2026-11-23")
    assert r.verdict == "NOT_RECOGNIZED" and "MARK_MISSING" in codes(r)


# ---- a Beijing lab result with a 京津冀 mark at Tianjin and at Hebei targets (INTERPRETATIONS.md)


@pytest.mark.parametrize("target", ["tj", "sjz"])
def test_a_jjj_lab_result_is_recognized_at_tianjin_and_at_hebei_alike(ask, target):
    """001 三、1 满足区域（如：京津冀）质量评价指标…的检查检验项目，互认范围为相关区域: 003 lists no lab items, so at
    a Hebei target 001 (which defines the 京津冀 scope for 检查检验) supplies the lab rules — as at Tianjin."""
    r = ask("xc", LAB, "2026-11-20", target, "2026-11-23")
    assert (r.verdict, r.policy, r.mark_code, r.target_item) == ("RECOGNIZED", "JJJ", "JJHR", LAB)
    zone = reason(r, "ZONE_POLICY")
    assert (zone.source, zone.clause) == ("001", "三、1")
    assert zone.variant == ("no_document" if target == "tj" else "kind_fallback")
    assert reason(r, "TIER_RULE").clause == "三、3(一)"


def test_a_city_scope_lab_mark_does_not_reach_hebei(ask):
    """三、1: without the 京津冀 quality evaluation the lab result stays within Beijing (全市)."""
    r = ask("cy-only", LAB, "2026-11-20", "sjz", "2026-11-23")
    assert r.verdict == "NOT_RECOGNIZED" and "NO_SHARED_SCOPE" in codes(r)


def test_inside_hebei_003_still_has_no_lab_list(ask, facts):
    """The fallback is the zone's: a Hebei lab result at a Hebei target is 003's alone, which lists no lab items."""
    facts.add("sjz-2", "2A", "130104", marks=[(LAB, "JJJ", "2024-01-01", None)])
    r = ask("sjz-2", LAB, "2026-11-20", "sjz", "2026-11-23")
    assert r.verdict == "NOT_RECOGNIZED" and reason(r, "ITEM_NOT_IN_CATALOG").clause == "三、互认方式"
