"""A small DICOMweb client (QIDO-RS searches, WADO-RS metadata) on one shared aiohttp session.

Why it looks the way it does:

* **One session for the hub** (:func:`make_session`): connections to a platform are pooled and
  reused across searches, and the connector caps the connections in total and per host, so a burst of
  doctors' searches cannot open hundreds of sockets to one regional platform.
* **Every tag is named in ``includefield``**: servers answer only the attributes the standard requires
  unless asked, and ``includefield=all`` adds nothing on Orthanc (FIELD-NOTES).
* **Query values are percent-encoded only when they must be** (:func:`query_string`): Orthanc 1.10 does
  not percent-decode query values, so ``P%5E1`` would match nothing there while ``P^1`` matches; a
  standard server decodes either form.  Characters that would change the query's structure (space,
  ``&``, ``=``, ``+``, ``#``, ``%``, ``;``) and non-ASCII are still encoded — correct for a conforming
  server; a value holding them cannot match on Orthanc 1.10, which is that server's defect, not
  something to paper over with wildcards (which could match another patient).
* **One attempt per call**: retries, timeouts and circuit breaking belong to the fan-out
  (:mod:`connectors.fanout`), which knows each platform's time budget.
* **Errors are short, human and identifier-free** (:class:`PlatformError` and subclasses, in
  :mod:`connectors.errors`): they end up in ``PlatformStatus.error`` and in logs, so they never carry the
  request URL (it holds the patient id), the credentials, or aiohttp's own message.
* **Credentials and TLS per platform** (:mod:`connectors.credentials`): each request asks the platform's
  authorizer for its Authorization header (basic, bearer, OAuth2 client credentials) and passes the
  platform's ``SSLContext`` (its CA bundle, the hub's client certificate); a 401 to a token that can be
  renewed is tried once more with the new one.
* **DICOM JSON is parsed with pydicom** (``Dataset.from_json``); an answer that is not DICOM JSON is
  :class:`NotDicomJson`, not a crash further down.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp
from pydicom.dataset import Dataset
from yarl import URL

from connectors.credentials import PlatformCredentials, send_authorized
from connectors.errors import (
    ConnectionLost,
    CredentialsError,
    CredentialsRefused,
    HttpStatusError,
    NotDicomJson,
    NotFound,
    PlatformError,
    TlsError,
    Unreachable,
    transport_error,
)
from connectors.platforms import Platform
from connectors.privacy import pseudonym

__all__ = ["DICOM_JSON", "ConnectionLost", "CredentialsError", "CredentialsRefused", "DicomWebClient",
           "HttpStatusError", "NotDicomJson", "NotFound", "PlatformError", "StudyQuery", "TlsError",
           "Unreachable", "build_url", "make_session", "parse_dicom_json", "query_string"]

log = logging.getLogger(__name__)

DICOM_JSON = "application/dicom+json"
#: A QIDO/metadata answer bigger than this is refused rather than read into memory.
MAX_BODY_BYTES = 64 * 1024 * 1024

#: Study-level attributes the hub reads (QIDO ``includefield``).  InstitutionName is not a standard
#: study-level return key, but servers that index it (Orthanc does) save a metadata round trip.
STUDY_FIELDS: tuple[str, ...] = (
    "StudyInstanceUID", "StudyDate", "StudyTime", "StudyDescription", "ModalitiesInStudy",
    "AccessionNumber", "PatientID", "IssuerOfPatientID", "InstitutionName",
    "NumberOfStudyRelatedSeries", "NumberOfStudyRelatedInstances",
)
#: Series-level attributes the completeness rules need (QIDO ``includefield``).  SliceThickness,
#: ImageType and ImagesInAcquisition are instance attributes: Orthanc returns them at series level only
#: when named (FIELD-NOTES).
SERIES_FIELDS: tuple[str, ...] = (
    "SeriesInstanceUID", "SeriesNumber", "SeriesDescription", "Modality", "SliceThickness",
    "ImageType", "NumberOfSeriesRelatedInstances", "ImagesInAcquisition", "BodyPartExamined",
)

# Characters sent as they are in a query value: RFC 3986 unreserved, the sub-delimiters that do not
# split a query (``!$'()*,``), ``:@/?``, and ``^`` (DICOM's component separator, sent raw by browsers).
_RAW_OK = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$'()*,:@/?^")


# --------------------------------------------------------------------------------------------- query
@dataclass(frozen=True)
class StudyQuery:
    """What a prior-study search asks a platform.  ``repr`` hides the patient identifier."""

    patient_id: str
    issuer: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    modalities: tuple[str, ...] = ()
    limit: int | None = None

    def __repr__(self) -> str:
        return (f"StudyQuery(patient={pseudonym(self.patient_id, issuer=self.issuer)}, "
                f"dates={self.date_from}..{self.date_to}, modalities={self.modalities})")

    def params(self) -> list[tuple[str, str]]:
        """QIDO matching keys and ``includefield``s, in a stable order."""
        if not self.patient_id:
            raise ValueError("a prior-study search needs a patient id")
        out: list[tuple[str, str]] = [("PatientID", self.patient_id)]
        if self.issuer:
            out.append(("IssuerOfPatientID", self.issuer))
        date = date_range(self.date_from, self.date_to)
        if date:
            out.append(("StudyDate", date))
        if self.modalities:
            # QIDO-RS: several values of one matching key are comma-separated (PS3.18 8.3.4.1)
            out.append(("ModalitiesInStudy", ",".join(self.modalities)))
        out.extend(("includefield", name) for name in STUDY_FIELDS)
        if self.limit:
            out.append(("limit", str(self.limit)))
        return out


def date_range(start: dt.date | None, end: dt.date | None) -> str | None:
    """DICOM range matching: ``YYYYMMDD-YYYYMMDD``, open at either end."""
    if start is None and end is None:
        return None
    fmt = "%Y%m%d"
    return f"{start.strftime(fmt) if start else ''}-{end.strftime(fmt) if end else ''}"


def _quote(value: str) -> str:
    out: list[str] = []
    for ch in value:
        if ch in _RAW_OK:
            out.append(ch)
        else:
            out.extend(f"%{b:02X}" for b in ch.encode("utf-8"))
    return "".join(out)


def query_string(params: Iterable[tuple[str, str]]) -> str:
    """``k=v&…`` with values escaped only where a conforming parser would misread them."""
    return "&".join(f"{_quote(k)}={_quote(v)}" for k, v in params)


def build_url(base_url: str, segments: Sequence[str], params: Iterable[tuple[str, str]] = ()) -> URL:
    """``base_url/segment/…?query`` as an already-encoded :class:`yarl.URL` (so yarl won't re-encode)."""
    path = "/".join(_quote_segment(s) for s in segments)
    raw = base_url.rstrip("/") + "/" + path
    qs = query_string(params)
    if qs:
        raw += "?" + qs
    return URL(raw, encoded=True)


def _quote_segment(segment: str) -> str:
    return "".join(ch if ch in _RAW_OK and ch not in "/?" else "".join(f"%{b:02X}" for b in ch.encode())
                   for ch in segment)


# --------------------------------------------------------------------------------------------- session
def make_session(*, limit: int = 100, limit_per_host: int = 8,
                 keepalive_timeout: float = 30.0) -> aiohttp.ClientSession:
    """The hub's one HTTP session for all platforms (create it inside the running event loop).

    ``limit_per_host`` bounds what one search fan-out (study search + per-study series/metadata) can
    open towards a single platform; ``limit`` bounds the hub as a whole.
    """
    connector = aiohttp.TCPConnector(limit=limit, limit_per_host=limit_per_host,
                                     keepalive_timeout=keepalive_timeout, ttl_dns_cache=300)
    return aiohttp.ClientSession(connector=connector, raise_for_status=False,
                                 timeout=aiohttp.ClientTimeout(total=None, sock_connect=10))


# --------------------------------------------------------------------------------------------- client
class DicomWebClient:
    """DICOMweb calls against one platform, one HTTP attempt each."""

    def __init__(self, platform: Platform, session: aiohttp.ClientSession,
                 credentials: PlatformCredentials | None = None) -> None:
        self.platform = platform
        self._session = session
        # what the hub presents: the Authorization header (never logged; aiohttp does not log headers)
        # and the platform's TLS context.  The fan-out passes the ones it keeps, so an OAuth2 token
        # outlives the search; alone, a client has its own.
        self._credentials = credentials or PlatformCredentials.of(platform)
        self._tls = platform.base_url.startswith("https:")

    def __repr__(self) -> str:
        return f"DicomWebClient({self.platform.id!r})"

    # -- QIDO-RS ------------------------------------------------------------------------------------
    def studies_url(self, query: StudyQuery) -> URL:
        return build_url(self.platform.base_url, ["studies"], query.params())

    async def search_studies(self, query: StudyQuery) -> list[Dataset]:
        """QIDO-RS ``/studies`` for one patient (+ issuer), a StudyDate range and modalities."""
        return await self._get_datasets(self.studies_url(query), "study search",
                                        patient=pseudonym(query.patient_id, issuer=query.issuer))

    def series_url(self, study_uid: str, fields: Sequence[str] = SERIES_FIELDS) -> URL:
        return build_url(self.platform.base_url, ["studies", study_uid, "series"],
                         [("includefield", f) for f in fields])

    async def search_series(self, study_uid: str) -> list[Dataset]:
        """QIDO-RS ``/studies/{uid}/series`` with the attributes completeness needs."""
        return await self._get_datasets(self.series_url(study_uid), "series search")

    # -- WADO-RS metadata ---------------------------------------------------------------------------
    async def study_metadata(self, study_uid: str) -> list[Dataset]:
        """WADO-RS ``/studies/{uid}/metadata``: every instance's attributes (bulk data as URIs).

        Heavy for big studies (one JSON object per instance); prefer :meth:`series_metadata` of a
        small series when only study-level attributes are needed.
        """
        url = build_url(self.platform.base_url, ["studies", study_uid, "metadata"])
        return await self._get_datasets(url, "study metadata", not_found="study")

    async def series_metadata(self, study_uid: str, series_uid: str) -> list[Dataset]:
        """WADO-RS ``/studies/{uid}/series/{uid}/metadata``."""
        url = build_url(self.platform.base_url, ["studies", study_uid, "series", series_uid, "metadata"])
        return await self._get_datasets(url, "series metadata", not_found="series")

    # -- plumbing -----------------------------------------------------------------------------------
    async def _get_datasets(self, url: URL, what: str, *, not_found: str | None = None,
                            patient: str | None = None) -> list[Dataset]:
        started = time.perf_counter()
        status: int | str = "-"
        try:
            status, ctype, body = await send_authorized(self._credentials, self._session,
                                                        lambda header: self._get(url, what, header))
            if status == 204:  # older QIDO servers: "no matches"
                return []
            if status in (401, 403):
                raise CredentialsRefused(status)
            if status == 404:
                raise NotFound(not_found or f"{what} endpoint")
            if status >= 400:
                raise HttpStatusError(status)
            return parse_dicom_json(body, ctype)
        finally:
            log.debug("platform=%s call=%r status=%s ms=%.1f patient=%s", self.platform.id, what, status,
                      (time.perf_counter() - started) * 1000, patient or "-")

    async def _get(self, url: URL, what: str, authorization: str | None) -> tuple[int, str, bytes]:
        headers = {"Accept": f"{DICOM_JSON}, application/json;q=0.9"}
        if authorization:
            headers["Authorization"] = authorization
        try:
            async with self._session.get(url, headers=headers, allow_redirects=False,
                                         ssl=self._credentials.ssl) as resp:
                if resp.content_length is not None and resp.content_length > MAX_BODY_BYTES:
                    raise NotDicomJson(f"{what} answer of {resp.content_length} bytes is too large")
                chunks: list[bytes] = []
                size = 0
                async for chunk in resp.content.iter_chunked(1 << 16):
                    size += len(chunk)
                    if size > MAX_BODY_BYTES:
                        raise NotDicomJson(f"{what} answer larger than {MAX_BODY_BYTES} bytes")
                    chunks.append(chunk)
                return resp.status, resp.headers.get("Content-Type", ""), b"".join(chunks)
        except aiohttp.ClientError as exc:
            raise transport_error(exc, what, tls=self._tls, client_cert=self._credentials.client_cert) from None


# --------------------------------------------------------------------------------------------- parsing
def parse_dicom_json(body: bytes, content_type: str = "") -> list[Dataset]:
    """A QIDO/WADO metadata body → pydicom datasets, or :class:`NotDicomJson` saying what came instead."""
    media = content_type.split(";", 1)[0].strip().lower()
    try:
        data: Any = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise NotDicomJson(_describe_garbage(body, media)) from None
    if not isinstance(data, list):
        raise NotDicomJson(f"expected a JSON array of datasets, got a JSON {type(data).__name__}")
    out: list[Dataset] = []
    for index, item in enumerate(data):
        if not isinstance(item, dict) or not all(_is_tag(k) and isinstance(v, dict) for k, v in item.items()):
            raise NotDicomJson(f"element {index} is not a DICOM JSON dataset")
        try:
            out.append(Dataset.from_json(item, bulk_data_uri_handler=_no_bulk_data))
        except Exception as exc:  # pydicom raises ValueError/TypeError/KeyError on malformed elements
            raise NotDicomJson(f"element {index}: {type(exc).__name__}") from None
    return out


def _no_bulk_data(tag: str, vr: str, uri: str) -> None:
    """Pixel data and other bulk data stay on the platform: the hub reads attributes only."""
    return None


def _is_tag(key: Any) -> bool:
    if not isinstance(key, str) or len(key) != 8:
        return False
    try:
        int(key, 16)
    except ValueError:
        return False
    return True


def _describe_garbage(body: bytes, media: str) -> str:
    """What came instead, without quoting it: an error page may echo the request URL, and with it the
    patient id, so the body's text never reaches a status or a log."""
    kind = media or "no content type"
    if not body:
        return f"empty body ({kind})"
    looks = " HTML page" if body.lstrip()[:1] == b"<" else ""
    return f"{kind}{looks}, {len(body)} bytes"
