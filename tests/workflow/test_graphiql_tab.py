"""GraphiQL's reminder → decision tab (hub/web/graphiql.py): after the core question's four tabs, a document
whose four operations are valid against the running schema and whose preloaded variables fit each of them."""

from __future__ import annotations

import datetime as dt
import json

from graphql import OperationDefinitionNode, parse, validate
from graphql.execution.values import get_variable_values

from hub.web.graphiql import REMINDER_FLOW, example_tabs
from resolvers.schema import build_schema


def test_the_reminder_flow_tab_follows_the_core_tabs_and_is_valid():
    tabs = example_tabs(dt.date(2026, 11, 23))
    assert [t["query"] for t in tabs][4] == REMINDER_FLOW and len(tabs) == 5
    schema = build_schema()._schema
    document = parse(REMINDER_FLOW)
    assert validate(schema, document) == []
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    assert [(o.operation.value, o.name.value) for o in operations] == [
        ("query", "Reminders"), ("mutation", "RecordView"), ("mutation", "RecordDecision"), ("query", "Decisions")]
    variables = json.loads(tabs[4]["variables"])
    for op in operations:  # the preloaded variables coerce for every operation (none missing, none mistyped)
        coerced = get_variable_values(schema, op.variable_definitions, variables)
        assert not isinstance(coerced, list), (op.name.value, coerced)  # a list is the coercion errors
