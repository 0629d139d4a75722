"""What the engine promises whatever the document: errors per check, one facts read per batch, order."""

import asyncio
import datetime as dt

import pytest

from hub.domain.recognition import Check, CheckError

CT = "BJ-IMG:BW23ZYZZZ-00"


@pytest.fixture(autouse=True)
def institutions(facts):
    facts.add("a", "3A", "110101", marks=[(CT, "110000", "2024-01-01", None)])
    facts.add("b", "3A", "110108")
    facts.add("sh", "3A", "310101")


def _check(source, at, performed="2026-11-11", on="2026-11-23", item=CT):
    return Check(source, item, dt.date.fromisoformat(performed), at, dt.date.fromisoformat(on))


def test_a_batch_reads_facts_once_and_answers_in_order_with_errors_in_their_slots(engine, facts):
    checks = [_check("a", "b"), _check("nope", "b"), _check("a", "b", item="BJ-IMG:NOPE"),
              _check("a", "b", performed="2026-11-24"), _check("a", "sh")]
    out = asyncio.run(engine.check_many(checks))
    assert facts.calls == 1
    assert out[0].verdict == "RECOGNIZED"
    assert [(e.code, e.value) for e in out[1:4]] == [
        ("UNKNOWN_INSTITUTION", "nope"), ("UNKNOWN_ITEM", "BJ-IMG:NOPE"), ("BAD_INPUT", "2026-11-24")]
    assert all(isinstance(e, CheckError) for e in out[1:4])
    assert [r.code for r in out[4].reasons] == ["NO_POLICY"]  # 上海: no document governs


def test_same_institution(ask):
    r = ask("a", CT, "2026-11-11", "a", "2026-11-23")
    assert r.verdict == "RECOGNIZED"
    assert "SAME_INSTITUTION" in [x.code for x in r.reasons]


def test_every_reason_names_its_document(ask):
    for at in ("b", "sh"):
        r = ask("a", CT, "2026-11-11", at, "2026-11-23")
        assert r.reasons and all(x.source for x in r.reasons)
