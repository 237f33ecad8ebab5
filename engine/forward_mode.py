"""Forward-mode accumulation: one sweep in topological order carrying a tangent per node."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from engine.autodiff import chain_term, topological_order

if TYPE_CHECKING:
    from engine.value import Value


def tangents(outputs: Sequence[Value], seeds: dict[Value, float]) -> list[float]:
    """Σ_x ∂output/∂x · seeds[x] for each output, by one forward sweep.

    Each node's tangent is Σ_i ∂node/∂parent_i · tangent(parent_i), through the same local
    derivatives (``float_derivative``) that the reverse pass uses; a zero local derivative
    masks its parent's tangent.
    """
    tangent: dict[Value, float] = dict(seeds)
    for node in topological_order(outputs):
        rule = node._rule
        if rule is None or node in seeds:
            continue
        parents = node.parents
        total = 0.0
        for parent, local in zip(parents, rule.float_derivative(parents, node._data)):
            total += chain_term(local, tangent.get(parent, 0.0))
        tangent[node] = total
    return [tangent.get(out, 0.0) for out in outputs]
