"""The matrix form of backpropagation, BP1–BP4, in numpy: the reference the scalar engine is checked against.

Notation as in chapter 2 of Nielsen's *Neural Networks and Deep Learning*
(docs/backpropagation.md). Layer l = 1 is the input; ``weights[i]`` is w^l for
l = i + 2, of shape (n_l, n_{l-1}) with ``w[j, k]`` = w^l_jk; ``biases[i]`` is b^l, of
shape (n_l,). In the batch functions an input ``X`` holds one example per column.
σ, σ', C and ∇_a C come from the activation and cost entries (``nn/activations.py``,
``nn/costs.py``); nothing here touches a ``Value``.

    feedforward:  z^l = w^l a^{l-1} + b^l,  a^l = σ(z^l)
    BP1:          δ^L = ∇_a C ⊙ σ'(z^L)   (or the cost's own rule, e.g. a^L − y for
                                             cross-entropy on sigmoid outputs)
    BP2:          δ^l = ((w^{l+1})^T δ^{l+1}) ⊙ σ'(z^l)
    BP3:          ∂C/∂b^l_j = δ^l_j
    BP4:          ∂C/∂w^l_jk = a^{l-1}_k δ^l_j
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from engine import checks
from nn.activations import Activation, activation_named, layer_activations
from nn.costs import cost_named

Array = np.ndarray


def _sigmas(activation: str | Sequence[str], n_layers: int) -> list[Activation]:
    return [activation_named(name) for name in layer_activations(activation, n_layers)]


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
    a = np.asarray(x, dtype=float)
    for w, b, sigma in zip(weights, biases, _sigmas(activation, len(weights))):
        a = sigma.numpy(w @ a + (b if a.ndim == 1 else b[:, None]))
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

    The averaged gradients are those of the step w → w − (η/m) Σ_j ∂C_Xj/∂w.
    """
    sigmas = _sigmas(activation, len(weights))
    C = cost_named(cost)
    X, Y = _columns(weights, X, Y)
    m = X.shape[1]
    # 1. feedforward
    a, zs = [X], []
    for w, b, sigma in zip(weights, biases, sigmas):
        z = w @ a[-1] + b[:, None]
        zs.append(z)
        a.append(sigma.numpy(z))
    # 2. output error (BP1), 3. backpropagate the error (BP2)
    L = len(weights)
    delta = [np.empty(0)] * L
    delta[L - 1] = C.delta(zs[L - 1], a[L], Y, sigmas[L - 1])
    for i in range(L - 2, -1, -1):
        delta[i] = sigmas[i].error(zs[i], weights[i + 1].T @ delta[i + 1])
    # 4. output: BP3 and BP4, averaged over the batch
    grad_b = [d.sum(axis=1) / m for d in delta]
    grad_w = [d @ a_prev.T / m for d, a_prev in zip(delta, a[:-1])]
    cost_value = float(np.mean(C.per_example(zs[L - 1], a[L], Y, sigmas[L - 1])))
    return Backprop(zs, a, delta, grad_w, grad_b, cost_value)


def _columns(weights: Sequence[Array], X: Array, Y: Array) -> tuple[Array, Array]:
    """X as (n_1, m) and Y as (n_L, m), one example per column; ValueError naming a wrong shape.

    numpy would broadcast a transposed Y into numbers of the wrong shape without a word.
    """
    X, Y = np.asarray(X, dtype=float), np.asarray(Y, dtype=float)
    n_in, n_out = np.shape(weights[0])[1], np.shape(weights[-1])[0]
    if X.ndim != 2 or X.shape[0] != n_in or X.shape[1] < 1:
        raise ValueError(
            f"backprop: X must have shape (n_1, m) = ({n_in}, m), one example per column, "
            f"got {X.shape}"
        )
    if Y.shape != (n_out, X.shape[1]):
        raise ValueError(
            f"backprop: Y must have shape (n_L, m) = ({n_out}, {X.shape[1]}), one target per "
            f"column, got {Y.shape}"
        )
    return X, Y


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
    l2: float = 0.0,
    n: int | None = None,
) -> tuple[list[Array], list[Array]]:
    """The step on one mini-batch: w → (1 − ηλ/n) w − (η/m) Σ_j ∂C_Xj/∂w, b → b − (η/m) Σ_j ∂C_Xj/∂b.

    λ = l2 and n, the size of the whole training set, give network2's L2 weight decay;
    with λ = 0 (the default) it is network.py's plain step.
    """
    checks.real_number(eta, "sgd_update: eta", positive=True)
    checks.real_number(l2, "sgd_update: l2", least=0)
    decay_factor = 1.0
    if l2:
        if n is None:
            raise ValueError("sgd_update: l2 needs n, the number of training examples, got None")
        decay_factor -= eta * (l2 / checks.count(n, "sgd_update: n"))  # rounded as nn.SGD rounds it
    bp = backprop_batch(weights, biases, X, Y, activation, cost)
    return (
        [decay_factor * w - eta * gw for w, gw in zip(weights, bp.grad_w)],
        [b - eta * gb for b, gb in zip(biases, bp.grad_b)],
    )
