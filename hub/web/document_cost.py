"""The size of a GraphQL document with its fragments spread out, measured in time linear in its text.

Why: a document of a few hundred tokens can spread fragments into each other so that, inlined, it has
millions of fields (``fragment F1 on Query { ...F2 ...F2 }`` twenty times over is 2**20).  strawberry's
depth and alias rules walk every spread again (``determine_depth`` recurses per use), so such a document
kept the event loop busy for minutes before any limit answered; graphql-core's own rules compare fields
pairwise within a selection set, so a flat list of a thousand same-named fields costs seconds.

Here each fragment is measured once (memoised) and a spread adds its fragment's figures as many times as
it is used, so the figures are those of the inlined document — what execution and the response would
carry — at the cost of one walk of the text.  The hub checks them right after parsing, *before*
validation or execution, so no rule of graphql-core or strawberry ever sees an oversized document.

Figures per operation:
- ``depth``: levels of selection below the root (a field with a selection set counts one level more than
  its deepest child; introspection fields (``__schema``, ``__type`` …) count nothing, as strawberry's
  ``QueryDepthLimiter`` has it, so GraphiQL's introspection query fits any sane limit);
- ``fields``: field selections once every spread is inlined (introspection ones included: they are work);
- ``aliases``: aliased field selections once every spread is inlined (``a: f`` spread 1,000 times is
  1,000 aliases — the alias bomb in a fragment).

A spread of an unknown fragment or one that leads back to itself counts nothing here: validation refuses
both documents with its own message (``KnownFragmentNames``, ``NoFragmentCycles``), and their size
without that spread is still bounded.
"""

from __future__ import annotations

from dataclasses import dataclass

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)


@dataclass(frozen=True)
class Cost:
    depth: int = 0
    fields: int = 0
    aliases: int = 0

    def spread(self, other: "Cost") -> "Cost":
        """This selection with ``other`` (a sibling selection) beside it."""
        return Cost(max(self.depth, other.depth), self.fields + other.fields, self.aliases + other.aliases)


@dataclass(frozen=True)
class OperationCost:
    name: str  # the operation's name, or "anonymous"
    cost: Cost


def _is_introspection(name: str) -> bool:
    return name.startswith("__")


class _Meter:
    def __init__(self, document: DocumentNode) -> None:
        self.fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        self.done: dict[str, Cost] = {}
        self.open: set[str] = set()  # fragments being measured: a spread of one of them is a cycle

    def selection_set(self, node: SelectionSetNode | None) -> Cost:
        total = Cost()
        if node is None:
            return total
        for selection in node.selections:
            if isinstance(selection, FieldNode):
                inner = self.selection_set(selection.selection_set)
                ignored = _is_introspection(selection.name.value)
                depth = 0 if ignored or selection.selection_set is None else inner.depth + 1
                total = total.spread(Cost(depth, inner.fields + 1, inner.aliases + (selection.alias is not None)))
            elif isinstance(selection, InlineFragmentNode):
                total = total.spread(self.selection_set(selection.selection_set))
            elif isinstance(selection, FragmentSpreadNode):
                total = total.spread(self.fragment(selection.name.value))
        return total

    def fragment(self, name: str) -> Cost:
        if name in self.done:
            return self.done[name]
        definition = self.fragments.get(name)
        if definition is None or name in self.open:
            return Cost()  # unknown or cyclic: validation refuses the document
        self.open.add(name)
        cost = self.done[name] = self.selection_set(definition.selection_set)
        self.open.discard(name)
        return cost


def measure(document: DocumentNode) -> list[OperationCost]:
    """Each operation's figures with every fragment spread inlined; one walk of the document."""
    meter = _Meter(document)
    return [
        OperationCost(d.name.value if d.name else "anonymous", meter.selection_set(d.selection_set))
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode)
    ]
