"""The matrix form of backpropagation, BP1–BP4, in numpy: the reference the scalar engine is checked against.

Notation of Nielsen ch. 2 (see docs/backpropagation.md). Layer l = 1 is the input; ``weights[i]`` is w^l for
l = i + 2, of shape (n_l, n_{l-1}) with ``w[j, k]`` = w^l_jk; ``biases[i]`` is b^l, of
shape (n_l,). In the batch functions an input ``X`` holds one example per column.

    feedforward:  z^l = w^l a^{l-1} + b^l,  a^l = σ(z^l)
    BP1:          δ^L = ∇_a C ⊙ σ'(z^L)
    BP2:          δ^l = ((w^{l+1})^T δ^{l+1}) ⊙ σ'(z^l)
    BP3:          ∂C/∂b^l_j = δ^l_j
    BP4:          ∂C/∂w^l_jk = a^{l-1}_k δ^l_j
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from nn.activations import layer_activations
from nn.costs import cost_function, mean_cost

Array = np.ndarray


def _sigmoid(z: Array) -> Array:
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # = 1 / (1 + e^-z), without overflow


# name: (σ, σ')
ACTIVATIONS: dict[str, tuple[Callable[[Array], Array], Callable[[Array], Array]]] = {
    "sigmoid": (_sigmoid, lambda z: _sigmoid(z) * (1.0 - _sigmoid(z))),
    "tanh": (np.tanh, lambda z: 1.0 - np.tanh(z) ** 2),
    "relu": (lambda z: np.maximum(z, 0.0), lambda z: (z > 0.0).astype(float)),
    "linear": (lambda z: z, np.ones_like),
}


def _xlogy(x: Array, y: Array) -> Array:
    """x·ln y, taken as 0 where x == 0 (so a saturated output with a 0 target costs nothing)."""
    safe = np.where(x == 0.0, 1.0, y)
    return np.where(x == 0.0, 0.0, x * np.log(safe))


# name: (C(a, y) summed over the output neurons, ∇_a C)
COSTS: dict[str, tuple[Callable[[Array, Array], Array], Callable[[Array, Array], Array]]] = {
    "quadratic": (
        lambda a, y: 0.5 * np.sum((a - y) ** 2, axis=0),
        lambda a, y: a - y,
    ),
    "cross_entropy": (
        lambda a, y: -np.sum(_xlogy(y, a) + _xlogy(1.0 - y, 1.0 - a), axis=0),
        lambda a, y: (a - y) / (a * (1.0 - a)),
    ),
}


def cost_rules(
    cost: str,
) -> tuple[Callable[[Array, Array], Array], Callable[[Array, Array], Array]]:
    """(C, ∇_a C) for a cost name; ValueError listing the valid names."""
    cost_function(cost)  # the scalar twin names the same costs and says what is wrong
    return COSTS[cost]


@dataclass
class Backprop:
    """Everything BP1–BP4 compute: lists indexed like ``weights`` (z, delta, grads) or from a^1 (a)."""

    z: list[Array]
    a: list[Array]
    delta: list[Array]
    grad_w: list[Array]
    grad_b: list[Array]
    cost: float


def feedforward(
    weights: Sequence[Array],
    biases: Sequence[Array],
    x: Array,
    activation: str | Sequence[str] = "sigmoid",
) -> Array:
    """a^L for input x (a vector, or a matrix with one example per column)."""
    sigmas = layer_activations(activation, len(weights))
    a = np.asarray(x, dtype=float)
    for w, b, name in zip(weights, biases, sigmas):
        sigma, _ = ACTIVATIONS[name]
        a = sigma(w @ a + (b if a.ndim == 1 else b[:, None]))
    return a


def backprop_batch(
    weights: Sequence[Array],
    biases: Sequence[Array],
    X: Array,
    Y: Array,
    activation: str | Sequence[str] = "sigmoid",
    cost: str = "quadratic",
) -> Backprop:
    """BP1–BP4 for the m examples in the columns of X, Y: δ per example, gradients averaged over m.

    The averaged gradients are those of the mini-batch step w → w − (η/m) Σ_j ∂C_Xj/∂w.
    """
    sigmas = [ACTIVATIONS[name] for name in layer_activations(activation, len(weights))]
    cost_value, nabla_a = cost_rules(cost)
    X, Y = np.asarray(X, dtype=float), np.asarray(Y, dtype=float)
    m = X.shape[1]
    # 1. feedforward
    a, zs = [X], []
    for w, b, (sigma, _) in zip(weights, biases, sigmas):
        z = w @ a[-1] + b[:, None]
        zs.append(z)
        a.append(sigma(z))
    # 2. output error (BP1), 3. backpropagate the error (BP2)
    L = len(weights)
    delta = [np.empty(0)] * L
    delta[L - 1] = nabla_a(a[L], Y) * sigmas[L - 1][1](zs[L - 1])
    for i in range(L - 2, -1, -1):
        delta[i] = (weights[i + 1].T @ delta[i + 1]) * sigmas[i][1](zs[i])
    # 4. output: BP3 and BP4, averaged over the batch
    grad_b = [d.sum(axis=1) / m for d in delta]
    grad_w = [d @ a_prev.T / m for d, a_prev in zip(delta, a[:-1])]
    return Backprop(zs, a, delta, grad_w, grad_b, float(np.mean(cost_value(a[L], Y))))


def _first_column(arrays: list[Array]) -> list[Array]:
    return [v[:, 0] for v in arrays]


def backprop(
    weights: Sequence[Array],
    biases: Sequence[Array],
    x: Array,
    y: Array,
    activation: str | Sequence[str] = "sigmoid",
    cost: str = "quadratic",
) -> Backprop:
    """BP1–BP4 for one example (x, y): z^l, a^l and δ^l as vectors, ∂C/∂w^l and ∂C/∂b^l."""
    column = backprop_batch(
        weights,
        biases,
        np.asarray(x, dtype=float)[:, None],
        np.asarray(y, dtype=float)[:, None],
        activation,
        cost,
    )
    return Backprop(
        _first_column(column.z),
        _first_column(column.a),
        _first_column(column.delta),
        column.grad_w,
        column.grad_b,
        column.cost,
    )


def sgd_update(
    weights: Sequence[Array],
    biases: Sequence[Array],
    X: Array,
    Y: Array,
    eta: float,
    activation: str | Sequence[str] = "sigmoid",
    cost: str = "quadratic",
) -> tuple[list[Array], list[Array]]:
    """The gradient-descent step on one mini-batch: w − (η/m) Σ_j ∂C_Xj/∂w, and the same for b."""
    bp = backprop_batch(weights, biases, X, Y, activation, cost)
    return (
        [w - eta * gw for w, gw in zip(weights, bp.grad_w)],
        [b - eta * gb for b, gb in zip(biases, bp.grad_b)],
    )


def arrays(nested: Sequence[object]) -> list[Array]:
    """Each item as a float array."""
    return [np.array(item, dtype=float) for item in nested]


def check_parameters(
    weights: Sequence[object], biases: Sequence[object]
) -> tuple[list[Array], list[Array]]:
    """Weights and biases as float arrays of matching shapes (n_l, n_{l-1}) and (n_l,), or ValueError."""
    if len(weights) != len(biases) or not weights:
        raise ValueError(
            f"need one bias vector per weight matrix and at least one layer, "
            f"got {len(weights)} weight matrices and {len(biases)} bias vectors"
        )
    ws, bs = [], []
    for i, (w, b) in enumerate(zip(weights, biases)):
        l = i + 2
        try:
            w, b = np.asarray(w, dtype=float), np.asarray(b, dtype=float)
        except (TypeError, ValueError) as e:
            raise ValueError(
                f"layer {l}: weights and biases must be arrays of numbers ({e})"
            ) from None
        if b.ndim == 2 and b.shape[1] == 1:
            b = b[:, 0]  # a column vector, as Nielsen's network.py keeps biases
        if w.ndim != 2 or 0 in w.shape:
            raise ValueError(f"layer {l}: w^{l} must be a non-empty 2-D array, got shape {w.shape}")
        if ws and w.shape[1] != ws[-1].shape[0]:
            raise ValueError(
                f"layer {l}: w^{l} has shape {w.shape} but layer {l - 1} has "
                f"{ws[-1].shape[0]} neurons, so it needs {ws[-1].shape[0]} columns"
            )
        if b.shape != (w.shape[0],):
            raise ValueError(
                f"layer {l}: b^{l} must have shape ({w.shape[0]},) to match w^{l} "
                f"{w.shape}, got {b.shape}"
            )
        if not (np.isfinite(w).all() and np.isfinite(b).all()):
            raise ValueError(f"layer {l}: weights and biases must be finite")
        ws.append(w)
        bs.append(b)
    return ws, bs


# --- the comparison: the scalar engine's gradients next to BP1–BP4 ---------------------


@dataclass
class Comparison:
    """The scalar engine's δ^l, ∂C/∂w^l, ∂C/∂b^l next to the matrix form's, layer by layer.

    For a mini-batch of m examples C is the mean cost, so the engine's ∂C/∂z is δ/m:
    its δ is reported as m·∂C/∂z, one column per example.
    """

    engine: Backprop
    matrix: Backprop
    cost: str

    def errors(self) -> list[tuple[int, float, float, float]]:
        """(l, max |Δδ^l|, max |Δ∂C/∂w^l|, max |Δ∂C/∂b^l|) for each layer l = 2 … L."""
        e, m = self.engine, self.matrix
        return [
            (i + 2, *(float(np.max(np.abs(x - y))) for x, y in pairs))
            for i, pairs in enumerate(
                zip(zip(e.delta, m.delta), zip(e.grad_w, m.grad_w), zip(e.grad_b, m.grad_b))
            )
        ]

    @property
    def max_error(self) -> float:
        """The largest |difference| in any δ^l_j, ∂C/∂w^l_jk or ∂C/∂b^l_j.

        The costs are shown but not counted: near a saturated output, ln(1 − a) turns a
        last-bit difference in a into a visible one in C, while the gradients stay exact.
        """
        return max(max(row[1:]) for row in self.errors())

    def ok(self, tol: float = 1e-9) -> bool:
        """True if every difference is at most tol."""
        return self.max_error <= tol

    def __str__(self) -> str:
        m = self.matrix.a[0].shape[1]
        lines = [
            f"scalar engine vs matrix BP1-BP4 ({self.cost} cost, "
            f"{m} example{'s' if m > 1 else ''}): largest |difference|",
            f"{'layer':>5} {'n_l':>4}  {'delta^l':>10}  {'dC/dw^l':>10}  {'dC/db^l':>10}",
        ]
        for (l, d, w, b), delta in zip(self.errors(), self.matrix.delta):
            lines.append(f"{l:>5} {delta.shape[0]:>4}  {d:>10.3g}  {w:>10.3g}  {b:>10.3g}")
        lines.append(
            f"cost C = {self.engine.cost:.12g} (matrix {self.matrix.cost:.12g}); "
            f"max error {self.max_error:.3g}"
        )
        return "\n".join(lines)

    def details(self) -> str:
        """Every δ^l_j (= ∂C/∂b^l_j) of the first example and ∂C/∂w^l_jk, engine beside matrix."""
        lines = [f"{'quantity':<14} {'engine':>20} {'matrix BP1-BP4':>20}"]
        for i, (de, dm, we, wm) in enumerate(
            zip(self.engine.delta, self.matrix.delta, self.engine.grad_w, self.matrix.grad_w)
        ):
            l = i + 2
            for j in range(de.shape[0]):
                lines.append(f"{f'delta^{l}_{j}':<14} {de[j, 0]:>20.12g} {dm[j, 0]:>20.12g}")
                for k in range(we.shape[1]):
                    lines.append(f"{f'dC/dw^{l}_{j}{k}':<14} {we[j, k]:>20.12g} {wm[j, k]:>20.12g}")
        return "\n".join(lines)


def _examples(x: object, y: object) -> list[tuple[object, object]]:
    if y is not None:
        return [(x, y)]
    try:
        batch = [(xi, yi) for xi, yi in x]  # type: ignore[attr-defined]
    except (TypeError, ValueError):
        raise TypeError(
            "compare: give an example x with its target y, or a list of (x, y) pairs"
        ) from None
    if not batch:
        raise ValueError("compare: the mini-batch is empty")
    return batch


def _columns(per_example: Sequence[Sequence[Sequence[Any]]], field: str) -> list[Array]:
    """One array per layer with a column per example, of each Value's data or grad."""
    return [
        np.array([[getattr(v, field) for v in layer] for layer in layers]).T
        for layers in zip(*per_example)
    ]


