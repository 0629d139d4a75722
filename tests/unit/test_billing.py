"""001 四(三) 加强医保管理 as policy data: the answer's ``billing`` (issue 16, item 3).

The four rules of 四(三), quoted in 001.yaml, chosen by the data's ``when`` (first match): a recognized result
→ 四(三)1; recognition needing the department's joint reading → 四(三)2; a re-examination under a 三、5
exclusion → 四(三)3; lab results of a non-designated institution → 四(三)4.  Only at a Beijing target: the
other documents say nothing of fees, and a Tianjin target borrows 001's rules of recognition, not its fees.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hub.domain.policy import load_policies

CT = "BJ-IMG:BW23ZYZZZ-00"
LAB = "BJ-LAB:0025010101500000000"
ROOT = Path(__file__).resolve().parents[2]
SEED_DOCS = Path(os.environ.get("HUB_SEED_DOCS", ROOT.parent / "shared" / "seed-docs"))


def document(source: str) -> str:
    """The document's text without whitespace (the OCR'd copies break lines inside sentences)."""
    found = sorted(SEED_DOCS.glob(f"{source}_*.txt"))
    if not found:
        pytest.skip(f"document {source} not found in {SEED_DOCS}")
    return "".join(found[0].read_text(encoding="utf-8").split())


@pytest.fixture(autouse=True)
def beijing(facts):
    facts.add("xh", "3A", "110101", marks=[(CT, "110000", "2024-01-01", None), (CT, "JJJ", "2024-01-01", None),
                                           (LAB, "JJJ", "2024-01-01", None)])
    facts.add("hd", "3B", "110108")
    facts.add("ft-2b", "2B", "110106")
    facts.add("sjz", "3A", "130102", marks=[("HE-IMG:122", "JJJ", "2025-01-01", None)])
    facts.add("tj", "3A", "120101")
    facts.add("hz", "3A", "330102", marks=[("ZJ-IMG:BW23ZYZZZ", "330000", "2024-01-01", None)])
    facts.add("nb", "2A", "330203")


def billing(r):
    return (r.billing.code, r.billing.clause) if r.billing else None


def test_a_recognized_result_is_charged_the_consultation_fee_only(ask, renderer):
    """四(三)1 检查检验结果即可满足诊疗需要的，医疗机构按门（急）诊诊查收取相应的医事服务费，不额外收费."""
    r = ask("xh", CT, "2026-11-11", "hd", "2026-11-23")
    assert r.verdict == "RECOGNIZED" and billing(r) == ("NO_EXTRA_FEE", "四(三)1")
    assert r.billing.source == "001"
    assert renderer.billing_text(r.billing, "zh") == (
        "检查检验结果即可满足诊疗需要的，医疗机构按门（急）诊诊查收取相应的医事服务费，不额外收费")
    assert "consultation" in renderer.billing_text(r.billing, "en")


def test_joint_reading_adds_the_consultation_fee(ask):
    """四(三)2 确需相应检查检验科室共同参与…可…加收院内会诊费用 (the caller says so: jointReading)."""
    r = ask("xh", CT, "2026-11-11", "hd", "2026-11-23", jointReading=True)
    assert r.verdict == "RECOGNIZED" and billing(r) == ("JOINT_READING_FEE", "四(三)2")


def test_a_reexamination_under_an_exclusion_is_charged_at_cost(ask):
    """四(三)3 符合互认条件，但属于本方案第三项可以重新检查所规定情形…收取实际发生的医疗服务费用 (三、5(七) 急诊)."""
    r = ask("xh", CT, "2026-11-11", "hd", "2026-11-23", emergency=True, jointReading=True)
    assert r.verdict == "PHYSICIAN_DISCRETION" and billing(r) == ("ACTUAL_COST", "四(三)3")


def test_lab_results_of_a_non_designated_institution_are_not_reimbursed(ask):
    """四(三)4 对于未定点医疗机构的检验结果可以互认，但费用不予报销 — lab results (检验) only."""
    lab = ask("xh", LAB, "2026-11-20", "hd", "2026-11-23", sourceNotDesignated=True)
    assert lab.verdict == "RECOGNIZED" and billing(lab) == ("NOT_REIMBURSED", "四(三)4")
    imaging = ask("xh", CT, "2026-11-11", "hd", "2026-11-23", sourceNotDesignated=True)
    assert billing(imaging) == ("NO_EXTRA_FEE", "四(三)1")


def test_no_billing_where_nothing_is_recognizable_or_no_rule_is_met(ask):
    """四(三) speaks of results that 符合互认条件: a refused one has no billing, nor does the optional
    三级 acceptance of a lower result without an exclusion (三、3(二) 也可: the physician's choice)."""
    assert ask("hd", CT, "2026-11-11", "xh", "2026-11-23").billing is None  # no mark
    assert ask("ft-2b", CT, "2026-11-11", "hd", "2026-11-23").verdict == "NOT_RECOGNIZED"


def test_a_hebei_study_recognized_in_beijing_gets_beijing_billing(ask):
    """The target's document decides the fees: a 京津冀 study at a Beijing target (001 governs there)."""
    r = ask("sjz", "HE-IMG:122", "2026-11-20", "xh", "2026-11-23")
    assert (r.verdict, r.policy) == ("RECOGNIZED", "JJJ") and billing(r) == ("NO_EXTRA_FEE", "四(三)1")


@pytest.mark.parametrize("source, item, target", [
    ("xh", CT, "sjz"),   # Hebei target: 003 says nothing of fees
    ("xh", CT, "tj"),    # Tianjin target: 001's rules of recognition (fallback), not Beijing's fees
    ("hz", "ZJ-IMG:BW23ZYZZZ", "nb"),  # Zhejiang: 000 says nothing of fees
])
def test_no_billing_where_the_governing_document_says_nothing(ask, source, item, target):
    r = ask(source, item, "2026-11-20", target, "2026-11-23")
    assert r.verdict == "RECOGNIZED" and r.billing is None


def test_the_billing_texts_quote_001_exactly():
    rules = load_policies()["001"].billing
    assert [b.clause for b in rules] == ["四(三)3", "四(三)4", "四(三)2", "四(三)1"]
    text = document("001")
    for b in rules:
        assert "".join(b.text.split()) in text, b.text
