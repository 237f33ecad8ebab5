"""Tab 2's training: one session's data, net and background thread, trained by the compiled engine.

A session holds the configured data set (split into training and held-out points), the
net and a ``BatchTrainer`` (``engine.compile`` of one example's cost, replayed per
mini-batch). Its one thread trains epoch after epoch until paused, reset or closed;
every change to the net happens under the session's lock, so a poll always reads a
net between two mini-batches.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass

import numpy as np

import engine
from nn import datasets
from nn.batch_training import BatchTrainer
from nn.network import MLP
from nn.reports import diagnose
from nn.training import SGD, epoch_batches
from viz.playground import stepping
from viz.playground.fields import BadRequest, choice, integer, listed, number, only

DATASETS = {"moons": datasets.moons, "circles": datasets.circles, "xor": datasets.xor}
CLASSES = {"moons": 1, "circles": 1, "xor": 1, "spiral": 3}  # output neurons of each set
MAX_POINTS = 1000
MAX_EPOCHS = 5000  # then the thread pauses by itself
GRID = 40  # the heat map's cells per side
UNWATCHED = 15.0  # seconds without a poll after which the thread pauses by itself
REST = 0.002  # seconds the thread rests between epochs, so the server stays quick to answer
SCORES = ("training_cost", "training_accuracy", "held_out_cost", "held_out_accuracy")
FIELDS = (
    "dataset", "noise", "points", "held_out", "hidden", "activations",
    "cost", "lr", "batch_size", "l2", "seed",
)  # fmt: skip
DEFAULT: dict[str, object] = {
    "dataset": "moons",
    "noise": 0.15,
    "points": 300,
    "held_out": 0.25,
    "hidden": [8, 8],
    "activations": ["tanh", "tanh", "sigmoid"],
    "cost": "quadratic",
    "lr": 1.0,
    "batch_size": 10,
    "l2": 0.0,
    "seed": 0,
}


@dataclass(frozen=True)
class Config:
    """A checked training configuration: data, net, cost and the SGD settings."""

    dataset: str
    noise: float
    points: int
    held_out: float
    hidden: list[int]
    activations: list[str]
    cost: str
    lr: float
    batch_size: int
    l2: float
    seed: int

    @property
    def held_out_count(self) -> int:
        """How many points are held out: the share of them, rounded, leaving one to train on."""
        return min(round(self.held_out * self.points), self.points - 1)


def read_config(body: Mapping[str, object]) -> Config:
    """A training configuration with every field checked; defaults fill what is missing."""
    only(body, FIELDS)
    c = {**DEFAULT, **body}
    dataset = choice(c["dataset"], "dataset", [*DATASETS, "spiral"])
    points = integer(c["points"], "points", 10, MAX_POINTS)
    listed_hidden = listed(c["hidden"], "hidden", 0, stepping.MAX_LAYERS - 2)
    hidden = [
        integer(n, f"hidden[{i}]", 1, stepping.MAX_NEURONS) for i, n in enumerate(listed_hidden)
    ]
    if "hidden" in body and "activations" not in body:
        c["activations"] = ["tanh"] * len(hidden) + ["sigmoid"]
    activations = stepping.activations(c["activations"], len(hidden) + 1)
    if activations[-1] == "softmax" and CLASSES[dataset] < 2:
        raise BadRequest(f"activations: softmax needs 2 outputs or more; {dataset} has 1")
    config = Config(
        dataset=dataset,
        noise=number(c["noise"], "noise", 0.0, 1.0),
        points=points,
        held_out=number(c["held_out"], "held_out", 0.0, 0.9),
        hidden=hidden,
        activations=activations,
        cost=stepping.cost(c["cost"], activations[-1]),
        lr=number(c["lr"], "lr", 0.0, 100.0, above_low=True),
        batch_size=integer(c["batch_size"], "batch_size", 1, points),
        l2=number(c["l2"], "l2", 0.0, 100.0),
        seed=integer(c["seed"], "seed", 0, stepping.MAX_SEED),
    )
    n_train = config.points - config.held_out_count
    if config.lr * config.l2 / n_train >= 1.0:
        raise BadRequest(
            f"l2: η·λ/n = {config.lr}·{config.l2}/{n_train} ≥ 1 would flip every weight's "
            f"sign at each step; use a smaller l2 or lr"
        )
    return config


def _label(y: list[float]) -> int:
    return int(np.argmax(y)) if len(y) > 1 else int(y[0])


class Session:
    """One page's training: data, net, trainer and at most one thread."""

    def __init__(self, config: Mapping[str, object] | None = None) -> None:
        self.lock = threading.Lock()  # held while the net changes or is read
        self._controls = threading.Lock()  # one control at a time: never two threads
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.generation = 0  # counts resets, so that a page can tell old answers from new
        self.seen = time.monotonic()  # when the figures were last asked for
        self.configure(config or {})

    def configure(self, body: Mapping[str, object]) -> dict:
        """Stop, then set up data and a fresh net for this configuration (checked first)."""
        c = read_config(body)
        with self._controls:
            self._stop_thread()  # before taking the lock, which the thread needs to finish
            with self.lock:
                self.config = c
                make = datasets.spiral if c.dataset == "spiral" else DATASETS[c.dataset]
                pairs = make(c.points, c.noise, seed=c.seed)
                labels = np.array([_label(y) for _, y in pairs])
                train, test = datasets.stratified_split(labels, c.held_out_count, c.seed)
                self.train = [pairs[i] for i in train]
                self.test = [pairs[i] for i in test]
                points = np.array([x for x, _ in pairs])
                low, high = points.min(axis=0) - 0.5, points.max(axis=0) + 0.5
                self.bounds = [float(low[0]), float(high[0]), float(low[1]), float(high[1])]
                xs, ys = np.linspace(low[0], high[0], GRID), np.linspace(high[1], low[1], GRID)
                self.grid = np.array([(gx, gy) for gy in ys for gx in xs])  # rows from the top
                self._reset()
        return self.data()

    def _reset(self) -> None:
        c = self.config
        sizes = [2, *c.hidden, CLASSES[c.dataset]]
        self.net = MLP(2, sizes[1:], activation=c.activations, seed=c.seed, init="scaled")
        params = self.net.parameters()
        # its lr and decay are read at each step, as nn.train's compiled steps read them
        self.optimizer = SGD(params, c.lr, c.l2 / len(self.train), self.net.weight_params())
        trainer = BatchTrainer.for_net(self.net, c.cost, self.train)
        if trainer is None:  # every activation and cost offered here records without a branch
            raise RuntimeError(f"the {c.cost} cost of this net cannot be compiled")
        if self.test:
            trainer.held_out(self.test)
        self.trainer = trainer
        # the heat map needs a^L only: no cost, which could overflow where a^L does not
        self.outputs = engine.compile(self.net, [self.train[0][0]], params, input_grads=False)
        self.rng = random.Random(c.seed)
        self.batches: list[list[int]] = []
        self.epoch = self.steps = 0
        self.generation += 1
        self.error: str | None = None
        self.history: dict[str, list] = {k: [] for k in ("epoch", *SCORES, "delta_norm")}
        self._log_epoch()

    def data(self) -> dict:
        """The points, as [x_0, x_1, label], and the square the heat map covers."""
        rows = lambda pairs: [[*x, _label(y)] for x, y in pairs]  # noqa: E731
        return {
            "config": asdict(self.config),
            "train": rows(self.train),
            "held_out": rows(self.test),
            "bounds": self.bounds,
            "classes": CLASSES[self.config.dataset],
        }

    # --- training, always under the lock ---------------------------------------------------

    def _run(self, batches: int | None, stoppable: bool = False) -> None:
        """``batches`` mini-batches (None: to the end of the epoch), or fewer if stopped."""
        if not self.batches:
            self.batches = epoch_batches(len(self.train), self.config.batch_size, self.rng)
        count = len(self.batches) if batches is None else batches
        try:
            with self.trainer.epoch():
                for _ in range(count):
                    if stoppable and self._stop.is_set():
                        break
                    self.trainer.step(self.batches.pop(0), self.optimizer)
                    self.steps += 1
            if not self.batches:
                self.epoch += 1
                self._log_epoch()
        except ArithmeticError as e:  # diverged: the last whole step stands
            self.error = f"training stopped: {e}"
            self._stop.set()

    def _scores(self) -> dict[str, float | None]:
        """The net's cost and accuracy now, on the training and on the held-out points."""
        cost, accuracy = self.trainer.scores()  # the replay, on the points the trainer holds
        test = self.trainer.scores(held_out=True) if self.test else (None, None)
        return {
            "training_cost": _finite(cost),
            "training_accuracy": accuracy,
            "held_out_cost": _finite(test[0]),
            "held_out_accuracy": test[1],
        }

    def _log_epoch(self) -> None:
        """Append the epoch's costs, accuracies and each layer's mean ‖δ^l‖ to the history."""
        scores = self._scores()
        with np.errstate(all="ignore"):  # a diverging net's inf is recorded as null
            health = diagnose(self.net, self.train, self.config.cost)
        self.history["epoch"].append(self.epoch)
        for name in SCORES:
            self.history[name].append(scores[name])
        self.history["delta_norm"].append([_finite(h.delta) for h in health.layers])

    def _loop(self) -> None:
        while not self._stop.is_set():
            with self.lock:
                if self.epoch >= MAX_EPOCHS or self.error:
                    break
                if time.monotonic() - self.seen > UNWATCHED:  # the page was closed
                    break
                self._run(None, stoppable=True)
            self._stop.wait(REST)

    # --- the controls ----------------------------------------------------------------------

    def control(self, action: str) -> None:
        """start, pause, step (one mini-batch), epoch (to the end of the epoch) or reset."""
        with self._controls:
            if action == "start":
                if not self.running:
                    self._stop.clear()
                    self.seen = time.monotonic()
                    self._thread = threading.Thread(
                        target=self._loop, name="playground-training", daemon=True
                    )
                    self._thread.start()
                return
            self._stop_thread()
            with self.lock:
                if action == "reset":
                    self._reset()
                elif action in ("step", "epoch") and not self.error:
                    self._run(1 if action == "step" else None)

    def stop(self) -> None:
        """Stop the training thread, if any, and wait for it (it ends within one mini-batch)."""
        with self._controls:
            self._stop_thread()

    def _stop_thread(self, timeout: float = 1.0) -> None:
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout)

    @property
    def running(self) -> bool:
        """Whether the training thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    def progress(self, since: int = 0) -> dict:
        """The figures the page shows: epoch, costs, accuracies, ‖δ^l‖, saturation, the heat map."""
        with self.lock, np.errstate(all="ignore"):  # a diverged net's inf is sent as null
            health = diagnose(self.net, self.train, self.config.cost)
            try:
                grid: dict | None = _heat(self.outputs(self.grid))
                scores = self._scores()  # after a step, between two epochs' records
            except ArithmeticError:  # the outputs overflow: the last figures stand
                grid = None
                scores = {k: self.history[k][-1] for k in SCORES}
            self.seen = time.monotonic()
            h = self.history
            return {
                "generation": self.generation,
                "epoch": self.epoch,
                "steps": self.steps,
                "running": self.running,
                "error": self.error,
                **scores,
                "history": {k: v[since:] for k, v in h.items()},
                "layers": [
                    {
                        "l": layer.l,
                        "size": layer.size,
                        "activation": layer.activation,
                        "delta_norm": _finite(layer.delta),
                        "saturated": layer.saturated,
                        "dead": layer.dead,
                    }
                    for layer in health.layers
                ],
                "grid": grid,
            }

    def net_for_step_through(self) -> dict:
        """The current net and the first training example, as Tab 1's request takes them."""
        with self.lock:
            x, y = self.train[0]
            return {
                "sizes": self.net.sizes,
                "activations": self.net.activations,
                "cost": self.config.cost,
                "x": list(x),
                "y": list(y),
                "seed": self.config.seed,
                "weights": [w.tolist() for w in self.net.weights()],
                "biases": [b.tolist() for b in self.net.biases()],
            }


def _finite(x: float | None) -> float | None:
    """x, or None (JSON's null) for an infinite or undefined number."""
    return x if x is not None and np.isfinite(x) else None


def _heat(outputs: np.ndarray) -> dict:
    """Each grid cell's predicted class and how sure the net is, 0 (a tie) … 1 (certain)."""
    if outputs.shape[1] == 1:
        a = np.clip(outputs[:, 0], 0.0, 1.0)
        label, strength = (a > 0.5).astype(int), np.abs(a - 0.5) * 2.0
    else:
        k = outputs.shape[1]
        label = np.argmax(outputs, axis=1)
        strength = np.clip((outputs.max(axis=1) - 1.0 / k) / (1.0 - 1.0 / k), 0.0, 1.0)
    return {
        "size": GRID,
        "label": label.tolist(),
        "strength": np.round(strength, 3).tolist(),
    }
