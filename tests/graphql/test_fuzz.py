"""Property-based fuzzing of ``/graphql`` on a real ``hub serve`` (issue 12): the next request that would take
the hub down is found by the suite, not by an attacker.

Documents come from three sources: hypothesis-graphql builds valid queries from the hub's own schema
(the schema ``hub serve`` runs) and queries with one schema violation each; a hostile strategy builds what a
schema-driven generator does not — huge and negative paging numbers, long and odd Unicode ids and item
refs, impossible and end-of-calendar dates, clinical contexts, deep and circular fragments, fragment and
alias bombs.  Every answer must be a JSON GraphQL response with status < 500, arrive within the server's
execution timeout, carry a code on every error, and show no stack trace, source path or masked internal
error (an ``INTERNAL_SERVER_ERROR`` is a crash the mask hid: a bug all the same).  After the run the same
server process must still be alive and answering.

The example counts are bounded (``FUZZ_EXAMPLES``, default 250 per strategy) so CI stays within a couple
of minutes; raise it locally for a longer hunt.  hypothesis prints the failing document when one fails.
"""

from __future__ import annotations

import http.client
import json
import os
import time

import graphql
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, nodes, queries

from resolvers.schema import build_schema
from tests.graphql.conftest import start_hub

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "250"))
TIMEOUT_S = 5.0  # the server's --timeout: no answer may take longer (plus the HTTP round trip's slack)
SLACK_S = 2.0
#: the schema the server runs (schema.graphql is its SDL, with federation directives a plain SDL parse refuses)
SCHEMA = build_schema()._schema
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None, print_blob=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large])
#: what an answer must never show: a traceback, a source file, an exception's repr
LEAKS = ("Traceback", 'File "', ".py\"", ".py:", "site-packages", "/work/", "Exception(", "Error(", "0x7f")

INSTITUTIONS = ["bj-xh", "bj-dc-2", "he-sjz-1", "zj-hz-1", "zj-lab", "gx-hc-3", "sc-cd-1", "cq-yz"]
ITEMS = ["BJ-IMG:BW23ZYZZZ-00", "ZJ-IMG:BW23ZYZZZ", "HE-IMG:122", "CY-IMG:94", "HC-IMG:CT-1", "ZJ-LAB:1",
         "BJ-IMG:BPONZZZZ7-00", "BJ-LAB:0025010101500000000"]


@pytest.fixture(scope="module", params=["production", "development"])
def target(request, demo_graph, tmp_path_factory):
    server = start_hub(demo_graph, tmp_path_factory.mktemp(f"fuzz-{request.param}"),
                       "--mode", request.param, "--timeout", str(TIMEOUT_S))
    yield server
    assert server.proc.poll() is None, f"hub serve exited {server.proc.returncode} during the fuzz run"
    server.stop()


def ask(server, document: str, variables: dict | None = None) -> None:
    """POST one document and check the answer against every rule of the module docstring."""
    body = json.dumps({"query": document, "variables": variables or {}}).encode()
    conn = http.client.HTTPConnection(server.host, server.port, timeout=TIMEOUT_S + SLACK_S + 10)
    started = time.monotonic()
    try:
        conn.request("POST", "/graphql", body=body, headers={"Content-Type": "application/json"})
        response = conn.getresponse()  # a dropped connection raises here
        raw = response.read()
    finally:
        conn.close()
    elapsed = time.monotonic() - started
    assert server.proc.poll() is None, f"hub serve died (exit {server.proc.returncode}) on: {document[:500]}"
    assert response.status < 500, (response.status, raw[:500])
    assert elapsed <= TIMEOUT_S + SLACK_S, f"answered after {elapsed:.1f} s: {document[:500]}"
    out = json.loads(raw)
    assert isinstance(out, dict) and ("data" in out or "errors" in out), out
    text = raw.decode("utf-8")
    assert not any(leak in text for leak in LEAKS), text[:2000]
    for error in out.get("errors") or []:
        code = (error.get("extensions") or {}).get("code")
        assert code, error
        assert code != "INTERNAL_SERVER_ERROR", (error, document[:1000])


# --- valid and almost-valid documents from the schema ------------------------------------------------------

def _dates() -> st.SearchStrategy:
    return st.one_of(
        st.dates().map(lambda d: d.isoformat()),
        st.sampled_from(["9999-12-31", "9999-12-25", "0001-01-01", "2026-02-29", "2024-02-29", "2026-13-45",
                         "20261111", "", "2026-11-11T00:00:00", "-2026-01-01", "２０２６-１１-１１"]),
        st.text(max_size=20),
    ).map(nodes.String)


def _any() -> st.SearchStrategy:
    keys = st.sampled_from(["__typename", "id", "code", "ref"])
    values = st.one_of(st.sampled_from(["Institution", "Alliance", "Region", "CatalogItem", "Catalog", "Nope"]),
                       st.text(max_size=30))
    return st.dictionaries(keys, values, max_size=3).map(
        lambda d: nodes.Object([graphql.ObjectFieldNode(name=graphql.NameNode(value=k), value=nodes.String(v))
                                for k, v in d.items()])
    )


SCALARS = {"Date": _dates(), "_Any": _any()}


@pytest.mark.slow
@FUZZ
@given(document=queries(SCHEMA, custom_scalars=SCALARS))
def test_valid_documents_from_the_schema(target, document):
    ask(target, document)


@pytest.mark.slow
@FUZZ
@given(document=queries(SCHEMA, custom_scalars=SCALARS, mode=Mode.NEGATIVE))
def test_documents_with_one_schema_violation(target, document):
    ask(target, document)


