"""The benchmark workloads, each written once per engine with the same shape of work.

``ours`` is this project's engine; ``micrograd`` is PyPI's micrograd 0.1.0, the reference.
micrograd 0.1.0 has + * ** relu but no tanh or exp, so side-by-side expressions use
+ * relu, and the + * tanh exp expression runs on this engine alone.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import numpy as np

import nn

try:
    import micrograd.engine as mg_engine
    import micrograd.nn as mg_nn
except ImportError:  # run.py says how to install it
    mg_engine = mg_nn = None


def moons_like(n: int, seed: int = 0) -> tuple[list[list[float]], list[float]]:
    """n two-dimensional points labelled ±1 (the XOR of the signs of the coordinates)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    return X.tolist(), [1.0 if a * b > 0 else -1.0 for a, b in X]


# --- train step: micrograd's demo, MLP(2, [16, 16, 1]), SVM max-margin loss, SGD ------


def _svm_step(
    model: Callable[[list[float]], Any],
    params: list[Any],
    X: list[list[float]],
    Y: list[float],
    lr: float,
) -> float:
    """Forward, mean of relu(1 − y·score), zero grads, backward, p.data −= lr·p.grad."""
    scores = [model(x) for x in X]
    losses = [(1 + -y * s).relu() for y, s in zip(Y, scores)]
    loss = sum(losses) * (1.0 / len(losses))
    for p in params:
        p.grad = 0.0
    loss.backward()
    for p in params:
        p.data -= lr * p.grad
    return loss.data


def train_step_ours(n_points: int, hidden: int = 16) -> Callable[[], float]:
    """One training step of nn.MLP(2, [h, h, 1], relu, relu, linear) on n_points points."""
    X, Y = moons_like(n_points)
    net = nn.MLP(2, [hidden, hidden, 1], activation=["relu", "relu", "linear"], seed=0)
    params = net.parameters()
    return lambda: _svm_step(lambda x: net(x)[0], params, X, Y, 0.05)


def train_step_micrograd(n_points: int, hidden: int = 16) -> Callable[[], float]:
    """The same step on micrograd's MLP(2, [h, h, 1]) (relu hidden layers, linear output)."""
    X, Y = moons_like(n_points)
    random.seed(0)
    model = mg_nn.MLP(2, [hidden, hidden, 1])
    params = model.parameters()
    return lambda: _svm_step(model, params, X, Y, 0.05)


# --- expressions: a large random DAG, built and backpropagated ------------------------

# how many nodes each op of an expression makes: "+" is (a + b)·½, "e" is exp(a − 1)
NODES_PER_OP = {"+": 2, "*": 1, "r": 1, "t": 1, "e": 2}


def expression_plan(
    n_nodes: int, ops: str = "+*r", width: int = 1000, seed: int = 0
) -> tuple[list[float], list[list[tuple[str, int, int]]]]:
    """The random choices of an expression, drawn once so that timing covers only the engine.

    Returns the 100 leaf values and, per layer, (op, i, j) for each node: node i of the
    layer before combined with node j of it.
    """
    rng = random.Random(seed)
    leaves = [rng.uniform(-1.0, 1.0) for _ in range(100)]
    layers, size, made = [], len(leaves), 0
    while made < n_nodes:
        layer = [(rng.choice(ops), i % size, rng.randrange(size)) for i in range(width)]
        made += sum(NODES_PER_OP[op] for op, _, _ in layer)
        layers.append(layer)
        size = width
    return leaves, layers


def build_expression(
    V: type, plan: tuple[list[float], list[list[tuple[str, int, int]]]]
) -> tuple[Any, int]:
    """The plan's layered DAG, reduced pairwise to one root; returns (root, number of nodes made).

    Node i of a layer uses node i of the layer before, so every node stays reachable, and
    the graph is wide and shallow (about n_nodes/width + log2(width) deep): micrograd's
    recursive ordering can walk it. The ops keep values within [-1, 1]: "+" (a + b)·½,
    "*" a·b, "r" relu(a), "t" tanh(a), "e" exp(a − 1).
    """
    values, layers = plan
    layer = [V(x) for x in values]
    half, one = V(0.5), V(1.0)
    made = 0
    for spec in layers:
        new = []
        for op, i, j in spec:
            a = layer[i]
            if op == "+":
                new.append((a + layer[j]) * half)
            elif op == "*":
                new.append(a * layer[j])
            elif op == "r":
                new.append(a.relu())
            elif op == "t":
                new.append(a.tanh())
            else:
                new.append((a - one).exp())
            made += NODES_PER_OP[op]
        layer = new
    while len(layer) > 1:  # pairwise, so the reduction adds only log2(width) to the depth
        pairs = [a + b for a, b in zip(layer[::2], layer[1::2])]
        made += len(pairs)
        layer = pairs + layer[len(layer) - len(layer) % 2 :]
    return layer[0], made


def expression(
    V: type, plan: tuple[list[float], list[list[tuple[str, int, int]]]]
) -> Callable[[], int]:
    """Build the plan's expression and backpropagate it; returns its size."""

    def run() -> int:
        root, made = build_expression(V, plan)
        root.backward()
        return made

    return run


def chain(V: type, n_nodes: int) -> Callable[[], float]:
    """A chain y = ((x·c)+c)·c … of n_nodes nodes, forward and backward; returns x.grad."""

    def run() -> float:
        x, c = V(1.0), V(0.999999)
        y = x
        for i in range(n_nodes):
            y = y * c if i % 2 else y + c
        y.backward()
        return x.grad

    return run


def bytes_per_node(V: type, n_nodes: int) -> float:
    """tracemalloc's bytes per node held by a random expression of n_nodes nodes (+ * relu)."""
    import tracemalloc

    plan = expression_plan(n_nodes)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        root, made = build_expression(V, plan)
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    del root
    return held / made


# --- the MNIST net of Nielsen's book: scalar engine vs matrix equations ------------------------


def mnist_shaped(
    seed: int = 0, sizes: tuple[int, ...] = (784, 30, 10)
) -> tuple[nn.MLP, list, list]:
    """A sizes[0]-…-sizes[-1] sigmoid net with one example x in [0, 1) and a one-hot y."""
    rng = np.random.default_rng(seed)
    net = nn.MLP(sizes[0], list(sizes[1:]), seed=seed)
    x = rng.uniform(0.0, 1.0, sizes[0]).tolist()
    y = [1.0 if j == 3 % sizes[-1] else 0.0 for j in range(sizes[-1])]
    return net, x, y


def scalar_backprop(net: nn.MLP, x: list, y: list) -> Callable[[], float]:
    """Trace, cost, backward on the scalar engine; returns C."""

    def run() -> float:
        net.zero_grad()
        tr = net.trace(x)
        C = nn.quadratic_cost(tr.output, y)
        C.backward()
        return C.data

    return run


def matrix_backprop(net: nn.MLP, x: list, y: list) -> Callable[[], float]:
    """BP1–BP4 with numpy on the same net and example; returns C."""
    W, B = net.weights(), net.biases()
    return lambda: nn.matrix.backprop(W, B, x, y).cost
