"""The platform file's credential and TLS fields: every form accepted, every mistake refused naming the
file, the platform and the field — and never quoting a secret."""

from __future__ import annotations

import json
import ssl
import subprocess
from pathlib import Path

import pytest

from connectors.platforms import (
    BasicAuth,
    BearerToken,
    OAuth2ClientCredentials,
    PlatformFileError,
    load_platforms,
    parse_platforms,
)
from tests.connectors.tls_material import OPENSSL, Pki, openssl_missing

SECRET = "s3cr3t-value-9d8c"  # every secret below contains it, so one grep finds a leak
BASE = {"id": "sx-cloud", "region": "140000", "baseUrl": "https://platform.example/dicom-web"}
ENV_PREFIX = "HUB_PLATFORM_SX_CLOUD_"


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    why = openssl_missing()
    if why:
        pytest.fail(f"the openssl CLI is needed ({why})")
    return Pki.create(tmp_path_factory.mktemp("pki-file"))


def _one(env: dict[str, str] | None = None, base_dir: Path | None = None, **fields: object):  # type: ignore[no-untyped-def]
    entry = {**BASE, **fields}
    [p] = parse_platforms({"platforms": [entry]}, source="platforms.json", env=env or {}, base_dir=base_dir)
    return p


def _refused(env: dict[str, str] | None = None, base_dir: Path | None = None, **fields: object) -> str:
    with pytest.raises(PlatformFileError) as info:
        _one(env, base_dir, **fields)
    text = str(info.value)
    assert text.startswith("platforms.json: platforms[0] (id 'sx-cloud'): field '"), text
    assert SECRET not in text
    return text


# --------------------------------------------------------------------------------------------- bearer
def test_bearer_forms(tmp_path: Path) -> None:
    assert _one(auth={"bearer": f"tok-{SECRET}"}).auth == BearerToken(token=f"tok-{SECRET}")
    assert _one(auth={"bearer": {"token": "t1"}}).auth == BearerToken(token="t1")
    (tmp_path / "sx.token").write_text(f"  from-file-{SECRET}\n")
    p = _one(auth={"bearer": {"tokenFile": "sx.token"}}, base_dir=tmp_path)  # relative to the file's folder
    assert p.auth == BearerToken(token_file=str(tmp_path / "sx.token"))
    assert _one(auth={"bearer": {}}, env={ENV_PREFIX + "TOKEN": "e1"}).auth == BearerToken(token="e1")
    assert _one(auth={"bearer": "file"}, env={ENV_PREFIX + "TOKEN": "env"}).auth == BearerToken(token="env")
    assert _one(env={ENV_PREFIX + "TOKEN": "only-env"}).auth == BearerToken(token="only-env")


@pytest.mark.parametrize(("auth", "env", "message"), [
    ({"bearer": {}}, {}, f"field 'auth.bearer': no token: give token or tokenFile, or set {ENV_PREFIX}TOKEN"),
    ({"bearer": f"has space {SECRET}"}, {}, "field 'auth.bearer.token': the token must be printable ASCII"),
    ({"bearer": ""}, {}, "field 'auth.bearer.token': the token must be a non-empty string"),
    ({"bearer": {"token": "a", "tokenFile": "b"}}, {}, "field 'auth.bearer': must be a token"),
    ({"bearer": {"tokenFile": "missing.token"}}, {}, "field 'auth.bearer.tokenFile': cannot read"),
    ({"bearer": "t"}, {ENV_PREFIX + "PASSWORD": SECRET},
     f"field 'auth': {ENV_PREFIX}PASSWORD is set but this platform's auth is bearer"),
    ({"basic": ["u", "p"]}, {ENV_PREFIX + "TOKEN": SECRET},
     f"field 'auth': {ENV_PREFIX}TOKEN is set but this platform's auth is basic"),
    (None, {ENV_PREFIX + "TOKEN": SECRET, ENV_PREFIX + "USER": "u"},
     f"field 'auth': both {ENV_PREFIX}TOKEN and {ENV_PREFIX}USER/_PASSWORD are set: choose one"),
    (None, {ENV_PREFIX + "CLIENT_SECRET": SECRET},
     f"field 'auth': {ENV_PREFIX}CLIENT_SECRET is set but there is no auth.oauth2"),
    ({"bearer": "x", "basic": ["u", "p"]}, {}, "field 'auth': must be one of"),
])
def test_bearer_and_environment_mistakes(tmp_path: Path, auth: object, env: dict[str, str], message: str) -> None:
    fields = {} if auth is None else {"auth": auth}
    assert message in _refused(env, tmp_path, **fields)


def test_empty_token_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "empty.token").write_text("\n")
    assert "field 'auth.bearer.tokenFile'" in _refused(auth={"bearer": {"tokenFile": "empty.token"}},
                                                       base_dir=tmp_path)


