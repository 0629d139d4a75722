"""Real servers for the credential tests: an OAuth2 token endpoint, a DICOMweb front that demands a bearer
token over mutual TLS and proxies to a real Orthanc, and OpenSSL's own TLS server.

* :class:`TokenEndpoint` — an aiohttp HTTPS server implementing RFC 6749 4.4 (client credentials) for
  one client: client authentication by HTTP basic or in the body, ``invalid_client`` on a wrong secret,
  expiring tokens (``expires_in``), revocation, and switchable faults (500, an HTML page, a delay).
* :class:`DicomWebFront` — an aiohttp HTTPS server on loopback that requires a client certificate of
  the regional CA, checks ``Authorization: Bearer`` against what the token endpoint issued (or against
  static tokens), answers 401 otherwise, and forwards accepted GETs verbatim to an Orthanc (the
  DICOMweb answers under test come from Orthanc, not from here).  Like any asyncio server, it closes the
  connection without a TLS alert when the client certificate is missing or unknown.
* :class:`OpenSslServer` — ``openssl s_server``: the TLS stack of nginx and most platform gateways,
  which does send the alert ("certificate required", "unknown ca") a refused client sees.
"""

from __future__ import annotations

import asyncio
import base64
import secrets
import socket
import ssl
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import unquote_plus

import aiohttp
from aiohttp import web
from yarl import URL

from tests.connectors.connectors_harness import free_port
from tests.connectors.tls_material import OPENSSL, Leaf, Pki


async def _serve(app: web.Application, ctx: ssl.SSLContext | None) -> tuple[web.AppRunner, int]:
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=ctx)
    await site.start()
    server = site._server  # the bound port (0 was asked)
    assert server is not None and server.sockets
    return runner, server.sockets[0].getsockname()[1]


@dataclass
class Issued:
    token: str
    expires_at: float  # time.monotonic()


@dataclass
class TokenEndpoint:
    """A real OAuth2 token endpoint (client credentials) for one client."""

    pki: Pki
    client_id: str
    client_secret: str
    lifetime_s: float = 3600.0
    require_client_cert: bool = True
    leaf: Leaf | None = None  # the server certificate (default: the regional one)
    fault: str | None = None  # None | "500" | "html" | "no-expiry"
    delay_s: float = 0.0
    fetches: int = 0
    scopes: list[str | None] = field(default_factory=list)
    methods: list[str] = field(default_factory=list)
    issued: list[Issued] = field(default_factory=list)
    port: int = 0
    _runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}/oauth2/token"

    def valid(self, token: str) -> bool:
        now = time.monotonic()
        return any(i.token == token and now < i.expires_at for i in self.issued)

    def revoke_all(self) -> None:
        self.issued.clear()

    async def _token(self, request: web.Request) -> web.Response:
        self.fetches += 1
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        if self.fault == "500":
            return web.Response(status=500, text="internal error")
        if self.fault == "html":
            return web.Response(status=200, text="<html>login page</html>", content_type="text/html")
        form = await request.post()
        if form.get("grant_type") != "client_credentials":
            return web.json_response({"error": "unsupported_grant_type"}, status=400)
        header = request.headers.get("Authorization", "")
        if header.startswith("Basic "):
            raw_id, _, raw_secret = base64.b64decode(header[6:]).decode().partition(":")
            client_id, secret = unquote_plus(raw_id), unquote_plus(raw_secret)  # RFC 6749 2.3.1
            self.methods.append("client_secret_basic")
        else:
            client_id, secret = str(form.get("client_id", "")), str(form.get("client_secret", ""))
            self.methods.append("client_secret_post")
        if client_id != self.client_id or secret != self.client_secret:
            return web.json_response(
                # an error_description echoing what it got: the hub must not pass it on
                {"error": "invalid_client", "error_description": f"bad secret {secret!r} for {client_id!r}"},
                status=401, headers={"WWW-Authenticate": 'Basic realm="token"'})
        scope = form.get("scope")
        self.scopes.append(str(scope) if scope is not None else None)
        token = f"at-{self.fetches}-{secrets.token_urlsafe(12)}"
        self.issued.append(Issued(token, time.monotonic() + self.lifetime_s))
        answer: dict[str, object] = {"access_token": token, "token_type": "Bearer"}
        if self.fault != "no-expiry":
            answer["expires_in"] = self.lifetime_s
        if scope is not None:
            answer["scope"] = scope
        return web.json_response(answer, headers={"Cache-Control": "no-store"})

    async def start(self) -> TokenEndpoint:
        app = web.Application()
        app.router.add_post("/oauth2/token", self._token)
        ctx = self.pki.server_context(leaf=self.leaf, require_client_cert=self.require_client_cert)
        self._runner, self.port = await _serve(app, ctx)
        return self

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()
            self._runner = None


@dataclass
class DicomWebFront:
    """A platform's HTTPS DICOMweb front: mutual TLS, bearer tokens, then Orthanc behind it."""

    pki: Pki
    upstream: str  # Orthanc's http://127.0.0.1:PORT
    accept: Callable[[str], bool] = lambda token: False
    leaf: Leaf | None = None
    require_client_cert: bool = True
    seen: list[str | None] = field(default_factory=list)  # the Authorization header of every request
    refused: int = 0
    port: int = 0
    _runner: web.AppRunner | None = None
    _session: aiohttp.ClientSession | None = None

    @property
    def dicomweb(self) -> str:
        return f"https://127.0.0.1:{self.port}/dicom-web"

    async def _forward(self, request: web.Request) -> web.Response:
        header = request.headers.get("Authorization")
        self.seen.append(header)
        if not header or not header.startswith("Bearer ") or not self.accept(header[7:]):
            self.refused += 1
            return web.json_response({"error": "invalid_token"}, status=401,
                                     headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
        assert self._session is not None
        # the path and query exactly as the hub sent them (Orthanc 1.10 does not percent-decode)
        url = URL(self.upstream + request.raw_path, encoded=True)
        async with self._session.get(url, headers={"Accept": request.headers.get("Accept", "*/*")}) as resp:
            body = await resp.read()
            return web.Response(status=resp.status, body=body,
                                headers={"Content-Type": resp.headers.get("Content-Type", "application/json")})

    async def start(self) -> DicomWebFront:
        self._session = aiohttp.ClientSession()
        app = web.Application()
        app.router.add_get("/{tail:.*}", self._forward)
        ctx = self.pki.server_context(leaf=self.leaf, require_client_cert=self.require_client_cert)
        self._runner, self.port = await _serve(app, ctx)
        return self

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()
            self._runner = None
        if self._session:
            await self._session.close()
            self._session = None


class OpenSslServer:
    """``openssl s_server -www`` on loopback demanding a client certificate of the regional CA."""

    def __init__(self, pki: Pki, *, tls: str = "tls1_3") -> None:
        self.pki = pki
        self.tls = tls
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def dicomweb(self) -> str:
        return f"https://127.0.0.1:{self.port}/dicom-web"

    def start(self, timeout: float = 10.0) -> OpenSslServer:
        for _ in range(3):
            self.port = free_port()
            self.proc = subprocess.Popen(
                [OPENSSL, "s_server", "-accept", f"127.0.0.1:{self.port}", "-cert", str(self.pki.server.cert),
                 "-key", str(self.pki.server.key), "-CAfile", str(self.pki.ca.cert), "-Verify", "1",
                 "-verify_return_error", "-www", f"-{self.tls}", "-quiet"],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and self.proc.poll() is None:
                try:
                    socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                    return self
                except OSError:
                    time.sleep(0.02)
            self.stop()
        raise RuntimeError("openssl s_server did not start")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
