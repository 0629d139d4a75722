"""strawberry's schema-extension runner without its per-request set-up of every hook.

Why: for each of the four stages of a request (operation, parsing, validation, execution) strawberry
builds a context manager that asks every extension, through ``inspect``, which kind of hook it has, and
wraps each hook it finds in a fresh ``contextlib.contextmanager`` (``functools.wraps`` included) bound to
the extension — 12 such look-ups and 4 wrappers per request for the hub's three extensions, then an
``AsyncExitStack`` per stage even when no extension hooks it.  Under py-spy that was ~8 % of a single
check through /graphql (docs/BENCHMARKS.md, "HTTP").

Here the kind of each hook is found once per extension class and hook name, a generator hook's
``contextlib.contextmanager`` is made once per class, and a stage no extension hooks costs nothing.
What runs is what strawberry runs: the same hooks, in the same order, entered and left through the same
``contextlib`` context managers and an exit stack, so an exception a hook raises or swallows behaves as
before.  Hooks of other kinds (async generators, plain or async functions) are left to strawberry's own
wrapping (:meth:`ExtensionContextManagerBase.get_hook`).

A strawberry upgrade must re-check: ``SchemaExtensionsRunner``'s stage methods and
``ExtensionContextManagerBase``'s hook protocol (strawberry/extensions/context.py).
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Callable
from types import TracebackType
from typing import Any

from strawberry.extensions import SchemaExtension
from strawberry.extensions.context import (
    ExecutingContextManager,
    ExtensionContextManagerBase,
    OperationContextManager,
    ParsingContextManager,
    ValidationContextManager,
)
from strawberry.extensions.runner import SchemaExtensionsRunner

#: (extension class, hook name) -> the hook as a context-manager factory taking the extension, True when
#: strawberry must wrap it (not a generator function), None when the class does not implement the hook
_HOOKS: dict[tuple[type, str], Callable[[Any], Any] | bool | None] = {}
#: no argument: the hook is strawberry's wrapper, called without one
_NONE = object()


def _hook(cls: type, name: str) -> Callable[[Any], Any] | bool | None:
    key = (cls, name)
    try:
        return _HOOKS[key]
    except KeyError:
        pass
    fn = getattr(cls, name)
    found: Callable[[Any], Any] | bool | None
    if fn is getattr(SchemaExtension, name):
        found = None
    elif inspect.isgeneratorfunction(fn):
        found = contextlib.contextmanager(fn)  # what strawberry makes per request, made once
    else:
        found = True
    _HOOKS[key] = found
    return found


class _Stage:
    """One stage's hooks, entered in the extensions' order and left in reverse: through an exit stack,
    or, for a single sync hook, its context manager alone (what the stack would do with it)."""

    __slots__ = ("hooks", "stack", "strawberry")

    def __init__(self, extensions: list[SchemaExtension], strawberry: type[ExtensionContextManagerBase]) -> None:
        name = strawberry.HOOK_NAME
        #: (is async, context manager factory, its argument or _NONE) per hook
        self.hooks: list[tuple[bool, Callable[..., Any], Any]] = []
        self.strawberry = strawberry
        for extension in extensions:
            hook = _hook(type(extension), name)
            if hook is None:
                continue
            if hook is True:  # strawberry's wrapping, for the kinds not handled here
                for wrapped in strawberry([extension]).hooks:
                    self.hooks.append((wrapped.is_async, wrapped.hook, _NONE))
            else:
                self.hooks.append((False, hook, extension))  # type: ignore[arg-type]

    def __enter__(self) -> None:
        if not self.hooks:
            return
        if len(self.hooks) == 1 and not self.hooks[0][0]:  # one context manager: no stack needed around it
            _, hook, argument = self.hooks[0]
            self.stack = hook() if argument is _NONE else hook(argument)
            self.stack.__enter__()
            return
        self.stack = contextlib.ExitStack()
        self.stack.__enter__()
        for is_async, hook, argument in self.hooks:
            if is_async:
                raise RuntimeError(f"SchemaExtension hook {self.strawberry.HOOK_NAME} failed to complete synchronously.")
            self.stack.enter_context(hook() if argument is _NONE else hook(argument))

    def __exit__(self, exc_type: type[BaseException] | None, exc_val: BaseException | None,
                 exc_tb: TracebackType | None) -> bool | None:
        if not self.hooks:
            return None
        return self.stack.__exit__(exc_type, exc_val, exc_tb)

    async def __aenter__(self) -> None:
        if not self.hooks:
            return
        if not any(is_async for is_async, _, _ in self.hooks):
            self.__enter__()
            return
        self.stack = contextlib.AsyncExitStack()  # type: ignore[assignment]
        await self.stack.__aenter__()  # type: ignore[attr-defined]
        for is_async, hook, argument in self.hooks:
            made = hook() if argument is _NONE else hook(argument)
            if is_async:
                await self.stack.enter_async_context(made)  # type: ignore[attr-defined]
            else:
                self.stack.enter_context(made)

    async def __aexit__(self, exc_type: type[BaseException] | None, exc_val: BaseException | None,
                        exc_tb: TracebackType | None) -> bool | None:
        if not self.hooks:
            return None
        if isinstance(self.stack, contextlib.AsyncExitStack):
            return await self.stack.__aexit__(exc_type, exc_val, exc_tb)
        return self.stack.__exit__(exc_type, exc_val, exc_tb)


class ExtensionsRunner(SchemaExtensionsRunner):
    """strawberry's runner with the stages above (``on_stream_result`` and results stay strawberry's)."""

    def operation(self) -> Any:
        return _Stage(self.extensions, OperationContextManager)

    def validation(self) -> Any:
        return _Stage(self.extensions, ValidationContextManager)

    def parsing(self) -> Any:
        return _Stage(self.extensions, ParsingContextManager)

    def executing(self) -> Any:
        return _Stage(self.extensions, ExecutingContextManager)
