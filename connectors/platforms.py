"""The regional platform file: which imaging platforms the hub asks, where, and how.

Shape (CONTRACT.md, "Regional platforms (connectors)"; JSON, or YAML with the same shape)::

    {"platforms": [
      {"id": "bj-cloud", "name": "…", "region": "110000", "protocol": "dicomweb",
       "baseUrl": "http://127.0.0.1:8043/dicom-web", "auth": {"basic": ["user", "secret"]}, "timeoutS": 5}
    ]}

``auth`` is one of (docs/PLATFORMS.md has the table)::

    {"basic": [user, password]}            or {"basic": {"user": …, "password": …}}
    {"bearer": "token"}                    or {"bearer": {"token": …}} / {"bearer": {"tokenFile": path}}
    {"oauth2": {"tokenUrl": "https://…/token", "clientId": …,
                "clientSecret": … | "clientSecretFile": path, "scope": "a b" | [a, b],
                "authMethod": "client_secret_basic" (default) | "client_secret_post"}}

and, beside it, mutual TLS: ``caFile`` (the CA bundle the platform's certificate must chain to, instead
of the system's), ``clientCert`` and ``clientKey`` (PEM; the key may sit in the certificate file).  They
apply to the platform's token endpoint too.  Relative paths are read from the platform file's folder.

Secrets may sit in the file or — better, so the file can be committed and shared — in files it names or in
the environment, which wins over the file:

    HUB_PLATFORM_<ID>_USER, HUB_PLATFORM_<ID>_PASSWORD     basic
    HUB_PLATFORM_<ID>_TOKEN                                bearer
    HUB_PLATFORM_<ID>_CLIENT_SECRET                        oauth2 (tokenUrl and clientId stay in the file)
    HUB_PLATFORM_<ID>_CLIENT_KEY_PASSWORD                  an encrypted clientKey

where ``<ID>`` is the platform id upper-cased with every character outside ``A-Z0-9`` turned into
``_`` (``bj-cloud`` → ``HUB_PLATFORM_BJ_CLOUD_USER``).  Either basic variable alone completes the file's
pair; a password with no user anywhere is an error.  Without ``auth`` in the file, ``_TOKEN`` alone means
bearer; a variable of another kind than the file's ``auth`` is an error (naming it, never its value).

Credentials never appear in a ``repr``, a log line or an error message: the records below hide every
secret.  Errors name the file, the platform (index and id) and the field, so whoever edits the file can
find the line.  Certificates and keys are loaded here, once, so a wrong path, a key that does not match
its certificate or a file that is not PEM is refused at start, naming the field.
"""

from __future__ import annotations

import functools
import ipaddress
import json
import os
import re
import ssl
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import yaml
from yarl import URL

from hub.domain.regions import zone_codes

#: Used when a platform does not say ``timeoutS``; CONTRACT's example value.
DEFAULT_TIMEOUT_S = 5.0
#: A timeout past this would let one platform hold a doctor's screen for minutes; refuse it.
MAX_TIMEOUT_S = 120.0
PROTOCOLS = ("dicomweb",)
_DIVISION = re.compile(r"^\d{6}$")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_KNOWN_FIELDS = {"id", "name", "region", "protocol", "baseUrl", "auth", "timeoutS",
                 "caFile", "clientCert", "clientKey"}
#: A token travels in an HTTP header: printable ASCII without spaces (RFC 6750 b64token is narrower).
_TOKEN = re.compile(r"^[\x21-\x7e]+$")
AUTH_FORMS = '{"basic": [user, password]}, {"bearer": token} or {"oauth2": {tokenUrl, clientId, …}}'
OAUTH2_METHODS = ("client_secret_basic", "client_secret_post")
_OAUTH2_FIELDS = {"tokenUrl", "clientId", "clientSecret", "clientSecretFile", "scope", "authMethod"}


class PlatformFileError(ValueError):
    """The platform file is unusable; the message names file, platform and field."""

    def __init__(self, source: str, message: str, *, index: int | None = None,
                 platform_id: str | None = None, field_name: str | None = None) -> None:
        self.source = source
        self.index = index
        self.platform_id = platform_id
        self.field_name = field_name
        where = source
        if index is not None:
            where += f": platforms[{index}]"
            if platform_id:
                where += f" (id {platform_id!r})"
        if field_name:
            where += f": field {field_name!r}"
        super().__init__(f"{where}: {message}")


