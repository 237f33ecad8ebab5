"""A derivative as a sum over paths (Nielsen ch. 2, "the big picture"): every path from an input to
the output contributes the product of the rates along it, and backward() adds them all without
listing one. Shown on y = x·x + 3x and on ∂C/∂w^l_jk in a 2-3-2 net.

Run:  python examples/paths.py                  (writes out/paths_expression.html and out/paths_net.html)
      python examples/paths.py --weight 3,1,0   (∂C/∂w^3_10 instead of ∂C/∂w^2_00)
"""

from __future__ import annotations

import argparse
from pathlib import Path

import nn
import viz
from engine import Value, count_paths, paths
from options import run

X, Y = [0.5, -1.0], [1.0, 0.0]  # the 2-3-2 net's example, as in examples/tiny_net.py


def weight(text: str) -> tuple[int, int, int]:
    """'2,0,0' -> (2, 0, 0)."""
    try:
        l, j, k = (int(t) for t in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected three whole numbers l,j,k, got {text!r}"
        ) from None
    return l, j, k


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--weight", type=weight, default=(2, 0, 0), help="w^l_jk as l,j,k (default 2,0,0)"
    )
    parser.add_argument("--x", type=float, default=2.0, help="where y = x·x + 3x is taken")
    parser.add_argument("--out", type=Path, default=Path("out"), help="folder for the pages")
    args = parser.parse_args()
    net = nn.MLP(2, [3, 2], seed=0)
    net_page = viz.sum_over_paths_net(net, X, Y, args.weight, args.out / "paths_net.html")
    l, j, k = args.weight

    x = Value(args.x, label="x")
    y = x * x + 3 * x
    y.label = "y"
    found = paths(y, x)
    print(f"y = x·x + 3x at x = {args.x:g}: {count_paths(y, x)} paths from x to y")
    for number, p in enumerate(found, start=1):
        rates = " × ".join(f"{r:g}" for r in p.rates)
        print(f"  path {number}: rates {rates} = {p.product:g}")
    total = sum(p.product for p in found)
    y.backward()
    print(f"  sum over paths = {total:g};  backward() gives x.grad = {x.grad:g}\n")
    y.zero_grad()

    total_step = net_page.frames[-2]
    print(f"∂C/∂w^{l}_{j}{k} in the 2-3-2 net, x = {X}, y = {Y}, quadratic cost:")
    for line in total_step.equation:
        print(f"  {line}")
    expression_page = viz.sum_over_paths(y, x, args.out / "paths_expression.html")
    for page in (expression_page, net_page):
        print(f"wrote {page.path}: open it in a browser ({len(page.frames) - 1} steps)")
    return 0 if all(line[0] != "✗" for line in total_step.equation) else 1


if __name__ == "__main__":
    run(main)
