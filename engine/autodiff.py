"""The reverse pass: order a graph once, iteratively, and apply the chain rule generically."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from engine.value import Value


def topological_order(root: Value) -> list[Value]:
    """Every node reachable from ``root``, each after all of its parents (no recursion)."""
    order: list[Value] = []
    seen: set[Value] = set()
    stack: list[Value | None] = [root]
    push, pop, extend, mark, append = stack.append, stack.pop, stack.extend, seen.add, order.append
    while stack:
        node = pop()
        if node is None:  # the node below the marker now has all its parents in order
            append(pop())
        elif node not in seen:
            mark(node)
            push(node)
            push(None)
            extend(node.parents)
    return order


def backward(root: Value, grad: float) -> None:
    """Add ∂root/∂node · grad to the ``grad`` of every node of root's graph, root included."""
    order = topological_order(root)
    # Each node's adjoint for this pass is built from zero and added to what it held
    # before, so that a second backward() adds exactly the same numbers again.
    held = [node.grad for node in order]
    for node in order:
        node.grad = 0.0
    root.grad = grad
    try:
        for node in reversed(order):
            rule = node._rule
            if rule is None:
                continue
            g = node.grad
            parents = node.parents
            for parent, local in zip(parents, rule.derivative(parents, node.data)):
                parent.grad += local * g
    except BaseException:
        for node, before in zip(order, held):  # leave every grad as it was
            node.grad = before
        raise
    for node, before in zip(order, held):
        node.grad += before


def zero_grad(root: Value) -> None:
    """Set ``grad`` to 0 on every node of root's graph."""
    for node in topological_order(root):
        node.grad = 0.0
