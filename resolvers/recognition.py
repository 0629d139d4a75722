"""Resolvers for the core question: they translate GraphQL input to engine checks and back.

No 互认 rule lives here — :mod:`hub.domain.recognition` decides.  ``recognizabilities`` hands the whole batch to
the engine in one call (one graph round trip) and returns a bad element as a GraphQL error at its own
path, so one unknown institution does not fail the other 499 answers.

The engine's reasons are data; :func:`to_graphql` renders their texts, the verdict's label and the billing
text once per answer, in the language the query asks for (``lang``, Chinese by default), through the
engine's :class:`hub.domain.messages.Renderer` (one per engine, its texts cached).  The language is the
argument's alone: the ``Accept-Language`` header is not read, so an answer's language is visible in the
query (a persisted or trusted document fixes it) and a browser's locale cannot switch a doctor's answer.
"""

from __future__ import annotations

import datetime as dt
from typing import Optional
from weakref import WeakKeyDictionary
from zoneinfo import ZoneInfo

import strawberry
from graphql import GraphQLError

from hub.domain import recognition as engine
from hub.domain.messages import Renderer
from hub.domain.vocabulary import CONTEXT_FLAGS
from hub.domain.vocabulary import Verdict as DomainVerdict
from hub.services.recognition import check_many
from resolvers.context import hub
from resolvers.errors import hub_error
from resolvers.rows import catalog_item_from_record
from resolvers.suggestions import UnknownItems
from resolvers.types import Billing, CatalogItem, ClinicalContext, Language, Reason, Recognition, StudyInput, Verdict

CHINA = ZoneInfo("Asia/Shanghai")


def today() -> dt.date:
    """'Today' where the hospitals are (UTC+8), not where the server's clock is set."""
    return dt.datetime.now(CHINA).date()


def to_context(ctx: Optional[ClinicalContext]) -> engine.ClinicalContext:
    if ctx is None:
        return engine.ClinicalContext()
    # both have a field per hub.domain.vocabulary.ClinicalFlag, named by it; omitted ones are None here
    return engine.ClinicalContext(**{flag: bool(getattr(ctx, flag)) for flag in CONTEXT_FLAGS})


class Texts:
    """An engine's answers as GraphQL objects: its :class:`Renderer`, and each GraphQL ``Reason`` already made.

    A GraphQL ``Reason`` is only read by the executor, so one object serves every answer that gives the same
    reason in the same language with the same decisiveness — most of a batch (the governing document, the
    item in its catalog, the tier rule, the window: the engine hands out one object for each of those).  It
    is found by the engine reason's identity first (``id``: no hashing of its facts), then by its content;
    making one (a text lookup and a strawberry object per reason) cost more.  Figures in docs/BENCHMARKS.md,
    "Readable answers"."""

    def __init__(self, renderer: Renderer) -> None:
        self.renderer = renderer
        languages = list(renderer.messages)
        #: language -> (not decisive, decisive) -> engine reason -> GraphQL reason
        self.reasons: dict[str, tuple[dict[engine.Reason, Reason], dict[engine.Reason, Reason]]] = {
            lang: ({}, {}) for lang in languages}
        #: the same by the engine reason's id, holding the reason (so its id is not reused while listed)
        self.seen: dict[str, tuple[dict[int, tuple[engine.Reason, Reason]], dict[int, tuple[engine.Reason, Reason]]]] = {
            lang: ({}, {}) for lang in languages}
        self.labels = {(lang, v): renderer.verdict_label(v, lang) for lang in languages for v in DomainVerdict}
        self.verdicts = {v: Verdict(v) for v in DomainVerdict}

    def reason(self, x: engine.Reason, decisive: bool, lang: str) -> Reason:
        table = self.reasons[lang][decisive]
        made = table.get(x)
        if made is None:
            if len(table) >= 65536:
                table.clear()
            made = table[x] = Reason(code=x.code, source=x.source, clause=x.clause, text=self.renderer.text(x, lang),
                                     decisive=decisive)
        seen = self.seen[lang][decisive]
        if len(seen) >= 65536:
            seen.clear()
        seen[id(x)] = (x, made)
        return made

    def billing(self, b: engine.Billing, lang: str) -> Billing:
        return Billing(code=b.code, text=self.renderer.billing_text(b, lang), clause=b.clause, source=b.source)


#: one Texts per engine (the engine holds the policies, regions and items the texts name)
_TEXTS: "WeakKeyDictionary[engine.RecognitionEngine, Texts]" = WeakKeyDictionary()


