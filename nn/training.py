"""Mini-batch SGD, w → (1 − ηλ/n) w − (η/m) Σ_j ∂C_Xj/∂w, evaluation, and a run's progress bar."""

from __future__ import annotations

import random
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TextIO

import numpy as np
from tqdm import autonotebook, std
from tqdm.auto import tqdm

from engine import Value, checks
from engine.backing import Placement, placement
from engine.table import ShownAsTable, Table
from nn import reports
from nn.batch_training import BatchTrainer, ScalarSteps, scalar_scores, sgd_update
from nn.costs import cost_named
from nn.datasets import Data, as_arrays
from nn.network import MLP
from nn.reports import Diagnosis


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
        self.lr = checks.real_number(lr, "SGD: lr", positive=True)
        self.weight_decay = checks.real_number(weight_decay, "SGD: weight_decay", least=0)
        # a tuple: where the params live is looked up once (engine.backing), so the list
        # cannot change under the optimizer; another list of parameters is another SGD
        self.params: tuple[Value, ...] = tuple(params)
        if not all(issubclass(kind, Value) for kind in set(map(type, self.params))):
            raise TypeError("SGD: params must be Values")
        ids = set(map(id, self.params))
        decay = self.params if decayed is None else list(decayed)
        if not ids.issuperset(map(id, decay)):
            raise ValueError("SGD: decayed must be some of params")
        if self.weight_decay:
            self.decays = list(map(set(map(id, decay)).__contains__, map(id, self.params)))
        else:
            self.decays = [False] * len(self.params)
        self._placement: Placement | None = None  # where the params live (engine.backing)

    @property
    def decay_factors(self) -> np.ndarray:
        """The factor each parameter is multiplied by before the gradient step: 1 − η·weight_decay or 1."""
        return np.where(self.decays, 1.0 - self.lr * self.weight_decay, 1.0)

    def step(self) -> None:
        """Move every parameter against its grad, all or none: a non-finite grad or result changes nothing.

        Parameters that a compiled function holds in its arrays (``engine.backing``) are
        stepped there, in one numpy operation for all of them.
        """
        params = self.params
        where = self._where()
        factor = self.decay_factors if self.weight_decay else 1.0  # 1·p is p, bit for bit
        whole = where.whole
        if whole is not None:  # the arrays are the parameters': one write, all or none
            new = sgd_update(whole.data, whole.grad, self.lr, factor, lambda i: repr(params[i]))
            whole.data[...] = new
        else:
            new = sgd_update(
                where.numbers(), where.grads(), self.lr, factor, lambda i: repr(params[i])
            )
            where.assign(new)  # sgd_update has proven every new number a finite float

    def zero_grad(self) -> None:
        """Set the grad of each parameter this optimizer updates to 0, and of no other node."""
        self._where().zero_grads()

    def _where(self) -> Placement:
        self._placement = placement(self.params, self._placement)
        return self._placement


@dataclass
class EpochStats:
    """What one epoch ended with: mean cost and, for 0/1 or one-hot targets, accuracy.

    ``cost`` is the mean cost of the data, without the L2 term. ``test_cost`` and
    ``test_accuracy`` are those of ``test_data`` when train was given it; ``diagnosis``
    is the gradient health over the training data when train was asked for it;
    ``seconds`` is the time the epoch's training steps took, and ``compiled`` says
    whether they were batch replays (``engine.compile``) or scalar graphs.
    """

    epoch: int
    cost: float
    accuracy: float | None
    test_cost: float | None = None
    test_accuracy: float | None = None
    diagnosis: Diagnosis | None = None
    seconds: float = 0.0
    compiled: bool = False


class History(ShownAsTable, list[EpochStats]):
    """What ``train`` returns: one EpochStats per epoch, shown as a table (HTML in Jupyter)."""

    def table(self) -> Table:
        """One row per epoch: cost and accuracy of the training data, then of the test data."""

        def share(x: float | None) -> str:
            return "-" if x is None else f"{x:.1%}"

        held_out = any(s.test_cost is not None for s in self)
        headers = ["epoch", "cost", "accuracy"]
        headers += ["test cost", "test accuracy"] if held_out else []
        rows = []
        for s in self:
            row = [s.epoch, f"{s.cost:.6g}", share(s.accuracy)]
            if held_out:
                row += ["-" if s.test_cost is None else f"{s.test_cost:.6g}"]
                row += [share(s.test_accuracy)]
            rows.append(row + [f"{s.seconds:.2f}", "compiled" if s.compiled else "scalar"])
        epochs = f"{len(self)} epoch{'s' * (len(self) != 1)}"
        return Table([*headers, "seconds", "path"], rows, title=f"training history, {epochs}")


