"""nn.train's steps, chosen once per run: the compiled replay or the scalar graphs, sharing one
all-or-nothing SGD update, and the scores of whole data sets in bounded chunks.

The compiled step is the scalar path's step, w → w − (η/m) Σ_j ∂C_Xj/∂w, with the net's
parameters held as arrays for the duration of an epoch (``Compiled.parameter_arrays``):
nothing per parameter happens per step, and the parameter Values take the arrays'
numbers when the epoch ends (or stops). Data stays in arrays (X, Y), one example per row.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING

import numpy as np

import engine
from engine import no_grad
from engine.compile.recording import first_output, laid_out_as_first, record
from engine.compile.replay import Compiled
from nn.costs import cost_named, mean_cost
from nn.network import MLP, collector_paused

if TYPE_CHECKING:
    from nn.training import SGD

Arrays = tuple[np.ndarray, np.ndarray]

# Examples scored per replay or per batch of scalar graphs: the memory of scoring stays flat
# as the data grows (the replay's buffers hold a column per example, a graph a node per op).
CHUNK = 256


def sgd_update(
    data: np.ndarray,
    grad: np.ndarray,
    lr: float,
    decay_factor: float | np.ndarray,
    name: Callable[[int], str],
    out: np.ndarray | None = None,
) -> np.ndarray:
    """decay_factor·data − lr·grad, the one SGD update; FloatingPointError if not all finite.

    ``decay_factor`` is 1 − ηλ/n for a decayed weight, 1 otherwise (``SGD.decay_factors``);
    ``name(i)`` names parameter i in the message. Nothing is written here but ``out`` (a
    scratch array, if given, for the result): the caller writes all or nothing.
    """
    with np.errstate(over="ignore", invalid="ignore"):  # refused below, by name
        new = np.multiply(grad, lr, out=out)  # lr·grad, then decay_factor·data − lr·grad into it
        plain = isinstance(decay_factor, (int, float)) and decay_factor == 1.0  # (1·data = data)
        np.subtract(data if plain else decay_factor * data, new, out=new)
    finite = np.isfinite(new)
    if finite.all():
        return new
    bad_grads = ~np.isfinite(grad)
    if bad_grads.any():
        raise FloatingPointError(
            f"SGD.step: {int(bad_grads.sum())} parameter grads are not finite "
            f"(first: {name(int(np.argmax(bad_grads)))}); no parameter was changed"
        )
    raise FloatingPointError(
        f"SGD.step: the step lr·grad would make {int((~finite).sum())} parameters infinite "
        f"(first: {name(int(np.argmin(finite)))}, lr = {lr!r}); no parameter was changed. "
        f"Try a smaller learning rate"
    )


def arrays(data: Sequence[tuple[Sequence[float], Sequence[float]]] | Arrays) -> Arrays:
    """(X, Y) as float64 arrays of checked data (finite, a row per example, the net's widths),
    given as arrays already or as (x, y) pairs."""
    if isinstance(data, tuple) and len(data) == 2 and isinstance(data[0], np.ndarray):
        return np.asarray(data[0], dtype=float), np.asarray(data[1], dtype=float)
    pairs = list(data)
    return np.array([x for x, _ in pairs], dtype=float), np.array(
        [y for _, y in pairs], dtype=float
    )


def accuracy(outputs: np.ndarray, targets: np.ndarray) -> float | None:
    """The share of rows a^L classifies like y: argmax for one-hot y, a > ½ for 0/1; None otherwise."""
    if not np.isin(targets, (0.0, 1.0)).all():
        return None
    if targets.shape[1] == 1:
        hits = (outputs[:, 0] > 0.5) == (targets[:, 0] == 1.0)
    elif not (targets.sum(axis=1) == 1.0).all():
        return None
    else:
        hits = outputs.argmax(axis=1) == targets.argmax(axis=1)
    return float(np.mean(hits))


def scalar_scores(net: MLP, X: np.ndarray, Y: np.ndarray, cost: str) -> tuple[float, float | None]:
    """(mean cost, accuracy) of net over (X, Y) by scalar graphs, CHUNK examples at a time."""
    cost_of = cost_named(cost)
    total = 0.0  # summed in the order mean_cost sums: the same number
    outputs = np.empty((len(X), net.sizes[-1]))
    with no_grad():
        for begin in range(0, len(X), CHUNK):
            xs, ys = X[begin : begin + CHUNK].tolist(), Y[begin : begin + CHUNK].tolist()
            for i, (x, y) in enumerate(zip(xs, ys), begin):
                trace = net.trace(x)
                total += cost_of(trace, y).data
                outputs[i] = [v.data for v in trace.output]
    return total * (1.0 / len(X)), accuracy(outputs, Y)


class ScalarSteps:
    """nn.train's scalar path: each step builds the mini-batch's graph and backpropagates it."""

    compiled = False

    def __init__(self, net: MLP, cost: str, data: Arrays) -> None:
        self.net, self.cost = net, cost
        self.X, self.Y = data
        self.held = self.X[:0], self.Y[:0]

    def epoch(self) -> AbstractContextManager[None]:
        """The block of one epoch's steps (the collector paused)."""
        return collector_paused()

    def step(self, batch: list[int], optimizer: SGD) -> None:
        """One SGD step on the examples ``batch`` (indices): graph, backward, ``optimizer.step()``."""
        traces = [self.net.trace(x) for x in self.X[batch].tolist()]
        C = mean_cost(traces, self.Y[batch].tolist(), self.cost)
        optimizer.zero_grad()
        C.backward()
        optimizer.step()

    def held_out(self, data: Arrays) -> None:
        """Keep ``data`` as arrays, for ``scores(held_out=True)``."""
        self.held = arrays(data)

    def scores(self, held_out: bool = False) -> tuple[float, float | None]:
        """(mean cost, accuracy) of the training data, or of the held-out data."""
        X, Y = self.held if held_out else (self.X, self.Y)
        return scalar_scores(self.net, X, Y, self.cost)


class BatchTrainer:
    """The net's cost and outputs compiled for mini-batches of the training data.

    The data must be checked already (``nn.datasets.as_arrays``): the replays read its rows
    without checking them again.
    """

    compiled = True

    def __init__(
        self, net: MLP, cost: str, data: Sequence[tuple[Sequence[float], Sequence[float]]] | Arrays
    ) -> None:
        cost_of = cost_named(cost)

        def cost_and_output(x: list[engine.Value], y: list[engine.Value]) -> list[engine.Value]:
            trace = net.trace(x)
            return [cost_of(trace, y), *trace.output]

        def example_cost(x: list[engine.Value], y: list[engine.Value]) -> engine.Value:
            return cost_of(net.trace(x), y)

        self.X, self.Y = arrays(data)
        example = (self.X[0].tolist(), self.Y[0].tolist())
        params = net.parameters()
        # The net recorded once, the cost its first output: one replay serves the steps
        # (the cost's backward) and the scores, unless the cost's own plan differs.
        recording = record(cost_and_output, example, params)
        shared = laid_out_as_first(recording)
        self.evaluator = Compiled(
            cost_and_output, recording, "mean", input_grads=False, backward_of_first=shared
        )
        self.compiled_step = (
            self.evaluator
            if shared
            else Compiled(example_cost, first_output(recording), "mean", input_grads=False)
        )
        self._data = self._grad = np.zeros(0)
        self._new = np.empty(len(params))  # each step's new parameters, before they are written
        self._decay_factor: float | np.ndarray = 1.0
        # the (optimizer, lr, weight_decay) it is for: another SGD may decay other parameters
        self._decay_for: tuple[SGD, float, float] | None = None
        self.held = self.X[:0], self.Y[:0]

    @classmethod
    def for_net(
        cls, net: MLP, cost: str, data: Sequence[tuple[Sequence[float], Sequence[float]]] | Arrays
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
        with self.compiled_step.parameter_arrays() as (self._data, self._grad):
            yield

    def step(self, batch: list[int], optimizer: SGD) -> None:
        """One step on the examples ``batch`` with ``optimizer``'s learning rate and decay."""
        settings = (optimizer, optimizer.lr, optimizer.weight_decay)
        if self._decay_for != settings:  # derived from the optimizer's lr and decay as they are
            self._decay_for = settings
            self._decay_factor = optimizer.decay_factors if optimizer.weight_decay else 1.0
        self.sgd_step(batch, optimizer.lr, self._decay_factor)

    def sgd_step(self, batch: list[int], lr: float, decay_factor: float | np.ndarray = 1.0) -> None:
        """One step on the examples ``batch`` (indices), all or nothing as SGD.step.

        ``decay_factor`` multiplies the parameters first (SGD.decay_factors: 1 − ηλ/n for a
        weight under L2 regularisation, 1 for a bias), so the step is (SGD.step's)
        decay_factor·p − η·grad.
        """
        rows = np.fromiter(batch, np.intp, len(batch))
        # rows of the checked data, read without checking them again; the grads are set to
        # 0 + the batch's (zeroing them and adding, in one pass)
        batch_rows = [self.X.take(rows, axis=0), self.Y.take(rows, axis=0)]
        self.compiled_step._backward(batch_rows, fresh=True)
        params = self.compiled_step.params
        new = sgd_update(
            self._data, self._grad, lr, decay_factor, lambda i: repr(params[i].label), out=self._new
        )
        np.copyto(self._data, new)  # one numpy operation: all or none

    def held_out(self, data: Sequence[tuple[Sequence[float], Sequence[float]]] | Arrays) -> None:
        """Keep ``data`` as arrays, for ``evaluate(held_out=True)`` after each epoch."""
        self.held = arrays(data)

    def evaluate(self, held_out: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """(C for each example, a^L for each): shapes (n,), (n, n_L), of the training or held-out data.

        The replay runs on CHUNK examples at a time, so its buffers stay the same size
        however many examples there are.
        """
        X, Y = self.held if held_out else (self.X, self.Y)
        with self.evaluator._reading():  # the parameters' numbers read once, not per chunk
            chunks = [  # chunks of the checked data, read without checking them again
                self.evaluator._call([X[i : i + CHUNK], Y[i : i + CHUNK]])
                for i in range(0, len(X), CHUNK)
            ]
        out = np.concatenate(chunks)
        return out[:, 0], out[:, 1:]

    def scores(self, held_out: bool = False) -> tuple[float, float | None]:
        """(mean cost, accuracy) of the training data, or of the held-out data."""
        costs, outputs = self.evaluate(held_out)
        return float(np.mean(costs)), accuracy(outputs, self.held[1] if held_out else self.Y)
