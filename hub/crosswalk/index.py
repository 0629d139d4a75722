"""The crosswalk at run time: answers from the committed ``equivalences.yaml``, never a rebuild.

A :class:`CrosswalkIndex` is built once by whoever wires the process (``hub.runtime``, the loader, a test)
from a seeds directory, and handed to what needs it (:class:`graph.items.Items`).  It holds no global
state, so two indexes over two seeds directories live side by side and a test needs no reset.

What it answers:

* :meth:`~CrosswalkIndex.resolve_ref` — the canonical ref of a reference as a person or a platform
  writes it (case, spacing, a full-width colon, leading zeros, ``HC-IMG:dr1``, a code without its
  ``-00``) and of the OCR variants of a printed code (letter O for digit 0, a lost ``Z``).  How a
  catalog's LOCAL may be written is declared by its catalog file (``localPattern`` / ``localFormat``).
* :meth:`~CrosswalkIndex.equivalents` — the item's equivalence class, the asked item FIRST (its
  canonical ref, so an OCR variant comes back resolved), then the others in catalog order; ``[ref]``
  for an item without equivalents, ``[]`` for an unknown ref.
* :meth:`~CrosswalkIndex.map_to_catalog` — the same exam in another catalog: its class member there,
  else a group item covering it (HC-IMG DR-1 …), never an item that catalog names as not recognized.
* :meth:`~CrosswalkIndex.item_features` — the normalised attributes the graph stores.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from hub.crosswalk.vocabulary import Vocabulary, read_vocabulary
from hub.domain.catalog_file import CatalogSpec, LocalForm, read_seed_catalogs
from hub.domain.seeds import DEFAULT_SEEDS_DIR, equivalences_file

try:  # libyaml when present: the artifact is read on every start
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader


def _ascii_digits(text: str) -> str:
    """Full-width (any Unicode decimal) digits as ASCII: ``HE-IMG:００５`` is ``HE-IMG:005``."""
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() and not ch.isascii() else ch for ch in text)


def _read_ocr(code: str, letters: Mapping[str, str]) -> str:
    for letter, digit in letters.items():
        code = code.replace(letter, digit)
    return code


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


class CrosswalkIndex:
    """Lookups over one equivalences file and the catalogs' declarations."""

    def __init__(
        self, artifact: Mapping[str, Any], catalogs: Mapping[str, CatalogSpec], ocr_letters: Mapping[str, str],
        vocabulary: Vocabulary | None = None,
    ) -> None:
        """``artifact``: the parsed equivalences file; ``catalogs``: every catalog by id, in catalog order;
        ``ocr_letters``: the letters OCR reads for digits in any code (vocabulary ``codes.ocr_letters``);
        ``vocabulary``: the one it was read from, kept so that run-time readers of names (the item search,
        hub/services/item_search.py) read a person's words with the same seeds directory's vocabulary."""
        self.vocabulary = vocabulary
        self.catalogs = dict(catalogs)
        self._letters = {cid: {**ocr_letters, **(c.local.ocr_letters if c.local else {})} for cid, c in catalogs.items()}
        self.attributes: Mapping[str, Mapping[str, Any]] = artifact.get("attributes") or {}
        self.refs = frozenset(self.attributes)
        self._by_upper = {r.upper(): r for r in self.refs}
        self._members: dict[str, tuple[str, ...]] = {}
        for c in artifact.get("classes") or ():
            members = tuple(m["ref"] for m in c["members"])
            for r in members:
                self._members[r] = members
        self._coverage: dict[str, dict[str, str]] = defaultdict(dict)  # catalog -> covered ref -> covering ref
        for cov in artifact.get("coverage") or ():
            catalog = cov["item"].split(":", 1)[0]
            for r in cov["covers"]:
                self._coverage[catalog].setdefault(r["ref"], cov["item"])
        self._excluded: dict[str, set[str]] = defaultdict(set)  # catalog -> refs it names as not recognized
        for nr in artifact.get("notRecognized") or ():
            self._excluded[nr["catalog"]].update(r["ref"] for r in nr["refs"])
        self._variants: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        for ref in self.refs:
            catalog, local = ref.split(":", 1)
            form = self._form(catalog)
            if "@" in local or form is None:
                continue  # a disambiguated duplicate (BJ-IMG:…@48): its printed code belongs to the other row
            code = form.code_of(local)
            if code:
                self._variants[catalog][self._variant_key(catalog, code)].add(ref)

    @classmethod
    def from_seeds(
        cls, seeds: Path = DEFAULT_SEEDS_DIR, *, artifact: Path | None = None,
        catalogs: Mapping[str, CatalogSpec] | None = None,
    ) -> CrosswalkIndex:
        """The index of a seeds directory: its catalogs, its vocabulary and its equivalences file
        (``artifact`` to read another one; ``catalogs`` when the caller has read them already)."""
        path = artifact or equivalences_file(seeds)
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
        if catalogs is None:
            catalogs = {cid: c.spec for cid, c in read_seed_catalogs(seeds).items()}
        vocabulary = read_vocabulary(seeds)
        return cls(data, catalogs, vocabulary.ocr_letters, vocabulary)

    # ---------------------------------------------------------------------------------------- lookups
    def resolve_ref(self, ref: Any) -> str | None:
        """The canonical ref of an item reference or an OCR variant of it; None when unknown.

        A variant that could stand for two items resolves to none; a variant key ignores every Z, so a
        code is accepted only when the printed one lost Zs (never gained or moved one).
        """
        if not isinstance(ref, str):
            return None
        s = re.sub(r"\s+", "", ref.replace("：", ":"))
        if s in self.refs:
            return s
        if s.upper() in self._by_upper:
            return self._by_upper[s.upper()]
        if ":" not in s:
            return None
        catalog, local = s.split(":", 1)
        catalog, local = catalog.upper(), _ascii_digits(local.upper())
        form = self._form(catalog)
        match = form.match(local) if form is not None and local else None
        if match is None:
            return None
        if not form.coded:
            candidate = f"{catalog}:{form.render(match)}"
            return candidate if candidate in self.refs else None
        code = _read_ocr(match["code"], self._letters[catalog])
        exact = f"{catalog}:{form.render(match, code=code)}"
        if exact in self.refs:
            return exact
        candidates = self._variants.get(catalog, {}).get(self._variant_key(catalog, code), set())
        ok = [r for r in candidates if _only_lost_z(code, form.code_of(r.split(":", 1)[1]) or "")]
        return ok[0] if len(ok) == 1 else None

    def equivalents(self, ref: str) -> list[str]:
        """The item's equivalence class: the (resolved) item FIRST, then the others in catalog order.

        ``[ref]`` when the item has no equivalent; ``[]`` when the ref is unknown.
        """
        r = self.resolve_ref(ref)
        if r is None:
            return []
        return [r, *(m for m in self._members.get(r, ()) if m != r)]

    def map_to_catalog(self, ref: str, catalog_id: str) -> str | None:
        """The same exam in ``catalog_id``: the class member of that catalog, else a group item of that
        catalog covering it (HC-IMG DR-1 …); None when the catalog does not list the exam, names it as
        not recognized, or the ref is unknown.  An item of ``catalog_id`` itself maps to itself."""
        r = self.resolve_ref(ref)
        if r is None:
            return None
        if r.split(":", 1)[0] == catalog_id:
            return r
        if r in self._excluded.get(catalog_id, ()):
            return None
        for m in self._members.get(r, ()):
            if m.split(":", 1)[0] == catalog_id:
                return m
        return self._coverage.get(catalog_id, {}).get(r)

    def item_features(self, ref: str) -> dict[str, Any]:
        """modality / bodyPart / laterality / contrast / views of an item (``{}`` when unknown)."""
        r = self.resolve_ref(ref)
        if r is None:
            return {}
        return dict(self.attributes.get(r, {}))

    def kind(self, catalog_id: str) -> str | None:
        """``lab`` or ``imaging`` as the catalog file declares; None for an unknown catalog."""
        spec = self.catalogs.get(catalog_id)
        return spec.kind if spec else None

    # ---------------------------------------------------------------------------------------- helpers
    def _form(self, catalog: str) -> LocalForm | None:
        spec = self.catalogs.get(catalog)
        return spec.local if spec else None

    def _variant_key(self, catalog: str, code: str) -> str:
        """OCR-insensitive key of a code: letters read for digits mapped back, every Z dropped."""
        return _read_ocr(code, self._letters[catalog]).replace("Z", "")