class TrainingWarning(UserWarning):
    """Training goes on, but something in the net is unhealthy (most units saturated or dead)."""


def evaluate(net: MLP, data: Data, cost: str = "quadratic") -> tuple[float, float | None]:
    """(mean cost, accuracy or None) of net over data (pairs, or arrays (X, Y)), recording no graph."""
    cost_of = cost_named(cost)
    cost_of.check_output(net.activations[-1])
    X, Y = as_arrays(data, net, "evaluate")
    cost_of.check_targets(Y, "evaluate")
    return scalar_scores(net, X, Y, cost)


def _report(stats: EpochStats, epochs: int) -> str:
    """One line per epoch: training cost and accuracy, then held-out ones if there are any."""

    def scores(cost: float, accuracy: float | None) -> str:
        return f"cost {cost:.6g}" + ("" if accuracy is None else f"  accuracy {accuracy:6.1%}")

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
    compiled: bool = True,
    test_data: Data | None = None,
    l2: float = 0.0,
    diagnose: bool = False,
    on_epoch: Callable[[EpochStats], object] | None = None,
) -> History:
    """Mini-batch SGD over shuffled data; returns the History, one EpochStats per epoch.

    Each step takes m = batch_size examples X_1 … X_m and moves every weight by
    w → (1 − ηλ/n) w − (η/m) Σ_j ∂C_Xj/∂w, η = lr, λ = l2, n = len(data) (network2's
    L2-regularised step; biases are not decayed, and λ = 0 is plain SGD). ``data`` and
    ``test_data`` are lists of (x, y) pairs or arrays (X, Y) with one example per row.
    With ``compiled`` (the default) each step is one batch replay of the cost recorded
    once (``engine.compile``), unless recording it reads a number it would freeze (then,
    as with ``compiled=False``, each step builds and backpropagates the scalar graph).
    With ``diagnose=True`` each epoch also records ``nn.diagnose`` of the training data
    and a TrainingWarning is issued, once, when most units of a layer are saturated or
    dead. ``verbose`` prints a line per epoch and shows tqdm's progress bar over the run
    once it has taken 2 s (a widget in Jupyter, a line on a terminal, nothing in a log
    file); ``verbose=False`` prints nothing. ``on_epoch``,
    if given, is called with each epoch's EpochStats as soon as it is known. The
    mini-batches are ``epoch_batches(len(data), batch_size, rng)`` for each epoch in turn,
    with ``rng = random.Random(seed)``.
    """
    epochs = checks.count(epochs, "train: epochs", least=0)
    batch_size = checks.count(batch_size, "train: batch_size")
    lr = checks.real_number(lr, "train: lr", positive=True)
    l2 = checks.real_number(l2, "train: l2", least=0)
    verbose = checks.flag(verbose, "train: verbose")
    diagnose = checks.flag(diagnose, "train: diagnose")
    compiled = checks.flag(compiled, "train: compiled")
    if on_epoch is not None and not callable(on_epoch):
        raise TypeError(
            f"train: on_epoch must be a function of the epoch's stats, got {on_epoch!r}"
        )
    cost_of = cost_named(cost)
    cost_of.check_output(net.activations[-1])
    X, Y = as_arrays(data, net, "train")
    held = None if test_data is None else as_arrays(test_data, net, "train: test_data")
    cost_of.check_targets(Y, "train")
    if held is not None:
        cost_of.check_targets(held[1], "train: test_data")
    n = len(X)
    optimizer = SGD(net.parameters(), lr, weight_decay=l2 / n, decayed=net.weight_params())
    if l2 and optimizer.lr * optimizer.weight_decay >= 1.0:
        raise ValueError(
            f"train: η·λ/n = {lr!r}·{l2!r}/{n} ≥ 1 would flip every weight's sign "
            f"at each step (w → (1 − ηλ/n) w); use a smaller l2 or lr"
        )
    rng = random.Random(checks.seed(seed, "train: seed"))
    steps = (BatchTrainer.for_net(net, cost, (X, Y)) if compiled else None) or ScalarSteps(
        net, cost, (X, Y)
    )
    if held is not None:
        steps.held_out(held)
    history = History()
    bar = progress_bar(epochs, n) if verbose else None
    report: list[Callable[[EpochStats], object]] = (
        [_Diagnosis(net, (X, Y), cost)] if diagnose else []
    )
    report += [_Printer(bar, epochs)] if bar is not None else []
    report += [on_epoch] if on_epoch is not None else []
    try:
        for epoch in range(1, epochs + 1):
            if bar is not None:
                bar.set_description(f"epoch {epoch}/{epochs}", refresh=False)
            start = time.perf_counter()
            with steps.epoch():
                for number, indices in enumerate(epoch_batches(n, batch_size, rng), 1):
                    try:
                        steps.step(indices, optimizer)
                    except ArithmeticError as e:  # an overflow: the step before it stands whole
                        raise type(e)(
                            f"train: stopped in epoch {epoch}, mini-batch {number} (lr = {lr!r}); "
                            f"the net keeps the parameters of the last completed step: {e}"
                        ) from None
                    if bar is not None:
                        bar.update(len(indices))
            seconds = time.perf_counter() - start
            stats = EpochStats(epoch, *steps.scores(), seconds=seconds, compiled=steps.compiled)
            if held is not None:
                stats.test_cost, stats.test_accuracy = steps.scores(held_out=True)
            history.append(stats)
            for tell in report:
                tell(stats)
    finally:  # the bar is wiped even when a step stops the run
        if bar is not None:
            bar.close()
    return history


