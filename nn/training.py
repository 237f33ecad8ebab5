"""Mini-batch stochastic gradient descent, w → (1 − ηλ/n) w − (η/m) Σ_j ∂C_Xj/∂w, and evaluation."""

from __future__ import annotations

import math
import numbers
import random
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from engine import Value, no_grad
from nn import diagnostics
from nn.costs import cost_named, mean_cost
from nn.data import Data, as_pairs
from nn.diagnostics import Diagnosis
from nn.network import MLP
from nn.progress import Progress


class SGD:
    """Gradient descent on a list of parameters: p → (1 − η·weight_decay) p − η · p.grad.

    ``weight_decay`` applies to the parameters in ``decayed`` (all of them by default):
    network2's L2 step w → (1 − ηλ/n) w − (η/m) Σ ∂C/∂w is ``weight_decay = λ/n`` with
    the weights decayed and the biases not.
    """

    def __init__(
        self,
        params: Sequence[Value],
        lr: float,
        weight_decay: float = 0.0,
        decayed: Sequence[Value] | None = None,
    ) -> None:
        self.lr = _real(lr, "SGD: lr", positive=True)
        self.weight_decay = _real(weight_decay, "SGD: weight_decay")
        self.params = list(params)
        if not all(isinstance(p, Value) for p in self.params):
            raise TypeError("SGD: params must be Values")
        ids = {id(p) for p in self.params}
        decay = self.params if decayed is None else list(decayed)
        if not all(id(p) in ids for p in decay):
            raise ValueError("SGD: decayed must be some of params")
        decay_ids = {id(p) for p in decay} if self.weight_decay else set()
        self._decay = [id(p) in decay_ids for p in self.params]

    def step(self) -> None:
        """Move every parameter against its grad; refuses (changing nothing) if a grad is not finite."""
        bad = [p for p in self.params if not math.isfinite(p.grad)]
        if bad:
            raise FloatingPointError(
                f"SGD.step: {len(bad)} parameter grads are not finite "
                f"(first: {bad[0]!r}); no parameter was changed"
            )
        lr, keep = self.lr, 1.0 - self.lr * self.weight_decay
        for p, decays in zip(self.params, self._decay):
            p.data = (keep * p.data if decays else p.data) - lr * p.grad

    def zero_grad(self) -> None:
        """Set every parameter's grad to 0."""
        for p in self.params:
            p.grad = 0.0


@dataclass
class EpochStats:
    """What one epoch ended with: mean cost and, for 0/1 or one-hot targets, accuracy.

    ``cost`` is the mean cost of the data, without the L2 term. ``test_cost`` and
    ``test_accuracy`` are those of ``test_data`` when train was given it; ``diagnosis``
    is the gradient health over the training data when train was asked for it;
    ``seconds`` is the time the epoch's training steps took.
    """

    epoch: int
    cost: float
    accuracy: float | None
    test_cost: float | None = None
    test_accuracy: float | None = None
    diagnosis: Diagnosis | None = None
    seconds: float = 0.0


class TrainingWarning(UserWarning):
    """Training goes on, but something in the net is unhealthy (most units saturated or dead)."""


def _is_hit(a: Sequence[float], y: Sequence[float]) -> bool | None:
    """Whether output a classifies like target y: argmax for one-hot, a > ½ for 0/1 targets."""
    if any(t not in (0, 1) for t in y):
        return None
    if len(y) == 1:
        return (a[0] > 0.5) == (y[0] == 1)
    if sum(y) != 1:
        return None
    return max(range(len(a)), key=a.__getitem__) == list(y).index(1)


def _evaluate(
    net: MLP, pairs: list[tuple[list[float], list[float]]], cost: str
) -> tuple[float, float | None]:
    with no_grad():
        traces = [net.trace(x) for x, _ in pairs]
        c = mean_cost(traces, [y for _, y in pairs], cost).data
    hits = [_is_hit([v.data for v in t.output], y) for t, (_, y) in zip(traces, pairs)]
    if any(hit is None for hit in hits):
        return c, None
    return c, sum(map(bool, hits)) / len(hits)


def evaluate(net: MLP, data: Data, cost: str = "quadratic") -> tuple[float, float | None]:
    """(mean cost, accuracy or None) of net over data (pairs, or arrays (X, Y)), recording no graph."""
    cost_named(cost).check_output(net.activations[-1])
    return _evaluate(net, as_pairs(data, net, "evaluate"), cost)


def _real(value: object, name: str, positive: bool = False) -> float:
    """value as a float: finite, and > 0 if ``positive`` else ≥ 0; ValueError naming it."""
    x = math.nan if isinstance(value, bool) or not isinstance(value, numbers.Real) else float(value)
    if not (0 < x < math.inf if positive else 0 <= x < math.inf):
        raise ValueError(
            f"{name} must be a {'positive' if positive else 'non-negative'} finite number, "
            f"got {value!r}"
        )
    return x


