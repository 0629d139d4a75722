"""The GraphQL endpoint's hardening: limits, error codes and masking, trusted documents, body size.

Every refusal is a GraphQL error whose message says which limit refused and how to change it, and whose
``extensions`` carry a stable ``code`` (and the ``limit``), so a portal can react without parsing text:

=====================  ==========================================  ======================================
code                   refused when                                setting (option / environment)
=====================  ==========================================  ======================================
DEPTH_LIMIT_EXCEEDED   selections nest deeper than max_depth       ``--max-depth`` / ``HUB_MAX_DEPTH``
ALIAS_LIMIT_EXCEEDED   more aliased fields than max_aliases        ``--max-aliases`` / ``HUB_MAX_ALIASES``
FIELD_LIMIT_EXCEEDED   more field selections than max_fields       ``--max-fields`` / ``HUB_MAX_FIELDS``
TOKEN_LIMIT_EXCEEDED   the document has more tokens than max_tokens ``--max-tokens`` / ``HUB_MAX_TOKENS``
BODY_TOO_LARGE         the HTTP body exceeds max_body_bytes (413)  ``--max-body-bytes`` / ``HUB_MAX_BODY_BYTES``
BATCH_TOO_LARGE        more studies than max_batch                 ``--max-batch`` / ``HUB_MAX_BATCH``
TIMEOUT                execution took longer than timeout_s        ``--timeout`` / ``HUB_TIMEOUT_S``
BAD_INPUT              a page's ``first`` / ``offset`` out of bounds ``--max-page`` / ``--max-offset``
INTROSPECTION_DISABLED __schema / __type in production mode        ``--introspection`` / ``HUB_INTROSPECTION``
PERSISTED_QUERY_NOT_FOUND  a hash the trusted-documents file lacks ``--trusted-documents`` / ``HUB_TRUSTED_DOCUMENTS``
DOCUMENT_NOT_TRUSTED   a query text that is not a trusted document  (same)
=====================  ==========================================  ======================================

Depth, aliases and fields are counted with every fragment spread inlined, in one walk of the document
(:mod:`hub.web.document_cost`), before any validation rule runs (strawberry's depth and alias rules walk
each spread again: exponential in a fragment bomb).

Errors graphql-core raises before execution get a code too: ``GRAPHQL_PARSE_FAILED`` (syntax),
``BAD_INPUT`` (a value of the wrong type or shape, e.g. a malformed ``Date``, in a literal or a variable),
``GRAPHQL_VALIDATION_FAILED`` (any other validation rule).  An unexpected exception inside a resolver
(its ``original_error`` is not a ``GraphQLError``) is masked: the client sees ``INTERNAL_SERVER_ERROR``
with an error id, the log has the traceback under the same id.  Errors the hub raises on purpose
(``UNKNOWN_INSTITUTION`` …) and every limit and validation message stay as they are — strawberry's own
``MaskErrors`` would hide those too (FIELD-NOTES), so this module does the masking itself.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from graphql import DocumentNode, GraphQLError, GraphQLSyntaxError
from graphql import ExecutionResult as GraphQLExecutionResult
from strawberry.extensions import SchemaExtension
from strawberry.types.execution import ExecutionResult

from hub.config import Settings
from hub.config import describe as _setting
from hub.web.document_cost import measure
from resolvers.fastpath.documents import Documents
from resolvers.schema import build_schema

log = logging.getLogger("hub.graphql")

# --- error codes -----------------------------------------------------------------------------------

_TOKENS = re.compile(r"^Syntax Error: Document contains more than (?P<n>\d+) tokens\. Parsing aborted\.$")
_INTROSPECTION = re.compile(r"^GraphQL introspection has been disabled")
_BAD_INPUT = re.compile(
    r"^(Variable '\$\w+' (got invalid value|has invalid value|of required type|of non-null type)"
    r"|Expected value of type|Field '[^']*' of required type|Argument '[^']*' of required type"
    r"|Argument '[^']*' has invalid value|String cannot represent|Int cannot represent"
    r"|Float cannot represent|Boolean cannot represent|ID cannot represent|Enum '[^']*' cannot represent"
    r"|Value cannot represent|\w+ cannot represent"
    r"|Value '[^']*' does not exist in '[^']*' enum|Field '[^']*' is not defined by type)"
)


#: graphql-core's suggestions (``did_you_mean``): " Did you mean 'id'?", " Did you mean 'a', 'b', or 'c'?"
_SUGGESTION = re.compile(r" ?Did you mean [^?]*\?")


#: the limits graphql-core and strawberry enforce, by the message they refuse with: the message the hub
#: gives instead (formatted with the match's groups), its code and the setting
_LIMIT_MESSAGES = (
    (_TOKENS, "token limit exceeded: the document has more than {n} tokens", "TOKEN_LIMIT_EXCEEDED", "max_tokens"),
)


def _with(error: GraphQLError, message: str | None = None, **extensions: Any) -> GraphQLError:
    """A copy of ``error`` with a new message and/or extra extensions (errors may be cached: never mutate)."""
    return GraphQLError(
        message if message is not None else error.message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=error.original_error,
        extensions={**(error.extensions or {}), **extensions},
    )


@dataclass
class ErrorPolicy:
    settings: Settings

    def classify(self, error: GraphQLError) -> GraphQLError:
        if (not self.settings.introspection_enabled and "Did you mean" in error.message
                and not (error.extensions or {}).get("code")):
            # without introspection a suggestion would leak the schema name by name (fields, arguments, types,
            # input fields, enum values; validation and variable coercion alike): off, as Apollo Router has it.
            # The hub's own errors carry a code: UNKNOWN_ITEM's suggestions name catalog items, not the schema
            error = _with(error, _SUGGESTION.sub("", error.message))
        return self._classify(error)

    def _classify(self, error: GraphQLError) -> GraphQLError:
        s = self.settings
        code = (error.extensions or {}).get("code")
        if code == "BATCH_TOO_LARGE" and "HUB_MAX_BATCH" not in error.message:
            return _with(error, f"{error.message} {_setting('max_batch', s.max_batch)}", limit=s.max_batch)
        if code:
            return error
        msg = error.message
        original = error.original_error
        if error.path is not None and original is not None and not isinstance(original, GraphQLError):
            if s.mask_errors:
                error_id = uuid.uuid4().hex[:12]
                log.error("unexpected error %s at %s", error_id, list(error.path), exc_info=original)
                return GraphQLError(
                    f"internal error (id {error_id}); the server log has the details",
                    nodes=error.nodes, source=error.source, positions=error.positions, path=error.path,
                    extensions={"code": "INTERNAL_SERVER_ERROR", "errorId": error_id},
                )
            return _with(error, code="INTERNAL_SERVER_ERROR")
        for pattern, message, limit_code, name in _LIMIT_MESSAGES:
            if m := pattern.match(msg):
                limit = getattr(s, name)
                return _with(error, f"{message.format_map(m.groupdict())} {_setting(name, limit)}",
                             code=limit_code, limit=limit)
        if _INTROSPECTION.match(msg):
            return _with(
                error,
                f"{msg} Introspection is off in {s.effective_mode} mode (--introspection / HUB_INTROSPECTION=true "
                "to enable; the schema is also published as schema.graphql).",
                code="INTROSPECTION_DISABLED",
            )
        if isinstance(error, GraphQLSyntaxError) or msg.startswith("Syntax Error"):
            return _with(error, code="GRAPHQL_PARSE_FAILED")
        if error.path is None:
            if _BAD_INPUT.match(msg) or (original is not None and not isinstance(original, GraphQLError)):
                return _with(error, code="BAD_INPUT")
            return _with(error, code="GRAPHQL_VALIDATION_FAILED")
        return error

    def process(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        return [self.classify(e) for e in errors]


class HubErrors(SchemaExtension):
    """Gives every error a code and masks unexpected ones (runs last: list it first)."""

    def __init__(self, *, policy: ErrorPolicy) -> None:
        self.policy = policy

    def on_operation(self) -> Iterator[None]:
        try:
            yield
        except GraphQLError as error:
            # raised by the parse hook (resolvers.fastpath.documents: the token limit) before strawberry's own try block:
            # strawberry turns what leaves here into the result, so hand it the classified error
            raise self.policy.classify(error) from None
        result = self.execution_context.result
        if isinstance(result, (GraphQLExecutionResult, ExecutionResult)) and result.errors:
            result.errors = self.policy.process(result.errors)


def schema_extensions(settings: Settings) -> list[Any]:
    """The error extension for ``settings``, as a per-request factory (strawberry shares extension
    *instances* between concurrent requests — deprecated — so each is a factory)."""
    policy = ErrorPolicy(settings)
    return [lambda: HubErrors(policy=policy)]


def size_limits(settings: Settings) -> Callable[[DocumentNode], list[GraphQLError]]:
    """The depth, alias and field limits as a check of a parsed document (run before validation)."""

    def check(document: DocumentNode) -> list[GraphQLError]:
        errors: list[GraphQLError] = []
        for op in measure(document):
            c = op.cost
            if c.depth > settings.max_depth:
                errors.append(limit_error(
                    "DEPTH_LIMIT_EXCEEDED",
                    f"query depth limit exceeded: operation '{op.name}' nests {c.depth} levels, deeper than "
                    f"{settings.max_depth} {_setting('max_depth', settings.max_depth)}",
                    limit=settings.max_depth,
                ))
            if c.aliases > settings.max_aliases:
                errors.append(limit_error(
                    "ALIAS_LIMIT_EXCEEDED",
                    f"alias limit exceeded: {c.aliases} aliases, at most {settings.max_aliases} allowed "
                    f"{_setting('max_aliases', settings.max_aliases)}",
                    limit=settings.max_aliases,
                ))
            if c.fields > settings.max_fields:
                errors.append(limit_error(
                    "FIELD_LIMIT_EXCEEDED",
                    f"field limit exceeded: operation '{op.name}' selects {c.fields} fields once its fragments "
                    f"are spread, at most {settings.max_fields} allowed {_setting('max_fields', settings.max_fields)}",
                    limit=settings.max_fields,
                ))
        return errors

    return check


def documents(settings: Settings) -> Documents:
    """Parsing and validation under ``settings``' limits: the token limit, the size limits (before any
    rule) and (outside development) the introspection rule, built once so the validation cache hits."""
    from graphql.validation import NoSchemaIntrospectionCustomRule

    rules: list[Any] = []
    if not settings.introspection_enabled:
        rules.append(NoSchemaIntrospectionCustomRule)
    return Documents(max_tokens=settings.max_tokens, rules=rules, precheck=size_limits(settings))


def limit_error(code: str, message: str, **extensions: Any) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code, **extensions})


def error_body(*errors: GraphQLError) -> dict[str, Any]:
    return {"data": None, "errors": [e.formatted for e in errors]}


# --- trusted documents -----------------------------------------------------------------------------


class TrustedDocumentsError(ValueError):
    pass


def sha256_hex(document: str) -> str:
    return hashlib.sha256(document.encode("utf-8")).hexdigest()


@dataclass
class TrustedDocuments:
    """Persisted queries by sha256 (hex) of the document text.

    The file is JSON, either a map ``{"<sha256>": "<document>", …}`` (the persisted-documents format of
    GraphQL Codegen's client preset, Relay and Hive) or an Apollo persisted-query manifest
    ``{"format": "apollo-persisted-query-manifest", "operations": [{"id": "<sha256>", "body": "…"}]}``.
    Every key is checked against the document it names, so a file cannot smuggle a different text in.
    """

    path: Path
    by_hash: dict[str, str]

    @classmethod
    def load(cls, path: str | Path) -> "TrustedDocuments":
        path = Path(path)
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise TrustedDocumentsError(f"trusted documents file {path}: {e}") from e
        if isinstance(raw, dict) and isinstance(raw.get("operations"), list):
            pairs = [(op.get("id"), op.get("body")) for op in raw["operations"] if isinstance(op, dict)]
        elif isinstance(raw, dict):
            pairs = list(raw.items())
        else:
            raise TrustedDocumentsError(f"trusted documents file {path}: expected a JSON object")
        by_hash: dict[str, str] = {}
        for key, doc in pairs:
            if not isinstance(key, str) or not isinstance(doc, str):
                raise TrustedDocumentsError(f"trusted documents file {path}: entry {key!r} is not hash → document text")
            digest = key.removeprefix("sha256:").lower()
            if sha256_hex(doc) != digest:
                raise TrustedDocumentsError(
                    f"trusted documents file {path}: entry {key!r} is not the sha256 of its document "
                    f"(the document hashes to {sha256_hex(doc)})"
                )
            by_hash[digest] = doc
        return cls(path, by_hash)

    def get(self, key: str) -> Optional[str]:
        return self.by_hash.get(key.removeprefix("sha256:").lower())

    def resolve(self, query: Optional[str], extensions: Optional[dict], document_id: Optional[str]) -> str | GraphQLError:
        """The document to run for a request, or the error refusing it."""
        key = document_id
        if key is None and isinstance(extensions, dict):
            pq = extensions.get("persistedQuery")
            if isinstance(pq, dict) and isinstance(pq.get("sha256Hash"), str):
                key = pq["sha256Hash"]
        if key is not None:
            doc = self.get(key)
            if doc is None:
                return limit_error(
                    "PERSISTED_QUERY_NOT_FOUND",
                    f"unknown document {key!r}: trusted-documents mode runs only the documents in "
                    f"{self.path.name} (--trusted-documents / HUB_TRUSTED_DOCUMENTS)",
                    documentId=key,
                )
            if query is not None and query != doc:
                return limit_error("BAD_INPUT", f"the query text does not match document {key!r}", documentId=key)
            return doc
        if query is not None and self.get(sha256_hex(query)) is not None:
            return query
        return limit_error(
            "DOCUMENT_NOT_TRUSTED",
            "trusted-documents mode: send a known document by its sha256 (extensions.persistedQuery.sha256Hash "
            f"or documentId); this query is not in {self.path.name} (--trusted-documents / HUB_TRUSTED_DOCUMENTS)",
            **({"sha256": sha256_hex(query)} if query is not None else {}),
        )


# --- request body size (ASGI middleware) -----------------------------------------------------------


class BodySizeLimit:
    """Refuses a request whose body is larger than ``max_bytes`` with 413 and a GraphQL-shaped JSON error.

    Content-Length is checked before anything is read; a chunked body is read up to the limit and then
    handed on unchanged.
    """

    def __init__(self, app: Any, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def _refuse(self, size: str) -> tuple[dict, dict]:
        error = limit_error(
            "BODY_TOO_LARGE",
            f"request body too large: {size} bytes, at most {self.max_bytes} allowed "
            + _setting("max_body_bytes", self.max_bytes),
            limit=self.max_bytes,
        )
        body = json.dumps(error_body(error)).encode()
        start = {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                        (b"connection", b"close")],
        }
        return start, {"type": "http.response.body", "body": body}

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = next((v for k, v in scope.get("headers", ()) if k == b"content-length"), None)
        if length is not None:
            try:
                declared = int(length)
            except ValueError:
                declared = -1
            if declared > self.max_bytes:
                start, body = self._refuse(str(declared))
                await send(start)
                await send(body)
                return
            await self.app(scope, receive, send)  # the HTTP server holds the body to its Content-Length
            return
        # no Content-Length (chunked): buffer up to the limit, then replay
        messages: list[dict] = []
        total = 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            total += len(message.get("body", b""))
            if total > self.max_bytes:
                start, body = self._refuse(f"more than {self.max_bytes}")
                await send(start)
                await send(body)
                return
            if not message.get("more_body", False):
                break

        async def replay() -> dict:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)


def limited_schema(settings: Settings) -> Any:
    """The GraphQL schema as the endpoint serves it: ``settings``' limits and error policy applied."""
    return build_schema(settings, extensions=schema_extensions(settings), documents=documents(settings))
