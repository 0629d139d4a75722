"""The regional platform file: which imaging platforms the hub asks, where, and how.

Shape (CONTRACT.md, "Regional platforms (connectors)"; JSON, or YAML with the same shape)::

    {"platforms": [
      {"id": "bj-cloud", "name": "…", "region": "110000", "protocol": "dicomweb",
       "baseUrl": "http://127.0.0.1:8043/dicom-web", "auth": {"basic": ["user", "secret"]}, "timeoutS": 5}
    ]}

Credentials may sit in the file or — better, so the file can be committed and shared — in the
environment, which wins over the file:

    HUB_PLATFORM_<ID>_USER, HUB_PLATFORM_<ID>_PASSWORD

where ``<ID>`` is the platform id upper-cased with every character outside ``A-Z0-9`` turned into
``_`` (``bj-cloud`` → ``HUB_PLATFORM_BJ_CLOUD_USER``).  Either variable alone completes the file's pair;
a password with no user anywhere is an error.

Credentials never appear in a ``repr``, a log line or an error message: :class:`BasicAuth` hides both
the user and the password.  Errors name the file, the platform (index and id) and the field, so whoever
edits the file can find the line.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
_KNOWN_FIELDS = {"id", "name", "region", "protocol", "baseUrl", "auth", "timeoutS"}


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


@dataclass(frozen=True)
class BasicAuth:
    """HTTP basic credentials.  ``repr`` and ``str`` show neither part."""

    user: str = field(repr=False)
    password: str = field(repr=False)

    def __repr__(self) -> str:
        return "BasicAuth(<hidden>)"

    __str__ = __repr__


@dataclass(frozen=True)
class Platform:
    """One regional imaging platform, as the file and the environment describe it."""

    id: str
    name: str
    region: str
    base_url: str
    protocol: str = "dicomweb"
    timeout_s: float = DEFAULT_TIMEOUT_S
    auth: BasicAuth | None = field(default=None, repr=False, compare=False)

    def __repr__(self) -> str:  # explicit, so that a future field cannot leak a secret by default
        auth = "basic" if self.auth else "none"
        return (f"Platform(id={self.id!r}, region={self.region!r}, protocol={self.protocol!r}, "
                f"base_url={self.base_url!r}, timeout_s={self.timeout_s}, auth={auth})")


def env_prefix(platform_id: str) -> str:
    """``bj-cloud`` → ``HUB_PLATFORM_BJ_CLOUD_`` (the prefix of its credential variables)."""
    return "HUB_PLATFORM_" + re.sub(r"[^A-Z0-9]", "_", platform_id.upper()) + "_"


def load_platforms(path: str | os.PathLike[str], env: Mapping[str, str] | None = None,
                   zones: Collection[str] | None = None) -> list[Platform]:
    """Read and validate the platform file at ``path`` (``.yaml``/``.yml`` as YAML, else JSON).  ``zones``:
    the region codes beside GB/T 2260's (the zones and the nation of the seeds in use; default seeds')."""
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
    return parse_platforms(data, source=source, env=os.environ if env is None else env, zones=zones)


def parse_platforms(data: Any, *, source: str = "<platforms>",
                    env: Mapping[str, str] | None = None, zones: Collection[str] | None = None) -> list[Platform]:
    """Validate an already decoded platform document."""
    env = os.environ if env is None else env
    zones = tuple(zone_codes()) if zones is None else tuple(zones)
    if not isinstance(data, dict) or "platforms" not in data:
        raise PlatformFileError(source, 'expected an object with a "platforms" list')
    raw = data["platforms"]
    if not isinstance(raw, list):
        raise PlatformFileError(source, "must be a list", field_name="platforms")
    out: list[Platform] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(raw):
        platform = _parse_one(entry, index, source, env, zones)
        if platform.id in seen:
            raise PlatformFileError(source, f"duplicate id (first at platforms[{seen[platform.id]}])",
                                    index=index, platform_id=platform.id, field_name="id")
        seen[platform.id] = index
        out.append(platform)
    return out


def _parse_one(entry: Any, index: int, source: str, env: Mapping[str, str], zones: Collection[str]) -> Platform:
    if not isinstance(entry, dict):
        raise PlatformFileError(source, "must be an object", index=index)
    pid = entry.get("id")

    def fail(field_name: str, message: str) -> PlatformFileError:
        return PlatformFileError(source, message, index=index,
                                 platform_id=pid if isinstance(pid, str) else None, field_name=field_name)

    if pid is None:
        raise fail("id", "required")
    if not isinstance(pid, str) or not _ID.match(pid):
        raise fail("id", "must be letters, digits, '.', '_' or '-' (at most 64)")
    unknown = sorted(set(entry) - _KNOWN_FIELDS)
    if unknown:
        raise fail(unknown[0], f"unknown field (known: {', '.join(sorted(_KNOWN_FIELDS))})")
    name = entry.get("name", pid)
    if not isinstance(name, str) or not name.strip():
        raise fail("name", "must be a non-empty string")
    region = entry.get("region")
    if not isinstance(region, str) or not (_DIVISION.match(region) or region in zones):
        raise fail("region", f"required: a GB/T 2260 six-digit code (or one of the zones {', '.join(zones)})")
    protocol = entry.get("protocol", "dicomweb")
    if protocol not in PROTOCOLS:
        raise fail("protocol", f"unsupported {protocol!r} (supported: {', '.join(PROTOCOLS)})")
    base_url = entry.get("baseUrl")
    if not isinstance(base_url, str):
        raise fail("baseUrl", "required: the DICOMweb root URL, e.g. http://host:8042/dicom-web")
    try:
        url = URL(base_url)
    except (ValueError, TypeError):
        raise fail("baseUrl", "not a URL") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise fail("baseUrl", "must be an absolute http(s) URL")
    if url.user or url.password:
        raise fail("baseUrl", 'must not carry credentials; use "auth" or the environment')
    if url.query_string or url.fragment:
        raise fail("baseUrl", "must not have a query or a fragment")
    timeout = entry.get("timeoutS", DEFAULT_TIMEOUT_S)
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not 0 < timeout <= MAX_TIMEOUT_S:
        raise fail("timeoutS", f"must be a number of seconds in (0, {MAX_TIMEOUT_S:g}]")
    auth = _parse_auth(entry.get("auth"), fail)
    auth = _auth_from_env(pid, auth, env, fail)
    return Platform(id=pid, name=name.strip(), region=region, base_url=str(url).rstrip("/"),
                    protocol=protocol, timeout_s=float(timeout), auth=auth)


def _parse_auth(raw: Any, fail: Any) -> tuple[str | None, str | None]:
    if raw is None:
        return None, None
    if not isinstance(raw, dict) or set(raw) != {"basic"}:
        raise fail("auth", 'must be {"basic": [user, password]}')
    basic = raw["basic"]
    if isinstance(basic, dict):
        user, password = basic.get("user"), basic.get("password")
    elif isinstance(basic, list) and len(basic) == 2:
        user, password = basic
    else:
        raise fail("auth.basic", "must be [user, password] or {user, password}")
    if not isinstance(user, str) or not isinstance(password, str) or not user:
        # never echo the values: this message may end up in a log
        raise fail("auth.basic", "user and password must be strings (user non-empty)")
    return user, password


def _auth_from_env(pid: str, from_file: tuple[str | None, str | None], env: Mapping[str, str],
                   fail: Any) -> BasicAuth | None:
    prefix = env_prefix(pid)
    user = env.get(prefix + "USER") or from_file[0]
    password = env.get(prefix + "PASSWORD")
    if password is None:
        password = from_file[1]
    if user is None and password is None:
        return None
    if not user:
        raise fail("auth", f"a password is set but no user (set {prefix}USER or auth.basic)")
    return BasicAuth(user=user, password=password or "")