def _positive_int(value: object, name: str, allow_zero: bool = False) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < (0 if allow_zero else 1):
        raise ValueError(
            f"train: {name} must be a {'non-negative' if allow_zero else 'positive'} "
            f"integer, got {value!r}"
        )
    return value


def _report(stats: EpochStats, epochs: int) -> str:
    """One line per epoch: training cost and accuracy, then held-out ones if there are any."""

    def scores(cost: float, accuracy: float | None) -> str:
        return f"cost {cost:.6f}" + ("" if accuracy is None else f"  accuracy {accuracy:6.1%}")

    line = f"epoch {stats.epoch:>{len(str(epochs))}}/{epochs}  {scores(stats.cost, stats.accuracy)}"
    if stats.test_cost is not None:
        line += f"  | test {scores(stats.test_cost, stats.test_accuracy)}"
    return line + f"  ({stats.seconds:.1f} s)"


def epoch_batches(n: int, batch_size: int, rng: random.Random) -> list[list[int]]:
    """One epoch's mini-batches: the indices 0 … n−1 shuffled by rng, cut into runs of batch_size."""
    order = list(range(n))
    rng.shuffle(order)
    return [order[begin : begin + batch_size] for begin in range(0, n, batch_size)]


def train(
    net: MLP,
    data: Data,
    epochs: int,
    batch_size: int,
    lr: float,
    cost: str = "quadratic",
    seed: int | None = None,
    verbose: bool = True,
    test_data: Data | None = None,
    l2: float = 0.0,
    diagnose: bool = False,
    on_epoch: Callable[[EpochStats], object] | None = None,
) -> list[EpochStats]:
    """Mini-batch SGD over shuffled data; returns the history, one EpochStats per epoch.

    Each step takes m = batch_size examples X_1 … X_m and moves every weight by
    w → (1 − ηλ/n) w − (η/m) Σ_j ∂C_Xj/∂w, η = lr, λ = l2, n = len(data) (network2's
    L2-regularised step; biases are not decayed, and λ = 0 is plain SGD). ``data`` and
    ``test_data`` are lists of (x, y) pairs or arrays (X, Y) with one example per row.
    With ``diagnose=True`` each epoch also records ``nn.diagnose`` of the training data
    and a TrainingWarning is issued, once, when most units of a layer are saturated or
    dead. ``verbose`` prints a line per epoch (and a progress bar during an epoch that is
    slow, when the output is a terminal); ``verbose=False`` prints nothing. ``on_epoch``,
    if given, is called with each epoch's EpochStats as soon as it is known. The
    mini-batches are ``epoch_batches(len(data), batch_size, rng)`` for each epoch in turn,
    with ``rng = random.Random(seed)``.
    """
    epochs = _positive_int(epochs, "epochs", allow_zero=True)
    batch_size = _positive_int(batch_size, "batch_size")
    l2 = _real(l2, "train: l2")
    cost_named(cost).check_output(net.activations[-1])
    pairs = as_pairs(data, net, "train")
    test_pairs = None if test_data is None else as_pairs(test_data, net, "train: test_data")
    optimizer = SGD(net.parameters(), lr, weight_decay=l2 / len(pairs), decayed=net.weight_params())
    rng = random.Random(seed)
    history: list[EpochStats] = []
    warned = False
    for epoch in range(1, epochs + 1):
        progress = Progress(len(pairs), f"epoch {epoch}/{epochs}") if verbose else None
        start = time.perf_counter()
        done = 0
        for indices in epoch_batches(len(pairs), batch_size, rng):
            batch = [pairs[i] for i in indices]
            C = mean_cost([net.trace(x) for x, _ in batch], [y for _, y in batch], cost)
            optimizer.zero_grad()
            C.backward()
            optimizer.step()
            done += len(batch)
            if progress:
                progress.update(done)
        seconds = time.perf_counter() - start
        if progress:
            progress.close()
        stats = EpochStats(epoch, *_evaluate(net, pairs, cost), seconds=seconds)
        if test_pairs is not None:
            stats.test_cost, stats.test_accuracy = _evaluate(net, test_pairs, cost)
        if diagnose:
            stats.diagnosis = diagnostics.diagnose(net, pairs, cost)
            found = stats.diagnosis.warnings()
            if found and not warned:
                warnings.warn(
                    f"train, epoch {epoch}: " + "; ".join(found), TrainingWarning, stacklevel=2
                )
                warned = True
        history.append(stats)
        if verbose:
            print(_report(stats, epochs))
        if on_epoch is not None:
            on_epoch(stats)
    return history
