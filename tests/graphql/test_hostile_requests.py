"""One request must never take the hub down (issue 12): each request an attacker's run found killing or
wedging ``hub serve`` gets a clear, coded answer, and the same process goes on serving.

Real ``hub serve`` subprocesses on the demo store, in production mode (as on a hospital network) and in
development mode; after each hostile request the test checks the process is alive and answers again.
"""

from __future__ import annotations

import pytest

from tests.graphql.conftest import start_hub


@pytest.fixture(scope="module")
def production(demo_graph, tmp_path_factory):
    server = start_hub(demo_graph, tmp_path_factory.mktemp("hostile-prod"), "--mode", "production")
    yield server
    server.stop()


def still_serving(server) -> None:
    assert server.proc.poll() is None, f"hub serve exited {server.proc.returncode}"
    out = server.gql("{ catalogs { id } }", timeout=10)
    assert len(out["data"]["catalogs"]) == 7, out


def refused(server, query: str, variables: dict | None = None) -> dict:
    """The single error of a refused request, which must come back quickly (a hang fails the read)."""
    status, out = server.post({"query": query, "variables": variables or {}}, timeout=10)
    assert status == 200, (status, out)
    assert not any((out.get("data") or {}).values()), out
    (error,) = out["errors"]
    still_serving(server)
    return error


# --- paging: an offset of a few thousand million killed the process inside LadybugDB (SIGSEGV) ---------

PAGED = [
    ("institutions", ""),
    ("alliances", ""),
    ("regions", ""),
    ("catalogItems", 'catalog: "BJ-IMG", '),
]
FIELD = {"institutions": "id", "alliances": "id", "regions": "code", "catalogItems": "ref"}


@pytest.mark.parametrize("field, fixed", PAGED)
@pytest.mark.parametrize("argument, value", [
    ("offset", 1_000_000_000), ("offset", 2_147_483_647), ("offset", 12_000), ("offset", -1),
    ("first", 151_896_292), ("first", 501), ("first", -5),
])
def test_paging_out_of_bounds_is_bad_input_naming_the_argument(production, field, fixed, argument, value):
    error = refused(production, f"{{ {field}({fixed}{argument}: {value}) {{ {FIELD[field]} }} }}")
    assert error["extensions"]["code"] == "BAD_INPUT", error
    assert error["extensions"]["value"]["argument"] == argument
    assert error["message"].startswith(f"argument {argument}: {value} is outside 0–")
    setting = "HUB_MAX_OFFSET" if argument == "offset" else "HUB_MAX_PAGE"
    assert setting in error["message"], error


@pytest.mark.parametrize("field, fixed", PAGED)
def test_the_largest_page_at_the_largest_offset_still_answers(production, field, fixed):
    out = production.gql(f"{{ {field}({fixed}first: 500, offset: 10000) {{ {FIELD[field]} }} }}", timeout=10)
    assert out["data"][field] == [], out
    still_serving(production)


def test_page_bounds_are_settings(demo_graph, tmp_path):
    server = start_hub(demo_graph, tmp_path, "--max-page", "3", env={"HUB_MAX_OFFSET": "5"})
    try:
        assert len(server.gql("{ institutions(first: 3) { id } }")["data"]["institutions"]) == 3
        error = refused(server, "{ institutions(first: 4) { id } }")
        assert "max_page=3" in error["message"] and "--max-page" in error["message"]
        error = refused(server, "{ institutions(first: 1, offset: 6) { id } }")
        assert "max_offset=5" in error["message"]
    finally:
        server.stop()


def test_an_offset_the_embedded_store_cannot_skip_is_refused_at_start(demo_graph, tmp_path):
    from tests.support.hubproc import hub_cli

    run = hub_cli("serve", "--graph", str(tmp_path / "g.lbug"), "--max-offset", "20000", check=False)
    # the refusal names the setting, its flag and variable, and the bound
    assert run.returncode != 0, run.stderr
    assert all(x in run.stderr for x in ("max_offset", "--max-offset", "HUB_MAX_OFFSET", "10000")), run.stderr


