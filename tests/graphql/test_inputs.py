"""resolvers.fastpath.inputs.scalar_input: strawberry's from_input hook builds scalar-only inputs exactly as
strawberry's own conversion does (names, omitted fields, defaults, enums, dates), and refuses any other."""

# no "from __future__ import annotations": the classes are local, strawberry resolves annotations eagerly
import datetime as dt
from enum import Enum
from typing import Optional

import pytest
import strawberry

from resolvers.fastpath.inputs import scalar_input


@strawberry.enum
class Side(Enum):
    LEFT = "LEFT"
    RIGHT = "RIGHT"


def _input(hooked: bool) -> type:
    @strawberry.input
    class Study:
        institution: strawberry.ID
        performed_on: dt.date
        side: Optional[Side] = None
        note: Optional[str] = strawberry.field(default="none given", name="remark")
        urgent: Optional[bool] = strawberry.UNSET  # type: ignore[assignment]

    return scalar_input(Study) if hooked else Study


def _answers(hooked: bool) -> list[object]:
    Study = _input(hooked)
    seen: list[object] = []

    @strawberry.type
    class Query:
        @strawberry.field
        def ask(self, studies: list[Study]) -> int:  # type: ignore[valid-type]
            seen.extend(vars(s) for s in studies)
            return len(studies)

    schema = strawberry.Schema(query=Query)
    result = schema.execute_sync(
        "query($s: [Study!]!) { ask(studies: $s) }",
        variable_values={"s": [
            {"institution": "a", "performedOn": "2026-11-30"},
            {"institution": 7, "performedOn": "2026-01-02", "side": "LEFT", "remark": "x", "urgent": True},
            {"institution": "c", "performedOn": "2026-03-04", "side": None, "remark": None},
        ]},
    )
    assert result.errors is None, result.errors
    return seen


def test_the_hook_builds_what_strawberry_builds():
    hooked = _answers(True)
    assert hooked == _answers(False)
    assert hooked[0]["performed_on"] == dt.date(2026, 11, 30) and hooked[0]["note"] == "none given"
    assert hooked[1]["institution"] == "7" and hooked[1]["side"] is Side.LEFT and hooked[1]["urgent"] is True
    assert hooked[2]["note"] is None and hooked[0]["urgent"] is strawberry.UNSET


def test_an_input_with_a_field_that_is_not_a_scalar_is_refused():
    @strawberry.input
    class Inner:
        x: int

    @strawberry.input
    class Outer:
        inner: Inner
        many: list[str]

    with pytest.raises(TypeError, match=r"\['inner', 'many'\] are not scalars"):
        scalar_input(Outer)

    @strawberry.type
    class NotInput:
        x: int

    with pytest.raises(TypeError, match="not a @strawberry.input"):
        scalar_input(NotInput)
