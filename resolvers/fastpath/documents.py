"""Parsed and validated GraphQL documents, cached by their text: one schema extension for four jobs.

Why one: strawberry builds a context manager per extension and hook for every request (``get_hook``,
``contextlib`` wrappers, ``functools.wraps``), so each extension costs on every request whether its hook
does anything or not.  The hub used strawberry's ``ParserCache``, ``ValidationCache``, ``MaxTokensLimiter``
and ``AddValidationRules``: under cProfile their hooks were ~22% of a single check through /graphql, and
``ValidationCache`` keys its cache by the parsed document, whose hash walks the whole syntax tree on every
request (~6% alone).  Here the same four jobs are two hooks of one extension, and both caches are keyed
by the query text (a dict lookup of a string whose hash Python keeps).

Before any rule runs, ``precheck`` (the hub's size limits, :mod:`hub.web.document_cost`) sees the parsed
document; when it refuses, its errors are the validation result and no rule runs: graphql-core's and
strawberry's rules are not linear in a document's inlined size, and a fragment bomb of a few hundred
tokens once held the event loop for minutes.

Semantics kept from strawberry's extensions: the token limit is a parse option (graphql-core refuses
the document while parsing, before any cache entry is made; errors are never cached); validation runs
strawberry's rules plus the hub's (depth, aliases, introspection) and its result — errors included — is
cached per text and rule set, which is sound because the schema of one ``Documents`` never changes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache

from graphql import DocumentNode, GraphQLError, GraphQLSchema, parse
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document


class Documents:
    """The caches of one schema, shared by all its requests (the extension below is per request)."""

    def __init__(
        self, *, max_tokens: int | None = None, rules: Sequence[type] = (), maxsize: int = 256,
        precheck: Callable[[DocumentNode], list[GraphQLError]] | None = None,
    ) -> None:
        self.max_tokens = max_tokens
        self.rules = tuple(rules)
        self.precheck = precheck
        self.parse = lru_cache(maxsize=maxsize)(self._parse)
        self._validate = lru_cache(maxsize=maxsize)(self._validate_uncached)

    def _parse(self, text: str) -> DocumentNode:
        return parse(text, max_tokens=self.max_tokens)

    def _validate_uncached(self, schema: GraphQLSchema, text: str, rules: tuple[type, ...]) -> list[GraphQLError]:
        return self._checked(schema, self.parse(text), rules)

    def _checked(self, schema: GraphQLSchema, document: DocumentNode, rules: tuple[type, ...]) -> list[GraphQLError]:
        refused = self.precheck(document) if self.precheck is not None else []
        return refused or validate_document(schema, document, rules)

    def validate(self, schema: GraphQLSchema, text: str | None, document: DocumentNode,
                 rules: tuple[type, ...]) -> list[GraphQLError]:
        """Errors of ``document`` under strawberry's ``rules`` plus the hub's, cached by ``text`` when
        ``document`` is the cached parse of it (anything else is validated afresh)."""
        rules = rules + self.rules
        if text is None or document is not self.parse(text):
            return self._checked(schema, document, rules)
        return self._validate(schema, text, rules)


class DocumentCache(SchemaExtension):
    """Parse and validate through :class:`Documents` (list it after the error extension)."""

    def __init__(self, documents: Documents) -> None:
        self.documents = documents

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is None and context.query:
            context.graphql_document = self.documents.parse(context.query)
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        assert context.graphql_document is not None
        context.pre_execution_errors = self.documents.validate(
            context.schema._schema, context.query, context.graphql_document, context.validation_rules
        )
        yield
