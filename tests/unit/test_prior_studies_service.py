"""The prior-studies use case (hub.services.prior_studies) against a fake platform search and the real
engine over an in-memory FactsPort: completeness gaps checked as imagesIncomplete, every finding among
the reasons, studies that cannot be checked carried with their problem, refusals by code."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest

from hub.domain.recognition import Check, ClinicalContext, Reason
from hub.domain.upload_rules import Finding
from hub.domain.vocabulary import ReasonCode
from hub.services.prior_studies import PriorStudiesRefused, prior_studies
from tests.unit.conftest import codes

CT = "BJ-IMG:BW23ZYZZZ-00"
PERFORMED, ON = dt.date(2026, 11, 11), dt.date(2026, 11, 23)
THIN = Finding(ReasonCode.INCOMPLETE_IMAGES, "001", "三、2(二)", "CT without thin-slice images", "ct.thin")
UNKNOWN = Finding(ReasonCode.COMPLETENESS_UNKNOWN, "001", "三、2(二)", "could not be checked (timed out)",
                  "completeness.unknown")


@dataclass(frozen=True)
class Study:
    study_instance_uid: str
    institution: str | None = "city"
    item: str | None = CT
    performed_on: dt.date | None = PERFORMED
    completeness: tuple[Finding, ...] = ()
    unresolved: tuple[str, ...] = ()
    platform: str = "bj-cloud"


@dataclass(frozen=True)
class Status:
    id: str = "bj-cloud"
    ok: bool = True
    error: str | None = None
    latency_ms: float | None = 3.0


@dataclass
class Found:
    studies: list[Study]
    platforms: list[Status] = field(default_factory=lambda: [Status()])


@dataclass
class FakeSearch:
    studies: list[Study]
    asked: list[tuple] = field(default_factory=list)

    async def search(self, patient_id, issuer=None, since=None, on=None):
        if not patient_id.strip():
            raise ValueError("a prior-study search needs a patient id")
        self.asked.append((patient_id, issuer, since, on))
        return Found(self.studies)


@pytest.fixture(autouse=True)
def beijing(facts):
    facts.add("city", "3A", "110108", marks=[(CT, "110000", "2024-01-01", None)])
    facts.add("3b", "3B", "110108")


async def test_findings_decide_the_context_and_join_the_reasons(engine):
    search = FakeSearch([Study("complete"), Study("thin-missing", completeness=(THIN,)),
                         Study("unchecked", completeness=(UNKNOWN,))])
    answer = await prior_studies(search, engine, "P-1", "CN", "3b", None, ON)
    assert search.asked == [("P-1", "CN", None, ON)]
    by_uid = {a.study.study_instance_uid: a for a in answer.studies}
    assert [a.study.study_instance_uid for a in answer.studies] == ["complete", "thin-missing", "unchecked"]

    plain = await engine.check(Check("city", CT, PERFORMED, "3b", ON))
    incomplete = await engine.check(Check("city", CT, PERFORMED, "3b", ON, ClinicalContext(imagesIncomplete=True)))
    assert plain.verdict == "RECOGNIZED" and incomplete.verdict != "RECOGNIZED"

    assert by_uid["complete"].recognition == plain and by_uid["complete"].problem is None
    gap = by_uid["thin-missing"].recognition
    assert gap.verdict == incomplete.verdict and "EXCLUSION_IMAGE_QUALITY" in codes(gap)
    # the finding as data: its measured detail a fact, its rule key the template (seeds/messages/*.yaml)
    assert gap.reasons == (*incomplete.reasons, Reason(
        "INCOMPLETE_IMAGES", "001", "三、2(二)", (("detail", "CT without thin-slice images"),), "ct.thin"))
    # "could not check" is said, but is not a gap: the verdict stands
    unchecked = by_uid["unchecked"].recognition
    assert unchecked.verdict == "RECOGNIZED" and codes(unchecked)[-1] == "COMPLETENESS_UNKNOWN"
    assert [getattr(r, "verdict", None) for r in answer.results] == ["RECOGNIZED", incomplete.verdict, "RECOGNIZED"]
    assert answer.platforms == [Status()]


async def test_studies_that_cannot_be_checked_carry_their_problem(engine):
    search = FakeSearch([Study("no-date", performed_on=None),
                         Study("unresolved", institution=None, unresolved=("no institution named 某医院",)),
                         Study("unknown", institution="nowhere")])
    answer = await prior_studies(search, engine, "P-1", None, "3b", None, ON)
    assert [(a.study.study_instance_uid, a.recognition, a.problem and a.problem[0]) for a in answer.studies] == [
        ("unresolved", None, "UNRESOLVED_STUDY"), ("unknown", None, "UNKNOWN_INSTITUTION")]
    assert answer.studies[0].problem == ("UNRESOLVED_STUDY", "no institution named 某医院")
    assert [getattr(r, "code", None) for r in answer.results] == ["UNKNOWN_INSTITUTION"]


async def test_refusals(engine):
    with pytest.raises(PriorStudiesRefused) as refused:
        await prior_studies(None, engine, "P-1", None, "3b", None, ON)
    assert (refused.value.code, refused.value.argument) == ("NO_PLATFORMS", None)
    assert "区域平台" in refused.value.text("zh") and "--platforms" in refused.value.text("en")
    search = FakeSearch([])
    with pytest.raises(PriorStudiesRefused) as refused:
        await prior_studies(search, engine, "  ", None, "3b", None, ON)
    assert (refused.value.code, refused.value.argument, refused.value.value) == ("BAD_INPUT", "patient.id", "  ")
    assert "患者 ID" in str(refused.value) and "patient id" in refused.value.text("en")
    with pytest.raises(PriorStudiesRefused) as refused:  # the same refusal the platforms' search makes
        await prior_studies(search, engine, "P-1", None, "3b", ON + dt.timedelta(days=1), ON)
    assert (refused.value.code, refused.value.argument) == ("BAD_INPUT", "since")
    assert refused.value.extensions == {"code": "BAD_INPUT", "argument": "since",
                                        "value": (ON + dt.timedelta(days=1)).isoformat()}
    for lang in ("zh", "en"):
        assert (ON + dt.timedelta(days=1)).isoformat() in refused.value.text(lang) and ON.isoformat() in refused.value.text(lang)
    assert search.asked == []  # refused before any platform is asked