def compare(net: Any, x: object, y: object = None, cost: str = "quadratic") -> Comparison:
    """Backpropagate through the scalar engine and through BP1–BP4 and set the results side by side.

    ``compare(net, x, y)`` for one example, ``compare(net, [(x, y), ...])`` for a mini-batch.
    The net's parameters and grads are left as they were.
    """
    batch = _examples(x, y)
    with net.grads_set_aside():
        traces = [net.trace(xi) for xi, _ in batch]
        C = mean_cost([t.output for t in traces], [yi for _, yi in batch], cost)
        C.backward()
        engine = Backprop(
            z=_columns([t.zs for t in traces], "data"),
            a=_columns([t.activations for t in traces], "data"),
            delta=[len(batch) * d for d in _columns([t.zs for t in traces], "grad")],
            grad_w=[
                np.array([[w.grad for w in n.w] for n in layer.neurons]) for layer in net.layers
            ],
            grad_b=[np.array([n.b.grad for n in layer.neurons]) for layer in net.layers],
            cost=C.data,
        )
    X = engine.a[0]
    Y = np.array([[float(v) for v in yi] for _, yi in batch]).T
    reference = backprop_batch(net.weights(), net.biases(), X, Y, net.activations, cost)
    return Comparison(engine, reference, cost)
