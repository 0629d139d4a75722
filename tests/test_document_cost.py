"""hub.web.document_cost: a document's figures with every fragment spread inlined, in one walk."""

from __future__ import annotations

from graphql import parse

from hub.web.document_cost import Cost, measure


def cost(text: str) -> Cost:
    (op,) = measure(parse(text))
    return op.cost


def test_fields_depth_and_aliases_of_a_plain_document():
    assert cost("{ a { b c { d } } e: f }") == Cost(depth=2, fields=5, aliases=1)


def test_a_spread_counts_its_fragment_once_per_use():
    doc = "{ ...F ...F x: g } fragment F on Q { a: b { c } }"
    assert cost(doc) == Cost(depth=1, fields=5, aliases=3)


def test_introspection_fields_add_fields_but_no_depth():
    assert cost("{ __schema { types { name fields { name } } } a { b } }") == Cost(depth=1, fields=7, aliases=0)


def test_a_fragment_bomb_is_measured_without_being_walked():
    levels = 60
    doc = "{ ...F0 } " + " ".join(f"fragment F{i} on Q {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels))
    doc += f" fragment F{levels} on Q {{ x: a {{ b }} }}"
    # 2**61 inlined fields: a walk of the inlined document would never end; this one is linear
    assert cost(doc) == Cost(depth=1, fields=2 * 2**levels, aliases=2**levels)


def test_cycles_and_unknown_fragments_count_nothing():
    assert cost("{ ...A } fragment A on Q { a ...B } fragment B on Q { b ...A }") == Cost(depth=0, fields=2)
    assert cost("{ a ...Missing }") == Cost(fields=1)


def test_each_operation_is_measured_on_its_own():
    ops = measure(parse("query One { a } query Two { b { c } } { d }"))
    assert [(o.name, o.cost.fields, o.cost.depth) for o in ops] == [("One", 1, 0), ("Two", 2, 1), ("anonymous", 1, 0)]
