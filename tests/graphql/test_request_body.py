"""The view's short read of a POSTed JSON operation (hub.web.app.HubGraphQL._one_json_operation) against
strawberry's own reading of the same request: where the short path answers, it answers what strawberry
would; where it declines, strawberry's path reads (or refuses) the request as before."""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
import pytest
from cross_web import HTTPException
from starlette.requests import Request
from strawberry.asgi import GraphQL

from hub.web.app import HubGraphQL
from hub.config import Settings

OPERATION = {"query": "query Q($x: ID!) { institution(id: $x) { id } }", "variables": {"x": "bj-xh"},
             "operationName": "Q", "extensions": {"trace": True}}


def _asgi_request(method: str, path: str, content_type: str | None, body: bytes) -> tuple[dict[str, Any], Any]:
    """An HTTP request as an ASGI server hands it over: (scope, receive)."""
    headers = [(b"host", b"127.0.0.1"), (b"content-length", str(len(body)).encode())]
    if content_type is not None:
        headers.append((b"content-type", content_type.encode()))
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
             "path": path, "raw_path": path.encode(), "root_path": "",
             "query_string": b"" if method == "POST" else b"query=%7B__typename%7D", "headers": headers,
             "server": ("127.0.0.1", 8000), "client": ("127.0.0.1", 5000)}
    received = False

    async def receive() -> dict[str, Any]:
        nonlocal received
        if received:
            return {"type": "http.disconnect"}
        received = True
        return {"type": "http.request", "body": body, "more_body": False}

    return scope, receive


def _adapter(view: HubGraphQL, method: str, content_type: str | None, body: bytes) -> Any:
    return view.request_adapter_class(Request(*_asgi_request(method, "/graphql", content_type, body)))


async def _outcome(read: Any, view: HubGraphQL, method: str, content_type: str | None, body: bytes) -> Any:
    """A GraphQLRequestData, None, or the HTTPException raised."""
    try:
        return await read(_adapter(view, method, content_type, body))
    except HTTPException as e:
        return e


async def _both(method: str, content_type: str | None, body: bytes) -> tuple[Any, Any]:
    """(the short path's outcome, strawberry's outcome)."""
    view = HubGraphQL({}, Settings())
    return (await _outcome(view._one_json_operation, view, method, content_type, body),
            await _outcome(lambda adapter: GraphQL.parse_http_body(view, adapter), view, method, content_type, body))


def _fields(data: Any) -> tuple:
    return (data.query, data.variables, data.operation_name, data.extensions, data.protocol)


@pytest.mark.parametrize("content_type, body", [
    ("application/json", OPERATION),
    ("application/json; charset=utf-8", OPERATION),
    ("application/json", {"query": "{ catalogs { id } }"}),
    # an automatic persisted query / trusted document: no text, only the hash in extensions
    ("application/json", {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "ab" * 32}}}),
])
def test_a_posted_operation_reads_as_strawberry_reads_it(content_type, body):
    short, full = asyncio.run(_both("POST", content_type, orjson.dumps(body)))
    assert short is not None, "the common request must take the short path"
    assert _fields(short) == _fields(full)


@pytest.mark.parametrize("method, content_type, body", [
    ("POST", "text/plain", orjson.dumps(OPERATION)),                  # refused by strawberry (400)
    ("POST", "Application/JSON", orjson.dumps(OPERATION)),            # strawberry's test is case-sensitive
    ("POST", None, orjson.dumps(OPERATION)),
    ("POST", "application/json", orjson.dumps([OPERATION])),          # a batch: refused by strawberry (400)
    ("POST", "application/json", orjson.dumps({"query": 5})),         # wrong types: strawberry's messages
    ("POST", "application/json", orjson.dumps({"query": "{ a }", "variables": [1]})),
    ("POST", "application/json", orjson.dumps({"query": "{ a }", "extensions": "x"})),
    ("GET", None, b""),
])
def test_anything_else_is_left_to_strawberry(method, content_type, body):
    short, full = asyncio.run(_both(method, content_type, body))
    assert short is None
    assert full is not None  # strawberry reads it or refuses it with its own error


def test_a_body_that_is_not_json_is_refused_as_strawberry_refuses_it():
    short, full = asyncio.run(_both("POST", "application/json", b"{not json"))
    assert isinstance(short, HTTPException) and isinstance(full, HTTPException)
    assert (short.status_code, short.reason) == (full.status_code, full.reason) == (
        400, "Unable to parse request body as JSON")


@pytest.mark.parametrize("body, kind", [(b'"just a string"', "a string"), (b"5", "a number"), (b"true", "a boolean"),
                                        (b"null", "null")])
