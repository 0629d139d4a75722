"""Operational metrics in Prometheus' text format at ``/metrics``.

What an analyst or an operator watches: the use cases' answer and platform counters
(:mod:`hub.services.metrics`), the month's four rates of 000 一(一) per region
(:mod:`hub.services.recognition_gauges`, refreshed from the store here before rendering, at most once a
minute) and, measured here where requests enter, how long GraphQL requests take.

Without the ``_created`` series: prometheus_client exports, beside every counter and histogram (and each of
their label sets), a ``*_created`` gauge holding the Unix time it was created — one extra series per label
set that no dashboard or alert of deploy/ reads, and Prometheus detects counter resets without it.
``disable_created_metrics()`` is process-wide and read when /metrics is rendered.
"""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, Histogram, disable_created_metrics, generate_latest
from starlette.requests import Request
from starlette.responses import Response

from hub.web.metrics_exposition import exposition_registry
import hub.services.metrics  # noqa: F401  (registers the answer counters, so /metrics lists them from the start)
from hub.services.recognition_gauges import GAUGES

disable_created_metrics()

GRAPHQL_SECONDS = Histogram(
    "hub_graphql_request_seconds", "Time to answer one GraphQL HTTP request.",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)


async def metrics_endpoint(request: Request) -> Response:
    await GAUGES.refresh()  # the rates' gauges read the store here (cached): collecting is synchronous
    return Response(generate_latest(exposition_registry()), media_type=CONTENT_TYPE_LATEST)
