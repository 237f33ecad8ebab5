"""Backpropagate through a 2-3-2 sigmoid net twice, by the scalar engine and by BP1–BP4, and compare.

Run:  python examples/compare.py
"""

import argparse

import nn
from options import run


def main() -> None:
    # no options: --help describes the example, and an unknown option is refused
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    net = nn.MLP(2, [3, 2], activation="sigmoid", seed=0)
    x, y = [0.5, -1.0], [1.0, 0.0]
    print(f"{net}, x = {x}, y = {y}\n")

    tr = net.trace(x)
    C = nn.quadratic_cost(tr, y)
    C.backward()
    print("after C.backward(), the grad of each z^l_j is δ^l_j:")
    for l, zs in enumerate(tr.zs, start=2):
        print(f"  δ^{l} = [" + ", ".join(f"{z.grad:+.6f}" for z in zs) + "]")
    print()

    comparison = nn.compare(net, x, y)
    print(comparison)
    print()
    print(comparison.details())
    print(f"\nagree to 1e-9: {comparison.ok()}")
    batch = [([0.5, -1.0], [1.0, 0.0]), ([-0.3, 0.8], [0.0, 1.0]), ([1.2, 0.1], [1.0, 0.0])]
    print()
    print(nn.compare(net, batch, cost="cross_entropy"))


if __name__ == "__main__":
    run(main)
