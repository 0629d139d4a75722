"""Real servers for the connector tests: Orthanc processes, and small aiohttp servers of our own.

* :class:`OrthancServer` runs ``/usr/sbin/Orthanc`` (Debian ``orthanc`` + ``orthanc-dicomweb``,
  installed by ``scripts/install-test-deps.sh``) on a free loopback port with a temporary store and its
  own configuration, waits until it answers, and stops it with a signal at teardown.
* :class:`MisbehavingServer` is a real HTTP server on loopback that answers late, or answers garbage —
  the two faults Orthanc cannot be made to produce on demand.

Nothing here imitates a DICOMweb server's logic; the DICOMweb answers under test come from Orthanc.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path

from aiohttp import web
from pydicom.dataset import Dataset

from tests.connectors.dicom_synth import stow_body

ORTHANC = shutil.which("Orthanc") or "/usr/sbin/Orthanc"
DICOMWEB_PLUGIN = "/usr/share/orthanc/plugins/libOrthancDicomWeb.so"


def orthanc_missing() -> str | None:
    """Why Orthanc cannot run here, or None."""
    if not os.path.exists(ORTHANC):
        return f"{ORTHANC} not found"
    if not os.path.exists(DICOMWEB_PLUGIN):
        return f"{DICOMWEB_PLUGIN} not found"
    return None


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class OrthancServer:
    """One Orthanc process with the DICOMweb plugin, on loopback, with a throw-away store."""

    def __init__(self, name: str, workdir: Path, *, users: dict[str, str] | None = None) -> None:
        self.name = name
        self.dir = workdir / name
        self.users = users or {}
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def dicomweb(self) -> str:
        return f"{self.url}/dicom-web"

    def _config(self) -> dict[str, object]:
        store = self.dir / "db"
        return {
            "Name": self.name,
            "StorageDirectory": str(store),
            "IndexDirectory": str(store),
            "HttpPort": self.port,
            "DicomServerEnabled": False,
            "RemoteAccessAllowed": False,
            "AuthenticationEnabled": bool(self.users),
            "RegisteredUsers": self.users,
            "Plugins": [DICOMWEB_PLUGIN],
            "DicomWeb": {"Enable": True, "Root": "/dicom-web/"},
            # answers in UTF-8: with the default (Latin-1) the plugin drops Chinese InstitutionName
            "DefaultEncoding": "Utf8",
            "HttpTimeout": 10,
        }

    def start(self, timeout: float = 20.0) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        for _ in range(3):  # a free port can be taken between probing and binding: try another
            self.port = free_port()
            config = self.dir / "orthanc.json"
            config.write_text(json.dumps(self._config()))
            with open(self.dir / "orthanc.log", "ab") as log:
                self.proc = subprocess.Popen([ORTHANC, str(config)], stdout=log, stderr=subprocess.STDOUT,
                                             cwd=self.dir)
            if self._wait_ready(timeout):
                return
            self.stop(signal.SIGKILL)
        raise RuntimeError(f"Orthanc {self.name} did not start; log:\n{self.log_tail()}")

    def _wait_ready(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                return False
            try:
                with urllib.request.urlopen(self._request("/system"), timeout=1) as resp:
                    if resp.status == 200:
                        return True
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.05)
        return False

    def _request(self, path: str, data: bytes | None = None,
                 headers: dict[str, str] | None = None) -> urllib.request.Request:
        req = urllib.request.Request(self.url + path, data=data, headers=headers or {})
        if self.users:
            user, password = next(iter(self.users.items()))
            token = base64.b64encode(f"{user}:{password}".encode()).decode()
            req.add_header("Authorization", f"Basic {token}")
        return req

    def stow(self, instances: Sequence[Dataset]) -> None:
        """Upload over STOW-RS (multipart/related; type="application/dicom")."""
        body, ctype = stow_body(instances)
        req = self._request("/dicom-web/studies", data=body,
                            headers={"Content-Type": ctype, "Accept": "application/dicom+json"})
        with urllib.request.urlopen(req, timeout=30) as resp:
            answer = json.loads(resp.read())
        failed = answer.get("00081198", {}).get("Value")
        if resp.status != 200 or failed:
            raise RuntimeError(f"STOW-RS to {self.name} failed: {resp.status} {failed}")

    def delete_study(self, study_uid: str) -> None:
        """Remove a study through Orthanc's REST API (as an archive's retention job would)."""
        req = self._request("/tools/lookup", data=study_uid.encode(), headers={"Content-Type": "text/plain"})
        with urllib.request.urlopen(req, timeout=10) as resp:
            found = [r["ID"] for r in json.loads(resp.read()) if r["Type"] == "Study"]
        for orthanc_id in found:
            req = self._request(f"/studies/{orthanc_id}")
            req.method = "DELETE"
            urllib.request.urlopen(req, timeout=10).close()

    def send(self, sig: int) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15.0) -> None:
        if not self.proc or self.proc.poll() is not None:
            return
        if sig != signal.SIGKILL:
            self.proc.send_signal(signal.SIGCONT)  # in case a test froze it
        self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join((self.dir / "orthanc.log").read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


class MisbehavingServer:
    """A real HTTP server on loopback that answers every GET after ``delay`` seconds with ``body``."""

    def __init__(self, *, delay: float = 0.0, body: bytes = b"[]", status: int = 200,
                 content_type: str = "application/dicom+json", port: int = 0) -> None:
        self.delay = delay
        self.body = body
        self.status = status
        self.content_type = content_type
        self.port = port
        self.hits = 0
        self._runner: web.AppRunner | None = None

    @property
    def dicomweb(self) -> str:
        return f"http://127.0.0.1:{self.port}/dicom-web"

    async def _handle(self, request: web.Request) -> web.Response:
        self.hits += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        return web.Response(body=self.body, status=self.status, content_type=None,
                            headers={"Content-Type": self.content_type})

    async def start(self) -> MisbehavingServer:
        app = web.Application()
        app.router.add_route("GET", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port)
        await site.start()
        if not self.port:
            server = site._server  # the bound port when 0 was asked
            assert server is not None and server.sockets
            self.port = server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()
            self._runner = None
