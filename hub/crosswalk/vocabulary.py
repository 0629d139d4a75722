"""The crosswalk vocabulary: ``seeds/crosswalk/vocabulary.yaml`` compiled for reading item names.

One vocabulary serves the graph attributes (bodyPart, laterality, contrast, views) and the crosswalk, so
both read a name the same way.  It is data a reviewer edits, not code: terms and the tables they belong
to, how technique words combine, documented defaults, the lab identities.  This module only compiles it
(longest-match lookup, conflicts refused); :mod:`hub.crosswalk.features` reads names with it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from hub.domain.seeds import DEFAULT_SEEDS_DIR, vocabulary_file

try:  # libyaml when present
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader


class Vocabulary:
    """The vocabulary file, compiled for longest-match reading (a term in two tables is refused)."""

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
        # letters OCR reads for digits in any printed code (a catalog file may add its own: ocrLetters)
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


def read_vocabulary(seeds: Path = DEFAULT_SEEDS_DIR) -> Vocabulary:
    """The vocabulary of a seeds directory."""
    return load_vocabulary(vocabulary_file(seeds))


def load_vocabulary(path: Path) -> Vocabulary:
    """The vocabulary in one file."""
    return Vocabulary(yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader))
