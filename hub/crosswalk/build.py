"""Building the equivalence classes: which items of different catalogs are the same exam.

The catalogs print one exam with different codes and words; the recognition engine must find "the same
exam in the governing catalog".  This module decides that once, at build time, by rules a reviewer can
check item by item (each member of a class carries its evidence, each unmatched item its reason), and
never by a guess:

1. **Code**: items of coded catalogs printing the same code (ZJ-IMG ``BW23ZYZZZ``, BJ-IMG
   ``BW23ZYZZZ-00``) are one exam, unless both names are read completely and disagree on a feature
   (then the pair is listed under ``conflicts`` and not joined).  Where a name is not completely
   readable (OCR), the features it does state (modality, side, technique, views) must still agree.
2. **Features**: two completely read imaging items of different catalogs whose features are ALL equal
   are one exam.  "Not stated" is a value of its own (a knee without a side is not the left knee), so an
   item is never joined across a laterality, contrast or view difference.  Two items of one catalog with
   equal features join nothing.
3. **Labs**: only the panel/analyte identities listed in the vocabulary (``lab.same``).

A class holds at most one item per catalog.  Group items cover rather than join
(:mod:`hub.crosswalk.coverage`).  Which catalogs exist, their order, their kind and their codes come from
the catalog files (:mod:`hub.domain.catalog_file`); nothing here names a catalog.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from hub.crosswalk.coverage import coverage_of
from hub.crosswalk.features import FEATURE_FIELDS, Features, normalise
from hub.crosswalk.model import Crosswalk, EqClass, Item
from hub.crosswalk.vocabulary import Vocabulary
from hub.domain.catalog_file import SeedCatalog


def build_crosswalk(catalogs: Mapping[str, SeedCatalog], voc: Vocabulary) -> Crosswalk:
    """Group the items of ``catalogs`` into equivalence classes, with coverage and every unmatched
    item's reason."""
    ranked = sorted(catalogs.values(), key=lambda c: c.spec.rank)
    items = _items(ranked, voc)
    ordered = sorted(items.values(), key=lambda i: i.order)
    joins = _Joins()
    conflicts, refused = _join_by_code(ordered, joins)
    duplicates = _join_by_features(ordered, voc, joins)
    _join_lab_identities(ordered, voc, joins)
    classes = _classes(ordered, voc, joins)
    in_class = {m.ref: c for c in classes for m in c.members}
    coverage, not_recognized = coverage_of(ordered, in_class, voc)
    unmatched = _unmatched(ordered, in_class, coverage, refused, duplicates, voc)
    return Crosswalk(
        tuple(c.id for c in ranked), items, classes, unmatched, coverage, not_recognized, conflicts,
        _attributes(ordered, in_class),
    )


# --------------------------------------------------------------------------------------------- items


def _items(ranked: list[SeedCatalog], voc: Vocabulary) -> dict[str, Item]:
    items: dict[str, Item] = {}
    for rank, catalog in enumerate(ranked):
        form = catalog.spec.local
        for raw in catalog.items:
            ref = str(raw["ref"])
            local = str(raw.get("local", ref.split(":", 1)[1]))
            items[ref] = Item(
                ref=ref, catalog=catalog.id, rank=rank, lab=catalog.spec.kind == "lab", row=raw.get("row"),
                local=local, name=str(raw.get("name", "")), modality=raw.get("modality"),
                code=form.code_of(local) if form else None, raw=raw, features=normalise(raw, voc),
            )
    return items


class _Joins:
    """Union-find over refs, and the evidence each join leaves on both items."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}
        self.evidence: dict[str, list[str]] = defaultdict(list)

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


# ------------------------------------------------------------------------------------ the three rules


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


def _join_by_code(ordered: list[Item], joins: _Joins) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Rule 1: the same printed code in two catalogs.  Returns the refused pairs (conflicts) and, per
    refused item, why."""
    conflicts: list[dict[str, Any]] = []
    refused: dict[str, str] = {}
    by_code: dict[str, list[Item]] = defaultdict(list)
    for it in ordered:
        if it.code:
            by_code[it.code].append(it)
    for code in sorted(by_code):
        group = by_code[code]
        if len({i.catalog for i in group}) < 2:
            continue
        for a in group:
            for b in group:
                if a.rank >= b.rank:
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
                joins.union(a.ref, b.ref)
                note = "" if (a.features.complete and b.features.complete) else "; name not completely readable, the code decides"
                joins.evidence[a.ref].append(f"code {code} = {b.ref}{note}")
                joins.evidence[b.ref].append(f"code {code} = {a.ref}{note}")
    return conflicts, refused


def _join_by_features(ordered: list[Item], voc: Vocabulary, joins: _Joins) -> dict[str, str]:
    """Rule 2: all features equal (complete imaging items, not group items).  Returns, per item that
    has a twin in its own catalog, the twins (such items join nothing)."""
    by_key: dict[tuple, list[Item]] = defaultdict(list)
    for it in ordered:
        if it.lab or not it.features.complete or it.features.body_part in voc.groups:
            continue
        by_key[it.features.key()].append(it)
    duplicates: dict[str, str] = {}
    for group in by_key.values():
        per_cat: dict[str, list[Item]] = defaultdict(list)
        for it in group:
            per_cat[it.catalog].append(it)
        for its in per_cat.values():
            if len(its) > 1:
                for it in its:
                    duplicates[it.ref] = ", ".join(o.ref for o in its if o is not it)
        usable = [its[0] for its in per_cat.values() if len(its) == 1]
        if len(usable) < 2:
            continue
        for it in usable[1:]:
            joins.union(usable[0].ref, it.ref)
        for it in usable:
            joins.evidence[it.ref].append("features")
    return duplicates