# --- hostile documents ---------------------------------------------------------------------------------------

INTS = st.one_of(st.integers(-(2**31), 2**31 - 1), st.integers(-(10**20), 10**20),
                 st.sampled_from([0, -1, 2**31 - 1, 2**31, 10_000, 10_001, 500, 501, 151_896_292]))
ODD_TEXT = st.one_of(
    st.text(max_size=50),
    st.text(st.characters(codec="utf-8"), min_size=1000, max_size=5000),
    st.sampled_from(["", " ", "\u0000", "\u202e", "😷" * 100, "胸部CT" * 200, "'; MATCH (n) DETACH DELETE n //",
                     "\\", "\"", "a" * 20000, "110000", "JJJ", "CY", "CN", "BJ-IMG:", ":", "ZJ-IMG:BW23ZYZZZ\n"]),
    st.sampled_from(INSTITUTIONS + ITEMS),
)
DATES = st.one_of(st.dates().map(lambda d: d.isoformat()),
                  st.sampled_from(["9999-12-31", "9999-12-25", "9999-12-01", "0001-01-01", "2026-02-29", "x"]))
CONTEXT_FLAGS = ["emergency", "conditionChanged", "beforeMajorProcedure", "patientRequestsRetest",
                 "forensicAssessment", "resultInDoubt"]


@st.composite
def check_with_variables(draw) -> tuple[str, dict]:
    study = {"institution": draw(ODD_TEXT), "item": draw(st.one_of(ODD_TEXT, st.sampled_from(ITEMS))),
             "performedOn": draw(DATES)}
    context = {flag: draw(st.one_of(st.none(), st.booleans())) for flag in draw(st.lists(st.sampled_from(CONTEXT_FLAGS), max_size=6))}
    many = draw(st.booleans())
    at = draw(st.one_of(ODD_TEXT, st.sampled_from(INSTITUTIONS)))
    variables = {"at": at, "on": draw(st.one_of(st.none(), DATES)), "c": context or None}
    if many:
        variables["s"] = [study] * draw(st.integers(0, 3)) + [dict(study, performedOn=draw(DATES)) for _ in range(draw(st.integers(0, 3)))]
        field = "recognizabilities(studies: $s, at: $at, on: $on, context: $c)"
        sig = "$s: [StudyInput!]!"
    else:
        variables["s"] = study
        field = "recognizability(study: $s, at: $at, on: $on, context: $c)"
        sig = "$s: StudyInput!"
    doc = (f"query({sig}, $at: ID!, $on: Date, $c: ClinicalContext) {{ {field} "
           "{ verdict mark markCode targetItem validUntil reasons { code source clause text } } }")
    return doc, variables


@st.composite
def browse(draw) -> str:
    field, fixed, leaf = draw(st.sampled_from([
        ("institutions", "", "id name tier region alliances { id name }"),
        ("alliances", "", "id kind name"),
        ("regions", "", "code name level parents"),
        ("catalogItems", f'catalog: {json.dumps(draw(st.sampled_from(["BJ-IMG", "ZJ-LAB", "CY-IMG", "nope", ""])))}, ', "ref name"),
    ]))
    args = [f"{name}: {draw(INTS)}" for name in draw(st.lists(st.sampled_from(["first", "offset"]), unique=True))]
    if field == "institutions" and draw(st.booleans()):
        args.append(f"region: {json.dumps(draw(ODD_TEXT))}")
    if field == "institutions" and draw(st.booleans()):
        args.append(f"name: {json.dumps(draw(ODD_TEXT))}")
    if field == "regions" and draw(st.booleans()):
        args.append(f"parent: {json.dumps(draw(ODD_TEXT))}")
    inner = ", ".join(args)
    call = f"{field}({fixed}{inner})" if fixed or inner else field
    return f"{{ {call.replace('(, ', '(').replace(', )', ')')} {{ {leaf} }} }}"


@st.composite
def fragment_shapes(draw) -> str:
    kind = draw(st.sampled_from(["bomb", "cycle", "deep", "aliases", "flat"]))
    if kind == "bomb":
        levels, fan = draw(st.integers(1, 40)), draw(st.integers(1, 12))
        frags = [f"fragment F{i} on Query {{ {' '.join([f'...F{i + 1}'] * fan)} }}" for i in range(levels)]
        return "{ ...F0 } " + " ".join(frags) + f" fragment F{levels} on Query {{ catalogs {{ id }} }}"
    if kind == "cycle":
        n = draw(st.integers(1, 30))
        frags = [f"fragment C{i} on Query {{ ...C{(i + 1) % n} catalogs {{ id }} }}" for i in range(n)]
        return "{ ...C0 } " + " ".join(frags)
    if kind == "deep":
        n = draw(st.integers(1, 60))
        return '{ institution(id: "bj-xh") { ' + "alliances { members { " * n + "id" + " } }" * n + " } }"
    if kind == "aliases":
        n = draw(st.integers(1, 300))
        return "{ " + " ".join(f"a{i}: catalogs {{ id }}" for i in range(n)) + " }"
    n = draw(st.integers(1, 5000))
    return "{ " + " ".join([draw(st.sampled_from(["__typename", "catalogs { id }", 'institution(id: "bj-xh") { id }']))] * n) + " }"


@pytest.mark.slow
@FUZZ
@given(case=check_with_variables())
def test_hostile_checks(target, case):
    document, variables = case
    ask(target, document, variables)


@pytest.mark.slow
@FUZZ
@given(document=st.one_of(browse(), fragment_shapes()))
def test_hostile_browsing_and_document_shapes(target, document):
    ask(target, document)
