"""Topological order of a graph given by an inputs function (private).

Shared by :mod:`dlnotes.autograd` (the nodes a :class:`~dlnotes.autograd.Value`
depends on) and :mod:`dlnotes.graphs` (the ``grad_fn`` chain PyTorch records).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import TypeVar

__all__: list[str] = []  # private module: nothing is exported

Node = TypeVar("Node", bound=Hashable)


def topological_order(root: Node, inputs: Callable[[Node], Iterable[Node]]) -> list[Node]:
    """Return the nodes ``root`` depends on, each after all of its inputs, ``root`` last.

    ``inputs(node)`` lists a node's inputs: a Value's ``parents``, a ``grad_fn``'s
    ``next_functions``. A depth-first search with an explicit stack instead of
    recursion, so that a chain of any length works. Each stack entry says whether
    the node's inputs have already been pushed (then the node is finished and can
    be emitted).

    Examples
    --------
    >>> inputs = {"c": ["a", "b"], "b": ["a"], "a": []}
    >>> topological_order("c", inputs.__getitem__)
    ['a', 'b', 'c']
    """
    order: list[Node] = []
    seen: set[Node] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, inputs_done = stack.pop()
        if inputs_done:
            order.append(node)
        elif node not in seen:
            seen.add(node)
            stack.append((node, True))
            for parent in reversed(list(inputs(node))):
                if parent not in seen:
                    stack.append((parent, False))
    return order
