"""Mini-batch stochastic gradient descent: w → w − (η/m) Σ_j ∂C_Xj/∂w."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from engine import Value, no_grad
from engine.autodiff import zero_grad
from engine.value import Number, is_real
from nn.checks import is_integer, seeded
from nn.costs import cost_named, mean_cost
from nn.network import MLP

Example = tuple[Sequence[Number], list[float]]


class SGD:
    """Plain gradient descent on a list of parameters: p → p − lr · p.grad."""

    def __init__(self, params: Sequence[Value], lr: float) -> None:
        if not is_real(lr) or not 0 < lr < math.inf:
            raise ValueError(f"SGD: lr must be a positive finite number, got {lr!r}")
        self.params: list[Value] = list(params)
        if not all(isinstance(p, Value) for p in self.params):
            raise TypeError("SGD: params must be Values")
        self.lr: float = float(lr)

    def step(self) -> None:
        """Move every parameter against its grad, all or none: a non-finite grad or result changes nothing."""
        bad = [p for p in self.params if not math.isfinite(p.grad)]
        if bad:
            raise FloatingPointError(
                f"SGD.step: {len(bad)} parameter grads are not finite "
                f"(first: {bad[0]!r}); no parameter was changed"
            )
        lr = self.lr
        updated = [p.data - lr * p.grad for p in self.params]
        overflowed = [p for p, new in zip(self.params, updated) if not math.isfinite(new)]
        if overflowed:
            raise FloatingPointError(
                f"SGD.step: the step lr·grad would make {len(overflowed)} parameters "
                f"infinite (first: {overflowed[0]!r}, lr = {lr!r}); no parameter was "
                f"changed. Try a smaller learning rate"
            )
        for p, new in zip(self.params, updated):
            p.data = new

    def zero_grad(self) -> None:
        """Set the grad of each parameter this optimizer updates to 0, and of no other node."""
        zero_grad(self.params)


@dataclass
class EpochStats:
    """What one epoch ended with: mean cost over the data and, for 0/1 targets, accuracy."""

    epoch: int
    cost: float
    accuracy: float | None


def _is_hit(a: Sequence[float], y: Sequence[float]) -> bool | None:
    """Whether output a classifies like target y: argmax for one-hot, a > ½ for 0/1 targets."""
    if any(t not in (0, 1) for t in y):
        return None
    if len(y) == 1:
        return (a[0] > 0.5) == (y[0] == 1)
    if sum(y) != 1:
        return None
    return max(range(len(a)), key=a.__getitem__) == list(y).index(1)


def evaluate(
    net: MLP, data: Sequence[tuple[Sequence[Number], Sequence[Number]]], cost: str = "quadratic"
) -> tuple[float, float | None]:
    """(mean cost, accuracy or None) of net over data, recording no graph."""
    cost_named(cost).check_output(net.activations[-1])
    return _evaluate(net, _check_data(net, data, "evaluate"), cost)


def _evaluate(net: MLP, data: list[Example], cost: str) -> tuple[float, float | None]:
    with no_grad():
        traces = [net.trace(x) for x, _ in data]
        c = mean_cost(traces, [y for _, y in data], cost).data
    hits = [_is_hit([v.data for v in t.output], y) for t, (_, y) in zip(traces, data)]
    accuracy = None if None in hits else sum(map(bool, hits)) / len(hits)
    return c, accuracy


def _check_data(
    net: MLP, data: Sequence[tuple[Sequence[Number], Sequence[Number]]], who: str
) -> list[Example]:
    """data as a list of (x, y) pairs with y as floats, every input and target checked.

    An error names data[i] and what is wrong with it, before anything is computed.
    """
    pairs = list(data)
    if not pairs:
        raise ValueError(f"{who}: data is empty")
    checked = []
    for i, pair in enumerate(pairs):
        if not (isinstance(pair, (tuple, list)) and len(pair) == 2):
            raise TypeError(f"{who}: data[{i}] must be an (x, y) pair, got {pair!r:.80}")
        x, y = pair
        try:
            net.inputs(x)
            checked.append((x, net.target(y)))
        except (TypeError, ValueError, OverflowError) as e:
            raise type(e)(f"{who}: data[{i}]: {e}") from None
    return checked


def _count(value: object, name: str, allow_zero: bool = False) -> int:
    """value as an int if it is a positive (or, allow_zero, non-negative) integer, numpy's included."""
    least = 0 if allow_zero else 1
    if not (is_integer(value) and value >= least):
        raise ValueError(
            f"train: {name} must be a {'non-negative' if allow_zero else 'positive'} "
            f"integer, got {value!r}"
        )
    return int(value)


def train(
    net: MLP,
    data: Sequence[tuple[Sequence[Number], Sequence[Number]]],
    epochs: int,
    batch_size: int,
    lr: float,
    cost: str = "quadratic",
    seed: int | None = None,
    verbose: bool = True,
) -> list[EpochStats]:
    """Mini-batch SGD over shuffled data; prints a line per epoch unless verbose=False.

    Each step takes m = batch_size examples X_1 … X_m and moves every parameter by
    −(η/m) Σ_j ∂C_Xj/∂w, η = lr: the gradient of the batch's mean cost.
    """
    epochs = _count(epochs, "epochs", allow_zero=True)
    batch_size = _count(batch_size, "batch_size")
    cost_named(cost).check_output(net.activations[-1])
    checked = _check_data(net, data, "train")
    optimizer = SGD(net.parameters(), lr)
    rng = seeded(seed, "train")
    history = []
    for epoch in range(1, epochs + 1):
        order = list(range(len(checked)))
        rng.shuffle(order)
        for start in range(0, len(order), batch_size):
            batch = [checked[i] for i in order[start : start + batch_size]]
            try:
                C = mean_cost([net.trace(x) for x, _ in batch], [y for _, y in batch], cost)
                optimizer.zero_grad()
                C.backward()
                optimizer.step()
            except ArithmeticError as e:  # an overflow: the step before it stands whole
                raise type(e)(
                    f"train: stopped in epoch {epoch}, mini-batch {start // batch_size + 1} "
                    f"(lr = {lr!r}); the net keeps the parameters of the last completed "
                    f"step: {e}"
                ) from None
        stats = EpochStats(epoch, *_evaluate(net, checked, cost))
        history.append(stats)
        if verbose:
            acc = "" if stats.accuracy is None else f"  accuracy {stats.accuracy:6.1%}"
            print(f"epoch {epoch:>{len(str(epochs))}}/{epochs}  cost {stats.cost:.6g}{acc}")
    return history
