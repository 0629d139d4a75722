"""The graph as files for analysts: CSV (``nodes.csv`` + ``edges.csv``, for pandas, R, a spreadsheet) and
GraphML (one ``.graphml`` file, for networkx and Gephi), streamed page by page from a store
(:mod:`graph.export`), so memory stays flat whatever the size of the graph.

What the files hold — the graph model of docs/DESIGN.md, less what only serves the hub's own reads:

* every node of Region, Institution, Alliance, Catalog, CatalogItem, Mark and Policy, with
  ``id`` = ``Label:key`` (``Institution:bj-xh``, ``Region:130000``, ``CatalogItem:HE-IMG:122``: unique across
  labels), ``type`` = its label, ``label`` = the name a viewer shows (name / title / the mark's id),
  ``key`` = its key in the graph (``id``, ``code`` or ``ref``) and its other properties;
* every relationship of the nine types, with ``source`` and ``target`` (node ids) and ``label`` = its type;
* not the MarkSet nodes (an index of HOLDS), the Meta node (bookkeeping) or Institution.allianceIds
  (MEMBER_OF again): `hub export --to bolt://…` copies those, a file has no use for them.

Values: lists (aliases) as JSON arrays, dates as ``YYYY-MM-DD``, a missing value as an empty CSV cell /
no GraphML ``<data>``; ``row`` and ``itemCount`` are integers (GraphML ``long``).  Files are UTF-8
without a byte-order mark, written beside the destination and renamed into place when complete.

GraphML is written with the standard library's streaming XML writer rather than ``networkx.write_graphml``:
networkx writes a graph it holds in memory, as one XML tree — measured on 100,000 institutions (0.6M
nodes, 1.6M relationships): 1.5 GB to hold the graph, 5.8 GB at the peak of ``write_graphml``, where this
writer stays at 0.4 GB (docs/ANALYSTS.md); a national graph is ten times that — and it refuses list and
None values, so the same conversion would be needed anyway.  The tests read every file back with
``networkx.read_graphml`` (and the CSV with ``csv`` and ``pyarrow.csv``).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import re
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, Iterator
from xml.sax.saxutils import XMLGenerator

from graph.export import DERIVED, EDGES, NODE_KIND, NODES, NodeKind, Source, edge_pages, node_pages

Progress = Callable[[str, int], None]
#: characters XML 1.0 does not allow (a control character in a source text would make the file unreadable)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def node_id(label: str, key: Any) -> str:
    return f"{label}:{key}"


def _properties(kind: NodeKind) -> tuple[str, ...]:
    """The properties a file carries for ``kind``, besides id, type, label and key."""
    return tuple(p for p in kind.properties if p != kind.key and p not in DERIVED.get(kind.label, ()))


def node_columns() -> list[str]:
    """nodes.csv's header: id, type, label, key, then every label's properties (first use order)."""
    columns = ["id", "type", "label", "key"]
    for kind in NODES:
        columns.extend(p for p in _properties(kind) if p not in columns)
    return columns


def text(value: Any) -> str | None:
    """A property value as file text (None stays None)."""
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return json.dumps([text(v) if isinstance(v, (dt.date, list, tuple)) else v for v in value], ensure_ascii=False)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if hasattr(value, "to_native"):
        return text(value.to_native())
    return str(value)


def _display(kind: NodeKind, row: dict[str, Any]) -> str:
    return str(row.get(kind.display) if row.get(kind.display) is not None else row[kind.key])


@contextmanager
def _replacing(path: Path) -> Iterator[IO[str]]:
    """A text file written beside ``path`` and renamed over it once complete (removed on failure)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8", newline="") as f:
            yield f
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


