"""Test PKI made on the spot with the openssl CLI: a CA, a server certificate for 127.0.0.1, client
certificates — and a second, unrelated CA to play the stranger.

The ``cryptography`` package is not among the hub's dependencies, and Debian's ``openssl`` (in every
image we run on) does the job in a few milliseconds per key (EC P-256).  Certificates carry the
extensions a strict verifier expects (CA basicConstraints/keyUsage, SAN, EKU, key identifiers).
"""

from __future__ import annotations

import shutil
import ssl
import subprocess
from dataclasses import dataclass
from pathlib import Path

OPENSSL = shutil.which("openssl") or "/usr/bin/openssl"


def openssl_missing() -> str | None:
    return None if Path(OPENSSL).exists() else f"{OPENSSL} not found (Debian package openssl)"


def _run(*args: str, cwd: Path) -> None:
    done = subprocess.run([OPENSSL, *args], cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"openssl {' '.join(args)} failed:\n{done.stderr}")


@dataclass(frozen=True)
class Leaf:
    cert: Path
    key: Path


@dataclass(frozen=True)
class Authority:
    """A CA that can sign server and client certificates."""

    name: str
    dir: Path
    cert: Path
    key: Path

    @classmethod
    def create(cls, workdir: Path, name: str) -> Authority:
        d = workdir / name
        d.mkdir(parents=True, exist_ok=True)
        cert, key = d / "ca.pem", d / "ca.key"
        _run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
             "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", f"/O=hub tests/CN={name} CA",
             "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign",
             "-addext", "subjectKeyIdentifier=hash", cwd=d)
        return cls(name, d, cert, key)

    def issue(self, name: str, *, server: bool) -> Leaf:
        """A leaf certificate: for a server on 127.0.0.1/localhost, or for a client named ``name``."""
        cert, key, csr, ext = (self.dir / f"{name}.pem", self.dir / f"{name}.key", self.dir / f"{name}.csr",
                               self.dir / f"{name}.ext")
        _run("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
             "-keyout", str(key), "-out", str(csr), "-subj", f"/O=hub tests/CN={name}", cwd=self.dir)
        lines = ["basicConstraints=critical,CA:FALSE", "keyUsage=critical,digitalSignature",
                 "subjectKeyIdentifier=hash", "authorityKeyIdentifier=keyid"]
        if server:
            lines += ["extendedKeyUsage=serverAuth", "subjectAltName=IP:127.0.0.1,DNS:localhost"]
        else:
            lines += ["extendedKeyUsage=clientAuth"]
        ext.write_text("\n".join(lines) + "\n")
        _run("x509", "-req", "-in", str(csr), "-CA", str(self.cert), "-CAkey", str(self.key),
             "-CAcreateserial", "-days", "2", "-out", str(cert), "-extfile", str(ext), cwd=self.dir)
        return Leaf(cert, key)


@dataclass(frozen=True)
class Pki:
    """Everything the credential tests use."""

    ca: Authority  # the regional platforms' CA: signs their servers and the hub's client certificate
    server: Leaf  # 127.0.0.1, signed by ca
    client: Leaf  # the hub, signed by ca
    stranger: Authority  # a CA nobody here trusts
    stranger_server: Leaf  # 127.0.0.1, signed by stranger
    stranger_client: Leaf  # a client certificate the platforms do not trust

    @classmethod
    def create(cls, workdir: Path) -> Pki:
        ca = Authority.create(workdir, "regional")
        stranger = Authority.create(workdir, "stranger")
        return cls(ca, ca.issue("platform", server=True), ca.issue("hub", server=False),
                   stranger, stranger.issue("platform", server=True), stranger.issue("intruder", server=False))

    def server_context(self, *, leaf: Leaf | None = None, require_client_cert: bool = True) -> ssl.SSLContext:
        """A server-side context: presents ``leaf`` (default: the regional server) and, unless told
        otherwise, demands a client certificate signed by the regional CA."""
        leaf = leaf or self.server
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=str(self.ca.cert))
        ctx.load_cert_chain(str(leaf.cert), str(leaf.key))
        ctx.verify_mode = ssl.CERT_REQUIRED if require_client_cert else ssl.CERT_NONE
        return ctx
