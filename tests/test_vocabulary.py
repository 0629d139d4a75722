"""One vocabulary: every reason the hub gives carries a member of ``hub.domain.vocabulary.ReasonCode``.

Not a scan of the source for string literals: the engine is run over the acceptance dataset (seeds/demo
plus tests/acceptance/extra.yaml) — every source at every target, for an item of every catalog, inside and
outside the windows, with every clinical flag set — and each reason it gives must carry a member, not a
string that happens to look like one.  The codes seen must be the whole engine vocabulary, so a member
nothing emits any more (or a path of the engine the dataset no longer reaches) fails too.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from connectors import completeness
from hub.config import Settings
from hub.domain.policy import load_policies
from hub.domain.recognition import Check, ClinicalContext, Reason, Recognition
from hub.domain.upload_rules import UploadRules
from hub.domain.vocabulary import CONTEXT_FLAGS, ReasonCode
from hub.runtime import Runtime
from hub.services.loading import load_into

ROOT = Path(__file__).resolve().parent.parent
DATASET = [ROOT / "seeds/demo/demo.yaml", ROOT / "tests/acceptance/extra.yaml"]
#: an item of every catalog, the marked ones among them, and 颈部 CT 平扫 (kept out of 002's list)
ITEMS = [
    "BJ-IMG:BW23ZYZZZ-00", "BJ-IMG:BW03ZZZZ1-00", "BJ-LAB:0025010101500000000", "HE-IMG:122",
    "ZJ-IMG:BW23ZYZZZ", "ZJ-LAB:1", "CY-IMG:94", "HC-IMG:CT-1",
]
#: codes that priorStudies adds (connectors.completeness), not the engine
PRIOR_STUDIES = {ReasonCode.INCOMPLETE_IMAGES, ReasonCode.COMPLETENESS_UNKNOWN}


@pytest.fixture(scope="module")
async def runtime(tmp_path_factory):
    rt = await Runtime.start(Settings(graph=str(tmp_path_factory.mktemp("vocabulary") / "graph.lbug")))
    await load_into(rt.store, DATASET)
    yield rt
    await rt.close()


def not_members(reasons: list[Reason]) -> list[tuple[str, str]]:
    """The reasons whose code is not a ReasonCode member, as (type, code)."""
    return [(type(r.code).__name__, str(r.code)) for r in reasons if not isinstance(r.code, ReasonCode)]


async def test_every_reason_the_engine_gives_is_a_reason_code_member(runtime):
    on = dt.date(2026, 11, 23)
    rows = await runtime.store.read("q.institutions_page", {
        "region": "", "anyRegion": True, "name": "", "anyName": True, "limit": 1000, "skip": 0})
    ids = sorted(r["id"] for r in rows)
    assert len(ids) >= 20, ids
    every_flag = ClinicalContext(**{flag: True for flag in CONTEXT_FLAGS})
    checks = [
        Check(source, item, performed, target, on, context)
        for source in ids for target in ids for item in ITEMS
        for performed in (on - dt.timedelta(days=12), dt.date(2024, 6, 1))
        for context in (ClinicalContext(), every_flag)
    ]
    results = await runtime.engine.check_many(checks)
    answers = [r for r in results if isinstance(r, Recognition)]
    assert len(answers) == len(checks), [r for r in results if not isinstance(r, Recognition)][:3]
    reasons = [reason for r in answers for reason in r.reasons]
    assert not_members(reasons) == [], "the engine emitted a code that is not a hub.domain.vocabulary.ReasonCode member"
    emitted = {r.code for r in reasons}
    assert emitted == set(ReasonCode) - PRIOR_STUDIES, (
        f"never emitted: {sorted(set(ReasonCode) - PRIOR_STUDIES - emitted)}")


def test_the_check_itself_catches_a_plain_string():
    """The assertion above can fail: a reason made with a string instead of a member is caught."""
    assert not_members([Reason("POLICY", "000", None, "x")]) == [("str", "POLICY")]  # type: ignore[arg-type]
    assert not_members([Reason(ReasonCode.POLICY, "000", None, "x")]) == []


def test_completeness_findings_carry_reason_codes():
    """priorStudies adds completeness findings to the engine's reasons: their codes are members too."""
    rules = UploadRules.of(load_policies().values())  # the seed policies' uploadRules (001, 003)
    findings = (completeness.check("CT", [], rules=rules)
                + completeness.unknown("the platform timed out", "CT", rules=rules))
    assert {ReasonCode(f.code) for f in findings} == PRIOR_STUDIES


def test_tiers_carry_their_level_and_names():
    """One definition of the tiers: the contract's spelling, the level 004 6.2 compares, the Chinese names
    the engine's TIER_RULE text and the dataset refusals print."""
    from hub.domain.model import TIERS
    from hub.domain.vocabulary import Tier

    assert [t.value for t in Tier] == ["3A", "3B", "3", "2A", "2B", "2", "1", "0"]
    assert {t.value: t.level for t in Tier} == {"3A": 3, "3B": 3, "3": 3, "2A": 2, "2B": 2, "2": 2, "1": 1, "0": 0}
    assert {t.level: t.level_name for t in Tier} == {3: "三级", 2: "二级", 1: "一级", 0: "未定级"}
    assert Tier("3A").chinese == "三级甲等" and Tier("0").description == "0 未定级 (not rated, e.g. an independent lab)"
    assert TIERS == {t.value: t.chinese for t in Tier} and all(type(k) is str for k in TIERS)


def test_the_clinical_flags_are_one_list_everywhere():
    """The engine's ClinicalContext, the GraphQL input (and its mapping to the engine) and the policy
    schema's ``flag`` all come from hub.domain.vocabulary.ClinicalFlag."""
    import dataclasses
    import typing

    from hub.domain.policy_file import ExclusionFile
    from hub.domain.vocabulary import ClinicalFlag
    from resolvers import types
    from resolvers.recognition import to_context
    from strawberry.types.base import get_object_definition

    names = [f.value for f in ClinicalFlag]
    assert list(CONTEXT_FLAGS) == names and all(type(n) is str for n in CONTEXT_FLAGS)
    assert [f.name for f in dataclasses.fields(ClinicalContext)] == names
    graphql = get_object_definition(types.ClinicalContext, strict=True)
    assert [(f.python_name, f.description) for f in graphql.fields] == [(f.value, f.description) for f in ClinicalFlag]
    assert list(typing.get_args(ExclusionFile.model_fields["flag"].annotation)) == names
    assert to_context(None) == ClinicalContext() and to_context(types.ClinicalContext()).flags() == []
    for flag in ClinicalFlag:
        assert to_context(types.ClinicalContext(**{flag.value: True})).flags() == [flag.value]
        assert ClinicalContext(**{flag.value: True}).flags() == [flag]