def _join_lab_identities(ordered: list[Item], voc: Vocabulary, joins: _Joins) -> None:
    """Rule 3: lab items the vocabulary names as one test or panel (``lab.same``)."""
    lab_by_id: dict[str, list[Item]] = defaultdict(list)
    for it in ordered:
        if it.lab:
            hit = voc.lab_same.get(voc.lab_key(it.name))
            if hit:
                lab_by_id[hit[0]].append(it)
    for lab_id, group in lab_by_id.items():
        if len({i.catalog for i in group}) < 2:
            continue
        for it in group[1:]:
            joins.union(group[0].ref, it.ref)
        for it in group:
            joins.evidence[it.ref].append(f"lab identity {lab_id} (vocabulary lab.same)")


# ------------------------------------------------------------------------------------------- classes


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


def _classes(ordered: list[Item], voc: Vocabulary, joins: _Joins) -> list[EqClass]:
    """The joined components that span two catalogs or more, in catalog order, each with a readable id."""
    comps: dict[str, list[Item]] = defaultdict(list)
    for it in ordered:
        if it.ref in joins.parent:
            comps[joins.find(it.ref)].append(it)
    classes: list[EqClass] = []
    for members in comps.values():
        if len({m.catalog for m in members}) < 2:
            continue
        members.sort(key=lambda i: i.order)
        if len({m.catalog for m in members}) != len(members):  # pragma: no cover - guarded above
            raise AssertionError(f"class with two items of one catalog: {[m.ref for m in members]}")
        f = _merged_features(members)
        if members[0].lab:
            lab_id = voc.lab_same[voc.lab_key(members[0].name)][0]
            f = Features("LAB", lab_id, None, None, None)
        classes.append(EqClass("", f, members, {m.ref: sorted(set(joins.evidence[m.ref])) for m in members}))
    classes.sort(key=lambda c: c.members[0].order)
    taken: set[str] = set()
    for c in classes:
        c.id = _class_id(c.features, taken)
    return classes


# ----------------------------------------------------------------------------------------- unmatched


def _lab_test_name(name: str) -> str:
    """A lab test's name without its abbreviation, specimen and spacing: '钾 (K)' -> '钾'."""
    n = re.sub(r"\s+", "", name).replace("（", "(").replace("）", ")")
    n = re.sub(r"\([^)\u4e00-\u9fff]*\)", "", n)  # abbreviations go, a specimen (尿液, 脑脊液) stays
    return re.sub(r"^(血清|血浆)", "", n)


def _unmatched(
    ordered: list[Item], in_class: Mapping[str, EqClass], coverage: list[dict[str, Any]],
    refused: Mapping[str, str], duplicates: Mapping[str, str], voc: Vocabulary,
) -> dict[str, list[dict[str, Any]]]:
    """Every item in no class, per catalog, with the reason (and near misses, covering group items, the
    other lists' panels that contain a lab test — for review)."""
    covered_by: dict[str, list[str]] = defaultdict(list)
    for cov in coverage:
        for r in cov["covers"]:
            covered_by[r["ref"]].append(cov["item"])
    panels_of: dict[str, list[tuple[str, str]]] = defaultdict(list)  # test name -> (catalog, panel)
    for it in ordered:
        if it.lab:
            for comp in it.raw.get("components") or ():
                cname = comp if isinstance(comp, str) else comp.get("name", "")
                panels_of[_lab_test_name(cname)].append((it.catalog, f"{it.ref} {it.name}"))
    near_index: dict[tuple, list[Item]] = defaultdict(list)
    for it in ordered:
        if it.features.complete and not it.lab:
            near_index[(it.features.modality, it.features.body_part)].append(it)

    unmatched: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for it in ordered:
        if it.ref in in_class:
            continue
        entry: dict[str, Any] = {"ref": it.ref, "name": it.name}
        f = it.features
        if it.lab:
            diff = voc.lab_different.get(voc.lab_key(it.name))
            components = it.raw.get("components") or ()
            if diff:
                entry["reason"] = f"not the same test: {diff}"
            elif components:
                entry["reason"] = (f"a panel of {len(components)} tests; no other catalog prints the same panel as one item "
                                   "(a panel never equals one of its tests)")
            else:
                entry["reason"] = "no counterpart: no other catalog prints this test as an item of its own"
            panels = [p for cat, p in panels_of.get(_lab_test_name(it.name), ()) if cat != it.catalog]
            if panels:
                entry["inPanel"] = panels
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
    return dict(unmatched)


def _attributes(ordered: list[Item], in_class: Mapping[str, EqClass]) -> dict[str, dict[str, Any]]:
    """The attributes the graph stores, per item (an OCR-damaged name takes its code partner's)."""
    attributes: dict[str, dict[str, Any]] = {}
    for it in ordered:
        f = it.features
        c = in_class.get(it.ref)
        if not f.complete and c is not None and c.features.modality != "LAB":
            f = c.features
        d = f.as_dict()
        attributes[it.ref] = {k: d[k] for k in ("modality", "bodyPart", "laterality", "contrast", "views")}
    return attributes
