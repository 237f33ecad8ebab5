"""The costs C(a^L, y) of one example, one entry each, in the manner of Nielsen's ``network2.py``.

A ``Cost`` holds its scalar form on Values, its numpy form, ∇_a C and the text a drawing
shows; where a cost pairs with an output activation σ^L so well that it is better taken
from z^L (cross-entropy on sigmoid outputs), an ``OnOutput`` entry holds that form in both
worlds and its δ^L rule. The network of Values, the matrix reference (``nn/matrix.py``),
training and the drawings all read these entries; adding a cost is adding one entry.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from engine import Value, logsumexp
from engine.checks import one_of, sequence
from engine.value import Number
from nn.activations import Activation
from nn.network import Trace

Array = np.ndarray
Target = Sequence[Value | Number]


@dataclass(frozen=True)
class OnOutput:
    """A cost taken from z^L for one output activation: finite where C(a, y) is not, with its δ^L."""

    text: str
    scalar: Callable[[Sequence[Value], Target], Value]
    """C from z^L as Values; its z-grads are the δ^L rule below, emergent."""
    numpy: Callable[[Array, Array], Array]
    """C from z^L on arrays, one column per example → one cost per example."""
    delta: Callable[[Array, Array, Array], Array]
    """δ^L(z, a, y), e.g. a − y for cross-entropy on sigmoid outputs (Nielsen ch. 3)."""


@dataclass(frozen=True)
class Cost:
    """One cost: C(a, y) on Values and in numpy, ∇_a C, and how a drawing writes it."""

    name: str
    text: str
    scalar: Callable[[Sequence[Value], Target], Value]
    """C(a^L, y) for one example, as a Value."""
    numpy: Callable[[Array, Array], Array]
    """C(a, y) on arrays, one column per example → one cost per example."""
    gradient: Callable[[Array, Array], Array]
    """∇_a C, the factor BP1 multiplies by σ'(z^L)."""
    on: Mapping[str, OnOutput] = field(default_factory=dict)
    """Forms taken from z^L, by the name of the output activation σ^L."""
    outputs: tuple[str, ...] | None = None
    """The output activations this cost is defined for (None: any)."""
    needs: str = ""
    """What outputs the cost needs, for messages."""
    unit_targets: bool = False
    """Targets must lie in [0, 1] (probabilities): outside, C has no minimum and falls forever."""
    """What ``outputs`` means, for error messages."""

    def __reduce__(self) -> tuple[Callable[[object], Cost], tuple[str]]:
        # As an activation: pickled as its name, one entry per name.
        return (cost_named, (self.name,))

    def __deepcopy__(self, memo: dict[int, object]) -> Cost:
        return self

    def check_output(self, sigma: str) -> None:
        """ValueError unless this cost is defined on outputs of activation ``sigma``."""
        if self.outputs is not None and sigma not in self.outputs:
            raise ValueError(
                f"the {self.name} cost needs {self.needs}, but the net's output layer is "
                f"{sigma!r}: use activation=[..., {self.outputs[0]!r}] for the last layer"
            )

    def check_targets(
        self, targets: Sequence[Sequence[float]] | np.ndarray, who: str, one: bool = False
    ) -> None:
        """ValueError naming the first target outside [0, 1], where this cost needs probabilities.

        The one rule for every function given targets (a row each) and a cost (``one``: a
        single example's).
        """
        if not self.unit_targets:
            return
        T = np.asarray(targets, dtype=float)
        outside = ~((T >= 0.0) & (T <= 1.0)).reshape(len(T), -1).all(axis=1)
        if outside.any():
            i = int(np.argmax(outside))
            which = "the target" if one else f"data[{i}]'s target"
            raise ValueError(
                f"{who}: {which} {np.asarray(targets[i]).tolist()} lies outside [0, 1]; the {self.name} cost "
                f"needs probabilities as targets (e.g. 0/1 or one-hot), or it falls without bound"
            )

    def __call__(self, output: Trace | Sequence[Value], y: Target) -> Value:
        """C for one example, given a^L or (better) the example's ``Trace``.

        From a Trace the cost is taken from z^L where the output activation has such a form
        (it stays finite on saturated outputs, and δ^L = z^L_j.grad follows its rule).
        """
        if isinstance(output, Trace):
            sigma = output.sigmas[-1]
            self.check_output(sigma)
            if sigma in self.on:
                z = output.zs[-1]
                _check_lengths(z, y, self.name)
                return self.on[sigma].scalar(z, y)
            output = output.output
        _check_lengths(output, y, self.name)
        return self.scalar(output, y)

    def per_example(self, z: Array, a: Array, y: Array, sigma: Activation) -> Array:
        """The cost of each column's example, from z^L where σ^L has such a form."""
        self.check_output(sigma.name)
        rule = self.on.get(sigma.name)
        return rule.numpy(z, y) if rule else self.numpy(a, y)

    def delta(self, z: Array, a: Array, y: Array, sigma: Activation) -> Array:
        """δ^L: this cost's own rule for σ^L if it has one, else BP1, ∇_a C ⊙ σ'(z^L)."""
        self.check_output(sigma.name)
        rule = self.on.get(sigma.name)
        return rule.delta(z, a, y) if rule else sigma.error(z, self.gradient(a, y))