# --------------------------------------------------------------------------------------------- oauth2
OAUTH = {"tokenUrl": "https://iam.example/oauth2/token", "clientId": "huren-hub", "clientSecret": SECRET}


def test_oauth2_forms(tmp_path: Path) -> None:
    p = _one(auth={"oauth2": {**OAUTH, "scope": ["dicomweb.read", "qido"]}})
    assert p.auth == OAuth2ClientCredentials(token_url=OAUTH["tokenUrl"], client_id="huren-hub",
                                             client_secret=SECRET, scope="dicomweb.read qido")
    assert p.auth.auth_method == "client_secret_basic"
    (tmp_path / "client.secret").write_text(SECRET + "\n")
    from_file = {k: v for k, v in OAUTH.items() if k != "clientSecret"}
    p = _one(auth={"oauth2": {**from_file, "clientSecretFile": "client.secret", "authMethod": "client_secret_post",
                              "scope": "a b"}}, base_dir=tmp_path)
    assert (p.auth.client_secret, p.auth.client_secret_file, p.auth.auth_method, p.auth.scope) == (
        None, str(tmp_path / "client.secret"), "client_secret_post", "a b")
    p = _one(auth={"oauth2": from_file}, env={ENV_PREFIX + "CLIENT_SECRET": "from-env"})
    assert p.auth.client_secret == "from-env"
    p = _one(auth={"oauth2": OAUTH}, env={ENV_PREFIX + "CLIENT_SECRET": "env-wins"})
    assert p.auth.client_secret == "env-wins"
    # plain http only towards loopback (a token endpoint beside the hub, or a test)
    assert _one(auth={"oauth2": {**OAUTH, "tokenUrl": "http://127.0.0.1:9/token"}}).auth is not None


@pytest.mark.parametrize(("oauth2", "env", "message"), [
    ({**OAUTH, "tokenUrl": None}, {}, "field 'auth.oauth2.tokenUrl': required"),
    ({**OAUTH, "tokenUrl": "http://iam.example/token"}, {}, "field 'auth.oauth2.tokenUrl': must be https"),
    ({**OAUTH, "tokenUrl": "ftp://iam.example/token"}, {}, "field 'auth.oauth2.tokenUrl': must be an absolute"),
    ({**OAUTH, "tokenUrl": f"https://u:{SECRET}@iam.example/t"}, {}, "field 'auth.oauth2.tokenUrl': must not"),
    ({**OAUTH, "clientId": ""}, {}, "field 'auth.oauth2.clientId': required"),
    ({**OAUTH, "clientSecret": None}, {},
     f"field 'auth.oauth2.clientSecret': required: clientSecret, clientSecretFile or {ENV_PREFIX}CLIENT_SECRET"),
    ({**OAUTH, "clientSecretFile": "x"}, {}, "field 'auth.oauth2': give clientSecret or clientSecretFile, not both"),
    ({**OAUTH, "clientSecret": None, "clientSecretFile": "nope.secret"}, {},
     "field 'auth.oauth2.clientSecretFile': cannot read"),
    ({**OAUTH, "authMethod": "private_key_jwt"}, {}, "field 'auth.oauth2.authMethod': must be one of"),
    ({**OAUTH, "scope": 3}, {}, "field 'auth.oauth2.scope'"),
    ({**OAUTH, "audience": "x"}, {}, "field 'auth.oauth2.audience': unknown field"),
    (OAUTH, {ENV_PREFIX + "TOKEN": SECRET}, f"field 'auth': {ENV_PREFIX}TOKEN is set but this platform's auth is "
                                            "oauth2"),
])
def test_oauth2_mistakes(tmp_path: Path, oauth2: dict[str, object], env: dict[str, str], message: str) -> None:
    spec = {k: v for k, v in oauth2.items() if v is not None}
    assert message in _refused(env, tmp_path, auth={"oauth2": spec})


# --------------------------------------------------------------------------------------------- TLS
def _encrypted_key(pki: Pki, tmp_path: Path, password: str) -> Path:
    out = tmp_path / "hub-encrypted.key"
    subprocess.run([OPENSSL, "pkey", "-in", str(pki.client.key), "-aes256", "-passout", f"pass:{password}",
                    "-out", str(out)], check=True, capture_output=True)
    return out


