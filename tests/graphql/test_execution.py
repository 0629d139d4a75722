"""The short path for plain leaf fields (resolvers/fastpath/execution.py) answers exactly as graphql-core does.

Each query runs twice on one schema, once with strawberry's own execution context and once with the
hub's; data and errors (message, path) must be equal, and the hub's must really skip graphql-core's
per-field machinery for plain leaves (else the speed-up silently disappears, as it did once when
strawberry's always-present MiddlewareManager disabled it).
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Any, Optional

import pytest
import strawberry
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from resolvers.fastpath.execution import HubExecutionContext


@strawberry.enum
class Colour(Enum):
    RED = "RED"
    BLUE = "BLUE"


@strawberry.type
class Part:
    code: str
    note: Optional[str]


@strawberry.type
class Thing:
    name: str
    note: Optional[str]
    colour: Colour
    day: Optional[dt.date]
    count: int
    ratio: Optional[float]
    parts: list[Part]
    maybe_parts: Optional[list[Optional[Part]]] = None

    @strawberry.field
    def shout(self, times: int = 1) -> str:
        return self.name.upper() * times


GOOD = Thing(name="甲", note=None, colour=Colour.RED, day=dt.date(2026, 11, 30), count=3, ratio=0.5,
             parts=[Part(code="p1", note="x"), Part(code="p2", note=None)])
NULL_IN_NON_NULL = Thing(name=None, note="n", colour=Colour.BLUE, day=None, count=1, ratio=None, parts=[])  # type: ignore[arg-type]
BAD_ENUM = Thing(name="乙", note=None, colour="GREEN", day=None, count=2, ratio=None, parts=[])  # type: ignore[arg-type]
BAD_INT = Thing(name="丙", note=None, colour=Colour.RED, day=None, count="many", ratio=None, parts=[])  # type: ignore[arg-type]
# lists of all-leaf objects (one loop per list): a bad element, a null element and a null list where
# the type forbids them, and where it allows them
BAD_PART = Thing(name="丁", note=None, colour=Colour.RED, day=None, count=4, ratio=None,
                 parts=[Part(code="p3", note=None), Part(code=None, note="no code")],  # type: ignore[arg-type]
                 maybe_parts=[None, Part(code="p4", note=None)])
NULL_PART = Thing(name="戊", note=None, colour=Colour.RED, day=None, count=5, ratio=None,
                  parts=[None], maybe_parts=[Part(code=None, note=None)])  # type: ignore[list-item]
NULL_PARTS = Thing(name="己", note=None, colour=Colour.RED, day=None, count=6, ratio=None,
                   parts=None, maybe_parts=None)  # type: ignore[arg-type]
NOT_A_LIST = Thing(name="庚", note=None, colour=Colour.RED, day=None, count=7, ratio=None,
                   parts=Part(code="p5", note=None), maybe_parts=[])  # type: ignore[arg-type]


@strawberry.type
class Query:
    @strawberry.field
    def things(self) -> list[Optional[Thing]]:
        return [GOOD, NULL_IN_NON_NULL, BAD_ENUM, BAD_INT]

    @strawberry.field
    def parted(self) -> list[Optional[Thing]]:
        return [GOOD, BAD_PART, NULL_PART, NULL_PARTS, NOT_A_LIST]

    @strawberry.field
    def thing(self) -> Thing:
        return GOOD


QUERIES = [
    "{ things { name note colour day count ratio parts { code note } shout(times: 2) __typename } }",
    "{ thing { name colour day parts { code } } }",
    "{ thing { ...F } } fragment F on Thing { name n2: name count }",
    "{ thing { name @skip(if: true) note @include(if: false) count } }",
    # objects whose selected fields are all plain leaves (one loop per object), three of them bad
    "{ things { name colour count note day ratio } }",
    "{ things { parts { code note } count } }",
    # lists of all-leaf objects: good, bad, null and not a list; aliases and fragments inside
    "{ parted { name parts { code note } maybeParts { code } } }",
    "{ parted { count maybeParts { c: code ...P } } } fragment P on Part { note code }",
    "{ thing { parts { code __typename } } }",
]


def _run(context: type, query: str) -> dict[str, Any]:
    schema = strawberry.Schema(query=Query, execution_context_class=context)
    result = schema.execute_sync(query)
    errors = sorted((e.message, tuple(e.path or ())) for e in result.errors or [])
    return {"data": result.data, "errors": errors}


@pytest.mark.parametrize("query", QUERIES)
def test_same_answers_and_errors_as_graphql_core(query: str):
    assert _run(HubExecutionContext, query) == _run(StrawberryGraphQLCoreExecutionContext, query)


def test_plain_leaves_skip_the_resolve_info(monkeypatch):
    """graphql-core builds a GraphQLResolveInfo per field it executes; the short path builds none for
    plain leaves: here only the fields with a resolver (things, shout) and the failing leaves do."""
    built: list[str] = []
    original = StrawberryGraphQLCoreExecutionContext.build_resolve_info

    def counting(self, field_def, field_nodes, parent_type, path):  # type: ignore[no-untyped-def]
        built.append(f"{parent_type.name}.{field_nodes[0].name.value}")
        return original(self, field_def, field_nodes, parent_type, path)

    monkeypatch.setattr(StrawberryGraphQLCoreExecutionContext, "build_resolve_info", counting)
    _run(StrawberryGraphQLCoreExecutionContext, QUERIES[0])
    everything = len(built)
    built.clear()
    _run(HubExecutionContext, QUERIES[0])
    # things and each shout go the long way, and so do the three bad values (a null name, GREEN,
    # "many"), which graphql-core itself must report; a list of all-leaf objects (parts) does not
    assert "Thing.name" in built and "Thing.colour" in built and "Thing.count" in built
    assert "Thing.note" not in built and "Part.code" not in built and "Thing.day" not in built
    assert "Thing.parts" not in built
    assert len(built) < everything / 3, (len(built), everything)


def test_responses_are_utf8_json_not_escaped():
    """The view encodes with orjson: Chinese reason texts reach curl and the browser readable (and a batch
    of 100 answers is about half the bytes of json.dumps' \\u escapes); dates and nulls as JSON."""
    import json

    from hub.web.app import HubGraphQL

    view = HubGraphQL({})
    data = {"data": {"recognizability": {"mark": "京津冀HR", "validUntil": "2026-12-31", "policy": None}}}
    body = view.encode_json(data)
    assert "京津冀HR".encode() in body and b"\\u" not in body
    assert json.loads(body) == data


def test_objects_of_leaves_and_lists_of_leaf_objects_complete_in_one_loop(monkeypatch):
    """A Thing whose selection is leaves and a list of all-leaf Parts (the shape of a Recognition and
    its reasons) is completed without graphql-core's per-field loop: only the resolver field builds a
    GraphQLResolveInfo, and graphql-core's execute_fields runs for the root alone."""
    infos: list[str] = []
    loops: list[str] = []
    build_info = StrawberryGraphQLCoreExecutionContext.build_resolve_info
    execute_fields = StrawberryGraphQLCoreExecutionContext.execute_fields

    def counting_info(self, field_def, field_nodes, parent_type, path):  # type: ignore[no-untyped-def]
        infos.append(f"{parent_type.name}.{field_nodes[0].name.value}")
        return build_info(self, field_def, field_nodes, parent_type, path)

    def counting_loop(self, parent_type, *args):  # type: ignore[no-untyped-def]
        loops.append(parent_type.name)
        return execute_fields(self, parent_type, *args)

    monkeypatch.setattr(StrawberryGraphQLCoreExecutionContext, "build_resolve_info", counting_info)
    monkeypatch.setattr(StrawberryGraphQLCoreExecutionContext, "execute_fields", counting_loop)
    query = "{ thing { name colour parts { code note } maybeParts { code } } }"
    result = _run(HubExecutionContext, query)
    assert result["errors"] == [] and result["data"]["thing"]["parts"] == [
        {"code": "p1", "note": "x"}, {"code": "p2", "note": None}]
    assert infos == ["Query.thing"] and loops == ["Query"]


def _cached_schema(context: type) -> strawberry.Schema:
    """A schema whose requests of the same text share the parsed nodes, as the hub's (DocumentCache)."""
    from resolvers.fastpath.documents import DocumentCache, Documents

    documents = Documents()
    return strawberry.Schema(query=Query, execution_context_class=context,
                             extensions=[lambda: DocumentCache(documents)])


VARIABLE_QUERIES = [
    # what is collected depends on the variables: never shared between requests
    "query ($x: Boolean!) { thing { name @include(if: $x) count parts { code @skip(if: $x) note } } }",
    "query ($x: Boolean!) { thing { ... on Thing @include(if: $x) { name } count } }",
    "query ($x: Boolean!) { thing { ...F @skip(if: $x) count } } fragment F on Thing { name parts { code } }",
    # no directive: shared, and the same answers
    "query ($x: Boolean!) { parted { name parts { code note } } thing { ...F } } fragment F on Thing { count }",
]


@pytest.mark.parametrize("query", VARIABLE_QUERIES)
def test_plans_shared_across_requests_answer_each_request_by_its_variables(query: str):
    """The subfields collected below an object are kept per operation across requests only when the
    document has no directive: the same text asked with other variables answers by them."""
    hub, plain = _cached_schema(HubExecutionContext), strawberry.Schema(query=Query)
    for x in (True, False, True, False):
        got, want = hub.execute_sync(query, {"x": x}), plain.execute_sync(query, {"x": x})
        assert (got.data, got.errors) == (want.data, want.errors), x


def test_a_directive_free_document_is_collected_once(monkeypatch):
    """graphql-core collects each object's subfields per request; for a document without directives the
    hub collects them on its first request only."""
    import graphql.execution.collect_fields as collect_fields
    import resolvers.fastpath.execution as execution

    calls: list[str] = []
    original = collect_fields.collect_subfields

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(args[4].name)
        return original(*args, **kwargs)

    monkeypatch.setattr(execution, "collect_subfields", counting)
    schema = _cached_schema(HubExecutionContext)
    query = "{ thing { name parts { code } } parted { count } }"
    first = schema.execute_sync(query)
    assert sorted(calls) == ["Part", "Thing", "Thing"]
    calls.clear()
    again = schema.execute_sync(query)
    assert calls == [] and again.data == first.data and not again.errors
