"""Real signed tokens against a real ``hub serve --auth-jwks URL``.

Test keys (RSA and EC, generated per session), a JWKS served by a real local HTTP server whose key set a
test can change (rotation), a regional platform that is a real HTTP server counting the requests it gets
(so a refusal can be shown to ask no platform), and the demo dataset in an embedded store.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterator

import pytest
from joserfc import jwt
from joserfc.jwk import ECKey, RSAKey

from tests.support.hubproc import ROOT, HubServer, hub_cli

ISSUER = "https://idp.example.test/realms/huren"
AUDIENCE = "huren-hub"


class KeyServer:
    """A JWKS at http://127.0.0.1:PORT/jwks.json (what it serves can change) and a platform that counts."""

    def __init__(self) -> None:
        self.jwks: dict[str, Any] = {"keys": []}
        self.jwks_reads = 0
        self.platform_requests = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                if self.path == "/jwks.json":
                    outer.jwks_reads += 1
                    body = json.dumps(outer.jwks).encode()
                else:  # the platform's QIDO: no studies
                    outer.platform_requests += 1
                    body = b"[]"
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/jwks.json"

    def stop(self) -> None:
        self.httpd.shutdown()


class Keys:
    def __init__(self) -> None:
        self.rsa = RSAKey.generate_key(2048, parameters={"kid": "rsa-1"}, private=True)
        self.ec = ECKey.generate_key("P-256", parameters={"kid": "ec-1"}, private=True)
        self.rotated = RSAKey.generate_key(2048, parameters={"kid": "rsa-2"}, private=True)

    def public_set(self, *keys: Any) -> dict[str, Any]:
        return {"keys": [k.as_dict(private=False) for k in keys]}

    def token(self, key: Any = None, alg: str = "RS256", **claims: Any) -> str:
        key = key or self.rsa
        now = int(time.time())
        body = {"iss": ISSUER, "aud": AUDIENCE, "sub": "dr-zhang", "iat": now, "exp": now + 600, **claims}
        body = {k: v for k, v in body.items() if v is not None}
        return jwt.encode({"alg": alg, "kid": key.kid}, body, key)


@pytest.fixture(scope="session")
def keys() -> Keys:
    return Keys()


@pytest.fixture(scope="session")
def key_server(keys: Keys) -> Iterator[KeyServer]:
    server = KeyServer()
    server.jwks = keys.public_set(keys.rsa, keys.ec)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def auth_graph(tmp_path_factory: pytest.TempPathFactory) -> Path:
    graph = tmp_path_factory.mktemp("auth") / "graph.lbug"
    hub_cli("load", "--graph", str(graph), str(ROOT / "seeds/demo/demo.yaml"))
    return graph


@pytest.fixture(scope="session")
def platforms_file(key_server: KeyServer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("auth-platforms") / "platforms.json"
    path.write_text(json.dumps({"platforms": [{
        "id": "counting", "name": "计数平台", "region": "110000", "protocol": "dicomweb",
        "baseUrl": f"http://127.0.0.1:{key_server.port}/dicom-web", "timeoutS": 5}]}))
    return path


@pytest.fixture(scope="session")
def secured_hub(auth_graph: Path, key_server: KeyServer, platforms_file: Path) -> Iterator[HubServer]:
    """hub serve with authentication on; rate limits high enough not to interfere (their own test lowers them)."""
    server = HubServer(auth_graph, "--auth-jwks", key_server.url, "--auth-issuer", ISSUER,
                       "--auth-audience", AUDIENCE, "--platforms", str(platforms_file),
                       "--rate-limit", "100000/minute", "--institution-rate-limit", "100000/minute", hub_env=False)
    yield server
    server.stop()
