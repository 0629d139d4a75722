"""What can go wrong talking to a platform, as short, human, identifier-free sentences.

Every error here ends up in ``PlatformStatus.error`` and in log lines, so none carries the request URL (it
holds the patient id), a credential, a body the platform sent, or aiohttp's own message (which quotes the
URL).  :func:`transport_error` turns aiohttp's exceptions into these, naming TLS failures precisely: a
regional platform that refuses the hub's client certificate answers with a TLS alert, and "the platform
requires a client certificate" is something an operator can act on where "connection lost" is not.
"""

from __future__ import annotations

import errno
import ssl

import aiohttp


class PlatformError(Exception):
    """A platform failed to answer usefully.  ``str()`` is a short sentence fit for a doctor's screen."""

    #: True when trying the same idempotent GET again may succeed (connection trouble, 5xx).
    retryable: bool = False


class Unreachable(PlatformError):
    """No connection could be made (refused, no route, DNS)."""

    retryable = True


class ConnectionLost(PlatformError):
    """The connection broke before a full answer arrived (server stopped mid-answer)."""

    retryable = True


class TlsError(PlatformError):
    """The TLS handshake failed: the platform's certificate is not trusted, or the platform refused the
    hub's client certificate.  Asking again gets the same answer."""


class CredentialsError(PlatformError):
    """The hub could not obtain credentials to present (token endpoint down or refusing, a secret file
    unreadable).  ``retryable`` is set per case: a token endpoint's 5xx may pass, ``invalid_client`` won't."""

    def __init__(self, message: str, *, retryable: bool = False) -> None:
        self.retryable = retryable
        super().__init__(message)


class HttpStatusError(PlatformError):
    """The platform answered with an HTTP error status."""

    def __init__(self, status: int, message: str | None = None) -> None:
        self.status = status
        self.retryable = status >= 500
        super().__init__(message or f"platform error (HTTP {status})")


class CredentialsRefused(HttpStatusError):
    """401/403: the platform does not accept the hub's credentials (or none were configured)."""

    def __init__(self, status: int) -> None:
        super().__init__(status, f"credentials refused (HTTP {status})")


class NotFound(HttpStatusError):
    """404 on a resource: for a study's metadata, the study is gone; for a search, a wrong baseUrl."""

    def __init__(self, what: str) -> None:
        super().__init__(404, f"{what} not found (HTTP 404)")


class NotDicomJson(PlatformError):
    """The body is not DICOM JSON (an HTML error page, a proxy's answer, truncated JSON…)."""

    def __init__(self, detail: str) -> None:
        super().__init__(f"answer is not DICOM JSON: {detail}")


# --------------------------------------------------------------------------------------------- mapping
def transport_error(exc: aiohttp.ClientError, what: str, *, tls: bool = False, client_cert: bool = False,
                    peer: str = "platform") -> PlatformError:
    """aiohttp's exception during ``what`` → one of ours.  ``tls``: the request was https;
    ``client_cert``: the hub presented a client certificate (it changes what a refusal means); ``peer``:
    what the other end is called in the message ("platform", "server")."""
    if isinstance(exc, aiohttp.ClientConnectorCertificateError):
        return TlsError(_untrusted(exc.certificate_error, peer))
    ssl_error = _ssl_cause(exc)
    if isinstance(ssl_error, ssl.SSLCertVerificationError):
        return TlsError(_untrusted(ssl_error, peer))
    if ssl_error is not None:
        return TlsError(_tls_refusal(ssl_error, client_cert, peer))
    if isinstance(exc, aiohttp.ClientConnectorError):
        return Unreachable(_connect_message(exc))
    if isinstance(exc, (aiohttp.ServerDisconnectedError, aiohttp.ClientPayloadError)):
        if tls:
            # A server that refuses a client certificate after a TLS 1.3 handshake may just close the
            # connection (asyncio servers do; OpenSSL-based ones send an alert, handled above).
            return ConnectionLost(f"connection lost during {what} (closed by the {peer} over TLS; "
                                  "a refused client certificate looks like this too)")
        return ConnectionLost(f"connection lost during {what}")
    if isinstance(exc, aiohttp.ClientOSError):
        return ConnectionLost(f"connection lost during {what} ({_strerror(exc)})")
    if isinstance(exc, aiohttp.ClientResponseError):  # malformed status line / headers
        return NotDicomJson(f"malformed HTTP answer to {what} (status {exc.status})")
    return ConnectionLost(f"HTTP failure during {what} ({type(exc).__name__})")


def _ssl_cause(exc: BaseException) -> ssl.SSLError | None:
    """The ``ssl.SSLError`` behind an aiohttp exception, if any (aiohttp keeps it as ``os_error``, as
    ``certificate_error`` or as ``__cause__``)."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        e = todo.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        # (aiohttp's ClientConnectorSSLError is itself an ssl.SSLError, without the reason: look behind it)
        if isinstance(e, ssl.SSLError) and not isinstance(e, aiohttp.ClientError):
            return e
        todo.extend([getattr(e, "os_error", None), getattr(e, "certificate_error", None), e.__cause__])
    return None


def _untrusted(error: BaseException, peer: str) -> str:
    detail = getattr(error, "verify_message", None) or getattr(error, "reason", None) or "verification failed"
    return f"TLS: the {peer}'s certificate is not trusted ({detail})"


#: TLS alerts a server sends about the certificate the client presented (or did not).
_CERT_ALERTS = {
    "CERTIFICATE_REQUIRED": "the {peer} requires a client certificate",
    "UNKNOWN_CA": "the {peer} does not trust the issuer of the hub's client certificate (unknown CA)",
    "BAD_CERTIFICATE": "the {peer} refused the hub's client certificate (bad certificate)",
    "CERTIFICATE_UNKNOWN": "the {peer} refused the hub's client certificate (certificate unknown)",
    "UNSUPPORTED_CERTIFICATE": "the {peer} refused the hub's client certificate (unsupported certificate)",
    "CERTIFICATE_EXPIRED": "the {peer} refused the hub's client certificate (expired)",
    "CERTIFICATE_REVOKED": "the {peer} refused the hub's client certificate (revoked)",
    "ACCESS_DENIED": "the {peer} denied access to the hub's client certificate",
}


def _tls_refusal(error: ssl.SSLError, client_cert: bool, peer: str) -> str:
    reason = (getattr(error, "reason", None) or "").upper()
    for suffix, text in _CERT_ALERTS.items():
        if reason.endswith(suffix):
            return "TLS: " + text.format(peer=peer) + ("" if client_cert else " (no clientCert configured)")
    if reason.endswith("HANDSHAKE_FAILURE"):
        hint = "" if client_cert else "; it may require a client certificate (no clientCert configured)"
        return f"TLS: the {peer} refused the handshake{hint}"
    if reason == "WRONG_VERSION_NUMBER":
        return f"TLS: the {peer} does not speak TLS on this port (wrong version number)"
    words = reason.replace("_", " ").lower() or type(error).__name__
    return f"TLS handshake failed ({words})"


def _strerror(exc: OSError) -> str:
    return exc.strerror or errno.errorcode.get(exc.errno or 0, "") or type(exc).__name__


def _connect_message(exc: aiohttp.ClientConnectorError) -> str:
    os_error = exc.os_error
    code = getattr(os_error, "errno", None)
    if code == errno.ECONNREFUSED or "refused" in str(os_error).lower():
        return "connection refused"
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        return "host name not found"
    if code in (errno.EHOSTUNREACH, errno.ENETUNREACH):
        return "host unreachable"
    return f"cannot connect ({_strerror(os_error)})"