# The progress bar of a run, drawn by tqdm: a widget in Jupyter, a line on a terminal;
# nothing when the output is not a terminal (a log file gets the epoch lines only) or, on a
# terminal, before ``delay`` seconds have passed (a quick run shows no bar).


def progress_bar(
    epochs: int, per_epoch: int, stream: TextIO | None = None, delay: float = 2.0
) -> std.tqdm:
    """A bar over every example of every epoch, described "epoch k/epochs".

    On a terminal the bar is wiped when it closes; in a notebook the widget is shown from
    the start and stays, showing the finished run.
    """
    in_notebook = autonotebook.tqdm is not std.tqdm  # tqdm.auto chose the widget
    if in_notebook:
        delay = 0.0  # the widget stays, showing the finished run: no flicker to spare
    return tqdm(
        total=epochs * per_epoch,
        desc=f"epoch 1/{epochs}",
        unit="example",
        file=stream,
        delay=delay,
        leave=in_notebook,
        disable=None,  # off when the stream is not a terminal
        dynamic_ncols=True,
    )


def write_line(bar: std.tqdm, line: str) -> None:
    """Print line to stdout: above the bar once it shows, plainly before (so it stays hidden)."""
    # tqdm.write redraws every bar after the line, even one still within its delay
    if not bar.disable and time.time() >= bar.start_t + bar.delay:
        bar.write(line, file=sys.stdout)
    else:
        print(line)


class _Printer:
    """train's default report: one line per epoch, above the progress bar."""

    def __init__(self, bar: Any, epochs: int) -> None:
        self.bar, self.epochs = bar, epochs

    def __call__(self, stats: EpochStats) -> None:
        write_line(self.bar, _report(stats, self.epochs))


class _Diagnosis:
    """``diagnose=True``: each epoch's gradient health, and one TrainingWarning when it is bad."""

    def __init__(self, net: MLP, data: Data, cost: str) -> None:
        self.net, self.data, self.cost, self.warned = net, data, cost, False

    def __call__(self, stats: EpochStats) -> None:
        stats.diagnosis = reports.diagnose(self.net, self.data, self.cost)
        found = stats.diagnosis.warnings()
        if found and not self.warned:
            warnings.warn(
                f"train, epoch {stats.epoch}: " + "; ".join(found), TrainingWarning, stacklevel=3
            )
            self.warned = True
