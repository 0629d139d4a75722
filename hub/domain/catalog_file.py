"""The seed catalogs as files: how they are found, and what each one declares about itself.

A new province must need data only.  So no code names a catalog: the catalogs are the files
``seeds/catalogs/*.yaml`` of the seeds directory in use, and each file declares what the code would
otherwise have to know (DESIGN.md "Seed catalog file format"):

* ``kind`` — ``lab`` or ``imaging``: which slot of a policy's ``catalogs`` it fills, and whether the
  crosswalk reads its names as imaging exams or matches them as lab tests;
* ``localPattern`` / ``localFormat`` — how the LOCAL part of a reference ``CATALOG:LOCAL`` may be
  written and its canonical spelling (serial numbers with leading zeros, ``HC-IMG:dr1``, a code without
  its ``-00``); a group named ``code`` marks a *coded* catalog, whose printed code joins items across
  catalogs and tolerates OCR variants;
* ``ocrLetters`` — letters this document's print shows for digits in its codes, beyond the code
  system's own (``codes.ocr_letters`` of the crosswalk vocabulary).

The order of the catalogs is not declared: it follows from the data, by document (``source``), a
document's lab list before its imaging list (ZJ-LAB, ZJ-IMG, BJ-LAB, BJ-IMG, HC-IMG, HE-IMG, CY-IMG).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from hub.domain.seeds import DEFAULT_SEEDS_DIR, catalogs_dir

#: The kinds of list, in the order a document's lists are ranked.
KINDS = ("lab", "imaging")

try:  # libyaml when present: ~1,100 items are read on every start
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader


class CatalogFileError(ValueError):
    """A catalog file that does not declare what the hub needs; the message names file and key."""


@dataclass(frozen=True)
class LocalForm:
    """How the LOCAL of a reference may be written (``pattern``, matched against the upper-cased LOCAL
    without spaces) and how it is spelled canonically (``template``, a ``str.format`` string over the
    pattern's named groups)."""

    pattern: re.Pattern[str]
    template: str
    ocr_letters: Mapping[str, str]

    @property
    def coded(self) -> bool:
        """A catalog that prints codes: a ``code`` group in the pattern."""
        return "code" in self.pattern.groupindex

    def match(self, local: str) -> re.Match[str] | None:
        return self.pattern.fullmatch(local)

    def render(self, match: re.Match[str], **override: str) -> str:
        """The canonical LOCAL from a match of the pattern (``override`` replaces a group's text)."""
        groups = {k: v or "" for k, v in match.groupdict().items()}
        return self.template.format(**{**groups, **override})

    def code_of(self, local: str) -> str | None:
        """The printed code of a canonical LOCAL (a ``@row`` disambiguation dropped); None when the
        catalog prints no codes."""
        if not self.coded:
            return None
        m = self.match(local.split("@", 1)[0])
        return m["code"] if m else None


@dataclass(frozen=True)
class CatalogSpec:
    """What one catalog file says about the catalog, apart from its items."""

    id: str
    name: str
    source: str
    clause: str
    kind: str
    item_count: int
    announced: int | None
    local: LocalForm | None

    @property
    def rank(self) -> tuple[str, int, str]:
        """Sort key of the catalog order: by document, a document's lab list first."""
        return (self.source, KINDS.index(self.kind), self.id)


@dataclass(frozen=True)
class SeedCatalog:
    """One catalog file as read: its declarations and the file's whole content (items, flaws …)."""

    spec: CatalogSpec
    data: Mapping[str, Any]
    path: Path

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def items(self) -> tuple[Mapping[str, Any], ...]:
        return tuple(self.data.get("items") or ())


def _local_form(raw: Mapping[str, Any], path: Path) -> LocalForm | None:
    pattern, template = raw.get("localPattern"), raw.get("localFormat")
    letters = raw.get("ocrLetters") or {}
    if pattern is None:
        if template is not None or letters:
            raise CatalogFileError(f"{path}: localFormat/ocrLetters need a localPattern")
        return None
    if not isinstance(template, str) or not template:
        raise CatalogFileError(f"{path}: localPattern needs a localFormat (the canonical LOCAL from its groups)")
    try:
        rx = re.compile(str(pattern))
    except re.error as exc:
        raise CatalogFileError(f"{path}: localPattern is not a regular expression: {exc}") from None
    unknown = set(re.findall(r"{(\w+)}", template)) - set(rx.groupindex)
    if unknown:
        raise CatalogFileError(f"{path}: localFormat names {', '.join(sorted(unknown))}, not a group of localPattern")
    if not isinstance(letters, Mapping) or not all(isinstance(k, str) and isinstance(v, str) for k, v in letters.items()):
        raise CatalogFileError(f"{path}: ocrLetters must map a letter to the digit it stands for")
    if letters and "code" not in rx.groupindex:
        raise CatalogFileError(f"{path}: ocrLetters apply to codes; localPattern has no `code` group")
    return LocalForm(rx, template, dict(letters))


def parse_catalog(raw: Any, path: Path) -> SeedCatalog:
    """Check a catalog file's declarations; the file name is the catalog id."""
    if not isinstance(raw, Mapping):
        raise CatalogFileError(f"{path}: expected a mapping at the top level")
    for key in ("catalog", "name", "source", "kind", "itemCount"):
        if raw.get(key) is None:
            raise CatalogFileError(f"{path}: missing key {key!r}")
    cid = str(raw["catalog"])
    if cid != path.stem:
        raise CatalogFileError(f"{path}: catalog {cid!r} differs from the file name {path.stem!r}")
    if raw["kind"] not in KINDS:
        raise CatalogFileError(f"{path}: kind {raw['kind']!r} is not one of {', '.join(KINDS)}")
    spec = CatalogSpec(
        id=cid,
        name=str(raw["name"]),
        source=str(raw["source"]),
        clause=str(raw.get("clause", "")),
        kind=str(raw["kind"]),
        item_count=int(raw["itemCount"]),
        announced=raw.get("announced"),
        local=_local_form(raw, path),
    )
    return SeedCatalog(spec, raw, path)


def read_catalog_file(path: Path) -> SeedCatalog:
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise CatalogFileError(f"{path}: {exc}") from None
    return parse_catalog(raw, path)


def read_seed_catalogs(seeds: Path = DEFAULT_SEEDS_DIR) -> dict[str, SeedCatalog]:
    """Every catalog file of the seeds directory, by id, in catalog order."""
    found = [read_catalog_file(p) for p in sorted(catalogs_dir(seeds).glob("*.yaml"))]
    return {c.id: c for c in sorted(found, key=lambda c: c.spec.rank)}
