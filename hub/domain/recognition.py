"""The recognition engine: "is this prior study recognizable at this institution?"

This module is the one place where a 互认 rule is applied.  It reads the policies as data
(:mod:`hub.domain.policy`), the regions as a containment index (:class:`hub.domain.regions.RegionIndex`), the
catalog crosswalk through the :class:`ItemIndex` port, and institution facts through the
:class:`FactsPort` port — one call per batch, whatever the batch size.  It knows nothing of HTTP,
GraphQL or which graph store answers.

The decision follows the order the contract gives, each step citing its clause:

1. governing policy — the target's province document, or the zone overlay where source and target lie
   in different provinces of one zone (京津冀); ``NO_POLICY`` where no document governs;
2. item — the same exam in the governing catalog (``targetItem``), or ``ITEM_NOT_IN_CATALOG``;
3. who may recognize whom — ``SAME_ALLIANCE``, else the first matching ``TIER_RULE``;
4. mark — a mark of the source for the item, valid on the study date, whose scope contains the target
   (``MARK_SCOPE``; the label of the largest such scope, 001 三、4), else ``MARK_MISSING`` /
   ``NO_SHARED_SCOPE``;
5. window — binding (``NOT_RECOGNIZED``) or advisory (``PHYSICIAN_DISCRETION``) ``OUTSIDE_WINDOW``;
6. exclusions — each flag of the clinical context that the document lists → ``PHYSICIAN_DISCRETION``.

The verdict is the weakest one any step gives (NOT_RECOGNIZED < PHYSICIAN_DISCRETION < RECOGNIZED).
Every step is evaluated so the reasons explain the whole answer, not only the first failure.

A reason is data, not prose: its code, the document and clause, a template ``variant`` and the facts as
``params`` (institution ids, region codes, item refs, dates, the document's own words).  The text a person
reads is rendered from the templates of ``seeds/messages/<lang>.yaml`` by :mod:`hub.domain.messages`, once
per answer, in the language asked.  Each reason also carries the verdict its step gives on its own
(``verdict``; None for a step that only informs), which is what makes a reason *decisive*
(:meth:`Recognition.decisive`).  Where the governing document speaks of fees (001 四(三)), the answer
carries its ``billing`` rule, chosen by the policy's data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, make_dataclass
from typing import Any, Protocol, TypeVar

from dateutil.relativedelta import relativedelta

from hub.domain.regions import RegionIndex
from hub.domain.policy import MarkLabel, Policy, TierRule
from hub.domain.vocabulary import BillingCode, ClinicalFlag, ReasonCode, Tier, Verdict

RECOGNIZED = Verdict.RECOGNIZED
DISCRETION = Verdict.PHYSICIAN_DISCRETION
NOT_RECOGNIZED = Verdict.NOT_RECOGNIZED
_TIER: dict[str, Tier] = {t.value: t for t in Tier}  # an institution's tier as the store holds it -> the member


# --------------------------------------------------------------------------------------------- records


#: a reason's facts: (name, value) pairs in a fixed order — hashable, so a rendered text can be cached by
#: the reason itself.  Values are ids and codes (str), dates, ints, bools and tuples of those.
Params = tuple[tuple[str, Any], ...]


@dataclass(frozen=True)
class Reason:
    """One step of a decision: the rule (``code``), the document and clause, and the facts it applied to.

    ``variant`` picks the code's template (``seeds/messages/<lang>.yaml``: ``reasons.<code>.<variant>``;
    empty: ``default``); ``params`` are the template's facts.  ``verdict`` is what this step says on its own
    (None: it only informs — which document governs, the item in the catalog, a window not yet passed)."""

    code: ReasonCode
    source: str
    clause: str | None
    params: Params = ()
    variant: str = ""
    verdict: Verdict | None = None

    def param(self, name: str, default: Any = None) -> Any:
        for key, value in self.params:
            if key == name:
                return value
        return default


@dataclass(frozen=True)
class Billing:
    """What the governing document says of the fees for this answer (001 四(三)): its words, quoted."""

    code: BillingCode
    source: str
    clause: str
    text: str


@dataclass(frozen=True)
class Recognition:
    verdict: Verdict
    reasons: tuple[Reason, ...]
    mark: str | None = None
    mark_code: str | None = None
    target_item: str | None = None
    valid_until: dt.date | None = None
    policy: str | None = None
    billing: Billing | None = None
    #: the check it answers: source institution, the study's item (canonical ref), target institution
    institution: str | None = None
    item: str | None = None
    at: str | None = None

    def decisive(self, reason: Reason) -> bool:
        """Whether ``reason`` set the answer's verdict: its own verdict is the answer's.  The answer is the
        weakest verdict any step gives, so for NOT_RECOGNIZED these are the steps that refuse, for
        PHYSICIAN_DISCRETION the exclusions, advisory windows and optional rules that leave it to the
        physician, for RECOGNIZED the rule that grants it (alliance, same institution, tier rule) and the
        mark that carries the study where one is required.  Steps that only inform are never decisive."""
        return reason.verdict is not None and reason.verdict == self.verdict


def _set_flags(self: Any) -> list[str]:
    """The names of the flags that hold, in ClinicalFlag order."""
    return [name for name, value in vars(self).items() if value]


ClinicalContext = make_dataclass(
    "ClinicalContext",
    [(flag.value, bool, field(default=False)) for flag in ClinicalFlag],
    frozen=True,
    namespace={
        "__module__": __name__,
        "__doc__": "The clinical context of a check: one bool field per ClinicalFlag, named by its value "
        "(``ClinicalContext(emergency=True, imagesIncomplete=True)``), all false by default.  Built from the "
        "enum (hub.domain.vocabulary), so a new flag is a new member there and nothing here.",
        "flags": _set_flags,
    },
)


#: the context of a check that gives none (every flag false): its flags need not be looked for
_NO_CONTEXT = ClinicalContext()


@dataclass(frozen=True)
class Check:
    """One question: study (source institution, item, date) at target institution on a day."""

    institution: str
    item: str
    performed_on: dt.date
    at: str
    on: dt.date
    context: ClinicalContext = _NO_CONTEXT  # type: ignore[valid-type]


@dataclass(frozen=True)
class MarkFact:
    item: str
    scope: str
    valid_from: dt.date
    valid_to: dt.date | None


@dataclass(frozen=True)
class InstitutionFacts:
    id: str
    tier: str
    region: str
    ownership: str
    kind: str
    alliances: frozenset[str] = frozenset()
    marks: tuple[MarkFact, ...] = ()


class CheckError(Exception):
    """A check that cannot be answered because its input is wrong (unknown id, bad date)."""

    def __init__(self, code: str, message: str, value: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.value = value


# --------------------------------------------------------------------------------------------- ports


class FactsPort(Protocol):
    async def institution_facts(
        self, ids: Iterable[str], items: Iterable[str], marks_for: Mapping[str, Iterable[str]] | None = None
    ) -> Mapping[str, InstitutionFacts]:
        """Facts of these institutions, with their marks restricted to ``items``, in one round trip.

        With ``marks_for`` (institution -> items), each institution's marks are restricted to its own
        entry instead (none for an institution without one): the engine reads only a study's source's marks
        for the study's item, so a batch need not fetch every source's marks for every item of the batch."""
        ...


class ItemIndex(Protocol):
    def resolve(self, ref: str) -> str | None:
        """Canonical ref for a ref or an OCR variant of it; None when unknown."""
        ...

    def kind(self, ref: str) -> str:
        """``lab`` or ``imaging``."""
        ...

    def map_to_catalog(self, ref: str, catalog: str) -> str | None:
        """The same exam in ``catalog``; None when that catalog does not list it."""
        ...

    def equivalents(self, ref: str) -> Sequence[str]:
        """Every ref of the exam's equivalence class, ``ref`` included."""
        ...

    def features(self, ref: str) -> Mapping[str, str | None]:
        """Normalised modality / bodyPart / laterality / contrast / views of an item."""
        ...

    def catalog_clause(self, catalog: str) -> str | None:
        """Where the document prints the catalog (e.g. 附件2, 附表)."""
        ...


