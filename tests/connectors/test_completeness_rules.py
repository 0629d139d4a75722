"""Completeness rules of 001 三、2(二) and 003 二(四) as the seed policy files state them (``uploadRules``),
measured on series lists (the end-to-end test reads them from Orthanc)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from connectors import completeness
from connectors.completeness import THICK_MIN_MM, THIN_MAX_MM, SeriesInfo, modality_class
from hub.domain.policy import load_policies
from hub.domain.upload_rules import UploadRules
from hub.domain.vocabulary import ReasonCode

CODE_INCOMPLETE, CODE_UNKNOWN = ReasonCode.INCOMPLETE_IMAGES, ReasonCode.COMPLETENESS_UNKNOWN
RULES = UploadRules.of(load_policies().values())
POLICIES = Path(__file__).resolve().parents[2] / "seeds" / "policies"

ORIG = ("ORIGINAL", "PRIMARY", "AXIAL")


def check(modality, series, *, study_instances=None, rules=RULES):
    return completeness.check(modality, series, rules=rules, study_instances=study_instances)


def unknown(reason, modality, *, rules=RULES):
    return completeness.unknown(reason, modality, rules=rules)


def s(desc: str, thickness: float | None = None, image_type: tuple[str, ...] = ORIG, n: int | None = 10,
      announced: int | None = None, modality: str = "CT") -> SeriesInfo:
    return SeriesInfo(uid=desc, modality=modality, description=desc, slice_thickness=thickness,
                      image_type=image_type, instances=n, announced=announced)


def rules_of(findings: list) -> set[tuple[str, str, str, str]]:
    return {(f.code, f.rule, f.source, f.clause) for f in findings}


def test_complete_ct_has_no_findings() -> None:
    assert check("CT", [s("5mm", 5.0), s("1mm", 1.0), s("Cor", 2.0, ("DERIVED", "SECONDARY", "MPR"))]) == []


def test_ct_missing_thin_series_cites_both_documents() -> None:
    findings = check("CT", [s("5mm", 5.0), s("MIP", 5.0, ("DERIVED", "SECONDARY"))])
    assert rules_of(findings) == {(CODE_INCOMPLETE, "ct.thin", "001", "三、2(二)"),
                               (CODE_INCOMPLETE, "ct.thin", "003", "二(四)")}
    assert "薄层" in findings[0].text and f"≤ {THIN_MAX_MM:g} mm" in findings[0].text


def test_ct_missing_thick_and_postprocessed() -> None:
    found = {f.rule for f in check("CT", [s("1mm", 1.0), s("0.625", 0.625)])}
    assert found == {"ct.thick", "ct.postprocessed"}


def test_ct_postprocessed_by_description_or_secondary() -> None:
    thick_thin = [s("5mm", 5.0), s("1mm", 1.0)]
    assert check("CT", [*thick_thin, s("Sag reformat", 3.0)]) == []
    assert check("CT", [*thick_thin, s("VR bones", None)]) == []
    assert check("CT", [*thick_thin, s("x", None, ("ORIGINAL", "SECONDARY"))]) == []
    assert check("CT", [*thick_thin, s("冠状位重组", 3.0)]) == []
    # "Recon 2" is an original reconstruction, not a post-processed series
    assert {f.rule for f in check("CT", [*thick_thin, s("Recon 2", 3.0)])} == {"ct.postprocessed"}


def test_derived_series_do_not_count_as_thin_originals() -> None:
    found = check("CT", [s("5mm", 5.0), s("MPR 1mm", 1.0, ("DERIVED", "SECONDARY", "MPR"))])
    assert {f.rule for f in found} == {"ct.thin"}


def test_unknown_thickness_is_said() -> None:
    found = check("CT", [s("A", None), s("MPR", None, ("DERIVED", "SECONDARY"))])
    assert {f.rule for f in found} == {"ct.thick", "ct.thin"}
    assert "thickness unknown for 1 series" in found[0].text


def test_thresholds_leave_a_gap() -> None:
    assert THIN_MAX_MM < THICK_MIN_MM
    found = check("CT", [s("2.5", 2.5), s("MPR", 2.5, ("DERIVED", "SECONDARY"))])
    assert {f.rule for f in found} == {"ct.thick", "ct.thin"}


def test_mr_needs_its_sequences() -> None:
    assert check("MR", [s("T1", modality="MR"), s("T2", modality="MR")]) == []
    found = check("MR", [s("T2", modality="MR"), s("T2 MPR", image_type=("DERIVED", "SECONDARY"), modality="MR")])
    assert rules_of(found) == {(CODE_INCOMPLETE, "mr.sequences", "001", "三、2(二)"),
                            (CODE_INCOMPLETE, "mr.sequences", "003", "二(四)")}


@pytest.mark.parametrize("desc", ["TOF 3D MRA", "PWI perfusion", "ep2d_bold fMRI", "颅脑血管成像"])
def test_mr_angio_or_functional_needs_postprocessed(desc: str) -> None:
    found = check("MR", [s(desc, modality="MR"), s("T2", modality="MR")])
    assert {f.rule for f in found} == {"mr.postprocessed"}
    assert check("MR", [s(desc, modality="MR"), s("T2", modality="MR"),
                        s("MIP", image_type=("DERIVED", "SECONDARY"), modality="MR")]) == []


def test_dr_all_images() -> None:
    assert check("DR", [s("PA", n=1, modality="DX")]) == []
    assert {f.rule for f in check("DR", [])} == {"xr.images"}
    assert {f.rule for f in check("DR", [s("PA", n=0, modality="DX")])} == {"xr.images"}
    short = check("DR", [s("PA", n=2, announced=3, modality="DX")])
    assert {f.rule for f in short} == {"xr.count"} and "2 of 3 images" in short[0].text
    assert {f.rule for f in check("DR", [s("PA", n=2, modality="DX")], study_instances=3)} == {"xr.count"}
    assert check("DR", [s("PA", n=2, announced=None, modality="DX")], study_instances=None) == []


def test_gi_contrast_is_a_001_rule_only() -> None:
    assert {f.source for f in check("RF", [])} == {"001"}
    assert {f.source for f in check("MG", [])} == {"001", "003"}


def test_other_modalities_have_no_rule() -> None:
    assert check("US", []) == [] and check(None, []) == []
    assert unknown("timed out", "US") == []


def test_unknown_completeness_is_a_finding() -> None:
    found = unknown("timed out after 2.0 s", "CT")
    assert {(f.code, f.source) for f in found} == {(CODE_UNKNOWN, "001"), (CODE_UNKNOWN, "003")}
    assert "timed out after 2.0 s" in found[0].text


def test_modality_class() -> None:
    assert modality_class(["CT", "SR"]) == "CT"
    assert modality_class(["DX"]) == "DR" and modality_class(["CR", "PR"]) == "DR"
    assert modality_class(["MR", "CT"]) == "CT"
    assert modality_class(["US"]) is None


# ------------------------------------------------------------------------ the rules come from the files
def policies_copy(tmp_path: Path, edits: dict[str, Callable[[dict], None]]) -> UploadRules:
    """The upload rules of a temporary copy of seeds/policies with ``edits`` applied per file name."""
    for path in sorted(POLICIES.glob("*.yaml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        if path.name in edits:
            edits[path.name](raw)
        (tmp_path / path.name).write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return UploadRules.of(load_policies(tmp_path).values())


THIN_MISSING = [s("5mm", 5.0), s("MIP", 5.0, ("DERIVED", "SECONDARY"))]


def test_a_policy_without_upload_rules_is_cited_by_no_finding(tmp_path: Path) -> None:
    rules = policies_copy(tmp_path, {"003.yaml": lambda raw: raw.pop("uploadRules")})
    assert rules.rules and {r.source for r in rules.rules} == {"001"}
    assert rules_of(check("CT", THIN_MISSING, rules=rules)) == {(CODE_INCOMPLETE, "ct.thin", "001", "三、2(二)")}
    assert {f.source for f in check("MR", [s("T2", modality="MR")], rules=rules)} == {"001"}
    assert {f.source for f in check("MG", [], rules=rules)} == {"001"}
    assert {f.source for f in unknown("timed out", "CT", rules=rules)} == {"001"}


def test_no_upload_rules_at_all_no_findings(tmp_path: Path) -> None:
    rules = policies_copy(tmp_path, {name: (lambda raw: raw.pop("uploadRules")) for name in ("001.yaml", "003.yaml")})
    assert rules.rules == ()
    assert check("CT", [], rules=rules) == [] and check("DR", [], rules=rules) == []
    assert unknown("timed out", "MR", rules=rules) == []


def test_the_clause_and_the_modalities_cited_are_the_datas(tmp_path: Path) -> None:
    def edit_003(raw: dict) -> None:
        for rule in raw["uploadRules"]:
            rule["clause"] = "二(四)2"
        raw["uploadRules"][0]["modalities"].append("RF")  # 003 now (fictionally) speaks of GI contrast too

    rules = policies_copy(tmp_path, {"003.yaml": edit_003})
    assert rules_of(check("CT", THIN_MISSING, rules=rules)) == {(CODE_INCOMPLETE, "ct.thin", "001", "三、2(二)"),
                                                               (CODE_INCOMPLETE, "ct.thin", "003", "二(四)2")}
    assert {(f.source, f.clause) for f in check("RF", [], rules=rules)} == {("001", "三、2(二)"), ("003", "二(四)2")}


def test_a_requirement_applies_only_where_a_rule_states_it(tmp_path: Path) -> None:
    """001 without post-processed images for CT: a CT without them is a gap against 003 alone."""
    rules = policies_copy(tmp_path, {"001.yaml": lambda raw: raw["uploadRules"][1]["requires"].remove("postProcessed")})
    found = check("CT", [s("5mm", 5.0), s("1mm", 1.0)], rules=rules)
    assert rules_of(found) == {(CODE_INCOMPLETE, "ct.postprocessed", "003", "二(四)")}


def test_a_gap_is_cited_once_per_document_and_in_requirement_order() -> None:
    found = check("CT", [s("A", None)])
    assert [(f.rule, f.source) for f in found] == [
        ("ct.thick", "001"), ("ct.thick", "003"), ("ct.thin", "001"), ("ct.thin", "003"),
        ("ct.postprocessed", "001"), ("ct.postprocessed", "003")]
    assert [(f.rule, f.source) for f in check("MR", [])] == [("study.no_series", "001"), ("study.no_series", "003")]
