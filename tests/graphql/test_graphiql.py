"""GraphiQL works on a closed network: the page and every file it loads come from the hub itself.

The browser test drives Debian's headless chromium over the DevTools protocol (playwright-core from
tools/gateway) with the outside network unreachable: it loads /graphql, runs the preloaded core question,
reads the rendered result, browses the schema docs, and lists every request the page made.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from hub.web.graphiql import STATIC
from tests.graphql.support import GATEWAY_TOOLS

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def test_page_loads_nothing_from_outside(hub):
    status, headers, body = hub.request("GET", "/graphql", headers={"Accept": "text/html"})
    assert status == 200 and headers["content-type"].startswith("text/html")
    page = body.decode()
    # every script and stylesheet is a path on this server
    refs = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert refs and all(r.startswith("/static/") for r in refs), refs
    assert "unpkg.com" not in page and "cdn" not in page.lower()
    csp = headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp and "connect-src 'self'" in csp
    # the core question is preloaded, with its variables
    assert "recognizability(study: $study" in page and "BJ-IMG:BW23ZYZZZ-00" in page and "he-sjz-1" in page
    for ref in refs:
        s, h, data = hub.request("GET", ref, headers={"Accept-Encoding": "gzip"})
        assert s == 200 and len(data) > 100, ref
        if ref.endswith(".js") and "graphiql/" in ref:
            assert h.get("content-encoding") == "gzip"
    # ETag revalidation
    s, h, _ = hub.request("GET", "/static/graphiql/graphiql.css")
    s2, _, _ = hub.request("GET", "/static/graphiql/graphiql.css", headers={"If-None-Match": h["etag"]})
    assert (s, s2) == (200, 304)
    assert hub.request("GET", "/static/graphiql/../../config.py")[0] == 404
    assert hub.request("GET", "/static/hub/nope.js")[0] == 404


def test_vendored_files_match_their_manifest():
    manifest = json.loads((STATIC / "graphiql" / "manifest.json").read_text())
    assert manifest["package"] == "@graphql-yoga/render-graphiql"
    lock = json.loads((GATEWAY_TOOLS / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/@graphql-yoga/render-graphiql"]["version"] == manifest["version"]
    for name, meta in manifest["files"].items():
        data = (STATIC / "graphiql" / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == meta["sha256"], name


def test_vendored_files_are_what_the_pinned_package_ships():
    assert (GATEWAY_TOOLS / "node_modules").exists(), "run scripts/install-test-deps.sh (tools/gateway npm ci)"
    r = subprocess.run(["node", "build-graphiql.mjs", "--check"], cwd=GATEWAY_TOOLS, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr


def test_graphiql_renders_and_runs_a_query_in_chromium_offline(hub, tmp_path):
    assert Path(CHROMIUM).exists(), "chromium missing: run scripts/install-test-deps.sh"
    shot = tmp_path / "graphiql.png"
    r = subprocess.run(
        ["node", "graphiql-check.mjs", f"{hub.url}/graphql", str(shot)], cwd=GATEWAY_TOOLS,
        capture_output=True, text=True, timeout=300, env={"CHROMIUM": CHROMIUM, "PATH": "/usr/bin:/bin"},
    )
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout.strip().splitlines()[-1])
    assert "error" not in report, report.get("error")
    # the preloaded tabs
    assert report["tabs"][:4] == ["Recognizability", "Recognizabilities", "Equivalents", "Institution"]
    # the query ran from the page and its result rendered
    result = report["result"].replace("\u00a0", " ")  # Monaco renders spaces as no-break spaces
    assert '"verdict": "RECOGNIZED"' in result and "京津冀HR" in result and "HE-IMG:122" in result, result
    # the schema docs are browsable: Query → recognizability with its description and arguments
    assert "Is this prior study recognizable" in report["docs"] and "StudyInput!" in report["docs"]
    # nothing left loopback: every request went to this hub, none was even attempted elsewhere
    assert report["offLoopback"] == []
    prefix = f"{hub.url}/"
    assert all(line.split(" ", 1)[1].startswith(prefix) for line in report["requests"]), report["requests"]
    paths = {line.split(" ", 1)[1][len(prefix) - 1:] for line in report["requests"]}
    assert {"/static/graphiql/graphiql.js", "/static/graphiql/graphiql.css", "/graphql"} <= paths
    assert any(p.endswith(".worker.js") for p in paths)  # Monaco's workers, from the hub too
    assert report["cspViolations"] == [] and report["consoleErrors"] == []
    assert shot.exists() and shot.stat().st_size > 10_000
