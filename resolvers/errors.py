"""GraphQL errors a caller can act on: each carries ``extensions.code`` and the offending value."""

from __future__ import annotations

from graphql import GraphQLError


def hub_error(code: str, message: str, value: object | None = None) -> GraphQLError:
    extensions: dict[str, object] = {"code": code}
    if value is not None:
        extensions["value"] = value
    return GraphQLError(message, extensions=extensions)
