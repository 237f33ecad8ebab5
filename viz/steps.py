"""``backward_steps``: the reverse pass of a Value graph as data, one step per node reached."""

from __future__ import annotations

from dataclasses import dataclass

from engine import Value
from engine.autodiff import chain_term, topological_order


@dataclass(frozen=True)
class Contribution:
    """One use of a parent: ``parent.grad += local × upstream`` (``before`` → ``after``)."""

    parent: Value
    position: int  # which argument of the node the parent is (a + a: 0 and 1)
    local: float  # ∂node/∂parent, the engine's derivative rule
    upstream: float  # the node's grad when it is reached
    amount: float  # local × upstream
    before: float
    after: float


@dataclass(frozen=True)
class Step:
    """The reverse pass reaching ``node``: its (finished) grad and what it sends to each parent."""

    node: Value
    grad: float
    contributions: tuple[Contribution, ...]


def backward_steps(root: Value, grad: float = 1.0) -> list[Step]:
    """The steps of ``root.backward(grad)`` on a graph whose grads start at 0; no node is changed.

    Nodes come in the engine's reverse topological order and each contribution uses the
    node's own ``local_grads``, in the order ``backward()`` adds them, so the last ``after``
    of every node is the grad ``root.backward(grad)`` gives it (bit for bit).
    """
    if not isinstance(root, Value):
        raise TypeError(f"backward_steps: root must be a Value, got {type(root).__name__}")
    order = topological_order(root)
    grads = {node: 0.0 for node in order}
    grads[root] = float(grad)
    steps = []
    for node in reversed(order):
        upstream = grads[node]
        sent = []
        for position, (parent, local) in enumerate(zip(node.parents, node.local_grads)):
            amount = chain_term(local, upstream)
            before = grads[parent]
            grads[parent] = before + amount
            sent.append(
                Contribution(parent, position, local, upstream, amount, before, before + amount)
            )
        steps.append(Step(node, upstream, tuple(sent)))
    return steps
