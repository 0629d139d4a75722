"""The ASGI application: GraphQL at /graphql (GraphiQL in a browser), liveness at /healthz.

``Route`` + ``WebSocketRoute`` rather than ``Mount``: a mounted app answers POST /graphql with a 307 to
/graphql/ (FIELD-NOTES), which many GraphQL clients do not follow for POST.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute
from strawberry.asgi import GraphQL

from hub.config import Settings
from hub.runtime import Runtime
from resolvers.schema import build_schema


class HubGraphQL(GraphQL):
    """strawberry's ASGI view with the hub's context."""

    def __init__(self, holder: dict[str, Runtime], **kwargs: Any) -> None:
        super().__init__(build_schema(), **kwargs)
        self.holder = holder

    async def get_context(self, request: Any, response: Any) -> dict[str, Any]:
        return {"request": request, "response": response, "hub": self.holder["runtime"].context()}


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> Starlette:
    settings = settings or Settings()
    holder: dict[str, Runtime] = {}
    graphql = HubGraphQL(holder)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        holder["runtime"] = runtime or await Runtime.start(settings)
        try:
            yield
        finally:
            if runtime is None:
                await holder["runtime"].close()

    async def admin_load(request: Request) -> JSONResponse:
        """``hub load`` on the same machine hands its files here while this process holds the store."""
        from hub.loader import LoadRefused, load_into

        rt = holder["runtime"]
        token = getattr(rt, "load_token", None)
        if not token or request.headers.get("authorization") != f"Bearer {token}":
            return JSONResponse({"ok": False, "error": "not authorized"}, status_code=403)
        body = await request.json()
        try:
            lines = await load_into(rt.store, [Path(f) for f in body.get("files", [])])
        except LoadRefused as e:
            return JSONResponse({"ok": False, "error": str(e)})
        return JSONResponse({"ok": True, "loaded": lines})

    async def healthz(request: Request) -> JSONResponse:
        rt = holder.get("runtime")
        return JSONResponse({"ok": rt is not None, "graph": rt.store.backend if rt else None})

    return Starlette(
        routes=[
            Route("/healthz", healthz),
            Route("/admin/load", admin_load, methods=["POST"]),
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
        ],
        lifespan=lifespan,
    )
