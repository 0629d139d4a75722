"""resolvers.fastpath.documents: parse and validation results cached by the query text, limits still applied."""

from __future__ import annotations

import pytest
from graphql import GraphQLSyntaxError

import resolvers.fastpath.documents as documents_module
from hub.config import Settings
from hub.web.limits import documents as limited_documents
from resolvers.fastpath.documents import Documents
from resolvers.schema import build_schema

QUERY = "{ catalogs { id } }"


def test_each_text_is_parsed_and_validated_once(monkeypatch):
    calls: list[int] = []
    real = documents_module.validate_document

    def counting(schema, document, rules):  # type: ignore[no-untyped-def]
        calls.append(len(rules))
        return real(schema, document, rules)

    monkeypatch.setattr(documents_module, "validate_document", counting)
    schema = build_schema()._schema
    docs = Documents(rules=())
    first = docs.parse(QUERY)
    assert docs.parse(QUERY) is first
    assert docs.validate(schema, QUERY, first, ()) == [] and docs.validate(schema, QUERY, first, ()) == []
    assert len(calls) == 1
    # a document that is not the cached parse of its text is validated afresh (never a stale answer)
    other = Documents().parse(QUERY)
    docs.validate(schema, QUERY, other, ())
    assert len(calls) == 2


def test_validation_errors_are_cached_and_the_hubs_rules_apply():
    settings = Settings(max_depth=1)
    docs = limited_documents(settings)
    schema = build_schema()._schema
    deep = "{ institution(id: \"x\") { alliances { id } } }"
    errors = docs.validate(schema, deep, docs.parse(deep), ())
    assert errors and "nests 2 levels, deeper than 1" in errors[0].message
    assert errors[0].extensions == {"code": "DEPTH_LIMIT_EXCEEDED", "limit": 1}
    assert docs.validate(schema, deep, docs.parse(deep), ()) is errors  # the same list, from the cache


def test_size_limits_refuse_before_any_validation_rule_runs(monkeypatch):
    """A document over a size limit never reaches graphql-core's rules (not linear in inlined size)."""
    calls: list[int] = []
    monkeypatch.setattr(documents_module, "validate_document", lambda *a: calls.append(1) or [])
    docs = limited_documents(Settings(max_fields=10))
    schema = build_schema()._schema
    wide = "{ " + " ".join(["catalogs { id }"] * 6) + " }"
    (error,) = docs.validate(schema, wide, docs.parse(wide), ())
    assert error.extensions == {"code": "FIELD_LIMIT_EXCEEDED", "limit": 10} and "selects 12 fields" in error.message
    assert calls == []
    docs.validate(schema, QUERY, docs.parse(QUERY), ())
    assert calls == [1]


def test_the_token_limit_refuses_every_time_and_nothing_is_cached():
    docs = Documents(max_tokens=5)
    for _ in range(2):
        with pytest.raises(GraphQLSyntaxError, match="more than 5 tokens"):
            docs.parse("{ a b c d e f g }")
    assert docs.parse.cache_info().currsize == 0
