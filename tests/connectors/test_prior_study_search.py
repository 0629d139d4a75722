"""PriorStudySearch end to end: three real Orthanc platforms (one with basic auth), the Directory port
in memory, completeness from the series the platforms hold."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
import time

import pytest

from connectors.dicomweb import DicomWebClient, StudyQuery
from connectors.fanout import FanOut
from connectors.platforms import Platform
from connectors.service import PriorStudy, PriorStudySearch
from tests.connectors.conftest import BJ, CY, HE, ISSUER, ON, PATIENT, SINCE, MemoryDirectory, Scenario
from tests.connectors.connectors_harness import free_port
from tests.connectors.dicom_synth import SeriesSpec, StudySpec, make_instances


def _by_key(scenario: Scenario, studies: list[PriorStudy]) -> dict[str, PriorStudy]:
    keys = {uid: key for key, uid in scenario.uids.items()}
    return {keys[s.study_instance_uid]: s for s in studies}


async def test_three_platforms(scenario: Scenario, http_session, directory: MemoryDirectory) -> None:
    search = PriorStudySearch(scenario.platforms, directory, http_session)
    result = await search.search(PATIENT, ISSUER, since=SINCE, on=ON)

    assert [(s.id, s.ok, s.error) for s in result.platforms] == [(BJ, True, None), (HE, True, None),
                                                                  (CY, True, None)]
    got = _by_key(scenario, result.studies)
    assert set(got) == {"bj_ct", "bj_dr", "bj_ct_thin_missing", "he_mr", "he_dr_short", "cy_mra"}
    # newest first, each tagged with its platform
    assert [s.performed_on for s in result.studies] == sorted((s.performed_on for s in result.studies),
                                                              reverse=True)
    assert {k: s.platform for k, s in got.items()} == {
        "bj_ct": BJ, "bj_dr": BJ, "bj_ct_thin_missing": BJ, "he_mr": HE, "he_dr_short": HE, "cy_mra": CY}

    ct = got["bj_ct"]
    assert (ct.institution, ct.item, ct.item_basis) == ("bj-xh", "BJ-IMG:B020ZYZZZ-00", "code:B020ZYZZZ-00")
    assert (ct.performed_on.isoformat(), ct.modality, ct.description) == ("2025-06-10", "CT", "头颅 CT 平扫")
    assert ct.completeness == () and ct.unresolved == () and ct.series_count == 3

    dr = got["bj_dr"]  # InstitutionName is an alias; code from ProcedureCodeSequence
    assert (dr.institution, dr.item, dr.modality, dr.modalities) == ("bj-xh", "BJ-IMG:BW03ZZZZ1-00", "DR", ("DX",))
    assert dr.completeness == ()

    thin_missing = got["bj_ct_thin_missing"]  # no code: item from the StudyDescription
    assert (thin_missing.institution, thin_missing.item, thin_missing.item_basis) == (
        "bj-cy", "BJ-IMG:BW23ZYZZZ-00", "description")
    assert {(f.code, f.rule, f.source, f.clause) for f in thin_missing.completeness} == {
        ("INCOMPLETE_IMAGES", "ct.thin", "001", "三、2(二)"), ("INCOMPLETE_IMAGES", "ct.thin", "003", "二(四)")}

    mr = got["he_mr"]
    assert (mr.institution, mr.item, mr.modality, mr.series_count) == ("he-2", "HE-IMG:219", "MR", 4)
    assert mr.completeness == ()

    short = got["he_dr_short"]
    assert short.item == "HE-IMG:2"
    assert {f.rule for f in short.completeness} == {"xr.count"}
    assert "2 of 3 images" in short.completeness[0].text

    mra = got["cy_mra"]
    assert mra.item == "CY-IMG:116" and mra.institution is None
    assert mra.unresolved == ("InstitutionName '重庆某未登记医院' matches no hub institution (name or alias)",)
    assert {f.rule for f in mra.completeness} == {"mr.postprocessed"}


async def test_lookups_are_one_call_per_kind(scenario: Scenario, http_session, directory: MemoryDirectory) -> None:
    await PriorStudySearch(scenario.platforms, directory, http_session).search(PATIENT, ISSUER, SINCE, ON)
    kinds = sorted((kind, region) for kind, region, _ in directory.calls)
    # codes only where studies carry codes (the BJ platform); names only for studies without an item
    assert kinds == [("codes", "110000"), ("institutions", None),
                     ("names", "110000"), ("names", "130000"), ("names", "500000")]


async def test_modality_filter_and_date_range(scenario: Scenario, http_session, directory) -> None:
    search = PriorStudySearch(scenario.platforms, directory, http_session)
    result = await search.search(PATIENT, ISSUER, since=SINCE, on=ON, modalities=["mr"])
    assert set(_by_key(scenario, result.studies)) == {"he_mr", "cy_mra"}
    everything = await search.search(PATIENT, ISSUER, since=None, on=ON)
    assert "bj_old" in _by_key(scenario, everything.studies)


async def test_a_failing_platform_leaves_the_others(scenario: Scenario, http_session, directory) -> None:
    dead = Platform(id="dead", name="dead", region="110000",
                    base_url=f"http://127.0.0.1:{free_port()}/dicom-web", timeout_s=1.0)
    wrong = dataclasses.replace(scenario.platform(HE), auth=None)
    started = time.perf_counter()
    result = await PriorStudySearch([scenario.platform(BJ), wrong, dead], directory,
                                    http_session).search(PATIENT, ISSUER, SINCE, ON)
    assert time.perf_counter() - started < 1.5
    assert [(s.id, s.ok, s.error) for s in result.platforms] == [
        (BJ, True, None), (HE, False, "credentials refused (HTTP 401)"), ("dead", False, "connection refused")]
    assert {s.platform for s in result.studies} == {BJ} and len(result.studies) == 3


async def test_detail_timeout_keeps_found_studies(scenario: Scenario, http_session, directory) -> None:
    """The study search answered, the series calls did not finish in the budget: the studies still come
    back, completeness says it could not be checked, the platform says it timed out."""

    platform = dataclasses.replace(scenario.platform(BJ), timeout_s=0.6)
    search = PriorStudySearch([platform], directory, http_session, fanout=FanOut(http_session))
    original = search._fill

    async def slow_fill(client, draft):  # the platform's series answers arrive too late
        await asyncio.sleep(5)
        await original(client, draft)

    search._fill = slow_fill  # type: ignore[method-assign]
    result = await search.search(PATIENT, ISSUER, SINCE, ON)
    assert result.platforms[0].error == "timed out after 0.6 s"
    assert len(result.studies) == 3
    for study in result.studies:
        assert {f.code for f in study.completeness} == {"COMPLETENESS_UNKNOWN"}
        assert "timed out after 0.6 s" in study.completeness[0].text
        assert study.institution is not None  # InstitutionName came with the study search


async def test_study_removed_between_search_and_detail(scenario: Scenario, http_session, directory,
                                                       victim) -> None:
    """The platform's retention job removes the study after the study search answered: one study's
    problem, not the platform's failure."""
    platform = Platform(id="victim", name="victim", region="110000", base_url=victim.dicomweb)
    search = PriorStudySearch([platform], directory, http_session)
    original = search._fill

    async def remove_then_fill(client, draft):
        victim.delete_study(str(draft.dataset.StudyInstanceUID))
        await original(client, draft)

    search._fill = remove_then_fill  # type: ignore[method-assign]
    result = await search.search(PATIENT, ISSUER, SINCE, ON)
    assert result.platforms[0].ok
    [study] = result.studies
    assert study.series_count == 0 and study.item == "BJ-IMG:B020ZYZZZ-00"
    assert {(f.rule, f.source) for f in study.completeness} == {("study.no_series", "001"),
                                                                ("study.no_series", "003")}


