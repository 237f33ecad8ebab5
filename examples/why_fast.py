"""Why backpropagation is fast (Nielsen ch. 2): the whole gradient of a net's cost on one example,
by central finite differences, by forward mode and by backpropagation, timed on nets of growing size.

Run:  python examples/why_fast.py                     (2-3-2, 64-30-10, 784-30-10, 784-100-10)
      python examples/why_fast.py --nets 2-3-2,64-30-10 --sample 10 --plot out/why_fast.png

Finite differences need 2n + 1 forward passes for n parameters and forward mode n sweeps;
on the larger nets both are timed on --sample coordinates and extrapolated to all n (the
table says "extrapolated"). Backpropagation needs one forward and one backward pass.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

import nn
from engine import Value, jvp, no_grad, weighted_sum
from options import count, picture, run

NETS = "2-3-2,64-30-10,784-30-10,784-100-10"
STEP = 1e-6  # the central difference's h: about the cube root of the float epsilon


def sizes_list(text: str) -> list[list[int]]:
    """'2-3-2,64-30-10' -> [[2, 3, 2], [64, 30, 10]]."""
    try:
        nets = [[int(n) for n in net.split("-")] for net in text.split(",")]
    except ValueError:
        nets = []
    if not nets or any(len(s) < 2 or min(s) < 1 for s in nets):
        raise argparse.ArgumentTypeError(f"expected nets like 2-3-2,64-30-10, got {text!r}")
    return nets


def cost_function(
    sizes: Sequence[int], x: Sequence[float], y: Sequence[float]
) -> Callable[..., Value]:
    """C(w, b) of one example as a function of the parameters (per layer: w^l row by row, then b^l).

    The same forward pass as nn.MLP (one weighted-sum node per neuron, then σ), and the
    quadratic cost, written over a flat list so engine.jvp can differentiate it.
    """

    def cost(*params: Value) -> Value:
        a: list[Value | float] = list(x)
        at = 0
        for n_in, n_out in zip(sizes, sizes[1:]):
            w, b = (
                params[at : at + n_in * n_out],
                params[at + n_in * n_out : at + (n_in + 1) * n_out],
            )
            at += (n_in + 1) * n_out
            a = [
                weighted_sum(w[j * n_in : (j + 1) * n_in], a, b[j]).sigmoid() for j in range(n_out)
            ]
        return nn.COSTS["quadratic"].scalar(a, y)  # type: ignore[arg-type]

    return cost


@dataclass
class Row:
    """One net's measurements: times in seconds, agreements as max |difference|."""

    sizes: list[int]
    n: int
    sample: int
    forward: float
    backward: float
    finite_differences: float
    forward_mode: float
    fd_gap: float
    forward_mode_gap: float

    @property
    def name(self) -> str:
        return "-".join(map(str, self.sizes))

    @property
    def backprop(self) -> float:
        return self.forward + self.backward


def timed(f: Callable[[], object]) -> tuple[float, object]:
    """The processor time f takes, in seconds, and its result.

    Processor time rather than the clock's: other programs on a busy machine add no time.
    """
    start = time.process_time()
    result = f()
    return time.process_time() - start, result


def median_time(calls: Sequence[Callable[[], object]]) -> float:
    """The median processor time of the calls, in seconds."""
    return float(np.median([timed(f)[0] for f in calls]))


def measure(sizes: list[int], sample: int, seed: int) -> Row:
    """Time the three ways to the gradient on one net, and compare them on sampled coordinates."""
    net = nn.MLP(sizes[0], sizes[1:], seed=seed, init="scaled")
    params = [
        v for w, b in zip(net.weights(), net.biases()) for v in [*w.ravel().tolist(), *b.tolist()]
    ]
    rng = random.Random(seed)
    x = [
        rng.random() for _ in range(sizes[0])
    ]  # an image-sized input: the timing ignores its values
    y = [1.0 if j == 0 else 0.0 for j in range(sizes[-1])]
    cost = cost_function(sizes, x, y)
    n = len(params)
    repeats = 5 if n < 10_000 else 2

    # Backpropagation: one forward pass that records the graph, one backward pass.
    leaves = [Value(p) for p in params]
    runs = [timed(lambda: cost(*leaves)) for _ in range(repeats)]
    forward = float(np.median([t for t, _ in runs]))
    backward = median_time([C.backward for _, C in runs])  # type: ignore[attr-defined]
    for leaf in leaves:
        leaf.grad = 0.0
    cost(*leaves).backward()
    gradient = [leaf.grad for leaf in leaves]

    coordinates = sorted(random.Random(seed + 1).sample(range(n), min(sample, n)))

    # Central differences: C(θ + h e_i) and C(θ − h e_i) for each coordinate i, plus C(θ).
    def difference(i: int) -> float:
        with no_grad():
            leaves[i].data = params[i] + STEP
            up = cost(*leaves).data
            leaves[i].data = params[i] - STEP
            down = cost(*leaves).data
            leaves[i].data = params[i]
        return (up - down) / (2 * STEP)

    fd_runs = [timed(lambda i=i: difference(i)) for i in coordinates]
    differences = [d for _, d in fd_runs]
    with no_grad():
        base = median_time([lambda: cost(*leaves)] * repeats)
    finite_differences = float(np.median([t for t, _ in fd_runs])) * n + base

    # Forward mode: one engine.jvp per parameter, with the tangent e_i.
    def tangent(i: int) -> float:
        e = np.zeros(n)
        e[i] = 1.0
        return jvp(cost, params, e)[1]

    fm_runs = [timed(lambda i=i: tangent(i)) for i in coordinates]
    tangents = [t for _, t in fm_runs]
    forward_mode = float(np.median([t for t, _ in fm_runs])) * n

    exact = [gradient[i] for i in coordinates]
    return Row(
        sizes,
        n,
        len(coordinates),
        forward,
        backward,
        finite_differences,
        forward_mode,
        max(abs(d - g) for d, g in zip(differences, exact)),
        max(abs(t - g) for t, g in zip(tangents, exact)),
    )


