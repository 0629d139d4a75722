"""The ``where`` inputs of the browse API and how they become a statement's parameters.

Operators as the Neo4j GraphQL Library names them (``eq``, ``contains``, ``startsWith``, ``in``), plus
``within`` for regions: a province, city or county code (GB/T 2260, or a prefix of digits), a zone (``JJJ``,
``CY``) or the nation (``CN``), read through the engine's RegionIndex — so a zone is whatever the seeds'
``regions/zones.yaml`` says, never a list typed here.  Every operator not asked for becomes its flag
(``any<Name>`` true) and ``""`` / ``[""]`` as the value, never a null parameter (LadybugDB types a null as
BOOL and refuses it beside a string); the statements test both.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Optional

import strawberry

from resolvers.browse.paging import Sort, SortDirection
from resolvers.context import hub
from resolvers.errors import hub_error

#: the most values an ``in`` list may hold (a bound on what one request hands the store)
MAX_IN = 200


def bad(argument: str, message: str, value: object = None) -> Exception:
    return hub_error("BAD_INPUT", f"argument {argument}: {message}", {"argument": argument, "value": value})


@strawberry.input(description="Operators on a string field; every operator given must hold.")
class StringFilter:
    eq: Optional[str] = strawberry.field(default=None, description="Equal to this value.")
    contains: Optional[str] = strawberry.field(default=None, description="Contains this text (\"\" matches every value).")
    starts_with: Optional[str] = strawberry.field(default=None, description="Starts with this text.")
    in_: Optional[list[str]] = strawberry.field(default=None, name="in", description="Equal to one of these values (at most 200).")


@strawberry.input(description="Operators on a field with a closed set of values (tier, kind, ownership, modality …).")
class ValueFilter:
    eq: Optional[str] = strawberry.field(default=None, description="Equal to this value.")
    in_: Optional[list[str]] = strawberry.field(default=None, name="in", description="Equal to one of these values (at most 200).")


@strawberry.input(description="Where an institution lies.")
class RegionFilter:
    eq: Optional[str] = strawberry.field(default=None, description="Its region code is exactly this code (e.g. the county 130102).")
    within: Optional[str] = strawberry.field(
        default=None,
        description="It lies inside this region: a province, city or county code (130000, 130100, 130102), a prefix of "
        "digits (13), a zone (JJJ = 110000 + 120000 + 130000, CY = 510000 + 500000, as seeds/regions/zones.yaml says) "
        "or the nation (CN).")


@strawberry.input(description="Filters on institutions; every field given must hold (AND).")
class InstitutionWhere:
    id: Optional[ValueFilter] = strawberry.field(default=None, description="By id.")
    name: Optional[StringFilter] = strawberry.field(default=None, description="By name (eq, contains, startsWith).")
    region: Optional[RegionFilter] = strawberry.field(default=None, description="By where it lies (eq: its own code; within: a division, zone or the nation).")
    tier: Optional[ValueFilter] = strawberry.field(default=None, description="By tier (3A, 3B, 3, 2A, 2B, 2, 1, 0).")
    kind: Optional[ValueFilter] = strawberry.field(default=None, description="By kind (general, tcm, lab, primary, specialist).")
    ownership: Optional[ValueFilter] = strawberry.field(default=None, description="By ownership (public, private, military).")
    holds_marks: Optional[bool] = strawberry.field(default=None, description="true: it holds at least one mark (any item, scope, "
                                                   "validity); false: it holds none.")


def flag(name: str, value: Any, empty: Any = "") -> dict[str, Any]:
    """One optional operator as the statements take it: ``name`` and ``any<Name>`` (true: not asked for)."""
    return {name: empty if value is None else value, f"any{name[0].upper()}{name[1:]}": value is None}


def in_values(argument: str, filt: Optional[Any]) -> Optional[list[str]]:
    """The values an ``eq``/``in`` filter allows (``eq`` and ``in`` together: their intersection), None when
    neither is given; an empty list selects nothing (the caller answers without reading)."""
    if filt is None:
        return None
    values: Optional[list[str]] = None
    if filt.in_ is not None:
        if len(filt.in_) > MAX_IN:
            raise bad(f"{argument}.in", f"{len(filt.in_)} values; at most {MAX_IN}", len(filt.in_))
        values = list(dict.fromkeys(filt.in_))
    if filt.eq is not None:
        values = [filt.eq] if values is None or filt.eq in values else []
    return values


def division_prefix(code: str) -> str:
    """The prefix every region code inside a GB/T 2260 division starts with: a province ``500000`` -> ``50``,
    a city ``130100`` -> ``1301``, a county ``130110`` itself (stripping trailing zeros read ``500000`` as
    ``5`` — Sichuan too — and county ``130110`` as ``13011`` — its neighbour 130111 too).  A shorter
    string of digits is the prefix it is (``13`` = Hebei)."""
    if len(code) == 6 and code.isdigit():
        return code[:2] if code.endswith("0000") else code[:4] if code.endswith("00") else code
    return code


@dataclass
class Selection:
    """A filter as statement parameters; ``empty`` when it can select nothing (an empty ``in``), so the
    resolver answers without a read."""

    params: dict[str, Any] = field(default_factory=dict)
    empty: bool = False
    #: ``holdsMarks`` was asked: the institution statements' ``_marked`` variant tests HOLDS (an EXISTS that
    #: LadybugDB plans even when a flag makes it moot, 6x the cost of a page, so only when asked)
    marked: bool = False


def within(info: strawberry.Info, argument: str, code: str, strict: bool = True) -> dict[str, Any]:
    """``$regionPrefix`` / ``$provinces`` for "lies inside ``code``".  A division or a prefix of digits is one
    code prefix; a zone or the nation is its provinces (RegionIndex.provinces_within, from the zones file),
    matched by their two-digit prefix.  An unknown code is a BAD_INPUT naming ``argument`` (``strict``), or
    selects nothing (the older ``institutions(region:)``, which answered [] for it)."""
    index = hub(info).engine.regions
    if code.isdigit() or code == "":
        return {**flag("regionPrefix", division_prefix(code)), **flag("provinces", None, [""])}
    if code in index:
        provinces = [p[:2] for p in index.provinces_within(code)]
        return {**flag("regionPrefix", None), **flag("provinces", provinces or ["--"], [""])}
    if strict:
        raise bad(argument, f"{code[:40]!r} is not a region code of the graph (GB/T 2260, a zone, or the nation)", code)
    return {**flag("regionPrefix", code), **flag("provinces", None, [""])}


def institution_selection(info: strawberry.Info, where: Optional[InstitutionWhere], *, region: Optional[str] = None,
                          name: Optional[str] = None, argument: str = "where") -> Selection:
    """The parameters of the institution filter block (q.institutions_seek / _count / _aggregate and the
    holder block of the mark statements).  ``region`` / ``name``: the older list's arguments (a region code
    or prefix, part of the name), the same as ``where: {region: {within}}`` / ``{name: {contains}}``."""
    where = where or InstitutionWhere()
    out = Selection()
    reg = where.region
    if region is not None and reg is not None and reg.within is not None:
        raise bad("region", f"give region or {argument}.region.within, not both", region)
    if reg is not None and reg.within is not None:
        out.params.update(within(info, f"{argument}.region.within", reg.within))
    elif region is not None:
        out.params.update(within(info, "region", region, strict=False))
    else:
        out.params.update({**flag("regionPrefix", None), **flag("provinces", None, [""])})
    out.params.update(flag("regionEq", reg.eq if reg is not None else None))
    if name is not None and where.name is not None and where.name.contains is not None:
        raise bad("name", f"give name or {argument}.name.contains, not both", name)
    names = where.name or StringFilter()
    if name is not None:
        names = StringFilter(eq=names.eq, contains=name, starts_with=names.starts_with, in_=names.in_)
    text_params(out, f"{argument}.name", names)
    for key, values in (("idIn", in_values(f"{argument}.id", where.id)), ("tierIn", in_values(f"{argument}.tier", where.tier)),
                        ("kindIn", in_values(f"{argument}.kind", where.kind)),
                        ("ownershipIn", in_values(f"{argument}.ownership", where.ownership))):
        if values == []:
            out.empty = True
        out.params.update(flag(key, values or None, [""]))
    if where.holds_marks is not None:
        out.marked = True
        out.params["holdsMarks"] = where.holds_marks
    return out


def text_params(out: Selection, argument: str, filt: Optional[StringFilter]) -> None:
    """``$nameEq`` / ``$nameContains`` / ``$nameStartsWith`` / ``$nameIn`` and their flags, into ``out``."""
    filt = filt or StringFilter()
    out.params.update(flag("nameEq", filt.eq))
    out.params.update(flag("nameContains", filt.contains))
    out.params.update(flag("nameStartsWith", filt.starts_with))
    values = in_values(argument, ValueFilter(in_=filt.in_) if filt.in_ is not None else None)
    if values == []:
        out.empty = True
    out.params.update(flag("nameIn", values or None, [""]))


def list_params(out: Selection, key: str, argument: str, filt: Optional[ValueFilter]) -> None:
    """``$<key>`` (a list) and its flag from an ``eq``/``in`` filter, into ``out``; an empty list selects nothing."""
    values = in_values(argument, filt)
    if values == []:
        out.empty = True
    out.params.update(flag(key, values or None, [""]))


@strawberry.input(description="A range of days, bounds included; either bound may be left out.")
class DateRange:
    gte: Optional[dt.date] = strawberry.field(default=None, description="On or after this day.")
    lte: Optional[dt.date] = strawberry.field(default=None, description="On or before this day.")


def day_range(name: str, value: Optional[DateRange]) -> dict[str, Any]:
    """``$<name>From`` / ``$<name>Until`` and their flags (dates, never null: see :func:`day`)."""
    low, high = (value.gte, value.lte) if value is not None else (None, None)
    return {f"{name}From": low or dt.date(1970, 1, 1), f"any{name[0].upper()}{name[1:]}From": low is None,
            f"{name}Until": high or dt.date(1970, 1, 1), f"any{name[0].upper()}{name[1:]}Until": high is None}


def day(value: Optional[dt.date]) -> dict[str, Any]:
    """``$validOn`` / ``$anyValidOn`` (a date parameter is never null either: LadybugDB would type it BOOL)."""
    return {"validOn": value or dt.date(1970, 1, 1), "anyValidOn": value is None}


@strawberry.enum(description="What institutions can be sorted by (the id always breaks ties).")
class InstitutionSortField(Enum):
    ID = strawberry.enum_value("id", description="The id.")
    NAME = strawberry.enum_value("name", description="The name (by code point).")
    REGION = strawberry.enum_value("region", description="The region code (so by province, then city, then county).")
    TIER = strawberry.enum_value("tier", description="The tier as spelled (0, 1, 2, 2A, 2B, 3, 3A, 3B).")


@strawberry.input(description="One sort key of institutions.")
class InstitutionSort:
    field: InstitutionSortField = strawberry.field(description="The key.")
    direction: SortDirection = strawberry.field(default=SortDirection.ASC, description="ASC (default) or DESC.")


def sort_of(sort: Optional[list[Any]], tie: Any = InstitutionSortField.ID) -> Sort:
    """The one key a page statement sorts by: ``sort`` holds one key, optionally followed by the key field
    ``tie`` (id, code, ref) in the same direction — the tie-breaker every page has anyway; default: by ``tie``,
    ascending.  (A second free key would need a statement per pair of keys to seek past a cursor.)"""
    if not sort:
        return Sort(tie.value)
    key = sort[0]
    reverse = key.direction == SortDirection.DESC
    rest = sort[1:]
    if len(rest) > 1 or (rest and (rest[0].field != tie or (rest[0].direction == SortDirection.DESC) != reverse)):
        raise bad("sort", f"one key, optionally followed by {tie.value} in the same direction ({tie.value} always breaks ties)")
    return Sort(key.field.value, reverse)
