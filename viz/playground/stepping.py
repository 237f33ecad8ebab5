"""Tab 1's answer: a net, an example and its parameters in, every frame of the step-through out.

The numbers are the engine's (``trace_numbers`` reads them off the Values after
``C.backward()``) and every step carries the line comparing them with ``nn.matrix``.
Nothing is kept between requests: the page sends the whole net each time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict

import numpy as np

from nn.costs import COSTS
from nn.network import MLP
from viz import drawing
from viz.net_page import KEY, TOLERANCE, net_step_parts
from viz.playground.fields import BadRequest, choice, integer, listed, number, numbers, only
from viz.rendering import RenderError

MAX_LAYERS = 4  # L, the input layer included
MAX_NEURONS = 8
MAX_SEED = 2**31 - 1
BOUND = 1000.0  # |x|, |y|, |w|, |b|: large enough to saturate any σ, small enough to stay finite
HIDDEN = ("sigmoid", "tanh", "relu", "linear")
LAST = (*HIDDEN, "softmax")
FIELDS = ("sizes", "activations", "cost", "x", "y", "seed", "weights", "biases")
DEFAULT = {
    # examples/tiny_net.py: the 2-3-2 sigmoid net with the quadratic cost
    "sizes": [2, 3, 2],
    "activations": ["sigmoid", "sigmoid"],
    "cost": "quadratic",
    "x": [0.5, -1.0],
    "y": [1.0, 0.0],
    "seed": 0,
}


def sizes(value: object, name: str = "sizes") -> list[int]:
    """n_1 … n_L: 2 to MAX_LAYERS layers of 1 to MAX_NEURONS neurons."""
    return [
        integer(n, f"{name}[{i}]", 1, MAX_NEURONS)
        for i, n in enumerate(listed(value, name, 2, MAX_LAYERS))
    ]


def activations(value: object, n_layers: int, name: str = "activations") -> list[str]:
    """One σ per weight layer; softmax for the last one only, over at least two neurons."""
    names = listed(value, name, n_layers, n_layers)
    return [
        choice(a, f"{name}[{i}]", LAST if i == n_layers - 1 else HIDDEN)
        for i, a in enumerate(names)
    ]


def cost(value: object, output: str) -> str:
    """A cost defined on the output layer's σ."""
    name = choice(value, "cost", list(COSTS))
    try:
        COSTS[name].check_output(output)
    except ValueError as e:
        raise BadRequest(f"cost: {e}") from None
    return name


