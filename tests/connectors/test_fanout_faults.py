"""Fan-out against real processes that fail: partial results, that platform's error, and a bounded wait.

Every test asks a healthy Orthanc (``bj``) together with a failing platform, and checks that the healthy
platform's studies come back, that the failing one is ``ok=False`` with a short human error, and that
the call returned within the failing platform's timeout plus a small slack.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import signal
import time
from collections.abc import AsyncIterator

import pytest

from connectors.dicomweb import StudyQuery
from connectors.fanout import BreakerPolicy, FanOut, GuardedClient, PlatformStatus, RetryPolicy
from connectors.platforms import BasicAuth, Platform
from tests.connectors.conftest import BJ, HE, ISSUER, ON, PATIENT, SINCE, Scenario
from tests.connectors.connectors_harness import MisbehavingServer, OrthancServer, free_port

#: What "returned within its bound" allows beyond the platform's timeout: cancelling and gathering.
SLACK_S = 0.5
QUERY = StudyQuery(PATIENT, ISSUER, SINCE, ON)


def _platform(pid: str, base_url: str, timeout_s: float = 2.0, auth: BasicAuth | None = None) -> Platform:
    return Platform(id=pid, name=pid, region="110000", base_url=base_url, timeout_s=timeout_s, auth=auth)


def _status(statuses: list[PlatformStatus], pid: str) -> PlatformStatus:
    return next(s for s in statuses if s.id == pid)


async def _search(fanout: FanOut, platforms: list[Platform]) -> tuple[list, list[PlatformStatus], float]:
    started = time.perf_counter()
    studies, statuses = await fanout.search_studies(platforms, QUERY)
    return studies, statuses, time.perf_counter() - started


def _assert_bj_answered(scenario: Scenario, studies: list, statuses: list[PlatformStatus]) -> None:
    assert _status(statuses, BJ).ok and _status(statuses, BJ).error is None
    bj = {str(s.dataset.StudyInstanceUID) for s in studies if s.platform == BJ}
    assert bj == {scenario.uids[k] for k in ("bj_ct", "bj_dr", "bj_ct_thin_missing")}
    assert all(s.platform in (BJ,) for s in studies)  # the failing platform contributed nothing


@pytest.fixture
async def misbehaving() -> AsyncIterator[list[MisbehavingServer]]:
    servers: list[MisbehavingServer] = []
    yield servers
    for server in servers:
        await server.stop()


async def _serve(registry: list[MisbehavingServer], **kwargs: object) -> MisbehavingServer:
    server = await MisbehavingServer(**kwargs).start()  # type: ignore[arg-type]
    registry.append(server)
    return server


# --------------------------------------------------------------------------------------------- faults
async def test_port_with_nothing_listening(scenario: Scenario, http_session) -> None:
    dead = _platform("dead", f"http://127.0.0.1:{free_port()}/dicom-web", timeout_s=2.0)
    studies, statuses, elapsed = await _search(FanOut(http_session), [scenario.platform(BJ), dead])
    _assert_bj_answered(scenario, studies, statuses)
    status = _status(statuses, "dead")
    assert (status.ok, status.error) == (False, "connection refused")
    assert elapsed < dead.timeout_s + SLACK_S
    assert [s.id for s in statuses] == [BJ, "dead"]  # one status per platform, in the file's order


async def test_platform_killed_mid_query(scenario: Scenario, http_session, victim: OrthancServer) -> None:
    platform = _platform("victim", victim.dicomweb, timeout_s=3.0)
    victim.send(signal.SIGSTOP)  # frozen: the kernel accepts the connection, nobody answers
    task = asyncio.create_task(_search(FanOut(http_session), [scenario.platform(BJ), platform]))
    await asyncio.sleep(0.3)
    assert not task.done()
    victim.send(signal.SIGKILL)  # ...and now the process dies with the request in flight
    studies, statuses, elapsed = await task
    _assert_bj_answered(scenario, studies, statuses)
    status = _status(statuses, "victim")
    assert not status.ok
    assert status.error in ("connection refused", "connection lost during study search",
                            "connection lost during study search (Connection reset by peer)")
    assert elapsed < platform.timeout_s + SLACK_S


async def test_platform_stopped_between_queries(scenario: Scenario, http_session,
                                                victim: OrthancServer) -> None:
    fanout = FanOut(http_session)
    platform = _platform("victim", victim.dicomweb, timeout_s=2.0)
    studies, statuses, _ = await _search(fanout, [platform])
    assert statuses[0].ok and len(studies) == 1  # a kept-alive connection now sits in the pool
    victim.stop(signal.SIGTERM)
    studies, statuses, elapsed = await _search(fanout, [scenario.platform(BJ), platform])
    _assert_bj_answered(scenario, studies, statuses)
    assert _status(statuses, "victim").error == "connection refused"
    assert elapsed < platform.timeout_s + SLACK_S


async def test_frozen_platform_times_out(scenario: Scenario, http_session, victim: OrthancServer) -> None:
    platform = _platform("victim", victim.dicomweb, timeout_s=0.8)
    victim.send(signal.SIGSTOP)
    try:
        studies, statuses, elapsed = await _search(FanOut(http_session), [scenario.platform(BJ), platform])
    finally:
        victim.send(signal.SIGCONT)
    _assert_bj_answered(scenario, studies, statuses)
    assert _status(statuses, "victim").error == "timed out after 0.8 s"
    assert 0.8 <= elapsed < 0.8 + SLACK_S


async def test_platform_slower_than_its_timeout(scenario: Scenario, http_session, misbehaving) -> None:
    slow = await _serve(misbehaving, delay=5.0)
    platform = _platform("slow", slow.dicomweb, timeout_s=1.0)
    studies, statuses, elapsed = await _search(FanOut(http_session), [scenario.platform(BJ), platform])
    _assert_bj_answered(scenario, studies, statuses)
    status = _status(statuses, "slow")
    assert (status.ok, status.error) == (False, "timed out after 1.0 s")
    assert 1000 <= status.latency_ms < 1000 + SLACK_S * 1000
    assert 1.0 <= elapsed < 1.0 + SLACK_S


async def test_wrong_credentials(scenario: Scenario, http_session, caplog) -> None:
    wrong = dataclasses.replace(scenario.platform(HE), auth=BasicAuth("hub", "not-the-password"))
    caplog.set_level(logging.DEBUG)
    studies, statuses, elapsed = await _search(FanOut(http_session), [scenario.platform(BJ), wrong])
    _assert_bj_answered(scenario, studies, statuses)
    assert _status(statuses, HE).error == "credentials refused (HTTP 401)"
    assert elapsed < wrong.timeout_s + SLACK_S
    assert "not-the-password" not in caplog.text and PATIENT not in caplog.text


@pytest.mark.parametrize(("body", "ctype", "error"), [
    (b"<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html",
     "answer is not DICOM JSON: text/html HTML page, 50 bytes"),
    (b'{"studies": []}', "application/json", "answer is not DICOM JSON: expected a JSON array of datasets, "
                                              "got a JSON dict"),
])
async def test_answer_that_is_not_dicom_json(scenario: Scenario, http_session, misbehaving,
                                             body: bytes, ctype: str, error: str) -> None:
    garbage = await _serve(misbehaving, body=body, content_type=ctype)
    platform = _platform("garbage", garbage.dicomweb)
    studies, statuses, elapsed = await _search(FanOut(http_session), [scenario.platform(BJ), platform])
    _assert_bj_answered(scenario, studies, statuses)
    assert _status(statuses, "garbage").error == error
    assert garbage.hits == 1  # garbage is not retried: asking again gets the same garbage
    assert elapsed < platform.timeout_s + SLACK_S


async def test_server_errors_are_retried_within_bounds(scenario: Scenario, http_session, misbehaving) -> None:
    failing = await _serve(misbehaving, status=503, body=b"busy", content_type="text/plain")
    platform = _platform("busy", failing.dicomweb)
    fanout = FanOut(http_session, retry=RetryPolicy(attempts=3, wait_initial=0.01, wait_jitter=0.01))
    studies, statuses, elapsed = await _search(fanout, [scenario.platform(BJ), platform])
    _assert_bj_answered(scenario, studies, statuses)
    assert _status(statuses, "busy").error == "platform error (HTTP 503)"
    assert failing.hits == 3
    assert elapsed < platform.timeout_s + SLACK_S


async def test_retries_stop_at_the_platform_budget(http_session, misbehaving) -> None:
    # each attempt takes 0.3 s and fails with 500: the 0.5 s budget allows two at most, then times out
    failing = await _serve(misbehaving, status=500, delay=0.3, body=b"x", content_type="text/plain")
    platform = _platform("busy", failing.dicomweb, timeout_s=0.5)
    fanout = FanOut(http_session, retry=RetryPolicy(attempts=10, wait_initial=0.01, wait_jitter=0.0))
    _, statuses, elapsed = await _search(fanout, [platform])
    assert statuses[0].error in ("timed out after 0.5 s", "platform error (HTTP 500)")
    assert failing.hits <= 2
    assert elapsed < 0.5 + SLACK_S


async def test_circuit_breaker_opens_then_half_opens(scenario: Scenario, http_session, misbehaving) -> None:
    failing = await _serve(misbehaving, status=500, body=b"x", content_type="text/plain")
    platform = _platform("flaky", failing.dicomweb)
    fanout = FanOut(http_session, retry=RetryPolicy(attempts=1),
                    breaker=BreakerPolicy(threshold=3, cooldown_s=0.6))
    for _ in range(3):
        _, statuses, _ = await _search(fanout, [platform])
        assert statuses[0].error == "platform error (HTTP 500)"
    assert failing.hits == 3
    studies, statuses, elapsed = await _search(fanout, [scenario.platform(BJ), platform])
    _assert_bj_answered(scenario, studies, statuses)
    status = _status(statuses, "flaky")
    assert not status.ok and status.error is not None
    assert status.error.startswith("not asked: failed 3 times in a row (circuit open")
    assert failing.hits == 3  # the open circuit did not touch the platform
    assert status.latency_ms < 50
    # after the cool-down one search is let through; it succeeds, and the circuit closes again
    failing.status, failing.body, failing.content_type = 200, b"[]", "application/dicom+json"
    await asyncio.sleep(0.7)
    _, statuses, _ = await _search(fanout, [platform])
    assert statuses[0].ok and failing.hits == 4
    _, statuses, _ = await _search(fanout, [platform])
    assert statuses[0].ok and failing.hits == 5


async def test_platforms_are_asked_at_once(http_session, misbehaving) -> None:
    servers = [await _serve(misbehaving, delay=0.4) for _ in range(3)]
    platforms = [_platform(f"p{i}", s.dicomweb) for i, s in enumerate(servers)]
    _, statuses, elapsed = await _search(FanOut(http_session), platforms)
    assert all(s.ok for s in statuses)
    assert elapsed < 0.4 * 1.8  # concurrent, not 1.2 s


async def test_nothing_raises_out_of_fan_out(scenario: Scenario, http_session) -> None:
    async def work(client: GuardedClient, sink: list[str]) -> None:
        if client.platform.id == "broken":
            raise KeyError("a bug")
        sink.append(client.platform.id)

    broken = _platform("broken", scenario.platform(BJ).base_url)
    results, statuses = await FanOut(http_session).run([scenario.platform(BJ), broken], work)
    assert results == [BJ]
    assert _status(statuses, "broken").error == "internal error (KeyError)"


async def test_partial_work_survives_a_later_timeout(scenario: Scenario, http_session) -> None:
    async def work(client: GuardedClient, sink: list[str]) -> None:
        sink.append("first")
        await asyncio.sleep(10)

    platform = dataclasses.replace(scenario.platform(BJ), timeout_s=0.3)
    results, statuses = await FanOut(http_session).run([platform], work)
    assert results == ["first"]
    assert statuses[0].error == "timed out after 0.3 s"
