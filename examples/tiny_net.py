"""Backpropagation on a tiny net, seen three ways: the δ^l the scalar graph produces, the matrix
equations BP1–BP4 beside it, and a picture of the net with every z, δ, a and w on it.

Run:  python examples/tiny_net.py            (a 2-3-2 sigmoid net, quadratic cost; writes
                                              out/tiny_net.svg and out/tiny_net_backward.html)
      python examples/tiny_net.py --open     (and shows that page in the web browser)
      python examples/tiny_net.py --output softmax --cost log_likelihood   (a softmax last layer)
      python examples/tiny_net.py --help     (sizes, activations, cost, output folder)
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import nn
import viz
from options import add_open_option, check_outputs, open_page
from viz.net_page import MAX_PAGE_WEIGHTS


def numbers(text: str) -> list[float]:
    """'0.5,-1' -> [0.5, -1.0]."""
    try:
        values = [float(t) for t in text.split(",")]
    except ValueError:
        values = [math.nan]
    if not all(map(math.isfinite, values)):
        raise argparse.ArgumentTypeError(
            f"expected finite numbers separated by commas, got {text!r}"
        )
    return values


def sizes(text: str) -> list[int]:
    """'2,3,2' -> [2, 3, 2]."""
    try:
        values = [int(t) for t in text.split(",")]
    except ValueError:
        values = []
    if len(values) < 2 or min(values) < 1:
        raise argparse.ArgumentTypeError(
            f"expected at least two positive layer sizes like 2,3,2, got {text!r}"
        )
    return values


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.ArgumentDefaultsHelpFormatter
    )
    parser.add_argument("--sizes", type=sizes, default=[2, 3, 2], help="layer sizes n_1,…,n_L")
    parser.add_argument(
        "--activation",
        default="sigmoid",
        choices=[a for a in nn.ACTIVATIONS if a != "softmax"],
        help="σ of every layer (of the hidden layers when --output is given)",
    )
    parser.add_argument(
        "--output",
        default=None,
        choices=list(nn.ACTIVATIONS),
        help="σ of the last layer alone (softmax for --cost log_likelihood; default: --activation)",
    )
    parser.add_argument("--cost", default="quadratic", choices=list(nn.COSTS))
    # "%(default).0s" prints nothing: it only stops the formatter adding "(default: None)"
    parser.add_argument(
        "--x",
        type=numbers,
        default=None,
        help="the input a^1 (default: 0.5, -1.0, 0.5, …)%(default).0s",
    )
    parser.add_argument(
        "--y", type=numbers, default=None, help="the target (default: 1, 0, 0, …)%(default).0s"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the N(0, 1) parameters")
    parser.add_argument("--out", type=Path, default=Path("out"), help="folder for the drawing")
    parser.add_argument("--format", default="svg", choices=["svg", "png", "pdf"])
    parser.add_argument(
        "--rankdir",
        default="TB",
        choices=["TB", "LR"],
        help="the picture's layers top to bottom (narrow, for a page's column) or left to right",
    )
    add_open_option(parser)
    args = parser.parse_args(argv)
    n_in, n_out = args.sizes[0], args.sizes[-1]
    args.x = args.x or [0.5 if k % 2 == 0 else -1.0 for k in range(n_in)]
    args.y = args.y or [1.0 if j == 0 else 0.0 for j in range(n_out)]
    if len(args.x) != n_in or len(args.y) != n_out:
        parser.error(f"--x needs {n_in} numbers and --y {n_out} for sizes {args.sizes}")
    args.output = args.output or args.activation
    if args.output == "softmax" and n_out < 2:
        parser.error("--output softmax needs at least two outputs (the last of --sizes)")
    try:
        nn.COSTS[args.cost].check_output(args.output)
    except ValueError as e:
        parser.error(f"{e} (--output sets the last layer's σ, --activation the others)")
    return args


def outputs(args: argparse.Namespace) -> tuple[Path, Path, Path]:
    """The picture, its DOT source and the step-through page, in --out."""
    picture = args.out / f"tiny_net.{args.format}"
    return picture, picture.with_suffix(".dot"), args.out / "tiny_net_backward.html"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        check_outputs(*outputs(args))  # before any work, not after it
    except OSError as e:
        print(f"tiny_net.py: {e}", file=sys.stderr)
        return 1
    activations = [args.activation] * (len(args.sizes) - 2) + [args.output]
    net = nn.MLP(args.sizes[0], args.sizes[1:], activation=activations, seed=args.seed)
    print(f"{net}, {args.cost} cost, x = {args.x}, y = {args.y}\n")
    try:
        return walk_through(net, args)
    except ArithmeticError as e:  # an input so large that a z or the cost overflows
        print(f"stopped: {e}", file=sys.stderr)
        return 1


def walk_through(net: nn.MLP, args: argparse.Namespace) -> int:
    """Print the δ^l, the comparison with BP1–BP4, and draw the net; 0 if they agree."""
    tr = net.trace(args.x)
    nn.COSTS[args.cost](tr, args.y).backward()
    print("after C.backward(), the grad of each z^l_j is δ^l_j (nothing in nn/ computes it):")
    for l, zs in enumerate(tr.zs, start=2):
        print(f"  δ^{l} = [" + ", ".join(f"{z.grad:+.6f}" for z in zs) + "]")
    net.zero_grad()

    comparison = nn.compare(net, args.x, args.y, cost=args.cost)
    print(f"\n{comparison}\n")
    if sum(args.sizes) <= 12:
        print(comparison.details() + "\n")
    print(f"engine and BP1-BP4 agree to 1e-9: {comparison.ok()}\n")

    draw(net, args)
    return 0 if comparison.ok() else 1


def draw(net: nn.MLP, args: argparse.Namespace) -> None:
    """The picture of the net and the page stepping through its backward pass, or why not."""
    picture, dot, page_path = outputs(args)
    try:
        graph = viz.draw_net(
            net, args.x, args.y, args.cost, args.rankdir, max_weights=MAX_PAGE_WEIGHTS
        )
        viz.render(graph, picture, dot_source=dot)
        print(f"wrote {picture} and {dot}")
        page = viz.step_through_net(net, args.x, args.y, page_path, cost=args.cost)
        print(f"wrote {page.path}: open it in a browser to step through BP1-BP4 ", end="")
        print(f"({len(page.frames) - 1} steps after the forward pass)")
        if args.open:
            open_page(page.path)
    except viz.GraphTooLargeError:  # a tiny net's picture only: its numbers are printed above
        weights = sum(a * b for a, b in zip(net.sizes, net.sizes[1:]))
        print(
            f"no picture: {weights} weights are too many to draw one by one "
            f"({MAX_PAGE_WEIGHTS} at most, a 10-20-10 net); "
            f"the numbers above are the whole result",
            file=sys.stderr,
        )
    except viz.RenderError as e:
        print(f"wrote {dot}, but no picture: {e}", file=sys.stderr)
    except OSError as e:
        print(f"no picture: cannot write under {args.out}: {e}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
