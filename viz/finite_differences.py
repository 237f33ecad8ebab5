"""∂root/∂node by central differences for every node, interior ones included, beside its grad."""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass

from engine import Value
from viz import style

STEP = 1e-6  # relative step: small against the curvature, large against rounding
RTOL, ATOL = 1e-5, 1e-7  # agreement between the central difference and the grad
KINK_TOL = 1e-3  # one-sided differences further apart than this (relative): no derivative


class Agreement(enum.Enum):
    """How a node's grad compares with its central difference."""

    AGREES = "agrees"
    DISAGREES = "disagrees"
    UNDECIDABLE = "undecidable"  # a kink (relu at 0) or a domain edge within the step


@dataclass(frozen=True)
class NodeCheck:
    """A node's central difference (None when undecidable) and how it compares with its grad."""

    numeric: float | None
    agreement: Agreement

    def text(self, number_format: str) -> str:
        """The drawn field: the central difference and a mark for the agreement."""
        if self.numeric is None:
            return "fd ? (kink: undecidable)"
        if self.agreement is Agreement.UNDECIDABLE:
            return f"fd {style.number(self.numeric, number_format)} ? (kink: undecidable)"
        mark = "✓" if self.agreement is Agreement.AGREES else "✗"
        return f"fd {style.number(self.numeric, number_format)} {mark}"


def downstream_value(order: list[Value], i: int, data: float) -> float:
    """root's data (the last of ``order``) when ``order[i]`` holds ``data``: its descendants recomputed."""
    changed = {order[i]: data}
    for later in order[i + 1 :]:
        if any(p in changed for p in later.parents):
            assert later.primitive is not None  # a node with parents was made by a primitive
            inputs = [changed.get(p, p.data) for p in later.parents]
            changed[later] = later.primitive.forward(*inputs)
    return changed.get(order[-1], order[-1].data)


def check_node(order: list[Value], i: int) -> NodeCheck:
    """Differences of the root in ``order[i]``'s data at steps h and h/2, against its grad.

    One-sided differences that disagree mean a kink (relu at 0): undecidable. A grad that
    differs from the central difference by no more than that difference still moves when
    the step is halved is also undecidable: the function is not smooth enough there for the
    step to tell (``x.relu() * x`` at 0, whose second derivative jumps), not wrong.
    """
    node = order[i]
    x = node.data
    h = STEP * max(1.0, abs(x))
    try:
        up, half_up, mid, half_down, down = (
            downstream_value(order, i, x + d) for d in (h, h / 2, 0.0, -h / 2, -h)
        )
    except (ArithmeticError, ValueError):  # the step left the domain (log near 0, …)
        return NodeCheck(None, Agreement.UNDECIDABLE)
    ahead, behind = (up - mid) / h, (mid - down) / h
    if not all(map(math.isfinite, (ahead, behind))) or abs(ahead - behind) > KINK_TOL * max(
        1.0, abs(ahead), abs(behind)
    ):
        return NodeCheck(None, Agreement.UNDECIDABLE)
    numeric = (up - down) / (2 * h)
    if math.isclose(numeric, node.grad, rel_tol=RTOL, abs_tol=ATOL):
        return NodeCheck(numeric, Agreement.AGREES)
    # The central difference's error is twice its change when the step halves where a
    # derivative jumps (error ∝ h), 4/3 of it where f is smooth (∝ h²): within 4 × the change
    # the grad cannot be told wrong at this step.
    change = abs(numeric - (half_up - half_down) / h)
    if abs(numeric - node.grad) <= 4 * change:
        return NodeCheck(numeric, Agreement.UNDECIDABLE)
    return NodeCheck(numeric, Agreement.DISAGREES)


def check_root(root: Value, who: str) -> None:
    """Refuse to check grads that are not ∂root/∂node: backward() not run, or run more than once."""
    if root.grad == 1.0:
        return
    if root.grad == 0.0:
        raise ValueError(
            f"{who}: root.grad is 0, so backward() has not run (or the grads were zeroed) and "
            f"every grad is 0: call root.backward() first"
        )
    raise ValueError(
        f"{who}: root.grad is {root.grad!r}, not 1: grads add up, so backward() ran more "
        f"than once, from another seed or from a larger graph that uses root; call "
        f"root.zero_grad() and then root.backward() once"
    )


def check_nodes(order: list[Value], who: str = "check_nodes") -> dict[Value, NodeCheck]:
    """Every node of a graph in topological order (root last) checked by ``check_node``."""
    check_root(order[-1], who)
    return {node: check_node(order, i) for i, node in enumerate(order)}
