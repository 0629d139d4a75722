"""Every statement that can run on Neo4j (common + neo4j overrides, each part) passes Neo4j's own offline
linter (tools/node/lint-cypher.mjs, @neo4j-cypher/language-support) without an error.

No Neo4j server can run on the build machines, so this is what keeps the LadybugDB dialect (``label()``,
``COPY``, ``CREATE NODE TABLE`` …) out of the statements Neo4j runs.  The schema handed to the linter
(labels, relationship types, property keys) is read from the LadybugDB DDL, the one typed description of
the graph model, so a misspelt label or property shows up as well.

Without ``tools/node/node_modules`` the test skips — unless ``CI`` is set, where it fails: CI must run it
(``cd tools/node && npm ci``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from graph.statements import CYPHER_DIR, for_backend, statement

NODE_DIR = Path(__file__).resolve().parents[1] / "tools" / "node"
SCRIPT = NODE_DIR / "lint-cypher.mjs"
PACKAGE = NODE_DIR / "node_modules" / "@neo4j-cypher" / "language-support"
#: fields of the ``$rows`` maps that are not properties of the model (the linter checks map keys too)
ROW_FIELDS = ("src", "dst", "child", "parent", "members", "governs", "catalogs")


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def graph_schema() -> dict[str, list[str]]:
    """Labels, relationship types and property keys of the graph model, from the LadybugDB DDL."""
    labels, rel_types, keys = [], [], set()
    for part in statement("schema", "ladybug").parts:
        if m := re.match(r"CREATE NODE TABLE IF NOT EXISTS (\w+)\((.*)\)\s*$", part, re.S):
            labels.append(m.group(1))
            keys.update(col.split()[0] for col in m.group(2).split(","))
        elif m := re.match(r"CREATE REL TABLE IF NOT EXISTS (\w+)\(", part):
            rel_types.append(m.group(1))
    keys.update(ROW_FIELDS)
    return {"labels": labels, "relationshipTypes": rel_types, "propertyKeys": sorted(keys)}


@pytest.fixture(scope="module")
def lint_results() -> dict[str, list[dict]]:
    node = shutil.which("node")
    if not PACKAGE.exists() or node is None:
        message = (
            f"Cypher lint needs node and {PACKAGE.relative_to(NODE_DIR.parents[1])} "
            f"(run: cd tools/node && npm ci)"
        )
        if _in_ci():
            pytest.fail(message + " — CI is set, so this is a failure, not a skip")
        pytest.skip(message)
    statements = [
        {"name": f"{s.name}#{i + 1}" if len(s.parts) > 1 else s.name, "text": part}
        for s in for_backend("neo4j")
        for i, part in enumerate(s.parts)
    ]
    payload = json.dumps({"statements": statements, "schema": graph_schema()})
    proc = subprocess.run(
        [node, str(SCRIPT)], input=payload, capture_output=True, text=True, cwd=NODE_DIR, timeout=300
    )
    assert proc.returncode == 0, f"lint-cypher.mjs failed:\n{proc.stderr}"
    out = json.loads(proc.stdout)
    assert len(out["results"]) == len(statements)
    return {r["name"]: r["diagnostics"] for r in out["results"]}


def _report(found: dict[str, list[dict]]) -> str:
    return "\n".join(
        f"{name} ({statement(name.split('#')[0], 'neo4j').path.relative_to(CYPHER_DIR)}) "
        f"line {d['line']}:{d['column']}: {d['message']}"
        for name, ds in found.items()
        for d in ds
    )


def test_every_neo4j_statement_is_linted(lint_results):
    expected = {s.name for s in for_backend("neo4j")}
    assert {name.split("#")[0] for name in lint_results} == expected
    assert "schema" in expected and "mark.upsert" in expected


def test_no_errors(lint_results):
    errors = {n: [d for d in ds if d["severity"] == "error"] for n, ds in lint_results.items()}
    errors = {n: ds for n, ds in errors.items() if ds}
    assert not errors, "Neo4j would reject these statements:\n" + _report(errors)


def test_no_unknown_labels_types_or_properties(lint_results):
    """The linter warns about a label, relationship type or property the model does not have."""
    unknown = {
        n: [d for d in ds if "is not present in the database" in d["message"]] for n, ds in lint_results.items()
    }
    unknown = {n: ds for n, ds in unknown.items() if ds}
    assert not unknown, "not in the graph model (typo?):\n" + _report(unknown)


def test_linter_catches_ladybug_dialect():
    """The linter is not a rubber stamp: LadybugDB-only syntax is an error for it."""
    node = shutil.which("node")
    if not PACKAGE.exists() or node is None:
        if _in_ci():
            pytest.fail("Cypher lint needs node and tools/node/node_modules (CI is set)")
        pytest.skip("Cypher lint needs node and tools/node/node_modules (run: cd tools/node && npm ci)")
    statements = [
        {"name": "copy", "text": statement("bulk.Mark", "ladybug").text},
        {"name": "ddl", "text": statement("schema", "ladybug").parts[0]},
        {"name": "label", "text": "MATCH (n:Region) RETURN label(n) AS l"},
        {"name": "ok", "text": "MATCH (n:Region {code: $code}) RETURN labels(n)[0] AS l"},
    ]
    proc = subprocess.run(
        [node, str(SCRIPT)],
        input=json.dumps({"statements": statements, "schema": graph_schema()}),
        capture_output=True, text=True, cwd=NODE_DIR, timeout=120, check=True,
    )
    results = {r["name"]: r["diagnostics"] for r in json.loads(proc.stdout)["results"]}
    for name in ("copy", "ddl", "label"):
        assert any(d["severity"] == "error" for d in results[name]), (name, results[name])
    assert results["ok"] == []