# --------------------------------------------------------------------------------------------- records
@dataclass(frozen=True)
class BasicAuth:
    """HTTP basic credentials.  ``repr`` and ``str`` show neither part."""

    user: str = field(repr=False)
    password: str = field(repr=False)

    kind = "basic"

    def __repr__(self) -> str:
        return "BasicAuth(<hidden>)"

    __str__ = __repr__


@dataclass(frozen=True)
class BearerToken:
    """A static bearer token: the value itself (file or ``HUB_PLATFORM_<ID>_TOKEN``), or a file holding it
    (re-read when it changes, so an agent may rotate it).  ``repr`` shows the file, never the token."""

    token: str | None = field(default=None, repr=False)
    token_file: str | None = None

    kind = "bearer"

    def __repr__(self) -> str:
        return f"BearerToken(file={self.token_file!r})" if self.token_file else "BearerToken(<hidden>)"

    __str__ = __repr__


@dataclass(frozen=True)
class OAuth2ClientCredentials:
    """OAuth 2.0 client credentials grant (RFC 6749 4.4): the hub asks ``token_url`` for an access token
    with its client id and secret.  The secret is the value itself (file or
    ``HUB_PLATFORM_<ID>_CLIENT_SECRET``) or a file holding it (read at each token request)."""

    token_url: str
    client_id: str
    client_secret: str | None = field(default=None, repr=False)
    client_secret_file: str | None = None
    scope: str | None = None
    auth_method: str = "client_secret_basic"

    kind = "oauth2"

    def __repr__(self) -> str:
        secret = f"file={self.client_secret_file!r}" if self.client_secret_file else "<hidden>"
        return (f"OAuth2ClientCredentials(token_url={self.token_url!r}, client_id={self.client_id!r}, "
                f"secret={secret}, scope={self.scope!r}, auth_method={self.auth_method!r})")

    __str__ = __repr__


Auth = BasicAuth | BearerToken | OAuth2ClientCredentials


@dataclass(frozen=True)
class TlsConfig:
    """A platform's own TLS material: the CA bundle its certificate must chain to (instead of the
    system's), and the hub's client certificate and key for mutual TLS.  Paths are absolute."""

    ca_file: str | None = None
    client_cert: str | None = None
    client_key: str | None = None
    key_password: str | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        return (f"TlsConfig(ca_file={self.ca_file!r}, client_cert={self.client_cert!r}, "
                f"client_key={self.client_key!r})")

    __str__ = __repr__

    @functools.cached_property
    def context(self) -> ssl.SSLContext:
        """The client-side ``SSLContext`` for this platform (built once; verification stays on)."""
        ctx = ssl.create_default_context(cafile=self.ca_file)
        if self.client_cert:
            ctx.load_cert_chain(self.client_cert, self.client_key, password=self._password)
        return ctx

    def _password(self) -> str:
        if self.key_password is None:
            # without this, OpenSSL would prompt on the terminal for an encrypted key's passphrase
            raise EncryptedKeyError("the client key is encrypted and no password is set")
        return self.key_password


class EncryptedKeyError(ValueError):
    """The client key is encrypted and no password was given for it."""


@dataclass(frozen=True)
class Platform:
    """One regional imaging platform, as the file and the environment describe it."""

    id: str
    name: str
    region: str
    base_url: str
    protocol: str = "dicomweb"
    timeout_s: float = DEFAULT_TIMEOUT_S
    auth: Auth | None = field(default=None, repr=False, compare=False)
    tls: TlsConfig | None = None

    def __repr__(self) -> str:  # explicit, so that a future field cannot leak a secret by default
        auth = self.auth.kind if self.auth else "none"
        tls = "-" if self.tls is None else ("mutual" if self.tls.client_cert else "ca")
        return (f"Platform(id={self.id!r}, region={self.region!r}, protocol={self.protocol!r}, "
                f"base_url={self.base_url!r}, timeout_s={self.timeout_s}, auth={auth}, tls={tls})")


