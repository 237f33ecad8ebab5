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
    """Central, forward and backward differences of the root in ``order[i]``'s data, against its grad."""
    node = order[i]
    x = node.data
    h = STEP * max(1.0, abs(x))
    try:
        up, mid, down = (downstream_value(order, i, x + d) for d in (h, 0.0, -h))
    except (ArithmeticError, ValueError):  # the step left the domain (log near 0, …)
        return NodeCheck(None, Agreement.UNDECIDABLE)
    ahead, behind = (up - mid) / h, (mid - down) / h
    if not all(map(math.isfinite, (ahead, behind))) or abs(ahead - behind) > KINK_TOL * max(
        1.0, abs(ahead), abs(behind)
    ):
        return NodeCheck(None, Agreement.UNDECIDABLE)
    numeric = (up - down) / (2 * h)
    close = math.isclose(numeric, node.grad, rel_tol=RTOL, abs_tol=ATOL)
    return NodeCheck(numeric, Agreement.AGREES if close else Agreement.DISAGREES)


def check_nodes(order: list[Value]) -> dict[Value, NodeCheck]:
    """Every node of a graph in topological order (root last) checked by ``check_node``."""
    return {node: check_node(order, i) for i, node in enumerate(order)}
