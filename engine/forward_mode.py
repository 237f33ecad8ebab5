"""Forward-mode accumulation: one sweep in topological order carrying a tangent per node."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from engine.autodiff import backward_amount, chain_term, topological_order

if TYPE_CHECKING:
    from engine.value import Value


def tangents(outputs: Sequence[Value], seeds: dict[Value, float]) -> list[float]:
    """Σ_x ∂output/∂x · seeds[x] for each output, by one forward sweep.

    Each node's tangent is Σ_i ∂node/∂parent_i · tangent(parent_i), through the same local
    derivatives (``float_derivative``) that the reverse pass uses; a zero local derivative
    masks its parent's tangent, and an infinite one is taken as ``backward()`` takes it.
    """
    tangent: dict[Value, float] = dict(seeds)
    for node in topological_order(outputs):
        rule = node._rule
        if rule is None or node in seeds:
            continue
        parents = node.parents
        total = 0.0
        for i, (parent, local) in enumerate(
            zip(parents, rule.float_derivative(parents, node._data))
        ):
            t = tangent.get(parent, 0.0)
            if local - local and t - t == 0.0 and t:
                # an infinite local derivative (1/x at a subnormal x): t / x may be finite,
                # as backward() divides; take the term as backward() takes it
                total += backward_amount(node, i, t)
            else:
                total += chain_term(local, t)
        tangent[node] = total
    return [tangent.get(out, 0.0) for out in outputs]
