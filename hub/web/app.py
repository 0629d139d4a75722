"""The ASGI application: GraphQL at /graphql (GraphiQL in a browser), liveness at /healthz.

``Route`` rather than ``Mount``: a mounted app answers POST /graphql with a 307 to /graphql/ (FIELD-NOTES),
which many GraphQL clients do not follow for POST.  There is no WebSocket route: the schema has no
subscriptions, and queries over a WebSocket would bypass the body limit, the timeout and trusted documents
(add a ``WebSocketRoute("/graphql", …)`` together with a Subscription type and those checks).

Hardening (:mod:`hub.web.limits`): depth, alias and token limits and error codes are schema extensions; the
request body limit and CORS are ASGI middleware; the execution timeout and trusted documents live in the
view below.  GraphiQL (:mod:`hub.web.graphiql`) and introspection are on in development mode only.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import orjson
from cross_web import HTTPException
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLRequestData
from strawberry.http.parse_content_type import parse_content_type
from strawberry.types.execution import ExecutionResult

from graph.store import StoreError
from hub.web import access_log, graphiql, landing, public
from hub.config import Settings, is_loopback
from hub.web.limits import BodySizeLimit, TrustedDocuments, error_body, limit_error, limited_schema
from hub.services.recognition_gauges import GAUGES
from hub.web.metrics import GRAPHQL_SECONDS, metrics_endpoint
from hub.web.auth import Jwks, TokenVerifier
from hub.web.guard import Guard, RateLimits
from hub.domain.identity import ANONYMOUS
from hub.domain.vocabulary import Role
from hub.runtime import Runtime
from resolvers.fastpath.execution import DEADLINE

log = logging.getLogger("hub.web")


class HubGraphQL(GraphQL):
    """strawberry's ASGI view with the hub's context, GraphiQL page, timeout and trusted documents."""

    def __init__(self, holder: dict[str, Runtime], settings: Settings | None = None, **kwargs: Any) -> None:
        self.settings = settings or Settings()
        kwargs.setdefault("graphql_ide", "graphiql" if self.settings.graphiql_enabled else None)
        super().__init__(limited_schema(self.settings), **kwargs)
        self.holder = holder
        self.trusted = (
            TrustedDocuments.load(self.settings.trusted_documents) if self.settings.trusted_documents else None
        )

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        try:
            with GRAPHQL_SECONDS.time():
                request = Request(scope=scope, receive=receive)
                response = await self._answer_one_operation(request) if request.method == "POST" else None
                if response is None:
                    response = await self.run(request)
        except HTTPException as e:  # strawberry answers these in plain text; clients expect GraphQL JSON
            code = "NOT_FOUND" if e.status_code == 404 else "BAD_REQUEST"
            response = JSONResponse(error_body(limit_error(code, e.reason)), status_code=e.status_code)
        await response(scope, receive, send)

    async def _answer_one_operation(self, request: Request) -> Response | None:
        """The answer to a POSTed JSON operation (see :meth:`_one_json_operation`), through the view's own
        steps — ``get_context``, ``execute_single`` (trusted documents, timeout, strawberry's refusals),
        ``process_result``, ``encode_json`` — without the rest of strawberry's ``run``: the GraphiQL and
        method checks, the streaming branches (this schema has no subscriptions, @defer or @stream) and
        the sub-response that is merged into every response: a measurable share of the event loop's CPU
        per single check (docs/BENCHMARKS.md, "HTTP").  ``None``: strawberry's ``run`` answers."""
        adapter = self.request_adapter_class(request)
        operation = await self._one_json_operation(adapter)
        if operation is None:
            return None
        context = await self.get_context(request, None)
        result = await self.execute_single(request=request, request_adapter=adapter, sub_response=None,
                                           context=context, root_value=None, request_data=operation)
        return Response(self.encode_json(await self.process_result(request, result)), media_type="application/json")

    async def get_context(self, request: Any, response: Any) -> dict[str, Any]:
        """No ``response`` entry: no resolver of the hub sets a header or a status, and the answer to a
        POSTed operation is built without strawberry's sub-response."""
        state = request.scope.get("state") or {}
        return {"request": request, "hub": self.holder["runtime"].context(),
                "identity": state.get("identity", ANONYMOUS),
                "client": request.client.host if request.client else None}

    def encode_json(self, data: object) -> bytes:
        """orjson instead of strawberry's ``json.dumps``: Chinese text stays UTF-8 rather than ``\\u``
        escapes (about half the bytes of a batch of answers) and encoding is several times faster
        (figures in docs/BENCHMARKS.md, "HTTP")."""
        return orjson.dumps(data)

    def decode_json(self, data: str | bytes) -> object:
        """orjson for request bodies too (its JSONDecodeError is json's, so a malformed body is still
        strawberry's 400 "Unable to parse request body as JSON")."""
        return orjson.loads(data)

    async def render_graphql_ide(self, request: Request) -> Response:
        return graphiql.page_response(request.url.path, auth=self.settings.auth_jwks is not None)

    async def parse_http_body(self, request: Any) -> Any:
        """strawberry's reading of every request that is not one POSTed JSON operation (those are read by
        :meth:`_one_json_operation`), plus the trusted document's id when the query text is absent."""
        data = await super().parse_http_body(request)
        if self.trusted is not None and isinstance(data, GraphQLRequestData) and data.query is None:
            document_id = request.query_params.get("documentId") if request.method == "GET" else None
            if request.method == "POST":
                body = self.parse_json(await request.get_body())
                document_id = body.get("documentId") if isinstance(body, dict) else None
            data.document_id = document_id  # type: ignore[attr-defined]
        return data

    async def _one_json_operation(self, request: Any) -> GraphQLRequestData | None:
        """A POSTed JSON body holding one operation, read without strawberry's general path.

        Why: that path parses the Content-Type through ``email.message`` and looks for a streaming
        transport in the Accept header (the view has none) on every request: a measurable share of the
        event loop's CPU per single check (docs/BENCHMARKS.md, "HTTP") for the request every portal and
        workstation sends.
        And it fails with a 500 on a JSON body that is a string, number, boolean or null: that body is
        refused here with a 400 that says what is expected.

        ``None`` for anything else — GET, another content type, a batch, a field of the wrong type — which
        strawberry's path then reads or refuses with its own errors.  A body that is not JSON is refused
        by the same ``parse_json`` that path uses."""
        if request.method != "POST" or self._stream_transport_map:
            return None
        content_type = request.content_type or ""
        if content_type != "application/json" and not content_type.startswith("application/json;"):
            if "application/json" not in parse_content_type(content_type)[0]:  # strawberry's own test
                return None
        data = self.parse_json(await request.get_body())
        if isinstance(data, list):
            return None  # a batch: strawberry refuses it (batching is off)
        if not isinstance(data, dict):
            raise HTTPException(400, "The request body must be a JSON object holding the operation "
                                     f"({{\"query\": …, \"variables\": {{…}}}}), not {_json_kind(data)}")
        query, variables, extensions = data.get("query"), data.get("variables"), data.get("extensions")
        if not (isinstance(query, (str, type(None))) and isinstance(variables, (dict, type(None)))
                and isinstance(extensions, (dict, type(None)))):
            return None
        operation = GraphQLRequestData(query=query, variables=variables, operation_name=data.get("operationName"),
                                       extensions=extensions, protocol="http")
        if self.trusted is not None and query is None:
            operation.document_id = data.get("documentId")  # type: ignore[attr-defined]
        return operation

    async def execute_single(self, request: Any, request_adapter: Any, sub_response: Any, context: Any,
                             root_value: Any, request_data: GraphQLRequestData) -> ExecutionResult:
        if self.trusted is not None:
            found = self.trusted.resolve(request_data.query, request_data.extensions,
                                         getattr(request_data, "document_id", None))
            if not isinstance(found, str):
                return ExecutionResult(data=None, errors=[found])
            request_data.query = found
        timeout = self.settings.timeout_s
        # asyncio.timeout interrupts an operation only where it awaits; the deadline in the context makes
        # graphql-core's own (synchronous) field execution stop too (resolvers.fastpath.execution.DEADLINE)
        deadline = time.monotonic() + timeout
        if isinstance(context, dict):
            context[DEADLINE] = deadline
        try:
            async with asyncio.timeout(timeout):
                result = await super().execute_single(
                    request=request, request_adapter=request_adapter, sub_response=sub_response,
                    context=context, root_value=root_value, request_data=request_data,
                )
        except TimeoutError:
            result = None
        if result is None or (time.monotonic() > deadline and _stopped_by_deadline(result)):
            return ExecutionResult(data=None, errors=[limit_error(
                "TIMEOUT",
                f"execution exceeded {timeout:g} s (timeout_s={timeout:g}; --timeout / HUB_TIMEOUT_S)",
                limit=timeout,
            )])
        return result


def _stopped_by_deadline(result: Any) -> bool:
    return any((e.extensions or {}).get("code") == "TIMEOUT" for e in (getattr(result, "errors", None) or ()))


def _json_kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    return "a string" if isinstance(value, str) else "a number"


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> Starlette:
    settings = settings or Settings()
    holder: dict[str, Runtime] = {}
    graphql = HubGraphQL(holder, settings)
    jwks = Jwks(settings.auth_jwks) if settings.auth_jwks else None
    verifier = TokenVerifier(jwks, settings.auth_issuer, settings.auth_audience) if jwks else None

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if jwks is not None:
            await jwks.load()  # a JWKS that cannot be read stops the start, naming the source
        elif not is_loopback(settings.host):
            log.warning("HUB_AUTH=off: serving on %s without authentication — anyone who reaches the port "
                        "reads patient data", settings.host)
        holder["runtime"] = runtime or await Runtime.start(settings)
        rt = holder["runtime"]
        GAUGES.bind(rt.store, rt.engine.regions)  # the rates' gauges at /metrics read this store
        # the region index, crosswalk, catalogs and schema live as long as the process: frozen out of the
        # collector's generations, a full collection no longer walks them during a burst of requests
        # (it lowered /graphql's p99 under wrk, req/s unchanged: docs/BENCHMARKS.md, "HTTP")
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            GAUGES.unbind(rt.store)
            if runtime is None:
                await holder["runtime"].close()

    async def admin_load(request: Request) -> JSONResponse:
        """``hub load`` on the same machine hands its files here while this process holds the store."""
        from hub.services.loading import LoadRefused, load_into

        rt = holder["runtime"]
        identity = (request.scope.get("state") or {}).get("identity", ANONYMOUS)
        loopback = request.client is not None and request.client.host in ("127.0.0.1", "::1")
        token = getattr(rt, "load_token", None)
        local_token = bool(token) and token in (request.headers.get("x-hub-load-token"),
                                                 request.headers.get("authorization", "").removeprefix("Bearer "))
        if identity.authenticated:
            # authentication on: an admin's token, from anywhere (the Guard has verified it)
            if identity.role is not Role.ADMIN:
                return JSONResponse({"ok": False, "error": f"loading needs the role admin, not {identity.role}"},
                                    status_code=403)
        elif not loopback:
            return JSONResponse({"ok": False, "error": "hub load hands files over loopback only"}, status_code=403)
        elif not local_token:
            return JSONResponse({"ok": False, "error": "not authorized"}, status_code=403)
        try:
            body = orjson.loads(await request.body())
        except orjson.JSONDecodeError:
            body = None
        files = body.get("files") if isinstance(body, dict) else None
        if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
            return JSONResponse({"ok": False, "error": 'expected a JSON object {"files": ["path", …]}'},
                                status_code=400)
        try:
            lines = await load_into(rt.store, [Path(f) for f in files], items=rt.items)
        except (LoadRefused, StoreError) as e:  # StoreError: the write failed and was rolled back
            return JSONResponse({"ok": False, "error": str(e)})
        return JSONResponse({"ok": True, "loaded": lines})

    async def healthz(request: Request) -> JSONResponse:
        rt = holder.get("runtime")
        # pid: which process answered (hub serve --workers N runs several; tests and operators tell them apart)
        return JSONResponse({"ok": rt is not None, "graph": rt.store.backend if rt else None,
                             "mode": settings.effective_mode, "pid": os.getpid()})

    routes: list[Any] = [
        Route("/healthz", healthz),
        Route("/admin/load", admin_load, methods=["POST"]),
        Route("/metrics", metrics_endpoint),
        Route("/graphql", graphql, methods=["GET", "POST"]),
        landing.route(settings),
        *public.routes(holder),  # open without a token: outside the Guard's paths (hub.web.guard.GUARDED)
    ]
    if settings.graphiql_enabled:
        routes.append(Route("/static/{folder}/{name}", graphiql.static, methods=["GET", "HEAD"]))

    limits = RateLimits(settings.rate_limit, settings.institution_rate_limit) if verifier else None
    middleware = [Middleware(BodySizeLimit, max_bytes=settings.max_body_bytes),
                  Middleware(Guard, verifier=verifier, limits=limits)]
    if settings.cors_origins:
        middleware.insert(0, Middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "OPTIONS"],
            allow_headers=["*"],
            max_age=600,
        ))
    access_log.configure()
    middleware.insert(0, Middleware(access_log.AccessLog))  # outermost: it logs refusals too
    return Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
