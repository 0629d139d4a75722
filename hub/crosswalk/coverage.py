"""Coverage: group items that stand for several exams, and exams a catalog names as not recognized.

HC-IMG DR-1 lists the plain films it recognizes (``covers:``), some lists print one item for a body-part
group ("脊柱平扫", "四肢 CT 平扫…").  Such an item is not *equivalent* to any one exam — joining it would
make its covered exams equivalent to each other — so it is kept apart: it *covers* the exams of other
catalogs that fall inside it, and the index maps into it only when the exam has no equivalent of its
own in that catalog.  An exam the catalog names as not recognized (HC-IMG CT-4, ``notRecognized``) is
never covered.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from hub.crosswalk.features import Features, normalise
from hub.crosswalk.model import EqClass, Item
from hub.crosswalk.vocabulary import Vocabulary


def coverage_of(
    ordered: list[Item], in_class: Mapping[str, EqClass], voc: Vocabulary
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Group items (covers: lists, body-part groups) and the exams they cover in other catalogs."""
    # exams: a class (all its members) or a complete unmatched item
    exams: list[tuple[Features, list[Item]]] = []
    seen: set[int] = set()
    for it in ordered:
        if it.lab:
            continue
        c = in_class.get(it.ref)
        if c is not None:
            if id(c) not in seen:
                seen.add(id(c))
                exams.append((c.features, c.members))
        elif it.features.complete and it.features.body_part not in voc.groups:
            exams.append((it.features, [it]))

    not_recognized: list[dict[str, Any]] = []
    excluded: dict[str, set[str]] = defaultdict(set)
    for it in ordered:
        for text in it.raw.get("notRecognized") or ():
            nf = normalise({"name": text, "modality": it.modality}, voc)
            refs = [
                m for f, ms in exams if f.complete and nf.complete and f.key() == nf.key()
                for m in ms if m.catalog != it.catalog
            ]
            refs.sort(key=lambda m: m.order)
            excluded[it.catalog].update(m.ref for m in refs)
            not_recognized.append({
                "catalog": it.catalog, "item": it.ref, "text": text,
                "clause": it.raw.get("clause"), "features": nf.label(),
                "refs": [{"ref": m.ref, "name": m.name} for m in refs],
            })

    rank = {it.ref: n for n, it in enumerate(ordered)}
    coverage: list[dict[str, Any]] = []
    for it in ordered:
        if it.lab:
            continue
        rules: list[tuple[str, Features]] = []
        if it.raw.get("covers"):
            for entry in it.raw["covers"]:
                rules.append((f"covers: {entry}", normalise({"name": entry, "modality": it.modality}, voc, defaults=False)))
        elif it.features.complete and it.features.body_part in voc.groups:
            rules.append((f"group {it.features.body_part}", it.features))
        if not rules:
            continue
        covers: list[dict[str, Any]] = []
        for f, members in exams:
            if not f.complete or f.modality != it.modality:
                continue
            if any(m.catalog == it.catalog for m in members):
                continue  # it has its own equivalent in this catalog
            for label, rule in rules:
                if rule.body_part is None:
                    continue
                parts = voc.groups.get(rule.body_part, frozenset({rule.body_part}))
                if f.body_part not in parts:
                    continue
                if rule.position and f.position != rule.position:
                    continue
                if not it.raw.get("covers") and f.contrast != rule.contrast:
                    continue
                for m in members:
                    if m.ref in excluded[it.catalog]:
                        continue
                    covers.append({"ref": m.ref, "name": m.name, "rule": label})
                break
        covers.sort(key=lambda r: rank[r["ref"]])
        coverage.append({
            "item": it.ref, "name": it.name,
            "rules": [f"{label} -> {f.label()}" + ("" if f.body_part else " (unreadable, ignored)") for label, f in rules],
            "covers": covers,
        })
    return coverage, not_recognized
