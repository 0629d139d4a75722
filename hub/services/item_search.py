"""Catalog items found by what a person types: a name (``胸部CT``, ``头颅磁共振``, ``血常规``, a typo such as
``胸布CT``), a printed code or serial number, an item reference — and the suggestions of an UNKNOWN_ITEM error.

Why in memory: the seven catalogs hold about 1,100 items, already in the process as
:class:`graph.items.Items` (every lookup of the engine is a dict access there).  Scanning them with a C
matcher (rapidfuzz) takes a millisecond or two; a full-text index in either store would cost a round trip,
two dialects (LadybugDB and Neo4j index text differently) and still not read 磁共振 as MR.

How an item matches, best first (``score`` 0–100, ``matched_on`` says which):

* ``ref`` / ``code`` — the reference resolves (CONTRACT "Item reference": case, OCR variants …), or the text
  is an item's printed code or serial number: 100; the beginning of a reference or code (3 characters or
  more): 90–99.
* ``name`` — the printed name (or the document's corrected name, its 项目释义 description, a lab panel's
  component): equal 100, its beginning 90–99, inside it 80–89 (the closer the lengths, the higher).
* ``features`` — the text read with the crosswalk vocabulary (seeds/crosswalk/vocabulary.yaml: 磁共振 = MRI =
  MR, 头颅 = 颅脑 = head …) names a body part, and the item's normalised attributes agree with everything
  it names: 76, less 6 per character the vocabulary could not read (a typo: ``胸布CT`` is chest + CT with one
  unread character).  This is how ``胸部CT`` finds 002's ``胸部平扫（含薄层…）`` under its CT heading.
* ``equivalent`` — the same exam as an item matched at 70 or more (the crosswalk's equivalence class):
  that item's score less 4 (``via`` names it).  ``血常规`` finds BJ-LAB's 全血细胞分析 this way.
* ``fuzzy`` — rapidfuzz's WRatio against the names (and against codes of 6 characters or more) at
  :data:`FUZZY_CUTOFF` or above, scaled to at most 75, so it never outranks a lexical or features match.

Text is compared as :func:`hub.services.directory.normalise_name` leaves it (full-width → half-width, no
spaces, upper case), so ``胸部 CT`` = ``胸部ＣＴ`` = ``胸部ct``.  Ties go to the closer fuzzy ratio, then to
catalog order and the document's row.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

from rapidfuzz import fuzz, process

from graph.items import Items
from hub.crosswalk.features import normalise
from hub.crosswalk.vocabulary import Vocabulary
from hub.services.directory import normalise_name

#: the longest text searched (after normalisation): a name in the catalogs has at most ~40 characters, so a
#: longer text is not a name, and the matcher's cost stays bounded
MAX_TEXT = 64
#: the most matches one search returns (GraphQL pages through them with ``first`` / ``offset``)
MAX_LIMIT = 1000
#: rapidfuzz WRatio (0–100) a name must reach to count as a fuzzy match
FUZZY_CUTOFF = 65.0
#: the least score a suggestion of an UNKNOWN_ITEM error has (below it, nothing resembles the value)
SUGGEST_CUTOFF = 45.0
#: matches at or above this score bring their crosswalk equivalents along
EQUIVALENT_FROM = 70.0


class SearchRefused(ValueError):
    """A search that cannot be run as asked; ``argument`` names what to change."""

    def __init__(self, argument: str, message: str, value: Any = None) -> None:
        super().__init__(message)
        self.argument = argument
        self.value = value


@dataclass(frozen=True)
class Match:
    """One item found, with how well and on what."""

    ref: str
    catalog: str
    name: str
    score: float
    matched_on: str  # ref | code | name | features | equivalent | fuzzy
    via: str | None = None  # for ``equivalent``: the matched item whose exam this is


@dataclass(frozen=True)
class _Entry:
    ref: str
    catalog: str
    name: str
    order: tuple[int, int]  # catalog order, row
    names: tuple[str, ...]  # normalised: printed name first, then corrected name, description, components
    described: int  # how many of ``names`` describe the whole item (the rest are a panel's components)
    codes: tuple[str, ...]  # normalised: ref, local, printed code


def _descriptions(raw: Mapping[str, Any]) -> Iterable[str]:
    for key in ("printedName", "description"):
        if raw.get(key):
            yield str(raw[key])


def _components(raw: Mapping[str, Any]) -> Iterable[str]:
    for component in raw.get("components") or ():
        name = component.get("name") if isinstance(component, Mapping) else component
        if name:
            yield str(name)


def _closeness(query: str, key: str) -> float:
    return 9.0 * len(query) / len(key)


#: texts for the fuzzy matcher, and the entry each belongs to
_Choices = tuple[list[str], list[_Entry]]


class _Keys:
    """Normalised keys, each with its entry, searchable for a text as one newline-joined string."""

    def __init__(self, pairs: Iterable[tuple[str, _Entry]]) -> None:
        self.keys: list[str] = []
        self.owners: list[_Entry] = []
        self.starts: list[int] = []
        at = 0
        for key, owner in pairs:
            self.keys.append(key)
            self.owners.append(owner)
            self.starts.append(at)
            at += len(key) + 1
        self.text = "\n".join(self.keys)

    def containing(self, query: str) -> Iterable[tuple[str, _Entry, bool]]:
        """Each key ``query`` occurs in, once, with its entry and whether it starts with ``query``."""
        seen = -1
        pos = self.text.find(query)
        while pos != -1:
            i = bisect_right(self.starts, pos) - 1
            if i != seen:
                seen = i
                yield self.keys[i], self.owners[i], pos == self.starts[i]
            pos = self.text.find(query, pos + 1)


class ItemSearch:
    """The search over one :class:`Items` (built once per Items: :func:`item_search`)."""

    def __init__(self, items: Items, vocabulary: Vocabulary | None = None) -> None:
        self.items = items
        self.vocabulary = vocabulary
        self.catalog_order = {cid: n for n, cid in enumerate(items.catalogs)}
        self._by_catalog_upper = {cid.upper(): cid for cid in items.catalogs}
        entries: list[_Entry] = []
        for cid, cf in items.catalogs.items():
            raws = {r.get("ref"): r for r in cf.raw_items}
            for item in cf.items:
                raw = raws.get(item.ref) or {}
                names = [normalise_name(item.name)]
                names += [n for n in map(normalise_name, _descriptions(raw)) if n and n not in names]
                described = len(names)
                names += [n for n in map(normalise_name, _components(raw)) if n and n not in names]
                codes = [normalise_name(item.ref)]
                codes += [c for c in (normalise_name(x) for x in (item.local, item.printed) if x) if c not in codes]
                entries.append(_Entry(item.ref, cid, item.name, (self.catalog_order[cid], item.row or 0),
                                      tuple(names), described, tuple(codes)))
        self.entries = entries
        self._by_ref = {e.ref: e for e in entries}
        #: every name (and every code) in one string, so a search finds where the text occurs with str.find
        #: (C) instead of a Python loop over ~3,000 keys; normalised keys hold no newline
        self._names = _Keys((n, e) for e in entries for n in e.names)
        self._codes = _Keys((c, e) for e in entries for c in e.codes)
        #: the items by normalised body part, for the features match
        self._by_body_part: dict[str, list[tuple[_Entry, Mapping[str, Any]]]] = {}
        for e in entries:
            features = items.features(e.ref)
            if features.get("bodyPart"):
                self._by_body_part.setdefault(features["bodyPart"], []).append((e, features))
        #: the fuzzy matcher's choices: every name and every long code, with the entry each belongs to
        # a panel's components ("pH", "K⁺") are matched exactly or as words, never fuzzily: a two-letter
        # choice resembles half of any text
        # per catalog, so a search within one catalog (an unknown CATALOG:LOCAL's first look) scores only its names
        self._fuzzy: dict[str | None, tuple[_Choices, _Choices]] = {}
        for cid in [None, *self.catalog_order]:
            mine = [e for e in entries if cid is None or e.catalog == cid]
            names = [(n, e) for e in mine for n in e.names[: e.described] if len(n) >= 2]
            codes = [(c, e) for e in mine for c in e.codes[1:] if len(c) >= 6 and not c.isdigit()]
            self._fuzzy[cid] = (([n for n, _ in names], [e for _, e in names]), ([c for c, _ in codes], [e for _, e in codes]))
        self._suggested: dict[str, tuple[Match, ...]] = {}

    # ------------------------------------------------------------------------------------------ public

    def catalog_id(self, text: str) -> str | None:
        """The catalog id ``text`` names (any case), or None."""
        return self._by_catalog_upper.get(normalise_name(text))

    def search(self, text: str, *, catalogs: Collection[str] | None = None, limit: int = 20,
               equivalents: bool = True) -> list[Match]:
        """The items ``text`` names, best first, at most ``limit``; only those of ``catalogs`` when given.

        Raises :class:`SearchRefused` naming ``search``, ``catalog`` or ``limit`` when one is out of bounds."""
        query = normalise_name(text or "")
        if not query:
            raise SearchRefused("search", "search: the text to search for is empty", text)
        if len(query) > MAX_TEXT:
            raise SearchRefused("search", f"search: at most {MAX_TEXT} characters, got {len(query)}", text)
        if not 1 <= limit <= MAX_LIMIT:
            raise SearchRefused("limit", f"limit: {limit} is outside 1–{MAX_LIMIT}", limit)
        wanted: set[str] | None = None
        if catalogs is not None:
            wanted = set()
            for c in catalogs:
                cid = self.catalog_id(c)
                if cid is None:
                    raise SearchRefused("catalog", f"catalog: unknown catalog {c!r} (known: {', '.join(self.catalog_order)})", c)
                wanted.add(cid)
        return self._ranked(query, wanted, limit, equivalents)

    def suggest(self, value: str, limit: int = 3) -> tuple[Match, ...]:
        """The 0–``limit`` items an unknown item value most likely meant (cached per value).

        ``CATALOG:LOCAL`` with a known catalog: LOCAL in that catalog first (``HE-IMG:胸部CT平扫``,
        ``BJ-IMG:BW23ZYZZX-00``), then everywhere; anything else everywhere.  Nothing that scores under
        :data:`SUGGEST_CUTOFF` is suggested: a serial number past the end of a list resembles nothing."""
        key = f"{limit}\x00{value}"
        found = self._suggested.get(key)
        if found is None:
            found = tuple(self._suggest(value, limit))
            if len(self._suggested) >= 4096:
                self._suggested.clear()
            self._suggested[key] = found
        return found

    # ------------------------------------------------------------------------------------------ ranking

    def _suggest(self, value: str, limit: int) -> list[Match]:
        text = normalise_name(value if isinstance(value, str) else "")[:MAX_TEXT]
        if not text:
            return []
        tries: list[tuple[str, set[str] | None]] = []
        catalog, sep, local = text.partition(":")
        cid = self.catalog_id(catalog) if sep else None
        if cid is not None and local:
            tries.append((local, {cid}))
            tries.append((local, None))
        else:
            tries.append((text, None))
        for query, wanted in tries:
            found = [m for m in self._ranked(query, wanted, limit, equivalents=wanted is None)
                     if m.score >= SUGGEST_CUTOFF]
            if found:
                return found
        return []

    def _ranked(self, query: str, wanted: set[str] | None, limit: int, equivalents: bool) -> list[Match]:
        best: dict[str, Match] = {}

        def offer(entry: _Entry, score: float, on: str, via: str | None = None) -> None:
            if wanted is not None and entry.catalog not in wanted:
                return
            known = best.get(entry.ref)
            if known is None or score > known.score:
                best[entry.ref] = Match(entry.ref, entry.catalog, entry.name, round(score, 1), on, via)

        resolved = self.items.resolve(query)
        if resolved is not None and resolved in self._by_ref:
            offer(self._by_ref[resolved], 100.0, "ref")
        for code, e, at_start in self._codes.containing(query):
            on = "ref" if code == e.codes[0] else "code"
            if code == query:
                offer(e, 100.0, on)
            elif at_start and len(query) >= 3:
                offer(e, 90.0 + _closeness(query, code), on)
        for name, e, at_start in self._names.containing(query):
            if name == query:
                offer(e, 100.0, "name")
            else:
                offer(e, (90.0 if at_start else 80.0) + _closeness(query, name), "name")
        for ref, score in self._features(query):
            offer(self._by_ref[ref], score, "features")
        ratios: dict[str, float] = {}
        for cid in sorted(wanted) if wanted is not None else [None]:
            names, codes = self._fuzzy[cid]
            # WRatio for names (a short text inside a long name: partial matching); a code against codes is
            # one string against another of about its length: the plain ratio, ten times cheaper
            fuzzy = [(names, fuzz.WRatio, FUZZY_CUTOFF)] + ([(codes, fuzz.ratio, 85.0)] if len(query) >= 6 else [])
            for (texts, owners), scorer, cutoff in fuzzy:
                for _text, ratio, i in process.extract(query, texts, scorer=scorer, score_cutoff=cutoff, limit=None):
                    entry = owners[i]
                    ratios[entry.ref] = max(ratios.get(entry.ref, 0.0), ratio)
                    offer(entry, 0.75 * ratio, "fuzzy")
        if equivalents:
            for m in sorted(best.values(), key=lambda m: -m.score):
                if m.score < EQUIVALENT_FROM or m.matched_on == "equivalent":
                    continue
                for other in self.items.equivalents(m.ref)[1:]:
                    entry = self._by_ref.get(other)
                    if entry is not None:
                        offer(entry, m.score - 4.0, "equivalent", m.ref)
        ranked = sorted(best.values(), key=lambda m: (-m.score, -ratios.get(m.ref, 0.0), self._by_ref[m.ref].order))
        return ranked[:limit]

    def _features(self, query: str) -> list[tuple[str, float]]:
        """Items whose normalised attributes agree with everything the vocabulary reads in ``query``."""
        voc = self.vocabulary
        if voc is None:
            return []
        tokens, residue = voc.tokenise(query)
        unread = sum(len(r) for r in residue)
        if not tokens or unread > max(1, len(query) // 4):
            return []
        f = normalise({"name": query, "modality": None}, voc, defaults=False)
        if f.body_part is None:
            return []
        asked = {"modality": f.modality, "bodyPart": f.body_part, "laterality": f.laterality,
                 "contrast": f.contrast, "views": f.views_text()}
        asked = {k: v for k, v in asked.items() if v is not None}
        score = 76.0 - 6.0 * unread
        found = []
        for e, features in self._by_body_part.get(f.body_part, ()):
            if all(features.get(k) == v for k, v in asked.items()):
                # the text names no technique: the plain scan is the exam it most likely means
                basic = "contrast" in asked or features.get("contrast") in (None, "plain")
                found.append((e.ref, score if basic else score - 1.0))
        return found


#: one search per Items (the wiring builds Items once per process; a test's Items gets its own)
_SEARCHES: "WeakKeyDictionary[Items, ItemSearch]" = WeakKeyDictionary()


def item_search(items: Items) -> ItemSearch:
    """The search over ``items`` with its seeds directory's vocabulary, built on first use and kept with it.

    Kept per Items rather than wired into every context: whatever holds an Items (the runtime, a test's
    context, the connectors) gets the same search without a new constructor argument, and it goes when
    the Items goes."""
    found = _SEARCHES.get(items)
    if found is None:
        found = _SEARCHES[items] = ItemSearch(items, getattr(items.crosswalk, "vocabulary", None))
    return found
