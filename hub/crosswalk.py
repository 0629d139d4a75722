"""The catalog crosswalk: the same exam printed with different codes or words in the seven catalogs.

Two halves:

* **Build time** (``python -m hub.crosswalk build``): :func:`normalise` reads every item's printed name
  with the vocabulary (``seeds/crosswalk/vocabulary.yaml``) into :class:`Features`;
  :func:`build_crosswalk` groups the items into equivalence classes and writes the reviewable
  ``seeds/crosswalk/equivalences.yaml`` (classes with per-member evidence, coverage by group items,
  items a catalog names as not recognized, refused code matches, and every unmatched item with its
  reason).  ``python -m hub.crosswalk check`` verifies the committed file is what the code builds.

* **Run time** (:func:`resolve_ref`, :func:`equivalents`, :func:`map_to_catalog`, :func:`item_features`):
  answers from the committed ``equivalences.yaml`` only, read once per process (no rebuild on start).

Matching rules (never a guess):

1. **Code**: a ZJ-IMG and a BJ-IMG item printing the same ICD-10-PCS-like code (BJ without ``-00``)
   are one exam, unless both names are read completely and disagree on a feature (then the pair is
   listed under ``conflicts`` and not joined).  Where a name is not completely readable (OCR), the
   features it does state (modality, side, technique, views) must still agree.
2. **Features**: two completely read items of different catalogs whose features are ALL equal --
   modality, body part, laterality, contrast/technique, view set, position and qualifiers -- are one
   exam.  "Not stated" is a value of its own (a knee without a side is not the left knee), so an item
   is never joined across a laterality, contrast or view difference.  An item whose name leaves text
   unread, names two body parts, or a CT/MR item that states no technique, is *incomplete*: it joins
   by nothing but its printed code and is otherwise listed as unmatched with the reason.
3. **Labs**: only the panel/analyte identities listed in the vocabulary (``lab.same``).

A class holds at most one item per catalog.  Group items (HC-IMG DR-1 with its ``covers:`` list,
"脊柱平扫", "四肢 CT 平扫…") are not equivalences: they *cover* the exams of their group and
:func:`map_to_catalog` falls back to them when the exam has no equivalent in that catalog.

``equivalents(ref)`` returns the class with the asked item FIRST (its canonical ref, so an OCR variant
comes back resolved), then the other members in catalog order; an item without equivalents returns
``[ref]``; an unknown ref returns ``[]``.
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
CROSSWALK_DIR = ROOT / "seeds" / "crosswalk"
VOCABULARY_FILE = CROSSWALK_DIR / "vocabulary.yaml"
EQUIVALENCES_FILE = CROSSWALK_DIR / "equivalences.yaml"
CATALOG_DIR = ROOT / "seeds" / "catalogs"
CATALOG_ORDER = ("ZJ-LAB", "ZJ-IMG", "BJ-LAB", "BJ-IMG", "HC-IMG", "HE-IMG", "CY-IMG")
LAB_CATALOGS = frozenset({"ZJ-LAB", "BJ-LAB"})
RADIOGRAPHY = frozenset({"DR", "MG", "RF"})
FEATURE_FIELDS = ("modality", "body_part", "laterality", "contrast", "views", "position", "qualifiers")

try:  # libyaml when present: the runtime file is read once per process, but faster is nicer
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader


# ============================================================================================ features


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


# ========================================================================================== vocabulary


class Vocabulary:
    """The vocabulary file, compiled for longest-match reading."""

    TABLES = ("modality", "body_part", "laterality", "contrast", "views", "position", "qualifier")

    def __init__(self, data: Mapping[str, Any]):
        self.data = data
        text = data.get("text") or {}
        self.replace: dict[str, str] = dict(text.get("replace") or {})
        self.ignore = [re.compile(x["pattern"]) for x in text.get("ignore") or ()]
        self.terms: dict[str, list[tuple[str, Any]]] = {}
        owner: dict[str, str] = {}

        def add(term: str, table: str, pairs: list[tuple[str, Any]]) -> None:
            key = self.prepare(str(term))
            if key in owner:
                raise ValueError(f"vocabulary: term {term!r} is in both {owner[key]!r} and {table!r}")
            owner[key] = table
            self.terms[key] = pairs

        for table in self.TABLES:
            for term, value in (data.get(table) or {}).items():
                add(term, table, [(table, value)])
        for term, sets in (data.get("compounds") or {}).items():
            add(term, "compounds", [(k, v) for k, v in sets.items()])
        for term in data.get("noise") or ():
            add(term, "noise", [])
        for term in data.get("planes") or ():
            add(term, "planes", [("plane", term)])
        self.max_len = max(len(t) for t in self.terms)
        self.groups: dict[str, frozenset[str]] = {
            g: frozenset(members) for g, members in (data.get("body_part_groups") or {}).items()
        }
        tech = data.get("technique") or {}
        self.angiography: list[str] = list(tech.get("angiography") or ())
        self.implied_vessel: dict[str, str] = dict(tech.get("implied_vessel") or {})
        self.keeps_contrast = frozenset(tech.get("keeps_contrast") or ())
        self.absorbs: dict[str, list[str]] = {k: list(v or ()) for k, v in (tech.get("absorbs") or {}).items()}
        self.combine: list[tuple[frozenset[str], str]] = [
            (frozenset(r["tokens"]), r["value"]) for r in tech.get("combine") or ()
        ]
        self.order: list[str] = list(tech.get("order") or ())
        self.technique_required = frozenset(tech.get("required_for") or ())
        self.contrast_implies_plain = bool(tech.get("contrast_implies_plain", False))
        self.views_by_modality: dict[str, dict[str, str]] = {
            m: dict(v) for m, v in (data.get("views_by_modality") or {}).items()
        }
        self.defaults: list[dict[str, Any]] = list(data.get("defaults") or ())
        lab = data.get("lab") or {}
        self.lab_same: dict[str, tuple[str, str]] = {}
        for entry in lab.get("same") or ():
            for n in entry["names"]:
                self.lab_same[self.lab_key(n)] = (entry["id"], entry.get("evidence", ""))
        self.lab_different: dict[str, str] = {}
        for entry in lab.get("different") or ():
            for n in entry["names"]:
                self.lab_different[self.lab_key(n)] = entry["reason"]
        codes = data.get("codes") or {}
        self.coded_catalogs: tuple[str, ...] = tuple(codes.get("catalogs") or ())
        self.code_suffix: dict[str, str] = dict(codes.get("suffix") or {})
        self.ocr_letters: dict[str, str] = dict(codes.get("ocr_letters") or {"O": "0"})

    # ---------------------------------------------------------------------------------- reading text
    def prepare(self, text: str) -> str:
        for a, b in self.replace.items():
            text = text.replace(a, b)
        return re.sub(r"\s+", "", text).upper()

    def tokenise(self, text: str) -> tuple[list[tuple[str, list[tuple[str, Any]]]], list[str]]:
        """Longest-match reading: (terms found with their feature pairs, unread fragments)."""
        s = self.prepare(text)
        for rx in self.ignore:
            s = rx.sub("", s)
        tokens: list[tuple[str, list[tuple[str, Any]]]] = []
        residue: list[str] = []
        pending = ""
        i = 0
        while i < len(s):
            for n in range(min(self.max_len, len(s) - i), 0, -1):
                term = s[i : i + n]
                if term in self.terms:
                    if pending:
                        residue.append(pending)
                        pending = ""
                    tokens.append((term, self.terms[term]))
                    i += n
                    break
            else:
                pending += s[i]
                i += 1
        if pending:
            residue.append(pending)
        return tokens, residue

    @staticmethod
    def lab_key(name: str) -> str:
        return re.sub(r"\s+", "", name).replace("（", "(").replace("）", ")")


@cache
def vocabulary(path: Path = VOCABULARY_FILE) -> Vocabulary:
    return Vocabulary(yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader))


# ========================================================================================== normaliser


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


def normalise(item: Any, voc: Vocabulary | None = None, *, defaults: bool = True) -> Features:
    """Read one catalog item (a raw YAML item dict or a graph CatalogItem) into its features.

    ``item`` needs ``name`` and ``modality``.  The result is complete (``problems`` empty) only when the
    whole name was read, it names one body part, and a CT/MR item states its technique.  ``defaults``
    False skips the vocabulary's documented conventions (used to read a group item's ``covers`` entries,
    where only what is printed may restrict what is covered).
    """
    voc = voc or vocabulary()
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


def graph_attributes(item: Any) -> dict[str, Any]:
    """bodyPart / laterality / contrast / views of one item as the graph stores them (build time).

    At run time prefer :func:`item_features`, which answers from the committed equivalences file and
    also fills in the features of an OCR-damaged name from the item its printed code matches.
    """
    f = normalise(item)
    d = f.as_dict()
    return {k: d[k] for k in ("bodyPart", "laterality", "contrast", "views")}


# ============================================================================================ crosswalk


@dataclass
class Item:
    ref: str
    catalog: str
    row: Any
    local: str
    name: str
    modality: str | None
    raw: Mapping[str, Any]
    features: Features

    @property
    def order(self) -> tuple:
        row = self.row if isinstance(self.row, int) else 0
        return (CATALOG_ORDER.index(self.catalog) if self.catalog in CATALOG_ORDER else 99, row, self.ref)


@dataclass
class EqClass:
    id: str
    features: Features
    members: list[Item]
    evidence: dict[str, list[str]]


@dataclass
class Crosswalk:
    items: dict[str, Item]
    classes: list[EqClass]
    unmatched: dict[str, list[dict[str, Any]]]
    coverage: list[dict[str, Any]]
    not_recognized: list[dict[str, Any]]
    conflicts: list[dict[str, Any]]
    attributes: dict[str, dict[str, Any]] = field(default_factory=dict)

    def class_of(self, ref: str) -> EqClass | None:
        for c in self.classes:
            if any(m.ref == ref for m in c.members):
                return c
        return None

    def summary(self) -> dict[str, Any]:
        per: dict[str, dict[str, int]] = {}
        matched = {m.ref for c in self.classes for m in c.members}
        covered = {r["ref"] for cov in self.coverage for r in cov["covers"]}
        for it in self.items.values():
            s = per.setdefault(it.catalog, {"items": 0, "matched": 0, "covered_only": 0, "unmatched": 0})
            s["items"] += 1
            if it.ref in matched:
                s["matched"] += 1
            else:
                s["unmatched"] += 1
                if it.ref in covered:
                    s["covered_only"] += 1
        return {
            "classes": len(self.classes),
            "pairs": sum(len(c.members) * (len(c.members) - 1) // 2 for c in self.classes),
            "per_catalog": {c: per[c] for c in CATALOG_ORDER if c in per},
        }

    # ------------------------------------------------------------------------------------- the file
    def to_data(self) -> dict[str, Any]:
        def feat(f: Features) -> dict[str, Any]:
            d = f.as_dict()
            return {k: d[k] for k in ("modality", "bodyPart", "laterality", "contrast", "views", "position", "qualifiers")}

        return {
            "summary": self.summary(),
            "classes": [
                {
                    "id": c.id,
                    "features": feat(c.features),
                    "members": [
                        {"ref": m.ref, "name": m.name, "evidence": "; ".join(c.evidence[m.ref])} for m in c.members
                    ],
                }
                for c in self.classes
            ],
            "coverage": self.coverage,
            "notRecognized": self.not_recognized,
            "conflicts": self.conflicts,
            "unmatched": {c: self.unmatched[c] for c in CATALOG_ORDER if c in self.unmatched},
            "attributes": self.attributes,
        }


def _as_catalogs(catalogs: Any) -> list[tuple[str, list[Mapping[str, Any]]]]:
    """Accept {id: raw YAML dict}, {id: graph.catalogs.CatalogFile}, or a list of raw YAML dicts."""
    out: list[tuple[str, list[Mapping[str, Any]]]] = []
    values = catalogs.values() if isinstance(catalogs, Mapping) else catalogs
    keys = list(catalogs.keys()) if isinstance(catalogs, Mapping) else [None] * len(list(values))
    for key, cat in zip(keys, (catalogs.values() if isinstance(catalogs, Mapping) else catalogs)):
        if isinstance(cat, Mapping):
            cid = cat.get("catalog") or key
            items = list(cat.get("items") or ())
        else:  # graph.catalogs.CatalogFile
            cid = cat.catalog.id
            items = list(cat.raw_items)
        out.append((str(cid), items))
    out.sort(key=lambda x: CATALOG_ORDER.index(x[0]) if x[0] in CATALOG_ORDER else 99)
    return out


def load_catalogs(directory: Path = CATALOG_DIR) -> dict[str, dict[str, Any]]:
    """The raw catalog files present, by id, in the contract's order."""
    out = {}
    for cid in CATALOG_ORDER:
        p = directory / f"{cid}.yaml"
        if p.exists():
            out[cid] = yaml.load(p.read_text(encoding="utf-8"), Loader=_Loader)
    return out