async def test_patient_identifiers_never_logged(scenario: Scenario, http_session, directory, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    dead = Platform(id="dead", name="dead", region="110000",
                    base_url=f"http://127.0.0.1:{free_port()}/dicom-web", timeout_s=1.0)
    await PriorStudySearch([*scenario.platforms, dead], directory, http_session).search(PATIENT, ISSUER, SINCE, ON)
    assert caplog.records  # it did log…
    assert PATIENT not in caplog.text  # …but never the patient id
    assert "s3cret" not in caplog.text
    assert "p:" in caplog.text  # the keyed pseudonym stands in for it
    assert PATIENT not in repr(StudyQuery(PATIENT, ISSUER))


async def test_bad_input_is_refused_before_asking(scenario: Scenario, http_session, directory) -> None:
    search = PriorStudySearch(scenario.platforms, directory, http_session)
    with pytest.raises(ValueError, match="needs a patient id"):
        await search.search("  ", ISSUER)
    with pytest.raises(ValueError, match="is after on"):
        await search.search(PATIENT, ISSUER, since=dt.date(2025, 7, 1), on=dt.date(2025, 6, 30))


async def test_large_metadata_answer_is_read_whole(scenario: Scenario, http_session) -> None:
    """A body bigger than one read chunk (a few hundred kB of DICOM JSON) arrives complete."""
    server = scenario.servers[CY]
    spec = StudySpec("P-BIG", "CT", ON, "北京协和医院", "头颅 CT 平扫",
                     series=[SeriesSpec("Head 0.625mm", 300, 0.625)])
    server.stow(make_instances(spec))
    study = await DicomWebClient(scenario.platform(CY), http_session).study_metadata(spec.study_uid)
    assert len(study) == 300
