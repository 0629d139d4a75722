"""The benchmark's server: the hub's ASGI app (as ``hub serve`` builds it) plus a ``/floor`` route.

``/floor`` is the floor of this stack: a plain Starlette endpoint in the same process that reads the same
request body as ``/graphql`` (``{"query": …, "variables": …}``; the query text is ignored), calls the same
use case the resolvers call (:func:`hub.services.recognition.check_many`: the engine, and the answers counted
for /metrics — since issue 18 as ``/graphql`` does, so counting is not booked as GraphQL's cost) and answers
the same fields as JSON — everything GraphQL adds (parsing, validation, execution, the schema's extensions, strawberry's
view) is what ``/graphql`` costs above it.  The route exists only here, never in the hub's own app.

    .venv/bin/python -m bench.floor_app --graph PATH --port 8123 [--loop uvloop|asyncio] [--http httptools|h11]

Loopback only: the server binds 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from hub.domain import recognition as engine
from hub.config import Settings
from hub.runtime import Runtime
from hub.services.recognition import check_many
from resolvers.recognition import Texts, renderer


def _recognition(r: engine.Recognition | engine.CheckError, texts: Texts) -> dict[str, Any] | None:
    if isinstance(r, engine.CheckError):
        return None
    return {
        "verdict": r.verdict, "mark": r.mark, "markCode": r.mark_code, "targetItem": r.target_item,
        "validUntil": r.valid_until.isoformat() if r.valid_until else None, "policy": r.policy,
        # the texts rendered as /graphql renders them (the same renderer and cache), so the floor does that work too
        "reasons": [{"code": x.code, "source": x.source, "clause": x.clause, "text": texts.renderer.text(x, "zh")}
                    for x in r.reasons],
    }


def _check(study: dict[str, Any], at: str, on: dt.date) -> engine.Check:
    return engine.Check(str(study["institution"]), study["item"], dt.date.fromisoformat(study["performedOn"]), at, on,
                        engine.ClinicalContext())


def floor_route(runtime: Runtime) -> Route:
    """POST /floor: the GraphQL request's variables (``s`` for one study, ``studies`` for a batch) through
    the engine, answered as ``{"data": {"recognizability": …}}`` / ``{"data": {"recognizabilities": […]}}``."""

    async def floor(request: Request) -> JSONResponse:
        body = json.loads(await request.body())
        v = body.get("variables") or {}
        at, on = str(v["at"]), dt.date.fromisoformat(v["on"])
        texts = renderer(runtime.engine)
        if "studies" in v:
            results = await check_many(runtime.engine, [_check(s, at, on) for s in v["studies"]])
            return JSONResponse({"data": {"recognizabilities": [_recognition(r, texts) for r in results]}})
        (result,) = await check_many(runtime.engine, [_check(v["s"], at, on)])
        return JSONResponse({"data": {"recognizability": _recognition(result, texts)}})

    return Route("/floor", floor, methods=["POST"])


async def build(settings: Settings) -> tuple[Starlette, Runtime]:
    """The hub's app exactly as ``hub serve`` builds it (a started Runtime handed to create_app), plus /floor."""
    from hub.web.app import create_app

    runtime = await Runtime.start(settings)
    app = create_app(settings, runtime)
    app.router.routes.insert(0, floor_route(runtime))
    return app, runtime


async def serve(graph: str, port: int, http: str = "httptools") -> None:
    import uvicorn

    settings = Settings.from_options(graph=graph, host="127.0.0.1", port=port)
    app, runtime = await build(settings)
    try:
        config = uvicorn.Config(app, host="127.0.0.1", port=port, http=http, log_level="warning", lifespan="on",
                                access_log=False)
        await uvicorn.Server(config).serve()
    finally:
        await runtime.close()


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--graph", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--loop", choices=("uvloop", "asyncio"), default="uvloop")
    ap.add_argument("--http", choices=("httptools", "h11"), default="httptools")
    args = ap.parse_args(argv)
    factory = None
    if args.loop == "uvloop":
        import uvloop

        factory = uvloop.new_event_loop
    with asyncio.Runner(loop_factory=factory) as runner:
        runner.run(serve(args.graph, args.port, args.http))


if __name__ == "__main__":
    main()
