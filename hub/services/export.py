"""``hub export``: the graph of a store to a Neo4j server, to CSV or to GraphML.

The source is opened read-only (:mod:`graph.readonly`): an embedded store is read from one snapshot taken
when the export starts, even while ``hub serve`` holds it (a ``hub load`` through the server after that is
not in the export); nothing is written to it, and a path with no store is refused.  A Neo4j source is read
in read transactions, a page at a time (Neo4j keeps no snapshot across transactions: export a server
nobody is loading into).

* ``--to bolt://…`` (any Neo4j URL): :func:`graph.export.copy_graph` through the target's store adapter
  (constraints created on open, the loader and the seeding upserts): idempotent, converging after an
  interruption; the counts of both sides are compared at the end.
* ``--to DIR`` (or ``--format csv``): ``DIR/nodes.csv`` and ``DIR/edges.csv``;
  ``--to FILE.graphml`` (or ``--format graphml``): one GraphML file (:mod:`graph.export_files`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from graph.export import EDGES, NODES, CopyReport, copy_graph, counts
from graph.export_files import write_csv, write_graphml
from graph.readonly import open_read_only
from graph.store import StoreError, is_neo4j_target, open_store

FORMATS = ("neo4j", "csv", "graphml")
Progress = Callable[[str, int, int], None]


class ExportRefused(Exception):
    """The export cannot be done as asked (the message says why); nothing was written."""


def export_format(to: str, fmt: str | None) -> str:
    """The format ``--to`` implies (a Neo4j URL, a ``.graphml`` file, else a CSV directory), or ``fmt``."""
    implied = "neo4j" if is_neo4j_target(to) else "graphml" if to.lower().endswith(".graphml") else "csv"
    if fmt is None:
        return implied
    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise ExportRefused(f"--format {fmt!r}: choose one of {', '.join(FORMATS)}")
    if (fmt == "neo4j") != (implied == "neo4j"):
        raise ExportRefused(
            f"--format {fmt} with --to {to}: " + ("a Neo4j export needs a bolt:// or neo4j:// URL" if fmt == "neo4j"
                                                  else "a file export needs a path, not a Neo4j URL"))
    return fmt


@dataclass
class ExportResult:
    format: str
    source: str
    to: str
    #: nodes per label and relationships per type in the source (what an export should carry)
    source_counts: dict[str, int] = field(default_factory=dict)
    #: written per label and type (files) or held by the target after the copy (neo4j)
    target_counts: dict[str, int] = field(default_factory=dict)
    copy: CopyReport | None = None
    files: list[Path] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def expected(self) -> list[str]:
        """The labels and types this export carries (files leave out MarkSet and Meta)."""
        if self.format == "neo4j":
            return list(self.source_counts)
        return [k.label for k in NODES] + [e.type for e in EDGES]

    @property
    def short(self) -> dict[str, tuple[int, int]]:
        """What the target holds fewer of than the source: label or type -> (source, target)."""
        return {k: (self.source_counts.get(k, 0), self.target_counts.get(k, 0)) for k in self.expected
                if self.target_counts.get(k, 0) < self.source_counts.get(k, 0)}


async def export_graph(source: str, to: str, fmt: str | None = None, progress: Progress | None = None) -> ExportResult:
    """Export the store at ``source`` (a path or a Neo4j URL) to ``to`` (see the module docstring)."""
    fmt = export_format(to, fmt)
    if fmt == "neo4j" and to.rstrip("/") == source.rstrip("/"):
        raise ExportRefused(f"--to {to} is the store being exported")
    started = time.perf_counter()
    src = await open_read_only(source)
    try:
        result = ExportResult(fmt, src.target, to)
        result.source_counts = await counts(src)
        if fmt == "neo4j":
            dst = await open_store(to, seed=False)
            try:
                result.copy = await copy_graph(src, dst, progress)
            finally:
                await dst.close()
            result.target_counts = result.copy.target_counts
        else:
            totals = result.source_counts
            done: dict[str, int] = {}

            def tick(kind: str, n: int) -> None:
                done[kind] = done.get(kind, 0) + n
                if progress is not None:
                    progress(kind, done[kind], max(totals.get(kind, 0), done[kind]))

            path = Path(to).expanduser()
            if fmt == "csv":
                if path.exists() and not path.is_dir():
                    raise ExportRefused(f"--to {to}: a CSV export writes nodes.csv and edges.csv into a directory; "
                                        f"{path} is a file")
                result.target_counts = await write_csv(src, path, tick)
                result.files = [path / "nodes.csv", path / "edges.csv"]
            else:
                if path.is_dir():
                    raise ExportRefused(f"--to {to}: a directory; name the .graphml file to write")
                result.target_counts = await write_graphml(src, path, tick)
                result.files = [path]
    finally:
        await src.close()
    result.seconds = time.perf_counter() - started
    return result


__all__ = ["ExportRefused", "ExportResult", "FORMATS", "StoreError", "export_format", "export_graph"]
