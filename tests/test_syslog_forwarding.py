"""Audit forwarding (hub/services/audit/syslog.py) against a REAL collector: Debian's rsyslogd, started
here with a throw-away configuration on loopback — imtcp for RFC 6587 octet-counted TCP, and imtcp with
the gtls (GnuTLS) and ossl (OpenSSL) stream drivers for RFC 5425 TLS with mutual certificate
authentication (test certificates made with the openssl command).  What rsyslog parsed is written by its
own RFC 5424 parser into a file, field by field, and compared with what the hub's audit file holds.

Forwarding must never block or fail a request: with the collector down, appends stay fast and events are
dropped (counted) once the bounded queue is full; when the collector comes back, the queued ones arrive.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from hub.services.audit import AuditLog, Patient, Pseudonyms, SyslogForwarder, SyslogTarget, format_rfc5424, frame
from hub.services.audit.syslog import BOM

RSYSLOGD = shutil.which("rsyslogd") or "/usr/sbin/rsyslogd"
OPENSSL = shutil.which("openssl")
RAW_ID = "130102198807214321"
pytestmark = pytest.mark.skipif(not Path(RSYSLOGD).exists() or OPENSSL is None,
                                reason="rsyslogd / openssl not installed (scripts/install-test-deps.sh)")
FIELDS = ("pri", "version", "timestamp", "hostname", "app", "procid", "msgid", "sd", "msg")


# --- the collector ----------------------------------------------------------------------------------------


class Rsyslog:
    """One rsyslogd (no fork) listening on 127.0.0.1; every message received is written, as rsyslog's
    RFC 5424 parser split it, to ``received`` (one line each, ``|``-separated, the message last)."""

    def __init__(self, directory: Path, *, driver: str | None = None, certs: Path | None = None,
                 port: int = 0) -> None:
        self.dir = directory
        self.dir.mkdir(parents=True, exist_ok=True)
        self.received = directory / "received.log"
        self.raw = directory / "raw.log"
        self.port_file = directory / "port"
        tls_global = tls_module = ""
        if driver:
            tls_global = (f' DefaultNetstreamDriver="{driver}" DefaultNetstreamDriverCAFile="{certs}/ca.pem"'
                          f' DefaultNetstreamDriverCertFile="{certs}/server.pem"'
                          f' DefaultNetstreamDriverKeyFile="{certs}/server.key"')
            tls_module = (f' StreamDriver.Name="{driver}" StreamDriver.Mode="1"'
                          ' StreamDriver.AuthMode="x509/certvalid"')  # a client certificate from our CA
        fields = "|".join(("%pri%", "%protocol-version%", "%timereported:::date-rfc3339%", "%hostname%",
                           "%app-name%", "%procid%", "%msgid%", "%structured-data%", "%msg%"))
        (directory / "rsyslog.conf").write_text(f"""
global(workDirectory="{directory}" maxMessageSize="64k"{tls_global})
module(load="imtcp"{tls_module})
input(type="imtcp" address="127.0.0.1" port="{port}" listenPortFileName="{self.port_file}")
template(name="fields" type="string" string="{fields}\\n")
template(name="raw" type="string" string="%rawmsg%\\n")
action(type="omfile" file="{self.received}" template="fields")
action(type="omfile" file="{self.raw}" template="raw")
""")
        self.proc: subprocess.Popen[bytes] | None = None
        self.port, self.fixed_port = port, port != 0

    def start(self) -> "Rsyslog":
        self.port_file.unlink(missing_ok=True)
        self.proc = subprocess.Popen(
            [RSYSLOGD, "-n", "-f", str(self.dir / "rsyslog.conf"), "-i", str(self.dir / "rsyslogd.pid")],
            stdout=open(self.dir / "stdout", "ab"), stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while not self._listening():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"rsyslogd did not start: {(self.dir / 'stdout').read_text()[-2000:]}")
            time.sleep(0.02)
        return self

    def _listening(self) -> bool:
        if not self.fixed_port:  # port 0: rsyslog writes the port it got (only then)
            if not (self.port_file.exists() and self.port_file.read_text().strip()):
                return False
            self.port = int(self.port_file.read_text())
            return True
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
            return True
        except OSError:
            return False

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=20)
        self.proc = None

    def lines(self, n: int, timeout: float = 15) -> list[dict[str, str]]:
        """Wait for at least ``n`` received messages; each as its fields."""
        deadline = time.monotonic() + timeout
        while True:
            text = self.received.read_text(encoding="utf-8") if self.received.exists() else ""
            lines = [x for x in text.split("\n") if x]
            if len(lines) >= n or time.monotonic() > deadline:
                return [dict(zip(FIELDS, x.split("|", len(FIELDS) - 1))) for x in lines]
            time.sleep(0.05)


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A CA, the collector's certificate (localhost, 127.0.0.1) and the hub node's client certificate."""
    d = tmp_path_factory.mktemp("certs")

    def run(*args: str) -> None:
        subprocess.run([OPENSSL, *args], cwd=d, check=True, capture_output=True, timeout=60)

    ec = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes")
    run("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=audit test CA")
    for name, ext in (("server", "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n"),
                      ("client", "extendedKeyUsage=clientAuth\n")):
        (d / f"{name}.ext").write_text(ext)
        run("req", *ec, "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", f"/CN=hub-{name}")
        run("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", f"{name}.pem", "-days", "2", "-extfile", f"{name}.ext")
    return d