def code_of(catalog: str, local: str, voc: Vocabulary | None = None) -> str | None:
    """The 9-character imaging code of a coded catalog's local id (BJ's '-00' and '@row' removed)."""
    voc = voc or vocabulary()
    if catalog not in voc.coded_catalogs:
        return None
    code = local.split("@", 1)[0]
    suffix = voc.code_suffix.get(catalog, "")
    if suffix and code.endswith(suffix):
        code = code[: -len(suffix)]
    return code


def _compatible(a: Item, b: Item) -> list[str]:
    """Features on which two code-matched items disagree (empty = compatible)."""
    fa, fb = a.features, b.features
    out = []
    for f in FEATURE_FIELDS:
        va, vb = getattr(fa, f), getattr(fb, f)
        if f == "body_part" and not (fa.complete and fb.complete):
            continue  # an unreadable name: the code decides the body part
        known_a = fa.complete or va not in (None, ())
        known_b = fb.complete or vb not in (None, ())
        if known_a and known_b and va != vb:
            out.append(f"{f}: {va!r} vs {vb!r}")
    return out


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _merged_features(members: list[Item]) -> Features:
    complete = [m.features for m in members if m.features.complete]
    if complete:
        return complete[0]
    vals: dict[str, Any] = {}
    for f in FEATURE_FIELDS:
        seen = [getattr(m.features, f) for m in members if getattr(m.features, f) not in (None, ())]
        vals[f] = seen[0] if seen else (() if f == "qualifiers" else None)
    return Features(**vals)


