"""Two reports on a net's gradients, both read off ``nn.matrix``'s BP1–BP4, both tables.

``compare``: the scalar engine's δ^l and gradients beside the matrix reference's, layer by
layer. This is the one place that knows both sides: it backpropagates a net of Values with
``backward()`` and runs ``nn.matrix.backprop_batch`` on the same parameters.

``diagnose``: gradient health per layer, how large δ^l and the gradients are and how many
units are stuck. Chapter 5 of Nielsen's book measures the speed at which layer l learns by
‖∂C/∂b^l‖ and finds it smaller, layer by layer, towards the input: the vanishing gradient.
Its cause is a product of factors σ'(z) ≤ ¼ in BP2, and a unit whose σ'(z) is near 0 (a
saturated sigmoid or tanh) or exactly 0 (a relu that never fires) passes almost no δ
back. ``diagnose`` measures both, layer by layer, over a whole data set.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

import numpy as np

from engine import Value
from engine.table import ShownAsTable, Table
from engine.value import Number
from nn.activations import ACTIVATIONS
from nn.costs import cost_named, mean_cost
from nn.datasets import Data, as_arrays
from nn.matrix import Array, Backprop, backprop_batch
from nn.network import MLP

# --- compare: the engine beside BP1–BP4

Numbers = Sequence[Value | Number]
Example = tuple[Numbers, Numbers]


@dataclass
class Comparison(ShownAsTable):
    """The scalar engine's δ^l, ∂C/∂w^l, ∂C/∂b^l next to the matrix form's, layer by layer.

    For a mini-batch of m examples C is the mean cost, so the engine's ∂C/∂z is δ/m:
    its δ is reported as m·∂C/∂z, one column per example.
    """

    engine: Backprop
    matrix: Backprop
    cost: str
    output: str = ""
    """σ^L, the output layer's activation: it says which form of BP1 applies."""

    def errors(self) -> list[tuple[int, float, float, float]]:
        """(l, max |Δδ^l|, max |Δ∂C/∂w^l|, max |Δ∂C/∂b^l|) for each layer l = 2 … L."""
        e, m = self.engine, self.matrix
        return [
            (
                i + 2,
                _largest(e.delta[i], m.delta[i]),
                _largest(e.grad_w[i], m.grad_w[i]),
                _largest(e.grad_b[i], m.grad_b[i]),
            )
            for i in range(len(m.delta))
        ]

    @property
    def max_error(self) -> float:
        """The largest |difference| in any δ^l_j, ∂C/∂w^l_jk or ∂C/∂b^l_j.

        The costs are shown but not counted: they are sums of logarithms whose last bits
        depend on how each side rounds, while the gradients are compared exactly.
        """
        return max(max(row[1:]) for row in self.errors())

    def ok(self, tol: float = 1e-9) -> bool:
        """True if every difference is at most tol."""
        return self.max_error <= tol

    def table(self) -> Table:
        """The largest difference per layer, then the costs: ``str``, and HTML in Jupyter."""
        m = self.matrix.a[0].shape[1]
        notes = [
            f"cost C = {self.engine.cost:.12g} (matrix {self.matrix.cost:.12g}); "
            f"max error {self.max_error:.3g}"
        ]
        variant = cost_named(self.cost).on.get(self.output)
        if variant:
            notes.append(
                f"BP1 for the {self.cost} cost on {self.output} outputs, taken from z^L: "
                f"{variant.text}"
            )
        return Table(
            ["layer", "n_l", "delta^l", "dC/dw^l", "dC/db^l"],
            [
                [l, delta.shape[0], f"{d:.3g}", f"{w:.3g}", f"{b:.3g}"]
                for (l, d, w, b), delta in zip(self.errors(), self.matrix.delta)
            ],
            title=f"scalar engine vs matrix BP1-BP4 ({self.cost} cost, "
            f"{m} example{'s' if m > 1 else ''}): largest |difference|",
            notes=notes,
            html_headers=["layer l", "nˡ", "max |Δδˡ|", "max |Δ∂C/∂wˡ|", "max |Δ∂C/∂bˡ|"],
        )

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


def _largest(x: Array, y: Array) -> float:
    return float(np.max(np.abs(x - y)))


def _examples(x: object, y: object) -> list[Example]:
    if y is not None:
        return [(cast(Numbers, x), cast(Numbers, y))]
    try:
        batch = [(xi, yi) for xi, yi in cast(Iterable[Example], x)]
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


def compare(net: MLP, x: object, y: object = None, cost: str = "quadratic") -> Comparison:
    """Backpropagate through the scalar engine and through BP1–BP4 and set the results side by side.

    ``compare(net, x, y)`` for one example, ``compare(net, [(x, y), ...])`` for a mini-batch.
    The net's parameters and grads are left as they were.
    """
    batch = _examples(x, y)
    targets = [net.target(yi) for _, yi in batch]
    cost_named(cost).check_targets(targets, "compare", one=y is not None)
    with net.grads_set_aside():
        traces = [net.trace(xi) for xi, _ in batch]
        C = mean_cost(traces, targets, cost)
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
    Y = np.array(targets).T
    reference = backprop_batch(net.weights(), net.biases(), X, Y, net.activations, cost)
    return Comparison(engine, reference, cost, net.activations[-1])


