"""Neo4j Browser on the local server: ``NEO4J_HTTP_PORT=0 scripts/neo4j start DIR`` turns on the HTTP
connector, whose web server serves the Browser (org.neo4j.client:neo4j-browser from Maven Central, on
tools/neo4j's classpath) at /browser/.  Checked over plain HTTP: the page and the files it loads, the
discovery answer that points the Browser at this server's Bolt port, the WebSocket upgrade on that port
(how the Browser talks Bolt), the headers that keep the page on loopback, and the analyst's first question
asked of an exported store through the same server.

Its own server (the suite's servers run without HTTP); skipped without Java like them, a failure under CI.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import socket
import subprocess
import urllib.request
from pathlib import Path

import pytest

from tests.support.hubproc import HUB, ROOT

SCRIPT = ROOT / "scripts" / "neo4j"
LAUNCHER = ROOT / "tools" / "neo4j" / "target" / "neo4j-launcher.jar"
pytestmark = [pytest.mark.neo4j]


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"no Neo4j server under CI: {reason}", pytrace=False)
    pytest.skip(f"no Neo4j server: {reason}")


@pytest.fixture(scope="module")
def browser_server(tmp_path_factory):
    if shutil.which(os.environ.get("JAVA", "java")) is None:
        _unavailable("java not found (scripts/install-test-deps.sh)")
    if not LAUNCHER.exists() and shutil.which("mvn") is None:
        _unavailable("tools/neo4j is not built and mvn is not found (scripts/install-test-deps.sh)")
    home = tmp_path_factory.mktemp("neo4j-http")
    env = {**os.environ, "NEO4J_HTTP_PORT": "0", "NEO4J_HEAP": "512m", "NEO4J_JAVA_OPTS": "-XX:TieredStopAtLevel=1"}
    started = subprocess.run([str(SCRIPT), "start", str(home)], capture_output=True, text=True, timeout=600,
                             check=False, env=env)
    try:
        assert started.returncode == 0, started.stderr
        yield home, started
    finally:
        subprocess.run([str(SCRIPT), "stop", str(home)], capture_output=True, timeout=120, check=False)


def get(url: str, headers: dict | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=30) as r:
        return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()


def test_the_browser_page_is_served_and_points_at_this_server(browser_server):
    home, started = browser_server
    bolt = started.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"bolt://127\.0\.0\.1:\d+", bolt)  # the contract's last line is unchanged
    page = (home / "neo4j.browser").read_text().strip()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/browser/", page)
    assert f"Neo4j Browser at {page}?dbms={bolt}&preselectAuthMethod=NO_AUTH" in started.stderr

    status, headers, body = get(page)
    html = body.decode()
    assert status == 200 and headers["content-type"].startswith("text/html") and "<title>Neo4j Browser</title>" in html
    scripts = re.findall(r'src="([^"]+\.js)"', html)
    assert scripts and all(not s.startswith(("http:", "https:", "//")) for s in scripts)
    for src in scripts:
        status, _, data = get(page + src)
        assert status == 200 and len(data) > 1000, src
    # the page may load nothing from outside and its usage reports are off
    csp = headers["content-security-policy"]
    assert "script-src 'self';" in csp and "segment" not in csp and "googleapis" not in csp and "canny" not in csp
    # discovery: the Browser reads GET / to find the Bolt URL to connect to
    root = page.removesuffix("/browser/")
    _, _, discovery = get(root + "/", {"Accept": "application/json"})
    info = json.loads(discovery)
    assert info["bolt_direct"] == bolt and info["neo4j_version"] == "5.26.30" and info["neo4j_edition"] == "community"


def test_bolt_over_websocket_answers_the_browser(browser_server):
    """The Browser speaks Bolt over a WebSocket to the Bolt port."""
    _, started = browser_server
    port = int(started.stdout.strip().splitlines()[-1].rsplit(":", 1)[1])
    key = base64.b64encode(os.urandom(16)).decode()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall((f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                   f"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: {key}\r\n\r\n").encode())
        answer = s.recv(4096).decode(errors="replace")
    assert answer.startswith("HTTP/1.1 101"), answer


def test_an_exported_store_answers_through_the_server(browser_server, datasets, tmp_path):
    """The analyst's path: export the demo store, ask question 1 of docs/ANALYSTS.md through the server's
    HTTP API (the Browser sends the same text over Bolt); cross-origin callers are not let in."""
    home, started = browser_server
    bolt = started.stdout.strip().splitlines()[-1]
    source = datasets.target("ladybug", "demo", [ROOT / "seeds" / "demo" / "demo.yaml"])
    out = subprocess.run([HUB, "export", "--graph", source, "--to", bolt], cwd=ROOT, capture_output=True, text=True,
                         timeout=600, check=False)
    assert out.returncode == 0, out.stderr
    doc = (ROOT / "docs" / "ANALYSTS.md").read_text(encoding="utf-8")
    q1 = re.search(r"^```cypher q1\n(.*?)^```", doc, re.S | re.M).group(1).strip().rstrip(";")
    root = (home / "neo4j.browser").read_text().strip().removesuffix("/browser/")
    body = json.dumps({"statements": [{"statement": q1}]}).encode()
    request = urllib.request.Request(f"{root}/db/neo4j/tx/commit", data=body, headers={
        "Content-Type": "application/json", "Accept": "application/json", "Origin": "http://evil.example"})
    with urllib.request.urlopen(request, timeout=60) as r:
        answer = json.loads(r.read())
        allowed = r.headers.get("Access-Control-Allow-Origin")
    assert answer["errors"] == [], answer
    assert answer["results"][0]["data"][0]["row"] == [1, ["石家庄第一示例医院（示例）"]]
    assert allowed == root  # the Browser's own origin, not "*"


def test_stop_removes_the_browser_file(tmp_path):
    """``stop`` removes DIR/neo4j.browser with DIR/neo4j.url: a stopped server leaves no Browser URL behind."""
    home = Path(tmp_path)
    (home / "neo4j.browser").write_text("http://127.0.0.1:1/browser/\n")
    subprocess.run([str(SCRIPT), "stop", str(home)], capture_output=True, timeout=60, check=True)
    assert not (home / "neo4j.browser").exists()
