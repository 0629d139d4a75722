"""The regional platform file: JSON or YAML, credentials from file or environment, precise errors."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from connectors.platforms import (
    DEFAULT_TIMEOUT_S,
    BasicAuth,
    PlatformFileError,
    env_prefix,
    load_platforms,
    parse_platforms,
)

CONTRACT_EXAMPLE = {"platforms": [
    {"id": "bj-cloud", "name": "北京影像云", "region": "110000", "protocol": "dicomweb",
     "baseUrl": "http://127.0.0.1:8043/dicom-web", "auth": {"basic": ["user", "secret"]}, "timeoutS": 5},
]}


def test_contract_example_json(tmp_path: Path) -> None:
    path = tmp_path / "platforms.json"
    path.write_text(json.dumps(CONTRACT_EXAMPLE, ensure_ascii=False), encoding="utf-8")
    [p] = load_platforms(path, env={})
    assert (p.id, p.name, p.region, p.protocol, p.base_url, p.timeout_s) == (
        "bj-cloud", "北京影像云", "110000", "dicomweb", "http://127.0.0.1:8043/dicom-web", 5.0)
    assert p.auth == BasicAuth("user", "secret")


def test_same_shape_in_yaml(tmp_path: Path) -> None:
    path = tmp_path / "platforms.yaml"
    path.write_text("platforms:\n  - id: he-cloud\n    region: '130000'\n    baseUrl: http://h:8042/dicom-web/\n",
                    encoding="utf-8")
    [p] = load_platforms(path, env={})
    assert (p.id, p.name, p.base_url, p.timeout_s, p.auth) == (
        "he-cloud", "he-cloud", "http://h:8042/dicom-web", DEFAULT_TIMEOUT_S, None)


def test_credentials_from_the_environment_win() -> None:
    env = {"HUB_PLATFORM_BJ_CLOUD_USER": "env-user", "HUB_PLATFORM_BJ_CLOUD_PASSWORD": "env-pass"}
    [p] = parse_platforms(CONTRACT_EXAMPLE, env=env)
    assert p.auth == BasicAuth("env-user", "env-pass")
    no_auth = {"platforms": [{k: v for k, v in CONTRACT_EXAMPLE["platforms"][0].items() if k != "auth"}]}
    [p] = parse_platforms(no_auth, env={"HUB_PLATFORM_BJ_CLOUD_PASSWORD": "only-pass",
                                        "HUB_PLATFORM_BJ_CLOUD_USER": "u"})
    assert p.auth == BasicAuth("u", "only-pass")
    [p] = parse_platforms(CONTRACT_EXAMPLE, env={"HUB_PLATFORM_BJ_CLOUD_PASSWORD": "rotated"})
    assert p.auth == BasicAuth("user", "rotated")  # the file's user, the environment's password


def test_env_prefix() -> None:
    assert env_prefix("bj-cloud") == "HUB_PLATFORM_BJ_CLOUD_"
    assert env_prefix("cy.platform_2") == "HUB_PLATFORM_CY_PLATFORM_2_"


def test_secrets_never_in_repr_or_logs(caplog) -> None:
    caplog.set_level(logging.DEBUG)
    [p] = parse_platforms(CONTRACT_EXAMPLE, env={})
    logging.getLogger("test").info("loaded %r %s %s", p, p, p.auth)
    for text in (repr(p), str(p), repr(p.auth), str(p.auth), caplog.text):
        assert "secret" not in text and "user" not in text.replace("auth=basic", "")
    assert "auth=basic" in repr(p)


def _error(data: object, **kwargs: object) -> str:
    with pytest.raises(PlatformFileError) as info:
        parse_platforms(data, source="regions.json", env=kwargs.get("env", {}))  # type: ignore[arg-type]
    return str(info.value)


def _with(**changes: object) -> dict[str, object]:
    entry = dict(CONTRACT_EXAMPLE["platforms"][0])
    for key, value in changes.items():
        if value is None:
            entry.pop(key, None)
        else:
            entry[key] = value
    return {"platforms": [dict(CONTRACT_EXAMPLE["platforms"][0], id="ok-1"), entry]}


@pytest.mark.parametrize(("changes", "message"), [
    ({"baseUrl": "ftp://h/x"}, "platforms[1] (id 'bj-cloud'): field 'baseUrl': must be an absolute http(s) URL"),
    ({"baseUrl": None}, "field 'baseUrl': required"),
    ({"baseUrl": "http://u:p@h/dicom-web"}, "field 'baseUrl': must not carry credentials"),
    ({"region": "11"}, "field 'region': required: a GB/T 2260 six-digit code"),
    ({"protocol": "dimse"}, "field 'protocol': unsupported 'dimse'"),
    ({"timeoutS": 0}, "field 'timeoutS': must be a number of seconds"),
    ({"timeoutS": "5"}, "field 'timeoutS'"),
    ({"timeoutS": True}, "field 'timeoutS'"),
    ({"auth": {"basic": "user:secret"}}, "field 'auth.basic': must be [user, password]"),
    ({"auth": {"digest": "x"}}, "field 'auth': must be one of {\"basic\": [user, password]}, {\"bearer\""),
    ({"timeout": 5}, "field 'timeout': unknown field"),
    ({"id": "bad id!"}, "platforms[1] (id 'bad id!'): field 'id': must be letters, digits"),
    ({"id": None}, "platforms[1]: field 'id': required"),
    ({"id": "ok-1"}, "platforms[1] (id 'ok-1'): field 'id': duplicate id (first at platforms[0])"),
])
def test_errors_name_file_platform_and_field(changes: dict[str, object], message: str) -> None:
    text = _error(_with(**changes))
    assert text.startswith("regions.json: platforms[1]")
    assert message in text
    assert "secret" not in text


def test_document_level_errors() -> None:
    assert _error([]) == 'regions.json: expected an object with a "platforms" list'
    assert _error({"platforms": {}}) == "regions.json: field 'platforms': must be a list"
    assert _error({"platforms": ["x"]}) == "regions.json: platforms[0]: must be an object"


def test_password_without_user() -> None:
    data = {"platforms": [{"id": "x", "region": "110000", "baseUrl": "http://h/d"}]}
    assert "a password is set but no user (set HUB_PLATFORM_X_USER" in _error(
        data, env={"HUB_PLATFORM_X_PASSWORD": "p"})


def test_unreadable_and_malformed_files(tmp_path: Path) -> None:
    with pytest.raises(PlatformFileError, match="missing.json: cannot read the file"):
        load_platforms(tmp_path / "missing.json", env={})
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    with pytest.raises(PlatformFileError, match="bad.json: not valid JSON"):
        load_platforms(bad, env={})


def test_empty_list_is_allowed() -> None:
    assert parse_platforms({"platforms": []}, env={}) == []


def test_zone_regions_come_from_the_seeds_zones() -> None:
    """A platform may serve a zone; which zones exist is data (regions/zones.yaml), so a province's new
    zone is accepted once its seeds declare it, and an undeclared one is refused naming the known ones."""
    entry = {"id": "sw", "region": "SW", "baseUrl": "http://127.0.0.1:1/dicom-web"}
    [p] = parse_platforms({"platforms": [entry]}, env={}, zones=("SW", "CN"))
    assert p.region == "SW"
    with pytest.raises(PlatformFileError) as refused:
        parse_platforms({"platforms": [entry]}, env={})
    assert "field 'region'" in str(refused.value) and "JJJ" in str(refused.value)
    [jjj] = parse_platforms({"platforms": [{**entry, "region": "JJJ"}]}, env={})
    assert jjj.region == "JJJ"
