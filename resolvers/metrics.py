"""The authority's side in GraphQL: ``recognitionMetrics`` (CONTRACT.md, the four rates of 000 一(一)) and
``recognitionRanking`` (000 六(三) ranks institutions by them).

Thin adapters over :mod:`hub.services.recognition_metrics`: the caller is authorized first (analyst, admin:
:mod:`hub.services.access`), the scope is checked there (a refusal is ``BAD_INPUT`` or
``UNKNOWN_INSTITUTION`` naming the argument in ``extensions.argument``), the counts come from one store
statement and every rate from :class:`hub.domain.recognition_metrics.RecognitionCounts` — nothing is
divided here.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Annotated, Optional

import strawberry

from hub.domain.recognition_metrics import RATES, RecognitionCounts
from hub.domain.refusals import Refusal
from hub.services import recognition_metrics as use_case
from hub.services.recognition_metrics import MetricsScope, MetricsScopeError
from resolvers.context import authorized, hub
from resolvers.errors import refused
from resolvers.types import Language


def _enum_name(name: str) -> str:
    """``firstReminderViewRate`` -> ``FIRST_REMINDER_VIEW_RATE``."""
    return "".join(f"_{c}" if c.isupper() else c for c in name).upper()


#: the four rates as a GraphQL enum, made from hub.domain's RATES (a rate added there appears here)
RateName = strawberry.enum(
    Enum("RateName", {_enum_name(r.name): strawberry.enum_value(
        r.name, description=f"{r.label_zh} ({r.label_en}) = {r.numerator} / {r.denominator}, {r.clause}"
        + ("; lower is better" if not r.higher_is_better else "")) for r in RATES}),  # type: ignore[misc]
    description="One of the four rates of 000 一(一).",
)

LANG = "The language of the labels and of error messages: ZH (default) or EN."


@strawberry.type(description="One of the four rates with what it divides (000 一(一)); value null when the "
                 "denominator is 0.")
class RateValue:
    name: str = strawberry.field(description="The rate's field name in RecognitionMetrics (recognitionRate …).")
    label: str = strawberry.field(description="Its name in the language asked: 首次提醒调阅率、互认率、诊断符合率、互认不遵从率.")
    clause: str = strawberry.field(description="The clause that defines it (000 一(一)).")
    numerator: str = strawberry.field(description="The count divided (a RecognitionMetrics field).")
    denominator: str = strawberry.field(description="The count divided by (a RecognitionMetrics field).")
    higher_is_better: bool = strawberry.field(description="False for 互认不遵从率: there a low rate is good.")
    value: Optional[float] = strawberry.field(description="numerator / denominator; null when the denominator is 0.")


@strawberry.type(description="The counts and the four rates of 000 一(一) over the reminders first issued in a period at "
                 "an institution, inside a region or zone, or everywhere (CONTRACT.md). A rate is null when its "
                 "denominator is 0.")
class RecognitionMetrics:
    reminders: int = strawberry.field(description="Reminders first issued in the period in the scope (提醒数).")
    viewed: int = strawberry.field(description="Of those, opened (recordView) or decided on (调阅数).")
    accepted: int = strawberry.field(description="Decided ACCEPTED (互认数).")
    decided_recognized: int = strawberry.field(description="Verdict RECOGNIZED and a decision recorded (应互认已处理数).")
    non_compliant: int = strawberry.field(description="Verdict RECOGNIZED, decided REJECTED or REEXAMINED without an "
                                          "exclusion (不遵从数).")
    reexamined_compared: int = strawberry.field(description="REEXAMINED with diagnosisConsistent set (复查比对数).")
    consistent: int = strawberry.field(description="Of those, diagnosisConsistent true (诊断符合数).")
    first_reminder_view_rate: Optional[float] = strawberry.field(description="首次提醒调阅率 = viewed / reminders.")
    recognition_rate: Optional[float] = strawberry.field(description="互认率 = accepted / reminders.")
    non_compliance_rate: Optional[float] = strawberry.field(
        description="互认不遵从率 = nonCompliant / decidedRecognized (lower is better).")
    diagnosis_consistency_rate: Optional[float] = strawberry.field(
        description="诊断符合率 = consistent / reexaminedCompared.")
    from_: dt.date = strawberry.field(name="from", description="First day of the period (inclusive).")
    to: dt.date = strawberry.field(description="Last day of the period (inclusive).")
    institution: Optional[strawberry.ID] = strawberry.field(description="The institution asked for; null otherwise.")
    institution_name: Optional[str] = strawberry.field(description="Its name.")
    region: Optional[str] = strawberry.field(description="The region or zone code asked for; null otherwise (everywhere "
                                             "when institution is null too).")
    region_name: Optional[str] = strawberry.field(description="Its name (北京市, 京津冀 …).")
    rates: list[RateValue] = strawberry.field(description="The four rates with their names, clause and what they divide, "
                                              "in the order 000 一(一) lists them.")


@strawberry.type(description="One place of the ranking of 000 六(三): rank 1 is the best institution by the rate.")
class RankedInstitution:
    rank: int = strawberry.field(description="1 = the best (the highest rate; for nonComplianceRate the lowest); equal "
                                 "rates are ordered by institution id, so every rank is distinct.")
    institution: strawberry.ID = strawberry.field(description="The institution's id.")
    institution_name: Optional[str] = strawberry.field(description="Its name (null when the graph no longer holds it).")
    rate: float = strawberry.field(description="The rate ranked by (never null: an institution with nothing in the "
                                   "denominator is not ranked).")
    reminders: int = strawberry.field(description="提醒数.")
    viewed: int = strawberry.field(description="调阅数.")
    accepted: int = strawberry.field(description="互认数.")
    decided_recognized: int = strawberry.field(description="应互认已处理数.")
    non_compliant: int = strawberry.field(description="不遵从数.")
    reexamined_compared: int = strawberry.field(description="复查比对数.")
    consistent: int = strawberry.field(description="诊断符合数.")


def _first(info: strawberry.Info, first: int, lang: Language) -> None:
    """``first`` within 0..max_page, as resolvers/graph.py bounds every page (the same setting; the words in the
    language asked), with the argument named in ``extensions.argument`` like the scope's refusals."""
    most = hub(info).max_page
    if not 0 <= first <= most:
        raise refused(Refusal("BAD_INPUT", "first", "metrics.first_too_large", value=first, most=most), lang,
                       max=most)


