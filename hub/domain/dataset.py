"""Parse and validate dataset files (CONTRACT.md, "Dataset file") into a :class:`~hub.domain.model.Dataset`.

A file is accepted whole or refused whole: :func:`parse_dataset` either returns every record of the file,
validated, or raises :class:`DatasetError` listing what is wrong — up to :data:`MAX_PROBLEMS` problems at
once (someone fixing a file wants them all), each naming the file, the record, the field and the value::

    seeds/demo.json: institutions[3] (id "bj-xh").tier: "3C" is not a tier (one of 3A, 3B, 3, 2A, 2B, 2, 1, 0)

This module needs no store.  What it must know about the world comes in a :class:`Known`: the region
codes, a resolver for catalog item references (which also maps OCR variants of a printed code to the
corrected reference), and a function answering which institution ids the store already holds — called
once per file with every id the file references without defining it, so validation costs one store
round trip however large the file is.

Performance: per-record work is O(1) — item references, scopes, regions and dates are checked once per
distinct value (memoised), institutions referenced by marks are collected in a set and looked up together
at the end.  ``bench/bench_validate.py`` measures a 40,000-institution / 1,000,000-mark file.
"""

from __future__ import annotations

import datetime as dt
import difflib
import gc
import json
from collections.abc import Callable, Container, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from hub.domain.model import ALLIANCE_KINDS, KINDS, OWNERSHIPS, TIERS, Alliance, Dataset, Institution, Mark

__all__ = [
    "MAX_PROBLEMS",
    "DatasetError",
    "Known",
    "Problem",
    "parse_dataset",
    "validate_dataset",
]

MAX_PROBLEMS = 50
"""Problems listed in one :class:`DatasetError`; the rest are counted ("… and 12 more problems")."""

SECTIONS = ("institutions", "alliances", "marks")

# Fields of each record kind, in the order the contract prints them (camelCase as in CONTRACT.md).
INSTITUTION_FIELDS = ("id", "name", "tier", "region", "ownership", "kind", "aliases")
INSTITUTION_REQUIRED = ("id", "name", "tier", "region", "ownership", "kind")
ALLIANCE_FIELDS = ("id", "kind", "name", "members")
ALLIANCE_REQUIRED = ("id", "kind", "name", "members")
MARK_FIELDS = ("institution", "item", "scope", "validFrom", "validTo")
MARK_REQUIRED = ("institution", "item", "scope", "validFrom")  # validTo absent or null: open-ended

_EXTENSIONS = {".json": "json", ".yaml": "yaml", ".yml": "yaml"}


