"""Resolver fields whose arguments convert by a plan made once, instead of strawberry's per-call walk.

Why: strawberry calls every resolver through a wrapper that converts each argument with its generic
``convert_argument`` — for every argument on every call it asks which kind of type it is (``Maybe``?
optional? list? leaf? lazy? enum? input object?), converts the GraphQL name, and then chains the field's
extensions with ``functools.reduce``.  For ``recognizability`` (five arguments) that was ~9 % of a single
check through /graphql under py-spy, for ``recognizabilities`` ~6 % of a batch of 100 (its list of 100
``StudyInput`` s walked element by element).

Here each field's arguments get a converter per argument when the schema is built, from the same
decisions strawberry makes at run time, and the field's GraphQL resolver calls the Python resolver with
the same positional and keyword arguments strawberry would pass (``self``/``parent``/``root``/``info``
included) and strawberry's ``Info``.  Only fields that cannot differ are given one: a resolver field of
a plain ``StrawberryField`` with no field extension and no permission class, in a schema without
exception handlers, whose every argument is a scalar, an enum, an input type with its own ``from_input``
(:mod:`resolvers.fastpath.inputs`), or an optional or list of those.  Every other field keeps
strawberry's resolver.  Errors are unchanged: graphql-core has coerced the values before either runs,
and ``from_input`` is called exactly as strawberry calls it.

A strawberry upgrade must re-check: ``GraphQLCoreConverter.from_resolver`` and ``get_arguments``
(strawberry/schema/schema_converter.py), ``convert_argument`` (strawberry/types/arguments.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import GraphQLObjectType
from strawberry.relay.types import GlobalID
from strawberry.types.arguments import _is_leaf_type, _is_optional_leaf_type
from strawberry.types.base import (
    StrawberryList,
    StrawberryMaybe,
    StrawberryOptional,
    get_object_definition,
    has_object_definition,
)
from strawberry.types.enum import StrawberryEnumDefinition, has_enum_definition
from strawberry.types.field import StrawberryField
from strawberry.types.lazy_type import LazyType
from strawberry.types.unset import UNSET
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.arguments import InputContext

#: converts one argument's coerced value: (value, Info, path) -> the resolver's value
Convert = Callable[[Any, Any, tuple[Any, ...]], Any]


class _Unsupported(Exception):
    """An argument type left to strawberry."""


def _same(value: Any, info: Any, path: tuple[Any, ...]) -> Any:
    return value


def converter(type_: Any, schema: Any) -> Convert:
    """What ``strawberry.types.arguments.convert_argument`` does for a value of ``type_``, decided now."""
    registry, config = schema.schema_converter.scalar_registry, schema.config
    if isinstance(type_, StrawberryMaybe):
        raise _Unsupported
    if isinstance(type_, StrawberryOptional):
        inner = converter(type_.of_type, schema)
        if inner is _same:
            return _same

        def optional(value: Any, info: Any, path: tuple[Any, ...]) -> Any:
            if value is None or value is UNSET:
                return value
            return inner(value, info, path)

        return optional
    if isinstance(type_, StrawberryList):
        of = type_.of_type
        if (_is_leaf_type(of, registry, skip_classes=(GlobalID,))
                or _is_optional_leaf_type(of, registry, skip_classes=(GlobalID,))):

            def copied(value: Any, info: Any, path: tuple[Any, ...]) -> Any:
                # strawberry copies the list: graphql-core hands every request the same default list
                return value if value is None or value is UNSET else list(value)

            return copied
        element = converter(of, schema)

        def each(value: Any, info: Any, path: tuple[Any, ...]) -> Any:
            if value is None or value is UNSET:
                return value
            return [element(x, info, (*path, index)) for index, x in enumerate(value)]

        return each
    if _is_leaf_type(type_, registry):
        if type_ is GlobalID:
            raise _Unsupported
        return _same
    if isinstance(type_, LazyType):
        return converter(type_.resolve_type(), schema)
    if has_enum_definition(type_) or isinstance(type_, StrawberryEnumDefinition):
        return _same  # a leaf: strawberry passes the value graphql-core made through
    if has_object_definition(type_):
        definition = get_object_definition(type_, strict=True)
        from_input = definition.from_input
        if from_input is None:
            raise _Unsupported

        def made(value: Any, info: Any, path: tuple[Any, ...]) -> Any:
            if value is None or value is UNSET:
                return value
            return from_input(type_, value, InputContext(info=info, config=config, scalar_registry=registry,
                                                         path=path))

        return made
    raise _Unsupported


def _plan(field: StrawberryField, schema: Any) -> list[tuple[str, str, Convert]] | None:
    """(GraphQL name, Python name, converter) per argument, or None when strawberry must convert."""
    names = schema.config.name_converter
    try:
        return [(names.from_argument(argument), argument.python_name, converter(argument.type, schema))
                for argument in field.arguments]
    except _Unsupported:
        return None


def _eligible(field: StrawberryField, schema: Any) -> bool:
    """A resolver field strawberry would call with converted arguments and nothing else around it."""
    handlers = getattr(schema.schema_converter, "_exception_handler_specs", None)
    return (handlers is not None and not handlers  # no exception handler in the schema
            and type(field).get_result is StrawberryField.get_result and field.base_resolver is not None
            and not field.extensions and not getattr(field, "permission_classes", None))


def direct_resolver(field: StrawberryField, schema: Any) -> Callable[..., Any] | None:
    """The GraphQL resolver of ``field`` with its arguments planned, or None when it must stay strawberry's."""
    if not _eligible(field, schema):
        return None
    plan = _plan(field, schema)
    if plan is None:
        return None
    resolver = field.base_resolver
    assert resolver is not None
    info_class = schema.config.info_class
    wants_self = resolver.self_parameter is not None
    parent = resolver.parent_parameter.name if resolver.parent_parameter is not None else None
    root = resolver.root_parameter.name if resolver.root_parameter is not None else None
    info_name = resolver.info_parameter.name if resolver.info_parameter is not None else None
    get_result = field.get_result

    def resolve(_source: Any, info: Any, **kwargs: Any) -> Any:
        strawberry_info = info_class(_raw_info=info, _field=field)
        converted: dict[str, Any] = {}
        for graphql_name, python_name, convert in plan:
            if graphql_name in kwargs:
                converted[python_name] = convert(kwargs[graphql_name], strawberry_info, (graphql_name,))
        if parent is not None:
            converted[parent] = _source
        if root is not None:
            converted[root] = _source
        if info_name is not None:
            converted[info_name] = strawberry_info
        return get_result(_source, info=strawberry_info, args=[_source] if wants_self else [], kwargs=converted)

    return resolve


def install(schema: Any) -> int:
    """Gives every eligible resolver field of ``schema`` its direct resolver; returns how many."""
    count = 0
    for graphql_type in schema._schema.type_map.values():
        if not isinstance(graphql_type, GraphQLObjectType) or graphql_type.name.startswith("__"):
            continue
        for graphql_field in graphql_type.fields.values():
            field = (graphql_field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
            if not isinstance(field, StrawberryField):
                continue
            resolve = direct_resolver(field, schema)
            if resolve is not None:
                graphql_field.resolve = resolve
                count += 1
    return count
