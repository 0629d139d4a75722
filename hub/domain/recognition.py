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
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, make_dataclass
from typing import Any, Protocol

from dateutil.relativedelta import relativedelta

from hub.domain.regions import RegionIndex
from hub.domain.policy import MarkLabel, Policy, TierRule
from hub.domain.vocabulary import ClinicalFlag, ReasonCode, Tier, Verdict

RECOGNIZED = Verdict.RECOGNIZED
DISCRETION = Verdict.PHYSICIAN_DISCRETION
NOT_RECOGNIZED = Verdict.NOT_RECOGNIZED
_TIER: dict[str, Tier] = {t.value: t for t in Tier}  # an institution's tier as the store holds it -> the member


# --------------------------------------------------------------------------------------------- records


@dataclass(frozen=True)
class Reason:
    code: ReasonCode
    source: str
    clause: str | None
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


@dataclass(frozen=True)
class Check:
    """One question: study (source institution, item, date) at target institution on a day."""

    institution: str
    item: str
    performed_on: dt.date
    at: str
    on: dt.date
    context: ClinicalContext = ClinicalContext()  # type: ignore[valid-type]


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

    def add(self, code: ReasonCode, policy_source: str, clause: str | None, text: str, verdict: Verdict | None = None) -> None:
        self.add_reason(Reason(code, policy_source, clause, text), verdict)

    def add_reason(self, reason: Reason, verdict: Verdict | None = None) -> None:
        self.reasons.append(reason)
        if verdict is not None and verdict.strength < self.verdict.strength:
            self.verdict = verdict


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
        self._item_outcomes: dict[tuple[str, str], tuple[Reason, str | None, str | None]] = {}
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
        for c in checks:
            ref = self.items.resolve(c.item)
            if ref is None:
                resolved.append(CheckError("UNKNOWN_ITEM", f"unknown catalog item {c.item!r}", c.item))
                continue
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
            ids.update((c.institution, c.at))
            wanted = equivalents.get(ref)
            if wanted is None:
                wanted = equivalents[ref] = frozenset(self.items.equivalents(ref))
            items.update(wanted)
            marks_for.setdefault(c.institution, set()).update(wanted)
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

    def governing_policy(self, source_region: str, target_region: str) -> tuple[Policy | None, Policy | None]:
        """(the document that governs, the zone overlay if one applies)."""
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
        if base is None and overlay is not None and overlay.fallback:
            base = self.policies.get(overlay.fallback)
        return base, overlay

    # ---- the decision, step by step

    def decide(
        self, c: Check, ref: str, source: InstitutionFacts, target: InstitutionFacts,
        equivalents: frozenset[str] | None = None,
    ) -> Recognition:
        """``equivalents``: ``self.items.equivalents(ref)`` when the caller already has it."""
        d = _Decision()
        policy, overlay = self.governing_policy(source.region, target.region)
        if policy is None:
            d.add(
                ReasonCode.NO_POLICY,
                "-",
                None,
                f"no document governs recognition at {target.id} ({self._region_name(target.region)})",
                NOT_RECOGNIZED,
            )
            return Recognition(d.verdict, tuple(d.reasons))
        self._step_policy(d, policy, overlay, source, target)
        target_item = self._step_item(d, policy, ref)
        kind = self.items.kind(ref)
        rule = self._step_who(d, policy, kind, source, target)
        requires_mark = rule.requires_mark if rule is not None else True
        if overlay is not None:
            requires_mark = True  # across provinces only a zone mark carries the result (001 三、1)
        mark, mark_code = self._step_mark(d, policy, overlay, ref, c, source, target, requires_mark, equivalents)
        valid_until = self._step_window(d, policy, c)
        self._step_exclusions(d, policy, c.context)
        return Recognition(
            d.verdict, tuple(d.reasons), mark, mark_code, target_item, valid_until, overlay.id if overlay else policy.id
        )

    def _region_name(self, code: str) -> str:
        return f"{self.regions.names.get(code, code)} {code}"

    def _step_policy(
        self, d: _Decision, policy: Policy, overlay: Policy | None, source: InstitutionFacts, target: InstitutionFacts
    ) -> None:
        if overlay is not None:
            d.add(
                ReasonCode.ZONE_POLICY,
                overlay.source,
                overlay.clause,
                f"{self._region_name(source.region)} and {self._region_name(target.region)} lie in different "
                f"provinces of {self.regions.names.get(overlay.zone or '', overlay.zone)}: the zone scope applies; "
                f"{policy.title} ({policy.source}) supplies the rules at the target",
            )
        else:
            d.add(ReasonCode.POLICY, policy.source, policy.clause, f"{policy.title} governs {target.id} in {self._region_name(target.region)}")
            allowed = policy.source_scope or policy.governs
            if not any(self.regions.contains(s, source.region) for s in allowed):
                d.add(
                    ReasonCode.NO_SHARED_SCOPE,
                    policy.source,
                    policy.clause,
                    f"source {source.id} ({self._region_name(source.region)}) lies outside the scope of "
                    f"{policy.title} ({', '.join(allowed)}), and no zone joins the two",
                    NOT_RECOGNIZED,
                )

    def _step_item(self, d: _Decision, policy: Policy, ref: str) -> str | None:
        """Step 2.  Its outcome depends on the policy and the item alone (both fixed while the engine
        lives), so it is worked out once per pair: the crosswalk lookups were a quarter of a decision."""
        key = (policy.id, ref)
        outcome = self._item_outcomes.get(key)
        if outcome is None:
            outcome = self._item_outcomes[key] = self._item_outcome(policy, ref)
        reason, verdict, target_item = outcome
        d.add_reason(reason, verdict)
        return target_item

    def _item_outcome(self, policy: Policy, ref: str) -> tuple[Reason, str | None, str | None]:
        """(the reason, the verdict it imposes if any, the item in the governing catalog)."""
        kind = self.items.kind(ref)
        catalog = policy.catalogs.get(kind)
        features = self.items.features(ref)
        for excluded in policy.excluded_items:
            if all(features.get(k) == v for k, v in excluded.match.items()):
                return Reason(ReasonCode.ITEM_NOT_IN_CATALOG, policy.source, excluded.clause, excluded.text), NOT_RECOGNIZED, None
        if catalog is None:
            return Reason(
                ReasonCode.ITEM_NOT_IN_CATALOG,
                policy.source,
                policy.clause,
                f"{policy.title} lists no {'lab' if kind == 'lab' else 'imaging'} items",
            ), NOT_RECOGNIZED, None
        target_item = self.items.map_to_catalog(ref, catalog)
        if target_item is None:
            return Reason(
                ReasonCode.ITEM_NOT_IN_CATALOG,
                policy.source,
                self.items.catalog_clause(catalog),
                f"{ref} has no counterpart in {catalog}, the list of {policy.title}",
            ), NOT_RECOGNIZED, None
        return Reason(
            ReasonCode.ITEM_IN_CATALOG,
            policy.source,
            self.items.catalog_clause(catalog),
            f"{ref} is {target_item} in {catalog}" if ref != target_item else f"{ref} is listed in {catalog}",
        ), None, target_item

    def _step_who(
        self, d: _Decision, policy: Policy, kind: str, source: InstitutionFacts, target: InstitutionFacts
    ) -> TierRule | None:
        shared = source.alliances & target.alliances
        if shared and policy.alliance_clause and source.id != target.id:
            d.add(
                ReasonCode.SAME_ALLIANCE,
                policy.source,
                policy.alliance_clause,
                f"{source.id} and {target.id} are members of {', '.join(sorted(shared))}: {policy.alliance_text}",
            )
            return _ALLIANCE_RULE
        if source.id == target.id:
            d.add(ReasonCode.SAME_INSTITUTION, policy.source, None, f"the study was performed at {target.id} itself")
            return _ALLIANCE_RULE
        for rule in policy.tier_rules:
            if rule.items not in ("any", kind):
                continue
            if not (rule.source.admits(source.tier, source.kind) and rule.target.admits(target.tier, target.kind)):
                continue
            if rule.compare == "same_level" and _TIER[source.tier].level != _TIER[target.tier].level:
                continue
            if rule.compare == "source_higher" and not _TIER[source.tier].level > _TIER[target.tier].level:
                continue
            d.add(
                ReasonCode.TIER_RULE,
                policy.source,
                rule.clause,
                f"{rule.text} (source {source.tier} {_TIER[source.tier].level_name}, "
                f"target {target.tier} {_TIER[target.tier].level_name})",
                rule.verdict,
            )
            return rule
        clauses = sorted({r.clause for r in policy.tier_rules if r.items in ("any", kind)})
        d.add(
            ReasonCode.TIER_RULE,
            policy.source,
            ", ".join(clauses) or policy.clause,
            f"no rule of {policy.title} lets a {target.tier} institution ({target.kind}) recognize a "
            f"{source.tier} institution's ({source.kind}) results",
            NOT_RECOGNIZED,
        )
        return None

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
        scopes = self.regions.scope_set(target.region)
        covering = [m for m in valid if m.scope in scopes]
        label_source = overlay or policy
        if covering:
            best = max(covering, key=lambda m: self.regions.size(m.scope))
            labelled = self._label(best.scope, source, label_source)
            label = labelled[1] if labelled else None
            shown = f"{label.label}/{label.code}" if label else f"scope {best.scope}"
            d.add(
                ReasonCode.MARK_SCOPE,
                labelled[0].source if labelled else policy.source,
                label.clause if label else self._mark_clause(policy),
                f"{source.id} holds a mark for {best.item} valid {best.valid_from.isoformat()}–"
                f"{best.valid_to.isoformat() if best.valid_to else 'open'} whose scope "
                f"{self._region_name(best.scope)} contains {target.id}; shown as {shown}"
                + (" (the largest scope that applies, 001 三、4)" if len(covering) > 1 else ""),
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
                f"{source.id}'s marks for this item are valid in {', '.join(sorted({m.scope for m in valid}))}, "
                f"none of which contains {target.id} ({self._region_name(target.region)})",
                verdict,
            )
        elif marks:
            spans = ", ".join(
                f"{m.scope} {m.valid_from.isoformat()}–{m.valid_to.isoformat() if m.valid_to else 'open'}" for m in marks
            )
            d.add(
                ReasonCode.MARK_MISSING,
                policy.source,
                self._mark_clause(policy),
                f"{source.id}'s marks for this item ({spans}) were not valid on {c.performed_on.isoformat()}",
                verdict,
            )
        elif required:
            d.add(
                ReasonCode.MARK_MISSING,
                policy.source,
                self._mark_clause(policy),
                f"{source.id} holds no quality mark for {ref} or its equivalents",
                verdict,
            )
        return None, None

    @staticmethod
    def _mark_clause(policy: Policy) -> str | None:
        if policy.labels:
            return policy.labels[0].clause
        for rule in policy.tier_rules:
            if rule.requires_mark:
                return rule.clause
        return None

    def _label(self, scope: str, source: InstitutionFacts, fallback: Policy) -> tuple[Policy, MarkLabel] | None:
        """The label the source's own document prescribes for this scope, else the governing one's."""
        own = self._by_province.get(self.regions.province_of(source.region) or "")
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
            if len(self._last_day) >= 65536:
                self._last_day.clear()
            self._last_day[key] = valid_until
        span = f"{w.length} {'days' if w.unit == 'day' else 'month' + ('s' if w.length > 1 else '')}"
        if c.on > valid_until:
            d.add(
                ReasonCode.OUTSIDE_WINDOW,
                policy.source,
                w.clause,
                f"performed {c.performed_on.isoformat()}, {(c.on - c.performed_on).days} days before "
                f"{c.on.isoformat()}: past the {'binding' if w.binding else 'advisory'} {span} window "
                f"(last day {valid_until.isoformat()}). {w.text}",
                NOT_RECOGNIZED if w.binding else DISCRETION,
            )
        else:
            d.add(
                ReasonCode.WITHIN_WINDOW,
                policy.source,
                w.clause,
                f"performed {c.performed_on.isoformat()}: inside the {span} window until {valid_until.isoformat()}",
            )
        return valid_until

    def _step_exclusions(self, d: _Decision, policy: Policy, context: ClinicalContext) -> None:  # type: ignore[valid-type]
        for flag in context.flags():
            ex = policy.exclusions.get(flag)
            if ex is not None:
                d.add(ex.code, policy.source, ex.clause, ex.text, DISCRETION)


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
