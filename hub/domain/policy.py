"""Policies as data: the typed form of ``seeds/policies/*.yaml``.

Each document's rules — who may recognize whom, the marks and their labels, the time window, the
exclusions, what must be recorded — are data with the clause they come from.  This module only reads
and checks that data; :mod:`hub.domain.recognition` is the one place that applies it.  Each file is first
checked against its schema (:mod:`hub.domain.policy_file`: every key declared, an unknown or missing one
refused naming file and key), so a typo fails at start-up — or in ``hub policy check`` — not at the first
request, and never silently.  The policies directory is found from the seeds directory
(``HUB_SEEDS``, default ``seeds/`` of the checkout).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml

from hub.domain import policy_file
from hub.domain.model import TIERS
from hub.domain.seeds import policies_dir
from hub.domain.upload_rules import UploadRule, from_entries
from hub.domain.vocabulary import CONTEXT_FLAGS, VERDICTS, BillingCode, ReasonCode, Verdict

POLICY_DIR = policies_dir()
ItemKind = Literal["lab", "imaging", "any"]


class PolicyFileError(ValueError):
    """A policy file that does not match the schema; the message names file and field."""


@dataclass(frozen=True)
class Party:
    """Which institutions a rule speaks of: a tier in ``tiers`` or a kind in ``kinds`` — and, when
    ``ownerships`` is given, of one of those ownerships."""

    tiers: frozenset[str] = frozenset()
    kinds: frozenset[str] = frozenset()
    any: bool = False
    ownerships: frozenset[str] = frozenset()

    def admits(self, tier: str, kind: str, ownership: str | None = None) -> bool:
        if self.ownerships and ownership not in self.ownerships:
            return False
        return self.any or tier in self.tiers or kind in self.kinds


@dataclass(frozen=True)
class TierRule:
    id: str
    clause: str
    text: str
    verdict: Verdict
    items: ItemKind
    source: Party
    target: Party
    requires_mark: bool
    #: ``same_level``: source and target of one level (三级/二级/一级, 004 6.2);
    #: ``source_higher``: the source's level is above the target's; ``None``: tiers only
    compare: str | None = None


@dataclass(frozen=True)
class MarkLabel:
    scope: str
    label: str
    code: str
    clause: str


@dataclass(frozen=True)
class Window:
    length: int
    unit: Literal["day", "month"]
    binding: bool
    clause: str
    text: str


@dataclass(frozen=True)
class Exclusion:
    flag: str
    code: ReasonCode
    clause: str
    text: str


@dataclass(frozen=True)
class ExcludedItem:
    """An exam the document names and then keeps out of its list (002: 颈部 CT 平扫)."""

    match: dict[str, str]
    clause: str
    text: str


@dataclass(frozen=True)
class ClauseText:
    clause: str
    text: str


@dataclass(frozen=True)
class Participants:
    """The institutions the document's recognition covers (004 6.2), and what applies to the others."""

    clause: str
    text: str
    members: tuple[Party, ...]
    outside_verdict: Verdict
    outside_clause: str
    outside_text: str

    def admits(self, tier: str, kind: str, ownership: str) -> bool:
        return any(m.admits(tier, kind, ownership) for m in self.members)


@dataclass(frozen=True)
class BillingRule:
    """One billing rule (001 四(三)): applies when the answer's verdict is in ``verdicts`` (any when
    empty), the study is of ``items``, every flag of ``flags`` is set and, unless ``exclusion`` is None,
    an exclusion applied (True) or none did (False)."""

    code: BillingCode
    clause: str
    text: str
    verdicts: frozenset[Verdict] = frozenset()
    items: ItemKind = "any"
    flags: frozenset[str] = frozenset()
    exclusion: bool | None = None


@dataclass(frozen=True)
class Policy:
    id: str
    title: str
    source: str
    governs: tuple[str, ...]
    #: regions where a source institution may lie for this policy to recognize it without a zone
    source_scope: tuple[str, ...]
    catalogs: dict[str, str]  # item kind ("lab"/"imaging") -> catalog id
    clause: str
    alliance_clause: str | None
    alliance_text: str | None
    alliance_kinds: frozenset[str]
    tier_rules: tuple[TierRule, ...]
    labels: tuple[MarkLabel, ...]
    window: Window | None
    exclusions: dict[str, Exclusion]
    excluded_items: tuple[ExcludedItem, ...]
    records: dict[str, Any] = field(default_factory=dict)
    #: zone overlays only: the zone code, and the document used where the target's province has none
    zone: str | None = None
    fallback: str | None = None
    notes: tuple[str, ...] = ()
    #: what an uploaded imaging study must show (001 三、2(二), 003 二(四)); none when the file states none
    upload_rules: tuple[UploadRule, ...] = ()
    issuer: str | None = None
    year: int | None = None
    number: str | None = None
    #: where the document defines no mark: the clause it relies on for quality instead (002 二)
    quality: ClauseText | None = None
    participants: Participants | None = None
    billing: tuple[BillingRule, ...] = ()
    #: zone overlays: kinds the fallback document governs where the target's document lists none of them
    fallback_kinds: frozenset[str] = frozenset()
    #: the parsed file, as the schema read it (the ``documents`` query lists the clauses it cites)
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


def _req(raw: dict, key: str, where: str) -> Any:
    if key not in raw:
        raise PolicyFileError(f"{where}: missing field {key!r}")
    return raw[key]


