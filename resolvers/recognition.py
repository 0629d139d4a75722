"""Resolvers for the core question: they translate GraphQL input to engine checks and back.

No 互认 rule lives here — :mod:`hub.domain.recognition` decides.  ``recognizabilities`` hands the whole batch to
the engine in one call (one graph round trip) and returns a bad element as a GraphQL error at its own
path, so one unknown institution does not fail the other 499 answers.
"""

from __future__ import annotations

import datetime as dt
from typing import Optional
from zoneinfo import ZoneInfo

import strawberry
from graphql import GraphQLError

from hub.domain import recognition as engine
from hub.domain.vocabulary import CONTEXT_FLAGS
from hub.services.recognition import check_many
from resolvers.context import hub
from resolvers.errors import hub_error
from resolvers.rows import catalog_item_from_record
from resolvers.types import CatalogItem, ClinicalContext, Reason, Recognition, StudyInput, Verdict

CHINA = ZoneInfo("Asia/Shanghai")


def today() -> dt.date:
    """'Today' where the hospitals are (UTC+8), not where the server's clock is set."""
    return dt.datetime.now(CHINA).date()


def to_context(ctx: Optional[ClinicalContext]) -> engine.ClinicalContext:
    if ctx is None:
        return engine.ClinicalContext()
    # both have a field per hub.domain.vocabulary.ClinicalFlag, named by it; omitted ones are None here
    return engine.ClinicalContext(**{flag: bool(getattr(ctx, flag)) for flag in CONTEXT_FLAGS})


def to_graphql(r: engine.Recognition) -> Recognition:
    return Recognition(
        verdict=Verdict(r.verdict),
        mark=r.mark,
        mark_code=r.mark_code,
        target_item=r.target_item,
        valid_until=r.valid_until,
        reasons=[Reason(code=x.code, source=x.source, clause=x.clause, text=x.text) for x in r.reasons],
        policy=r.policy,
    )


def to_error(e: engine.CheckError) -> GraphQLError:
    return hub_error(e.code, str(e), e.value)


def _checks(studies: list[StudyInput], at: str, on: dt.date, ctx: engine.ClinicalContext) -> list[engine.Check]:
    return [engine.Check(str(s.institution), s.item, s.performed_on, at, on, ctx) for s in studies]


async def recognizability(
    info: strawberry.Info,
    study: StudyInput,
    at: strawberry.ID,
    on: Optional[dt.date] = None,
    context: Optional[ClinicalContext] = None,
) -> Recognition:
    """Is this prior study recognizable at institution ``at`` on day ``on`` (default: today in China)?"""
    (result,) = await check_many(hub(info).engine, _checks([study], str(at), on or today(), to_context(context)))
    if isinstance(result, engine.CheckError):
        raise to_error(result)
    return to_graphql(result)


async def recognizabilities(
    info: strawberry.Info,
    studies: list[StudyInput],
    at: strawberry.ID,
    on: Optional[dt.date] = None,
    context: Optional[ClinicalContext] = None,
) -> list[Optional[Recognition]]:
    """The same question for many studies, answered in the order asked; a bad element errors alone."""
    limit = hub(info).max_batch
    if len(studies) > limit:
        raise hub_error(
            "BATCH_TOO_LARGE", f"recognizabilities takes at most {limit} studies per request, got {len(studies)}", len(studies)
        )
    results = await check_many(hub(info).engine, _checks(studies, str(at), on or today(), to_context(context)))
    # graphql-core turns an exception returned as a list element into an error at that element's path
    return [to_error(r) if isinstance(r, engine.CheckError) else to_graphql(r) for r in results]  # type: ignore[misc]


async def equivalents(info: strawberry.Info, item: str) -> list[CatalogItem]:
    """The same exam in every catalog (the crosswalk's equivalence class), the asked item first."""
    items = hub(info).items
    ref = items.resolve(item)
    if ref is None:
        raise hub_error("UNKNOWN_ITEM", f"unknown catalog item {item!r}", item)
    return [catalog_item_from_record(items.record(r)) for r in items.equivalents(ref)]
