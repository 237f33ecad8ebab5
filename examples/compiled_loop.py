"""micrograd's demo (2-16-16-1, SVM loss on two moons) as a PyTorch-style loop over a compiled step:
opt.zero_grad(); step.backward(X, Y); opt.step().

Run:  python examples/compiled_loop.py [--steps 100] [--lr 0.05] [--seed 0]

The first backward binds the net's parameters to the compiled step's arrays: from then on
every p.data and p.grad is read there, nn.SGD steps the arrays in one numpy operation, and
the scalar engine (net(x)) still reads the numbers the loop has reached.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import engine
import nn
from options import count, positive, run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.ArgumentDefaultsHelpFormatter
    )
    parser.add_argument("--points", type=count(1), default=100, help="size of the data set")
    parser.add_argument("--steps", type=count(1), default=100, help="full-batch SGD steps")
    parser.add_argument("--lr", type=positive, default=0.05, help="the learning rate η")
    parser.add_argument("--seed", type=count(0), default=0)
    args = parser.parse_args(argv)

    pairs = nn.datasets.moons(args.points, noise=0.1, seed=args.seed)
    X = np.array([x for x, _ in pairs])
    Y = np.array([[2.0 * y[0] - 1.0] for _, y in pairs])  # labels ±1, as micrograd's demo
    net = nn.MLP(2, [16, 16, 1], activation=["relu", "relu", "linear"], seed=args.seed)

    def loss(x: list[engine.Value], y: list[engine.Value]) -> engine.Value:
        (s,) = net(x)
        return (1 - y[0] * s).relu()  # the max-margin loss of one example

    def score(x: list[engine.Value]) -> engine.Value:
        return net(x)[0]

    params = net.parameters()
    step = engine.compile(loss, ([0.0, 0.0], [1.0]), params, input_grads=False)
    scores = engine.compile(score, ([0.0, 0.0],), params, input_grads=False)
    opt = nn.SGD(params, lr=args.lr)
    print(f"{net}, {len(params)} parameters, {len(X)} points, SVM loss, full batch")
    start = time.process_time()
    for k in range(1, args.steps + 1):
        opt.zero_grad()
        losses = step.backward(X, Y)
        opt.step()
        if k == 1 or k % max(1, args.steps // 5) == 0 or k == args.steps:
            accuracy = np.mean((scores(X) > 0) == (Y[:, 0] > 0))
            print(f"step {k:>4}: loss {losses.mean():.4f}  accuracy {accuracy:.0%}")
    per_step = (time.process_time() - start) / args.steps
    print(f"{per_step * 1e6:.0f} µs of CPU per step, scoring included")

    w = params[0]
    with step.parameter_arrays() as (data, _):
        held = data[0]
    print(f"{w.label}: p.data {w.data:.6f}, the compiled arrays {held:.6f}")
    by_scalar = [net(x)[0].data for x in X[:5].tolist()]
    gap = float(np.max(np.abs(scores(X[:5]) - by_scalar)))
    print(f"the scalar engine's scores agree with the compiled ones to 1e-12: {gap <= 1e-12}")
    return 0


if __name__ == "__main__":
    run(main)
