"""Image completeness of a study under the documents' upload rules.

Two documents say what an uploaded imaging study must contain to be shared:

* 001 三、2(二): X线平片、胃肠及乳腺钼靶 — all images; CT — 厚层及薄层图像 and, besides the originals,
  the post-processed images; MR — every sequence acquired, and for angiography / functional sequences
  the post-processed images too.
* 003 二(四): X线平片和乳腺钼靶 — all images of acceptable quality; CT — 厚层图像、薄层图像与相应的后处理生成的图像;
  MRI — 各序列图像; 血管成像、功能性成像等序列 — originals and post-processed images.

A study that misses them has insufficient images / method, which every document lists as a reason not
to recognise it; so each gap becomes a :class:`Finding` (one per document that states the rule) that
the recognition engine can cite to keep the study from ``RECOGNIZED`` outright.  This module only
judges what the platform shows (series list, thickness, image type, counts); it decides no verdict.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pydicom.dataset import Dataset

#: Thin-slice series: SliceThickness at or below this (mm).  Thin reconstructions are 0.5–1.5 mm on
#: current scanners; 2 mm leaves room for older ones without admitting the 3 mm "thick" standard.
THIN_MAX_MM = 2.0
#: Thick-slice series: SliceThickness at or above this (mm).  Routine thick reconstructions are 5 mm
#: (sometimes 3 mm); anything between THIN_MAX_MM and this is neither.
THICK_MIN_MM = 3.0
#: An MR study shows "its sequences" with at least this many original series (a single sequence is
#: never a complete MR examination).
MR_MIN_SEQUENCES = 2

CODE_INCOMPLETE = "INCOMPLETE_IMAGES"
CODE_UNKNOWN = "COMPLETENESS_UNKNOWN"

RULE_001 = ("001", "三、2(二)")
RULE_003 = ("003", "二(四)")

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


@dataclass(frozen=True)
class Finding:
    """One gap against one document's upload rule (shaped like the engine's ``Reason``)."""

    code: str
    source: str
    clause: str
    text: str
    rule: str  # machine key of the check, e.g. "ct.thin"


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


def check(modality: str | None, series: Sequence[SeriesInfo], *,
          study_instances: int | None = None) -> list[Finding]:
    """Findings for a study of class ``modality`` (see :func:`modality_class`) with these series.

    ``study_instances`` is the study's NumberOfStudyRelatedInstances, compared with the series' sum
    for the modalities whose rule is "all images".
    """
    if modality in ("CT", "MR") and not series:
        return _both(CODE_INCOMPLETE, "study.no_series",
                     "the platform lists no series for this study (images not uploaded, or removed)", modality)
    if modality == "CT":
        return _ct(series)
    if modality == "MR":
        return _mr(series)
    if modality in ("DR", "MG", "RF"):
        return _all_images(modality, series, study_instances)
    return []


def unknown(reason: str, modality: str | None) -> list[Finding]:
    """The series could not be read: completeness cannot be confirmed, which is itself a finding."""
    if modality not in ("CT", "MR", "DR", "MG", "RF"):
        return []
    return _both(CODE_UNKNOWN, "completeness.unknown",
                 f"image completeness could not be checked ({reason})", modality)


# --------------------------------------------------------------------------------------------- rules
def _ct(series: Sequence[SeriesInfo]) -> list[Finding]:
    originals = [s for s in series if not s.postprocessed]
    thick = [s for s in originals if s.slice_thickness is not None and s.slice_thickness >= THICK_MIN_MM]
    thin = [s for s in originals if s.slice_thickness is not None and s.slice_thickness <= THIN_MAX_MM]
    unknown_thickness = sum(1 for s in originals if s.slice_thickness is None)
    note = f"; slice thickness unknown for {unknown_thickness} series" if unknown_thickness else ""
    out: list[Finding] = []
    if not thick:
        out += _both(CODE_INCOMPLETE, "ct.thick",
                     f"CT without thick-slice images (厚层图像): no original series with SliceThickness "
                     f"≥ {THICK_MIN_MM:g} mm{note}", "CT")
    if not thin:
        out += _both(CODE_INCOMPLETE, "ct.thin",
                     f"CT without thin-slice images (薄层图像): no original series with SliceThickness "
                     f"≤ {THIN_MAX_MM:g} mm{note}", "CT")
    if not any(s.postprocessed for s in series):
        out += _both(CODE_INCOMPLETE, "ct.postprocessed",
                     "CT without post-processed images (后处理图像): no DERIVED/SECONDARY series and no "
                     "series described as MPR/MIP/VR/reformat", "CT")
    return out


def _mr(series: Sequence[SeriesInfo]) -> list[Finding]:
    originals = [s for s in series if not s.postprocessed]
    out: list[Finding] = []
    if len(originals) < MR_MIN_SEQUENCES:
        out += _both(CODE_INCOMPLETE, "mr.sequences",
                     f"MR with {len(originals)} original series: its sequences (各序列图像) are not all "
                     f"uploaded (at least {MR_MIN_SEQUENCES} expected)", "MR")
    special = [s for s in originals if MR_ANGIO_FUNCTIONAL.search(s.description)]
    if special and not any(s.postprocessed for s in series):
        names = ", ".join(sorted({s.description for s in special}))[:120]
        out += _both(CODE_INCOMPLETE, "mr.postprocessed",
                     f"MR angiography/functional sequences ({names}) without their post-processed images "
                     "(后处理生成的图像)", "MR")
    return out


def _all_images(modality: str, series: Sequence[SeriesInfo], study_instances: int | None) -> list[Finding]:
    label = {"DR": "X-ray (X线平片)", "MG": "mammography (乳腺钼靶)", "RF": "GI contrast (胃肠)"}[modality]
    present = [s.instances for s in series if s.instances is not None]
    total = sum(present) if len(present) == len(series) else None
    if not series or total == 0:
        return _both(CODE_INCOMPLETE, "xr.images", f"{label} study with no images on the platform", modality)
    gaps = [f"series {s.description or s.uid}: {s.instances} of {s.announced} images"
            for s in series if s.announced is not None and s.instances is not None and s.instances < s.announced]
    if study_instances is not None and total is not None and total < study_instances:
        gaps.append(f"study announces {study_instances} images, series hold {total}")
    if gaps:
        return _both(CODE_INCOMPLETE, "xr.count",
                     f"{label}: not all images uploaded (所有图像) — " + "; ".join(gaps)[:200], modality)
    return []


def _both(code: str, rule: str, text: str, modality: str) -> list[Finding]:
    """The same gap cited against each document whose rule covers this modality (RF: only 001)."""
    sources = [RULE_001] if modality == "RF" else [RULE_001, RULE_003]
    return [Finding(code, source, clause, text, rule) for source, clause in sources]


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
