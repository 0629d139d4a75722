"""``documents`` / ``document``: the policy documents the hub implements, with their titles and every clause
it applies — so a reason's ``source`` and ``clause`` lead to the document's words.

Read from the policies the engine holds (``seeds/policies/*.yaml``), not from the store: a document's
issuer, year and number are keys of its policy file, its clauses the ``clause`` of each section.  A zone
overlay (JJJ) is listed too (``zone`` set): it is what ``Recognition.policy`` names for a cross-province
answer; its clauses come from 001, and are listed under 001 as well.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Optional

import strawberry

from resolvers.context import hub
from resolvers.types import DocumentClause, PolicyDocument

#: the sections of a policy file that cite clauses, in the file's order: (key, how its entries quote)
_SECTIONS = ("participants", "alliance", "tierRules", "marks", "quality", "window", "exclusions", "excludedItems",
             "billing", "records", "uploadRules", "dataQuality", "metrics", "reporting")


def _entries(raw: Mapping[str, Any]) -> Iterator[tuple[str, str, Optional[str]]]:
    """(use, clause, text) of every clause a policy file cites, in the file's order."""
    if raw.get("clause") not in (None, ""):
        yield "governs", str(raw["clause"]), None
    for key in _SECTIONS:
        value = raw.get(key)
        if not value:
            continue
        for entry in value if isinstance(value, list) else [value]:
            if not isinstance(entry, Mapping) or entry.get("clause") in (None, ""):
                continue
            yield key, str(entry["clause"]), entry.get("text")
            outside = entry.get("outside") if key == "participants" else None
            if outside:
                yield key, str(outside["clause"]), outside.get("text")


def _clauses(policy: Any, extra: list[Any], items: Any) -> list[DocumentClause]:
    seen: set[tuple[str, str, Optional[str]]] = set()
    out: list[DocumentClause] = []

    def add(use: str, clause: str, text: Optional[str]) -> None:
        if (use, clause, text) not in seen:
            seen.add((use, clause, text))
            out.append(DocumentClause(clause=clause, text=text, use=use))

    for use, clause, text in _entries(policy.raw):
        add(use, clause, text)
    catalogs = getattr(items, "catalogs", {})
    for cid in policy.catalogs.values():
        clause = items.catalog_clause(cid)
        if clause:  # the list's title as printed, with the catalog id the hub gives it
            found = catalogs.get(cid)
            add("catalog", clause, f"{found.catalog.name}（{cid}）" if found is not None else cid)
    for other in extra:  # a zone overlay's clauses, under the document they come from
        for use, clause, text in _entries(other.raw):
            add(f"{use} ({other.id})", clause, text)
    return out


def _document(policy: Any, policies: Mapping[str, Any], items: Any) -> PolicyDocument:
    extra = [p for p in policies.values() if p.zone and p.source == policy.source and p is not policy] if not policy.zone else []
    return PolicyDocument(
        id=policy.id, source=policy.source, title=policy.title, issuer=policy.issuer, year=policy.year,
        number=policy.number, zone=policy.zone, governs=list(policy.governs), catalogs=list(policy.catalogs.values()),
        clauses=_clauses(policy, extra, items), notes=list(policy.notes),
    )


def _all(info: strawberry.Info) -> list[PolicyDocument]:
    ctx = hub(info)
    policies = ctx.engine.policies
    ordered = sorted(policies.values(), key=lambda p: (p.zone is not None, p.id))
    return [_document(p, policies, ctx.items) for p in ordered]


def documents(info: strawberry.Info) -> list[PolicyDocument]:
    """Every policy document (000…004), then the zone overlays (JJJ)."""
    return _all(info)


def document(info: strawberry.Info, id: str) -> Optional[PolicyDocument]:
    """One policy by id (a document prefix or a zone overlay); null when unknown."""
    return next((d for d in _all(info) if d.id == id), None)