def renderer(e: engine.RecognitionEngine) -> Texts:
    """The texts of this engine's answers (built on first use)."""
    found = _TEXTS.get(e)
    if found is None:
        items = e.items
        by_ref = getattr(items, "by_ref", {})
        catalogs = getattr(items, "catalogs", {})

        def item_name(ref: str) -> str | None:
            record = by_ref.get(ref)
            return record.name if record is not None else None

        def catalog_name(cid: str) -> str | None:
            found_catalog = catalogs.get(cid)
            return found_catalog.catalog.name if found_catalog is not None else None

        found = _TEXTS[e] = Texts(Renderer(e.policies, e.regions.names, item_name, catalog_name))
    return found


def to_graphql(r: engine.Recognition, texts: Texts, lang: Language = Language.ZH) -> Recognition:
    """The GraphQL answer, its texts rendered in ``lang`` (once per reason and language: :class:`Texts`)."""
    language = lang.value
    verdict = r.verdict
    not_decisive, decisive = texts.seen[language]
    reasons = []
    for x in r.reasons:
        is_decisive = x.verdict is not None and x.verdict == verdict
        seen = (decisive if is_decisive else not_decisive).get(id(x))
        reasons.append(seen[1] if seen is not None and seen[0] is x else texts.reason(x, is_decisive, language))
    billing = r.billing
    return Recognition(
        verdict=texts.verdicts[verdict],
        mark=r.mark,
        mark_code=r.mark_code,
        target_item=r.target_item,
        valid_until=r.valid_until,
        reasons=reasons,
        policy=r.policy,
        verdict_label=texts.labels[language, verdict],
        billing=texts.billing(billing, language) if billing is not None else None,
        _institution=r.institution,
        _item=r.item,
        _at=r.at,
    )


def to_error(e: engine.CheckError, unknown: UnknownItems | None = None) -> GraphQLError:
    """The engine's refusal of one check as a GraphQL error; an unknown item with the items it may have
    meant, in the language asked (``unknown``: the request's :class:`UnknownItems`)."""
    if unknown is not None and e.code == "UNKNOWN_ITEM":
        return unknown.error(e.value)
    if unknown is not None and e.code == "UNKNOWN_INSTITUTION":  # a doctor reads it: in the language asked
        return hub_error(e.code, unknown.renderer.error_text(e.code, e.value, lang=unknown.lang), e.value)
    return hub_error(e.code, str(e), e.value)


def unknown_items(e: engine.RecognitionEngine, lang: Language) -> UnknownItems:
    """The UNKNOWN_ITEM errors of one request, in ``lang``, with suggestions from the engine's items."""
    return UnknownItems(e.items, renderer(e).renderer, lang.value)


def _checks(studies: list[StudyInput], at: str, on: dt.date, ctx: engine.ClinicalContext) -> list[engine.Check]:
    return [engine.Check(str(s.institution), s.item, s.performed_on, at, on, ctx) for s in studies]


async def recognizability(
    info: strawberry.Info,
    study: StudyInput,
    at: strawberry.ID,
    on: Optional[dt.date] = None,
    context: Optional[ClinicalContext] = None,
    lang: Language = Language.ZH,
) -> Recognition:
    """Is this prior study recognizable at institution ``at`` on day ``on`` (default: today in China)?"""
    e = hub(info).engine
    (result,) = await check_many(e, _checks([study], str(at), on or today(), to_context(context)))
    if isinstance(result, engine.CheckError):
        raise to_error(result, unknown_items(e, lang))
    return to_graphql(result, renderer(e), lang)


async def recognizabilities(
    info: strawberry.Info,
    studies: list[StudyInput],
    at: strawberry.ID,
    on: Optional[dt.date] = None,
    context: Optional[ClinicalContext] = None,
    lang: Language = Language.ZH,
) -> list[Optional[Recognition]]:
    """The same question for many studies, answered in the order asked; a bad element errors alone."""
    limit = hub(info).max_batch
    if len(studies) > limit:
        raise hub_error(
            "BATCH_TOO_LARGE", f"recognizabilities takes at most {limit} studies per request, got {len(studies)}", len(studies)
        )
    e = hub(info).engine
    results = await check_many(e, _checks(studies, str(at), on or today(), to_context(context)))
    texts = renderer(e)
    unknown = unknown_items(e, lang)  # one error (and one search) per distinct unknown item, bounded
    # graphql-core turns an exception returned as a list element into an error at that element's path
    return [to_error(r, unknown) if isinstance(r, engine.CheckError) else to_graphql(r, texts, lang) for r in results]  # type: ignore[misc]


async def equivalents(info: strawberry.Info, item: str, lang: Language = Language.ZH) -> list[CatalogItem]:
    """The same exam in every catalog (the crosswalk's equivalence class), the asked item first."""
    items = hub(info).items
    ref = items.resolve(item)
    if ref is None:
        raise unknown_items(hub(info).engine, lang).error(item)
    return [catalog_item_from_record(items.record(r)) for r in items.equivalents(ref)]