def env_prefix(platform_id: str) -> str:
    """``bj-cloud`` → ``HUB_PLATFORM_BJ_CLOUD_`` (the prefix of its credential variables)."""
    return "HUB_PLATFORM_" + re.sub(r"[^A-Z0-9]", "_", platform_id.upper()) + "_"


# --------------------------------------------------------------------------------------------- reading
def load_platforms(path: str | os.PathLike[str], env: Mapping[str, str] | None = None,
                   zones: Collection[str] | None = None) -> list[Platform]:
    """Read and validate the platform file at ``path`` (``.yaml``/``.yml`` as YAML, else JSON).  ``zones``:
    the region codes beside GB/T 2260's (the zones and the nation of the seeds in use; default seeds').
    Relative paths in it (``caFile``, ``tokenFile``…) are read from the file's folder."""
    p = Path(path)
    source = str(p)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise PlatformFileError(source, f"cannot read the file ({exc.strerror or exc})") from None
    is_yaml = p.suffix.lower() in (".yaml", ".yml")
    try:
        data = yaml.safe_load(text) if is_yaml else json.loads(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise PlatformFileError(source, f"not valid {'YAML' if is_yaml else 'JSON'}: {exc}") from None
    return parse_platforms(data, source=source, env=os.environ if env is None else env, zones=zones,
                           base_dir=p.parent)


def parse_platforms(data: Any, *, source: str = "<platforms>", env: Mapping[str, str] | None = None,
                    zones: Collection[str] | None = None,
                    base_dir: str | os.PathLike[str] | None = None) -> list[Platform]:
    """Validate an already decoded platform document.  ``base_dir``: where relative paths are read from
    (default: the working directory)."""
    env = os.environ if env is None else env
    zones = tuple(zone_codes()) if zones is None else tuple(zones)
    base = Path(base_dir) if base_dir is not None else Path.cwd()
    if not isinstance(data, dict) or "platforms" not in data:
        raise PlatformFileError(source, 'expected an object with a "platforms" list')
    raw = data["platforms"]
    if not isinstance(raw, list):
        raise PlatformFileError(source, "must be a list", field_name="platforms")
    out: list[Platform] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(raw):
        platform = _parse_one(entry, index, source, env, zones, base)
        if platform.id in seen:
            raise PlatformFileError(source, f"duplicate id (first at platforms[{seen[platform.id]}])",
                                    index=index, platform_id=platform.id, field_name="id")
        seen[platform.id] = index
        out.append(platform)
    return out


Fail = Callable[[str, str], NoReturn]


def _parse_one(entry: Any, index: int, source: str, env: Mapping[str, str], zones: Collection[str],
               base: Path) -> Platform:
    if not isinstance(entry, dict):
        raise PlatformFileError(source, "must be an object", index=index)
    pid = entry.get("id")

    def fail(field_name: str, message: str) -> NoReturn:
        raise PlatformFileError(source, message, index=index,
                                platform_id=pid if isinstance(pid, str) else None,
                                field_name=field_name) from None

    if pid is None:
        fail("id", "required")
    if not isinstance(pid, str) or not _ID.match(pid):
        fail("id", "must be letters, digits, '.', '_' or '-' (at most 64)")
    unknown = sorted(set(entry) - _KNOWN_FIELDS)
    if unknown:
        fail(unknown[0], f"unknown field (known: {', '.join(sorted(_KNOWN_FIELDS))})")
    name = entry.get("name", pid)
    if not isinstance(name, str) or not name.strip():
        fail("name", "must be a non-empty string")
    region = entry.get("region")
    if not isinstance(region, str) or not (_DIVISION.match(region) or region in zones):
        fail("region", f"required: a GB/T 2260 six-digit code (or one of the zones {', '.join(zones)})")
    protocol = entry.get("protocol", "dicomweb")
    if protocol not in PROTOCOLS:
        fail("protocol", f"unsupported {protocol!r} (supported: {', '.join(PROTOCOLS)})")
    base_url = entry.get("baseUrl")
    if not isinstance(base_url, str):
        fail("baseUrl", "required: the DICOMweb root URL, e.g. http://host:8042/dicom-web")
    try:
        url = URL(base_url)
    except (ValueError, TypeError):
        fail("baseUrl", "not a URL")
    if url.scheme not in ("http", "https") or not url.host:
        fail("baseUrl", "must be an absolute http(s) URL")
    if url.user or url.password:
        fail("baseUrl", 'must not carry credentials; use "auth" or the environment')
    if url.query_string or url.fragment:
        fail("baseUrl", "must not have a query or a fragment")
    timeout = entry.get("timeoutS", DEFAULT_TIMEOUT_S)
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not 0 < timeout <= MAX_TIMEOUT_S:
        fail("timeoutS", f"must be a number of seconds in (0, {MAX_TIMEOUT_S:g}]")
    auth = _parse_auth(entry.get("auth"), pid, env, base, fail)
    tls = _parse_tls(entry, url, auth, pid, env, base, fail)
    return Platform(id=pid, name=name.strip(), region=region, base_url=str(url).rstrip("/"),
                    protocol=protocol, timeout_s=float(timeout), auth=auth, tls=tls)


# --------------------------------------------------------------------------------------------- auth
def _parse_auth(raw: Any, pid: str, env: Mapping[str, str], base: Path, fail: Fail) -> Auth | None:
    prefix = env_prefix(pid)
    set_vars = {name: prefix + name for name in ("USER", "PASSWORD", "TOKEN", "CLIENT_SECRET")
                if env.get(prefix + name) is not None}
    if raw is None:
        kind, spec = None, None
    elif isinstance(raw, dict) and len(raw) == 1 and next(iter(raw)) in ("basic", "bearer", "oauth2"):
        kind, spec = next(iter(raw.items()))
    else:
        fail("auth", f"must be one of {AUTH_FORMS}")
    if kind is None:  # the environment alone decides, if it says anything
        if "TOKEN" in set_vars and ({"USER", "PASSWORD"} & set_vars.keys()):
            fail("auth", f"both {prefix}TOKEN and {prefix}USER/_PASSWORD are set: choose one")
        if "CLIENT_SECRET" in set_vars:
            fail("auth", f"{prefix}CLIENT_SECRET is set but there is no auth.oauth2 (tokenUrl, clientId) "
                         "in the file")
        if "TOKEN" in set_vars:
            return BearerToken(token=_token(env[prefix + "TOKEN"], f"{prefix}TOKEN", "auth", fail))
        return _basic(None, None, prefix, env, fail)
    stray = {"basic": ("TOKEN", "CLIENT_SECRET"), "bearer": ("USER", "PASSWORD", "CLIENT_SECRET"),
             "oauth2": ("USER", "PASSWORD", "TOKEN")}[kind]
    for name in stray:
        if name in set_vars:
            fail("auth", f"{set_vars[name]} is set but this platform's auth is {kind}")
    if kind == "basic":
        return _parse_basic(spec, prefix, env, fail)
    if kind == "bearer":
        return _parse_bearer(spec, prefix, env, base, fail)
    return _parse_oauth2(spec, prefix, env, base, fail)


def _parse_basic(spec: Any, prefix: str, env: Mapping[str, str], fail: Fail) -> BasicAuth | None:
    if isinstance(spec, dict):
        user, password = spec.get("user"), spec.get("password")
    elif isinstance(spec, list) and len(spec) == 2:
        user, password = spec
    else:
        fail("auth.basic", "must be [user, password] or {user, password}")
    if not isinstance(user, str) or not isinstance(password, str) or not user:
        # never echo the values: this message may end up in a log
        fail("auth.basic", "user and password must be strings (user non-empty)")
    return _basic(user, password, prefix, env, fail)


def _basic(file_user: str | None, file_password: str | None, prefix: str, env: Mapping[str, str],
           fail: Fail) -> BasicAuth | None:
    user = env.get(prefix + "USER") or file_user
    password = env.get(prefix + "PASSWORD")
    if password is None:
        password = file_password
    if user is None and password is None:
        return None
    if not user:
        fail("auth", f"a password is set but no user (set {prefix}USER or auth.basic)")
    return BasicAuth(user=user, password=password or "")


def _parse_bearer(spec: Any, prefix: str, env: Mapping[str, str], base: Path, fail: Fail) -> BearerToken:
    from_env = env.get(prefix + "TOKEN")
    if isinstance(spec, str):
        spec = {"token": spec}
    if not isinstance(spec, dict) or set(spec) - {"token", "tokenFile"} or len(spec) > 1:
        fail("auth.bearer", 'must be a token, {"token": …} or {"tokenFile": path} (or {} with '
                            f"{prefix}TOKEN set)")
    if from_env is not None:
        return BearerToken(token=_token(from_env, f"{prefix}TOKEN", "auth", fail))
    if "token" in spec:
        return BearerToken(token=_token(spec["token"], "the token", "auth.bearer.token", fail))
    if "tokenFile" in spec:
        path = _path(spec["tokenFile"], base, "auth.bearer.tokenFile", fail)
        _token(_read_secret(path, "auth.bearer.tokenFile", fail), "the file's token", "auth.bearer.tokenFile",
               fail)
        return BearerToken(token_file=str(path))
    fail("auth.bearer", f"no token: give token or tokenFile, or set {prefix}TOKEN")


def _parse_oauth2(spec: Any, prefix: str, env: Mapping[str, str], base: Path,
                  fail: Fail) -> OAuth2ClientCredentials:
    if not isinstance(spec, dict):
        fail("auth.oauth2", "must be an object {tokenUrl, clientId, clientSecret | clientSecretFile, scope}")
    unknown = sorted(set(spec) - _OAUTH2_FIELDS)
    if unknown:
        fail(f"auth.oauth2.{unknown[0]}", f"unknown field (known: {', '.join(sorted(_OAUTH2_FIELDS))})")
    token_url = spec.get("tokenUrl")
    if not isinstance(token_url, str):
        fail("auth.oauth2.tokenUrl", "required: the token endpoint, an https URL")
    try:
        url = URL(token_url)
    except (ValueError, TypeError):
        fail("auth.oauth2.tokenUrl", "not a URL")
    if url.scheme not in ("http", "https") or not url.host:
        fail("auth.oauth2.tokenUrl", "must be an absolute https URL")
    if url.scheme == "http" and not _loopback(url.host):
        fail("auth.oauth2.tokenUrl", "must be https: the client secret travels to it (http only on loopback)")
    if url.user or url.password or url.fragment:
        fail("auth.oauth2.tokenUrl", "must not carry credentials or a fragment")
    client_id = spec.get("clientId")
    if not isinstance(client_id, str) or not client_id.strip():
        fail("auth.oauth2.clientId", "required: a non-empty string")
    method = spec.get("authMethod", "client_secret_basic")
    if method not in OAUTH2_METHODS:
        fail("auth.oauth2.authMethod", f"must be one of {', '.join(OAUTH2_METHODS)}")
    scope = spec.get("scope")
    if isinstance(scope, list) and all(isinstance(s, str) and s and " " not in s for s in scope):
        scope = " ".join(scope)
    if scope is not None and (not isinstance(scope, str) or not scope.strip()):
        fail("auth.oauth2.scope", "must be a space-separated string or a list of scope names")
    if "clientSecret" in spec and "clientSecretFile" in spec:
        fail("auth.oauth2", "give clientSecret or clientSecretFile, not both")
    secret: str | None = env.get(prefix + "CLIENT_SECRET")
    secret_file: str | None = None
    if secret is None and "clientSecretFile" in spec:
        path = _path(spec["clientSecretFile"], base, "auth.oauth2.clientSecretFile", fail)
        _read_secret(path, "auth.oauth2.clientSecretFile", fail)
        secret_file = str(path)
    elif secret is None:
        secret = spec.get("clientSecret")
        if secret is None:
            fail("auth.oauth2.clientSecret", f"required: clientSecret, clientSecretFile or {prefix}CLIENT_SECRET")
        if not isinstance(secret, str) or not secret:
            fail("auth.oauth2.clientSecret", "must be a non-empty string")
    elif not secret:
        fail("auth.oauth2", f"{prefix}CLIENT_SECRET is empty")
    return OAuth2ClientCredentials(token_url=str(url), client_id=client_id.strip(), client_secret=secret,
                                   client_secret_file=secret_file, scope=scope.strip() if scope else None,
                                   auth_method=method)


def _token(value: Any, what: str, field_name: str, fail: Fail) -> str:
    if not isinstance(value, str) or not value.strip():
        fail(field_name, f"{what} must be a non-empty string")
    value = value.strip()
    if not _TOKEN.match(value):
        fail(field_name, f"{what} must be printable ASCII without spaces (it is sent in a header)")
    return value


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _path(value: Any, base: Path, field_name: str, fail: Fail) -> Path:
    if not isinstance(value, str) or not value.strip():
        fail(field_name, "must be a file path")
    path = Path(value).expanduser()
    return path if path.is_absolute() else base / path


def _read_secret(path: Path, field_name: str, fail: Fail) -> str:
    """The secret held in ``path`` (stripped), or a refusal naming the field — never the content."""
    try:
        text = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        fail(field_name, f"cannot read {str(path)!r} ({why})")
    if not text:
        fail(field_name, f"{str(path)!r} is empty")
    return text


# --------------------------------------------------------------------------------------------- TLS
def _parse_tls(entry: dict[str, Any], url: URL, auth: Auth | None, pid: str, env: Mapping[str, str],
               base: Path, fail: Fail) -> TlsConfig | None:
    given = [k for k in ("caFile", "clientCert", "clientKey") if entry.get(k) is not None]
    if not given:
        return None
    https = url.scheme == "https" or (isinstance(auth, OAuth2ClientCredentials)
                                      and auth.token_url.startswith("https:"))
    if not https:
        fail(given[0], "applies to https only (baseUrl is http)")
    paths: dict[str, Path] = {}
    for key in given:
        path = _path(entry[key], base, key, fail)
        try:
            text = path.read_text(encoding="ascii", errors="replace")
        except OSError as exc:
            fail(key, f"cannot read {str(path)!r} ({exc.strerror or type(exc).__name__})")
        marker = {"caFile": "CERTIFICATE", "clientCert": "CERTIFICATE", "clientKey": "PRIVATE KEY"}[key]
        if f"-----BEGIN {marker}" not in text and not (key == "clientKey" and "PRIVATE KEY-----" in text):
            fail(key, f"{str(path)!r} is not a PEM file holding a {marker.lower()}")
        paths[key] = path
    if "clientKey" in paths and "clientCert" not in paths:
        fail("clientKey", "needs clientCert beside it")
    if "clientCert" in paths and "clientKey" not in paths and \
            "PRIVATE KEY-----" not in paths["clientCert"].read_text(encoding="ascii", errors="replace"):
        fail("clientCert", "has no private key in it: give clientKey too")
    tls = TlsConfig(ca_file=str(paths["caFile"]) if "caFile" in paths else None,
                    client_cert=str(paths["clientCert"]) if "clientCert" in paths else None,
                    client_key=str(paths["clientKey"]) if "clientKey" in paths else None,
                    key_password=env.get(env_prefix(pid) + "CLIENT_KEY_PASSWORD"))
    if tls.ca_file:
        try:
            ssl.create_default_context(cafile=tls.ca_file)
        except ssl.SSLError as exc:
            fail("caFile", f"not a usable CA bundle ({exc.reason or 'unreadable'})")
    encrypted = (f"is encrypted and cannot be opened: set {env_prefix(pid)}CLIENT_KEY_PASSWORD "
                 "(to the right password)")
    try:
        tls.context  # noqa: B018 — built now, so a bad key is refused at start and not at a doctor's search
    except EncryptedKeyError:
        fail("clientKey", encrypted)
    except ssl.SSLError as exc:
        reason = getattr(exc, "reason", None) or ("PEM_LIB" if "PEM lib" in str(exc) else "")
        if reason == "KEY_VALUES_MISMATCH":
            fail("clientKey", "does not match clientCert")
        if reason in ("BAD_DECRYPT", "BAD_PASSWORD_READ") or (tls.key_password is not None and reason == "PEM_LIB"):
            fail("clientKey", encrypted)
        fail("clientKey" if reason == "PEM_LIB" else "clientCert",
             f"cannot load the certificate and key ({reason or type(exc).__name__})")
    return tls