@pytest.fixture
def pseudonyms(tmp_path: Path) -> Pseudonyms:
    return Pseudonyms.from_file(tmp_path / "pseudonym.key")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def record_burst(log: AuditLog, n: int, start: int = 0) -> None:
    async def burst() -> None:
        await asyncio.gather(*(log.append(
            operation="priorStudies" if i % 4 else "reminders", outcome="forbidden" if i % 5 == 0 else "success",
            code="FORBIDDEN" if i % 5 == 0 else None, user="医生-07", role="clinician", institution="he-sjz-1",
            at="he-sjz-1", client="10.1.2.3", patient=Patient(f"{RAW_ID}-{i}", "CN-ID"),
            platforms=[("bj-pacs", True), ("tj-pacs", i % 2 == 0)]) for i in range(start, start + n)))

    asyncio.run(burst())


def assert_received_as_written(received: list[dict[str, str]], audit_file: Path, forwarder: SyslogForwarder) -> None:
    """Each message carries the RFC 5424 header fields and, as its MSG, the audit file's line exactly."""
    written = {json.loads(x)["seq"]: x for x in audit_file.read_text(encoding="utf-8").splitlines()}
    assert received
    for got in received:
        msg = got["msg"].removeprefix(BOM.decode("utf-8"))  # RFC 5424 6.4: a UTF-8 MSG starts with a BOM
        event = json.loads(msg)
        assert msg == written[event["seq"]]  # byte for byte: the collector can recompute the chain
        assert got["pri"] == str(10 * 8 + (4 if event["outcome"] == "forbidden" else 5))  # ITI-20: facility 10
        assert got["version"] == "1"  # parsed as RFC 5424, not as a legacy message
        assert got["timestamp"].startswith(event["time"][:19])
        assert (got["hostname"], got["app"], got["procid"]) == (forwarder.hostname, "huren-hub", str(os.getpid()))
        assert got["msgid"] == event["operation"] and got["sd"] == "-"
        assert event["patient"].startswith("p_") and "prev" in event and "hash" in event


# --- the message ------------------------------------------------------------------------------------------


def test_rfc5424_message_and_octet_counting_frame():
    line = '{"operation":"priorStudies","outcome":"success","user":"医生"}\n'.encode()
    event = {"time": "2026-11-23T08:15:02.123456Z", "operation": "priorStudies", "outcome": "success"}
    message = format_rfc5424(event, line, hostname="hub-1.example.cn", procid=42)
    assert message == (b"<85>1 2026-11-23T08:15:02.123456Z hub-1.example.cn huren-hub 42 priorStudies - "
                       + BOM + line.rstrip(b"\n"))
    assert format_rfc5424({**event, "outcome": "forbidden"}, line, hostname="h", procid=1).startswith(b"<84>1 ")
    assert frame(message) == str(len(message)).encode() + b" " + message  # octets, not characters
    assert len(message) > len(message.decode("utf-8"))
    odd = format_rfc5424({"operation": "a b\tc", "outcome": "success"}, b"{}", hostname="", procid=1)
    assert odd.startswith(b"<85>1 - - huren-hub 1 a_b_c - ")  # NILVALUE and printable-ASCII header fields


def test_collector_addresses():
    assert SyslogTarget.parse("tcp://collector.example.cn") == SyslogTarget("tcp", "collector.example.cn", 514)
    tls = SyslogTarget.parse("tls://10.0.0.9?ca=/etc/ca.pem&cert=/etc/n.pem&key=/etc/n.key&name=atna.example.cn")
    assert (tls.port, str(tls.ca), str(tls.cert), tls.server_name) == (6514, "/etc/ca.pem", "/etc/n.pem", "atna.example.cn")
    for bad in ("udp://x", "tcp://", "tcp://x?ca=/a", "tls://x?cert=/a", "tls://x?verify=no", "tls://x:99999"):
        with pytest.raises(ValueError):
            SyslogTarget.parse(bad)


# --- a real rsyslog ---------------------------------------------------------------------------------------