def _class_id(f: Features, taken: set[str]) -> str:
    base = f.label().replace(" ", "/")
    cid, n = base, 2
    while cid in taken:
        cid, n = f"{base}#{n}", n + 1
    taken.add(cid)
    return cid


def build_crosswalk(catalogs: Any = None, voc: Vocabulary | None = None) -> Crosswalk:
    """Group the items of ``catalogs`` (default: seeds/catalogs) into equivalence classes."""
    voc = voc or vocabulary()
    cats = _as_catalogs(load_catalogs() if catalogs is None else catalogs)
    items: dict[str, Item] = {}
    raws: dict[str, Mapping[str, Any]] = {}
    for cid, raw_items in cats:
        for raw in raw_items:
            ref = str(raw["ref"])
            it = Item(ref, cid, raw.get("row"), str(raw.get("local", ref.split(":", 1)[1])), str(raw.get("name", "")),
                      raw.get("modality"), raw, normalise(raw, voc))
            items[ref] = it
            raws[ref] = raw
    ordered = sorted(items.values(), key=lambda i: i.order)
    uf = _UnionFind()
    evidence: dict[str, list[str]] = defaultdict(list)
    conflicts: list[dict[str, Any]] = []
    refused: dict[str, str] = {}

    # 1. printed codes (ZJ-IMG <-> BJ-IMG)
    by_code: dict[str, list[Item]] = defaultdict(list)
    for it in ordered:
        code = code_of(it.catalog, it.local, voc)
        if code:
            by_code[code].append(it)
    for code in sorted(by_code):
        group = by_code[code]
        cats_in = {i.catalog for i in group}
        if len(cats_in) < 2:
            continue
        for a in group:
            for b in group:
                if CATALOG_ORDER.index(a.catalog) >= CATALOG_ORDER.index(b.catalog):
                    continue
                bad = _compatible(a, b)
                if bad:
                    conflicts.append({
                        "code": code, "refs": [a.ref, b.ref], "names": [a.name, b.name],
                        "disagree": bad, "handling": "not joined",
                    })
                    for x, y in ((a, b), (b, a)):
                        refused[x.ref] = f"code {code} is also printed by {y.ref} ({y.name}), but the names disagree ({'; '.join(bad)})"
                    continue
                uf.union(a.ref, b.ref)
                note = "" if (a.features.complete and b.features.complete) else "; name not completely readable, the code decides"
                evidence[a.ref].append(f"code {code} = {b.ref}{note}")
                evidence[b.ref].append(f"code {code} = {a.ref}{note}")

    # 2. equal features (complete imaging items only)
    by_key: dict[tuple, list[Item]] = defaultdict(list)
    for it in ordered:
        if it.catalog in LAB_CATALOGS or not it.features.complete or it.features.body_part in voc.groups:
            continue
        by_key[it.features.key()].append(it)
    duplicates: dict[str, str] = {}
    for key, group in by_key.items():
        per_cat: dict[str, list[Item]] = defaultdict(list)
        for it in group:
            per_cat[it.catalog].append(it)
        for cid, its in per_cat.items():
            if len(its) > 1:
                for it in its:
                    duplicates[it.ref] = ", ".join(o.ref for o in its if o is not it)
        usable = [its[0] for its in per_cat.values() if len(its) == 1]
        if len(usable) < 2:
            continue
        for it in usable[1:]:
            uf.union(usable[0].ref, it.ref)
        for it in usable:
            evidence[it.ref].append("features")

    # 3. labs: explicit identities only
    lab_by_id: dict[str, list[Item]] = defaultdict(list)
    for it in ordered:
        if it.catalog in LAB_CATALOGS:
            hit = voc.lab_same.get(voc.lab_key(it.name))
            if hit:
                lab_by_id[hit[0]].append(it)
    for lab_id, group in lab_by_id.items():
        if len({i.catalog for i in group}) < 2:
            continue
        for it in group[1:]:
            uf.union(group[0].ref, it.ref)
        for it in group:
            evidence[it.ref].append(f"lab identity {lab_id} (vocabulary lab.same)")

    # classes
    comps: dict[str, list[Item]] = defaultdict(list)
    for it in ordered:
        if it.ref in uf.parent:
            comps[uf.find(it.ref)].append(it)
    classes: list[EqClass] = []
    taken: set[str] = set()
    for members in comps.values():
        if len({m.catalog for m in members}) < 2:
            continue
        members.sort(key=lambda i: i.order)
        if len({m.catalog for m in members}) != len(members):  # pragma: no cover - guarded above
            raise AssertionError(f"class with two items of one catalog: {[m.ref for m in members]}")
        f = _merged_features(members)
        if members[0].catalog in LAB_CATALOGS:
            lab_id = voc.lab_same[voc.lab_key(members[0].name)][0]
            f = Features("LAB", lab_id, None, None, None)
        classes.append(EqClass("", f, members, {m.ref: sorted(set(evidence[m.ref])) for m in members}))
    classes.sort(key=lambda c: c.members[0].order)
    for c in classes:
        c.id = _class_id(c.features, taken)
    in_class = {m.ref: c for c in classes for m in c.members}

    # coverage by group items
    coverage, not_recognized = _coverage(ordered, in_class, voc)
    covered_by: dict[str, list[str]] = defaultdict(list)
    for cov in coverage:
        for r in cov["covers"]:
            covered_by[r["ref"]].append(cov["item"])

    # unmatched, with the reason (lab tests: the ZJ-LAB panels that list them, for review)
    lab_panels: dict[str, list[str]] = defaultdict(list)
    for it in ordered:
        if it.catalog == "ZJ-LAB":
            for comp in it.raw.get("components") or ():
                cname = comp if isinstance(comp, str) else comp.get("name", "")
                lab_panels[_lab_test_name(cname)].append(f"{it.ref} {it.name}")
    near_index: dict[tuple, list[Item]] = defaultdict(list)
    for it in ordered:
        if it.features.complete and it.catalog not in LAB_CATALOGS:
            near_index[(it.features.modality, it.features.body_part)].append(it)
    unmatched: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for it in ordered:
        if it.ref in in_class:
            continue
        entry: dict[str, Any] = {"ref": it.ref, "name": it.name}
        f = it.features
        if it.catalog in LAB_CATALOGS:
            diff = voc.lab_different.get(voc.lab_key(it.name))
            comps = it.raw.get("components") or ()
            if diff:
                entry["reason"] = f"not the same test: {diff}"
            elif comps:
                entry["reason"] = (f"a panel of {len(comps)} tests; no other catalog prints the same panel as one item "
                                   "(a panel never equals one of its tests)")
            else:
                entry["reason"] = "no counterpart: no other catalog prints this test as an item of its own"
            panels = lab_panels.get(_lab_test_name(it.name))
            if panels and it.catalog == "BJ-LAB":
                entry["inPanel"] = list(panels)
        elif it.ref in refused:
            entry["reason"] = refused[it.ref]
        elif not f.complete:
            entry["reason"] = "feature unknown: " + "; ".join(f.problems)
        elif f.body_part in voc.groups:
            n = sum(len(c["covers"]) for c in coverage if c["item"] == it.ref)
            entry["reason"] = f"group item ({f.body_part}): not one exam; covers {n} items of other catalogs (see coverage)"
        elif it.ref in duplicates:
            entry["reason"] = f"same features as {duplicates[it.ref]} in the same catalog: not joined"
        else:
            entry["reason"] = "no counterpart with equal features"
            near = []
            for o in near_index[(f.modality, f.body_part)]:
                if o.catalog == it.catalog:
                    continue
                diff = [k for k in FEATURE_FIELDS if getattr(o.features, k) != getattr(f, k)]
                if diff:
                    near.append(f"{o.ref} {o.name} (differs: {', '.join(diff)})")
            if near:
                entry["near"] = near[:4]
        if f.modality != "LAB":
            entry["features"] = f.label()
        if covered_by.get(it.ref):
            entry["coveredBy"] = covered_by[it.ref]
        unmatched[it.catalog].append(entry)

    # the attributes the graph stores, per item (an OCR-damaged name takes its code partner's)
    attributes: dict[str, dict[str, Any]] = {}
    for it in ordered:
        f = it.features
        c = in_class.get(it.ref)
        if not f.complete and c is not None and c.features.modality != "LAB":
            f = c.features
        d = f.as_dict()
        attributes[it.ref] = {k: d[k] for k in ("modality", "bodyPart", "laterality", "contrast", "views")}

    return Crosswalk(items, classes, dict(unmatched), coverage, not_recognized, conflicts, attributes)


