"""The DICOMweb client against real Orthanc servers: QIDO study/series search, WADO-RS metadata."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from connectors.dicomweb import (
    CredentialsRefused,
    DicomWebClient,
    NotDicomJson,
    NotFound,
    StudyQuery,
    build_url,
    parse_dicom_json,
    query_string,
)
from tests.connectors.conftest import BJ, HE, ISSUER, ON, PATIENT, SINCE, Scenario


def _uids(datasets: list) -> set[str]:
    return {str(ds.StudyInstanceUID) for ds in datasets}


async def test_study_search_by_patient_issuer_and_dates(scenario: Scenario, http_session) -> None:
    client = DicomWebClient(scenario.platform(BJ), http_session)
    found = await client.search_studies(StudyQuery(PATIENT, ISSUER, SINCE, ON))
    u = scenario.uids
    assert _uids(found) == {u["bj_ct"], u["bj_dr"], u["bj_ct_thin_missing"]}  # not 2019, not other issuer
    by_uid = {str(ds.StudyInstanceUID): ds for ds in found}
    ct = by_uid[u["bj_ct"]]
    # every tag named in includefield comes back, Chinese text intact
    assert ct.StudyDescription == "头颅 CT 平扫"
    assert ct.InstitutionName == "北京协和医院"
    assert ct.StudyDate == "20250610"
    assert ct.ModalitiesInStudy == "CT"  # pydicom: a single value is the value, not a list
    assert int(ct.NumberOfStudyRelatedInstances) == 10
    assert ct.IssuerOfPatientID == ISSUER


async def test_study_search_by_modality_and_open_date_range(scenario: Scenario, http_session) -> None:
    client = DicomWebClient(scenario.platform(BJ), http_session)
    ct_only = await client.search_studies(StudyQuery(PATIENT, ISSUER, SINCE, ON, modalities=("CT",)))
    assert _uids(ct_only) == {scenario.uids["bj_ct"], scenario.uids["bj_ct_thin_missing"]}
    several = await client.search_studies(StudyQuery(PATIENT, ISSUER, SINCE, ON, modalities=("MR", "DX")))
    assert _uids(several) == {scenario.uids["bj_dr"]}
    everything = await client.search_studies(StudyQuery(PATIENT, ISSUER, None, ON))
    assert scenario.uids["bj_old"] in _uids(everything)


async def test_study_search_other_patient_finds_nothing(scenario: Scenario, http_session) -> None:
    client = DicomWebClient(scenario.platform(BJ), http_session)
    assert await client.search_studies(StudyQuery("P-100", ISSUER, SINCE, ON)) == []


async def test_series_search_names_completeness_fields(scenario: Scenario, http_session) -> None:
    client = DicomWebClient(scenario.platform(BJ), http_session)
    series = await client.search_series(scenario.uids["bj_ct"])
    got = {str(s.SeriesDescription): (float(s.SliceThickness), list(s.ImageType),
                                      int(s.NumberOfSeriesRelatedInstances), s.Modality) for s in series}
    assert got == {
        "Head 5mm": (5.0, ["ORIGINAL", "PRIMARY", "AXIAL"], 3, "CT"),
        "Head 1mm": (1.0, ["ORIGINAL", "PRIMARY", "AXIAL"], 5, "CT"),
        "MPR Coronal": (2.0, ["DERIVED", "SECONDARY", "MPR"], 2, "CT"),
    }


async def test_metadata_carries_procedure_codes(scenario: Scenario, http_session) -> None:
    client = DicomWebClient(scenario.platform(BJ), http_session)
    study = await client.study_metadata(scenario.uids["bj_ct"])
    assert len(study) == 10
    assert {str(ds.RequestedProcedureCodeSequence[0].CodeValue) for ds in study} == {"B020ZYZZZ-00"}
    series = await client.search_series(scenario.uids["bj_dr"])
    one = await client.series_metadata(scenario.uids["bj_dr"], str(series[0].SeriesInstanceUID))
    assert one[0].ProcedureCodeSequence[0].CodeValue == "BW03ZZZZ1-00"
    assert one[0].InstitutionName == "协和医院"
    assert one[0].PixelData in (b"", None)  # bulk data stays on the server


async def test_unknown_study_metadata_is_not_found(scenario: Scenario, http_session) -> None:
    client = DicomWebClient(scenario.platform(BJ), http_session)
    with pytest.raises(NotFound, match=r"study not found \(HTTP 404\)"):
        await client.study_metadata("1.2.3.4.5")


async def test_basic_auth_from_environment(scenario: Scenario, http_session) -> None:
    he = scenario.platform(HE)
    found = await DicomWebClient(he, http_session).search_studies(StudyQuery(PATIENT, ISSUER, SINCE, ON))
    assert _uids(found) == {scenario.uids["he_mr"], scenario.uids["he_dr_short"]}
    anonymous = dataclasses.replace(he, auth=None)
    with pytest.raises(CredentialsRefused, match=r"credentials refused \(HTTP 401\)"):
        await DicomWebClient(anonymous, http_session).search_studies(StudyQuery(PATIENT, ISSUER))


# --------------------------------------------------------------------------------------------- URLs
def test_query_values_are_encoded_only_when_they_must_be() -> None:
    qs = query_string([("PatientID", "A^B*?,:/@"), ("x", "a b&c=d+e#f%g;h"), ("n", "北")])
    assert qs == "PatientID=A^B*?,:/@&x=a%20b%26c%3Dd%2Be%23f%25g%3Bh&n=%E5%8C%97"


def test_study_url_names_every_includefield_and_keeps_values_raw() -> None:
    q = StudyQuery("P^1", "ISS", dt.date(2024, 1, 1), dt.date(2025, 6, 30), modalities=("CT", "MR"))
    url = build_url("http://h:1/dicom-web/", ["studies"], q.params())
    raw = str(url)
    assert raw.startswith("http://h:1/dicom-web/studies?PatientID=P^1&IssuerOfPatientID=ISS"
                          "&StudyDate=20240101-20250630&ModalitiesInStudy=CT,MR&includefield=")
    for name in ("StudyDescription", "InstitutionName", "ModalitiesInStudy", "NumberOfStudyRelatedInstances"):
        assert f"includefield={name}" in raw
    assert url.raw_path_qs == raw[len("http://h:1"):]  # yarl keeps it as built
    assert "includefield=all" not in raw


def test_open_date_ranges() -> None:
    assert StudyQuery("p", date_to=dt.date(2025, 1, 2)).params()[1] == ("StudyDate", "-20250102")
    assert StudyQuery("p", date_from=dt.date(2025, 1, 2)).params()[1] == ("StudyDate", "20250102-")


def test_query_repr_hides_patient_id() -> None:
    assert "SECRET-ID" not in repr(StudyQuery("SECRET-ID", "ISS"))


# --------------------------------------------------------------------------------------------- parsing
@pytest.mark.parametrize(("body", "ctype", "message"), [
    (b"<html><body>Bad gateway</body></html>", "text/html", r"text/html HTML page, \d+ bytes"),
    (b"", "application/dicom+json", "empty body"),
    (b'{"error": "x"}', "application/json", "got a JSON dict"),
    (b'[{"PatientID": "x"}]', "application/dicom+json", "element 0 is not a DICOM JSON dataset"),
    (b'[{"00100020": {"vr": "LO", "Value": ["x"]}', "application/dicom+json", "starts|bytes"),
])
def test_not_dicom_json(body: bytes, ctype: str, message: str) -> None:
    with pytest.raises(NotDicomJson, match=message) as info:
        parse_dicom_json(body, ctype)
    assert str(info.value).startswith("answer is not DICOM JSON: ")


def test_garbage_is_described_not_quoted() -> None:
    with pytest.raises(NotDicomJson) as info:
        parse_dicom_json(b"<html>no study for PatientID=SECRET-ID</html>", "text/html")
    assert "SECRET-ID" not in str(info.value)