def _parameters(body: Mapping[str, object], net: MLP) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The request's w^l and b^l (named w^2_10, b^3_1 in errors), or the seeded net's."""
    weights, biases = net.weights(), net.biases()
    if "weights" in body:
        given = listed(body["weights"], "weights", len(weights), len(weights))
        for i, (w, rows) in enumerate(zip(weights, given)):
            rows = listed(rows, f"weights[{i}]", w.shape[0], w.shape[0])
            for j, row in enumerate(rows):
                for k, v in enumerate(listed(row, f"weights[{i}][{j}]", w.shape[1], w.shape[1])):
                    w[j, k] = number(v, f"w^{i + 2}_{j}{k}", -BOUND, BOUND)
    if "biases" in body:
        given = listed(body["biases"], "biases", len(biases), len(biases))
        for i, (b, values) in enumerate(zip(biases, given)):
            for j, v in enumerate(listed(values, f"biases[{i}]", len(b), len(b))):
                b[j] = number(v, f"b^{i + 2}_{j}", -BOUND, BOUND)
    return weights, biases


def read_net(body: Mapping[str, object]) -> tuple[MLP, str, list[float], list[float], int]:
    """(net, cost, x, y, seed) from a request, every field checked; defaults fill what is missing."""
    only(body, FIELDS)
    spec = {**DEFAULT, **body}
    n = sizes(spec["sizes"])
    if "sizes" in body and "activations" not in body:  # one σ per layer, as the default's
        spec["activations"] = ["sigmoid"] * (len(n) - 1)
    acts = activations(spec["activations"], len(n) - 1)
    if acts[-1] == "softmax" and n[-1] < 2:
        raise BadRequest("activations: softmax needs an output layer of at least 2 neurons")
    cost_name = cost(spec["cost"], acts[-1])
    if "sizes" in body and "x" not in body:
        spec["x"] = [0.5 if k % 2 == 0 else -1.0 for k in range(n[0])]
    if "sizes" in body and "y" not in body:
        spec["y"] = [1.0 if j == 0 else 0.0 for j in range(n[-1])]
    x = numbers(spec["x"], "x", n[0], BOUND)
    y = numbers(spec["y"], "y", n[-1], BOUND)
    try:
        COSTS[cost_name].check_targets([y], "y")
    except ValueError as e:
        raise BadRequest(str(e)) from None
    seed = integer(spec["seed"], "seed", 0, MAX_SEED)
    seeded = MLP(n[0], n[1:], activation=acts, seed=seed)
    weights, biases = _parameters(body, seeded)
    return MLP.from_matrices(weights, biases, acts), cost_name, x, y, seed


def symbol_values(net: MLP, delta: list[list[float]], grad_w: list, grad_b: list) -> dict:
    """Every δ and gradient by its page symbol: delta^3_1, dC/dw^2_10, dC/db^2_0."""
    values: dict[str, float] = {}
    for l, layer in enumerate(net.layers, start=2):
        for j, neuron in enumerate(layer.neurons):
            values[f"delta^{l}_{j}"] = delta[l - 2][j]
            values[f"dC/d{neuron.b.label}"] = grad_b[l - 2][j]
            for k, w in enumerate(neuron.w):
                values[f"dC/d{w.label}"] = grad_w[l - 2][j][k]
    return values


def step_answer(body: Mapping[str, object]) -> dict:
    """Everything Tab 1 shows for the request's net and example: picture, frames, numbers, check."""
    net, cost_name, x, y, seed = read_net(body)
    try:
        n, bp, frames, (svg, svg_tall) = net_step_parts(net, x, y, cost_name, rankdir=None)
    except ArithmeticError as e:  # a cost or σ that overflows on these numbers
        raise BadRequest(f"these numbers overflow: {e}") from None
    except RenderError as e:  # no Graphviz renderer: the server's problem, said plainly
        raise BadRequest(f"cannot draw the net: {e}", 500) from None
    engine = [*n.delta, *n.grad_w, *n.grad_b, [n.cost]]
    reference = [*bp.delta, *bp.grad_w, *bp.grad_b, [bp.cost]]
    gap = max(
        float(np.max(np.abs(np.asarray(e, float) - np.asarray(r, float))))
        for e, r in zip(engine, reference)
    )
    scale = max(1.0, *(float(np.max(np.abs(np.asarray(r, float)))) for r in reference))
    ok = gap <= TOLERANCE * scale
    verdict = "✓ agrees with" if ok else "✗ differs from"
    return {
        "title": f"Backpropagation in a {'-'.join(map(str, net.sizes))} net",
        "svg": svg[svg.index("<svg") :],  # layers left to right
        "svg_tall": svg_tall[svg_tall.index("<svg") :],  # top to bottom, for a narrow screen
        "frames": [asdict(f) for f in frames],
        "legend": [[e.state, drawing.scripted(e.meaning)] for e in KEY if e.state],
        "sizes": net.sizes,
        "activations": net.activations,
        "cost": cost_name,
        "x": x,
        "y": y,
        "seed": seed,
        "weights": [w.tolist() for w in net.weights()],
        "biases": [b.tolist() for b in net.biases()],
        "a": n.a,
        "z": n.z,
        "C": n.cost,
        "values": symbol_values(net, n.delta, n.grad_w, n.grad_b),
        "check": {
            "ok": ok,
            "max_difference": gap,
            "text": f"{verdict} nn.matrix (BP1–BP4) on every δ, ∂C/∂w, ∂C/∂b and C: "
            f"max |difference| = {gap:.1e}",
        },
    }
