"""The texts a person reads, rendered from templates kept as reviewable data (``seeds/messages/<lang>.yaml``).

The engine (:mod:`hub.domain.recognition`) emits reasons as data — a code, a template ``variant`` and the
facts as ``params`` (institution ids, region codes, item refs, dates, the documents' own words).  This
module turns them into text in one language: one template per reason code and variant, in every language
(``zh`` is the default; ``en`` on request), the facts shown the way the language shows them (a region as
``东城区（110101）``, an item as ``胸部正位DR（BJ-IMG:BW23ZYZZZ-00）``, a tier as ``三级甲等`` or ``3A (tertiary, grade
A)``, a document by its title).  It also holds the verdicts' labels (应予互认 / 由接诊医师判断 / 不予互认) and
the billing texts (001 四(三)): in Chinese the governing document's own words, in English a translation —
and the texts of every refusal a person reads (``refusals:``; :data:`REFUSALS` lists the keys and the facts each
may show, :mod:`hub.domain.refusals` the one shape the use cases raise).

How a fact is shown depends on its name (:data:`PARAM_KINDS`); a name not listed is shown as it is.  The
message files are checked against a strict schema like the policy files (an unknown or missing key is
refused naming file and key), and the tests render every template with real parameters in both languages.

Rendering is cheap and happens once per answer: a rendered text is cached by (language, reason) — reasons
are frozen, hashable records, and a batch repeats most of them (the same governing document, the same
item in the same catalog, the same tier rule).
"""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from hub.domain.seeds import DEFAULT_SEEDS_DIR
from hub.domain.vocabulary import BillingCode, ReasonCode, Tier, Verdict

#: the languages the hub answers in; the first is the default
LANGUAGES: tuple[str, ...] = ("zh", "en")
DEFAULT_LANGUAGE = LANGUAGES[0]


def messages_dir(seeds: Path = DEFAULT_SEEDS_DIR) -> Path:
    """``messages/``: one ``<lang>.yaml`` per language."""
    return Path(seeds) / "messages"


#: recognizability's GraphQL errors (:meth:`Renderer.error_text`) -> their refusals: the text without and with
#: the items the hub thinks were meant (hub/services/item_search.py)
ERROR_REFUSALS: dict[str, tuple[str, str]] = {
    "UNKNOWN_ITEM": ("items.unknown", "items.unknown_suggest"),
    "UNKNOWN_INSTITUTION": ("institutions.unknown", "institutions.unknown"),
}

#: the refusals (:class:`hub.domain.refusals.Refusal`) a person reads: key -> the facts its template may show
#: besides ``{argument}`` and ``{value}`` (what the caller gave).  Each language's ``refusals:`` section has a
#: template for every key and no other, reading no other fact: a file that differs is refused at load, and a
#: Refusal raised with other facts fails where it is raised (tests/unit/test_messages.py renders every key).
REFUSALS: dict[str, tuple[str, ...]] = {
    # the doctor's workflow: reminders, priorStudies, decisions, recordView, recordDecision
    "patient.empty": (),
    "audit.none": (),
    "audit.none_for_workflow": (),
    "platforms.none": (),
    "platforms.unavailable": ("platform", "error"),
    "platforms.since_after_on": ("on",),
    "platforms.refused": ("detail",),
    "reminders.unknown_reminder": (),
    "decision.too_long": ("length", "most"),
    "decision.reason_needed": ("decision",),
    "decision.informed_needed": ("decision",),
    "decision.exclusion_only_refused": ("decision",),
    "decision.consistent_only_reexamined": ("decision",),
    "decision.exclusion_unknown": ("document", "exclusions"),
    "decision.exclusion_none_listed": ("document",),
    "decision.exclusion_no_document": (),
    "decision.record_needed": ("citation", "name"),
    "decision.not_recordable": ("citation", "name"),
    # who may ask (hub.services.access): the role a field needs, the institution patient data is read at
    "access.role": ("field", "roles", "role"),
    "access.at_missing": ("field",),
    "access.clinician_elsewhere": ("institution",),
    "access.portal_elsewhere": ("institutions",),
    # the authority's metrics: recognitionMetrics, recognitionRanking (and the monthly report)
    "metrics.period": ("from",),
    "metrics.both": ("institution",),
    "metrics.unknown_institution": (),
    "metrics.unknown_region": (),
    "metrics.unknown_rate": ("rates",),
    "metrics.min_denominator": (),
    "metrics.first_negative": (),
    "metrics.first_too_large": ("most",),
    # recognizability (recognizability, recognizabilities, priorStudies' checks): ERROR_REFUSALS
    "items.unknown": (),
    "items.unknown_suggest": ("suggestions",),
    "institutions.unknown": (),
}


