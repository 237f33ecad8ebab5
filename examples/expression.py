"""Build a small expression from Values, backpropagate, print every node's data and grad, and draw it.

Run:  python examples/expression.py   (writes out/expression.svg and .dot, and
                                      out/expression_backward.html to step through backward())
      python examples/expression.py --open   (and shows that page in the web browser)
"""

import argparse
import sys

import viz
from engine import Value
from engine.autodiff import topological_order
from options import add_open_option, check_outputs, open_page, run

OUTPUTS = ("out/expression.svg", "out/expression.dot", "out/expression_backward.html")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_open_option(parser)
    args = parser.parse_args()
    check_outputs(*OUTPUTS)
    # A single tanh neuron with two inputs, as in micrograd's walkthrough.
    x1 = Value(2.0, label="x1")
    x2 = Value(0.0, label="x2")
    w1 = Value(-3.0, label="w1")
    w2 = Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    x1w1 = x1 * w1
    x1w1.label = "x1*w1"
    x2w2 = x2 * w2
    x2w2.label = "x2*w2"
    n = x1w1 + x2w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    o.backward()

    print("o = tanh(x1*w1 + x2*w2 + b); after o.backward():\n")
    print(f"{'node':>8} {'op':>6} {'data':>10} {'grad':>10}   local grads (d node / d parent)")
    for node in topological_order(o):
        local = ", ".join(f"{g:.4f}" for g in node.local_grads)
        print(
            f"{node.label or '·':>8} {node.op or 'leaf':>6} {node.data:>10.4f} "
            f"{node.grad:>10.4f}   {local}"
        )
    print("\nChain rule by hand: do/dx1 = (1 - o^2) * w1 =", f"{(1 - o.data**2) * w1.data:.4f}")
    try:
        print(
            "drew",
            viz.render(
                viz.draw_dot(o, rankdir="TB", key=True),  # top to bottom: narrow enough to read
                OUTPUTS[0],
                dot_source=OUTPUTS[1],
            ),
        )
        page = viz.step_through(o, OUTPUTS[2])
        print(f"wrote {page.path}: open it in a browser to step through o.backward() ", end="")
        print(f"({len(page.frames) - 1} steps after the forward pass)")
        if args.open:
            open_page(page.path)
    except viz.RenderError as e:
        print(f"wrote out/expression.dot, but no picture: {e}", file=sys.stderr)


if __name__ == "__main__":
    run(main)
