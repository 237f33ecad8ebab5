"""Nielsen's network.py experiment on the UCI handwritten digits, trained by the engine.

By default a 64-30-10 sigmoid net, quadratic cost, N(0, 1) weights, η = 3.0, mini-batches
of 10, 30 epochs, scored each epoch on 450 held-out images as network.py prints it:

    python examples/digits.py                                        # chapter 1
    python examples/digits.py --cost cross_entropy --init scaled --lr 0.5   # chapter 3
    python examples/digits.py --cost log_likelihood --init scaled --lr 1.0  # softmax output
    python examples/digits.py --epochs 3 --matrix                    # BP1–BP4 alongside
    python examples/digits.py --plot out/digits.svg --draw out/digits_layers.svg

``--matrix`` trains a copy with nn.matrix (BP1–BP4 in numpy) from the same initial weights
on the same mini-batches and prints the largest weight difference after each epoch.
nn.train replays one recorded example's graph per mini-batch (engine.compile) where it
can; ``--scalar`` makes it build and backpropagate every example's graph of Values.
Needs scikit-learn (pip install -e ".[data]"); --plot needs matplotlib (".[plot]").
"""

import argparse
import random
import time

import numpy as np

import nn
import viz
from nn import matrix
from options import add_picture_options, count, non_negative, positive, run


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


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter
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
    return parser.parse_args()


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


def main() -> None:
    args = parse()
    train, test = nn.datasets.digits(test_size=450, seed=0)
    # sigmoid layers, unless the cost needs another output layer (softmax for log_likelihood)
    output = (nn.COSTS[args.cost].outputs or ("sigmoid",))[0]
    activations = ["sigmoid"] * len(args.sizes) + [output]
    net = nn.MLP(64, [*args.sizes, 10], activation=activations, seed=args.seed, init=args.init)
    twin = MatrixTwin(net, train, args) if args.matrix else None
    print(
        f"{net}: {len(net.parameters())} parameters; {len(train)} training and {len(test)} "
        f"held-out images; {args.cost} cost, {args.init} init, η = {args.lr}, λ = {args.l2}, "
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
        print(
            f"wrote {viz.render(viz.draw_layers(net, test, args.cost, rankdir='TB', key=True), args.draw)}"
        )


if __name__ == "__main__":
    run(main)
