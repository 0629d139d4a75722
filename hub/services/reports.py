"""The monthly report of 002 四(四): the four rates of 000 一(一), their counts and what the hub knows of 004
7.1's data quality, for one institution or for every institution of a region or zone, over one month.

Read from the store, in a fixed number of reads whatever the size of the region (no read per institution):

* the scope's counts through :func:`hub.services.recognition_metrics.recognition_metrics` — the same use case
  as the GraphQL ``recognitionMetrics`` query, so the report's total *is* that query's answer, and a scope the
  metrics refuse (unknown institution, unknown region or zone) is refused here the same way;
* ``reminder.metrics_by_institution``: the same counts grouped by institution in one statement, with the
  completeness findings kept on the reminders (the data-quality figures the hub has; :mod:`hub.domain.data_quality`);
* for a region, ``institution.in_regions``: the institutions located there, so that one that issued no reminder
  in the month still has its row (a silent institution is part of what the commission reads).

The rates are never divided here: rows carry :class:`~hub.domain.recognition_metrics.RecognitionCounts` and
:class:`~hub.domain.data_quality.ImageCompleteness`, which divide.  On the embedded store the CLI reads one
snapshot, so the rows add up to the total exactly; on Neo4j each read is its own transaction, and a reminder
issued between two reads of the current month could show in one and not the other.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from hub.domain.data_quality import ImageCompleteness, upload_rule_clauses
from hub.domain.monthly_report import Month
from hub.domain.recognition_metrics import RecognitionCounts
from hub.domain.regions import RegionIndex
from hub.domain.upload_rules import UploadRules
from hub.domain.vocabulary import ReasonCode
from hub.services.recognition_metrics import recognition_metrics
from hub.services.reminders import finding_code_marker


class Reader(Protocol):
    """What the report needs of a store: named reads (a :class:`graph.store.GraphStore`, or the read-only
    view of :mod:`graph.readonly` the CLI uses so that a report can be made while ``hub serve`` runs)."""

    async def read(self, name: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]: ...


@dataclass(frozen=True)
class ReportRow:
    """One line of the report: an institution (or the total, ``institution=None``) and its figures."""

    institution: str | None
    institution_name: str | None
    region: str | None
    region_name: str | None
    counts: RecognitionCounts
    images: ImageCompleteness


@dataclass(frozen=True)
class MonthlyReport:
    """The report of one scope (``institution`` or ``region``, exactly one) for one month."""

    month: Month
    institution: str | None
    region: str | None
    scope_name: str | None
    rows: tuple[ReportRow, ...]
    total: ReportRow | None  # a region's total (the metrics of the whole region); None for an institution
    generated_at: str
    upload_clauses: str  # what image completeness was measured against (upload_rule_clauses)

    @property
    def scope(self) -> str:
        return str(self.institution if self.institution is not None else self.region)


def _prefix(code: str) -> str:
    """The prefix of every code inside a GB/T 2260 division: province 500000 -> 50, city 130100 -> 1301, a
    county itself (not trailing zeros stripped, which reads 500000 as 5 and county 130110 as 13011)."""
    return code[:2] if code.endswith("0000") else code[:4] if code.endswith("00") else code


def division_prefixes(regions: RegionIndex, scope: str) -> list[str]:
    """The code prefixes of the largest GB/T 2260 divisions inside ``scope`` (itself when it is one): a zone's
    provinces, every province for the nation — from the zones the graph was seeded with, so "the institutions of
    JJJ" is one store statement (``institution.in_regions``)."""
    inside = {c for c in regions.names if len(c) == 6 and c.isdigit() and regions.contains(scope, c)}
    largest = (c for c in inside if not any(p in inside for p in regions.scopes_containing(c)[1:]))
    return sorted({_prefix(c) for c in largest})


def _images(row: Mapping[str, Any] | None) -> ImageCompleteness:
    if row is None:
        return ImageCompleteness()
    return ImageCompleteness(int(row["reminders"] or 0), int(row["withoutFinding"] or 0),
                             int(row["imagesIncomplete"] or 0), int(row["completenessUnknown"] or 0))


async def monthly_report(store: Reader, regions: RegionIndex, month: Month, *, upload_rules: UploadRules,
                         institution: str | None = None, region: str | None = None,
                         now: dt.datetime | None = None) -> MonthlyReport:
    """The report of ``month`` for ``institution`` or for every institution of ``region`` (a GB/T 2260 code or a
    zone code), plus the region's total; ``upload_rules`` are the policies' (the seeds the hub runs with), cited
    beside the image-completeness figures.  Raises :class:`hub.services.recognition_metrics.MetricsScopeError` for
    a scope the metrics refuse, ValueError when not exactly one of the two is given."""
    if (institution is None) == (region is None):
        raise ValueError("a monthly report is of one institution or of one region: give exactly one")
    total = await recognition_metrics(store, regions, from_=month.first, to=month.last,  # type: ignore[arg-type]
                                      institution=institution, region=region)
    grouped = {r["institution"]: r for r in await store.read("reminder.metrics_by_institution", {
        "from": month.first, "to": month.last, "institution": institution or "", "region": region or "",
        "incomplete": finding_code_marker(ReasonCode.INCOMPLETE_IMAGES),
        "unknown": finding_code_marker(ReasonCode.COMPLETENESS_UNKNOWN)})}
    stamp = (now or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    cited = upload_rule_clauses(upload_rules)

    def row(iid: str, name: str | None, code: str | None, counts: RecognitionCounts) -> ReportRow:
        return ReportRow(iid, name, code, regions.names.get(code) if code else None, counts, _images(grouped.get(iid)))

    if institution is not None:
        (found,) = await store.read("reminder.institutions", {"ids": [institution]})
        only = row(institution, found.get("name"), found.get("region"), total)
        return MonthlyReport(month, institution, None, found.get("name"), (only,), None, stamp, cited)

    assert region is not None
    prefixes = division_prefixes(regions, region)
    located = {r["id"]: r for r in (await store.read("institution.in_regions", {"prefixes": prefixes}) if prefixes else [])}
    # an institution that issued reminders here and was moved or removed since still has its row (its reminders
    # count in the total: their scopes were kept when they were issued)
    places = {**{iid: (g.get("name"), g.get("region")) for iid, g in grouped.items()},
              **{iid: (r.get("name"), r.get("region")) for iid, r in located.items()}}
    rows = tuple(
        row(iid, name, code, RecognitionCounts.from_row(grouped[iid]) if iid in grouped else RecognitionCounts())
        for iid, (name, code) in sorted(places.items(), key=lambda kv: (kv[1][1] or "", kv[0]))
    )
    images = sum((r.images for r in rows), ImageCompleteness())
    summary = ReportRow(None, None, region, regions.names.get(region), total, images)
    return MonthlyReport(month, None, region, regions.names.get(region), rows, summary, stamp, cited)