# --- documents whose inlined size explodes: they held the event loop for minutes ------------------------


def fragment_bomb(levels: int, fan: int, leaf: str = "catalogs { id }") -> str:
    """``...F0`` where each fragment spreads the next ``fan`` times: fan**levels copies of ``leaf``."""
    frags = [f"fragment F{i} on Query {{ {' '.join([f'...F{i + 1}'] * fan)} }}" for i in range(levels)]
    frags.append(f"fragment F{levels} on Query {{ {leaf} }}")
    return "query Bomb { ...F0 } " + " ".join(frags)


@pytest.mark.parametrize("levels, fan", [(30, 2), (20, 3), (12, 10)])
def test_a_fragment_explosion_is_refused_naming_the_field_limit(production, levels, fan):
    error = refused(production, fragment_bomb(levels, fan))
    assert error["extensions"] == {"code": "FIELD_LIMIT_EXCEEDED", "limit": 500}, error
    assert f"selects {2 * fan ** levels} fields" in error["message"]
    assert "HUB_MAX_FIELDS" in error["message"] and "--max-fields" in error["message"]


def test_an_alias_bomb_inside_fragments_counts_every_spread(production):
    error = refused(production, fragment_bomb(6, 2, leaf="a: catalogs { id }"))
    assert error["extensions"]["code"] in ("ALIAS_LIMIT_EXCEEDED", "FIELD_LIMIT_EXCEEDED")
    error = refused(production, fragment_bomb(5, 2, leaf="a: catalogs { id }"))  # 32 aliases, 64 fields
    assert error["extensions"] == {"code": "ALIAS_LIMIT_EXCEEDED", "limit": 30}, error
    assert "32 aliases" in error["message"]


def test_deep_nesting_through_fragments_is_refused_naming_the_depth_limit(production):
    chain = " ".join(
        f"fragment D{i} on Institution {{ alliances {{ members {{ ...D{i + 1} }} }} }}" for i in range(8)
    ) + " fragment D8 on Institution { id }"
    error = refused(production, 'query Deep { institution(id: "bj-xh") { ...D0 } } ' + chain)
    assert error["extensions"]["code"] == "DEPTH_LIMIT_EXCEEDED", error
    assert "'Deep'" in error["message"] and "HUB_MAX_DEPTH" in error["message"]


def test_circular_fragments_are_a_validation_error(production):
    error = refused(production, "{ ...A } fragment A on Query { ...B catalogs { id } } fragment B on Query { ...A }")
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED", error
    assert "Cannot spread fragment" in error["message"]


def test_thousands_of_same_named_fields_are_refused_before_validation(production):
    """graphql-core compares same-named fields pairwise (seconds for a few thousand): never reached."""
    error = refused(production, "{ " + " ".join(["catalogs { id }"] * 4000) + " }")
    assert error["extensions"]["code"] == "FIELD_LIMIT_EXCEEDED", error


def test_introspection_query_fits_the_default_field_limit(hub):
    from graphql import get_introspection_query

    out = hub.gql(get_introspection_query(descriptions=True, specified_by_url=True, directive_is_repeatable=True,
                                          schema_description=True, input_value_deprecation=True))
    assert "errors" not in out and out["data"]["__schema"]["queryType"]["name"] == "Query"


# --- production answers no "Did you mean …?": introspection by another door ------------------------------

MISSPELT = [
    '{ institutio(id: "bj-xh") { id } }',                                # field
    '{ institution(idd: "bj-xh") { id } }',                              # argument
    'query($c: ClinicalContex) { catalogs { id } }',                     # type
    '{ recognizability(study: {institution: "bj-xh", itm: "x", performedOn: "2026-01-01"}, at: "bj-xh") { verdict } }',
    '{ institution(id: "bj-xh") { tierLevl } }',
    '{ recognizability(study: {institution: "bj-xh", item: "x", performedOn: "2026-01-01"}, at: "bj-xh") '
    '{ reasons { kind } } } fragment X on Recognitio { verdict }',
]


