"""The scalar engine's δ^l and gradients beside the matrix reference's BP1–BP4, layer by layer.

This is the one module that knows both sides: it backpropagates a net of Values with
``backward()`` and runs ``nn.matrix.backprop_batch`` on the same parameters.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

import numpy as np

from engine import Value
from engine.table import ShownAsTable, Table
from engine.value import Number
from nn.costs import cost_named, mean_cost
from nn.matrix import Array, Backprop, backprop_batch
from nn.network import MLP

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
