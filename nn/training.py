"""Mini-batch stochastic gradient descent: w → w − (η/m) Σ_j ∂C_Xj/∂w."""

from __future__ import annotations

import math
import numbers
import random
from collections.abc import Sequence
from dataclasses import dataclass

from engine import Value, no_grad
from engine.value import Number
from nn.costs import cost_named, mean_cost
from nn.network import MLP


class SGD:
    """Plain gradient descent on a list of parameters: p → p − lr · p.grad."""

    def __init__(self, params: Sequence[Value], lr: float) -> None:
        if isinstance(lr, bool) or not isinstance(lr, numbers.Real) or not 0 < lr < math.inf:
            raise ValueError(f"SGD: lr must be a positive finite number, got {lr!r}")
        self.params: list[Value] = list(params)
        if not all(isinstance(p, Value) for p in self.params):
            raise TypeError("SGD: params must be Values")
        self.lr: float = float(lr)

    def step(self) -> None:
        """Move every parameter against its grad; refuses (changing nothing) if a grad is not finite."""
        bad = [p for p in self.params if not math.isfinite(p.grad)]
        if bad:
            raise FloatingPointError(
                f"SGD.step: {len(bad)} parameter grads are not finite "
                f"(first: {bad[0]!r}); no parameter was changed"
            )
        lr = self.lr
        for p in self.params:
            p.data -= lr * p.grad

    def zero_grad(self) -> None:
        """Set every parameter's grad to 0."""
        for p in self.params:
            p.grad = 0.0


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
    with no_grad():
        traces = [net.trace(x) for x, _ in data]
        c = mean_cost(traces, [y for _, y in data], cost).data
    hits = [_is_hit([v.data for v in t.output], y) for t, (_, y) in zip(traces, data)]
    accuracy = None if None in hits else sum(map(bool, hits)) / len(hits)
    return c, accuracy


def _check_data(net: MLP, data: Sequence[tuple[Sequence[Number], Sequence[Number]]]) -> list:
    data = list(data)
    if not data:
        raise ValueError("train: data is empty")
    n_out = net.sizes[-1]
    for i, pair in enumerate(data):
        if not (isinstance(pair, (tuple, list)) and len(pair) == 2):
            raise TypeError(f"train: data[{i}] must be an (x, y) pair, got {pair!r}")
        x, y = pair
        try:
            net.inputs(x)
        except (TypeError, ValueError) as e:
            raise type(e)(f"train: data[{i}] x: {e}") from None
        if len(y) != n_out:
            raise ValueError(
                f"train: data[{i}] target has {len(y)} values but the net has {n_out} outputs"
            )
    return data


def _positive_int(value: object, name: str, allow_zero: bool = False) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < (0 if allow_zero else 1):
        raise ValueError(
            f"train: {name} must be a {'non-negative' if allow_zero else 'positive'} "
            f"integer, got {value!r}"
        )
    return value


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
    epochs = _positive_int(epochs, "epochs", allow_zero=True)
    batch_size = _positive_int(batch_size, "batch_size")
    cost_named(cost).check_output(net.activations[-1])
    data = _check_data(net, data)
    optimizer = SGD(net.parameters(), lr)
    rng = random.Random(seed)
    history = []
    for epoch in range(1, epochs + 1):
        order = list(range(len(data)))
        rng.shuffle(order)
        for start in range(0, len(order), batch_size):
            batch = [data[i] for i in order[start : start + batch_size]]
            C = mean_cost([net.trace(x) for x, _ in batch], [y for _, y in batch], cost)
            optimizer.zero_grad()
            C.backward()
            optimizer.step()
        stats = EpochStats(epoch, *evaluate(net, data, cost))
        history.append(stats)
        if verbose:
            acc = "" if stats.accuracy is None else f"  accuracy {stats.accuracy:6.1%}"
            print(f"epoch {epoch:>{len(str(epochs))}}/{epochs}  cost {stats.cost:.6f}{acc}")
    return history