# --------------------------------------------------------------------------------------------- problems


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a dataset file.

    ``record`` reads like ``institutions[3] (id "bj-xh")`` (index from 0, as in JSON paths; empty for the
    file as a whole), ``field`` like ``tier`` or ``members[1]`` (empty when the record as a whole is
    wrong), ``message`` says what is wrong and shows the offending ``value``.
    """

    file: str
    record: str
    field: str
    message: str
    value: Any = None

    @property
    def where(self) -> str:
        if self.record and self.field:
            return f"{self.record}.{self.field}"
        return self.record or self.field

    def __str__(self) -> str:
        where = self.where
        return f"{self.file}: {where}: {self.message}" if where else f"{self.file}: {self.message}"


class DatasetError(ValueError):
    """A dataset file was refused.  ``problems`` lists the first :data:`MAX_PROBLEMS` problems in file
    order; ``more`` counts those left out."""

    def __init__(self, file: str, problems: list[Problem], more: int = 0) -> None:
        self.file = file
        self.problems = problems
        self.more = more
        super().__init__(self._text())

    @property
    def total(self) -> int:
        return len(self.problems) + self.more

    def _text(self) -> str:
        n = self.total
        head = f"{self.file}: invalid dataset, {n} problem{'s' if n != 1 else ''}:"
        lines = [head, *(str(p) for p in self.problems)]
        if self.more:
            lines.append(f"{self.file}: … and {self.more} more problem{'s' if self.more != 1 else ''}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self._text()


def show(value: Any, limit: int = 80) -> str:
    """A value as a problem message shows it: JSON spelling (strings quoted), cut at ``limit`` chars."""
    if isinstance(value, dt.date):
        text = f'"{value.isoformat()}"'
    else:
        try:
            text = json.dumps(value, ensure_ascii=False, default=str)
        except (TypeError, ValueError):  # pragma: no cover - only JSON/YAML values reach here
            text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, dt.date):
        return "a date"
    return type(value).__name__


class _Problems:
    """Collects problems in file order, keeping the first ``limit`` and counting the rest."""

    __slots__ = ("file", "limit", "kept", "count")

    def __init__(self, file: str, limit: int) -> None:
        self.file = file
        self.limit = limit
        self.kept: list[tuple[tuple[int, int, int], Problem]] = []
        self.count = 0

    def add(self, order: tuple[int, int, int], record: str, field_: str, message: str, value: Any = None) -> None:
        self.count += 1
        if len(self.kept) < self.limit:
            self.kept.append((order, Problem(self.file, record, field_, message, value)))

    def raise_if_any(self, *others: _Problems) -> None:
        count = self.count + sum(o.count for o in others)
        if not count:
            return
        merged = sorted((p for c in (self, *others) for p in c.kept), key=lambda kp: kp[0])
        problems = [p for _, p in merged[: self.limit]]
        raise DatasetError(self.file, problems, count - len(problems))


# ----------------------------------------------------------------------------------------------- known


@dataclass(frozen=True)
class Known:
    """What validation needs to know about the world, supplied by the caller (so this module needs no
    store).

    - ``regions``: every valid region code — GB/T 2260 division codes plus the zones and the nation of
      the seeds in use (``regions/zones.yaml``: ``JJJ``, ``CY``, ``CN`` for the five documents).  A code
      that is not six digits is a zone: a mark's scope, never an institution's region;
    - ``resolve_item``: the canonical catalog reference for a reference or an OCR variant of it (letter O
      for digit 0, a lost ``Z``), ``None`` when it names no catalog item;
    - ``institution_exists``: which of the given institution ids the store already holds.  Called once per
      file, with every id the file references but does not define;
    - ``zones``: the zone and nation codes among ``regions``, named in the message that refuses a scope.
    """

    regions: Container[str]
    resolve_item: Callable[[str], str | None]
    institution_exists: Callable[[Iterable[str]], set[str]] = field(default=lambda ids: set())
    zones: tuple[str, ...] = ()

    @classmethod
    def from_data(
        cls,
        regions: Iterable[str],
        items: Iterable[str],
        variants: dict[str, str] | None = None,
        institutions: Iterable[str] = (),
        zones: Iterable[str] | None = None,
    ) -> Known:
        """A Known over in-memory data: region codes (zones included or not — they are added), catalog
        item refs, OCR variant -> canonical ref, the institution ids a store would already hold, and the
        zone codes (default: those of the default seeds directory's zones file)."""
        if zones is None:
            from hub.domain.regions import zone_codes

            zones = zone_codes()
        zones = tuple(zones)
        region_set = frozenset(regions) | frozenset(zones)
        item_map = {ref: ref for ref in items}
        item_map.update(variants or {})
        existing = frozenset(institutions)
        return cls(
            regions=region_set,
            resolve_item=item_map.get,
            institution_exists=lambda ids: existing.intersection(ids),
            zones=zones,
        )


# --------------------------------------------------------------------------------------------- reading


#: a dataset is three lists of flat records: nothing in it nests deeper than a few levels
_TOO_DEEP = "lists or mappings nested too deeply (a dataset's records are flat)"
def _read(path: Path, probs: _Problems) -> Any:
    """The file's content as plain JSON-like values, or None after adding a problem."""
    fmt = _EXTENSIONS.get(path.suffix.lower())
    if fmt is None:
        probs.add((-1, 0, 0), "", "", f"not a dataset file: the name must end in .json, .yaml or .yml "
                  f"(got {show(path.suffix or path.name)})", path.suffix)
        return None
    try:
        raw = path.read_bytes()
    except OSError as exc:
        probs.add((-1, 0, 0), "", "", f"cannot read the file: {exc.strerror or exc}")
        return None
    if raw.startswith(b"\xef\xbb\xbf"):  # a UTF-8 byte-order mark, as some Windows editors write
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        probs.add((-1, 0, 0), "", "", f"not UTF-8 text: byte {exc.start} is {raw[exc.start:exc.start + 1]!r}")
        return None
    if fmt == "json":
        # the stdlib parser: orjson was measured ~0.3 s faster on a 136 MB file of 3.3 s — not worth a dependency
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            probs.add((-1, 0, 0), "", "", f"malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}")
            return None
        except RecursionError:
            probs.add((-1, 0, 0), "", "", _TOO_DEEP)
            return None
    try:
        return yaml.load(text, Loader=_YamlLoader)
    except RecursionError:
        probs.add((-1, 0, 0), "", "", _TOO_DEEP)
        return None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
        what = exc.problem or exc.context or "cannot parse"
        probs.add((-1, 0, 0), "", "", f"malformed YAML{where}: {what}")
        return None
    except yaml.YAMLError as exc:
        probs.add((-1, 0, 0), "", "", f"malformed YAML: {exc}")
        return None


class _YamlLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """``yaml.safe_load``'s loader (the C one when PyYAML has it), refusing duplicate keys and aliases of
    lists or mappings.

    Why the aliases: PyYAML shares an aliased node, so nine lines of ``&a1 [*a0, *a0, …]`` build a value of
    a thousand million strings in no memory at all — and then validating (or printing) it walks every one
    (an anchor bomb held ``hub load`` for good).  An alias of a scalar (``region: *hz``) is harmless and
    still works; a record or a list has to be written out."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        if node in self.constructed_objects and isinstance(node, (yaml.SequenceNode, yaml.MappingNode)):
            raise yaml.constructor.ConstructorError(
                None, None,
                "the list or mapping anchored here is used again through an alias (*anchor): not allowed in "
                "dataset files, where such aliases can expand to thousands of millions of values; write the "
                "records out",
                node.start_mark,
            )
        return super().construct_object(node, deep=deep)


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    loader.flatten_mapping(node)
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        try:
            dup = key in seen
        except TypeError:
            continue  # unhashable key: construct_mapping below reports it
        if dup:
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping", node.start_mark, f"duplicate key {show(key)}", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_YamlLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


# ------------------------------------------------------------------------------------------ validation


def parse_dataset(path: Path, known: Known, *, max_problems: int = MAX_PROBLEMS) -> Dataset:
    """Read and validate one dataset file (JSON, or YAML by extension ``.yaml``/``.yml``).

    Returns every record, validated, with mark items resolved to their canonical catalog reference;
    raises :class:`DatasetError` listing the problems otherwise (nothing of a refused file may be written).
    """
    path = Path(path)
    probs = _Problems(str(path), max_problems)
    with _no_gc():
        data = _read(path, probs)
        probs.raise_if_any()
        try:
            return validate_dataset(data, known, source=str(path), max_problems=max_problems)
        except RecursionError:  # a value nested hundreds deep where a record has a string (shown in a problem)
            probs.add((-1, 0, 0), "", "", _TOO_DEEP)
            probs.raise_if_any()
            raise


@contextmanager
def _no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector: parsing and validating create millions of acyclic objects
    (dicts, strings, records) and each generation-2 pass re-walks all of them — half the time of a
    1M-mark file goes there otherwise.  Reference counting still frees everything as usual."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def validate_dataset(data: Any, known: Known, *, source: str, max_problems: int = MAX_PROBLEMS) -> Dataset:
    """Validate already-parsed content (what ``json.load``/``yaml.safe_load`` return) as a dataset named
    ``source`` (the file name shown in problems)."""
    with _no_gc():
        return _Validator(source, known, max_problems).run(data)


def _label_id(section: str, i: int, rec: Any) -> str:
    rid = rec.get("id") if isinstance(rec, dict) else None
    return f'{section}[{i}] (id {show(rid)})' if isinstance(rid, str) and rid.strip() else f"{section}[{i}]"


def _label_mark(i: int, rec: Any) -> str:
    inst = rec.get("institution") if isinstance(rec, dict) else None
    item = rec.get("item") if isinstance(rec, dict) else None
    parts = []
    if isinstance(inst, str) and inst.strip():
        parts.append(f"institution {show(inst)}")
    if isinstance(item, str) and item.strip():
        parts.append(f"item {show(item)}")
    return f"marks[{i}] ({', '.join(parts)})" if parts else f"marks[{i}]"


def _unknown_field_message(key: Any, allowed: tuple[str, ...]) -> str:
    hint = ""
    if isinstance(key, str):
        folded = {a.lower(): a for a in allowed}
        guess = folded.get(key.replace("_", "").replace("-", "").lower())
        if guess is None:
            close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.75)
            guess = close[0] if close else None
        if guess is not None:
            hint = f'did you mean "{guess}"? '
    return f"unknown field ({hint}allowed: {', '.join(allowed)})"


_MISSING = object()


class _Validator:
    def __init__(self, source: str, known: Known, max_problems: int) -> None:
        self.source = source
        self.known = known
        self.probs = _Problems(source, max_problems)
        # memo tables: each distinct value is checked once however many records carry it
        self._items: dict[str, str | None] = {}
        self._scopes: dict[str, bool] = {}
        self._regions: dict[str, bool] = {}
        self._dates: dict[str, dt.date | None] = {}

    # ------------------------------------------------------------------ helpers (cold paths mostly)

    def _problem(self, sec: int, i: int, label: str, field_: str, message: str, value: Any = None) -> None:
        self.probs.add((sec, i, 0), label, field_, message, value)

    def _region_ok(self, code: str) -> bool:
        ok = self._regions.get(code)
        if ok is None:
            ok = self._regions[code] = len(code) == 6 and code.isdigit() and code in self.known.regions
        return ok

    def _scope_ok(self, code: str) -> bool:
        ok = self._scopes.get(code)
        if ok is None:
            ok = self._scopes[code] = code in self.known.regions
        return ok

    def _scope_hint(self) -> str:
        zones = self.known.zones
        if not zones:
            return "a GB/T 2260 code or a zone code"
        return f"a GB/T 2260 code, {', '.join(zones[:-1])} or {zones[-1]}" if len(zones) > 1 else (
            f"a GB/T 2260 code or {zones[0]}")

    def _item(self, ref: str) -> str | None:
        try:
            return self._items[ref]
        except KeyError:
            canonical = self._items[ref] = self.known.resolve_item(ref)
            return canonical

    def _date(self, value: Any) -> dt.date | None:
        """A ``YYYY-MM-DD`` string (or a YAML date) as a date; None when it is not one."""
        if type(value) is str:
            d = self._dates.get(value, _MISSING)
            if d is _MISSING:
                d = None
                if len(value) == 10 and value[4] == "-" and value[7] == "-":
                    try:
                        d = dt.date.fromisoformat(value)
                    except ValueError:
                        d = None
                self._dates[value] = d
            return d  # type: ignore[return-value]
        if type(value) is dt.date:  # YAML reads an unquoted 2024-01-01 as a date
            self._dates[value] = value  # type: ignore[index]
            return value
        return None

    def _bad_date(self, sec: int, i: int, label: str, name: str, value: Any) -> None:
        if isinstance(value, str):
            msg = f"{show(value)} is not a date (ISO YYYY-MM-DD, e.g. 2024-01-01)"
        else:
            msg = f"{show(value)} is {_type_name(value)}, expected a date string (YYYY-MM-DD)"
        self._problem(sec, i, label, name, msg, value)

    def _check_fields(
        self, sec: int, i: int, rec: dict, label: str, allowed: tuple[str, ...], required: tuple[str, ...]
    ) -> None:
        for key in rec:
            if key not in allowed:
                self._problem(sec, i, label, str(key), _unknown_field_message(key, allowed), rec[key])
        for key in required:
            if key not in rec:
                self._problem(sec, i, label, key, "missing (required)")

    def _string(self, sec: int, i: int, rec: dict, label: str, name: str, *, ident: bool = False) -> str | None:
        """A required non-empty string field; None after adding a problem (absent fields were reported)."""
        value = rec.get(name)
        if type(value) is str:
            if not value.strip():
                self._problem(sec, i, label, name, f"{show(value)} is empty", value)
                return None
            if ident and value != value.strip():
                self._problem(sec, i, label, name, f"{show(value)} has leading or trailing spaces", value)
                return None
            return value
        if name in rec:
            self._problem(sec, i, label, name, f"{show(value)} is {_type_name(value)}, expected a string", value)
        return None

    def _choice(self, sec: int, i: int, rec: dict, label: str, name: str, allowed: Any, what: str,
                numbers: bool = False) -> str | None:
        value = rec.get(name)
        if numbers and type(value) is int:  # YAML reads `tier: 3` as a number
            value = str(value)
        if type(value) is str:
            if value in allowed:
                return value
            self._problem(sec, i, label, name, f"{show(value)} is not {what} (one of {', '.join(allowed)})", value)
            return None
        if name in rec:
            self._problem(sec, i, label, name, f"{show(value)} is {_type_name(value)}, expected {what} "
                          f"(one of {', '.join(allowed)})", value)
        return None

    def _string_list(self, sec: int, i: int, rec: dict, label: str, name: str, *, ident: bool) -> list[str] | None:
        value = rec.get(name)
        if not isinstance(value, list):
            if name in rec:
                self._problem(sec, i, label, name, f"{show(value)} is {_type_name(value)}, expected a list of strings",
                              value)
            return None
        out: list[str] = []
        ok = True
        seen: dict[str, int] = {}
        for j, v in enumerate(value):
            where = f"{name}[{j}]"
            if type(v) is not str:
                self._problem(sec, i, label, where, f"{show(v)} is {_type_name(v)}, expected a string", v)
                ok = False
            elif not v.strip():
                self._problem(sec, i, label, where, f"{show(v)} is empty", v)
                ok = False
            elif ident and v in seen:
                self._problem(sec, i, label, where, f"{show(v)} is listed twice (also at {name}[{seen[v]}])", v)
                ok = False
            elif v not in seen:
                seen[v] = j
                out.append(v)
        return out if ok else None

    # ------------------------------------------------------------------------------------- sections

    def run(self, data: Any) -> Dataset:
        probs = self.probs
        if not isinstance(data, dict):
            probs.add((-1, 0, 0), "", "", f"the top level is {_type_name(data)}, expected an object with "
                      f"{', '.join(SECTIONS)}", data if not isinstance(data, list) else None)
            probs.raise_if_any()
        for key in data:
            if key not in SECTIONS:
                probs.add((-1, 0, 0), "", str(key), _unknown_field_message(key, SECTIONS).replace(
                    "unknown field", "unknown top-level key"), data[key])
        sections: dict[str, list] = {}
        for sec, name in enumerate(SECTIONS):
            value = data.get(name)
            if value is None:  # absent, or YAML `marks:` with nothing under it
                sections[name] = []
            elif isinstance(value, list):
                sections[name] = value
            else:
                probs.add((sec, -1, 0), "", name, f"{show(value)} is {_type_name(value)}, expected a list",
                          value)
                sections[name] = []

        ds = self._ds = Dataset(source=self.source)
        inst_ids = self._institutions(sections["institutions"], ds)
        refs = _Problems(self.source, probs.limit)  # unknown-institution problems, merged in file order
        member_refs = self._alliances(sections["alliances"], ds)
        mark_refs = self._marks(sections["marks"], ds)

        referenced = (set().union(*member_refs.values()) if member_refs else set()) | mark_refs
        referenced.difference_update(inst_ids)
        if referenced:
            existing = self.known.institution_exists(referenced)
            missing = referenced.difference(existing)
            if missing:
                self._report_missing(sections, member_refs, missing, refs)
        probs.raise_if_any(refs)
        return ds

    def _identified(self, sec: int, i: int, rec: Any, ids: dict[str, int]) -> tuple[str, str | None] | None:
        """What an institution and an alliance record start with: an object (else a problem, and None),
        its fields known and the required ones present, an id not defined before in its section (``ids``:
        id -> first index, updated).  Returns the record's label and its id (None when it has no valid one)."""
        section = SECTIONS[sec]
        if type(rec) is not dict:
            self._problem(sec, i, f"{section}[{i}]", "", f"{show(rec)} is {_type_name(rec)}, expected an object", rec)
            return None
        label = _label_id(section, i, rec)
        fields, required, field_set, required_set = _IDENTIFIED_FIELDS[sec]
        if not (required_set <= rec.keys() <= field_set):
            self._check_fields(sec, i, rec, label, fields, required)
        rid = self._string(sec, i, rec, label, "id", ident=True)
        if rid is not None:
            first = ids.setdefault(rid, i)
            if first != i:
                self._problem(sec, i, label, "id", f"{show(rid)} is defined twice (first at {section}[{first}])", rid)
        return label, rid

    def _institutions(self, records: list, ds: Dataset) -> set[str]:
        sec = 0
        ids: dict[str, int] = {}
        out = ds.institutions
        for i, rec in enumerate(records):
            head = self._identified(sec, i, rec, ids)
            if head is None:
                continue
            label, iid = head
            name = self._string(sec, i, rec, label, "name")
            tier = self._choice(sec, i, rec, label, "tier", TIERS, "a tier", numbers=True)
            region = rec.get("region")
            if type(region) is int and not isinstance(region, bool):
                region = str(region)  # YAML reads `region: 110101` as a number
            if type(region) is str:
                if not self._region_ok(region):
                    if region in self.known.regions:  # valid, yet not six digits: a zone or the nation
                        msg = f"{show(region)} is a zone; an institution's region is a GB/T 2260 division code"
                    elif len(region) == 6 and region.isdigit():
                        msg = f"{show(region)} is not a GB/T 2260 division code"
                    else:
                        msg = f"{show(region)} is not a GB/T 2260 division code (six digits, e.g. \"110101\")"
                    self._problem(sec, i, label, "region", msg, region)
                    region = None
            elif "region" in rec:
                self._problem(sec, i, label, "region", f"{show(region)} is {_type_name(region)}, "
                              "expected a GB/T 2260 division code string", region)
                region = None
            ownership = self._choice(sec, i, rec, label, "ownership", OWNERSHIPS, "an ownership")
            kind = self._choice(sec, i, rec, label, "kind", KINDS, "an institution kind")
            aliases: list[str] | None = []
            if "aliases" in rec and rec["aliases"] is not None:
                aliases = self._string_list(sec, i, rec, label, "aliases", ident=False)
            if not self.probs.count:
                out.append(
                    Institution(iid, name, tier, region, ownership, kind, tuple(aliases))  # type: ignore[arg-type]
                )
        return set(ids)

    def _alliances(self, records: list, ds: Dataset) -> dict[int, list[str]]:
        """Validates alliances; returns index -> member ids (for the unknown-institution check)."""
        sec = 1
        ids: dict[str, int] = {}
        members_of: dict[int, list[str]] = {}
        for i, rec in enumerate(records):
            head = self._identified(sec, i, rec, ids)
            if head is None:
                continue
            label, aid = head
            kind = self._choice(sec, i, rec, label, "kind", _ALLIANCE_KIND_NAMES, "an alliance kind")
            name = self._string(sec, i, rec, label, "name")
            members = self._string_list(sec, i, rec, label, "members", ident=True)
            if members:
                members_of[i] = members
            if not self.probs.count:
                ds.alliances.append(Alliance(aid, kind, name, tuple(members or ())))  # type: ignore[arg-type]
        return members_of

    def _marks(self, records: list, ds: Dataset) -> set[str]:
        """Validates marks; returns the institution ids they reference.  The hot loop of a large file:
        the common case (a well-formed record) takes only dict lookups, memo hits and one set add."""
        sec = 2
        out = ds.marks
        append = out.append
        institutions: set[str] = set()
        add_institution = institutions.add
        identities: dict[tuple, int] = {}
        items = self._items
        scopes = self._scopes
        dates = self._dates
        probs = self.probs
        mark_set = _MARK_SET
        for i, rec in enumerate(records):
            # ---- fast path: exactly the expected shape, every value already seen valid
            if type(rec) is dict and rec.keys() <= mark_set:
                inst = rec.get("institution")
                vt_raw = rec.get("validTo")
                scope = rec.get("scope")
                try:  # an unhashable value (a list, an object) is a problem for the slow path to name
                    item = items.get(rec.get("item"))  # type: ignore[arg-type]
                    vf = dates.get(rec.get("validFrom"))  # type: ignore[arg-type]
                    vt = None if vt_raw is None else dates.get(vt_raw)
                    scope_ok = scopes.get(scope) is True  # type: ignore[arg-type]
                except TypeError:
                    item = None
                if (
                    type(inst) is str and inst and item is not None and vf is not None
                    and (vt is not None or vt_raw is None) and scope_ok
                    and (vt is None or vf <= vt)
                ):
                    key = (inst, item, scope, vf)
                    first = identities.setdefault(key, i)
                    if first == i:
                        add_institution(inst)
                        if not probs.count:
                            append(Mark(inst, item, scope, vf, vt))  # type: ignore[arg-type]
                        continue
            # ---- slow path: first sight of a value, or something wrong
            self._mark_slow(i, rec, identities, institutions)
        return institutions

    def _mark_slow(self, i: int, rec: Any, identities: dict[tuple, int], institutions: set[str]) -> None:
        sec = 2
        if type(rec) is not dict:
            self._problem(sec, i, f"marks[{i}]", "", f"{show(rec)} is {_type_name(rec)}, expected an object", rec)
            return
        label = _label_mark(i, rec)
        self._check_fields(sec, i, rec, label, MARK_FIELDS, MARK_REQUIRED)
        inst = self._string(sec, i, rec, label, "institution")
        item = None
        raw_item = rec.get("item")
        if type(raw_item) is str:
            item = self._item(raw_item)
            if item is None:
                hint = "" if ":" in raw_item else " (an item reference is CATALOG:LOCAL, e.g. BJ-IMG:BW23ZYZZZ-00)"
                self._problem(sec, i, label, "item", f"{show(raw_item)} is not a catalog item{hint}", raw_item)
        elif "item" in rec:
            self._problem(sec, i, label, "item", f"{show(raw_item)} is {_type_name(raw_item)}, "
                          "expected a catalog item reference string", raw_item)
        scope = rec.get("scope")
        if type(scope) is int and not isinstance(scope, bool):
            scope = str(scope)
        if type(scope) is str:
            if not self._scope_ok(scope):
                self._problem(sec, i, label, "scope", f"{show(scope)} is not a region or zone code "
                              f"({self._scope_hint()})", scope)
                scope = None
        elif "scope" in rec:
            self._problem(sec, i, label, "scope", f"{show(scope)} is {_type_name(scope)}, expected a region or "
                          "zone code string", scope)
            scope = None
        vf = None
        if "validFrom" in rec:
            vf = self._date(rec["validFrom"])
            if vf is None:
                self._bad_date(sec, i, label, "validFrom", rec["validFrom"])
        vt = None
        vt_raw = rec.get("validTo")
        if vt_raw is not None:
            vt = self._date(vt_raw)
            if vt is None:
                self._bad_date(sec, i, label, "validTo", vt_raw)
            elif vf is not None and vf > vt:
                self._problem(sec, i, label, "validTo", f"{show(vt)} is before validFrom {show(vf)}", vt_raw)
        if inst is not None and item is not None and scope is not None and vf is not None:
            key = (inst, item, scope, vf)
            first = identities.setdefault(key, i)
            if first != i:
                self._problem(sec, i, label, "validFrom", f"{show(vf)}: the same mark (institution, item, scope and "
                              f"validFrom) as marks[{first}]", rec.get("validFrom"))
        if inst is not None:
            institutions.add(inst)
        if not self.probs.count:
            self._ds.marks.append(Mark(inst, item, scope, vf, vt))  # type: ignore[arg-type]

    def _report_missing(self, sections: dict[str, list], member_refs: dict[int, list[str]], missing: set[str],
                        refs: _Problems) -> None:
        alliances = sections["alliances"]
        for i, members in member_refs.items():
            label = _label_id("alliances", i, alliances[i])
            for j, m in enumerate(alliances[i]["members"]):
                if m in missing:
                    refs.add((1, i, 1), label, f"members[{j}]", f"{show(m)} is not an institution of this file "
                             "or of the store", m)
        for i, rec in enumerate(sections["marks"]):
            if type(rec) is dict:
                inst = rec.get("institution")
                if type(inst) is str and inst in missing:
                    refs.add((2, i, 1), _label_mark(i, rec), "institution", f"{show(inst)} is not an institution "
                             "of this file or of the store", inst)


_MARK_SET = frozenset(MARK_FIELDS)
#: per section with ids (0 institutions, 1 alliances): its fields, the required ones, and both as sets
_IDENTIFIED_FIELDS = {
    sec: (fields, required, frozenset(fields), frozenset(required))
    for sec, fields, required in ((0, INSTITUTION_FIELDS, INSTITUTION_REQUIRED),
                                  (1, ALLIANCE_FIELDS, ALLIANCE_REQUIRED))
}
_ALLIANCE_KIND_NAMES = tuple(ALLIANCE_KINDS)
