"""``hub cypher``: read-only Cypher typed by an analyst, on the embedded store or on Neo4j.

The store is opened read-only (:mod:`graph.readonly`): on the embedded store a new snapshot for every
statement (so a shell left open sees what ``hub load`` wrote since), on Neo4j read transactions.  Text
with a clause that writes is refused before anything runs.  Values come back as plain data
(:func:`plain`): a node as ``{"labels": [...], "properties": {...}}``, a relationship as
``{"type", "properties"}``, a date as ``YYYY-MM-DD`` — whichever engine answered.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from graph.readonly import ReadOnlyGraph, ReadOnlyRefused, Result, open_read_only, split_statements
from graph.store import StoreError

__all__ = ["CypherShell", "ReadOnlyRefused", "StoreError", "parse_params", "plain", "cell", "split_statements"]


def parse_params(items: Iterable[str]) -> dict[str, Any]:
    """``name=value`` pairs (``--param``): the value is read as JSON when it is JSON (``5``, ``[1, 2]``,
    ``"130000"``, ``true``, ``null``), else taken as a string (``JJJ``, ``HE-IMG:122``).  A code made of
    digits must be quoted to stay a string: ``-p 'province="130000"'``."""
    params: dict[str, Any] = {}
    for item in items:
        name, sep, raw = item.partition("=")
        name = name.strip().lstrip("$")
        if not sep or not name.isidentifier():
            raise ValueError(f"--param {item!r}: write it as name=value (e.g. -p scope=JJJ)")
        try:
            value = json.loads(raw)
        except ValueError:
            value = raw
        params[name] = value
    return params


def plain(value: Any) -> Any:
    """A value from either engine as JSON-ready data (see the module docstring)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, decimal.Decimal):  # LadybugDB's sum() of integers is a 128-bit integer
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if hasattr(value, "to_native"):
        return plain(value.to_native())
    from neo4j.graph import Node, Path, Relationship  # (before Mapping: a Node is one, of its properties)

    if isinstance(value, Node):
        return {"labels": sorted(value.labels), "properties": {k: plain(v) for k, v in dict(value).items()}}
    if isinstance(value, Relationship):
        return {"type": value.type, "properties": {k: plain(v) for k, v in dict(value).items()}}
    if isinstance(value, Path):
        return {"nodes": [plain(n) for n in value.nodes], "relationships": [plain(r) for r in value.relationships]}
    if isinstance(value, Mapping):
        if "_LABEL" in value and "_SRC" in value:  # LadybugDB relationship
            return {"type": value["_LABEL"], "properties": _props(value)}
        if "_LABEL" in value:  # LadybugDB node
            return {"labels": [value["_LABEL"]], "properties": _props(value)}
        if "_NODES" in value:  # LadybugDB path (recursive relationship)
            return {"nodes": [plain(n) for n in value["_NODES"]], "relationships": [plain(r) for r in value["_RELS"]]}
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


def _props(value: Mapping[str, Any]) -> dict[str, Any]:
    return {k: plain(v) for k, v in value.items() if not k.startswith("_") and v is not None}


def cell(value: Any) -> str:
    """A plain value as one table cell: strings as they are, a node as ``(:Label {key: value, …})``."""
    if value is None:
        return "null"
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        props = value.get("properties")
        if props is not None and "labels" in value:
            return f"(:{':'.join(value['labels'])} {_map(props)})"
        if props is not None and "type" in value:
            return f"[:{value['type']} {_map(props)}]"
        return _map(value)
    if isinstance(value, list):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    return str(value)


def _literal(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else cell(value)


def _map(props: Mapping[str, Any]) -> str:
    return "{" + ", ".join(f"{k}: {_literal(v)}" for k, v in props.items()) + "}"


@dataclass
class Answer:
    text: str
    columns: list[str]
    rows: list[list[Any]]  # plain values
    ms: float


class CypherShell:
    """One read-only session on a store: ``run`` a statement at a time."""

    def __init__(self, graph: ReadOnlyGraph) -> None:
        self.graph = graph

    @classmethod
    async def open(cls, target: str) -> CypherShell:
        return cls(await open_read_only(target, fresh=True))

    @property
    def backend(self) -> str:
        return self.graph.backend

    @property
    def target(self) -> str:
        return self.graph.target

    async def run(self, text: str, params: Mapping[str, Any] | None = None) -> Answer:
        result: Result = await self.graph.query(text, params)
        return Answer(text, result.columns, [[plain(v) for v in row] for row in result.rows], result.ms)

    async def run_all(self, text: str, params: Mapping[str, Any] | None = None) -> list[Answer]:
        """Every statement of ``text`` (separated by ``;``), in order; all are checked before any runs."""
        from graph.readonly import check_read_only

        statements = split_statements(text)
        for s in statements:
            check_read_only(s)
        return [await self.run(s, params) for s in statements]

    async def close(self) -> None:
        await self.graph.close()
