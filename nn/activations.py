"""The activation functions σ, one entry each: scalar form on Values, numpy form, σ'(z), drawn text.

Every user of an activation (the network of Values, the matrix reference in
``nn/matrix.py``, the drawings in ``viz/network.py``) reads its entry here, so adding
an activation is adding one entry to ``ACTIVATIONS``. Most σ act on each z^l_j alone
(``Activation.elementwise``); a layer-wise σ (softmax) maps the whole z^l to a^l and
gives its derivative as the Jacobian ∂a^l_j/∂z^l_k.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from engine import Value, checks, logsumexp

Array = np.ndarray


@dataclass(frozen=True)
class Activation:
    """One σ: how a layer computes a^l = σ(z^l) on Values and in numpy, and σ'(z^l)."""

    name: str
    text: str
    """The formula a drawing shows, e.g. "σ(z) = 1/(1 + e^−z)"."""
    scalar: Callable[[Sequence[Value]], list[Value]]
    """z^l as Values → a^l as Values."""
    numpy: Callable[[Array], Array]
    """z^l → a^l on arrays whose axis 0 runs over the neurons j (one column per example)."""
    derivative: Callable[[Array], Array]
    """σ'(z^l): same shape as z for an element-wise σ; for a layer-wise σ the Jacobian
    with J[j, k] = ∂a_j/∂z_k on axes 0 and 1 (then the example axis)."""
    elementwise: bool = True

    @classmethod
    def of_each(
        cls,
        name: str,
        text: str,
        sigma: Callable[[Value], Value],
        numpy: Callable[[Array], Array],
        derivative: Callable[[Array], Array],
    ) -> Activation:
        """An element-wise σ: a^l_j = σ(z^l_j) for each neuron j."""
        return cls(name, text, lambda zs: [sigma(z) for z in zs], numpy, derivative)

    def __call__(self, zs: Sequence[Value]) -> list[Value]:
        """a^l = σ(z^l) for a layer's z^l as Values."""
        return self.scalar(zs)

    def __reduce__(self) -> tuple[Callable[[object], Activation], tuple[str]]:
        # Its forms are functions, often lambdas: an entry pickles as its name (a net too).
        return (activation_named, (self.name,))

    def __deepcopy__(self, memo: dict[int, object]) -> Activation:
        return self  # one entry per name, shared by every copy of a net

    def error(self, z: Array, grad_a: Array) -> Array:
        """∂C/∂z^l from ∂C/∂a^l: grad_a ⊙ σ'(z), the shared step of BP1 and BP2."""
        if self.elementwise:
            return grad_a * self.derivative(z)
        return np.einsum("jk...,j...->k...", self.derivative(z), grad_a)  # Jᵀ grad_a


def _sigmoid(z: Array) -> Array:
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # = 1 / (1 + e^−z), without overflow


def _linear(z: Value) -> Value:
    return z  # a^l_j is z^l_j itself: no node is added


SIGMOID = Activation.of_each(
    "sigmoid",
    "σ(z) = 1/(1 + e^−z)",
    Value.sigmoid,
    _sigmoid,
    lambda z: _sigmoid(z) * (1.0 - _sigmoid(z)),
)
TANH = Activation.of_each(
    "tanh", "σ(z) = tanh z", Value.tanh, np.tanh, lambda z: 1.0 - np.tanh(z) ** 2
)
RELU = Activation.of_each(
    "relu",
    "σ(z) = max(0, z)",
    Value.relu,
    lambda z: np.maximum(z, 0.0),
    lambda z: (z > 0.0).astype(float),
)
LINEAR = Activation.of_each("linear", "σ(z) = z", _linear, lambda z: z, np.ones_like)


def _softmax_values(zs: Sequence[Value]) -> list[Value]:
    # a_j = e^{z_j − ln Σ_k e^{z_k}}: logsumexp is one stable node (it shifts by the largest
    # z inside), so every exponent here is ≤ 0 and z = 1000 does not overflow; it reads no
    # number while recording, so engine.compile replays softmax for every example.
    log_total = logsumexp(zs)
    return [(z - log_total).exp() for z in zs]


def _softmax(z: Array) -> Array:
    e = np.exp(z - z.max(axis=0))
    return e / e.sum(axis=0)


def _softmax_jacobian(z: Array) -> Array:
    """J[j, k] = ∂a_j/∂z_k = a_j (δ_jk − a_k), with the example axis (if any) last."""
    a = _softmax(z)
    identity = np.eye(z.shape[0]).reshape(z.shape[:1] * 2 + (1,) * (z.ndim - 1))
    return a[:, None] * (identity - a[None, :])


SOFTMAX = Activation(
    "softmax",
    "σ(z)_j = e^{z_j} / Σ_k e^{z_k}",
    _softmax_values,
    _softmax,
    _softmax_jacobian,
    elementwise=False,
)

ACTIVATIONS: dict[str, Activation] = {a.name: a for a in (SIGMOID, TANH, RELU, LINEAR, SOFTMAX)}


def activation_named(name: object) -> Activation:
    """The ``Activation`` called ``name``; ValueError listing the valid names."""
    return ACTIVATIONS[checks.one_of(name, "activation", ACTIVATIONS)]


def layer_activations(activation: str | Sequence[str], n_layers: int) -> list[str]:
    """One activation name per weight layer, from one name or a list; ValueError if unknown."""
    if isinstance(activation, str):
        names = [activation] * n_layers
    else:  # a name such as 'sigmoid' or a list of them, one per layer
        names = list(checks.sequence(activation, "activation", n_layers, " (one per layer)"))
    for name in names:
        activation_named(name)
    return names