# --------------------------------------------------------------------------------------------- the file


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Formats(_Strict):
    """How each kind of fact is written (``str.format`` templates)."""

    region: str  # {name} {code}
    zone: str  # {name} {code}
    item: str  # {name} {ref}
    catalog: str  # {name} {id}
    policy: str  # {title} {id} {source}
    label: str  # {label} {code}
    validity: str  # {start} {end}
    validityOpen: str  # {start}
    span: str  # {length} {unit}
    markSpan: str  # {scope} {validity}
    tier: str  # {code} {name}
    separator: str  # between the elements of a list
    suggestion: str  # {ref} {name} {catalog}: an item an error suggests
    refusal: str  # {argument} {text}: a refusal naming the argument to fix
    blank: str  # a value the caller left empty (null, "", spaces)


class Terms(_Strict):
    """Words for the vocabulary's values."""

    tiers: dict[str, str]
    institutionKinds: dict[str, str]
    itemKinds: dict[str, str]
    ownerships: dict[str, str]
    #: unit -> {one, other} (English plurals; Chinese has one form)
    units: dict[str, dict[str, str]]


class MessageFile(_Strict):
    """One language's texts (``seeds/messages/<lang>.yaml``)."""

    language: str
    name: str
    verdicts: dict[str, str]
    #: reason code -> variant -> template (``default``: the template of a reason without a variant of its own)
    reasons: dict[str, dict[str, str]]
    billing: dict[str, str]
    #: a refusal's key (:data:`REFUSALS`) -> its template (``{argument}``, ``{value}`` and the key's facts)
    refusals: dict[str, str]
    #: a boolean fact -> its words when true and when false
    phrases: dict[str, dict[bool, str]]
    formats: Formats
    terms: Terms


class MessageFileError(ValueError):
    """A message file that does not match its schema or misses a code; the message names file and key."""


def _check(file: MessageFile, path: Path) -> None:
    missing = [f"verdicts.{v}" for v in Verdict if v.value not in file.verdicts]
    missing += [f"reasons.{c}" for c in ReasonCode if c.value not in file.reasons]
    missing += [f"billing.{b}" for b in BillingCode if b.value not in file.billing]
    missing += [f"terms.tiers.{t}" for t in Tier if t.value not in file.terms.tiers]
    unknown = [f"reasons.{c}" for c in file.reasons if c not in ReasonCode.__members__]
    unknown += [f"verdicts.{v}" for v in file.verdicts if v not in Verdict.__members__]
    unknown += [f"billing.{b}" for b in file.billing if b not in BillingCode.__members__]
    missing += [f"refusals.{k}" for k in REFUSALS if k not in file.refusals]
    unknown += [f"refusals.{k}" for k in file.refusals if k not in REFUSALS]
    problems = [f"{k}: missing key" for k in missing] + [f"{k}: unknown key" for k in unknown]
    for key, template in file.refusals.items():
        try:
            read = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
        except ValueError as exc:
            problems.append(f"refusals.{key}: {exc}")
            continue
        strange = sorted(read - {"argument", "value", *REFUSALS.get(key, ())})
        if strange:
            problems.append(f"refusals.{key}: unknown fact {', '.join('{' + f + '}' for f in strange)}")
    if file.language != path.stem:
        problems.append(f"language: {file.language!r} is not the file's name {path.stem!r}")
    if problems:
        raise MessageFileError(f"{path}: " + "; ".join(problems))


def read_message_file(path: Path) -> MessageFile:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        file = MessageFile.model_validate(raw)
    except (OSError, yaml.YAMLError) as exc:
        raise MessageFileError(f"{path}: {exc}") from None
    except ValidationError as exc:
        where = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(top level)'}: "
            + ("unknown key" if e["type"] == "extra_forbidden" else "missing key" if e["type"] == "missing" else e["msg"])
            for e in exc.errors()
        )
        raise MessageFileError(f"{path}: {where}") from None
    _check(file, path)
    return file


