"""GraphQL errors a caller can act on: each carries ``extensions.code`` and the offending value.

A refusal of a use case (:class:`hub.domain.refusals.Refusal`) becomes one with :func:`refused`, in the language
the field was asked in.  Two kinds: :func:`hub_error`, raised, fails its field (data null there); :func:`partial_error`, recorded,
leaves the field's data as it is and adds the error beside it — for an answer that is right but may be
incomplete (a regional platform that did not answer), which the caller must see without losing the rest.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import strawberry
from graphql import GraphQLError
from graphql.execution import ExecutionResult as GraphQLExecutionResult
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionResult

from hub.domain.refusals import Refusal

#: the request context's key under which partial errors wait for the response
PARTIAL_ERRORS = "partial_errors"


def hub_error(code: str, message: str, value: object | None = None) -> GraphQLError:
    extensions: dict[str, object] = {"code": code}
    if value is not None:
        extensions["value"] = value
    return GraphQLError(message, extensions=extensions)


def refused(e: Refusal, lang: Any = "zh", **more: object) -> GraphQLError:
    """``e`` as a GraphQL error: its text in ``lang`` (a ``Language`` or its value), ``extensions`` its code,
    argument and value, plus ``more`` that is not None (the workflow's ``field``)."""
    extensions = {**e.extensions, **{k: v for k, v in more.items() if v is not None}}
    return GraphQLError(e.text(getattr(lang, "value", lang)), extensions=extensions)


def partial_error(info: strawberry.Info, code: str, message: str, **extensions: Any) -> None:
    """Add an error at this field's path to the response's ``errors`` while its data stays (GraphQL allows
    errors beside data; graphql-core only makes them by failing a field).  :class:`PartialErrors` moves them
    into the result."""
    error = GraphQLError(message, path=info.path.as_list(), extensions={"code": code, **extensions})
    info.context.setdefault(PARTIAL_ERRORS, []).append(error)


class PartialErrors(SchemaExtension):
    """Appends the request's partial errors (:func:`partial_error`) to the result's ``errors``."""

    def on_operation(self) -> Iterator[None]:
        yield
        context = self.execution_context.context
        extra = context.get(PARTIAL_ERRORS) if isinstance(context, dict) else None
        result = self.execution_context.result
        if extra and isinstance(result, (GraphQLExecutionResult, ExecutionResult)):
            result.errors = [*(result.errors or []), *extra]
