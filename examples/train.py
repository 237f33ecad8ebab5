"""Train a small net on two moons (made here with numpy) with mini-batch SGD, printing progress.

Run:  python examples/train.py [--epochs 20] [--seed 0]
"""

import argparse
import time

import numpy as np

import nn


def two_moons(n: int, noise: float, seed: int) -> list[tuple[list[float], list[float]]]:
    """n points on two interleaved half circles, label 0 or 1, with Gaussian noise."""
    rng = np.random.default_rng(seed)
    t = rng.uniform(0.0, np.pi, n)
    label = rng.integers(0, 2, n)
    x = np.where(label == 0, np.cos(t), 1.0 - np.cos(t))
    y = np.where(label == 0, np.sin(t), 0.5 - np.sin(t))
    points = np.stack([x, y], axis=1) + rng.normal(0.0, noise, (n, 2))
    points = (points - points.mean(axis=0)) / points.std(axis=0)
    return [(p.tolist(), [float(c)]) for p, c in zip(points, label)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=200, help="size of the data set")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=10)
    parser.add_argument("--lr", type=float, default=0.5, help="the learning rate η")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    data = two_moons(args.points, noise=0.15, seed=args.seed)
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