def duration(seconds: float) -> str:
    """1.2 ms, 3.4 s, 5.6 min or 7.8 h."""
    for unit, size in (("h", 3600.0), ("min", 60.0), ("s", 1.0)):
        if seconds >= size:
            return f"{seconds / size:.3g} {unit}"
    return f"{seconds * 1000:.3g} ms"


def table(rows: list[Row]) -> str:
    """The measurements as a Markdown table, one line per net and method."""
    lines = [
        "| net | n | method | passes | time | backprop is faster by | max \\|diff\\| from backprop |",
        "|---|---:|---|---|---:|---:|---:|",
    ]
    for r in rows:
        sampled = r.sample < r.n
        how = f" (extrapolated from {r.sample})" if sampled else ""
        on = f" on {r.sample} sampled" if sampled else ""
        lines += [
            f"| {r.name} | {r.n} | central differences | {2 * r.n + 1} forward | "
            f"{duration(r.finite_differences)}{how} | {r.finite_differences / r.backprop:,.0f}× | "
            f"{r.fd_gap:.1e}{on} |",
            f"| | | forward mode (engine.jvp) | {r.n} × (forward + tangent sweep) | "
            f"{duration(r.forward_mode)}{how} | "
            f"{r.forward_mode / r.backprop:,.0f}× | {r.forward_mode_gap:.1e}{on} |",
            f"| | | backpropagation | 1 forward + 1 backward | {duration(r.backprop)} "
            f"(backward/forward = {r.backward / r.forward:.2f}) | 1× | — |",
        ]
    return "\n".join(lines)


def plot(rows: list[Row], path: str) -> None:
    """Time against n on log–log axes, one line per method."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = [r.n for r in rows]
    fig, ax = plt.subplots(figsize=(6, 4.2))
    for label, times, style in (
        ("central differences (2n + 1 forward passes)", [r.finite_differences for r in rows], "o-"),
        ("forward mode (n jvp sweeps)", [r.forward_mode for r in rows], "s-"),
        ("backpropagation (1 forward + 1 backward)", [r.backprop for r in rows], "^-"),
    ):
        ax.loglog(n, times, style, label=label)
    for r in rows:
        ax.annotate(
            r.name, (r.n, r.backprop), textcoords="offset points", xytext=(6, 4), fontsize=8
        )
    ax.set_xlabel("n, the number of weights and biases")
    ax.set_ylabel("processor time for the whole gradient (s)")
    ax.set_title("The gradient of one example's cost")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.ArgumentDefaultsHelpFormatter
    )
    parser.add_argument(
        "--nets", type=sizes_list, default=sizes_list(NETS), help=f"layer sizes ({NETS})"
    )
    parser.add_argument("--sample", type=count(1), default=20, help="coordinates timed per net")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--plot", metavar="PATH", type=picture(".svg", ".png"), help="draw the times here"
    )
    args = parser.parse_args()
    rows = []
    for sizes in args.nets:
        rows.append(measure(sizes, args.sample, args.seed))
        print(f"measured {rows[-1].name}", flush=True)
    print()
    print(table(rows))
    worst = max(r.fd_gap for r in rows)
    print(f"\ncentral differences agree with backprop to {worst:.1e} on every sampled coordinate")
    if args.plot:
        plot(rows, args.plot)
        print(f"wrote {args.plot}")
    return 0


if __name__ == "__main__":
    run(main)
