"""Feature normalisation: what one catalog item's printed name says about the exam.

Seven catalogs print the same exam in different words ("胸部正位DR", "胸部站立后前位摄影", "胸部正位").  The
crosswalk never compares words: it reads each name with the vocabulary into :class:`Features` (modality,
body part, laterality, technique, views, position, qualifiers) and compares those.  A name is read
*completely* or it is marked incomplete with the reason (``problems``) — an unread fragment, two body
parts, a CT/MR item that states no technique — and an incomplete name never joins by its features.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hub.crosswalk.vocabulary import Vocabulary

RADIOGRAPHY = frozenset({"DR", "MG", "RF"})
FEATURE_FIELDS = ("modality", "body_part", "laterality", "contrast", "views", "position", "qualifiers")


@dataclass(frozen=True)
class Features:
    """What the normaliser read from one item's name.  ``problems`` non-empty = incomplete."""

    modality: str | None
    body_part: str | None
    laterality: str | None
    contrast: str | None
    views: tuple[str, ...] | None
    position: str | None = None
    qualifiers: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        return not self.problems

    def key(self) -> tuple:
        return tuple(getattr(self, f) for f in FEATURE_FIELDS)

    def views_text(self) -> str | None:
        return "+".join(self.views) if self.views else None

    def as_dict(self) -> dict[str, Any]:
        """The graph's attribute names (DESIGN.md CatalogItem): views as one '+'-joined string."""
        return {
            "modality": self.modality,
            "bodyPart": self.body_part,
            "laterality": self.laterality,
            "contrast": self.contrast,
            "views": self.views_text(),
            "position": self.position,
            "qualifiers": "+".join(self.qualifiers) if self.qualifiers else None,
        }

    def label(self) -> str:
        parts = [self.modality or "?", self.body_part or "?"]
        for v in (self.laterality, self.contrast, self.views_text(), self.position):
            if v:
                parts.append(v)
        parts.extend(self.qualifiers)
        return " ".join(parts)


def _get(item: Any, key: str, default: Any = None) -> Any:
    if isinstance(item, Mapping):
        return item.get(key, default)
    return getattr(item, key, default)


def _technique(tokens: list[str], voc: Vocabulary) -> tuple[str | None, list[str]]:
    problems: list[str] = []
    toks = set(tokens)
    vessels = toks & {"artery", "vein"}
    toks -= vessels
    angio = [a for a in voc.angiography if a in toks]
    if len(angio) > 1:
        return None, [f"several angiography techniques: {', '.join(angio)}"]
    if angio:
        a = angio[0]
        toks.discard(a)
        if vessels and vessels != {voc.implied_vessel.get(a)}:
            problems.append(f"vessel word ({'/'.join(sorted(vessels))}) disagrees with {a}")
        kept = []
        if "contrast" in toks:
            toks.discard("contrast")
            if a in voc.keeps_contrast:
                kept.append("contrast")
        rest = [t for t in voc.order if t in toks] + sorted(t for t in toks if t not in voc.order)
        return "+".join([a, *kept, *rest]), problems
    if vessels:
        problems.append(f"vessel word ({'/'.join(sorted(vessels))}) without an angiography technique")
    for need, value in voc.combine:
        if need <= toks:
            toks = (toks - need) | {value}
    for k, dropped in voc.absorbs.items():
        if k in toks:
            toks -= set(dropped)
    if voc.contrast_implies_plain and toks & {"contrast", "dynamic_contrast"}:
        toks.add("plain")
    if not toks:
        return None, problems
    ordered = [t for t in voc.order if t in toks] + sorted(t for t in toks if t not in voc.order)
    return "+".join(ordered), problems


def _resolve_body_parts(parts: list[str], voc: Vocabulary) -> tuple[str | None, str | None]:
    """One body part from the body-part words of a name; (value, problem)."""
    uniq = sorted(set(parts))
    if not uniq:
        return None, None
    if len(uniq) == 1:
        return uniq[0], None
    groups = [p for p in uniq if p in voc.groups]
    if len(groups) == 1:
        g = groups[0]
        members = [p for p in uniq if p != g]
        if all(m in voc.groups[g] for m in members):
            # "脊柱（颈椎）" -> c_spine; "四肢小关节（包括肘关节、踝关节、肩关节等）" -> the group
            return (members[0] if len(members) == 1 else g), None
    return None, f"several body parts: {', '.join(uniq)}"