# --------------------------------------------------------------------------------------------- engine


@dataclass
class _Decision:
    verdict: Verdict = RECOGNIZED
    reasons: list[Reason] = field(default_factory=list)

    def add(self, code: ReasonCode, policy_source: str, clause: str | None, params: Params = (), variant: str = "",
            verdict: Verdict | None = None) -> None:
        self.add_reason(Reason(code, policy_source, clause, params, variant, verdict))

    def add_reason(self, reason: Reason) -> None:
        self.reasons.append(reason)
        verdict = reason.verdict
        if verdict is not None and verdict.strength < self.verdict.strength:
            self.verdict = verdict


#: the most entries one of the engine's kept-work tables holds before it starts over (each is keyed by a few
#: codes of a check, so a real country fills far fewer; the bound only stops a stream of odd keys growing it)
_CACHE_LIMIT = 65536

_V = TypeVar("_V")


def _kept(table: dict[Any, _V], key: Any, value: _V) -> _V:
    """Store ``value`` under ``key`` in one of the engine's kept-work tables, emptied first when full, and
    return it: the one place the bound is applied (the lookups stay inline on the hot path)."""
    if len(table) >= _CACHE_LIMIT:
        table.clear()
    table[key] = value
    return value


@dataclass(frozen=True)
class _Route:
    """Step 1 for a (source region, target region, item kind): see :meth:`RecognitionEngine._route`."""

    policy: Policy | None
    overlay: Policy | None
    #: the ZONE_POLICY reason where an overlay governs (its params are the route's own codes)
    zone_reason: Reason | None
    #: no overlay: the source lies outside the governing document's scope (NO_SHARED_SCOPE)
    outside: bool