def _party(raw: Any, where: str) -> Party:
    if raw == "any":
        return Party(any=True)
    if not isinstance(raw, dict):
        raise PolicyFileError(f"{where}: expected 'any' or a mapping with tiers/kinds")
    tiers = frozenset(str(t) for t in raw.get("tiers", ()))
    bad = tiers - set(TIERS)
    if bad:
        raise PolicyFileError(f"{where}.tiers: unknown tier(s) {sorted(bad)}")
    return Party(tiers=tiers, kinds=frozenset(raw.get("kinds", ())), ownerships=frozenset(raw.get("ownerships", ())))


def _participants(raw: dict | None, where: str) -> Participants | None:
    if not raw:
        return None
    outside = raw["outside"]
    return Participants(
        clause=str(raw["clause"]), text=raw["text"],
        members=tuple(_party(m, f"{where}.members[{i}]") for i, m in enumerate(raw["members"])),
        outside_verdict=Verdict(outside["verdict"]), outside_clause=str(outside["clause"]), outside_text=outside["text"],
    )


def _billing(entries: list[dict]) -> tuple[BillingRule, ...]:
    out = []
    for b in entries:
        when = b.get("when") or {}
        out.append(BillingRule(
            code=BillingCode(b["code"]), clause=str(b["clause"]), text=b["text"],
            verdicts=frozenset(Verdict(v) for v in when.get("verdicts", ())), items=when.get("items", "any"),
            flags=frozenset(when.get("flags", ())), exclusion=when.get("exclusion"),
        ))
    return tuple(out)


def parse_policy(raw: dict, path: Path) -> Policy:
    """The typed policy of one parsed file; :class:`PolicyFileError` naming file and key when the file does
    not match its schema."""
    where = str(path)
    found = policy_file.problems(raw)
    if found:
        raise PolicyFileError(f"{where}: " + "; ".join(found))
    rules = []
    for i, r in enumerate(raw.get("tierRules", [])):
        w = f"{where}: tierRules[{i}]"
        verdict = _req(r, "verdict", w)
        if verdict not in VERDICTS:
            raise PolicyFileError(f"{w}.verdict: {verdict!r} is not one of {VERDICTS}")
        rules.append(
            TierRule(
                id=_req(r, "id", w),
                clause=_req(r, "clause", w),
                text=_req(r, "text", w),
                verdict=Verdict(verdict),
                items=r.get("items", "any"),
                source=_party(_req(r, "source", w), f"{w}.source"),
                target=_party(_req(r, "target", w), f"{w}.target"),
                requires_mark=bool(r.get("requiresMark", True)),
                compare=r.get("compare"),
            )
        )
    exclusions = {}
    for i, e in enumerate(raw.get("exclusions", [])):
        w = f"{where}: exclusions[{i}]"
        flag = _req(e, "flag", w)
        if flag not in CONTEXT_FLAGS:
            raise PolicyFileError(f"{w}.flag: {flag!r} is not one of {CONTEXT_FLAGS}")
        exclusions[flag] = Exclusion(flag, ReasonCode(_req(e, "code", w)), _req(e, "clause", w), _req(e, "text", w))
    window = raw.get("window")
    alliance = raw.get("alliance") or {}
    return Policy(
        id=str(_req(raw, "id", where)),
        title=_req(raw, "title", where),
        source=str(_req(raw, "source", where)),
        governs=tuple(str(g) for g in raw.get("governs", ())),
        source_scope=tuple(str(s) for s in raw.get("sourceScope", ())),
        catalogs=dict(raw.get("catalogs", {})),
        clause=str(raw.get("clause", "")),
        alliance_clause=alliance.get("clause"),
        alliance_text=alliance.get("text"),
        alliance_kinds=frozenset(alliance.get("kinds", ())),
        tier_rules=tuple(rules),
        labels=tuple(
            MarkLabel(str(m["scope"]), m["label"], m["code"], m["clause"]) for m in raw.get("marks", ())
        ),
        window=Window(
            int(window["length"]), window["unit"], bool(window["binding"]), window["clause"], window["text"]
        )
        if window
        else None,
        exclusions=exclusions,
        excluded_items=tuple(
            ExcludedItem(dict(x["match"]), x["clause"], x["text"]) for x in raw.get("excludedItems", ())
        ),
        records=dict(raw.get("records", {})),
        zone=raw.get("zone"),
        fallback=raw.get("fallback"),
        notes=tuple(raw.get("notes", ())),
        upload_rules=from_entries(str(raw["source"]), raw.get("uploadRules") or ()),
        issuer=raw.get("issuer"),
        year=raw.get("year"),
        number=raw.get("number"),
        quality=ClauseText(str(raw["quality"]["clause"]), raw["quality"]["text"]) if raw.get("quality") else None,
        participants=_participants(raw.get("participants"), f"{where}: participants"),
        billing=_billing(raw.get("billing") or []),
        fallback_kinds=frozenset(raw.get("fallbackKinds", ())),
        raw=raw,
    )


def read_policy(path: Path) -> Policy:
    """One policy file, checked (``hub policy check`` runs this on each file it is given)."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise PolicyFileError(f"{path}: {exc}") from None
    if not isinstance(raw, dict):
        raise PolicyFileError(f"{path}: expected a mapping at the top level")
    return parse_policy(raw, path)


@cache
def load_policies(directory: Path = POLICY_DIR) -> dict[str, Policy]:
    """Every policy file in ``directory`` by id (document prefix, or the zone code for overlays)."""
    out: dict[str, Policy] = {}
    for path in sorted(directory.glob("*.yaml")):
        policy = read_policy(path)
        if policy.id in out:
            raise PolicyFileError(f"{path}: duplicate policy id {policy.id!r}")
        out[policy.id] = policy
    return out
