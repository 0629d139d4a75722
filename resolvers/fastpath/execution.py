"""graphql-core's executor with a shorter path for plain leaf fields.

Why: a ``recognizabilities`` answer of 100 studies is ~2,700 field executions (7 fields per answer, ~5
reasons × 4 fields), and ~2,300 of them are leaves read straight off a Python object (``verdict``,
``reason.code`` …).  For each, graphql-core builds a 15-field ``GraphQLResolveInfo``, calls strawberry's
default resolver, asks twice whether the result is awaitable, and walks ``complete_value``'s chain of
type checks before it serializes the value: under cProfile most of the time of a batch of 100 through
GraphQL, more than the engine's own work (figures in docs/BENCHMARKS.md, "GraphQL").

The short path applies only where it cannot change an answer: a field with strawberry's default
resolver (no resolver, no field extension, no permission: ``_is_default``), no arguments, no resolve
middleware, and a scalar or enum type.  It reads the attribute and serializes it.  A null in a non-null
field, a value the type refuses, or any exception falls back to graphql-core's own path, which resolves
the field again (a getattr) and reports the error exactly as before; a null in a nullable field is
null.  Everything else (objects, lists, resolvers, arguments) goes through graphql-core unchanged.

Shapes: a list of all-leaf objects read by the default resolver (``Recognition.reasons``: code, source,
clause, text) is completed in one loop, with no ``complete_value`` per element — when the element type
has no ``is_type_of`` check and the selection no ``@defer``; an object whose selected fields are all such
leaves and lists (a ``Reason``, a ``Recognition``) is completed in one loop without a ``Path`` per field
(``execute_fields``); in any other object each such field takes the short path on its own
(``execute_field``).  What each shape bought on a batch of 100 through ``schema.execute``:
docs/BENCHMARKS.md, "GraphQL".

A field's plan depends only on the schema, so plans live as long as the schema (a weak map keyed by it).
What graphql-core collects below an object field (``collect_subfields``) and the plans of those grouped
field sets depend on the document alone when it has no directives (``@skip``/``@include``/``@defer`` read
variables) and no fragment arguments: for such a document they are kept across requests, per operation
node of the schema's cached documents (:mod:`resolvers.fastpath.documents` hands every request of the same
text the same nodes), instead of being collected and planned again on every request — ~10 % of a single
check's GraphQL work under py-spy.  Any other document is collected per request, as graphql-core does.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from operator import attrgetter
from typing import Any
from weakref import WeakKeyDictionary

from graphql import (
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLObjectType,
    GraphQLID,
    GraphQLSchema,
    GraphQLString,
    Undefined,
    get_nullable_type,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
)
from graphql.execution.collect_fields import collect_subfields
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter

#: how to read one plain leaf field: (read(source) -> value, leaf type, nullable, a str is its own
#: serialization — String and ID)
Leaf = tuple[Callable[[Any], Any], Any, bool, bool]
#: completes one field on the short path: source -> the completed value, or Undefined when graphql-core
#: must complete it
Complete = Callable[[Any], Any]
#: how to complete a list of all-leaf objects: (read(source) -> list, list nullable, element nullable,
#: how to complete each element's fields, by response name)
LeafObjects = tuple[Callable[[Any], Any], bool, bool, list[tuple[str, Complete, Leaf | None]]]

#: per schema: the plan of each of its fields met so far, by id (the schema keeps its fields alive)
_FIELD_PLANS: "WeakKeyDictionary[GraphQLSchema, dict[int, Leaf | None]]" = WeakKeyDictionary()


class DocumentPlans:
    """What the requests of one directive-free operation share (module docstring): the subfields collected
    below each object field, by return type and field nodes, and the plan of each such grouped field set,
    by its id (kept alive in the value, so the id stays its own)."""

    __slots__ = ("objects", "subfields")

    def __init__(self) -> None:
        self.subfields: dict[tuple[Any, ...], Any] = {}
        self.objects: dict[int, tuple[Any, list[tuple[str, Complete, Leaf | None]] | None]] = {}


#: per schema, per operation node by id: (the node, kept alive so its id and its document's node ids
#: stay theirs; its fragments; its shared plans, or None when what it collects may depend on variables)
_DOCUMENT_PLANS: "WeakKeyDictionary[GraphQLSchema, dict[int, tuple[Any, Any, DocumentPlans | None]]]" = (
    WeakKeyDictionary())
#: operations remembered per schema (the size of the documents cache); the map is emptied when full
MAX_DOCUMENTS = 256


def _static(selection_set: Any) -> bool:
    """No directive and no fragment argument anywhere in this selection set."""
    if selection_set is None:
        return True
    for selection in selection_set.selections:
        if selection.directives:
            return False
        if isinstance(selection, FragmentSpreadNode):
            if getattr(selection, "arguments", None):
                return False
        elif not _static(selection.selection_set):
            return False
    return True


def document_plans(schema: GraphQLSchema, operation: Any, fragments: dict[str, Any]) -> DocumentPlans | None:
    """The shared plans of ``operation`` (``fragments``: its document's, by name), or None when what it
    collects may depend on the request's variables."""
    by_operation = _DOCUMENT_PLANS.get(schema)
    if by_operation is None:
        by_operation = _DOCUMENT_PLANS[schema] = {}
    entry = by_operation.get(id(operation))
    if entry is not None and entry[0] is operation:
        return entry[2]
    definitions = [getattr(f, "definition", f) for f in fragments.values()]
    static = (not operation.directives and _static(operation.selection_set)
              and all(not d.directives and not getattr(d, "variable_definitions", None) and _static(d.selection_set)
                      for d in definitions))
    if len(by_operation) >= MAX_DOCUMENTS:
        by_operation.clear()
    plans = DocumentPlans() if static else None
    by_operation[id(operation)] = (operation, definitions, plans)
    return plans


def default_read(field_def: GraphQLField) -> Callable[[Any], Any] | None:
    """How strawberry's default resolver reads ``field_def`` off its parent, or None when the field has
    a resolver of its own, a field extension or arguments."""
    resolve = field_def.resolve
    if resolve is None or not getattr(resolve, "_is_default", False) or field_def.args:
        return None
    definition = (field_def.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if definition is not None and getattr(definition, "default_resolver", None) is getattr:
        return attrgetter(definition.python_name)  # what strawberry's resolver does
    return lambda source: resolve(source, None)


def leaf_plan(field_def: GraphQLField) -> Leaf | None:
    """How to read ``field_def`` on the short path, or None when it must take graphql-core's."""
    leaf = get_nullable_type(field_def.type)  # type: ignore[arg-type]
    if not is_leaf_type(leaf):
        return None
    read = default_read(field_def)
    if read is None:
        return None
    return read, leaf, not is_non_null_type(field_def.type), leaf is GraphQLString or leaf is GraphQLID


def read_leaf(plan: Leaf, source: Any) -> Any:
    """The serialized value, or Undefined when graphql-core must handle the field (null in a non-null
    field, a value the type refuses, an exception)."""
    read, leaf, nullable, plain_str = plan
    try:
        value = read(source)
        if value is None:
            return None if nullable else Undefined
        if plain_str and type(value) is str:
            return value  # what String's and ID's serialize return for a str
        serialized = leaf.serialize(value)
    except Exception:  # noqa: BLE001 - graphql-core's path reports it
        return Undefined
    return Undefined if serialized is None else serialized


def read_object(fields: list[tuple[str, Complete, Leaf | None]], source: Any) -> dict[str, Any] | Any:
    """An object's completed value, or Undefined when graphql-core must complete it.  A plain leaf is
    read here, as :func:`read_leaf` reads it, without a call per field (most fields of a batch's answers)."""
    results = {}
    for response_name, complete, plan in fields:
        if plan is None:
            value = complete(source)
            if value is Undefined:
                return Undefined
            results[response_name] = value
            continue
        read, leaf, nullable, plain_str = plan
        try:
            value = read(source)
            if value is None:
                if not nullable:
                    return Undefined
                results[response_name] = None
                continue
            if plain_str and type(value) is str:
                results[response_name] = value  # what String's and ID's serialize return for a str
                continue
            value = leaf.serialize(value)
        except Exception:  # noqa: BLE001 - graphql-core's path reports it
            return Undefined
        if value is None:
            return Undefined
        results[response_name] = value
    return results


def read_objects(plan: LeafObjects, source: Any) -> list[Any] | None | Any:
    """A list of all-leaf objects, completed; Undefined when graphql-core must complete the field (a
    null where the type forbids it, something that is not a list, any element it must report on)."""
    read, nullable, element_nullable, fields = plan
    try:
        values = read(source)
    except Exception:  # noqa: BLE001 - graphql-core's path reports it
        return Undefined
    if values is None:
        return None if nullable else Undefined
    if not isinstance(values, (list, tuple)):
        return Undefined
    completed: list[Any] = []
    for value in values:
        if value is None:
            if not element_nullable:
                return Undefined
            completed.append(None)
            continue
        item = read_object(fields, value)
        if item is Undefined:
            return Undefined
        completed.append(item)
    return completed


#: the context entry holding the operation's deadline (``time.monotonic()`` seconds), set by the view
DEADLINE = "deadline"


class DeadlinePassed(GraphQLError):
    """Raised by a field started after the operation's deadline: ``asyncio.timeout`` can stop an operation
    only where it awaits, so a long synchronous stretch of execution (completing a large tree) would
    otherwise run to its end.  The view answers the operation with its TIMEOUT error."""

    def __init__(self) -> None:
        super().__init__("execution passed its deadline", extensions={"code": "TIMEOUT"})


class HubExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """strawberry's execution context with the short path for plain fields (module docstring) and the
    operation's deadline checked before each field graphql-core executes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        context = self.context_value
        self._deadline: float | None = context.get(DEADLINE) if isinstance(context, dict) else None
        plans = _FIELD_PLANS.get(self.schema)
        if plans is None:
            plans = _FIELD_PLANS[self.schema] = {}
        #: per GraphQLField of this schema: its leaf plan (module docstring)
        self._leaves: dict[int, Leaf | None] = plans
        # by id: graphql-core's per-request memo of grouped field sets keeps them, and their field details
        # lists, alive during the request
        #: per field details list of this request: how to complete it on the short path, or None
        self._fields: dict[int, Complete | None] = {}
        #: per grouped field set of this request: how to complete each field, or None when not all can
        self._objects: dict[int, list[tuple[str, Complete, Leaf | None]] | None] = {}
        #: what this operation's requests share, when its document allows (module docstring)
        self._shared = document_plans(self.schema, self.operation, self.fragments)
        middleware = self.middleware_manager
        # strawberry always passes a manager; it has middlewares only when an extension hooks resolve()
        self._short = middleware is None or not middleware.middlewares

    def _leaf(self, parent_type: GraphQLObjectType, node: Any) -> Leaf | None:
        if node.arguments or not self._short:
            return None
        field_def = parent_type.fields.get(node.name.value)
        if field_def is None:  # __typename and other introspection fields
            return None
        key = id(field_def)
        if key not in self._leaves:
            self._leaves[key] = leaf_plan(field_def)
        return self._leaves[key]

    def _field(self, parent_type: GraphQLObjectType, field_details_list: Any, lists: bool = True) -> Complete | None:
        """How to complete this field on the short path: a plain leaf, or (``lists``) a list of
        all-leaf objects; None when graphql-core must."""
        key = id(field_details_list)
        if key in self._fields:
            complete = self._fields[key]
        else:
            plan = self._leaf(parent_type, field_details_list[0].node)
            if plan is not None:
                complete = partial(read_leaf, plan)
            else:
                objects = self._leaf_objects(parent_type, field_details_list)
                complete = partial(read_objects, objects) if objects is not None else None
            self._fields[key] = complete
        if not lists and complete is not None and complete.func is read_objects:  # type: ignore[attr-defined]
            return None
        return complete

    def _all_fields(self, parent_type: GraphQLObjectType, grouped_field_set: Any,
                    lists: bool = True) -> list[tuple[str, Complete, Leaf | None]] | None:
        fields = []
        for response_name, field_details_list in grouped_field_set.items():
            complete = self._field(parent_type, field_details_list, lists)
            if complete is None:
                return None
            fields.append((response_name, complete, complete.args[0] if complete.func is read_leaf else None))  # type: ignore[attr-defined]
        return fields

    def _leaf_objects(self, parent_type: GraphQLObjectType, field_details_list: Any) -> LeafObjects | None:
        node = field_details_list[0].node
        if node.arguments or not self._short or node.selection_set is None:
            return None
        field_def = parent_type.fields.get(node.name.value)
        if field_def is None:
            return None
        list_type = get_nullable_type(field_def.type)  # type: ignore[arg-type]
        if not is_list_type(list_type):
            return None
        element = get_nullable_type(list_type.of_type)
        if not isinstance(element, GraphQLObjectType) or element.is_type_of is not None:
            return None
        read = default_read(field_def)
        if read is None:
            return None
        grouped_field_set, defer_usages, _ = self.collect_subfields(element, field_details_list)
        if defer_usages:
            return None
        fields = self._all_fields(element, grouped_field_set, lists=False)
        if fields is None:
            return None
        return read, not is_non_null_type(field_def.type), not is_non_null_type(list_type.of_type), fields

    def collect_subfields(self, return_type: GraphQLObjectType, field_details_list: Any) -> Any:
        """graphql-core's (memoized per request), shared by the operation's requests when it allows."""
        shared = self._shared
        if shared is None:
            return super().collect_subfields(return_type, field_details_list)
        memo = self._relevant_sub_fields
        key = (return_type, id(field_details_list))
        cached = memo.get(key)
        if cached is not None:
            return cached[1]
        nodes = (return_type, *[id(details.node) for details in field_details_list])
        collected = shared.subfields.get(nodes)
        if collected is None:
            collected = shared.subfields[nodes] = collect_subfields(
                self.schema, self.fragments, self.variable_values, self.operation, return_type,
                field_details_list, self.hide_suggestions)
        memo[key] = (field_details_list, collected)
        return collected

    def _object_plan(self, parent_type: GraphQLObjectType, grouped_field_set: Any) -> list[tuple[str, Complete, Leaf | None]] | None:
        key = id(grouped_field_set)
        shared = self._shared
        if shared is not None:
            entry = shared.objects.get(key)
            if entry is not None and entry[0] is grouped_field_set:
                return entry[1]
        if key in self._objects:
            return self._objects[key]
        fields = self._objects[key] = self._all_fields(parent_type, grouped_field_set)
        if shared is not None and self._is_shared(grouped_field_set):
            shared.objects[key] = (grouped_field_set, fields)
        return fields

    def _is_shared(self, grouped_field_set: Any) -> bool:
        """Whether this grouped field set is one the operation's requests share (collected above)."""
        return any(collected[0] is grouped_field_set for collected in self._shared.subfields.values())  # type: ignore[union-attr]

    def execute_fields(self, parent_type: GraphQLObjectType, source_value: Any, path: Any, grouped_field_set: Any,
                       position_context: Any) -> Any:
        if position_context is None:
            fields = self._object_plan(parent_type, grouped_field_set)
            if fields is not None:
                results = read_object(fields, source_value)
                if results is not Undefined:
                    return results
                # else graphql-core completes the whole object and reports the error
        return super().execute_fields(parent_type, source_value, path, grouped_field_set, position_context)

    def execute_field(self, parent_type: GraphQLObjectType, source: Any, field_details_list: Any, path: Any,
                      position_context: Any) -> Any:
        complete = self._field(parent_type, field_details_list, lists=position_context is None)
        if complete is not None:
            value = complete(source)
            if value is not Undefined:
                return value
        if self._deadline is not None and time.monotonic() > self._deadline:
            raise DeadlinePassed()
        return super().execute_field(parent_type, source, field_details_list, path, position_context)
