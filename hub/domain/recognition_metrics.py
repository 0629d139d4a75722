"""The authority's four rates (000 一(一), ranked by 六(三); reported monthly by 002 四(四)): what each counts
and how each is divided, in one place (CONTRACT.md "recognitionMetrics").

The counts come from the store in one statement (``reminder.metrics``, :class:`graph.workflow.WorkflowStore`);
this module only names them and divides.  A rate whose denominator is 0 is ``None`` (null in GraphQL, an
empty cell in a report), never 0: "no reminder was issued" is not "nobody looked at one".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Rate:
    """One of the four rates: its GraphQL name, its Chinese name, the counts it divides and its clause."""

    name: str
    label_zh: str
    label_en: str
    numerator: str
    denominator: str
    clause: str
    #: whether a higher rate is better: false for 互认不遵从率 (refusing a recognized result without an
    #: exclusion), so a ranking (六(三)) puts the institution with the lowest first
    higher_is_better: bool = True

    @property
    def sign(self) -> int:
        """1 where a high rate is good, -1 where it is bad: ``sign * rate`` descending is best first."""
        return 1 if self.higher_is_better else -1


#: the four rates of 000 一(一) in the order the document lists them (首次提醒调阅率、互认率、诊断符合率、互认不遵从率)
RATES: tuple[Rate, ...] = (
    Rate("firstReminderViewRate", "首次提醒调阅率", "first-reminder view rate", "viewed", "reminders", "000 一(一)"),
    Rate("recognitionRate", "互认率", "recognition rate", "accepted", "reminders", "000 一(一)"),
    Rate("diagnosisConsistencyRate", "诊断符合率", "diagnosis consistency rate", "consistent",
         "reexaminedCompared", "000 一(一)"),
    Rate("nonComplianceRate", "互认不遵从率", "non-compliance rate", "nonCompliant", "decidedRecognized",
         "000 一(一)", higher_is_better=False),
)
RATES_BY_NAME: dict[str, Rate] = {r.name: r for r in RATES}

#: the counts' Chinese names, for reports and labels (CONTRACT.md's definitions)
COUNT_LABELS_ZH: dict[str, str] = {
    "reminders": "提醒数",
    "viewed": "调阅数",
    "accepted": "互认数",
    "decidedRecognized": "应互认已处理数",
    "nonCompliant": "不遵从数",
    "reexaminedCompared": "复查比对数",
    "consistent": "诊断符合数",
}
#: the same in English (a report asked for with ``--lang en``)
COUNT_LABELS_EN: dict[str, str] = {
    "reminders": "reminders",
    "viewed": "viewed",
    "accepted": "accepted",
    "decidedRecognized": "recognized and decided",
    "nonCompliant": "non-compliant",
    "reexaminedCompared": "re-examined and compared",
    "consistent": "consistent",
}


@dataclass(frozen=True)
class RecognitionCounts:
    """The seven counts of CONTRACT.md's ``RecognitionMetrics`` over one scope and period."""

    reminders: int = 0
    viewed: int = 0
    accepted: int = 0
    decidedRecognized: int = 0  # noqa: N815 - the contract's spelling, shared with the store's columns
    nonCompliant: int = 0  # noqa: N815
    reexaminedCompared: int = 0  # noqa: N815
    consistent: int = 0

    @classmethod
    def from_row(cls, row: Mapping[str, object]) -> "RecognitionCounts":
        """The counts from a store row with these column names (missing or null columns count 0)."""
        return cls(**{f.name: int(row.get(f.name) or 0) for f in fields(cls)})  # type: ignore[arg-type]

    def count(self, name: str) -> int:
        return int(getattr(self, name))

    def rate(self, name: str) -> float | None:
        """The rate ``name`` (a :data:`RATES` name): numerator ÷ denominator, ``None`` when it is 0."""
        rate = RATES_BY_NAME[name]
        denominator = self.count(rate.denominator)
        return None if denominator == 0 else self.count(rate.numerator) / denominator

    def rates(self) -> dict[str, float | None]:
        return {r.name: self.rate(r.name) for r in RATES}

    def score(self, name: str) -> float | None:
        """The rate ``name`` signed so that higher is better (:attr:`Rate.sign`): what 六(三)'s ranking orders
        by, descending; ``None`` when the rate is."""
        value = self.rate(name)
        return None if value is None else RATES_BY_NAME[name].sign * value


def ranked(entries: Iterable[tuple[str, RecognitionCounts]], name: str) -> list[tuple[str, RecognitionCounts]]:
    """``(institution id, counts)`` best first by the rate ``name`` (000 六(三)), ties by id; entries whose rate is
    null (nothing in its denominator) are left out: they have no place in a ranking."""
    scored = [(e, e[1].score(name)) for e in entries]
    return [e for e, score in sorted(((e, s) for e, s in scored if s is not None), key=lambda es: (-es[1], es[0][0]))]
