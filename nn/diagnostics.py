"""Gradient health per layer: how large δ^l and the gradients are, and how many units are stuck.

Chapter 5 of Nielsen's book measures the speed at which layer l learns by ‖∂C/∂b^l‖
and finds it smaller, layer by layer, towards the input: the vanishing gradient. Its
cause is a product of factors σ'(z) ≤ ¼ in BP2, and a unit whose σ'(z) is near 0
(a saturated sigmoid or tanh) or exactly 0 (a relu that never fires) passes almost no
δ back. ``diagnose`` measures both, layer by layer, over a whole data set.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.table import ShownAsTable, Table
from nn import matrix
from nn.activations import ACTIVATIONS
from nn.costs import cost_named
from nn.data import Data, as_arrays
from nn.network import MLP

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
    bp = matrix.backprop_batch(weights, biases, X.T, Y.T, net.activations, cost)
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
