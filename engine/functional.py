"""Whole-function derivatives: Jacobians, Hessians, Hessian-vector products and forward-mode jvp.

``f`` takes Values and returns a Value or a list of Values; ``inputs`` are numbers or Values
(their data is the point). Each function records f's graph once and sweeps it: a reverse
sweep gives one row of the Jacobian (one output, every input), a forward sweep one column.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from engine.autodiff import backward_amounts, chain_term, grad, topological_order
from engine.checks import one_of, real_number, sequence
from engine.grad_mode import enable_grad
from engine.value import Number, Value, weighted_sum


def forward_sweep(outputs: Sequence[Value], seeds: dict[Value, float]) -> list[float]:
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
        amounts: dict[float, list[float]] = {}  # backward()'s amounts for a grad t, by t
        for i, (parent, local) in enumerate(
            zip(parents, rule.float_derivative(parents, node._data))
        ):
            t = tangent.get(parent, 0.0)
            if math.isinf(local) and math.isfinite(t) and t:
                # 1/x at a subnormal x: t / x may be finite, as backward() divides
                if t not in amounts:
                    amounts[t] = backward_amounts(node, t)
                total += amounts[t][i]
            else:
                total += chain_term(local, t)
        tangent[node] = total
    return [tangent.get(out, 0.0) for out in outputs]


def point_of(inputs: Sequence[Value | Number] | np.ndarray, who: str) -> list[float]:
    """The point to differentiate at: the inputs' numbers (numbers, Values or a 1-D array)."""
    inputs = sequence(inputs, f"{who}: inputs")
    if not len(inputs):
        raise ValueError(f"{who}: inputs must hold at least one number or Value, got {inputs!r}")
    return [
        x.data if isinstance(x, Value) else real_number(x, f"{who}: inputs[{i}]")
        for i, x in enumerate(inputs)
    ]


def outputs_of(
    f: Callable[..., Any], leaves: Sequence[Value], who: str
) -> tuple[list[Value], bool]:
    """f's outputs at the leaves as a list (recorded even inside no_grad), and whether f gave one Value."""
    with enable_grad():  # as torch.autograd.functional: a graph is needed to differentiate
        out = f(*leaves)
    single = isinstance(out, Value)
    outs = [out] if single else out
    if not isinstance(outs, (list, tuple)) or not outs:
        raise TypeError(f"{who}: f must return a Value or a non-empty list of Values, got {out!r}")
    for i, o in enumerate(outs):
        if not isinstance(o, Value):
            raise TypeError(f"{who}: f's output {i} must be a Value, got {type(o).__name__}: {o!r}")
    return list(outs), single


def single_output(f: Callable[..., Any], leaves: Sequence[Value], who: str) -> Value:
    """f's one Value at the leaves; TypeError saying what f returned instead."""
    outs, single = outputs_of(f, leaves, who)
    if not single:
        raise TypeError(
            f"{who}: f must return one Value (a scalar function), got a list of {len(outs)} "
            f"Value{'s' * (len(outs) != 1)}; return the Value itself, or use jacobian for a list"
        )
    return outs[0]


def _record(
    f: Callable[..., Any], inputs: Sequence[Value | Number], who: str
) -> tuple[list[Value], list[Value], bool]:
    """Leaves at the point, f's outputs as a list, and whether f returned a single Value."""
    leaves = [Value(x) for x in point_of(inputs, who)]
    outs, single = outputs_of(f, leaves, who)
    return leaves, outs, single


def _vector(v: Sequence[Number], n: int, who: str, name: str) -> list[float]:
    v = sequence(v, f"{who}: {name}", n, " (one per input)")
    return [real_number(x, f"{who}: {name}[{i}]") for i, x in enumerate(v)]


def jacobian(
    f: Callable[..., Any], inputs: Sequence[Value | Number], mode: str = "reverse"
) -> np.ndarray:
    """∂f_i/∂x_j as a numpy array (m, n): m reverse sweeps, or n forward sweeps with ``mode="forward"``.

    A single-Value f gives one row, shape (1, n).
    """
    one_of(mode, "jacobian: mode", ("reverse", "forward"))
    leaves, outs, _ = _record(f, inputs, "jacobian")
    if mode == "reverse":
        rows = [[g.data for g in grad(out, leaves, allow_unused=True)] for out in outs]
        return np.array(rows, dtype=float)
    columns = [forward_sweep(outs, {x: 1.0}) for x in leaves]
    return np.array(columns, dtype=float).T.reshape(len(outs), len(leaves))


def hessian(f: Callable[..., Value], inputs: Sequence[Value | Number]) -> np.ndarray:
    """∂²f/∂x_i∂x_j as a numpy array (n, n), by reverse over reverse: one row per input."""
    leaves = [Value(x) for x in point_of(inputs, "hessian")]
    first = grad(single_output(f, leaves, "hessian"), leaves, create_graph=True, allow_unused=True)
    return _second_derivatives(first, leaves)


def _second_derivatives(first: list[Value], leaves: list[Value]) -> np.ndarray:
    """The gradient of each first derivative, one row each; a first derivative with no
    number (nan, as ∂(x**y)/∂y at x < 0) has nan on the diagonal and the mixed partials the
    other rows give (the Hessian is symmetric), as PyTorch's Hessian has."""
    rows = [
        None if d._data != d._data else [g.data for g in grad(d, leaves, allow_unused=True)]
        for d in first
    ]
    H = np.full((len(leaves), len(leaves)), math.nan)
    for i, row in enumerate(rows):
        if row is not None:
            H[i] = row
            for j, other in enumerate(rows):
                if other is None and j != i:
                    H[j, i] = row[j]
    return H


def hvp(
    f: Callable[..., Value], inputs: Sequence[Value | Number], v: Sequence[Number]
) -> np.ndarray:
    """The Hessian of f times v, shape (n,): the gradient of ⟨∇f, v⟩ (the Hessian is never formed)."""
    leaves = [Value(x) for x in point_of(inputs, "hvp")]
    out = single_output(f, leaves, "hvp")
    direction = _vector(v, len(leaves), "hvp", "v")
    first = grad(out, leaves, create_graph=True, allow_unused=True)
    if any(d._data != d._data for d in first):  # no number: H · v term by term, 0 · nan = 0
        H = _second_derivatives(first, leaves)
        return np.array([sum(chain_term(h, x) for h, x in zip(row, direction)) for row in H])
    directional = weighted_sum(first, [Value(x) for x in direction], 0.0)
    return np.array([g.data for g in grad(directional, leaves, allow_unused=True)], dtype=float)


def jvp(
    f: Callable[..., Any], inputs: Sequence[Value | Number], tangents: Sequence[Number]
) -> tuple[Any, Any]:
    """(f(x), J·t) by one forward-mode sweep: floats for a Value-valued f, lists for a list."""
    leaves, outs, single = _record(f, inputs, "jvp")
    t = _vector(tangents, len(leaves), "jvp", "tangents")
    derivs = forward_sweep(outs, dict(zip(leaves, t)))
    values = [o.data for o in outs]
    return (values[0], derivs[0]) if single else (values, derivs)
