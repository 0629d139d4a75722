"""The recognition use case: checks handed to the engine in one batch, the answers counted on their way out.

``recognizability`` / ``recognizabilities`` and the prior-studies use case all ask through here, so every
answer the hub gives is counted once (:mod:`hub.services.metrics`) whichever door it left by.
"""

from __future__ import annotations

from collections.abc import Sequence

from hub.domain.recognition import Check, CheckError, Recognition, RecognitionEngine
from hub.services.metrics import count_answers


async def check_many(engine: RecognitionEngine, checks: Sequence[Check]) -> list[Recognition | CheckError]:
    """The engine's answers in order (a bad check is a :class:`CheckError` in its slot), counted."""
    results = await engine.check_many(checks) if checks else []
    count_answers(results)
    return results
