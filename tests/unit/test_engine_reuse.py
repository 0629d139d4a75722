"""What the engine keeps between checks (step 1 per region pair and item kind, the tier rules per pair of
tiers, the labels, each item's equivalents) is worked out from the policies, regions and items it holds
for its whole life and a few codes of a check: it never carries one check's institutions or dates into
another's answer, whatever the order the checks come in."""

import asyncio
import datetime as dt
import itertools

import pytest

from hub.domain.recognition import Check, RecognitionEngine
from tests.unit.conftest import reason

CY_CT, HE_CT, BJ_CT = "CY-IMG:94", "HE-IMG:122", "BJ-IMG:BW23ZYZZZ-00"


@pytest.fixture(autouse=True)
def institutions(facts):
    facts.add("gx-2a", "2A", "451202")
    facts.add("gx-2a-bis", "2A", "451202")
    facts.add("gx-3a", "3A", "450102", alliances=["a"])
    facts.add("he-2a", "2A", "130104", marks=[(HE_CT, "130000", "2025-01-01", None)])
    facts.add("he-1", "1", "130602", alliances=["a"])
    facts.add("he-3a", "3A", "130104", marks=[(BJ_CT, "JJJ", "2025-01-01", None)])
    facts.add("bj-3a", "3A", "110108", marks=[(BJ_CT, "JJJ", "2025-01-01", None)])
    facts.add("bj-2a", "2A", "110105")
    facts.add("sc-3a", "3A", "510104", marks=[(CY_CT, "CY", "2025-01-01", None)])
    facts.add("sc-2a", "2A", "510105", marks=[(CY_CT, "CY", "2025-01-01", "2026-06-30")])
    facts.add("cq-2b", "2B", "500101")
    facts.add("cq-3a", "3A", "500103")


def test_answers_do_not_depend_on_what_was_asked_before(seeds, facts, engine):
    on = dt.date(2026, 11, 23)
    checks = [
        Check(source, item, on - dt.timedelta(days=days), target, on)
        for source, target in itertools.permutations(sorted(facts.institutions), 2)
        for item in (CY_CT, HE_CT, BJ_CT)
        for days in (3, 400)
    ]
    batched = asyncio.run(engine.check_many(checks))
    policies, regions, items = seeds
    fresh = RecognitionEngine(policies, regions, items, facts)
    one_by_one = [asyncio.run(fresh.check(c)) for c in reversed(checks)][::-1]
    assert batched == one_by_one
    assert asyncio.run(engine.check_many(checks[::-1])) == batched[::-1]


def test_a_reason_kept_for_a_route_names_each_check_s_own_institutions(ask):
    """Two sources of one region outside the Hebei document's scope, at one target: the same route, and
    each NO_SHARED_SCOPE names its own source."""
    first = ask("gx-2a", HE_CT, "2026-11-20", "he-1", "2026-11-23")
    second = ask("gx-2a-bis", HE_CT, "2026-11-20", "he-1", "2026-11-23")
    assert reason(first, "NO_SHARED_SCOPE").param("source") == "gx-2a"
    assert reason(second, "NO_SHARED_SCOPE").param("source") == "gx-2a-bis"
    assert first.institution == "gx-2a" and second.institution == "gx-2a-bis"


def test_a_marks_label_by_its_holders_document_and_none_where_no_document_governs(engine):
    """mark_label (the public list of marks, 000 六(四)) by the answers' rule: 003 三(二) prints a Hebei
    holder's JJJ mark 京津冀互认, 001 三、4 a Beijing holder's 京津冀HR; a scope no document governs (Guangxi's
    450000: 000 prints no label, no overlay) has none — asked twice, as the kept labels answer it."""
    for _ in range(2):
        assert engine.mark_label("JJJ", "130104")[1].label == "京津冀互认"
        assert engine.mark_label("JJJ", "110108")[1].label == "京津冀HR"
        assert engine.mark_label("450000", "450102") is None
        assert engine.mark_label("XX", "450102") is None
