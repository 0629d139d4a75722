"""Upload rules: what an uploaded imaging study must show to be shared, as the documents state it.

Two documents say it, each per kind of examination (001 三、2(二); 003 二(四)): plain films, GI contrast
and mammography — all their images; CT — thick and thin slices and the post-processed images; MR — every
sequence acquired, and for angiography / functional sequences the post-processed images as well.  A policy
file writes them under ``uploadRules`` (schema: :class:`hub.domain.policy_file.UploadRuleFile`), one entry
per sentence of the document, each with its clause, the sentence quoted exactly, the modality classes it
speaks of and what it requires (:class:`Requirement`).  A policy without ``uploadRules`` requires nothing.

This module holds the rules as data and the :class:`Finding` a gap against one becomes; it does not read
DICOM.  How a requirement is *measured* on a platform's series list (what slice thickness is "thin", which
series descriptions name a reformat) is the connectors' business (:mod:`connectors.completeness`) — the
documents give no numbers, so those thresholds are our reading of DICOM attributes, not the documents'.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any, Protocol

#: The modality classes an upload rule can speak of: the catalogs' imaging vocabulary (DR plain film,
#: CT, MR, MG mammography, RF GI contrast); :func:`connectors.completeness.modality_class` maps DICOM's.
MODALITIES: tuple[str, ...] = ("CT", "MR", "DR", "MG", "RF")


class Requirement(str, Enum):
    """What a complete study must show; the order is the order findings are reported in."""

    ALL_IMAGES = "allImages"  # 所有图像 (均需上传)
    THICK_SLICES = "thickSlices"  # 厚层图像
    THIN_SLICES = "thinSlices"  # 薄层图像
    POST_PROCESSED = "postProcessed"  # besides the originals, 相应的后处理生成的影像
    SEQUENCES = "sequences"  # 检查时生成的各序列影像
    #: 血管成像、功能性成像等序列: their originals and 相应的后处理生成的影像
    ANGIO_FUNCTIONAL_POST_PROCESSED = "angioFunctionalPostProcessed"


@dataclass(frozen=True)
class UploadRule:
    """One sentence of one document: studies of ``modalities`` must show ``requires``."""

    source: str  # the document (policy file ``source``), what a finding cites
    clause: str
    text: str  # the document's words, quoted exactly
    modalities: tuple[str, ...]
    requires: tuple[Requirement, ...]


@dataclass(frozen=True)
class Finding:
    """One gap against one document's upload rule (shaped like the engine's ``Reason``)."""

    code: str
    source: str
    clause: str
    text: str
    rule: str  # machine key of the check, e.g. "ct.thin"


def from_entries(source: str, entries: Iterable[Mapping[str, Any]]) -> tuple[UploadRule, ...]:
    """The rules of one policy file's ``uploadRules`` entries (already checked against the schema)."""
    return tuple(
        UploadRule(source=str(source), clause=str(e["clause"]), text=str(e["text"]),
                   modalities=tuple(str(m) for m in e["modalities"]),
                   requires=tuple(Requirement(r) for r in e["requires"]))
        for e in entries
    )


class _HasUploadRules(Protocol):
    upload_rules: tuple[UploadRule, ...]


@dataclass(frozen=True)
class UploadRules:
    """The upload rules of every policy that states some, in the policies' order."""

    rules: tuple[UploadRule, ...] = ()

    @classmethod
    def of(cls, policies: Iterable[_HasUploadRules]) -> UploadRules:
        return cls(tuple(rule for policy in policies for rule in policy.upload_rules))

    def for_modality(self, modality: str | None) -> tuple[UploadRule, ...]:
        """The rules that speak of studies of this class (none for a class no document names)."""
        return tuple(r for r in self.rules if modality in r.modalities)

    def required(self, modality: str | None) -> dict[Requirement, tuple[UploadRule, ...]]:
        """For a study of this class: each requirement (in :class:`Requirement` order) and the rules
        that state it."""
        rules = self.for_modality(modality)
        return {req: covering for req in Requirement
                if (covering := tuple(r for r in rules if req in r.requires))}


def cite(rules: Iterable[UploadRule], code: str, rule: str, text: str) -> list[Finding]:
    """The same gap as one finding per document and clause among ``rules`` (each cited once)."""
    out: list[Finding] = []
    seen: set[tuple[str, str]] = set()
    for r in rules:
        if (r.source, r.clause) not in seen:
            seen.add((r.source, r.clause))
            out.append(Finding(code, r.source, r.clause, text, rule))
    return out