def test_a_json_body_that_is_not_an_object_is_a_400_that_says_so(body, kind):
    """strawberry's path fails on these with an AttributeError (a 500 in plain text)."""
    view = HubGraphQL({}, Settings())
    short = asyncio.run(_outcome(view._one_json_operation, view, "POST", "application/json", body))
    assert isinstance(short, HTTPException) and short.status_code == 400
    assert "must be a JSON object" in short.reason and short.reason.endswith(f"not {kind}")


def test_over_http_a_scalar_body_is_coded_json(hub):
    status, out = hub.post(b'"just a string"')
    assert status == 400, out
    assert out["data"] is None and out["errors"][0]["extensions"]["code"] == "BAD_REQUEST", out
    assert "must be a JSON object" in out["errors"][0]["message"]


# --- the answer to a POSTed operation, against strawberry's whole ``run`` on the same app and store ----

CHECK = ('query Check($s: StudyInput!, $on: Date) { recognizability(study: $s, at: "he-sjz-1", on: $on) '
         '{ verdict mark markCode targetItem validUntil policy reasons { code source clause text } } }')
STUDY = {"institution": "bj-xh", "item": "BJ-IMG:BW23ZYZZZ-00", "performedOn": "2026-11-11"}
REQUESTS = [
    {"query": CHECK, "operationName": "Check", "variables": {"s": STUDY, "on": "2026-11-23"}},
    {"query": CHECK, "variables": {"s": {**STUDY, "institution": "ghost"}}},               # UNKNOWN_INSTITUTION
    {"query": CHECK, "variables": {"s": {"institution": "bj-xh"}}},                         # BAD_INPUT
    {"query": CHECK, "variables": {"s": STUDY, "on": "next tuesday"}},                      # BAD_INPUT (Date)
    {"query": '{ institution(id: "bj-xh") { name alliances { id } } }'},
    {"query": '{ institution(id: "bj-xh") { nope } }'},                                     # validation
    {"query": "{ institution(id: "},                                                        # syntax
    {"query": "query A { catalogs { id } } query B { regions(first: 1) { code } }", "operationName": "B"},
    {"query": "{ catalogs { id } }", "operationName": "Nope"},                              # unknown operation
    {"query": "mutation { x }"},                                                            # no mutations
    {"variables": {}},                                                                      # no query (400)
]


@pytest.fixture(scope="module")
def two_views(demo_graph, tmp_path_factory):
    """One runtime on a copy of the demo store; the hub's view and one that always takes strawberry's run."""
    from starlette.applications import Starlette
    from starlette.routing import Route

    from hub.runtime import Runtime
    from tests.graphql.support import copy_graph

    class WholeRun(HubGraphQL):
        async def _answer_one_operation(self, request):
            return None

    settings = Settings(graph=str(copy_graph(demo_graph, tmp_path_factory.mktemp("two-views"))))
    loop = asyncio.new_event_loop()
    runtime = loop.run_until_complete(Runtime.start(settings))
    holder = {"runtime": runtime}
    app = Starlette(routes=[Route("/hub", HubGraphQL(holder, settings), methods=["GET", "POST"]),
                            Route("/run", WholeRun(holder, settings), methods=["GET", "POST"])])
    yield loop, app
    loop.run_until_complete(runtime.close())
    loop.close()


async def _post(app: Any, path: str, body: bytes) -> tuple[int, bytes, bytes]:
    """(status, content type, body) of the app's answer to a POST of ``application/json``."""
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(*_asgi_request("POST", path, "application/json", body), send)
    headers = dict(sent[0]["headers"])
    return sent[0]["status"], headers[b"content-type"], b"".join(m.get("body", b"") for m in sent[1:])


@pytest.mark.parametrize("request_body", REQUESTS, ids=range(len(REQUESTS)))
def test_a_posted_operation_is_answered_as_strawberrys_run_answers_it(two_views, request_body):
    loop, app = two_views
    body = orjson.dumps(request_body)
    short = loop.run_until_complete(_post(app, "/hub", body))
    whole = loop.run_until_complete(_post(app, "/run", body))
    assert short[:2] == whole[:2], (short, whole)
    assert orjson.loads(short[2]) == orjson.loads(whole[2])


def test_the_check_really_takes_the_short_path(two_views, monkeypatch):
    """Else the speed-up silently disappears: strawberry's run must not be called for a POSTed operation."""
    loop, app = two_views

    async def no_run(self, request, context=None, root_value=None):
        raise AssertionError("strawberry's run was called")

    monkeypatch.setattr(HubGraphQL, "run", no_run)
    status, _, body = loop.run_until_complete(_post(app, "/hub", orjson.dumps(REQUESTS[0])))
    assert status == 200 and orjson.loads(body)["data"]["recognizability"]["verdict"] == "RECOGNIZED"