class RecognitionEngine:
    def __init__(
        self,
        policies: Mapping[str, Policy],
        regions: RegionIndex,
        items: ItemIndex,
        facts: FactsPort,
    ) -> None:
        self.policies = policies
        self.regions = regions
        self.items = items
        self.facts = facts
        self._by_province: dict[str, Policy] = {}
        self._zones: dict[str, Policy] = {}
        self._last_day: dict[tuple[dt.date, str, int], dt.date] = {}  # (performed_on, unit, length) -> window end
        #: step 2's outcome per (policy id, canonical ref): see _step_item
        self._item_outcomes: dict[tuple[str, str], tuple[Reason, str | None]] = {}
        #: reasons given again and again (the governing document at a target, a tier rule for two tiers, a window
        #: for a study day, an exclusion), one object each: see _keep
        self._reasons: dict[tuple[Any, ...], Reason] = {}
        #: per (policy id, target region): whether the policy governs the target's province (billing)
        self._governs: dict[tuple[str, str], bool] = {}
        #: per policy: the verdicts one of its billing rules may apply to (none: the document says nothing of fees)
        self._billed: dict[str, frozenset[Verdict]] = {
            p.id: frozenset(v for b in p.billing for v in (b.verdicts or tuple(Verdict))) for p in policies.values()
        }
        #: per policy: whether it knows marks at all (labels, or a rule asking for one) — 002 defines none
        self._uses_marks: dict[str, bool] = {
            p.id: bool(p.labels) or any(r.requires_mark for r in p.tier_rules) for p in policies.values()
        }
        # Work that depends only on what the engine holds for its whole life (the policies, the region index,
        # the item index) and a few codes of a check, done once per key instead of once per check: together a
        # third of a batch's decisions (docs/BENCHMARKS.md, "Engine").  Each is bounded like the caches above.
        #: per study item as asked: (canonical ref, its equivalence class), or None for an unknown item
        self._refs: dict[str, tuple[str, frozenset[str]] | None] = {}
        #: step 1 per (source region, target region, item kind): see _route
        self._routes: dict[tuple[str, str, str], _Route] = {}
        #: step 3's tier rules per (policy id, item kind, source tier and kind, target tier and kind): see _tier_rule
        self._tier_rules: dict[tuple[str, str, str, str, str, str], tuple[TierRule | None, Reason]] = {}
        #: per (policy id, tier, kind, ownership): whether the policy's participants admit such an institution
        self._admitted: dict[tuple[str, str, str, str], bool] = {}
        #: per (scope, holder's region, governing document): the label a mark is shown with (see _label)
        self._labels: dict[tuple[str, str, str], tuple[Policy, MarkLabel] | None] = {}
        #: per policy: the clause a mark reason cites (see _mark_clause)
        self._mark_clauses: dict[str, str | None] = {p.id: self._mark_clause(p) for p in policies.values()}
        for p in policies.values():
            if p.zone:
                self._zones[p.zone] = p
            else:
                for code in p.governs:
                    self._by_province[code] = p

    # ---- public API

    async def check(self, check: Check) -> Recognition:
        (result,) = await self.check_many([check])
        if isinstance(result, CheckError):
            raise result
        return result

    async def check_many(self, checks: Sequence[Check]) -> list[Recognition | CheckError]:
        """Answer every check, in order; a bad check becomes a :class:`CheckError` in its slot.

        All facts are fetched in one call to the facts port (one graph round trip per batch)."""
        resolved: list[tuple[Check, str] | CheckError] = []
        ids: set[str] = set()
        items: set[str] = set()
        equivalents: dict[str, frozenset[str]] = {}  # per ref, once per batch
        marks_for: dict[str, set[str]] = {}  # source institution -> the items whose marks decide its checks
        refs = self._refs
        for c in checks:
            info = refs.get(c.item, False)
            if info is False:
                info = self._ref(c.item)
            if info is None:
                resolved.append(CheckError("UNKNOWN_ITEM", f"unknown catalog item {c.item!r}", c.item))
                continue
            ref = info[0]
            if c.performed_on > c.on:
                resolved.append(
                    CheckError(
                        "BAD_INPUT",
                        f"performedOn {c.performed_on.isoformat()} is after the day asked about ({c.on.isoformat()})",
                        c.performed_on.isoformat(),
                    )
                )
                continue
            resolved.append((c, ref))
            ids.add(c.institution)
            ids.add(c.at)
            wanted = equivalents[ref] = info[1]
            items.update(wanted)
            wanted_by = marks_for.get(c.institution)
            if wanted_by is None:
                marks_for[c.institution] = set(wanted)
            else:
                wanted_by.update(wanted)
        facts = await self.facts.institution_facts(ids, items, marks_for) if ids else {}
        out: list[Recognition | CheckError] = []
        for entry in resolved:
            if isinstance(entry, CheckError):
                out.append(entry)
                continue
            c, ref = entry
            source, target = facts.get(c.institution), facts.get(c.at)
            if source is None:
                out.append(CheckError("UNKNOWN_INSTITUTION", f"unknown institution {c.institution!r}", c.institution))
            elif target is None:
                out.append(CheckError("UNKNOWN_INSTITUTION", f"unknown institution {c.at!r}", c.at))
            else:
                try:
                    out.append(self.decide(c, ref, source, target, equivalents[ref]))
                except CheckError as e:  # a date whose window runs past the calendar: this check only
                    out.append(e)
        return out

    def _ref(self, item: str) -> tuple[str, frozenset[str]] | None:
        """(canonical ref, equivalence class) of a study's item as asked, kept in ``self._refs``."""
        ref = self.items.resolve(item)
        info = None if ref is None else (ref, frozenset(self.items.equivalents(ref)))
        return _kept(self._refs, item, info)

    def governing_policy(
        self, source_region: str, target_region: str, kind: str | None = None
    ) -> tuple[Policy | None, Policy | None]:
        """(the document that governs, the zone overlay if one applies).

        A zone overlay's ``fallback`` document governs where the target's province has none (Tianjin), and,
        for the item kinds of its ``fallbackKinds``, where the target's document lists no item of the study's
        ``kind`` (003 has no lab list: a 京津冀 lab result at a Hebei target is read under 001, the document
        that defines the 京津冀 scope for 检查检验, 三、1)."""
        t_prov = self.regions.province_of(target_region)
        s_prov = self.regions.province_of(source_region)
        base = self._by_province.get(t_prov or "")
        overlay = None
        if s_prov != t_prov and not (base and s_prov in base.governs):
            for zone in self._zones.values():
                if zone.zone and self.regions.contains(zone.zone, target_region) and self.regions.contains(
                    zone.zone, source_region
                ):
                    overlay = zone
                    break
        if overlay is not None and overlay.fallback:
            if base is None or (kind in overlay.fallback_kinds and kind not in base.catalogs):
                base = self.policies.get(overlay.fallback) or base
        return base, overlay

    # ---- the decision, step by step

    def decide(
        self, c: Check, ref: str, source: InstitutionFacts, target: InstitutionFacts,
        equivalents: frozenset[str] | None = None,
    ) -> Recognition:
        """``equivalents``: ``self.items.equivalents(ref)`` when the caller already has it."""
        d = _Decision()
        kind = self.items.kind(ref)
        route = self._routes.get((source.region, target.region, kind))
        if route is None:
            route = self._route(source.region, target.region, kind)
        policy, overlay = route.policy, route.overlay
        if policy is None:
            d.add(ReasonCode.NO_POLICY, "-", None, (("target", target.id), ("targetRegion", target.region)),
                  verdict=NOT_RECOGNIZED)
            return Recognition(d.verdict, tuple(d.reasons), institution=source.id, item=ref, at=target.id)
        self._step_policy(d, route, policy, source, target)
        target_item = self._step_item(d, policy, ref)
        self._step_participants(d, policy, source, target)
        rule = self._step_who(d, policy, kind, source, target)
        # no rule lets the target recognize the source: a mark is still asked for where the document has marks
        requires_mark = rule.requires_mark if rule is not None else self._uses_marks[policy.id]
        if overlay is not None:
            requires_mark = True  # across provinces only a zone mark carries the result (001 三、1)
        mark, mark_code = self._step_mark(d, policy, overlay, ref, c, source, target, requires_mark, equivalents)
        valid_until = self._step_window(d, policy, c)
        flags = [] if c.context is _NO_CONTEXT else c.context.flags()
        excluded = self._step_exclusions(d, policy, flags) if flags else False
        billing = (self._billing(policy, target, kind, d.verdict, flags, excluded)
                   if d.verdict in self._billed[policy.id] else None)
        return Recognition(
            d.verdict, tuple(d.reasons), mark, mark_code, target_item, valid_until, overlay.id if overlay else policy.id,
            billing, source.id, ref, target.id,
        )

    def _keep(self, key: tuple[Any, ...], reason: Reason) -> Reason:
        """Keep ``reason`` as the one of ``key`` (looked up in ``self._reasons`` by the caller first): a batch
        gives the same few reasons many times, and one object is cheaper to build and to render once — the
        resolvers find its GraphQL form by identity (docs/BENCHMARKS.md, "Readable answers")."""
        return _kept(self._reasons, key, reason)

    def _route(self, source_region: str, target_region: str, kind: str) -> _Route:
        """Step 1 for a source and target region and an item kind, kept in ``self._routes``: the governing
        document and overlay, the ZONE_POLICY reason where an overlay applies (its facts are these three
        codes), and whether the source lies outside the governing document's scope."""
        policy, overlay = self.governing_policy(source_region, target_region, kind)
        zone_reason = None
        outside = False
        if policy is not None and overlay is not None:
            params: Params = (("sourceRegion", source_region), ("targetRegion", target_region),
                              ("zone", overlay.zone), ("policy", policy.id))
            own = self._by_province.get(self.regions.province_of(target_region) or "")
            variant = ""
            if own is None:
                variant = "no_document"  # Tianjin: the overlay's fallback supplies the rules
            elif own is not policy:
                variant = "kind_fallback"  # the target's document lists no item of this kind
                params += (("ownPolicy", own.id), ("kind", kind))
            zone_reason = Reason(ReasonCode.ZONE_POLICY, overlay.source, overlay.clause, params, variant)
        elif policy is not None:
            allowed = policy.source_scope or policy.governs
            outside = not any(self.regions.contains(s, source_region) for s in allowed)
        return _kept(self._routes, (source_region, target_region, kind), _Route(policy, overlay, zone_reason, outside))

    def _step_policy(
        self, d: _Decision, route: _Route, policy: Policy, source: InstitutionFacts, target: InstitutionFacts,
    ) -> None:
        if route.zone_reason is not None:
            d.add_reason(route.zone_reason)
        else:
            key = ("POLICY", policy.id, target.id, target.region)
            same = self._reasons.get(key) or self._keep(key, Reason(
                ReasonCode.POLICY, policy.source, policy.clause,
                (("policy", policy.id), ("target", target.id), ("targetRegion", target.region))))
            d.add_reason(same)
            if route.outside:
                allowed = policy.source_scope or policy.governs
                d.add(
                    ReasonCode.NO_SHARED_SCOPE,
                    policy.source,
                    policy.clause,
                    (("source", source.id), ("sourceRegion", source.region), ("policy", policy.id),
                     ("scopes", tuple(allowed))),
                    "outside_policy",
                    NOT_RECOGNIZED,
                )

    def _step_item(self, d: _Decision, policy: Policy, ref: str) -> str | None:
        """Step 2.  Its outcome depends on the policy and the item alone (both fixed while the engine
        lives), so it is worked out once per pair: the crosswalk lookups were a quarter of a decision."""
        key = (policy.id, ref)
        outcome = self._item_outcomes.get(key)
        if outcome is None:
            outcome = self._item_outcomes[key] = self._item_outcome(policy, ref)
        reason, target_item = outcome
        d.add_reason(reason)
        return target_item

    def _item_outcome(self, policy: Policy, ref: str) -> tuple[Reason, str | None]:
        """(the reason, the item in the governing catalog)."""
        kind = self.items.kind(ref)
        catalog = policy.catalogs.get(kind)
        features = self.items.features(ref)
        for excluded in policy.excluded_items:
            if all(features.get(k) == v for k, v in excluded.match.items()):
                return Reason(ReasonCode.ITEM_NOT_IN_CATALOG, policy.source, excluded.clause,
                              (("item", ref), ("rule", excluded.text)), "excluded", NOT_RECOGNIZED), None
        if catalog is None:
            return Reason(ReasonCode.ITEM_NOT_IN_CATALOG, policy.source, policy.clause,
                          (("policy", policy.id), ("kind", kind)), "no_catalog", NOT_RECOGNIZED), None
        target_item = self.items.map_to_catalog(ref, catalog)
        if target_item is None:
            return Reason(ReasonCode.ITEM_NOT_IN_CATALOG, policy.source, self.items.catalog_clause(catalog),
                          (("item", ref), ("catalog", catalog), ("policy", policy.id)), "no_counterpart",
                          NOT_RECOGNIZED), None
        if ref == target_item:
            return Reason(ReasonCode.ITEM_IN_CATALOG, policy.source, self.items.catalog_clause(catalog),
                          (("item", ref), ("catalog", catalog)), "listed"), target_item
        return Reason(ReasonCode.ITEM_IN_CATALOG, policy.source, self.items.catalog_clause(catalog),
                      (("item", ref), ("targetItem", target_item), ("catalog", catalog)), "mapped"), target_item

    def _step_participants(self, d: _Decision, policy: Policy, source: InstitutionFacts, target: InstitutionFacts) -> None:
        """The institutions the document's recognition covers (``participants``, 004 6.2): a source or
        target outside them gets what the document says of such institutions (004 1 社会办医机构可参照执行)."""
        scope = policy.participants
        if scope is None or source.id == target.id:
            return
        for party, inst in (("source", source), ("target", target)):
            key = (policy.id, inst.tier, inst.kind, inst.ownership)
            admitted = self._admitted.get(key)
            if admitted is None:
                admitted = _kept(self._admitted, key, scope.admits(inst.tier, inst.kind, inst.ownership))
            if not admitted:
                d.add(
                    ReasonCode.INSTITUTION_SCOPE,
                    policy.source,
                    scope.outside_clause,
                    (("institution", inst.id), ("tier", inst.tier), ("ownership", inst.ownership),
                     ("scopeClause", scope.clause), ("scopeRule", scope.text), ("rule", scope.outside_text)),
                    party,
                    scope.outside_verdict,
                )

    def _step_who(
        self, d: _Decision, policy: Policy, kind: str, source: InstitutionFacts, target: InstitutionFacts
    ) -> TierRule | None:
        shared = source.alliances & target.alliances
        if shared and policy.alliance_clause and source.id != target.id:
            d.add(
                ReasonCode.SAME_ALLIANCE,
                policy.source,
                policy.alliance_clause,
                (("source", source.id), ("target", target.id), ("alliances", tuple(sorted(shared))),
                 ("rule", policy.alliance_text)),
                verdict=RECOGNIZED,
            )
            return _ALLIANCE_RULE
        if source.id == target.id:
            # the document's rules on institutions of recognition speak of results between institutions
            d.add(ReasonCode.SAME_INSTITUTION, policy.source, policy.clause, (("target", target.id),),
                  verdict=RECOGNIZED)
            return _ALLIANCE_RULE
        key = (policy.id, kind, source.tier, source.kind, target.tier, target.kind)
        outcome = self._tier_rules.get(key)
        if outcome is None:
            outcome = _kept(self._tier_rules, key, self._tier_rule(policy, kind, source, target))
        d.add_reason(outcome[1])
        return outcome[0]

    def _tier_rule(
        self, policy: Policy, kind: str, source: InstitutionFacts, target: InstitutionFacts
    ) -> tuple[TierRule | None, Reason]:
        """The first tier rule of ``policy`` for this item kind and these tiers and kinds of institution, and
        its reason; (None, the reason that none applies).  Depends on those codes alone (ids are not read),
        so :meth:`_step_who` keeps it per key."""
        for rule in policy.tier_rules:
            if rule.items not in ("any", kind):
                continue
            if not (rule.source.admits(source.tier, source.kind) and rule.target.admits(target.tier, target.kind)):
                continue
            if rule.compare == "same_level" and _TIER[source.tier].level != _TIER[target.tier].level:
                continue
            if rule.compare == "source_higher" and not _TIER[source.tier].level > _TIER[target.tier].level:
                continue
            key = ("TIER_RULE", policy.id, rule.id, source.tier, target.tier)
            same = self._reasons.get(key) or self._keep(key, Reason(
                ReasonCode.TIER_RULE, policy.source, rule.clause,
                (("rule", rule.text), ("sourceTier", source.tier), ("targetTier", target.tier)), "applies",
                rule.verdict))
            return rule, same
        clauses = sorted({str(r.clause) for r in policy.tier_rules if r.items in ("any", kind)})
        return None, Reason(
            ReasonCode.TIER_RULE,
            policy.source,
            ", ".join(clauses) or policy.clause,
            (("policy", policy.id), ("sourceTier", source.tier), ("sourceKind", source.kind),
             ("targetTier", target.tier), ("targetKind", target.kind)),
            "none",
            NOT_RECOGNIZED,
        )

    def _step_mark(
        self,
        d: _Decision,
        policy: Policy,
        overlay: Policy | None,
        ref: str,
        c: Check,
        source: InstitutionFacts,
        target: InstitutionFacts,
        required: bool,
        equivalents: frozenset[str] | None = None,
    ) -> tuple[str | None, str | None]:
        wanted = equivalents if equivalents is not None else set(self.items.equivalents(ref))
        marks = [m for m in source.marks if m.item in wanted]
        valid = [m for m in marks if m.valid_from <= c.performed_on and (m.valid_to is None or c.performed_on <= m.valid_to)]
        covering = valid
        if valid:
            scopes = self.regions.scope_set(target.region)
            covering = [m for m in valid if m.scope in scopes]
        label_source = overlay or policy
        if covering:
            best = max(covering, key=lambda m: self.regions.size(m.scope))
            labelled = self._label(best.scope, source, label_source)
            label = labelled[1] if labelled else None
            params: Params = (("source", source.id), ("item", best.item), ("validity", (best.valid_from, best.valid_to)),
                              ("scope", best.scope), ("target", target.id))
            if label is not None:
                params += (("label", (label.label, label.code)),)
            d.add(
                ReasonCode.MARK_SCOPE,
                labelled[0].source if labelled else policy.source,
                label.clause if label else self._mark_clauses[policy.id],
                params + (("largest", len(covering) > 1),),
                "labelled" if label else "unlabelled",
                RECOGNIZED if required else None,
            )
            return (label.label, label.code) if label else (None, None)
        verdict = NOT_RECOGNIZED if required else None
        if valid and any(r.code == ReasonCode.NO_SHARED_SCOPE for r in d.reasons):
            pass  # step 1 already found the source outside the policy's scope: one NO_SHARED_SCOPE says it
        elif valid:
            d.add(
                ReasonCode.NO_SHARED_SCOPE,
                policy.source,
                (overlay or policy).clause,
                (("source", source.id), ("scopes", tuple(sorted({m.scope for m in valid}))), ("target", target.id),
                 ("targetRegion", target.region)),
                "marks_elsewhere",
                verdict,
            )
        elif marks:
            d.add(
                ReasonCode.MARK_MISSING,
                policy.source,
                self._mark_clauses[policy.id],
                (("source", source.id), ("spans", tuple((m.scope, m.valid_from, m.valid_to) for m in marks)),
                 ("performedOn", c.performed_on)),
                "lapsed",
                verdict,
            )
        elif required:
            d.add(ReasonCode.MARK_MISSING, policy.source, self._mark_clauses[policy.id],
                  (("source", source.id), ("item", ref)), "none", verdict)
        return None, None

    @staticmethod
    def _mark_clause(policy: Policy) -> str | None:
        """The clause a mark reason cites: the document's mark labels, else the rule that asks for a mark
        (000 二(一) 室间质评), else what the document relies on for quality where it defines no mark (002 二)."""
        if policy.labels:
            return policy.labels[0].clause
        for rule in policy.tier_rules:
            if rule.requires_mark:
                return rule.clause
        return policy.quality.clause if policy.quality else None

    def mark_label(self, scope: str, region: str) -> tuple[Policy, MarkLabel] | None:
        """The label a mark of ``scope`` held by an institution in ``region`` is shown with, by the rule the
        answers use (:meth:`_label`: the holder's own document first, then the document of the scope — the
        zone's overlay for a zone, the province's document otherwise), so a list of marks (the public page,
        000 六(四)) cannot drift from ``recognizability``.  ``None`` where no document prints a label for the
        scope (000, 002)."""
        fallback = next((p for p in self.policies.values() if p.zone == scope), None)
        if fallback is None:
            fallback = self.governing_policy(scope, scope)[0]
        return self._label(scope, InstitutionFacts("", "", region, "", ""), fallback)  # type: ignore[arg-type]  # facts: region only

    def _label(self, scope: str, source: InstitutionFacts, fallback: Policy | None) -> tuple[Policy, MarkLabel] | None:
        """The label the source's own document prescribes for this scope, else the governing one's (kept per
        scope, source region and document in ``self._labels``); ``fallback`` None: no document governs the
        scope (a mark of a region no policy covers, listed by :meth:`mark_label`), only the source's own."""
        key = (scope, source.region, fallback.id if fallback is not None else "")
        try:
            return self._labels[key]
        except KeyError:
            pass
        return _kept(self._labels, key, self._find_label(scope, source.region, fallback))

    def _find_label(self, scope: str, region: str, fallback: Policy | None) -> tuple[Policy, MarkLabel] | None:
        own = self._by_province.get(self.regions.province_of(region) or "")
        for p in (own, fallback):
            if p is None:
                continue
            for lab in p.labels:
                if lab.scope == scope:
                    return p, lab
        return None

    def _step_window(self, d: _Decision, policy: Policy, c: Check) -> dt.date | None:
        w = policy.window
        if w is None:
            return None
        key = (c.performed_on, w.unit, w.length)
        valid_until = self._last_day.get(key)
        if valid_until is None:
            delta = relativedelta(days=w.length) if w.unit == "day" else relativedelta(months=w.length)
            try:
                valid_until = c.performed_on + delta
            except (OverflowError, ValueError):  # 9999-12-25 + 30 days (OverflowError), + 1 month (ValueError)
                raise CheckError(
                    "BAD_INPUT",
                    f"performedOn {c.performed_on.isoformat()}: the {w.length}-{w.unit} window of "
                    f"{policy.source} {w.clause} would end after {dt.date.max.isoformat()}, the last date the hub "
                    "can represent (a placeholder date such as DICOM's 99991231 is not a study date)",
                    c.performed_on.isoformat(),
                ) from None
            _kept(self._last_day, key, valid_until)
        if c.on > valid_until:
            d.add(
                ReasonCode.OUTSIDE_WINDOW,
                policy.source,
                w.clause,
                (("performedOn", c.performed_on), ("days", (c.on - c.performed_on).days), ("on", c.on),
                 ("binding", w.binding), ("span", (w.length, w.unit)), ("validUntil", valid_until), ("rule", w.text)),
                verdict=NOT_RECOGNIZED if w.binding else DISCRETION,
            )
        else:
            key = ("WITHIN_WINDOW", policy.id, c.performed_on)
            same = self._reasons.get(key) or self._keep(key, Reason(
                ReasonCode.WITHIN_WINDOW, policy.source, w.clause,
                (("performedOn", c.performed_on), ("span", (w.length, w.unit)), ("validUntil", valid_until))))
            d.add_reason(same)
        return valid_until

    def _step_exclusions(self, d: _Decision, policy: Policy, flags: list[str]) -> bool:
        """Each flag (of the check's context) the document lists as an exclusion; whether any applied."""
        applied = False
        for flag in flags:
            ex = policy.exclusions.get(flag)
            if ex is not None:
                key = ("EXCLUSION", policy.id, flag)
                d.add_reason(self._reasons.get(key) or self._keep(key, Reason(
                    ex.code, policy.source, ex.clause, (("rule", ex.text),), verdict=DISCRETION)))
                applied = True
        return applied

    def _billing(
        self, policy: Policy, target: InstitutionFacts, kind: str, verdict: Verdict, flags: list[str], excluded: bool,
    ) -> Billing | None:
        """The first of the document's billing rules (001 四(三)) that holds for this answer — only at a
        target the document governs itself: a fallback (Tianjin under 001) borrows the rules of recognition,
        not another city's fees and insurance."""
        key = (policy.id, target.region)
        governs = self._governs.get(key)
        if governs is None:
            governs = _kept(self._governs, key, self.regions.province_of(target.region) in policy.governs)
        if not governs:
            return None
        for rule in policy.billing:
            if rule.verdicts and verdict not in rule.verdicts:
                continue
            if rule.items not in ("any", kind):
                continue
            if rule.exclusion is not None and rule.exclusion != excluded:
                continue
            if rule.flags and not rule.flags.issubset(flags):
                continue
            return Billing(rule.code, policy.source, rule.clause, rule.text)
        return None


# The alliance (and same-institution) path: recognized, with no mark required.
_ALLIANCE_RULE = TierRule(
    id="alliance",
    clause="",
    text="",
    verdict=RECOGNIZED,
    items="any",
    source=None,  # type: ignore[arg-type]
    target=None,  # type: ignore[arg-type]
    requires_mark=False,
)
