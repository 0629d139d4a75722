"""Study → hub institution and catalog item (CONTRACT.md, "Regional platforms").

* **Institution**: the hub institution whose ``name`` or one of whose ``aliases`` equals the study's
  DICOM InstitutionName.
* **Item**: a procedure code of the study (RequestedProcedureCodeSequence, then ProcedureCodeSequence,
  CodeValue) equal to a local code of the catalog of the platform's region; else the study's
  StudyDescription when it names an item of that catalog.

The lookups go through :class:`Directory`, a port the graph store implements; this module only decides
the order and what counts as unresolved.  Lookups are **batched**: one call per kind (and per region)
for all the studies of a search, never one per study — a search may return dozens of studies and the
store is a network hop away (Neo4j) or a thread hop (LadybugDB).

A lookup that finds several candidates is *ambiguous*, not a pick: the port returns every match, and
the study stays unresolved with a reason naming the candidates (e.g. 001 prints one code for two items).
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Protocol


class Directory(Protocol):
    """What the mapping needs from the hub's graph.  Every method answers for a whole batch.

    Each returns ``{asked value: [matching refs…]}``; a value with no match may be absent or map to
    ``[]``.  Several refs for one value means the value is ambiguous.
    """

    async def institutions_by_names(self, names: Collection[str]) -> dict[str, list[str]]:
        """InstitutionName → ids of institutions whose ``name`` or an alias equals it."""
        ...

    async def items_by_codes(self, region: str, codes: Collection[str]) -> dict[str, list[str]]:
        """Procedure CodeValue → refs of items (``CATALOG:LOCAL``) of the imaging catalog that governs
        ``region`` whose local code equals it (OCR variants resolve to the corrected code)."""
        ...

    async def items_by_names(self, region: str, names: Collection[str]) -> dict[str, list[str]]:
        """StudyDescription → refs of items of ``region``'s imaging catalog that it names (equal to the
        item's name, compared the way the directory normalises names)."""
        ...


@dataclass(frozen=True)
class StudyFacts:
    """What the mapping reads from one study."""

    region: str  # the platform's region (selects the catalog)
    institution_name: str | None
    codes: tuple[str, ...]  # Requested… first, then ProcedureCodeSequence; in order, no duplicates
    description: str | None


@dataclass(frozen=True)
class Resolution:
    institution: str | None
    item: str | None
    #: how the item was found: ``"code:<value>"`` or ``"description"``; None when not found
    item_basis: str | None
    reasons: tuple[str, ...] = field(default=())


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = " ".join(value.split())
    return value or None


async def resolve(directory: Directory, studies: Sequence[StudyFacts]) -> list[Resolution]:
    """Institution and item for each study (same order), with reasons for what stays unresolved."""
    names = {n for s in studies if (n := _clean(s.institution_name))}
    codes_by_region: dict[str, set[str]] = defaultdict(set)
    for s in studies:
        codes_by_region[s.region].update(c for c in (_clean(c) for c in s.codes) if c)

    async def no_names() -> dict[str, list[str]]:
        return {}

    institutions_call = directory.institutions_by_names(sorted(names)) if names else no_names()
    regions = sorted(r for r, c in codes_by_region.items() if c)
    found = await asyncio.gather(institutions_call,
                                 *(directory.items_by_codes(r, sorted(codes_by_region[r])) for r in regions))
    institutions: dict[str, list[str]] = found[0]
    items_by_code = dict(zip(regions, found[1:], strict=True))

    # items by code first; only studies still without an item (or ambiguous by code) ask by description
    by_code: list[tuple[str | None, str | None, str | None]] = []
    need_names: dict[str, set[str]] = defaultdict(set)
    for s in studies:
        ref, basis, problem = _pick_by_code(s, items_by_code.get(s.region, {}))
        by_code.append((ref, basis, problem))
        if ref is None and (d := _clean(s.description)):
            need_names[s.region].add(d)
    name_regions = sorted(need_names)
    name_answers = await asyncio.gather(*(directory.items_by_names(r, sorted(need_names[r]))
                                          for r in name_regions))
    items_by_name = dict(zip(name_regions, name_answers, strict=True))

    out: list[Resolution] = []
    for s, (ref, basis, code_problem) in zip(studies, by_code, strict=True):
        reasons: list[str] = []
        institution = _pick_institution(s, institutions, reasons)
        if ref is None:
            ref, basis = _pick_by_name(s, items_by_name.get(s.region, {}), code_problem, reasons)
        out.append(Resolution(institution, ref, basis, tuple(reasons)))
    return out


def _pick_institution(s: StudyFacts, found: dict[str, list[str]], reasons: list[str]) -> str | None:
    name = _clean(s.institution_name)
    if name is None:
        reasons.append("the study has no InstitutionName")
        return None
    ids = sorted(set(found.get(name) or ()))
    if len(ids) == 1:
        return ids[0]
    if not ids:
        reasons.append(f"InstitutionName {name!r} matches no hub institution (name or alias)")
    else:
        reasons.append(f"InstitutionName {name!r} matches several hub institutions: {', '.join(ids)}")
    return None


def _pick_by_code(s: StudyFacts, found: dict[str, list[str]]) -> tuple[str | None, str | None, str | None]:
    """First code that names exactly one item wins; an ambiguous code is remembered as the problem."""
    problem: str | None = None
    for raw in s.codes:
        code = _clean(raw)
        if not code:
            continue
        refs = sorted(set(found.get(code) or ()))
        if len(refs) == 1:
            return refs[0], f"code:{code}", None
        if len(refs) > 1 and problem is None:
            problem = f"procedure code {code!r} names several items: {', '.join(refs)}"
    return None, None, problem


def _pick_by_name(s: StudyFacts, found: dict[str, list[str]], code_problem: str | None,
                  reasons: list[str]) -> tuple[str | None, str | None]:
    description = _clean(s.description)
    refs = sorted(set(found.get(description) or ())) if description else []
    if len(refs) == 1:
        return refs[0], "description"
    if code_problem:
        reasons.append(code_problem)
    codes = ", ".join(repr(c) for c in s.codes) or "none"
    if not description:
        reasons.append(f"no procedure code of the {s.region} catalog (codes: {codes}) and no StudyDescription")
    elif not refs:
        reasons.append(f"no procedure code of the {s.region} catalog (codes: {codes}) and StudyDescription "
                       f"{description!r} names no item of it")
    else:
        reasons.append(f"StudyDescription {description!r} names several items: {', '.join(refs)}")
    return None, None