# --- diagnose: gradient health per layer

# The largest value of σ'(z) for each saturating σ: σ'(0) = ¼ for the sigmoid, 1 for tanh.
SATURATING = {"sigmoid": 0.25, "tanh": 1.0}
SATURATED_BELOW = 0.01  # of that largest σ'
MOSTLY = 0.5  # the share of a layer's units beyond which train warns


@dataclass
class LayerHealth:
    """Weight layer l over a data set of m examples.

    ``delta``: the mean over examples of ‖δ^l‖ (one example's cost C_x);
    ``grad_w``, ``grad_b``: ‖∂C/∂w^l‖, ‖∂C/∂b^l‖ of the mean cost C = (1/m) Σ_x C_x;
    ``weight``: ‖w^l‖. ``saturated`` (sigmoid, tanh): the share of the pairs (unit j,
    example x) with σ'(z^l_j) below 1 % of its largest value; ``dead`` (relu): the share
    of units whose z^l_j ≤ 0 on every example. Either is None where it has no meaning,
    as for an output layer whose cost takes δ^L from z^L without σ' (cross-entropy on
    sigmoid outputs): a saturated output there still learns at full speed.
    """

    l: int
    size: int
    activation: str
    delta: float
    grad_w: float
    grad_b: float
    weight: float
    saturated: float | None
    dead: float | None

    @property
    def stuck(self) -> float | None:
        """The saturated or dead share, whichever this layer's activation has."""
        return self.saturated if self.saturated is not None else self.dead


@dataclass
class Diagnosis(ShownAsTable):
    """``diagnose``'s result: one LayerHealth per weight layer l = 2 … L."""

    layers: list[LayerHealth]
    cost: str
    examples: int

    def warnings(self) -> list[str]:
        """A sentence for each layer in which most units are saturated or dead."""
        found = []
        for h in self.layers:
            if h.stuck is not None and h.stuck > MOSTLY:
                what = "saturated (σ'(z) < 1 % of its largest value)"
                if h.dead is not None:
                    what = "dead (z ≤ 0 on every example)"
                found.append(
                    f"layer {h.l} ({h.size} {h.activation} units): {h.stuck:.1%} of its "
                    f"units are {what}, so they learn slowly and pass little δ back"
                )
        return found

    def table(self) -> Table:
        """One row per layer, then the warnings: ``str``, and HTML in Jupyter."""

        def share(x: float | None) -> str:
            return "-" if x is None else f"{x:.1%}"

        return Table(
            [
                "layer",
                "n_l",
                "sigma",
                "mean|delta|",
                "|dC/dw|",
                "|dC/db|",
                "|w|",
                "saturated",
                "dead",
            ],
            [
                [
                    h.l,
                    h.size,
                    h.activation,
                    f"{h.delta:.3g}",
                    f"{h.grad_w:.3g}",
                    f"{h.grad_b:.3g}",
                    f"{h.weight:.3g}",
                    share(h.saturated),
                    share(h.dead),
                ]
                for h in self.layers
            ],  # fmt: skip
            title=f"gradient health over {self.examples} examples ({self.cost} cost)",
            notes=self.warnings(),
            html_headers=[
                "layer l",
                "nˡ",
                "σ",
                "mean ‖δˡ‖",
                "‖∂C/∂wˡ‖",
                "‖∂C/∂bˡ‖",
                "‖wˡ‖",
                "saturated",
                "dead",
            ],  # fmt: skip
        )


def diagnose(net: MLP, data: Data, cost: str = "quadratic") -> Diagnosis:
    """The per-layer gradient health of net over data (pairs, or arrays (X, Y) with a row each).

    The numbers come from the matrix form BP1–BP4 over the whole data set at once (the
    scalar engine's δ^l agree with them to rounding: see ``nn.compare``); the net is not changed.
    """
    X, Y = as_arrays(data, net, "diagnose")
    cost_named(cost).check_targets(Y.tolist(), "diagnose")
    # σ' of the output layer is out of δ^L when the cost has its own rule from z^L
    without_sigma_prime = net.activations[-1] in cost_named(cost).on
    weights, biases = net.weights(), net.biases()
    bp = backprop_batch(weights, biases, X.T, Y.T, net.activations, cost)
    layers = []
    for i, (name, z, delta, gw, gb, w) in enumerate(
        zip(net.activations, bp.z, bp.delta, bp.grad_w, bp.grad_b, weights)
    ):
        saturated = dead = None
        last = i == len(weights) - 1
        if name in SATURATING and not (last and without_sigma_prime):
            sigma_prime = ACTIVATIONS[name].derivative(z)
            saturated = float(np.mean(sigma_prime < SATURATED_BELOW * SATURATING[name]))
        elif name == "relu":
            dead = float(np.mean(np.all(z <= 0.0, axis=1)))
        layers.append(
            LayerHealth(
                l=i + 2,
                size=z.shape[0],
                activation=name,
                delta=float(np.mean(np.linalg.norm(delta, axis=0))),
                grad_w=float(np.linalg.norm(gw)),
                grad_b=float(np.linalg.norm(gb)),
                weight=float(np.linalg.norm(w)),
                saturated=saturated,
                dead=dead,
            )
        )
    return Diagnosis(layers, cost, X.shape[0])