def _check_lengths(a: Sequence[Value], y: Target, name: str) -> None:
    sequence(y, f"{name} cost: the target")
    if len(a) != len(y):
        raise ValueError(f"{name} cost: output has {len(a)} values but target has {len(y)}")


def _total(terms: list[Value]) -> Value:
    return sum(terms, Value(0.0))


# --- quadratic ---------------------------------------------------------------------------


def _quadratic(a: Sequence[Value], y: Target) -> Value:
    return _total([(aj - yj) ** 2 for aj, yj in zip(a, y)]) * 0.5


quadratic_cost = Cost(
    "quadratic",
    "C = ½ Σ_j (a^L_j − y_j)²",
    _quadratic,
    numpy=lambda a, y: 0.5 * np.sum((a - y) ** 2, axis=0),
    gradient=lambda a, y: a - y,
)


def _ln(inside: Value, what: str, remedy: str) -> Value:
    """ln inside for a cost given a^L, or a ValueError saying why the output cannot be used."""
    if not inside.data > 0.0:
        raise ValueError(f"{what} makes ln {inside.data!r}; {remedy}")
    return inside.log()


# --- cross-entropy -----------------------------------------------------------------------


def _cross_entropy(a: Sequence[Value], y: Target) -> Value:
    terms: list[Value] = []
    for j, (aj, yj) in enumerate(zip(a, y)):
        pairs: tuple[tuple[Value | Number, Value], ...] = ((yj, aj), (1 - yj, 1 - aj))
        for coefficient, inside in pairs:
            # A term whose numeric coefficient is 0 is left out, so a saturated output with
            # the matching 0/1 target costs 0 instead of failing on ln 0.
            if not isinstance(coefficient, Value) and coefficient == 0:
                continue
            terms.append(
                coefficient
                * _ln(
                    inside,
                    f"cross_entropy cost: a^L_{j} = {aj.data!r} with target {float(yj)!r}",
                    "the cost needs outputs in (0, 1). Pass the example's trace "
                    "(net.trace(x)) to take the cost from z^L, which stays finite on a "
                    "saturated sigmoid",
                )
            )
    return -_total(terms)


def _cross_entropy_from_z(z: Sequence[Value], y: Target) -> Value:
    # With a = σ(z): ln a = z − ln(1 + e^z) and ln(1 − a) = −ln(1 + e^z), so the cost is
    # Σ_j ln(1 + e^z_j) − y_j z_j, whose derivative in z_j is σ(z_j) − y_j = a_j − y_j.
    return _total([zj.softplus() - yj * zj for zj, yj in zip(z, y)])


def _xlogy(x: Array, y: Array) -> Array:
    """x·ln y, taken as 0 where x == 0 (so a saturated output with a 0 target costs nothing)."""
    safe = np.where(x == 0.0, 1.0, y)
    return np.where(x == 0.0, 0.0, x * np.log(safe))