@pytest.mark.parametrize("query", MISSPELT)
def test_production_gives_no_suggestions(production, query):
    status, out = production.post({"query": query}, timeout=10)
    assert status == 200 and out["errors"], out
    assert not any("Did you mean" in e["message"] for e in out["errors"]), out


def test_production_gives_no_suggestions_for_variables(production):
    q = 'query($s: StudyInput!) { recognizability(study: $s, at: "bj-xh") { verdict } }'
    status, out = production.post({"query": q, "variables": {"s": {"institution": "x", "itm": "y", "performedOn": "2026-01-01"}}})
    assert status == 200 and out["errors"], out
    assert not any("Did you mean" in e["message"] for e in out["errors"]), out
    assert any("unknown field 'itm'" in e["message"] for e in out["errors"]), out


def test_development_keeps_its_suggestions(hub):
    status, out = hub.post({"query": MISSPELT[1]})
    assert any("Did you mean 'id'?" in e["message"] for e in out["errors"]), out


# --- window arithmetic at the end of the calendar ----------------------------------------------------------

Q_ONE = ('query($s: StudyInput!, $at: ID!, $on: Date) { recognizability(study: $s, at: $at, on: $on) '
         '{ verdict validUntil reasons { code } } }')
Q_MANY = ('query($s: [StudyInput!]!, $at: ID!, $on: Date) { recognizabilities(studies: $s, at: $at, on: $on) '
          '{ verdict reasons { code } } }')


@pytest.mark.parametrize("source, item, at", [
    ("zj-hz-1", "ZJ-IMG:BW23ZYZZZ", "zj-hz-2"),   # 000 四(一): 30 days
    ("sc-cd-1", "CY-IMG:94", "cq-yz"),             # 004 6.5: one month
])
def test_a_window_past_the_last_date_is_bad_input_for_that_study(production, source, item, at):
    study = {"institution": source, "item": item, "performedOn": "9999-12-25"}
    error = refused(production, Q_ONE, {"s": study, "at": at, "on": "9999-12-30"})
    assert error["extensions"]["code"] == "BAD_INPUT" and error["extensions"]["value"] == "9999-12-25", error
    assert "9999-12-31" in error["message"] and "window" in error["message"]
    ok = {**study, "performedOn": "9999-11-25"}
    status, out = production.post({"query": Q_MANY, "variables": {"s": [study, ok, study], "at": at, "on": "9999-12-30"}})
    assert status == 200, out
    answers = out["data"]["recognizabilities"]
    assert answers[0] is None and answers[2] is None and answers[1]["verdict"], out
    assert sorted(e["path"] for e in out["errors"]) == [["recognizabilities", 0], ["recognizabilities", 2]]
    assert {e["extensions"]["code"] for e in out["errors"]} == {"BAD_INPUT"}
    still_serving(production)


def test_a_placeholder_date_without_a_window_is_answered(production):
    """Beijing's policy (001) sets no window: 9999-12-25 has nothing to overflow."""
    out = production.gql(Q_ONE, {"s": {"institution": "bj-xh", "item": "BJ-IMG:BW23ZYZZZ-00", "performedOn": "9999-12-25"},
                                 "at": "bj-dc-2", "on": "9999-12-31"})
    assert "errors" not in out and out["data"]["recognizability"]["validUntil"] is None, out


def test_no_shared_scope_is_listed_once(production):
    """A Zhejiang study asked at a Beijing hospital: outside 001's scope (三、1), and zj-hz-1's 330000 mark
    does not reach Beijing — one NO_SHARED_SCOPE says both."""
    out = production.gql(Q_ONE, {"s": {"institution": "zj-hz-1", "item": "ZJ-IMG:BW23ZYZZZ", "performedOn": "2026-11-25"},
                                 "at": "bj-xh", "on": "2026-11-30"})
    codes = [r["code"] for r in out["data"]["recognizability"]["reasons"]]
    assert out["data"]["recognizability"]["verdict"] == "NOT_RECOGNIZED"
    assert codes.count("NO_SHARED_SCOPE") == 1, codes
    assert len(codes) == len(set(codes)), codes
