"""Reminders and decisions in the graph store: the act of recognition (CONTRACT.md), on either backend.

Three node kinds (docs/DESIGN.md, "Reminders and decisions"), every patient only as its keyed pseudonym:

* ``Patient {pseudonym}`` — the entry point of ``decisions``: ``(Patient)-[:REMINDED]->(Reminder)``, so a
  patient's reminders are found from a primary key (LadybugDB indexes nothing else);
* ``Reminder {id}`` — one prior study reminded for one ordered item at one institution: what it was when
  first issued (``issuedOn``, ``issuedAt``, the institution and its region scopes), what the latest question
  saw (``verdict``, ``lastOn``), ``viewed``, and a copy of its last decision (``decision``,
  ``decisionVerdict``, ``decisionExclusion``, ``diagnosisConsistent``) so that the metrics are one pass over
  one label (statements ``reminder.metrics``, ``_at``, ``_within``);
* ``Decision {id}`` — what the doctor decided, with what the governing document says to record;
  ``(Reminder)-[:DECIDED]->(Decision)`` for every decision given, ``current`` on the one that counts.

This module only moves rows: the use cases (:mod:`hub.services.reminders`, :mod:`hub.services.decisions`)
decide what is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

from graph.store import GraphStore, Row

#: the day before any decision, for ``decisions`` without ``since``
EARLIEST = dt.date(1900, 1, 1)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


@dataclass(frozen=True)
class StoredReminder:
    id: str
    patient: str  # pseudonym p_…
    key_id: str | None
    at: str
    at_region: str | None
    at_scopes: tuple[str, ...]
    ordered_item: str
    platform: str
    study_uid: str
    performed_on: dt.date
    modality: str | None
    description: str | None
    dicom_institution_name: str | None
    institution: str
    institution_name: str | None
    institution_region: str | None
    item: str
    findings: str | None  # JSON: the completeness findings of the study when last reminded
    verdict: str
    policy: str | None
    issued_on: dt.date
    issued_at: str
    last_on: dt.date
    viewed: bool
    viewed_at: str | None
    decision_id: str | None
    decision: str | None
    decision_verdict: str | None
    decision_exclusion: str | None
    diagnosis_consistent: bool | None
    decided_at: str | None

    @classmethod
    def from_row(cls, row: Row) -> "StoredReminder":
        values = {f.name: row.get(_camel(f.name)) for f in fields(cls)}
        values["at_scopes"] = tuple(values["at_scopes"] or ())
        values["viewed"] = bool(values["viewed"])
        return cls(**values)


@dataclass(frozen=True)
class StoredDecision:
    id: str
    reminder: str
    patient: str
    at: str
    decision: str
    reason: str | None
    exclusion: str | None
    exclusion_clause: str | None
    patient_informed: bool | None
    archive_no: str | None
    diagnosis_consistent: bool | None
    institution_name: str | None
    performed_on: dt.date
    verdict: str
    citation: str
    ordered_item: str
    platform: str
    study_uid: str
    item: str
    by_user: str
    by_role: str | None
    by_institution: str | None
    recorded_at: str
    recorded_on: dt.date
    current: bool

    @classmethod
    def from_row(cls, row: Row) -> "StoredDecision":
        values = {f.name: row.get(_camel(f.name)) for f in fields(cls)}
        values["current"] = bool(values["current"])
        return cls(**values)


#: the columns of a ``reminder.upsert`` row (every one present; ``None`` where unknown)
REMINDER_ROW = ("id", "patient", "keyId", "at", "atRegion", "atScopes", "orderedItem", "platform", "studyUid",
                "performedOn", "modality", "description", "dicomInstitutionName", "institution", "institutionName",
                "institutionRegion", "item", "findings", "verdict", "policy", "issuedOn", "issuedAt")
#: the parameters of ``decision.record``
DECISION_PARAMS = ("id", "reminder", "decision", "reason", "exclusion", "exclusionClause", "patientInformed", "archiveNo",
                   "diagnosisConsistent", "institutionName", "performedOn", "verdict", "citation", "byUser",
                   "byRole", "byInstitution", "recordedAt", "recordedOn")


class WorkflowStore:
    """The reminders and decisions of one graph store (any object with the store port's read/write)."""

    def __init__(self, store: GraphStore) -> None:
        self.store = store

    async def reminders(self, ids: Iterable[str]) -> dict[str, StoredReminder]:
        """The stored reminders among ``ids``, by id (one read)."""
        rows = await self.store.read("reminder.find", {"ids": sorted(set(ids))})
        return {r["id"]: StoredReminder.from_row(r) for r in rows}

    async def reminder(self, rid: str) -> StoredReminder | None:
        return (await self.reminders([rid])).get(rid)

    async def institutions(self, ids: Iterable[str]) -> dict[str, Row]:
        """``{id: {id, name, region}}`` of the institutions among ``ids`` that exist (one read)."""
        rows = await self.store.read("reminder.institutions", {"ids": sorted(set(ids))})
        return {r["id"]: r for r in rows}

    async def upsert(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Write reminders (one transaction): new ones with the day they were first issued, known ones with
        what the latest question saw."""
        for row in rows:
            missing = [k for k in REMINDER_ROW if k not in row]
            if missing:
                raise ValueError(f"reminder row without {', '.join(missing)}")
        await self.store.write([("reminder.upsert", {"rows": [dict(r) for r in rows]})])

    async def view(self, rid: str, at_time: str) -> None:
        await self.store.write([("reminder.view", {"id": rid, "viewedAt": at_time})])

    async def record_decision(self, params: Mapping[str, Any]) -> StoredDecision:
        """Write one decision (``DECISION_PARAMS``) and make it the reminder's last; returns it as stored
        (a retry of the current decision returns the first recording)."""
        missing = [k for k in DECISION_PARAMS if k not in params]
        if missing:
            raise ValueError(f"decision without {', '.join(missing)}")
        await self.store.write([("decision.record", dict(params))])
        found = await self.decisions([params["id"]])
        return found[params["id"]]

    async def decisions(self, ids: Iterable[str]) -> dict[str, StoredDecision]:
        rows = await self.store.read("decision.find", {"ids": sorted(set(ids))})
        return {r["id"]: StoredDecision.from_row(r) for r in rows}

    async def decisions_of(self, pseudonyms: Sequence[str], at: str, since: dt.date | None) -> list[StoredDecision]:
        """The decisions that count for the patient's reminders at ``at``, recorded on or after ``since``."""
        rows = await self.store.read("decision.of_patient", {
            "patients": list(pseudonyms), "at": at, "since": since or EARLIEST})
        return [StoredDecision.from_row(r) for r in rows]

    async def metrics(self, from_: dt.date, to: dt.date, institution: str | None = None,
                      region: str | None = None) -> dict[str, int]:
        """The counts of ``recognitionMetrics`` over the reminders first issued ``from_``..``to`` at
        ``institution``, inside ``region`` or everywhere (one read: ``reminder.metrics_at``,
        ``reminder.metrics_within`` or ``reminder.metrics`` — a statement per kind of scope, see the first)."""
        params: dict[str, Any] = {"from": from_, "to": to}
        if institution and region:
            raise ValueError("metrics over an institution or a region, not both")
        if institution:
            name, params["institution"] = "reminder.metrics_at", institution
        elif region:
            name, params["region"] = "reminder.metrics_within", region
        else:
            name = "reminder.metrics"
        (row,) = await self.store.read(name, params)
        return {k: int(v or 0) for k, v in row.items()}

    async def ranking(self, from_: dt.date, to: dt.date, *, numerator: str, denominator: str, sign: int,
                      region: str | None = None, limit: int = 50, min_denominator: int = 1) -> list[Row]:
        """The counts per institution (``id``, ``name`` and the seven counts) of the best ``limit`` institutions
        by ``numerator / denominator`` (× ``sign``: -1 where a high rate is bad), those with at least
        ``min_denominator`` (>= 1) in the denominator only (one read: ``reminder.ranking``, inside a region
        ``reminder.ranking_within``).  The rows come in
        no particular order: the caller orders them by the domain's rates."""
        if min_denominator < 1:
            raise ValueError("min_denominator must be at least 1: a rate over nothing has no rank")
        params: dict[str, Any] = {"from": from_, "to": to, "numerator": numerator, "denominator": denominator,
                                  "sign": sign, "limit": limit, "minDenominator": min_denominator}
        if region:
            return await self.store.read("reminder.ranking_within", {**params, "region": region})
        return await self.store.read("reminder.ranking", params)

    async def metrics_by_scope(self, from_: dt.date, to: dt.date, scopes: Sequence[str]) -> dict[str, dict[str, int]]:
        """The counts of ``recognitionMetrics`` for every region or zone of ``scopes`` at once (one read:
        ``reminder.metrics_by_scope``); a scope without reminders is absent."""
        rows = await self.store.read("reminder.metrics_by_scope", {"from": from_, "to": to, "scopes": list(scopes)})
        return {r["scope"]: {k: int(v or 0) for k, v in r.items() if k != "scope"} for r in rows}
