"""What the use cases count as answers leave them: verdicts per governing policy, refused checks, and how
each regional platform fares.

The raw material of 000 一(一)'s 互认率 and 互认不遵从率 once compared with what doctors then did.  The
counters live in prometheus_client's default registry; ``hub.web.metrics`` serves them at ``/metrics``
beside the web layer's own request latency.  Counting happens here, never inside the engine.
"""

from __future__ import annotations

import collections
from collections.abc import Iterable

from prometheus_client import Counter, Histogram

RECOGNITIONS = Counter(
    "hub_recognitions_total", "Recognition answers given, by governing policy and verdict.", ["policy", "verdict"]
)
CHECK_ERRORS = Counter("hub_recognition_errors_total", "Checks refused for bad input, by error code.", ["code"])
PLATFORM_SEARCHES = Counter(
    "hub_platform_searches_total", "Prior-study searches per regional platform, by outcome.", ["platform", "ok"]
)
PLATFORM_SECONDS = Histogram(
    "hub_platform_search_seconds", "Latency of one regional platform in a prior-study search.", ["platform"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10),
)


def count_answers(results: Iterable[object]) -> None:
    """Count engine results (Recognition or CheckError) on their way out, one increment per label set:
    ``labels().inc()`` takes two locks, so one call per answer was a visible part of a batch of 100, one
    per (policy, verdict) is not (figures in docs/BENCHMARKS.md, "HTTP")."""
    answers: collections.Counter[tuple[str, str]] = collections.Counter()
    errors: collections.Counter[str] = collections.Counter()
    for r in results:
        verdict = getattr(r, "verdict", None)
        if verdict is not None:
            answers[(getattr(r, "policy", None) or "none", verdict)] += 1
        else:
            errors[getattr(r, "code", "unknown")] += 1
    for (policy, verdict), n in answers.items():
        RECOGNITIONS.labels(policy, verdict).inc(n)
    for code, n in errors.items():
        CHECK_ERRORS.labels(code).inc(n)


def count_platforms(statuses: Iterable[object]) -> None:
    for s in statuses:
        pid = getattr(s, "id")
        PLATFORM_SEARCHES.labels(pid, "true" if getattr(s, "ok") else "false").inc()
        latency = getattr(s, "latency_ms", None)
        if latency is not None:
            PLATFORM_SECONDS.labels(pid).observe(latency / 1000)
