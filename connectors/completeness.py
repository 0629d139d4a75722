"""Image completeness of a study, judged against the upload rules it is given.

What a complete study must show is the documents' and is data: each policy file's ``uploadRules``
(:mod:`hub.domain.upload_rules`; today 001 三、2(二) and 003 二(四)) says, per modality class, which
:class:`~hub.domain.upload_rules.Requirement` s apply, with the clause and the sentence they come from.
:func:`check` measures each requirement that some rule states for the study's class on the series list
the platform shows (series, slice thickness, image type, counts) and cites every rule that states it: a
gap becomes one :class:`Finding` per document and clause, with the policy's ``source`` and ``clause``
from the data.  A class no rule names, or rules from no policy at all, yield no finding.  The findings
let the recognition engine keep the study from ``RECOGNIZED`` outright (the governing document's
image-quality exclusion); this module decides no verdict.

Why the measuring constants below stay here and are not policy data: the documents name no number —
厚层 / 薄层 without millimetres, 各序列 without a count, 后处理 without saying how a platform labels it.
``THIN_MAX_MM``, ``THICK_MIN_MM``, ``MR_MIN_SEQUENCES`` and the regular expressions naming post-processed
and angiography / functional series are our reading of DICOM attributes (SliceThickness, ImageType,
SeriesDescription as vendors write them), the same whichever document asks; in a policy file they would
look like something a document said, and two files could disagree on what "thin" is with no text behind
either.  What is required, and by which clause, comes from the files; how it is seen in DICOM, from here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from pydicom.dataset import Dataset

from hub.domain.upload_rules import Finding, Requirement, UploadRules, cite
from hub.domain.vocabulary import ReasonCode

__all__ = ["Finding", "SeriesInfo", "check", "unknown", "modality_class", "values_of"]

#: Thin-slice series: SliceThickness at or below this (mm).  Thin reconstructions are 0.5–1.5 mm on
#: current scanners; 2 mm leaves room for older ones without admitting the 3 mm "thick" standard.
THIN_MAX_MM = 2.0
#: Thick-slice series: SliceThickness at or above this (mm).  Routine thick reconstructions are 5 mm
#: (sometimes 3 mm); anything between THIN_MAX_MM and this is neither.
THICK_MIN_MM = 3.0
#: An MR study shows "its sequences" with at least this many original series (a single sequence is
#: never a complete MR examination).
MR_MIN_SEQUENCES = 2

#: Series descriptions that name post-processed images (reformats, projections, 3-D renderings).  Not
#: a bare "3D": on MR it names an acquisition (3D TOF), not a post-processing.
POSTPROCESSED = re.compile(
    r"(?<![A-Za-z])(MPR|MIP|MinIP|VR|VRT|SSD|CPR|reformat\w*)(?![A-Za-z])"
    r"|重组|后处理|三维重建|曲面|最大密度投影|容积再现",
    re.IGNORECASE,
)
#: MR series that are angiography or functional imaging (need their post-processed images as well).
MR_ANGIO_FUNCTIONAL = re.compile(
    r"(?<![A-Za-z])(MRA|MRV|TOF|angio\w*|PC[-_ ]?A|CE[-_ ]?MRA|perf\w*|PWI|DSC|DCE|ASL|BOLD|fMRI|DTI|"
    r"DKI|spectro\w*|MRS)(?![A-Za-z])|血管|灌注|功能|波谱|弥散张量",
    re.IGNORECASE,
)

#: DICOM modality → the catalogs' modality vocabulary (CT, MR, DR, MG, RF).
MODALITY_CLASS = {"CT": "CT", "MR": "MR", "DX": "DR", "CR": "DR", "DR": "DR", "MG": "MG", "RF": "RF"}
_CLASS_ORDER = ("CT", "MR", "MG", "RF", "DR")
#: how a study of each class is named in a finding about "all images"
_LABEL = {"DR": "X-ray (X线平片)", "MG": "mammography (乳腺钼靶)", "RF": "GI contrast (胃肠)"}


@dataclass(frozen=True)
class SeriesInfo:
    """What the completeness rules read from one series (QIDO series answer)."""

    uid: str
    modality: str | None
    description: str
    slice_thickness: float | None
    image_type: tuple[str, ...]
    instances: int | None  # NumberOfSeriesRelatedInstances: images present on the platform
    announced: int | None = None  # ImagesInAcquisition, when the modality states it

    @classmethod
    def from_dataset(cls, ds: Dataset) -> SeriesInfo:
        return cls(
            uid=str(ds.get("SeriesInstanceUID", "")),
            modality=str(ds.Modality) if ds.get("Modality") else None,
            description=str(ds.get("SeriesDescription") or ""),
            slice_thickness=_float(ds.get("SliceThickness")),
            image_type=tuple(str(v).upper() for v in values_of(ds.get("ImageType"))),
            instances=_int(ds.get("NumberOfSeriesRelatedInstances")),
            announced=_int(ds.get("ImagesInAcquisition")),
        )

    @property
    def postprocessed(self) -> bool:
        """DERIVED or SECONDARY image type, or a description naming a reformat/projection."""
        derived = bool(self.image_type) and (
            self.image_type[0] == "DERIVED" or (len(self.image_type) > 1 and self.image_type[1] == "SECONDARY")
        )
        return derived or bool(POSTPROCESSED.search(self.description))


def modality_class(modalities: Iterable[str]) -> str | None:
    """The study's class for the rules and the catalogs (``["CT", "SR"]`` → ``"CT"``; DX/CR → ``DR``)."""
    classes = {MODALITY_CLASS[m.upper()] for m in modalities if m and m.upper() in MODALITY_CLASS}
    return next((c for c in _CLASS_ORDER if c in classes), None)


