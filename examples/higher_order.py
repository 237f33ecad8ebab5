"""Derivatives of derivatives, Newton's method with the Hessian, and forward vs reverse mode.

Run from the repository's root: python examples/higher_order.py [--out out]
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import numpy as np

import engine
from engine import Value
from engine.functional import forward_sweep
from options import check_outputs, run


def tanh_derivatives(x0: float) -> None:
    """d^n/dx^n tanh(x) for n = 1..4 by differentiating the recorded gradient again."""
    t = math.tanh(x0)
    closed = [
        1 - t * t,
        -2 * t * (1 - t * t),
        (6 * t * t - 2) * (1 - t * t),
        8 * t * (1 - t * t) * (2 - 3 * t * t),
    ]
    formulas = ["1 − t²", "−2t(1 − t²)", "(6t² − 2)(1 − t²)", "8t(1 − t²)(2 − 3t²)"]
    x = Value(x0, label="x")
    d = x.tanh()
    print(f"d^n/dx^n tanh(x) at x = {x0}, t = tanh(x):")
    print("  n          engine     closed form   formula")
    for n in range(1, 5):
        (d,) = engine.grad(d, [x], create_graph=True)
        print(f"  {n}  {d.data:+.12f}  {closed[n - 1]:+.12f}   {formulas[n - 1]}")


def rosenbrock(a: Value, b: Value) -> Value:
    """(1 − a)² + 100 (b − a²)²: minimum 0 at (1, 1)."""
    return (1 - a) ** 2 + 100 * (b - a**2) ** 2


def newton(start: list[float], steps: int = 20) -> list[float]:
    """x ← x − H⁻¹ ∇f with ∇f and H from the engine; stops when the step is below 1e-12."""
    print("\nNewton's method on the Rosenbrock function, x ← x − H⁻¹∇f:")
    x = np.array(start, dtype=float)
    for k in range(steps + 1):
        gradient = engine.jacobian(rosenbrock, list(x))[0]
        value = rosenbrock(*map(Value, x)).data
        print(f"  iteration {k:2d}: x = ({x[0]:+.10f}, {x[1]:+.10f})  f = {value:.3e}")
        step = np.linalg.solve(engine.hessian(rosenbrock, list(x)), gradient)
        if np.max(np.abs(step)) < 1e-12:
            break
        x = x - step
    return list(x)


def g(a: Value, b: Value, c: Value) -> list[Value]:
    """A function of 3 inputs with 4 outputs."""
    return [a * b, a.exp() - b, (b * c).tanh(), c / (1 + a * a)]


def sweeps() -> None:
    """The Jacobian of g by reverse sweeps (one per output) and forward sweeps (one per input)."""
    point = [0.3, -1.2, 0.8]
    leaves = [Value(x) for x in point]
    outputs = g(*leaves)
    # both modes sweep the one recorded graph of g
    rows = [[d.data for d in engine.grad(out, leaves, allow_unused=True)] for out in outputs]
    columns = [forward_sweep(outputs, {x: 1.0}) for x in leaves]
    reverse, forward = np.array(rows), np.array(columns).T
    print("\nJacobian of g: R³ → R⁴ at", point)
    print(f"  reverse mode: {len(rows)} sweeps (one per output, each gives a row)")
    print(f"  forward mode: {len(columns)} sweeps (one per input, each gives a column)")
    print("  " + np.array2string(reverse, precision=6, prefix="  "))
    print(f"  largest |forward − reverse| = {np.max(np.abs(forward - reverse)):.1e}")
    assert np.allclose(reverse, engine.jacobian(g, point), rtol=0, atol=0)
    print("  so a gradient (1 output, n inputs) costs reverse mode 1 sweep, forward mode n;")
    print("  a Jacobian of m outputs and n inputs costs reverse mode m sweeps, forward mode n")


PICTURE = "higher_order_dy.svg"


def draw(out: Path) -> None:
    """Write the picture of dy/dx for y = tanh(x)·x: the forward nodes it reuses keep their labels."""
    import viz

    x = Value(0.5, label="x")
    t = x.tanh()
    t.label = "t = tanh(x)"
    y = t * x
    y.label = "y"
    (dy,) = engine.grad(y, [x], create_graph=True)
    dy.label = "dy/dx"
    path = out / PICTURE
    try:
        viz.render(viz.draw_dot(dy, rankdir="TB"), str(path))  # top to bottom: narrow
    except viz.RendererNotFoundError as e:  # the numbers above stand without the picture
        print(f"\n(no picture: {e})")
        return
    print(f"\nwrote {path}: the graph of dy/dx = (1 − t²)·x + t, reusing x and t")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="out", help="folder for the picture (default: out)")
    args = parser.parse_args(argv)
    check_outputs(Path(args.out) / PICTURE)
    tanh_derivatives(0.5)
    x = newton([-1.2, 1.0])
    print(f"  converged to ({x[0]:.10f}, {x[1]:.10f})")
    sweeps()
    draw(Path(args.out))
    return 0


if __name__ == "__main__":
    run(main)
