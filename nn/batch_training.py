"""nn.train's compiled path: the cost of one example, recorded once, replayed per mini-batch.

The step is the scalar path's step, w → w − (η/m) Σ_j ∂C_Xj/∂w, with the net's
parameters held as arrays for the duration of an epoch (``Compiled.parameter_arrays``):
nothing per parameter happens per step, and the parameter Values take the arrays'
numbers when the epoch ends (or stops).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import numpy as np

import engine
from nn.costs import cost_named
from nn.network import MLP


class BatchTrainer:
    """The net's cost and outputs compiled for mini-batches of the (checked) training data."""

    def __init__(self, net: MLP, cost: str, data: Sequence[tuple[Sequence[float], list[float]]]):
        cost_of = cost_named(cost)

        def cost_and_output(x: list[engine.Value], y: list[engine.Value]) -> list[engine.Value]:
            trace = net.trace(x)
            return [cost_of(trace, y), *trace.output]

        def example_cost(x: list[engine.Value], y: list[engine.Value]) -> engine.Value:
            return cost_of(net.trace(x), y)

        example = (list(data[0][0]), data[0][1])
        params = net.parameters()
        self.step = engine.compile(example_cost, example, params, input_grads=False)
        self.evaluator = engine.compile(cost_and_output, example, params, input_grads=False)
        self.X, self.Y = _arrays(data)
        self._data = self._grad = np.zeros(0)
        self.held = self.X[:0], self.Y[:0]

    @classmethod
    def for_net(
        cls, net: MLP, cost: str, data: Sequence[tuple[Sequence[float], list[float]]]
    ) -> BatchTrainer | None:
        """The trainer, or None when recording the cost reads a number it would freeze."""
        with warnings.catch_warnings():
            warnings.simplefilter("error", engine.TracingWarning)
            try:
                return cls(net, cost, data)
            except engine.TracingWarning:  # e.g. a branch on z's sign: the scalar path is exact
                return None

    @contextmanager
    def epoch(self) -> Iterator[None]:
        """Within the block the parameters are arrays; afterwards the net's Values again."""
        with self.step.parameter_arrays() as (self._data, self._grad):
            yield

    def sgd_step(self, batch: list[int], lr: float, keep: float | np.ndarray = 1.0) -> None:
        """One step on the examples ``batch`` (indices), all or nothing as SGD.step.

        ``keep`` multiplies the parameters first (SGD.keep: 1 − ηλ/n for a weight under
        L2 regularisation, 1 for a bias), so the step is (SGD.step's) keep·p − η·grad.
        """
        grad = self._grad
        grad[:] = 0.0
        self.step.backward(self.X[batch], self.Y[batch])
        with np.errstate(over="ignore", invalid="ignore"):  # refused below, by name
            new = keep * self._data - lr * grad
        bad = ~np.isfinite(new)
        if bad.any():
            first = self.step.params[int(np.argmax(bad))]
            what = "grads are not finite" if not np.isfinite(grad).all() else "would be infinite"
            raise FloatingPointError(
                f"SGD.step: {int(bad.sum())} parameters' steps {what} (first: {first.label!r}, "
                f"lr = {lr!r}); no parameter was changed"
            )
        self._data[:] = new

    def held_out(self, data: Sequence[tuple[Sequence[float], list[float]]]) -> None:
        """Keep ``data`` as arrays, for ``evaluate(held_out=True)`` after each epoch."""
        self.held = _arrays(data)

    def evaluate(self, held_out: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """(C for each example, a^L for each): shapes (n,), (n, n_L), of the training or held-out data."""
        X, Y = self.held if held_out else (self.X, self.Y)
        out = self.evaluator(X, Y)
        return out[:, 0], out[:, 1:]


def _arrays(data: Sequence[tuple[Sequence[float], list[float]]]) -> tuple[np.ndarray, np.ndarray]:
    """X and Y with one (checked) example per row."""
    return np.array([x for x, _ in data], dtype=float), np.array([y for _, y in data], dtype=float)