def _counts(c: RecognitionCounts) -> dict[str, int]:
    return {"reminders": c.reminders, "viewed": c.viewed, "accepted": c.accepted,
            "decided_recognized": c.decidedRecognized, "non_compliant": c.nonCompliant,
            "reexamined_compared": c.reexaminedCompared, "consistent": c.consistent}


def to_graphql(scope: MetricsScope, c: RecognitionCounts, lang: Language) -> RecognitionMetrics:
    rates = c.rates()
    return RecognitionMetrics(
        **_counts(c),
        first_reminder_view_rate=rates["firstReminderViewRate"], recognition_rate=rates["recognitionRate"],
        non_compliance_rate=rates["nonComplianceRate"], diagnosis_consistency_rate=rates["diagnosisConsistencyRate"],
        from_=scope.from_, to=scope.to,
        institution=strawberry.ID(scope.institution) if scope.institution is not None else None,
        institution_name=scope.institution_name, region=scope.region, region_name=scope.region_name,
        rates=[RateValue(name=r.name, label=r.label_en if lang is Language.EN else r.label_zh, clause=r.clause,
                         numerator=r.numerator, denominator=r.denominator, higher_is_better=r.higher_is_better,
                         value=rates[r.name]) for r in RATES])


async def recognition_metrics(
    info: strawberry.Info,
    from_: Annotated[dt.date, strawberry.argument(name="from", description="First day (inclusive) on which the "
                                                  "reminders counted were first issued.")],
    to: Annotated[dt.date, strawberry.argument(description="Last day (inclusive); not before from.")],
    institution: Annotated[Optional[strawberry.ID], strawberry.argument(
        description="Only reminders issued at this institution (not with region).")] = None,
    region: Annotated[Optional[str], strawberry.argument(
        description="Only reminders issued at institutions inside this GB/T 2260 region or zone (JJJ, CY, CN); "
        "not with institution. Neither: everywhere.")] = None,
    lang: Annotated[Language, strawberry.argument(description=LANG)] = Language.ZH,
) -> RecognitionMetrics:
    """000 一(一)'s counts and rates over one scope and period (analyst, admin)."""
    authorized(info, "recognitionMetrics", lang=lang)
    ctx = hub(info)
    try:
        scope = await use_case.check_scope(ctx.store, ctx.engine.regions, from_=from_, to=to,
                                  institution=str(institution) if institution is not None else None, region=region)
    except MetricsScopeError as e:
        raise refused(e, lang) from None
    return to_graphql(scope, await use_case.count(ctx.store, scope), lang)


async def recognition_ranking(
    info: strawberry.Info,
    from_: Annotated[dt.date, strawberry.argument(name="from", description="First day (inclusive) on which the "
                                                  "reminders counted were first issued.")],
    to: Annotated[dt.date, strawberry.argument(description="Last day (inclusive); not before from.")],
    rate: Annotated[RateName, strawberry.argument(description="The rate to rank by.")],  # type: ignore[valid-type]
    region: Annotated[Optional[str], strawberry.argument(
        description="Only institutions inside this GB/T 2260 region or zone (JJJ, CY, CN); default everywhere.")] = None,
    first: Annotated[int, strawberry.argument(description="How many places (at most max_page, default 500).")] = 50,
    min_denominator: Annotated[int, strawberry.argument(
        description="Rank only institutions with at least this many in the rate's denominator (at least 1: a rate "
        "over nothing is null and has no place); raise it so that 1 of 1 does not beat 98 of 100.")] = 1,
    lang: Annotated[Language, strawberry.argument(description=LANG)] = Language.ZH,
) -> list[RankedInstitution]:
    """000 六(三): institutions ranked by one rate, rank 1 the best (analyst, admin)."""
    authorized(info, "recognitionRanking", lang=lang)
    _first(info, first, lang)
    ctx = hub(info)
    name = rate.value if isinstance(rate, Enum) else str(rate)
    try:
        places = await use_case.recognition_ranking(ctx.store, ctx.engine.regions, from_=from_, to=to, rate=name,
                                                    region=region, first=first, min_denominator=min_denominator)
    except MetricsScopeError as e:
        raise refused(e, lang) from None
    return [RankedInstitution(rank=p.rank, institution=strawberry.ID(p.institution), institution_name=p.name,
                              rate=p.counts.rate(name), **_counts(p.counts))  # type: ignore[arg-type]
            for p in places]

