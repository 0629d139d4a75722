"""Ask every regional platform at once; never let one slow or broken platform spoil the answer.

CONTRACT.md: every platform is asked at once, ``platforms`` has one status per platform, and a platform
that is down, slow past its timeout, refuses credentials or answers garbage is ``ok: false`` with an
error while the studies of the others still come back.  How that is guaranteed here:

* **All at once** — one task per platform (``asyncio.TaskGroup``); the search takes as long as the
  slowest platform *within its budget*, not the sum.
* **A budget per platform** — ``Platform.timeout_s`` (default 5 s) covers everything done for that
  platform in one search: the study search, its retries, and the per-study series/metadata calls.
  ``asyncio.timeout`` cancels the work when the budget is spent, so no search outlives the largest
  timeout (plus the time to cancel, a few ms).
* **Bounded retries, only where they can help** — an idempotent GET that failed on a connection error
  or a 5xx is tried again (``stamina``: exponential backoff with jitter, at most
  :attr:`RetryPolicy.attempts`), and never past the platform's budget.  401/403, 404 and garbage are
  not retried: asking again gets the same answer.
* **A circuit breaker per platform** (``purgatory``) — after :attr:`BreakerPolicy.threshold`
  consecutive failed searches the platform is not asked for :attr:`BreakerPolicy.cooldown_s` seconds
  (its status says so at once); then one search is let through (half-open) and success closes it.
  This keeps a dead platform from costing every doctor its full timeout.
* **Credentials kept across searches** — the fan-out keeps each platform's
  :class:`~connectors.credentials.PlatformCredentials` (an OAuth2 token, the TLS context), so a token
  fetched for one search serves the next ones until it is due for renewal; fetching it counts against the
  platform's budget like any other call, and a failing token endpoint is that platform's error.
* **Nothing escapes** — every failure becomes a :class:`PlatformStatus` with a short human error;
  whatever a platform delivered before failing (e.g. the study list before a series call timed out)
  is kept (``sink``).

Results carry their platform id, the way IHE XCA tags each answer with its homeCommunityId.
"""

from __future__ import annotations

import asyncio
import logging
import time
import traceback
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import aiohttp
import stamina
from purgatory import AsyncCircuitBreakerFactory
from purgatory.domain.model import OpenedState
from pydicom.dataset import Dataset

from connectors.credentials import CredentialStore
from connectors.dicomweb import DicomWebClient, PlatformError, StudyQuery
from connectors.platforms import Platform
from connectors.privacy import pseudonym

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True)
class PlatformStatus:
    """How one platform fared in one search (CONTRACT ``PlatformStatus``)."""

    id: str
    ok: bool
    error: str | None
    latency_ms: float


@dataclass(frozen=True)
class TaggedStudy:
    """A study-level QIDO answer and the platform it came from (cf. XCA homeCommunityId)."""

    platform: str
    dataset: Dataset


@dataclass(frozen=True)
class RetryPolicy:
    """Retries of one idempotent GET.  Short waits: the whole budget is a few seconds."""

    attempts: int = 3
    wait_initial: float = 0.05
    wait_max: float = 0.5
    wait_jitter: float = 0.05


@dataclass(frozen=True)
class BreakerPolicy:
    """Circuit breaker per platform: open after ``threshold`` consecutive failed searches, try again
    (half-open) after ``cooldown_s`` seconds."""

    threshold: int = 5
    cooldown_s: float = 30.0


def _transient(exc: Exception) -> bool:
    """stamina's retry predicate: connection trouble and 5xx only."""
    return isinstance(exc, PlatformError) and exc.retryable


class GuardedClient:
    """A :class:`DicomWebClient` whose calls are retried within the platform's deadline."""

    def __init__(self, client: DicomWebClient, retry: RetryPolicy, deadline: float) -> None:
        self._client = client
        self._retry = retry
        self._deadline = deadline  # loop.time() by which the platform's work must be done

    @property
    def platform(self) -> Platform:
        return self._client.platform

    def remaining(self) -> float:
        return self._deadline - asyncio.get_running_loop().time()

    async def _call(self, fn: Callable[[], Awaitable[T]]) -> T:
        budget = self.remaining()
        if budget <= 0:
            raise TimeoutError
        async for attempt in stamina.retry_context(
            on=_transient, attempts=self._retry.attempts, timeout=budget,
            wait_initial=self._retry.wait_initial, wait_max=self._retry.wait_max,
            wait_jitter=self._retry.wait_jitter,
        ):
            with attempt:
                result = await fn()
        return result

    async def search_studies(self, query: StudyQuery) -> list[Dataset]:
        return await self._call(lambda: self._client.search_studies(query))

    async def search_series(self, study_uid: str) -> list[Dataset]:
        return await self._call(lambda: self._client.search_series(study_uid))

    async def study_metadata(self, study_uid: str) -> list[Dataset]:
        return await self._call(lambda: self._client.study_metadata(study_uid))

    async def series_metadata(self, study_uid: str, series_uid: str) -> list[Dataset]:
        return await self._call(lambda: self._client.series_metadata(study_uid, series_uid))


