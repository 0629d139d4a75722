"""The registry of named Cypher statements.

Every Cypher string the hub runs lives in a file under ``graph/cypher/``; nothing else in the code base
holds Cypher.  ``common/<name>.cypher`` is written in the subset LadybugDB and Neo4j 5 both accept;
``ladybug/<name>.cypher`` or ``neo4j/<name>.cypher`` override it for one engine where the dialects differ
(DDL, bulk load, dates).  A file may hold several statements separated by a line with only ``;`` — used
for DDL scripts that must run one statement at a time.

Keeping statements in files (not Python strings) lets the test suite hand every statement that can run on
Neo4j to Neo4j's own offline linter, and lets reviewers read the queries on their own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any, Literal

Backend = Literal["ladybug", "neo4j"]
BACKENDS: tuple[Backend, ...] = ("ladybug", "neo4j")
CYPHER_DIR = Path(__file__).parent / "cypher"
#: pieces several statements share, written once: ``{{name}}`` in a statement stands for ``fragments/name.cypher``
FRAGMENTS_DIR = CYPHER_DIR / "fragments"
_PARAMETER = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_FRAGMENT = re.compile(r"\{\{\s*([A-Za-z0-9_.]+)\s*\}\}")


@dataclass(frozen=True)
class Statement:
    """One named statement, resolved for one backend."""

    name: str
    backend: Backend
    parts: tuple[str, ...]  # one or more statements, run in order
    path: Path

    @cached_property
    def uses(self) -> tuple[frozenset[str], ...]:
        """Per part: the names of the parameters it refers to (``$name``)."""
        return tuple(frozenset(_PARAMETER.findall(part)) for part in self.parts)

    def bind(self, part: int, params: Mapping[str, Any]) -> dict[str, Any]:
        """The parameters of ``params`` that part ``part`` refers to.  Why not all of them: LadybugDB's
        driver types every parameter it is given by walking every element of every list, used or not —
        handing each part only its own made the two-part facts read faster for one check and for a batch
        (figures in docs/BENCHMARKS.md, "Store reads")."""
        return {name: params[name] for name in self.uses[part] if name in params}

    def bound(self, params: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
        """Every part, in order, with the parameters it refers to: what an adapter executes."""
        return [(text, self.bind(k, params)) for k, text in enumerate(self.parts)]

    def specialised(self, params: Mapping[str, Any]) -> "Statement":
        """This statement with its optional filters settled by the flags ``params`` gives: each ``($anyX OR
        <predicate>)`` becomes ``true`` where ``anyX`` is true (the filter was not asked for) and ``(<predicate>)``
        where it is false.  Why: neither store folds a parameter at plan time, so every unasked filter of a
        browse statement was still evaluated on every scanned row — twelve on a page of institutions, about
        twice the Neo4j server's work of a query with only the asked predicate (docs/BENCHMARKS.md, "Peer").
        The statement files keep the flags (one file, every combination); a combination's text is built
        once and cached."""
        if not self.flags and not self.switches:
            return self
        flags = tuple(sorted(k for k in self.flags if params.get(k) is True))
        chosen = tuple(sorted((k, v) for k in self.switches if isinstance(v := params.get(k), str)))
        return _specialised(self, flags, chosen)

    @cached_property
    def switches(self) -> frozenset[str]:
        """The parameters a ``CASE $x WHEN 'a' THEN n.a … ELSE n.b END`` of plain properties chooses by (a
        sort key): settled like the flags, so the store orders by the property itself."""
        return frozenset(m.group(1) for part in self.parts for m in _SWITCH.finditer(part))

    @cached_property
    def flags(self) -> frozenset[str]:
        """The ``any…`` flags this statement's optional filters test (``($anyX OR …)``)."""
        return frozenset(m.group(1) for part in self.parts for m in _FLAG.finditer(part))

    @property
    def text(self) -> str:
        if len(self.parts) != 1:
            raise ValueError(f"statement {self.name!r} has {len(self.parts)} parts; run it as a script")
        return self.parts[0]


#: an optional filter's flag (``$anyX``), or the first page of a keyset page (``$fromStart``: no cursor to seek past)
_FLAG = re.compile(r"\(\s*\$(any[A-Z][A-Za-z0-9_]*|fromStart)\s+OR\s+")


def _settle(part: str, true_flags: tuple[str, ...]) -> str:
    """``part`` with every ``($anyX OR …)`` settled (see :meth:`Statement.specialised`)."""
    out, at = [], 0
    for m in _FLAG.finditer(part):
        if m.start() < at:  # inside a filter already settled
            continue
        depth, end = 1, m.end()
        while depth and end < len(part):
            depth += {"(": 1, ")": -1}.get(part[end], 0)
            end += 1
        out.append(part[at:m.start()])
        out.append("true" if m.group(1) in true_flags else f"({part[m.end():end - 1]})")
        at = end
    out.append(part[at:])
    return "".join(out)


