"""Costs of one example, built from Values: C(a, y) for output a^L and target y."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from engine import Value
from engine.value import Number


def _check(a: Sequence[Value], y: Sequence[Value | Number], name: str) -> None:
    if len(a) != len(y):
        raise ValueError(f"{name}: output has {len(a)} values but target has {len(y)}")


def quadratic_cost(a: Sequence[Value], y: Sequence[Value | Number]) -> Value:
    """C = ½ Σ_j (a_j − y_j)²."""
    _check(a, y, "quadratic_cost")
    return sum(((aj - yj) ** 2 for aj, yj in zip(a, y)), Value(0.0)) * 0.5


def cross_entropy_cost(a: Sequence[Value], y: Sequence[Value | Number]) -> Value:
    """C = −Σ_j [y_j ln a_j + (1 − y_j) ln(1 − a_j)]; a_j must lie in (0, 1)."""
    _check(a, y, "cross_entropy_cost")
    terms = []
    for aj, yj in zip(a, y):
        # A term whose numeric coefficient is 0 is left out, so a saturated output with
        # the matching 0/1 target costs 0 instead of failing on ln 0.
        if isinstance(yj, Value) or yj != 0:
            terms.append(yj * aj.log())
        if isinstance(yj, Value) or yj != 1:
            terms.append((1 - yj) * (1 - aj).log())
    return -sum(terms, Value(0.0))


COSTS: dict[str, Callable[[Sequence[Value], Sequence[Value | Number]], Value]] = {
    "quadratic": quadratic_cost,
    "cross_entropy": cross_entropy_cost,
}


def cost_function(name: str) -> Callable[[Sequence[Value], Sequence[Value | Number]], Value]:
    """The cost called ``name``; ValueError listing the valid names."""
    if name not in COSTS:
        raise ValueError(f"cost: unknown {name!r}; valid names are {', '.join(map(repr, COSTS))}")
    return COSTS[name]


def mean_cost(
    outputs: Sequence[Sequence[Value]],
    targets: Sequence[Sequence[Value | Number]],
    cost: str = "quadratic",
) -> Value:
    """(1/m) Σ_i C(a_i, y_i) over a mini-batch of m examples, as in SGD's step (Nielsen ch. 2)."""
    if len(outputs) != len(targets) or not outputs:
        raise ValueError(
            f"mean_cost: need as many targets as outputs, at least one, "
            f"got {len(outputs)} outputs and {len(targets)} targets"
        )
    cost_of = cost_function(cost)
    return sum((cost_of(a, y) for a, y in zip(outputs, targets)), Value(0.0)) * (1.0 / len(outputs))
