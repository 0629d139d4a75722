"""The four rates of 000 一(一) and their seven counts as Prometheus gauges, for the current calendar month
(China time), for the nation, every province and every zone — what a dashboard shows beside the answer
counters of :mod:`hub.services.metrics` (docs/METRICS.md).

Computed by the store at scrape time, but at most once per ``ttl`` seconds (60 by default): Prometheus, a
second Prometheus and a person reloading /metrics would otherwise each cost a pass over every reminder of
the month.  One statement counts every scope at once (``reminder.metrics_by_scope``); the rates are divided
by :class:`hub.domain.recognition_metrics.RecognitionCounts`, and a rate whose denominator is 0 has no
sample at all (a gauge cannot be null, and 0 would read as "nobody looked").

prometheus_client collects synchronously while the store is asynchronous, so the web layer awaits
:meth:`RecognitionGauges.refresh` before rendering /metrics and :meth:`collect` only reads the snapshot.
If the store fails, the previous snapshot stays and the failure is logged: /metrics keeps answering.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from zoneinfo import ZoneInfo

from prometheus_client import REGISTRY
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from graph.store import GraphStore
from graph.workflow import WorkflowStore
from hub.domain.recognition_metrics import RATES, RecognitionCounts
from hub.domain.regions import RegionIndex

log = logging.getLogger("hub.metrics")
CHINA = ZoneInfo("Asia/Shanghai")
#: seconds a snapshot is served before the store is asked again
DEFAULT_TTL = 60.0
RATE = "hub_recognition_rate"
COUNT = "hub_recognition_count"
RATE_HELP = ("000 一(一) rates over the reminders first issued this calendar month (China time), by rate and region "
             "(the nation CN, provinces, zones); absent when the denominator is 0.")
COUNT_HELP = ("The counts behind the 000 一(一) rates over the reminders first issued this calendar month (China "
              "time), by count and region.")
COUNTS = tuple(RecognitionCounts.__dataclass_fields__)


def china_today() -> dt.date:
    return dt.datetime.now(CHINA).date()


def gauge_scopes(regions: RegionIndex) -> list[str]:
    """The scopes the gauges cover: the nation and the zones (every code that is not a GB/T 2260 division),
    then every province — from the region index, so a zone added to the seeds gets its gauges."""
    codes = sorted(regions.names)
    zones = [c for c in codes if not (len(c) == 6 and c.isdigit())]
    provinces = [c for c in codes if len(c) == 6 and c.isdigit() and c.endswith("0000")]
    return zones + provinces


class RecognitionGauges(Collector):
    """The month's metrics per scope, refreshed from the store at most once per ``ttl`` seconds."""

    def __init__(self, ttl: float = DEFAULT_TTL, clock: Callable[[], float] = time.monotonic,
                 today: Callable[[], dt.date] = china_today) -> None:
        self.ttl, self.clock, self.today = ttl, clock, today
        self._store: GraphStore | None = None
        self._scopes: list[str] = []
        self._snapshot: dict[str, RecognitionCounts] = {}
        self._taken: float | None = None
        self._locks: dict[asyncio.AbstractEventLoop, asyncio.Lock] = {}
        self.reads = 0  # store reads made (what the cache saves is visible to tests and operators)

    def bind(self, store: GraphStore, regions: RegionIndex, scopes: Sequence[str] | None = None) -> None:
        """Read from ``store`` from now on (the web app binds its runtime's store when it starts)."""
        self._store = store
        self._scopes = list(scopes) if scopes is not None else gauge_scopes(regions)
        self._snapshot, self._taken = {}, None

    def unbind(self, store: GraphStore) -> None:
        if self._store is store:
            self._store, self._scopes, self._snapshot, self._taken = None, [], {}, None

    def _lock(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        lock = self._locks.get(loop)
        if lock is None:
            self._locks = {loop: (lock := asyncio.Lock())}
        return lock

    def _fresh(self) -> bool:
        return self._taken is not None and self.clock() - self._taken < self.ttl

    async def refresh(self) -> None:
        """Ask the store again when the snapshot is older than ``ttl`` (one read; concurrent scrapes wait for
        the one in flight instead of each asking)."""
        if self._store is None or self._fresh():
            return
        async with self._lock():
            if self._store is None or self._fresh():
                return
            today = self.today()
            try:
                self.reads += 1
                rows = await WorkflowStore(self._store).metrics_by_scope(today.replace(day=1), today, self._scopes)
            except Exception:  # noqa: BLE001 - /metrics must keep answering; the last snapshot stays
                log.warning("recognition gauges: the store did not answer; keeping the last figures", exc_info=True)
                return
            self._snapshot = {s: RecognitionCounts.from_row(rows.get(s, {})) for s in self._scopes}
            self._taken = self.clock()

    def describe(self) -> Iterator[GaugeMetricFamily]:
        yield GaugeMetricFamily(RATE, RATE_HELP, labels=["rate", "region"])
        yield GaugeMetricFamily(COUNT, COUNT_HELP, labels=["count", "region"])

    def collect(self) -> Iterator[GaugeMetricFamily]:
        rates = GaugeMetricFamily(RATE, RATE_HELP, labels=["rate", "region"])
        counts = GaugeMetricFamily(COUNT, COUNT_HELP, labels=["count", "region"])
        for scope, c in self._snapshot.items():
            for r in RATES:
                value = c.rate(r.name)
                if value is not None:
                    rates.add_metric([r.name, scope], value)
            for name in COUNTS:
                counts.add_metric([name, scope], c.count(name))
        yield rates
        yield counts


#: the process's gauges, in prometheus_client's default registry (served at /metrics by hub.web.metrics)
GAUGES = RecognitionGauges()
REGISTRY.register(GAUGES)
