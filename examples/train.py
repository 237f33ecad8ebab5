"""Train a small net on two moons (nn.datasets.moons) with mini-batch SGD, printing progress.

Run:  python examples/train.py [--epochs 20] [--lr 0.5] [--seed 0]   (--help for all options)
"""

from __future__ import annotations

import argparse
import sys
import time

import nn
from options import count, positive, run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.ArgumentDefaultsHelpFormatter
    )
    parser.add_argument("--points", type=count(1), default=200, help="size of the data set")
    parser.add_argument("--epochs", type=count(0), default=20)
    parser.add_argument("--batch-size", type=count(1), default=10)
    parser.add_argument("--lr", type=positive, default=0.5, help="the learning rate η")
    parser.add_argument("--seed", type=count(0), default=0)
    args = parser.parse_args(argv)

    data = nn.datasets.moons(args.points, noise=0.15, seed=args.seed)
    net = nn.MLP(2, [16, 16, 1], activation=["tanh", "tanh", "sigmoid"], seed=args.seed)
    print(f"{net}, {len(net.parameters())} parameters, {len(data)} points, cross-entropy cost")
    start = time.perf_counter()
    try:
        history = nn.train(
            net,
            data,
            epochs=args.epochs,
            batch_size=args.batch_size,
            lr=args.lr,
            cost="cross_entropy",
            seed=args.seed,
        )
    except (ArithmeticError, ValueError) as e:
        # e.g. a learning rate so large that a step would overflow: the net keeps its last
        # good parameters
        print(f"training stopped: {e}", file=sys.stderr)
        return 1
    cost, accuracy = nn.evaluate(net, data, "cross_entropy")
    print(
        f"{len(history)} epoch{'' if len(history) == 1 else 's'} in "
        f"{time.perf_counter() - start:.1f} s: "
        f"accuracy {accuracy:.1%}, cost {cost:.4g}"
    )
    return 0


if __name__ == "__main__":
    run(main)
