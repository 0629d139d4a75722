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

from graph.store import GraphStore
from graph.workflow import WorkflowStore
from hub.domain.recognition_metrics import RecognitionCounts
from hub.domain.regions import RegionIndex

#: the refusals' texts: Chinese first (the hub's default), English for ``lang: EN``
_TEXTS: dict[str, tuple[str, str]] = {
    "period": ("统计区间无效：结束日期 {to} 早于开始日期 {from_}",
               "bad period: to ({to}) is before from ({from_})"),
    "both": ("统计范围只能指定机构（institution）或地区（region）之一，不能同时指定",
             "name an institution or a region, not both"),
    "institution": ("未知机构：{value}", "unknown institution: {value}"),
    "region": ("未知地区或区域代码：{value}（应为 GB/T 2260 行政区划代码或区域代码，如 JJJ、CY、CN）",
               "unknown region or zone code: {value} (a GB/T 2260 division code or a zone code such as JJJ, CY, CN)"),
}


class MetricsScopeError(ValueError):
    """A scope or period the metrics cannot be computed over.

    ``code`` is ``BAD_INPUT`` or ``UNKNOWN_INSTITUTION``; ``argument`` the argument to fix (``to``,
    ``institution``, ``region``) and ``value`` what was given.  ``str()`` is the Chinese text;
    :meth:`text` gives it in another language.
    """

    def __init__(self, code: str, argument: str, value: object, key: str, **facts: object) -> None:
        self.code = code
        self.argument = argument
        self.value = value
        self._key = key
        self._facts = {"value": value, **facts}
        super().__init__(self.text("zh"))

    def text(self, lang: str = "zh") -> str:
        """The refusal in ``lang`` (``zh`` or ``en``; anything else: Chinese)."""
        zh, en = _TEXTS[self._key]
        return (en if lang.lower() == "en" else zh).format(**self._facts)


async def check_scope(store: GraphStore, regions: RegionIndex, *, from_: dt.date, to: dt.date,
                      institution: str | None = None, region: str | None = None) -> None:
    """Refuse (:class:`MetricsScopeError`) a period or scope the metrics cannot answer for; reads the store only
    to check that ``institution`` exists."""
    if from_ > to:
        raise MetricsScopeError("BAD_INPUT", "to", to.isoformat(), "period", to=to.isoformat(),
                                from_=from_.isoformat())
    if institution is not None and region is not None:
        raise MetricsScopeError("BAD_INPUT", "region", region, "both")
    if region is not None and region not in regions:
        raise MetricsScopeError("BAD_INPUT", "region", region, "region")
    if institution is not None and not await WorkflowStore(store).institutions([institution]):
        raise MetricsScopeError("UNKNOWN_INSTITUTION", "institution", institution, "institution")


async def recognition_metrics(store: GraphStore, regions: RegionIndex, *, from_: dt.date, to: dt.date,
                              institution: str | None = None, region: str | None = None) -> RecognitionCounts:
    """The counts over the reminders first issued ``from_``..``to`` (inclusive) at ``institution``, at the
    institutions inside ``region`` (a province, city, county or zone code), or everywhere — one store read
    (``reminder.metrics``) after the scope is checked.  ``.rates()`` of the result are the four rates."""
    await check_scope(store, regions, from_=from_, to=to, institution=institution, region=region)
    row = await WorkflowStore(store).metrics(from_, to, institution, region)
    return RecognitionCounts.from_row(row)