@cache
def load_messages(directory: Path | None = None) -> dict[str, MessageFile]:
    """Every language of :data:`LANGUAGES`, read from ``directory`` (default ``seeds/messages/``)."""
    directory = messages_dir() if directory is None else Path(directory)
    return {lang: read_message_file(directory / f"{lang}.yaml") for lang in LANGUAGES}


def language(lang: str | None) -> str:
    """``lang`` as a key of :data:`LANGUAGES` (``ZH``, ``en`` …); anything else reads as the default, Chinese."""
    code = (lang or "").strip().lower()
    return code if code in LANGUAGES else DEFAULT_LANGUAGE


def show_value(value: Any, m: MessageFile) -> str:
    """A value as the caller gave it: a date in ISO 8601, a boolean as GraphQL writes it, a list joined, and
    nothing (null, an empty or blank string) as the file's word for it."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return m.formats.blank
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple, set, frozenset)):
        return m.formats.separator.join(show_value(v, m) for v in value)
    return str(value)


def refusal_text(key: str, facts: Mapping[str, Any], *, argument: str | None = None, value: Any = None,
                 lang: str = DEFAULT_LANGUAGE, messages: Mapping[str, MessageFile] | None = None) -> str:
    """The refusal ``key`` in ``lang``: its template (``refusals:``) filled with ``value`` and ``facts``, led by
    the argument to fix (``formats.refusal``) when there is one."""
    m = (messages if messages is not None else load_messages())[language(lang)]
    shown = {name: show_value(v, m) for name, v in facts.items()}
    text = m.refusals[key].format_map(_Facts(shown, argument=argument or "", value=show_value(value, m)))
    return m.formats.refusal.format(argument=argument, text=text) if argument else text


# --------------------------------------------------------------------------------------------- facts

#: how a fact is shown, by its parameter name (the engine's names); a name not listed is shown as it is
PARAM_KINDS: dict[str, str] = {
    "source": "id", "target": "id", "institution": "id", "alliances": "ids",
    "sourceRegion": "region", "targetRegion": "region", "scope": "region", "scopes": "regions", "zone": "zone",
    "item": "item", "targetItem": "item", "catalog": "catalog", "policy": "policy", "ownPolicy": "policy",
    "sourceTier": "tier", "targetTier": "tier", "tier": "tier",
    "sourceKind": "institutionKind", "targetKind": "institutionKind", "kind": "itemKind", "ownership": "ownership",
    "performedOn": "date", "on": "date", "validUntil": "date",
    "validity": "validity", "spans": "spans", "span": "span", "label": "label",
    "largest": "phrase", "binding": "phrase",
}


class _Facts(dict):
    """A template's facts; one the reason does not carry reads as empty rather than failing the answer (the
    tests render every template with the engine's real parameters, so none is missing there)."""

    def __missing__(self, key: str) -> str:
        return ""