def _lab_test_name(name: str) -> str:
    """A lab test's name without its abbreviation, specimen and spacing: '钾 (K)' -> '钾'."""
    n = re.sub(r"\s+", "", name).replace("（", "(").replace("）", ")")
    n = re.sub(r"\([^)\u4e00-\u9fff]*\)", "", n)  # abbreviations go, a specimen (尿液, 脑脊液) stays
    return re.sub(r"^(血清|血浆)", "", n)


def _coverage(
    ordered: list[Item], in_class: Mapping[str, EqClass], voc: Vocabulary
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Group items (covers: lists, body-part groups) and the exams they cover in other catalogs."""
    # exams: a class (all its members) or a complete unmatched item
    exams: list[tuple[Features, list[Item]]] = []
    seen: set[int] = set()
    for it in ordered:
        if it.catalog in LAB_CATALOGS:
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
        if it.catalog in LAB_CATALOGS:
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


# ============================================================================================ the file

HEADER = """\
# GENERATED by `python -m hub.crosswalk build` from seeds/catalogs/*.yaml and seeds/crosswalk/vocabulary.yaml.
# Do not edit by hand: change the vocabulary (or hub/crosswalk.py) and rebuild; `python -m hub.crosswalk check`
# (run by tests/test_crosswalk.py) fails when this file is not what the code builds.
#
# classes:       equivalence classes (the same exam in several catalogs).  `features` are the normalised
#                features every member shares; `evidence` per member: "code X = REF" (the same printed
#                ICD-10-PCS-like code in ZJ-IMG and BJ-IMG), "features" (all normalised features equal),
#                "lab identity" (vocabulary lab.same).
# coverage:      group items (HC-IMG DR-1 `covers:`, 脊柱平扫, 四肢 CT 平扫…) and the exams of other catalogs they
#                cover; map_to_catalog falls back to them when the exam has no equivalent in that catalog.
# notRecognized: exams a catalog names as NOT recognized (HC-IMG CT-4), never mapped into it.
# conflicts:     code matches refused because both names were read and disagree.
# unmatched:     per catalog, every item in no class, with the reason (and near misses: same modality and
#                body part, the features that differ).
# attributes:    per item, the normalised attributes the graph stores (CatalogItem bodyPart/laterality/
#                contrast/views); an OCR-damaged name takes those of the item its printed code matches.
"""


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:  # no &id001 anchors in a file meant for reading
        return True


def render(cw: Crosswalk) -> str:
    body = yaml.dump(cw.to_data(), Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=400, default_flow_style=None)
    return HEADER + body


def build_text() -> str:
    return render(build_crosswalk())


def check(path: Path = EQUIVALENCES_FILE) -> list[str]:
    """Differences between the committed file and a fresh build (empty = up to date)."""
    fresh = build_text()
    if not path.exists():
        return [f"{path} is missing; run `python -m hub.crosswalk build`"]
    committed = path.read_text(encoding="utf-8")
    if committed == fresh:
        return []
    diff = difflib.unified_diff(committed.splitlines(), fresh.splitlines(), "committed", "built", lineterm="", n=1)
    return list(diff)


# ============================================================================================= run time


@dataclass(frozen=True)
class _Index:
    refs: frozenset[str]
    by_upper: Mapping[str, str]
    class_members: Mapping[str, tuple[str, ...]]
    coverage: Mapping[str, Mapping[str, str]]          # catalog -> covered ref -> covering ref
    excluded: Mapping[str, frozenset[str]]             # catalog -> refs it names as not recognized
    attributes: Mapping[str, Mapping[str, Any]]
    variants: Mapping[str, Mapping[str, frozenset[str]]]  # catalog -> variant key -> refs


def _variant_key(code: str, voc: Vocabulary) -> str:
    """OCR-insensitive key of a code: letters read for digits mapped back, every Z dropped."""
    for a, b in voc.ocr_letters.items():
        code = code.replace(a, b)
    return code.replace("Z", "")


@cache
def _index(path: Path = EQUIVALENCES_FILE) -> _Index:
    voc = vocabulary()
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    attributes = data.get("attributes") or {}
    refs = frozenset(attributes)
    members = {}
    for c in data.get("classes") or ():
        ms = tuple(m["ref"] for m in c["members"])
        for r in ms:
            members[r] = ms
    coverage: dict[str, dict[str, str]] = defaultdict(dict)
    for cov in data.get("coverage") or ():
        cat = cov["item"].split(":", 1)[0]
        for r in cov["covers"]:
            coverage[cat].setdefault(r["ref"], cov["item"])
    excluded: dict[str, set[str]] = defaultdict(set)
    for nr in data.get("notRecognized") or ():
        excluded[nr["catalog"]].update(r["ref"] for r in nr["refs"])
    variants: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for ref in refs:
        cat, local = ref.split(":", 1)
        if "@" in local:
            continue  # a disambiguated duplicate (BJ-IMG:…@48): its printed code belongs to the other row
        code = code_of(cat, local, voc)
        if code or cat == "BJ-LAB":
            variants[cat][_variant_key(code or local, voc)].add(ref)
    return _Index(
        refs=refs,
        by_upper={r.upper(): r for r in refs},
        class_members=members,
        coverage={k: dict(v) for k, v in coverage.items()},
        excluded={k: frozenset(v) for k, v in excluded.items()},
        attributes=attributes,
        variants={k: {kk: frozenset(vv) for kk, vv in v.items()} for k, v in variants.items()},
    )


def resolve_ref(ref: str) -> str | None:
    """The canonical ref of an item reference or an OCR variant of it; None when unknown.

    Accepts ``CATALOG:LOCAL`` with any case and spacing, a full-width colon, serial numbers with leading
    zeros (``HE-IMG:005``), ``HC-IMG:dr1``, BJ-IMG codes with or without ``-00``, and for the coded
    catalogs the OCR variants of a printed code: letter O for digit 0 (I for 1) and a lost ``Z``
    (``BJ-IMG:BPONZZZZ7-00`` -> ``BJ-IMG:BP0NZZZZ7-00``, ``BJ-IMG:B030ZYZZ-00`` -> ``BJ-IMG:B030ZYZZZ-00``).
    A variant that could stand for two items resolves to none.
    """
    if not isinstance(ref, str):
        return None
    idx = _index()
    s = re.sub(r"\s+", "", ref.replace("：", ":"))
    if s in idx.refs:
        return s
    if s.upper() in idx.by_upper:
        return idx.by_upper[s.upper()]
    if ":" not in s:
        return None
    cat, local = s.split(":", 1)
    cat = cat.upper()
    local = local.upper()
    if cat not in CATALOG_ORDER or not local:
        return None
    voc = vocabulary()
    if cat in ("HE-IMG", "CY-IMG", "ZJ-LAB"):
        return f"{cat}:{int(local)}" if local.isdigit() and f"{cat}:{int(local)}" in idx.refs else None
    if cat == "HC-IMG":
        m = re.fullmatch(r"(DR|CT|MR|MRI)[-_.]?0*(\d+)", local)
        if not m:
            return None
        cand = f"HC-IMG:{m.group(1)[:2]}-{m.group(2)}"
        return cand if cand in idx.refs else None
    if cat == "BJ-LAB":
        cands = idx.variants.get(cat, {}).get(_variant_key(local.replace("L", "1"), voc), frozenset())
        return next(iter(cands)) if len(cands) == 1 else None
    # coded imaging catalogs
    suffix = voc.code_suffix.get(cat, "")
    code = local
    for sfx in {suffix, "-00"} - {""}:
        if code.endswith(sfx):
            code = code[: -len(sfx)]
    for a, b in voc.ocr_letters.items():
        code = code.replace(a, b)
    exact = f"{cat}:{code}{suffix}"
    if exact in idx.refs:
        return exact
    cands = idx.variants.get(cat, {}).get(_variant_key(code, voc), frozenset())
    # a variant key ignores every Z; accept it only when the printed code lost Zs (never gained or moved one)
    ok = [r for r in cands if _only_lost_z(code, code_of(cat, r.split(":", 1)[1], voc) or "")]
    return ok[0] if len(ok) == 1 else None


def _only_lost_z(printed: str, canonical: str) -> bool:
    """True when ``canonical`` is ``printed`` with one or more Z inserted."""
    if len(canonical) <= len(printed):
        return False
    i = 0
    for ch in canonical:
        if i < len(printed) and printed[i] == ch:
            i += 1
        elif ch != "Z":
            return False
    return i == len(printed)


def equivalents(ref: str) -> list[str]:
    """The item's equivalence class: the (resolved) item FIRST, then the others in catalog order.

    ``[ref]`` when the item has no equivalent; ``[]`` when the ref is unknown.
    """
    r = resolve_ref(ref)
    if r is None:
        return []
    idx = _index()
    return [r, *(m for m in idx.class_members.get(r, ()) if m != r)]


def map_to_catalog(ref: str, catalog_id: str) -> str | None:
    """The same exam in ``catalog_id``: the class member of that catalog, else a group item of that
    catalog covering it (HC-IMG DR-1 …); None when the catalog does not list the exam, names it as not
    recognized, or the ref is unknown.  An item of ``catalog_id`` itself maps to itself."""
    r = resolve_ref(ref)
    if r is None:
        return None
    if r.split(":", 1)[0] == catalog_id:
        return r
    idx = _index()
    if r in idx.excluded.get(catalog_id, frozenset()):
        return None
    for m in idx.class_members.get(r, ()):
        if m.split(":", 1)[0] == catalog_id:
            return m
    return idx.coverage.get(catalog_id, {}).get(r)


def item_features(ref: str) -> dict[str, Any]:
    """modality / bodyPart / laterality / contrast / views of an item (``{}`` when unknown)."""
    r = resolve_ref(ref)
    if r is None:
        return {}
    return dict(_index().attributes.get(r, {}))


def reload() -> None:
    """Forget the cached vocabulary and equivalences (tests, or after `build`)."""
    vocabulary.cache_clear()
    _index.cache_clear()


# ================================================================================================== CLI


def main(argv: Iterable[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m hub.crosswalk", description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build", help="write seeds/crosswalk/equivalences.yaml")
    b.add_argument("--output", type=Path, default=EQUIVALENCES_FILE)
    c = sub.add_parser("check", help="exit 1 when the committed equivalences file is not what the code builds")
    c.add_argument("--file", type=Path, default=EQUIVALENCES_FILE)
    n = sub.add_parser("normalise", help="show how names are read (no catalog needed)")
    n.add_argument("modality", help="DR | MG | CT | MR | RF")
    n.add_argument("names", nargs="+")
    sub.add_parser("summary", help="matched counts per catalog")
    args = p.parse_args(list(argv) if argv is not None else None)

    if args.cmd == "build":
        text = build_text()
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
        reload()
        s = yaml.load(text, Loader=_Loader)["summary"]
        print(f"wrote {args.output}: {s['classes']} classes, {s['pairs']} pairs")
        for cat, v in s["per_catalog"].items():
            print(f"  {cat:7} {v['matched']:4}/{v['items']:<4} matched  ({v['covered_only']} more covered by a group item)")
        return 0
    if args.cmd == "check":
        diff = check(args.file)
        if diff:
            print("\n".join(diff[:200]))
            print(f"{args.file} is out of date: run `python -m hub.crosswalk build`", file=sys.stderr)
            return 1
        print(f"{args.file} is up to date")
        return 0
    if args.cmd == "normalise":
        for name in args.names:
            f = normalise({"name": name, "modality": args.modality})
            print(f"{name}\t{f.label()}\t{'complete' if f.complete else '; '.join(f.problems)}")
        return 0
    if args.cmd == "summary":
        s = build_crosswalk().summary()
        print(yaml.safe_dump(s, allow_unicode=True, sort_keys=False))
        return 0
    return 2  # pragma: no cover


if __name__ == "__main__":
    sys.exit(main())