_SWITCH = re.compile(r"CASE\s+\$([A-Za-z_][A-Za-z0-9_]*)\s+((?:WHEN\s+'[^']*'\s+THEN\s+[A-Za-z_][\w.]*\s+)+)"
                     r"ELSE\s+([A-Za-z_][\w.]*)\s+END")
_BRANCH = re.compile(r"WHEN\s+'([^']*)'\s+THEN\s+([A-Za-z_][\w.]*)")


def _choose(part: str, chosen: dict[str, str]) -> str:
    """``part`` with each ``CASE $x WHEN … END`` of :attr:`Statement.switches` replaced by the branch ``$x``
    selects (the ELSE branch for any other value)."""
    def branch(m: re.Match[str]) -> str:
        if m.group(1) not in chosen:
            return m.group(0)
        return dict(_BRANCH.findall(m.group(2))).get(chosen[m.group(1)], m.group(3))

    return _SWITCH.sub(branch, part)


@cache
def _specialised(st: "Statement", true_flags: tuple[str, ...], chosen: tuple[tuple[str, str], ...]) -> "Statement":
    parts = tuple(_choose(_settle(p, true_flags), dict(chosen)) for p in st.parts)
    return Statement(st.name, st.backend, parts, st.path)


def _split(text: str) -> tuple[str, ...]:
    parts, current = [], []
    for line in text.splitlines():
        if line.strip() == ";":
            parts.append("\n".join(current))
            current = []
        elif not line.lstrip().startswith("//"):
            current.append(line)
    parts.append("\n".join(current))
    return tuple(p.strip().rstrip(";").strip() for p in parts if p.strip())


@cache
def fragment(name: str) -> str:
    """The text of ``fragments/<name>.cypher`` without its comments: a piece several statements share (the
    seven counts of CONTRACT.md's recognitionMetrics, say), so a definition is written in one place."""
    path = FRAGMENTS_DIR / f"{name}.cypher"
    if not path.exists():
        raise KeyError(f"no Cypher fragment named {name!r} in {FRAGMENTS_DIR}")
    return "\n".join(line for line in path.read_text(encoding="utf-8").splitlines()
                     if not line.lstrip().startswith("//")).strip()


def _expand(text: str) -> str:
    """``text`` with each ``{{name}}`` replaced by :func:`fragment`'s text (fragments do not nest)."""
    return _FRAGMENT.sub(lambda m: fragment(m.group(1)), text)


@cache
def statement(name: str, backend: Backend) -> Statement:
    """The statement ``name`` as ``backend`` should run it (override first, then common), its fragments
    expanded."""
    for folder in (backend, "common"):
        path = CYPHER_DIR / folder / f"{name}.cypher"
        if path.exists():
            return Statement(name, backend, _split(_expand(path.read_text(encoding="utf-8"))), path)
    raise KeyError(f"no Cypher statement named {name!r} for backend {backend!r} in {CYPHER_DIR}")


def names() -> list[str]:
    """Every statement name known to any backend."""
    return sorted({p.stem for p in CYPHER_DIR.glob("*/*.cypher") if p.parent != FRAGMENTS_DIR})


def for_backend(backend: Backend) -> list[Statement]:
    """Every statement that can run on ``backend`` (used by the Neo4j lint test)."""
    out = []
    for name in names():
        try:
            out.append(statement(name, backend))
        except KeyError:
            continue
    return out


@cache
def bulk_links(backend: Backend) -> dict[str, tuple[str, ...]]:
    """The node tables ``backend`` bulk-loads together with the relationships they start, one pass each:
    ``{"Mark": ("HOLDS", "FOR_ITEM", "VALID_IN")}`` where a ``bulk.Mark+HOLDS+FOR_ITEM+VALID_IN`` statement
    exists for it.  Read from the files, so the loader (graph.loading) and the benchmark (bench.synth) take
    the same steps: on Neo4j one ``UNWIND`` creating a node and its edges took 2.5× less time than a pass per
    table that looks every node up again by its key (docs/BENCHMARKS.md, "Neo4j"); LadybugDB's COPY has no
    such form.  Every link of a combined statement must be a plain ``bulk.<REL>`` table too, so a load
    can still relink what an older, table-per-pass load left unlinked."""
    out: dict[str, tuple[str, ...]] = {}
    for path in sorted((CYPHER_DIR / backend).glob("bulk.*+*.cypher")):
        node, *links = path.stem.removeprefix("bulk.").split("+")
        out[node] = tuple(links)
    return out


def bulk_table(node: str, backend: Backend) -> str:
    """The bulk statement's table for the node table ``node`` on ``backend``: ``Mark+HOLDS+FOR_ITEM+VALID_IN``
    where it creates the links too, else ``Mark``."""
    links = bulk_links(backend).get(node)
    return "+".join((node, *links)) if links else node