async def write_csv(src: Source, directory: Path, progress: Progress | None = None) -> dict[str, int]:
    """``directory``/nodes.csv and ``directory``/edges.csv; returns the rows written per label and type."""
    directory.mkdir(parents=True, exist_ok=True)
    written: dict[str, int] = {}
    columns = node_columns()
    with _replacing(directory / "nodes.csv") as f:
        out = csv.writer(f)
        out.writerow(columns)
        for kind in NODES:
            props = _properties(kind)
            async for rows in node_pages(src, kind.label):
                for r in rows:
                    line = {"id": node_id(kind.label, r[kind.key]), "type": kind.label, "label": _display(kind, r),
                            "key": r[kind.key], **{p: text(r.get(p)) for p in props}}
                    out.writerow(["" if line.get(c) is None else line[c] for c in columns])
                written[kind.label] = written.get(kind.label, 0) + len(rows)
                if progress:
                    progress(kind.label, len(rows))
    with _replacing(directory / "edges.csv") as f:
        out = csv.writer(f)
        out.writerow(["source", "target", "label"])
        for edge in EDGES:
            async for pairs in edge_pages(src, edge.type):
                out.writerows((node_id(edge.source, a), node_id(edge.target, b), edge.type) for a, b in pairs)
                written[edge.type] = written.get(edge.type, 0) + len(pairs)
                if progress:
                    progress(edge.type, len(pairs))
    return written


async def write_graphml(src: Source, path: Path, progress: Progress | None = None) -> dict[str, int]:
    """One GraphML file (directed graph); returns the nodes and relationships written per label and type."""
    path.parent.mkdir(parents=True, exist_ok=True)
    written: dict[str, int] = {}
    # one <key> per attribute name: the id of the key is its name (readers show names, not ids)
    node_keys: dict[str, str] = {"type": "string", "label": "string", "key": "string"}
    for kind in NODES:
        for p in _properties(kind):
            node_keys.setdefault(p, "long" if p in kind.integers else "string")
    with _replacing(path) as f:
        xml = XMLGenerator(f, encoding="utf-8", short_empty_elements=True)
        xml.startDocument()
        xml.startElement("graphml", {
            "xmlns": "http://graphml.graphdrawing.org/xmlns",
            "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance",
            "xsi:schemaLocation": "http://graphml.graphdrawing.org/xmlns "
                                  "http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd",
        })
        xml.ignorableWhitespace("\n")
        for name, kind_type in node_keys.items():
            _empty(xml, "key", {"id": f"n_{name}", "for": "node", "attr.name": name, "attr.type": kind_type})
        _empty(xml, "key", {"id": "e_label", "for": "edge", "attr.name": "label", "attr.type": "string"})
        xml.startElement("graph", {"id": "huren-hub", "edgedefault": "directed"})
        xml.ignorableWhitespace("\n")
        for kind in NODES:
            props = _properties(kind)
            async for rows in node_pages(src, kind.label):
                for r in rows:
                    xml.startElement("node", {"id": _clean(node_id(kind.label, r[kind.key]))})
                    values = {"type": kind.label, "label": _display(kind, r), "key": r[kind.key],
                              **{p: text(r.get(p)) for p in props}}
                    for name, value in values.items():
                        if value is not None:
                            xml.startElement("data", {"key": f"n_{name}"})
                            xml.characters(_clean(str(value)))
                            xml.endElement("data")
                    xml.endElement("node")
                    xml.ignorableWhitespace("\n")
                written[kind.label] = written.get(kind.label, 0) + len(rows)
                if progress:
                    progress(kind.label, len(rows))
        for edge in EDGES:
            async for pairs in edge_pages(src, edge.type):
                for a, b in pairs:
                    xml.startElement("edge", {"source": _clean(node_id(edge.source, a)),
                                              "target": _clean(node_id(edge.target, b))})
                    xml.startElement("data", {"key": "e_label"})
                    xml.characters(edge.type)
                    xml.endElement("data")
                    xml.endElement("edge")
                    xml.ignorableWhitespace("\n")
                written[edge.type] = written.get(edge.type, 0) + len(pairs)
                if progress:
                    progress(edge.type, len(pairs))
        xml.endElement("graph")
        xml.endElement("graphml")
        xml.ignorableWhitespace("\n")
        xml.endDocument()
    return written


def _empty(xml: XMLGenerator, name: str, attrs: dict[str, str]) -> None:
    xml.startElement(name, attrs)
    xml.endElement(name)
    xml.ignorableWhitespace("\n")


def _clean(value: str) -> str:
    return _NOT_XML.sub("\ufffd", value)


__all__ = ["write_csv", "write_graphml", "node_columns", "node_id", "NODE_KIND"]
