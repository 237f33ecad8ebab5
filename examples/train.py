"""Train a small net on two moons (nn.datasets.moons) with mini-batch SGD, printing progress.

Run:  python examples/train.py [--epochs 20] [--seed 0]
"""

import argparse
import time

import nn


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=200, help="size of the data set")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=10)
    parser.add_argument("--lr", type=float, default=0.5, help="the learning rate η")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    data = nn.datasets.moons(args.points, noise=0.15, seed=args.seed)
    net = nn.MLP(2, [16, 16, 1], activation=["tanh", "tanh", "sigmoid"], seed=args.seed)
    print(f"{net}, {len(net.parameters())} parameters, {len(data)} points, cross-entropy cost")
    start = time.perf_counter()
    history = nn.train(
        net,
        data,
        epochs=args.epochs,
        batch_size=args.batch_size,
        lr=args.lr,
        cost="cross_entropy",
        seed=args.seed,
    )
    print(
        f"trained in {time.perf_counter() - start:.1f} s: "
        f"accuracy {history[-1].accuracy:.1%}, cost {history[-1].cost:.4f}"
    )


if __name__ == "__main__":
    main()