#: The work done for one platform in one search.  It appends what it finds to ``sink`` as soon as it
#: has it, so that a later failure (or the timeout) keeps what was already found.
PlatformWork = Callable[[GuardedClient, list[T]], Awaitable[None]]


class FanOut:
    """Runs one piece of work against every platform at once, with budgets, retries and breakers.

    Keep one per hub process (it holds the breakers' state and the platforms' credentials, OAuth2
    tokens included); it uses, and does not own, the session.
    """

    def __init__(self, session: aiohttp.ClientSession, *, retry: RetryPolicy | None = None,
                 breaker: BreakerPolicy | None = None) -> None:
        self.session = session
        self.retry = retry or RetryPolicy()
        self.breaker = breaker or BreakerPolicy()
        # a caller cancelling the whole search is not the platform's failure (purgatory then treats the
        # call as ended, not failed)
        self._breakers = AsyncCircuitBreakerFactory(
            default_threshold=self.breaker.threshold, default_ttl=self.breaker.cooldown_s,
            exclude=[asyncio.CancelledError],
        )
        self.credentials = CredentialStore()

    async def run(self, platforms: Sequence[Platform], work: PlatformWork[T],
                  *, context: str = "") -> tuple[list[T], list[PlatformStatus]]:
        """``work`` on every platform concurrently → (all results, one status per platform, in order)."""
        sinks: list[list[T]] = [[] for _ in platforms]
        async with asyncio.TaskGroup() as tg:
            tasks = [tg.create_task(self._one(p, work, sink, context))
                     for p, sink in zip(platforms, sinks, strict=True)]
        statuses = [t.result() for t in tasks]
        return [r for sink in sinks for r in sink], statuses

    async def search_studies(self, platforms: Sequence[Platform],
                             query: StudyQuery) -> tuple[list[TaggedStudy], list[PlatformStatus]]:
        """QIDO study search everywhere → (studies tagged with their platform, statuses)."""

        async def work(client: GuardedClient, sink: list[TaggedStudy]) -> None:
            for ds in await client.search_studies(query):
                sink.append(TaggedStudy(client.platform.id, ds))

        return await self.run(platforms, work,
                              context=pseudonym(query.patient_id, issuer=query.issuer))

    async def _one(self, platform: Platform, work: PlatformWork[T], sink: list[T],
                   context: str) -> PlatformStatus:
        loop = asyncio.get_running_loop()
        started = loop.time()
        error: str | None = None
        try:
            breaker = await self._breakers.get_breaker(platform.id)
            async with breaker:
                async with asyncio.timeout(platform.timeout_s):
                    client = GuardedClient(DicomWebClient(platform, self.session, self.credentials.of(platform)),
                                           self.retry, started + platform.timeout_s)
                    await work(client, sink)
        except OpenedState as exc:
            wait = max(0.0, (exc.opened_at + self.breaker.cooldown_s) - time.time())
            error = (f"not asked: failed {self.breaker.threshold} times in a row "
                     f"(circuit open, next try in {wait:.0f} s)")
        except TimeoutError:
            error = f"timed out after {platform.timeout_s:.1f} s"
        except PlatformError as exc:
            error = str(exc)
        except Exception as exc:  # a bug or an unforeseen library error: still a status, never a raise
            error = f"internal error ({type(exc).__name__})"
            # the frames, not the message: a library's message may quote the URL, i.e. the patient id
            log.error("platform=%s unexpected %s at\n%s", platform.id, type(exc).__name__,
                      "".join(traceback.format_tb(exc.__traceback__)))
        latency_ms = (loop.time() - started) * 1000
        status = PlatformStatus(platform.id, error is None, error, round(latency_ms, 1))
        log.info("platform=%s ok=%s ms=%.1f results=%d error=%s search=%s", platform.id, status.ok,
                 latency_ms, len(sink), error or "-", context or "-")
        return status
