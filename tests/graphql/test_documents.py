"""resolvers.documents: parse and validation results cached by the query text, limits still applied."""

from __future__ import annotations

import pytest
from graphql import GraphQLSyntaxError

import resolvers.documents as documents_module
from hub.config import Settings
from hub.limits import documents as limited_documents
from resolvers.documents import Documents
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
    assert errors and "exceeds maximum operation depth of 1" in errors[0].message
    assert docs.validate(schema, deep, docs.parse(deep), ()) is errors  # the same list, from the cache


def test_the_token_limit_refuses_every_time_and_nothing_is_cached():
    docs = Documents(max_tokens=5)
    for _ in range(2):
        with pytest.raises(GraphQLSyntaxError, match="more than 5 tokens"):
            docs.parse("{ a b c d e f g }")
    assert docs.parse.cache_info().currsize == 0
