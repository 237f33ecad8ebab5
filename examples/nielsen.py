"""What digits.py and mnist.py share: Nielsen's experiment (network.py, network2.py) on a data set.

``parser`` gives the options with a set-up's defaults; ``experiment`` trains, prints
``Epoch k: correct / n`` as network.py does, and with ``--matrix`` trains a copy with
nn.matrix (BP1–BP4 in numpy) on the same mini-batches and prints how far apart they are.
"""

from __future__ import annotations

import argparse
import random
import time

import numpy as np

import nn
import viz
from nn import matrix
from options import add_picture_options, count, non_negative, positive


def sizes(text: str) -> list[int]:
    """'30' or '100,30': the hidden layers' sizes."""
    try:
        values = [int(s) for s in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--sizes needs whole numbers like 30 or 100,30, got {text!r}"
        ) from None
    if any(v < 1 for v in values):
        raise argparse.ArgumentTypeError(f"--sizes must be positive, got {text!r}")
    return values


def parser(doc: str) -> argparse.ArgumentParser:
    """The options of an experiment, with network.py's set-up as defaults."""
    parser = argparse.ArgumentParser(
        description=doc.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cost", choices=sorted(nn.COSTS), default="quadratic")
    parser.add_argument(
        "--init",
        choices=["normal", "scaled"],
        default="normal",
        help="N(0, 1) or N(0, 1/n_in) weights",
    )
    parser.add_argument(
        "--lr", type=positive, default=3.0, help="the learning rate η (default 3.0)"
    )
    parser.add_argument(
        "--sizes", type=sizes, default=[30], help="hidden layer sizes, e.g. 30 or 100,30"
    )
    parser.add_argument(
        "--l2", type=non_negative, default=0.0, help="the L2 regularisation λ (default 0)"
    )
    parser.add_argument("--epochs", type=count(1), default=30)
    parser.add_argument("--batch-size", type=count(1), default=10)
    parser.add_argument("--seed", type=int, default=0, help="initial weights and batch order")
    parser.add_argument(
        "--matrix", action="store_true", help="train nn.matrix alongside and compare"
    )
    parser.add_argument(
        "--scalar", action="store_true", help="train on scalar graphs, not compiled"
    )
    add_picture_options(parser)
    return parser


class MatrixTwin:
    """The same training with BP1–BP4 in numpy: same start, same mini-batches (nn.train's order)."""

    def __init__(self, net: nn.MLP, train: list, args: argparse.Namespace) -> None:
        self.W, self.B = net.weights(), net.biases()
        self.X = np.array([x for x, _ in train])
        self.Y = np.array([y for _, y in train])
        self.rng = random.Random(args.seed)
        self.net, self.args = net, args
        self.largest = 0.0

    def epoch(self, stats: nn.EpochStats) -> str:
        """Train one epoch and say how far the engine-trained net's parameters are from these."""
        a = self.args
        for batch in nn.training.epoch_batches(len(self.X), a.batch_size, self.rng):
            self.W, self.B = matrix.sgd_update(
                self.W, self.B, self.X[batch].T, self.Y[batch].T, a.lr,
                self.net.activations, a.cost, l2=a.l2, n=len(self.X),
            )  # fmt: skip
        got = self.net.weights() + self.net.biases()
        difference = max(float(np.max(np.abs(g - w))) for g, w in zip(got, self.W + self.B))
        self.largest = max(self.largest, difference)
        return f"  (engine vs matrix: largest weight difference {difference:.2e})"


def experiment(args: argparse.Namespace, train: list, test: list, what: str) -> list[nn.EpochStats]:
    """Train as args say on train, scoring test (``what`` names its images) each epoch."""
    # sigmoid layers, unless the cost needs another output layer (softmax for log_likelihood)
    output = (nn.COSTS[args.cost].outputs or ("sigmoid",))[0]
    activations = ["sigmoid"] * len(args.sizes) + [output]
    n_in = len(train[0][0])
    net = nn.MLP(n_in, [*args.sizes, 10], activation=activations, seed=args.seed, init=args.init)
    twin = MatrixTwin(net, train, args) if args.matrix else None
    print(
        f"{net}: {len(net.parameters())} parameters; {len(train)} training and {len(test)} "
        f"held-out {what}; {args.cost} cost, {args.init} init, η = {args.lr}, λ = {args.l2}, "
        f"mini-batches of {args.batch_size}"
    )
    start = time.perf_counter()

    def report(stats: nn.EpochStats) -> None:
        correct = round(stats.test_accuracy * len(test))
        extra = twin.epoch(stats) if twin else ""
        print(f"Epoch {stats.epoch}: {correct} / {len(test)}{extra}", flush=True)
        if stats.epoch == 1 < args.epochs:
            per_epoch = time.perf_counter() - start
            path = "compiled batch replays" if stats.compiled else "scalar graphs"
            print(
                f"  (epoch 1 took {per_epoch:.1f} s on {path}: "
                f"about {per_epoch * args.epochs:.1f} s for all {args.epochs})"
            )

    history = nn.train(
        net, train, args.epochs, args.batch_size, args.lr, cost=args.cost, seed=args.seed,
        test_data=test, l2=args.l2, diagnose=bool(args.plot), verbose=False, on_epoch=report,
        compiled=not args.scalar,
    )  # fmt: skip
    seconds = time.perf_counter() - start
    last = history[-1]
    print(
        f"held-out accuracy {last.test_accuracy:.1%} after {args.epochs} "
        f"epoch{'s' * (args.epochs > 1)} "
        f"(training accuracy {last.accuracy:.1%}); {seconds:.1f} s, "
        f"{seconds / args.epochs:.2f} s per epoch"
    )
    if twin:
        print(f"the engine and BP1-BP4 agree to {twin.largest:.2e} (< 1e-9: {twin.largest < 1e-9})")
    if args.plot:
        title = (
            f"{'-'.join(map(str, net.sizes))} {output} output, {args.cost} cost, {args.init} init, "
            f"η = {args.lr}" + (f", λ = {args.l2}" if args.l2 else "")
        )
        print(f"wrote {viz.plot_history(history, args.plot, title=title)}")
    if args.draw:
        layers = viz.draw_layers(net, test, args.cost, rankdir="TB", key=True)
        print(f"wrote {viz.render(layers, args.draw)}")
    return history
