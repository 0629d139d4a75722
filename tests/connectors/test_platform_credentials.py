"""The hub's own credentials towards platforms, against real servers: bearer tokens (static, from a file,
OAuth2 client credentials from a real token endpoint) over mutual TLS to an HTTPS front of a real Orthanc.

Every fan-out here also asks the plain ``bj`` Orthanc, and checks that it still answers whatever happens
to the platform under test: a credential or TLS failure is that platform's ``ok: false``, never an
exception and never the others' failure.  Secrets (client secret, issued tokens, static tokens) are
looked for in every log line, status and error the runs produce.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from connectors.dicomweb import StudyQuery
from connectors.fanout import FanOut, PlatformStatus, RetryPolicy
from connectors.platforms import Platform, parse_platforms
from connectors.service import PriorStudySearch
from tests.connectors.conftest import BJ, ISSUER, ON, PATIENT, SINCE, MemoryDirectory, Scenario
from tests.connectors.connectors_harness import free_port
from tests.connectors.credential_servers import DicomWebFront, OpenSslServer, TokenEndpoint
from tests.connectors.tls_material import Pki, openssl_missing

QUERY = StudyQuery(PATIENT, ISSUER, SINCE, ON)
CLIENT_ID, CLIENT_SECRET = "huren-hub", "cs-7Qx!9 secret/with=odd+chars"
STATIC_TOKEN = "static-bearer-5b2c1f0e9d"
SX = "sx-cloud"  # the platform under test (a Shanxi-like regional platform on mutual TLS)


# --------------------------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    why = openssl_missing()
    if why:
        pytest.fail(f"the openssl CLI is needed for the credential tests ({why})")
    return Pki.create(tmp_path_factory.mktemp("pki"))


@pytest.fixture
async def servers() -> AsyncIterator[list]:
    started: list = []
    yield started
    for server in started:
        await server.stop()


async def _start(registry: list, server):  # type: ignore[no-untyped-def]
    registry.append(server)
    return await server.start()


def _mtls(pki: Pki, **overrides: object) -> dict[str, object]:
    fields: dict[str, object] = {"caFile": str(pki.ca.cert), "clientCert": str(pki.client.cert),
                                 "clientKey": str(pki.client.key)}
    fields.update(overrides)
    return {k: v for k, v in fields.items() if v is not None}


def _platform(base_url: str, auth: object = None, env: dict[str, str] | None = None, timeout_s: float = 5,
              **tls: object) -> Platform:
    """One platform through the real platform-file parser (so the test also covers the file)."""
    entry: dict[str, object] = {"id": SX, "name": "测试省影像云", "region": "140000", "baseUrl": base_url,
                                "timeoutS": timeout_s, **tls}
    if auth is not None:
        entry["auth"] = auth
    [platform] = parse_platforms({"platforms": [entry]}, source="platforms.json", env=env or {})
    return platform


def _oauth2(endpoint: TokenEndpoint, **extra: object) -> dict[str, object]:
    return {"oauth2": {"tokenUrl": endpoint.url, "clientId": CLIENT_ID, "clientSecret": CLIENT_SECRET, **extra}}


def _status(statuses: list[PlatformStatus], pid: str) -> PlatformStatus:
    return next(s for s in statuses if s.id == pid)


def _bj_answered(scenario: Scenario, studies: list, statuses: list[PlatformStatus]) -> None:
    assert _status(statuses, BJ).ok
    assert {str(s.dataset.StudyInstanceUID) for s in studies if s.platform == BJ} == _bj_uids(scenario)


def _bj_uids(scenario: Scenario) -> set[str]:
    return {scenario.uids[k] for k in ("bj_ct", "bj_dr", "bj_ct_thin_missing")}


def _uids(studies: list, pid: str = SX) -> set[str]:
    return {str(s.dataset.StudyInstanceUID) for s in studies if s.platform == pid}


@pytest.fixture
def endpoint_factory(pki: Pki, servers: list):  # type: ignore[no-untyped-def]
    async def make(**kwargs: object) -> TokenEndpoint:
        return await _start(servers, TokenEndpoint(pki, CLIENT_ID, CLIENT_SECRET, **kwargs))  # type: ignore[arg-type]
    return make


@pytest.fixture
def front_factory(pki: Pki, servers: list, scenario: Scenario):  # type: ignore[no-untyped-def]
    async def make(**kwargs: object) -> DicomWebFront:
        return await _start(servers, DicomWebFront(pki, scenario.servers[BJ].url, **kwargs))  # type: ignore[arg-type]
    return make


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    caplog.set_level(logging.DEBUG)
    yield caplog


def _assert_no_secret(texts: list[str], secrets: list[str]) -> None:
    for secret in secrets:
        for text in texts:
            assert secret not in text, f"a secret leaked into: {text[:200]!r}"


# --------------------------------------------------------------------------------------------- bearer
async def test_static_bearer_over_mutual_tls_reaches_orthanc(scenario: Scenario, http_session, pki: Pki,
                                                             front_factory, logs) -> None:
    front = await front_factory(accept=lambda t: t == STATIC_TOKEN)
    sx = _platform(front.dicomweb, {"bearer": STATIC_TOKEN}, **_mtls(pki))
    studies, statuses = await FanOut(http_session).search_studies([scenario.platform(BJ), sx], QUERY)
    _bj_answered(scenario, studies, statuses)
    assert _status(statuses, SX).ok
    assert _uids(studies) == _bj_uids(scenario)  # Orthanc's answer, through the front
    assert front.seen == [f"Bearer {STATIC_TOKEN}"]
    _assert_no_secret([logs.text, repr(sx), str(sx), repr(sx.auth)], [STATIC_TOKEN])


async def test_bearer_from_the_environment_wins(scenario: Scenario, http_session, pki: Pki, front_factory) -> None:
    front = await front_factory(accept=lambda t: t == "from-env")
    sx = _platform(front.dicomweb, {"bearer": "from-file"}, env={"HUB_PLATFORM_SX_CLOUD_TOKEN": "from-env"},
                   **_mtls(pki))
    _, statuses = await FanOut(http_session).search_studies([sx], QUERY)
    assert statuses[0].ok and front.seen == ["Bearer from-env"]


async def test_token_file_is_reread_when_rotated(scenario: Scenario, http_session, pki: Pki, front_factory,
                                                 tmp_path: Path) -> None:
    token_file = tmp_path / "sx.token"
    token_file.write_text("first-token\n")
    accepted = {"first-token"}
    front = await front_factory(accept=lambda t: t in accepted)
    sx = _platform(front.dicomweb, {"bearer": {"tokenFile": str(token_file)}}, **_mtls(pki))
    fanout = FanOut(http_session)
    _, statuses = await fanout.search_studies([sx], QUERY)
    assert statuses[0].ok
    accepted.clear()
    accepted.add("second-token")  # the platform rotated it; an agent writes the new one
    token_file.write_text("second-token\n")
    _, statuses = await fanout.search_studies([sx], QUERY)
    assert statuses[0].ok
    assert front.seen == ["Bearer first-token", "Bearer second-token"]


# --------------------------------------------------------------------------------------------- oauth2
async def test_oauth2_token_fetched_once_and_reused_across_searches(
        scenario: Scenario, http_session, pki: Pki, endpoint_factory, front_factory,
        directory: MemoryDirectory, logs) -> None:
    endpoint = await endpoint_factory()
    front = await front_factory(accept=endpoint.valid)
    sx = _platform(front.dicomweb, _oauth2(endpoint, scope=["qido", "wado"]), **_mtls(pki))
    fanout = FanOut(http_session)
    search = PriorStudySearch([scenario.platform(BJ), sx], directory, http_session, fanout=fanout)
    first = await search.search(PATIENT, ISSUER, SINCE, ON)
    second = await search.search(PATIENT, ISSUER, SINCE, ON)
    for result in (first, second):
        assert all(s.ok for s in result.platforms), result.platforms
        assert {s.study_instance_uid for s in result.studies if s.platform == SX} == _bj_uids(scenario)
        # series search and metadata went through the front too: completeness could be judged
        assert all(s.series_count for s in result.studies if s.platform == SX)
    assert endpoint.fetches == 1
    assert endpoint.scopes == ["qido wado"] and endpoint.methods == ["client_secret_basic"]
    [token] = [i.token for i in endpoint.issued]
    assert len(front.seen) >= 2 * 7  # per search: study search, 3 series searches, 3 metadata calls
    assert set(front.seen) == {f"Bearer {token}"}
    _assert_no_secret([logs.text, repr(sx), repr(sx.auth), repr(fanout.credentials.of(sx))],
                      [CLIENT_SECRET, token])


async def test_oauth2_token_renewed_shortly_before_expiry(scenario: Scenario, http_session, pki: Pki,
                                                         endpoint_factory, front_factory) -> None:
    endpoint = await endpoint_factory(lifetime_s=2.0)  # renewed 0.2 s before it expires
    front = await front_factory(accept=endpoint.valid)
    sx = _platform(front.dicomweb, _oauth2(endpoint, authMethod="client_secret_post"), **_mtls(pki))
    fanout = FanOut(http_session)
    for _ in range(3):
        _, statuses = await fanout.search_studies([sx], QUERY)
        assert statuses[0].ok
    assert endpoint.fetches == 1
    await asyncio.sleep(1.9)  # inside its lifetime, past the renewal point
    _, statuses = await fanout.search_studies([sx], QUERY)
    assert statuses[0].ok
    assert endpoint.fetches == 2 and endpoint.methods == ["client_secret_post"] * 2
    first, second = (f"Bearer {i.token}" for i in endpoint.issued)
    assert front.seen == [first] * 3 + [second]
    assert front.refused == 0  # never sent an expired token


async def test_oauth2_token_renewed_once_after_a_401(scenario: Scenario, http_session, pki: Pki,
                                                    endpoint_factory, front_factory) -> None:
    endpoint = await endpoint_factory()
    front = await front_factory(accept=endpoint.valid)
    sx = _platform(front.dicomweb, _oauth2(endpoint), **_mtls(pki))
    fanout = FanOut(http_session)
    _, statuses = await fanout.search_studies([sx], QUERY)
    assert statuses[0].ok and endpoint.fetches == 1
    old = f"Bearer {endpoint.issued[0].token}"
    endpoint.revoke_all()  # the platform forgets the token long before its expires_in
    studies, statuses = await fanout.search_studies([scenario.platform(BJ), sx], QUERY)
    _bj_answered(scenario, studies, statuses)
    assert _status(statuses, SX).ok and _uids(studies) == _bj_uids(scenario)
    assert endpoint.fetches == 2
    new = f"Bearer {endpoint.issued[0].token}"
    assert front.seen == [old, old, new] and front.refused == 1


async def test_a_401_that_persists_is_refused_credentials_after_one_renewal(
        scenario: Scenario, http_session, pki: Pki, endpoint_factory, front_factory) -> None:
    endpoint = await endpoint_factory()
    front = await front_factory(accept=lambda t: False)  # the platform trusts another issuer
    sx = _platform(front.dicomweb, _oauth2(endpoint), **_mtls(pki))
    studies, statuses = await FanOut(http_session).search_studies([scenario.platform(BJ), sx], QUERY)
    _bj_answered(scenario, studies, statuses)
    assert (_status(statuses, SX).ok, _status(statuses, SX).error) == (False, "credentials refused (HTTP 401)")
    assert endpoint.fetches == 2 and front.refused == 2  # renewed once, not in a loop


async def test_one_token_fetch_for_twenty_concurrent_searches(scenario: Scenario, http_session, pki: Pki,
                                                              endpoint_factory, front_factory) -> None:
    endpoint = await endpoint_factory(delay_s=0.3)  # slow enough for all twenty to be waiting on it
    front = await front_factory(accept=endpoint.valid)
    sx = _platform(front.dicomweb, _oauth2(endpoint), **_mtls(pki))
    fanout = FanOut(http_session)
    results = await asyncio.gather(*(fanout.search_studies([scenario.platform(BJ), sx], QUERY)
                                     for _ in range(20)))
    for studies, statuses in results:
        _bj_answered(scenario, studies, statuses)
        assert _status(statuses, SX).ok and _uids(studies) == _bj_uids(scenario)
    assert endpoint.fetches == 1
    assert front.seen == [f"Bearer {endpoint.issued[0].token}"] * 20


async def test_a_search_whose_budget_ends_does_not_cancel_the_shared_fetch(
        scenario: Scenario, http_session, pki: Pki, endpoint_factory, front_factory) -> None:
    endpoint = await endpoint_factory(delay_s=0.6)
    front = await front_factory(accept=endpoint.valid)
    fanout = FanOut(http_session)
    impatient = _platform(front.dicomweb, _oauth2(endpoint), timeout_s=0.2, **_mtls(pki))
    _, statuses = await fanout.search_studies([impatient], QUERY)
    assert statuses[0].error == "timed out after 0.2 s"
    await asyncio.sleep(1.0)  # the fetch it started finished meanwhile, for whoever asks next
    _, statuses = await fanout.search_studies([impatient], QUERY)
    assert statuses[0].ok and endpoint.fetches == 1


async def test_token_without_expires_in_is_kept_until_a_401(scenario: Scenario, http_session, pki: Pki,
                                                            endpoint_factory, front_factory) -> None:
    endpoint = await endpoint_factory(fault="no-expiry")
    front = await front_factory(accept=endpoint.valid)
    sx = _platform(front.dicomweb, _oauth2(endpoint), **_mtls(pki))
    fanout = FanOut(http_session)
    for _ in range(2):
        _, statuses = await fanout.search_studies([sx], QUERY)
        assert statuses[0].ok
    assert endpoint.fetches == 1
    endpoint.revoke_all()
    _, statuses = await fanout.search_studies([sx], QUERY)
    assert statuses[0].ok and endpoint.fetches == 2


# --------------------------------------------------------------------------------------------- token endpoint faults
async def test_token_endpoint_refusing_the_client(scenario: Scenario, http_session, pki: Pki, endpoint_factory,
                                                  front_factory, logs) -> None:
    endpoint = await endpoint_factory()
    front = await front_factory(accept=endpoint.valid)
    wrong = "wrong-secret-0c9a77"
    sx = _platform(front.dicomweb, {"oauth2": {"tokenUrl": endpoint.url, "clientId": CLIENT_ID}},
                   env={"HUB_PLATFORM_SX_CLOUD_CLIENT_SECRET": wrong}, **_mtls(pki))
    studies, statuses = await FanOut(http_session).search_studies([scenario.platform(BJ), sx], QUERY)
    _bj_answered(scenario, studies, statuses)
    status = _status(statuses, SX)
    assert (status.ok, status.error) == (False, "token endpoint refused the client credentials "
                                                "(HTTP 401, invalid_client)")
    assert endpoint.fetches == 1  # not retried: the same secret gets the same answer
    assert front.seen == []  # the platform itself was not bothered without a token
    _assert_no_secret([logs.text, status.error or "", repr(sx)], [wrong, CLIENT_SECRET])


@pytest.mark.parametrize(("fault", "error", "fetches"), [
    ("500", "token endpoint error (HTTP 500)", 3),  # retried like any 5xx, within the budget
    ("html", "token endpoint answer is not a token (text/html, 23 bytes)", 1),
])
async def test_token_endpoint_faults(scenario: Scenario, http_session, pki: Pki, endpoint_factory,
                                     front_factory, fault: str, error: str, fetches: int) -> None:
    endpoint = await endpoint_factory(fault=fault)
    front = await front_factory(accept=endpoint.valid)
    sx = _platform(front.dicomweb, _oauth2(endpoint), **_mtls(pki))
    fanout = FanOut(http_session, retry=RetryPolicy(attempts=3, wait_initial=0.01, wait_jitter=0.0))
    studies, statuses = await fanout.search_studies([scenario.platform(BJ), sx], QUERY)
    _bj_answered(scenario, studies, statuses)
    assert (_status(statuses, SX).ok, _status(statuses, SX).error) == (False, error)
    assert endpoint.fetches == fetches


async def test_token_endpoint_down_or_untrusted(scenario: Scenario, http_session, pki: Pki, endpoint_factory,
                                               front_factory) -> None:
    front = await front_factory(accept=lambda t: True)
    down = _platform(front.dicomweb, {"oauth2": {"tokenUrl": f"https://127.0.0.1:{free_port()}/token",
                                                 "clientId": CLIENT_ID, "clientSecret": CLIENT_SECRET}},
                     **_mtls(pki))
    stranger = await endpoint_factory(leaf=pki.stranger_server)
    untrusted = dataclasses.replace(_platform(front.dicomweb, _oauth2(stranger), **_mtls(pki)), id="sx-2")
    fanout = FanOut(http_session, retry=RetryPolicy(attempts=2, wait_initial=0.01, wait_jitter=0.0))
    studies, statuses = await fanout.search_studies([scenario.platform(BJ), down, untrusted], QUERY)
    _bj_answered(scenario, studies, statuses)
    assert _status(statuses, SX).error == "token endpoint: connection refused"
    assert _status(statuses, "sx-2").error == ("token endpoint: TLS: the server's certificate is not trusted "
                                               "(unable to get local issuer certificate)")
    assert stranger.fetches == 0 and front.seen == []


# --------------------------------------------------------------------------------------------- mutual TLS
async def test_mutual_tls_needs_the_right_client_certificate(scenario: Scenario, http_session, pki: Pki,
                                                             front_factory) -> None:
    front = await front_factory(accept=lambda t: t == STATIC_TOKEN)
    auth = {"bearer": STATIC_TOKEN}
    right = _platform(front.dicomweb, auth, **_mtls(pki))
    none = dataclasses.replace(_platform(front.dicomweb, auth, **_mtls(pki, clientCert=None, clientKey=None)),
                               id="no-cert")
    foreign = dataclasses.replace(
        _platform(front.dicomweb, auth, **_mtls(pki, clientCert=str(pki.stranger_client.cert),
                                                clientKey=str(pki.stranger_client.key))), id="foreign-cert")
    fanout = FanOut(http_session, retry=RetryPolicy(attempts=1))
    studies, statuses = await fanout.search_studies([scenario.platform(BJ), right, none, foreign], QUERY)
    _bj_answered(scenario, studies, statuses)
    assert _status(statuses, SX).ok and _uids(studies) == _bj_uids(scenario)
    # an asyncio server (like this front) drops the connection without a TLS alert: the error says so
    for pid in ("no-cert", "foreign-cert"):
        assert _status(statuses, pid).error == (
            "connection lost during study search (closed by the platform over TLS; "
            "a refused client certificate looks like this too)")
    assert front.seen == [f"Bearer {STATIC_TOKEN}"]  # only the right certificate got as far as HTTP


async def test_platform_certificate_from_an_unknown_ca(scenario: Scenario, http_session, pki: Pki,
                                                       front_factory) -> None:
    impostor = await front_factory(accept=lambda t: True, leaf=pki.stranger_server)
    pinned = _platform(impostor.dicomweb, {"bearer": STATIC_TOKEN}, **_mtls(pki))
    system = dataclasses.replace(_platform(impostor.dicomweb, {"bearer": STATIC_TOKEN}), id="system-store")
    studies, statuses = await FanOut(http_session).search_studies([scenario.platform(BJ), pinned, system], QUERY)
    _bj_answered(scenario, studies, statuses)
    assert _status(statuses, SX).error == ("TLS: the platform's certificate is not trusted "
                                           "(unable to get local issuer certificate)")
    assert (_status(statuses, "system-store").error or "").startswith(
        "TLS: the platform's certificate is not trusted (")
    assert impostor.seen == []  # the token was never sent to a server the hub does not trust


@pytest.mark.parametrize(("tls", "cert", "error"), [
    ("tls1_3", None, "TLS: the platform requires a client certificate (no clientCert configured)"),
    ("tls1_3", "stranger", "TLS: the platform does not trust the issuer of the hub's client certificate "
                           "(unknown CA)"),
    ("tls1_2", None, "TLS: the platform refused the handshake; it may require a client certificate "
                     "(no clientCert configured)"),
    ("tls1_2", "stranger", "TLS: the platform does not trust the issuer of the hub's client certificate "
                           "(unknown CA)"),
])
async def test_tls_alerts_of_an_openssl_server_are_named(scenario: Scenario, http_session, pki: Pki,
                                                         tls: str, cert: str | None, error: str) -> None:
    server = OpenSslServer(pki, tls=tls).start()
    try:
        client = ({} if cert is None else
                  {"clientCert": str(pki.stranger_client.cert), "clientKey": str(pki.stranger_client.key)})
        sx = _platform(server.dicomweb, {"bearer": STATIC_TOKEN}, caFile=str(pki.ca.cert), **client)
        fanout = FanOut(http_session)
        studies, statuses = await fanout.search_studies([scenario.platform(BJ), sx], QUERY)
    finally:
        server.stop()
    _bj_answered(scenario, studies, statuses)
    assert (_status(statuses, SX).ok, _status(statuses, SX).error) == (False, error)


# --------------------------------------------------------------------------------------------- secrets
async def test_no_secret_in_any_log_status_or_error(scenario: Scenario, http_session, pki: Pki,
                                                    endpoint_factory, front_factory, logs) -> None:
    """A mixed run — good and bad OAuth2 clients, a static token, a refused token, basic auth — and every
    captured log line, status error, repr and exception text is searched for every secret value."""
    endpoint = await endpoint_factory()
    front = await front_factory(accept=lambda t: endpoint.valid(t) or t == STATIC_TOKEN)
    wrong_secret, refused_token = "wrong-8f1e2d3c", "refused-token-44aa"
    platforms = [
        scenario.platform(BJ),
        _platform(front.dicomweb, _oauth2(endpoint), **_mtls(pki)),
        dataclasses.replace(_platform(front.dicomweb, {"oauth2": {"tokenUrl": endpoint.url, "clientId": CLIENT_ID,
                                                                  "clientSecret": wrong_secret}}, **_mtls(pki)),
                            id="bad-client"),
        dataclasses.replace(_platform(front.dicomweb, {"bearer": STATIC_TOKEN}, **_mtls(pki)), id="static"),
        dataclasses.replace(_platform(front.dicomweb, {"bearer": refused_token}, **_mtls(pki)), id="refused"),
        dataclasses.replace(_platform(front.dicomweb, {"basic": ["hub", "basic-pw-31337"]}, **_mtls(pki)),
                            id="basic"),
    ]
    fanout = FanOut(http_session)
    studies, statuses = await fanout.search_studies(platforms, QUERY)
    _bj_answered(scenario, studies, statuses)
    assert [s.ok for s in statuses] == [True, True, False, True, False, False]
    assert _status(statuses, "refused").error == _status(statuses, "basic").error == "credentials refused (HTTP 401)"
    issued = [i.token for i in endpoint.issued]
    assert issued
    texts = [logs.text, *(str(s) for s in statuses), *(repr(p) for p in platforms),
             *(str(p) for p in platforms), *(repr(p.auth) for p in platforms),
             *(repr(fanout.credentials.of(p)) for p in platforms)]
    _assert_no_secret(texts, [CLIENT_SECRET, wrong_secret, STATIC_TOKEN, refused_token, "basic-pw-31337", *issued])
    # the token endpoint's error_description quoted the wrong secret back: it was not passed on
    assert "bad secret" not in logs.text
