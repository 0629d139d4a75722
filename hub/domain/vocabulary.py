"""The hub's vocabulary, each term defined once: verdicts and the clinical-context flags.

Everything else spells these from here: the engine, the policy file schema, the GraphQL types.
"""

from __future__ import annotations

from enum import Enum


class Verdict(str, Enum):
    """What a governing policy says of a prior result (CONTRACT.md): weakest wins across the steps."""

    RECOGNIZED = "RECOGNIZED"  # the target should accept it
    PHYSICIAN_DISCRETION = "PHYSICIAN_DISCRETION"  # allowed, not obliged
    NOT_RECOGNIZED = "NOT_RECOGNIZED"  # no rule makes it recognizable


VERDICTS: tuple[str, ...] = tuple(v.value for v in Verdict)

#: the clinical context a caller may state (CONTRACT.md ``ClinicalContext``, plus ``imagesIncomplete``
#: set by the connectors' completeness check); a policy's exclusions are keyed by these
CONTEXT_FLAGS: tuple[str, ...] = (
    "emergency",
    "conditionChanged",
    "beforeMajorProcedure",
    "patientRequestsRetest",
    "forensicAssessment",
    "resultInDoubt",
    "imagesIncomplete",
)