def test_forwarding_over_tcp_to_rsyslog(tmp_path: Path, pseudonyms: Pseudonyms):
    collector = Rsyslog(tmp_path / "rsyslog").start()
    try:
        forwarder = SyslogForwarder(f"tcp://127.0.0.1:{collector.port}")
        with AuditLog(tmp_path / "audit.jsonl", pseudonyms, forwarder=forwarder) as log:
            record_burst(log, 60)
            assert forwarder.flush(10)
        received = collector.lines(60)
        assert len(received) == 60 and forwarder.stats()["sent"] == 60 and forwarder.dropped == 0
        assert_received_as_written(received, tmp_path / "audit.jsonl", forwarder)
        raw = collector.raw.read_text(encoding="utf-8")
        assert raw.startswith("<8") and not raw[0].isdigit()  # the octet count was framing, not message
        assert RAW_ID not in raw and RAW_ID not in collector.received.read_text(encoding="utf-8")
    finally:
        collector.stop()


@pytest.mark.parametrize("driver", ["gtls", "ossl"])
def test_forwarding_over_tls_with_client_certificate(tmp_path: Path, pseudonyms: Pseudonyms, certs: Path,
                                                     driver: str):
    collector = Rsyslog(tmp_path / "rsyslog", driver=driver, certs=certs).start()
    try:
        forwarder = SyslogForwarder(f"tls://localhost:{collector.port}?ca={certs}/ca.pem"
                                    f"&cert={certs}/client.pem&key={certs}/client.key")
        with AuditLog(tmp_path / "audit.jsonl", pseudonyms, forwarder=forwarder) as log:
            record_burst(log, 25)
            assert forwarder.flush(10)
        received = collector.lines(25)
        assert len(received) == 25 and forwarder.connects == 1
        assert_received_as_written(received, tmp_path / "audit.jsonl", forwarder)
    finally:
        collector.stop()


def test_tls_collector_refusing_our_certificate_is_noticed(tmp_path: Path, pseudonyms: Pseudonyms, certs: Path):
    """Under TLS 1.3 the collector refuses a missing client certificate after our handshake is done; the
    forwarder must notice before sending (else the first event is lost while counted as sent)."""
    collector = Rsyslog(tmp_path / "rsyslog", driver="gtls", certs=certs).start()
    try:
        forwarder = SyslogForwarder(f"tls://localhost:{collector.port}?ca={certs}/ca.pem", max_backoff=0.3)
        with AuditLog(tmp_path / "audit.jsonl", pseudonyms, forwarder=forwarder) as log:
            started = time.monotonic()
            record_burst(log, 5)
            assert time.monotonic() - started < 5  # the requests were not held up
            assert not forwarder.flush(1.5)
            assert forwarder.sent == 0 and forwarder.connects == 0
            assert "refused" in (forwarder.last_error or "")
        assert collector.lines(1, timeout=0.5) == []
    finally:
        collector.stop()


def test_collector_down_never_blocks_and_queued_events_arrive_when_it_returns(tmp_path: Path,
                                                                               pseudonyms: Pseudonyms):
    port = free_port()  # nothing listens there yet
    forwarder = SyslogForwarder(f"tcp://127.0.0.1:{port}", queue_size=20, max_backoff=0.3, timeout=1)
    log = AuditLog(tmp_path / "audit.jsonl", pseudonyms, forwarder=forwarder)
    collector = Rsyslog(tmp_path / "rsyslog", port=port)
    try:
        started = time.monotonic()
        for i in range(60):
            log.record(operation="priorStudies", outcome="success", patient=Patient(f"{RAW_ID}-{i}"))
        elapsed = time.monotonic() - started
        assert elapsed < 5, elapsed  # appends did not wait for the collector
        assert forwarder.dropped >= 60 - 20 - 1 and forwarder.sent == 0  # bounded queue; one in hand
        assert forwarder.stats()["connected"] is False and forwarder.last_error

        collector.start()  # the collector comes back on the same port
        assert forwarder.flush(15)
        kept = 60 - forwarder.dropped
        received = collector.lines(kept)
        assert len(received) == kept
        seqs = [json.loads(r["msg"].removeprefix(BOM.decode()))["seq"] for r in received]
        assert seqs == sorted(seqs) and seqs[0] == 1  # the oldest queued ones, in order

        collector.stop()  # and goes away again, then returns: the forwarder notices the closed connection
        collector.start()
        for i in range(5):
            log.record(operation="reminders", outcome="success", patient=Patient(f"{RAW_ID}-x{i}"))
        assert forwarder.flush(15)
        later = collector.lines(kept + 5)
        assert [r["msgid"] for r in later[-5:]] == ["reminders"] * 5
        assert forwarder.connects == 2
    finally:
        log.close()
        collector.stop()
    assert_received_as_written(collector.lines(kept + 5), tmp_path / "audit.jsonl", forwarder)
