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


def _called(direct: bool) -> tuple[list[object], object]:
    """What a resolver receives, and the answer, with strawberry's resolver or the planned one
    (resolvers.fastpath.arguments): every argument kind it plans, given and omitted."""
    from resolvers.fastpath.arguments import install

    Study = _input(True)
    seen: list[object] = []

    @strawberry.type
    class Thing:
        name: str

        @strawberry.field
        def echo(self, root: "Thing", times: int = 1, tags: Optional[list[str]] = None) -> str:
            seen.append((self.name, root.name, times, tags))
            return self.name * times

    @strawberry.type
    class Query:
        @strawberry.field
        def ask(self, info: strawberry.Info, study: Study, studies: Optional[list[Study]] = None,  # type: ignore[valid-type]
                side: Side = Side.RIGHT, day: Optional[dt.date] = None, at: Optional[strawberry.ID] = None,
                words: Optional[list[Optional[str]]] = None) -> Thing:
            seen.append((info.field_name, vars(study), [vars(s) for s in studies] if studies is not None else None,
                         side, day, at, words))
            return Thing(name="甲")

    schema = strawberry.Schema(query=Query)
    if direct:
        assert install(schema) == 2  # ask and echo
    result = schema.execute_sync(
        "query($s: Study!, $many: [Study!], $d: Date) {"
        " a: ask(study: $s, studies: $many, side: LEFT, day: $d, at: 7, words: [\"x\", null]) { echo(times: 2, tags: []) }"
        " b: ask(study: {institution: \"b\", performedOn: \"2026-01-01\"}) { name echo } }",
        variable_values={"s": {"institution": "a", "performedOn": "2026-11-30", "side": "LEFT"},
                         "many": [{"institution": 1, "performedOn": "2026-02-03", "remark": None}], "d": "2026-12-01"},
    )
    return seen, (result.data, result.errors)


def test_planned_arguments_reach_the_resolver_as_strawberry_converts_them():
    direct, planned = _called(True)
    assert (direct, planned) == _called(False)
    assert planned[1] is None
    assert direct[0][3] is Side.LEFT and direct[0][4] == dt.date(2026, 12, 1) and direct[0][5] == "7"
    assert direct[2][3] is Side.RIGHT and direct[2][2] is None