class Renderer:
    """Texts of reasons, verdicts and billing in each language.

    ``policies`` (id -> Policy) give documents' titles; ``region_names`` the GB/T 2260 and zone names;
    ``item_name`` / ``catalog_name`` the names printed in the catalogs (None when unknown: the id alone)."""

    def __init__(
        self,
        policies: Mapping[str, Any],
        region_names: Mapping[str, str],
        item_name: Callable[[str], str | None] = lambda ref: None,
        catalog_name: Callable[[str], str | None] = lambda cid: None,
        messages: Mapping[str, MessageFile] | None = None,
    ) -> None:
        self.policies = policies
        self.region_names = region_names
        self.item_name = item_name
        self.catalog_name = catalog_name
        self.messages = dict(messages if messages is not None else load_messages())
        self._texts: dict[tuple[str, Any], str] = {}
        self._show: dict[str, Callable[[Any, MessageFile], str]] = {
            "id": lambda v, m: str(v),
            "ids": lambda v, m: m.formats.separator.join(str(x) for x in v),
            "region": self._region,
            "regions": lambda v, m: m.formats.separator.join(self._region(x, m) for x in v),
            "zone": lambda v, m: m.formats.zone.format(name=self.region_names.get(v, v), code=v),
            "item": self._item,
            "catalog": lambda v, m: m.formats.catalog.format(name=self.catalog_name(v) or v, id=v),
            "policy": self._policy,
            "tier": lambda v, m: m.formats.tier.format(code=v, name=m.terms.tiers.get(v, v)),
            "institutionKind": lambda v, m: m.terms.institutionKinds.get(v, v),
            "itemKind": lambda v, m: m.terms.itemKinds.get(v, v),
            "ownership": lambda v, m: m.terms.ownerships.get(v, v),
            "date": lambda v, m: v.isoformat() if isinstance(v, dt.date) else str(v),
            "validity": lambda v, m: self._validity(v[0], v[1], m),
            "spans": lambda v, m: m.formats.separator.join(
                m.formats.markSpan.format(scope=self._region(s, m), validity=self._validity(a, b, m)) for s, a, b in v),
            "span": self._span,
            "label": lambda v, m: m.formats.label.format(label=v[0], code=v[1]),
        }

    # ---- public

    def text(self, reason: Any, lang: str = DEFAULT_LANGUAGE) -> str:
        """The reason's text in ``lang`` (cached by language and reason)."""
        key = (lang, reason)
        found = self._texts.get(key)
        if found is None:
            if len(self._texts) >= 65536:
                self._texts.clear()
            found = self._texts[key] = self._render(reason, self.messages[lang])
        return found

    def verdict_label(self, verdict: str, lang: str = DEFAULT_LANGUAGE) -> str:
        return self.messages[lang].verdicts[verdict]

    def billing_text(self, billing: Any, lang: str = DEFAULT_LANGUAGE) -> str:
        """The billing rule's text: in Chinese the document's words (``{rule}``), in English a translation."""
        return self.messages[lang].billing[billing.code].format(rule=billing.text, clause=billing.clause,
                                                                doc=billing.source)

    def error_text(self, code: str, value: Any, suggestions: Sequence[tuple[str, str, str]] = (),
                   lang: str = DEFAULT_LANGUAGE) -> str:
        """The message of the GraphQL error ``code`` about ``value``, naming the ``suggestions`` (ref, name,
        catalog) when there are any: “未知检查项目 'HE-IMG:9999'。您是否要找：HE-IMG:122 胸部CT平扫？”"""
        m = self.messages[lang]
        plain, suggesting = ERROR_REFUSALS[code]
        shown = m.formats.separator.join(m.formats.suggestion.format(ref=r, name=n, catalog=c) for r, n, c in suggestions)
        template = m.refusals[suggesting if suggestions else plain]
        return template.format_map(_Facts(value=str(value), suggestions=shown))

    # ---- rendering

    def _render(self, reason: Any, m: MessageFile) -> str:
        templates = m.reasons[reason.code]
        template = templates.get(reason.variant) or templates["default"]
        values = _Facts(clause=str(reason.clause or ""), doc=str(reason.source))
        for name, value in reason.params:
            values[name] = self._value(name, value, m)
        return template.format_map(values)

    def _value(self, name: str, value: Any, m: MessageFile) -> str:
        kind = PARAM_KINDS.get(name)
        if kind == "phrase":
            return m.phrases[name][bool(value)]
        show = self._show.get(kind) if kind is not None else None
        if value is None:
            return ""
        return show(value, m) if show is not None else str(value)

    def _region(self, code: str, m: MessageFile) -> str:
        name = self.region_names.get(code)
        return m.formats.region.format(name=name, code=code) if name else code

    def _item(self, ref: str, m: MessageFile) -> str:
        name = self.item_name(ref)
        return m.formats.item.format(name=name, ref=ref) if name else ref

    def _policy(self, pid: str, m: MessageFile) -> str:
        policy = self.policies.get(pid)
        if policy is None:
            return str(pid)
        return m.formats.policy.format(title=policy.title, id=policy.id, source=policy.source)

    def _validity(self, start: dt.date, end: dt.date | None, m: MessageFile) -> str:
        if end is None:
            return m.formats.validityOpen.format(start=start.isoformat())
        return m.formats.validity.format(start=start.isoformat(), end=end.isoformat())

    def _span(self, value: tuple[int, str], m: MessageFile) -> str:
        length, unit = value
        forms = m.terms.units.get(unit, {})
        word = forms.get("one" if length == 1 else "other") or unit
        return m.formats.span.format(length=length, unit=word)