def _single(values: list[str], what: str, problems: list[str]) -> str | None:
    """The one value the name gives (None when it gives none); several different ones are a problem."""
    distinct = sorted(set(values))
    if len(distinct) > 1:
        problems.append(f"several {what}: {', '.join(distinct)}")
        return None
    return distinct[0] if distinct else None


def _matches(cond: Mapping[str, Any], values: Mapping[str, Any]) -> bool:
    for k, want in cond.items():
        have = values.get(k)
        if k == "qualifiers":
            if not set(want or ()) <= set(have or ()):
                return False
        elif k == "views":
            if (tuple(sorted(want)) if want else None) != have:
                return False
        elif have != want:
            return False
    return True


def normalise(item: Any, voc: Vocabulary, *, defaults: bool = True) -> Features:
    """Read one catalog item (a raw YAML item dict or a graph CatalogItem) into its features.

    ``item`` needs ``name`` and ``modality``.  The result is complete (``problems`` empty) only when the
    whole name was read, it names one body part, and a CT/MR item states its technique.  ``defaults``
    False skips the vocabulary's documented conventions (used to read a group item's ``covers`` entries,
    where only what is printed may restrict what is covered).
    """
    name = str(_get(item, "name") or "")
    modality = _get(item, "modality")
    if modality == "LAB":
        return Features("LAB", None, None, None, None)
    tokens, residue = voc.tokenise(name)
    problems: list[str] = []
    if residue:
        problems.append("unread text: " + " | ".join(residue))
    found: dict[str, list[Any]] = defaultdict(list)
    for _term, pairs in tokens:
        for k, v in pairs:
            found[k].append(v)

    name_modalities = set(found["modality"])
    if modality is None:
        if len(name_modalities) == 1:
            modality = next(iter(name_modalities))
        elif name_modalities:
            problems.append(f"several modalities in the name: {', '.join(sorted(name_modalities))}")
    else:
        for m in sorted(name_modalities):
            if m != modality and not (modality == "MG" and m == "DR"):
                problems.append(f"name says {m}, the list says {modality}")

    body_part, problem = _resolve_body_parts(found["body_part"], voc)
    if problem:
        problems.append(problem)

    laterality = _single(found["laterality"], "sides", problems)
    position = _single(found["position"], "positions", problems)

    views: tuple[str, ...] | None = None
    if modality in RADIOGRAPHY:
        vs: set[str] = set()
        for v in found["views"]:
            vs.update(v)
        rename = voc.views_by_modality.get(modality or "", {})
        vs = {rename.get(v, v) for v in vs}
        views = tuple(sorted(vs)) or None

    contrast, tproblems = _technique(found["contrast"], voc)
    problems.extend(tproblems)
    qualifiers = tuple(sorted(set(found["qualifier"])))

    values: dict[str, Any] = {
        "modality": modality, "body_part": body_part, "laterality": laterality, "contrast": contrast,
        "views": views, "position": position, "qualifiers": qualifiers,
    }
    for rule in voc.defaults if defaults else ():
        if set(rule.get("unless_qualifier") or ()) & set(qualifiers):
            continue
        if _matches(rule["when"], values):
            for k, v in rule["set"].items():
                values[k] = tuple(sorted(v)) if k == "views" else v

    if values["body_part"] is None and not any(p.startswith("several body parts") for p in problems):
        problems.append("no body part named")
    if values["modality"] in voc.technique_required and values["contrast"] is None:
        problems.append("technique (平扫/增强/CTA/…) not stated")
    return Features(**values, problems=tuple(problems))


def graph_attributes(item: Any, voc: Vocabulary) -> dict[str, Any]:
    """bodyPart / laterality / contrast / views of one item as the graph stores them (build time).

    At run time prefer :meth:`hub.crosswalk.index.CrosswalkIndex.item_features`, which answers from the
    committed equivalences file and also fills in the features of an OCR-damaged name from the item its
    printed code matches.
    """
    f = normalise(item, voc)
    d = f.as_dict()
    return {k: d[k] for k in ("bodyPart", "laterality", "contrast", "views")}
