"""``backward_steps``: the reverse pass of a Value graph as data, one step per node reached."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from engine import Value
from engine.autodiff import Use, sweep, topological_order, twin_graph


@dataclass(frozen=True)
class Contribution:
    """One use of a parent: ``parent.grad += local × upstream`` (``before`` → ``after``)."""

    parent: Value
    position: int  # which argument of the node the parent is (a + a: 0 and 1)
    local: float  # ∂node/∂parent, the engine's derivative rule
    upstream: float  # the node's grad when it is reached
    amount: float  # what backward() adds: local × upstream (g / x where ∂/∂x is 1/x)
    before: float
    after: float


@dataclass(frozen=True)
class Step:
    """The reverse pass reaching ``node``: its (finished) grad and what it sends to each parent."""

    node: Value
    grad: float
    contributions: tuple[Contribution, ...]


class _Observed:
    """A node's rule as ``backward_steps`` runs it: the rule's own ``float_backward``, with
    each parent's amount seen, then added to the parent in the order of the parents (the
    order in which ``float_backward`` adds them)."""

    __slots__ = ("node", "rule", "steps")

    def __init__(self, node: Value, steps: dict[Value, Step]) -> None:
        self.node, self.rule, self.steps = node, node.primitive, steps

    def float_backward(self, parents: Sequence[Value], out: float, g: float) -> None:
        """Run the node's step on stand-ins, record it, and add each amount to its parent."""
        assert self.rule is not None
        uses = [Use(p._data) for p in parents]
        self.rule.float_backward(uses, out, g)  # type: ignore[arg-type]
        sent = []
        locals_ = self.node.local_grads
        for position, (twin, use) in enumerate(zip(parents, uses)):
            before = twin.grad
            twin.grad = after = before + use.grad
            parent = self.node.parents[position]
            sent.append(
                Contribution(parent, position, locals_[position], g, use.grad, before, after)
            )
        self.steps[self.node] = Step(self.node, g, tuple(sent))


def backward_steps(root: Value, grad: float = 1.0) -> list[Step]:
    """The steps of ``root.backward(grad)`` on a graph whose grads start at 0; no node is changed.

    The steps are observed while the engine's one reverse sweep (``engine.autodiff.sweep``,
    the one ``backward()`` runs) runs on a twin of the graph, so the last ``after`` of every
    node is the grad ``root.backward(grad)`` gives it, bit for bit. Nodes come in reverse
    topological order; a node the sweep passes over (a leaf, or a grad of 0) sends 0.
    """
    if not isinstance(root, Value):
        raise TypeError(f"backward_steps: root must be a Value, got {type(root).__name__}")
    order = topological_order(root)
    seen: dict[Value, Step] = {}
    twins = twin_graph(
        order, lambda node: None if node.primitive is None else _Observed(node, seen)
    )
    twins[root].grad = float(grad)
    sweep([twins[node] for node in order])
    # The nodes the sweep passed over send zeros; each parent's running grad is replayed
    # from the observed steps to give those zeros their before and after.
    running: dict[Value, Any] = {node: 0.0 for node in order}
    running[root] = float(grad)
    steps = []
    for node in reversed(order):
        step = seen.get(node)
        if step is None:
            step = Step(
                node,
                running[node],
                tuple(
                    Contribution(p, i, local, running[node], 0.0, running[p], running[p])
                    for i, (p, local) in enumerate(zip(node.parents, node.local_grads))
                ),
            )
        for c in step.contributions:
            running[c.parent] = c.after
        steps.append(step)
    return steps