def check(modality: str | None, series: Sequence[SeriesInfo], *, rules: UploadRules,
          study_instances: int | None = None) -> list[Finding]:
    """Findings for a study of class ``modality`` (see :func:`modality_class`) with these series, against
    ``rules`` (the upload rules of every policy that states some: ``UploadRules.of(policies.values())``).

    ``study_instances`` is the study's NumberOfStudyRelatedInstances, compared with the series' sum
    for the classes whose rule is "all images".  Findings come in :class:`Requirement` order, each gap
    cited once per document and clause, in the policies' order.
    """
    required = rules.required(modality)
    if not required:
        return []
    if not series and Requirement.ALL_IMAGES not in required:
        return cite(rules.for_modality(modality), ReasonCode.INCOMPLETE_IMAGES, "study.no_series",
                    "the platform lists no series for this study (images not uploaded, or removed)")
    out: list[Finding] = []
    for requirement, stating in required.items():
        gap = _MEASURES[requirement](str(modality), series, study_instances)
        if gap is not None:
            rule, text = gap
            out += cite(stating, ReasonCode.INCOMPLETE_IMAGES, rule, text)
    return out


def unknown(reason: str, modality: str | None, *, rules: UploadRules) -> list[Finding]:
    """The series could not be read: completeness cannot be confirmed, which is itself a finding (cited
    against every rule that speaks of the study's class)."""
    return cite(rules.for_modality(modality), ReasonCode.COMPLETENESS_UNKNOWN, "completeness.unknown",
                f"image completeness could not be checked ({reason})")


# --------------------------------------------------------------------------------------------- measures
#: a requirement measured on a study of class ``modality``: ``(rule key, what is missing)`` or None
Gap = tuple[str, str] | None


def _key(modality: str, what: str) -> str:
    return f"{modality.lower() if modality in ('CT', 'MR') else 'xr'}.{what}"


def _thickness_note(series: Sequence[SeriesInfo]) -> str:
    unknown_thickness = sum(1 for s in series if not s.postprocessed and s.slice_thickness is None)
    return f"; slice thickness unknown for {unknown_thickness} series" if unknown_thickness else ""


