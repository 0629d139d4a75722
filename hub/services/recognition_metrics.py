"""``recognitionMetrics``: the seven counts of 000 一(一) over one scope and period, read from the store in
one statement (CONTRACT.md "The act of recognition"; the rates are divided by
:class:`hub.domain.recognition_metrics.RecognitionCounts`, never here).

One use case for every reader — the GraphQL query, the Prometheus gauges, the monthly report — so that the
scope is checked the same way everywhere: a period whose end precedes its start, a scope naming both an
institution and a region, an institution the graph does not hold, or a region or zone code the seeds do not
know is refused (:class:`MetricsScopeError`) rather than answered with zeros, which would read as "nothing
happened there".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from graph.store import GraphStore
from graph.workflow import WorkflowStore
from hub.domain.recognition_metrics import RATES_BY_NAME, RecognitionCounts, ranked
from hub.domain.refusals import Refusal
from hub.domain.regions import RegionIndex


class MetricsScopeError(Refusal, ValueError):
    """A scope or period the metrics cannot be computed over.

    ``code`` is ``BAD_INPUT`` or ``UNKNOWN_INSTITUTION``; ``argument`` the argument to fix (``to``,
    ``institution``, ``region``, ``rate``, ``minDenominator``, ``first``) and ``value`` what was given.  The
    texts are the ``metrics.*`` refusals of seeds/messages (:meth:`text` in a language; ``str()`` Chinese).
    """


@dataclass(frozen=True)
class MetricsScope:
    """A checked period and scope, with the names a reader sees beside the ids."""

    from_: dt.date
    to: dt.date
    institution: str | None = None
    institution_name: str | None = None
    region: str | None = None
    region_name: str | None = None


async def check_scope(store: GraphStore, regions: RegionIndex, *, from_: dt.date, to: dt.date,
                      institution: str | None = None, region: str | None = None) -> MetricsScope:
    """The period and scope with their names, or :class:`MetricsScopeError`; reads the store only to find
    ``institution`` (one read by primary key)."""
    if from_ > to:
        raise MetricsScopeError("BAD_INPUT", "to", "metrics.period", value=to, **{"from": from_})
    if institution is not None and region is not None:
        raise MetricsScopeError("BAD_INPUT", "region", "metrics.both", value=region, institution=institution)
    if region is not None and region not in regions:
        raise MetricsScopeError("BAD_INPUT", "region", "metrics.unknown_region", value=region)
    name = None
    if institution is not None:
        found = await WorkflowStore(store).institutions([institution])
        if not found:
            raise MetricsScopeError("UNKNOWN_INSTITUTION", "institution", "metrics.unknown_institution",
                                    value=institution)
        name = found[institution].get("name")
    return MetricsScope(from_, to, institution, name, region,
                        regions.names.get(region) if region is not None else None)


async def count(store: GraphStore, scope: MetricsScope) -> RecognitionCounts:
    """The counts over a checked scope: one store read (``reminder.metrics``)."""
    row = await WorkflowStore(store).metrics(scope.from_, scope.to, scope.institution, scope.region)
    return RecognitionCounts.from_row(row)


async def recognition_metrics(store: GraphStore, regions: RegionIndex, *, from_: dt.date, to: dt.date,
                              institution: str | None = None, region: str | None = None) -> RecognitionCounts:
    """The counts over the reminders first issued ``from_``..``to`` (inclusive) at ``institution``, at the
    institutions inside ``region`` (a province, city, county or zone code), or everywhere — one store read
    (``reminder.metrics``) after the scope is checked.  ``.rates()`` of the result are the four rates."""
    scope = await check_scope(store, regions, from_=from_, to=to, institution=institution, region=region)
    return await count(store, scope)


@dataclass(frozen=True)
class RankedInstitution:
    """One place of 000 六(三)'s ranking: 1 is the best institution by the rate (the lowest 互认不遵从率)."""

    rank: int
    institution: str
    name: str | None
    counts: RecognitionCounts


async def recognition_ranking(store: GraphStore, regions: RegionIndex, *, from_: dt.date, to: dt.date, rate: str,
                              region: str | None = None, first: int = 50,
                              min_denominator: int = 1) -> list[RankedInstitution]:
    """The best ``first`` institutions (inside ``region``, or everywhere) by the rate ``rate`` over the
    reminders first issued ``from_``..``to``, those with at least ``min_denominator`` in the rate's
    denominator only; ties by institution id.

    Why the order is taken twice: the store groups the counts by institution and orders them in the same
    statement (``reminder.ranking``: one pass, only the page leaves the store — a national ranking groups tens
    of thousands of institutions), dividing there only to order; the page is then ordered again here by the
    domain's rates (:func:`hub.domain.recognition_metrics.ranked`), which is what the answer shows, so the
    shown rates and their order come from the one place rates are divided.  The two orders agree
    (tests/workflow/test_recognition_ranking.py proves it on both stores, ties included).
    """
    if rate not in RATES_BY_NAME:
        raise MetricsScopeError("BAD_INPUT", "rate", "metrics.unknown_rate", value=rate, rates=list(RATES_BY_NAME))
    if min_denominator < 1:
        raise MetricsScopeError("BAD_INPUT", "minDenominator", "metrics.min_denominator", value=min_denominator)
    if first < 0:
        raise MetricsScopeError("BAD_INPUT", "first", "metrics.first_negative", value=first)
    await check_scope(store, regions, from_=from_, to=to, region=region)
    r = RATES_BY_NAME[rate]
    rows = await WorkflowStore(store).ranking(from_, to, numerator=r.numerator, denominator=r.denominator,
                                               sign=r.sign, region=region, limit=first,
                                               min_denominator=min_denominator)
    names = {row["id"]: row.get("name") for row in rows}
    order = ranked(((row["id"], RecognitionCounts.from_row(row)) for row in rows), rate)
    return [RankedInstitution(i, iid, names[iid], counts) for i, (iid, counts) in enumerate(order, 1)]
