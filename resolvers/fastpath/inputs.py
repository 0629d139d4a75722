"""Input types whose fields are all scalars, built straight from graphql-core's coerced values.

Why: strawberry converts an input value field by field through its generic ``convert_argument`` — for
every field of every element it asks which kind of type it is (optional? list? lazy? enum? scalar?),
resolves the field's type and converts its name to camelCase.  For ``recognizabilities`` with 100
``StudyInput`` s that was ~26% of the whole request under cProfile, more than the engine.  For an input
whose fields are all scalars or enums there is nothing to convert: graphql-core has already coerced each
value (``Date`` parsed, ``ID`` a string) and strawberry would pass it through unchanged.  So such a type
gets strawberry's own ``from_input`` hook (``StrawberryObjectDefinition.from_input``, made for types
that build their own value), which maps GraphQL names to Python names and calls the class.

What strawberry does that this keeps: a field the client omitted gets its Python default, and ``None``
when it has none (strawberry's implicit default for input fields); names come from the schema's own
name converter, so ``auto_camel_case`` and explicit names are respected.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import uuid
from collections.abc import Mapping
from enum import Enum
from typing import Any, TypeVar

import strawberry
from strawberry.types.base import StrawberryOptional, get_object_definition
from strawberry.types.enum import StrawberryEnumDefinition

T = TypeVar("T", bound=type)

#: the Python types of scalars strawberry passes through unconverted
_SCALARS = (str, int, float, bool, strawberry.ID, dt.date, dt.datetime, dt.time, decimal.Decimal, uuid.UUID)


def _is_scalar(type_: Any) -> bool:
    if isinstance(type_, StrawberryOptional):
        type_ = type_.of_type
    return (type_ in _SCALARS or isinstance(type_, StrawberryEnumDefinition)
            or (isinstance(type_, type) and issubclass(type_, Enum)))


class _FromInput:
    """The ``from_input`` hook of one input type (names resolved per schema config, on first use)."""

    def __init__(self, fields: list[Any]) -> None:
        self.fields = fields
        self._config: Any = None
        #: (GraphQL name, Python name, whether the class has a default for it)
        self._names: list[tuple[str, str, bool]] = []

    def __call__(self, cls: type, value: Mapping[str, Any], context: Any) -> Any:
        if context.config is not self._config:
            convert = context.config.name_converter.from_field
            self._names = [
                (convert(f), f.python_name,
                 f.default_value is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING)
                for f in self.fields
            ]
            self._config = context.config
        kwargs = {}
        for graphql_name, python_name, has_default in self._names:
            if graphql_name in value:
                kwargs[python_name] = value[graphql_name]
            elif not has_default:
                kwargs[python_name] = None
        return cls(**kwargs)


def scalar_input(cls: T) -> T:
    """Gives a ``@strawberry.input`` class whose fields are all scalars or enums the direct
    ``from_input`` above; refuses, when the module is imported, a class with any other field."""
    definition = get_object_definition(cls, strict=True)
    if not definition.is_input:
        raise TypeError(f"{cls.__name__} is not a @strawberry.input type")
    others = [f.python_name for f in definition.fields if not _is_scalar(f.type)]
    if others:
        raise TypeError(f"{cls.__name__}: fields {others} are not scalars; strawberry must convert them")
    definition.from_input = _FromInput(list(definition.fields))
    return cls