def _thick(modality: str, series: Sequence[SeriesInfo], _total: int | None) -> Gap:
    if any(not s.postprocessed and s.slice_thickness is not None and s.slice_thickness >= THICK_MIN_MM
           for s in series):
        return None
    return _key(modality, "thick"), (
        f"{modality} without thick-slice images (厚层图像): no original series with SliceThickness "
        f"≥ {THICK_MIN_MM:g} mm{_thickness_note(series)}")


def _thin(modality: str, series: Sequence[SeriesInfo], _total: int | None) -> Gap:
    if any(not s.postprocessed and s.slice_thickness is not None and s.slice_thickness <= THIN_MAX_MM
           for s in series):
        return None
    return _key(modality, "thin"), (
        f"{modality} without thin-slice images (薄层图像): no original series with SliceThickness "
        f"≤ {THIN_MAX_MM:g} mm{_thickness_note(series)}")


def _postprocessed(modality: str, series: Sequence[SeriesInfo], _total: int | None) -> Gap:
    if any(s.postprocessed for s in series):
        return None
    return _key(modality, "postprocessed"), (
        f"{modality} without post-processed images (后处理图像): no DERIVED/SECONDARY series and no "
        "series described as MPR/MIP/VR/reformat")


def _sequences(modality: str, series: Sequence[SeriesInfo], _total: int | None) -> Gap:
    originals = sum(1 for s in series if not s.postprocessed)
    if originals >= MR_MIN_SEQUENCES:
        return None
    return _key(modality, "sequences"), (
        f"{modality} with {originals} original series: its sequences (各序列图像) are not all "
        f"uploaded (at least {MR_MIN_SEQUENCES} expected)")


def _angio_functional(modality: str, series: Sequence[SeriesInfo], _total: int | None) -> Gap:
    special = [s for s in series if not s.postprocessed and MR_ANGIO_FUNCTIONAL.search(s.description)]
    if not special or any(s.postprocessed for s in series):
        return None
    names = ", ".join(sorted({s.description for s in special}))[:120]
    return _key(modality, "postprocessed"), (
        f"{modality} angiography/functional sequences ({names}) without their post-processed images "
        "(后处理生成的图像)")


def _all_images(modality: str, series: Sequence[SeriesInfo], study_instances: int | None) -> Gap:
    label = _LABEL.get(modality, modality)
    present = [s.instances for s in series if s.instances is not None]
    total = sum(present) if len(present) == len(series) else None
    if not series or total == 0:
        return _key(modality, "images"), f"{label} study with no images on the platform"
    gaps = [f"series {s.description or s.uid}: {s.instances} of {s.announced} images"
            for s in series if s.announced is not None and s.instances is not None and s.instances < s.announced]
    if study_instances is not None and total is not None and total < study_instances:
        gaps.append(f"study announces {study_instances} images, series hold {total}")
    if gaps:
        return _key(modality, "count"), f"{label}: not all images uploaded (所有图像) — " + "; ".join(gaps)[:200]
    return None


_MEASURES: dict[Requirement, Callable[[str, Sequence[SeriesInfo], int | None], Gap]] = {
    Requirement.ALL_IMAGES: _all_images,
    Requirement.THICK_SLICES: _thick,
    Requirement.THIN_SLICES: _thin,
    Requirement.POST_PROCESSED: _postprocessed,
    Requirement.SEQUENCES: _sequences,
    Requirement.ANGIO_FUNCTIONAL_POST_PROCESSED: _angio_functional,
}


# --------------------------------------------------------------------------------------------- values
def values_of(value: object) -> list[object]:
    """A DICOM element's value as a list: the values of a multi-valued one, one value, or none."""
    if value is None or value == "":
        return []
    if isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
        return list(value)
    return [value]


def _float(value: object) -> float | None:
    try:
        return float(value) if value not in (None, "") else None  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _int(value: object) -> int | None:
    try:
        return int(value) if value not in (None, "") else None  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
