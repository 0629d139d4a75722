"""Which registry ``/metrics`` renders: this process's, or every worker's of ``hub serve --workers N``.

With several workers a scrape reaches one of them; alone, its counters would be that worker's share and
would jump between scrapes.  So the supervisor sets prometheus_client's multiprocess mode
(``PROMETHEUS_MULTIPROC_DIR``, hub.web.workers): counters and histograms are then kept in files per
process, and :class:`MultiProcessCollector` sums them over every worker, dead ones included (a counter
is a total).  Collectors that compute their samples when scraped (the recognition rates read from the
store, identical on every worker) are not kept in those files; they are rendered from this process.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from prometheus_client import REGISTRY, CollectorRegistry
from prometheus_client.metrics import MetricWrapperBase
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector


class _ComputedHere(Collector):
    """The default registry's collectors that are not counters, gauges or histograms of prometheus_client
    (those come from the multiprocess files): custom collectors, rendered from this process."""

    def collect(self) -> Iterator[Metric]:
        # prometheus_client has no public list of a registry's collectors
        for collector in list(REGISTRY._collector_to_names):  # noqa: SLF001
            if not isinstance(collector, MetricWrapperBase):
                yield from collector.collect()


def exposition_registry() -> CollectorRegistry:
    """The default registry, or under ``PROMETHEUS_MULTIPROC_DIR`` one that sums every process's files."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not directory:
        return REGISTRY
    from prometheus_client.multiprocess import MultiProcessCollector

    registry = CollectorRegistry(auto_describe=False)
    MultiProcessCollector(registry, path=directory)
    registry.register(_ComputedHere())
    return registry