cross_entropy_cost = Cost(
    "cross_entropy",
    "C = −Σ_j [y_j ln a^L_j + (1 − y_j) ln(1 − a^L_j)]",
    _cross_entropy,
    numpy=lambda a, y: -np.sum(_xlogy(y, a) + _xlogy(1.0 - y, 1.0 - a), axis=0),
    gradient=lambda a, y: (a - y) / (a * (1.0 - a)),
    on={
        "sigmoid": OnOutput(
            "C = Σ_j [ln(1 + e^(z^L_j)) − y_j z^L_j], so δ^L = a^L − y",
            _cross_entropy_from_z,
            numpy=lambda z, y: np.sum(np.logaddexp(0.0, z) - y * z, axis=0),
            delta=lambda z, a, y: a - y,
        )
    },
    outputs=("sigmoid",),
    needs="outputs in (0, 1), that is a sigmoid output layer",
    unit_targets=True,
)

# --- log-likelihood ----------------------------------------------------------------------


def _log_likelihood(a: Sequence[Value], y: Target) -> Value:
    terms: list[Value] = []
    for j, (aj, yj) in enumerate(zip(a, y)):
        if not isinstance(yj, Value) and yj == 0:
            continue  # only the target classes' outputs count
        terms.append(
            yj
            * _ln(
                aj,
                f"log_likelihood cost: a^L_{j} = {aj.data!r} with target {float(yj)!r}",
                "pass the example's trace (net.trace(x)) to take the cost from z^L, which "
                "stays finite however small a softmax output is",
            )
        )
    return -_total(terms)


def _log_likelihood_from_z(z: Sequence[Value], y: Target) -> Value:
    # With a = softmax(z): ln a_j = z_j − ln Σ_k e^{z_k}, so C = −Σ_j y_j ln a_j is
    # Σ_j y_j (ln Σ_k e^{z_k} − z_j), whose derivative in z_j is a_j Σ_k y_k − y_j:
    # a_j − y_j for a one-hot y (Nielsen ch. 3). logsumexp is one stable node.
    log_sum = logsumexp(z)
    return _total([yj * (log_sum - zj) for zj, yj in zip(z, y) if isinstance(yj, Value) or yj != 0])


def _log_sum_exp(z: Array) -> Array:
    m = z.max(axis=0)
    return m + np.log(np.exp(z - m).sum(axis=0))


log_likelihood_cost = Cost(
    "log_likelihood",
    "C = −Σ_j y_j ln a^L_j",
    _log_likelihood,
    numpy=lambda a, y: -np.sum(_xlogy(y, a), axis=0),
    gradient=lambda a, y: -y / a,
    on={
        "softmax": OnOutput(
            "C = Σ_j y_j (ln Σ_k e^{z^L_k} − z^L_j), so δ^L = a^L − y",
            _log_likelihood_from_z,
            numpy=lambda z, y: np.sum(y * (_log_sum_exp(z) - z), axis=0),
            delta=lambda z, a, y: a * y.sum(axis=0) - y,
        )
    },
    outputs=("softmax",),
    needs="a probability distribution over the outputs, that is a softmax output layer",
    unit_targets=True,
)

COSTS: dict[str, Cost] = {
    c.name: c for c in (quadratic_cost, cross_entropy_cost, log_likelihood_cost)
}


def cost_named(name: object) -> Cost:
    """The ``Cost`` called ``name``; ValueError listing the valid names."""
    return COSTS[one_of(name, "cost", COSTS)]


def mean_cost(
    outputs: Sequence[Trace | Sequence[Value]],
    targets: Sequence[Target],
    cost: str = "quadratic",
) -> Value:
    """(1/m) Σ_i C(a_i, y_i) over a mini-batch of m examples, each given as a^L or its Trace."""
    if len(outputs) != len(targets) or not outputs:
        raise ValueError(
            f"mean_cost: need as many targets as outputs, at least one, "
            f"got {len(outputs)} outputs and {len(targets)} targets"
        )
    cost_of = cost_named(cost)
    return _total([cost_of(a, y) for a, y in zip(outputs, targets)]) * (1.0 / len(outputs))