def test_tls_files_build_one_context(pki: Pki, tmp_path: Path) -> None:
    p = _one(caFile=str(pki.ca.cert), clientCert=str(pki.client.cert), clientKey=str(pki.client.key))
    assert p.tls is not None and isinstance(p.tls.context, ssl.SSLContext)
    assert p.tls.context is p.tls.context  # built once
    assert p.tls.context.verify_mode == ssl.CERT_REQUIRED and p.tls.context.check_hostname
    assert "tls=mutual" in repr(p)
    assert "tls=ca" in repr(_one(caFile=str(pki.ca.cert)))
    combined = tmp_path / "hub-combined.pem"  # certificate and key in one file: clientKey may be left out
    combined.write_text(pki.client.cert.read_text() + pki.client.key.read_text())
    assert _one(clientCert=str(combined)).tls.client_key is None
    # relative to the platform file's folder
    (tmp_path / "ca.pem").write_text(pki.ca.cert.read_text())
    assert _one(caFile="ca.pem", base_dir=tmp_path).tls.ca_file == str(tmp_path / "ca.pem")


def test_encrypted_client_key_needs_its_password(pki: Pki, tmp_path: Path) -> None:
    key = _encrypted_key(pki, tmp_path, f"kp-{SECRET}")
    fields = {"clientCert": str(pki.client.cert), "clientKey": str(key)}
    assert (f"field 'clientKey': is encrypted and cannot be opened: set {ENV_PREFIX}CLIENT_KEY_PASSWORD"
            in _refused(**fields))
    assert "field 'clientKey': is encrypted" in _refused({ENV_PREFIX + "CLIENT_KEY_PASSWORD": "wrong"}, **fields)
    p = _one({ENV_PREFIX + "CLIENT_KEY_PASSWORD": f"kp-{SECRET}"}, **fields)
    assert isinstance(p.tls.context, ssl.SSLContext)
    assert SECRET not in repr(p) + repr(p.tls) + str(p.tls)


def test_tls_mistakes(pki: Pki, tmp_path: Path) -> None:
    not_pem = tmp_path / "not.pem"
    not_pem.write_text("hello")
    assert "field 'caFile': cannot read" in _refused(caFile=str(tmp_path / "missing.pem"))
    assert "field 'caFile': " in _refused(caFile=str(not_pem))
    assert "is not a PEM file holding a certificate" in _refused(caFile=str(not_pem))
    assert "field 'clientKey': needs clientCert beside it" in _refused(clientKey=str(pki.client.key))
    assert "field 'clientCert': has no private key in it: give clientKey too" in _refused(
        clientCert=str(pki.client.cert))
    assert "field 'clientKey': does not match clientCert" in _refused(
        clientCert=str(pki.client.cert), clientKey=str(pki.stranger_client.key))
    assert "field 'clientKey': " in _refused(clientCert=str(pki.client.cert), clientKey=str(pki.client.cert))
    assert "field 'caFile': applies to https only (baseUrl is http)" in _refused(
        caFile=str(pki.ca.cert), baseUrl="http://platform.example/dicom-web")


# --------------------------------------------------------------------------------------------- whole file
def test_yaml_file_with_every_form_and_nothing_secret_in_reprs(pki: Pki, tmp_path: Path) -> None:
    (tmp_path / "tls").mkdir()
    for name, src in (("ca.pem", pki.ca.cert), ("hub.pem", pki.client.cert), ("hub.key", pki.client.key)):
        (tmp_path / "tls" / name).write_text(src.read_text())
    (tmp_path / "sx.secret").write_text(SECRET)
    path = tmp_path / "platforms.yaml"
    path.write_text(f"""platforms:
  - id: bj-cloud
    region: "110000"
    baseUrl: http://127.0.0.1:8043/dicom-web
    auth: {{basic: [hub, "{SECRET}"]}}
  - id: he-cloud
    region: "130000"
    baseUrl: https://he.example/dicom-web
    auth: {{bearer: "{SECRET}"}}
    caFile: tls/ca.pem
  - id: sx-cloud
    region: "140000"
    baseUrl: https://sx.example/dicom-web
    auth:
      oauth2: {{tokenUrl: "https://iam.sx.example/token", clientId: huren-hub, clientSecretFile: sx.secret,
               scope: dicomweb.read}}
    caFile: tls/ca.pem
    clientCert: tls/hub.pem
    clientKey: tls/hub.key
""", encoding="utf-8")
    bj, he, sx = load_platforms(path, env={})
    assert bj.auth == BasicAuth("hub", SECRET)
    assert he.auth == BearerToken(token=SECRET) and he.tls.ca_file == str(tmp_path / "tls" / "ca.pem")
    assert sx.auth.client_secret_file == str(tmp_path / "sx.secret") and sx.tls.client_cert
    for p in (bj, he, sx):
        for text in (repr(p), str(p), repr(p.auth), str(p.auth), repr(p.tls)):
            assert SECRET not in text
    assert [repr(p).split("auth=")[1] for p in (bj, he, sx)] == ["basic, tls=-)", "bearer, tls=ca)",
                                                                   "oauth2, tls=mutual)"]
    json.dumps([repr(p) for p in (bj, he, sx)])  # plain text, safe to log
