"""The benchmark workloads, each written once per engine with the same shape of work.

``ours`` is this project's engine; ``micrograd`` is PyPI's micrograd 0.1.0, the reference.
micrograd 0.1.0 has + * ** relu but no tanh or exp, so side-by-side expressions use
+ * relu, and the + * tanh exp expression runs on this engine alone.
"""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Callable
from typing import Any

import numpy as np

import engine
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


# --- the compiled replay: the demo step and the 784-30-10 step on whole batches ------------


def _demo_loss(net: nn.MLP) -> Callable[[list, list], Any]:
    """micrograd's SVM max-margin loss of one example, relu(1 − y·score), on net."""

    def loss(x: list, y: list) -> Any:
        (s,) = net(x)
        return (1 + -y[0] * s).relu()

    return loss


class CompiledSGD:
    """One SGD step of a compiled function per call, its parameters held in its arrays.

    The arrays stay open while this object lives, as they would through a training loop.
    """

    def __init__(self, step: engine.Compiled, batch: tuple[np.ndarray, ...], lr: float) -> None:
        self._block = contextlib.ExitStack()
        self.data, self.grad = self._block.enter_context(step.parameter_arrays())
        self.step, self.batch, self.lr = step, batch, lr

    def close(self) -> None:
        """Leave the block: the parameters' Values take the arrays' numbers."""
        self._block.close()

    def __call__(self) -> float:
        self.grad[:] = 0.0
        out = self.step.backward(*self.batch)
        self.data -= self.lr * self.grad
        return float(out.mean())


def train_step_compiled(n_points: int, hidden: int = 16) -> Callable[[], float]:
    """The demo step of train_step_ours, compiled: one batch replay, parameters as arrays."""
    X, Y = moons_like(n_points)
    net = nn.MLP(2, [hidden, hidden, 1], activation=["relu", "relu", "linear"], seed=0)
    step = engine.compile(_demo_loss(net), ([0.0, 0.0], [1.0]), net.parameters(), input_grads=False)
    return CompiledSGD(step, (np.array(X), np.array(Y)[:, None]), 0.05)


def train_step_torch(n_points: int, hidden: int = 16) -> Callable[[], float] | None:
    """The demo step in PyTorch, batched, float64, one thread; None if torch is not installed."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)  # the machine is shared; a second thread only waits for a core
    X, Y = moons_like(n_points)
    Xt, Yt = torch.tensor(X, dtype=torch.float64), torch.tensor(Y, dtype=torch.float64)
    torch.manual_seed(0)
    sizes = [2, hidden, hidden, 1]
    layers: list[Any] = []
    for n_in, n_out in zip(sizes, sizes[1:]):
        layers += [torch.nn.Linear(n_in, n_out, dtype=torch.float64), torch.nn.ReLU()]
    model = torch.nn.Sequential(*layers[:-1])
    params = list(model.parameters())

    def run() -> float:
        loss = torch.relu(1 - Yt * model(Xt)[:, 0]).mean()
        for p in params:
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= 0.05 * p.grad
        return float(loss.detach())

    return run


def train_step_numpy(n_points: int, hidden: int = 16) -> Callable[[], float]:
    """The demo step written by hand in numpy (forward, backward, update): the floor."""
    X, Y = moons_like(n_points)
    A0, y = np.array(X).T, np.array(Y)
    net = nn.MLP(2, [hidden, hidden, 1], seed=0)  # the same start as train_step_ours
    W, b = net.weights(), net.biases()
    m = len(y)

    def run() -> float:
        Z1 = W[0] @ A0 + b[0][:, None]
        A1 = np.maximum(Z1, 0.0)
        Z2 = W[1] @ A1 + b[1][:, None]
        A2 = np.maximum(Z2, 0.0)
        s = (W[2] @ A2 + b[2][:, None])[0]
        margin = 1.0 - y * s
        d3 = (np.where(margin > 0.0, -y, 0.0) / m)[None, :]
        d2 = (W[2].T @ d3) * (Z2 > 0.0)
        d1 = (W[1].T @ d2) * (Z1 > 0.0)
        for l, (d, a) in enumerate(((d1, A0), (d2, A1), (d3, A2))):
            W[l] -= 0.05 * (d @ a.T)
            b[l] -= 0.05 * d.sum(axis=1)
        return float(np.maximum(margin, 0.0).mean())

    return run


def mnist_batch(
    sizes: tuple[int, ...] = (784, 30, 10), m: int = 10, seed: int = 0
) -> tuple[nn.MLP, np.ndarray, np.ndarray]:
    """A sigmoid net of these sizes and a mini-batch: X (m, n_1) in [0, 1), one-hot Y (m, n_L)."""
    rng = np.random.default_rng(seed)
    net = nn.MLP(sizes[0], list(sizes[1:]), seed=seed)
    X = rng.uniform(0.0, 1.0, (m, sizes[0]))
    Y = np.eye(sizes[-1])[rng.integers(0, sizes[-1], m)]
    return net, X, Y


def compile_quadratic(net: nn.MLP) -> engine.Compiled:
    """The quadratic cost of one example on net, compiled for batches (no input grads)."""
    return engine.compile(
        lambda x, y: nn.quadratic_cost(net(x), y),
        ([0.0] * net.sizes[0], [0.0] * net.sizes[-1]),
        net.parameters(),
        input_grads=False,
    )


def sgd_step_compiled(net: nn.MLP, X: np.ndarray, Y: np.ndarray, eta: float) -> Callable[[], float]:
    """One SGD step w → w − (η/m) Σ ∂C_x/∂w of the compiled quadratic cost."""
    return CompiledSGD(compile_quadratic(net), (X, Y), eta)


def sgd_step_matrix(net: nn.MLP, X: np.ndarray, Y: np.ndarray, eta: float) -> Callable[[], float]:
    """The same step by nn.matrix: backprop_batch and the update (sgd_update)."""
    weights, biases = net.weights(), net.biases()

    def run() -> float:
        nonlocal weights, biases
        weights, biases = nn.matrix.sgd_update(weights, biases, X.T, Y.T, eta)
        return 0.0

    return run


def compile_parts(net: nn.MLP) -> Callable[[], tuple[float, float]]:
    """CPU seconds of compile's two steps on net's quadratic cost: (recording, planning)."""
    from engine.compile.plan import make_plan
    from engine.compile.recording import record

    params = net.parameters()
    example = ([0.0] * net.sizes[0], [0.0] * net.sizes[-1])

    def run() -> tuple[float, float]:
        start = time.process_time()
        recording = record(lambda x, y: nn.quadratic_cost(net(x), y), example, params)
        recorded = time.process_time()
        data = np.array([p.data for p in params])
        planning = time.process_time()
        make_plan(recording, data, np.zeros_like(data), input_grads=False)
        return recorded - start, time.process_time() - planning

    return run


def compile_memory(net: nn.MLP) -> tuple[float, int]:
    """(bytes the compiled quadratic cost of net holds per node (tracemalloc), nodes)."""
    import tracemalloc

    tracemalloc.start()
    try:
        compiled = compile_quadratic(net)
        held = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    return held / len(compiled.nodes), len(compiled.nodes)


def training_loop(make_step: Callable[[], Callable[[], Any]], steps: int) -> Callable[[], Any]:
    """A whole loop of steps, set-up included (a compiled step records and compiles first)."""

    def run() -> Any:
        step = make_step()
        for _ in range(steps):
            out = step()
        return out

    return run


def nn_train_epoch(n_points: int, compiled: bool) -> Callable[[], Any]:
    """One epoch of nn.train on the demo net, quadratic cost, mini-batches of 10."""
    X, Y = moons_like(n_points)
    data = [(x, [y]) for x, y in zip(X, Y)]

    def run() -> Any:
        net = nn.MLP(2, [16, 16, 1], activation=["relu", "relu", "linear"], seed=0)
        return nn.train(net, data, 1, 10, 0.01, seed=0, verbose=False, compiled=compiled)

    return run


# --- MNIST-sized training: one epoch of 784-30-10 over n examples, mini-batches of m ------


def mnist_sized(
    n: int, sizes: tuple[int, ...] = (784, 30, 10), seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """n examples shaped like MNIST's: X (n, n_1) in [0, 1), one-hot Y (n, n_L)."""
    rng = np.random.default_rng(seed)
    return rng.uniform(0.0, 1.0, (n, sizes[0])), np.eye(sizes[-1])[rng.integers(0, sizes[-1], n)]


def _batches(n: int, m: int, seed: int = 0) -> list[np.ndarray]:
    """The indices of one epoch's mini-batches: a fixed shuffle, cut into runs of m."""
    order = np.random.default_rng(seed).permutation(n)
    return [order[i : i + m] for i in range(0, n, m)]


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def epoch_numpy(
    net: nn.MLP, X: np.ndarray, Y: np.ndarray, m: int, eta: float
) -> Callable[[], float]:
    """One epoch written by hand in numpy, a matrix per mini-batch (examples in rows): the floor."""
    W = [w.T.copy() for w in net.weights()]  # (n_{l-1}, n_l): X @ W needs no transposing copy
    B = net.biases()
    batches = _batches(len(X), m)

    def run() -> float:
        for idx in batches:
            activations = [X[idx]]
            for w, b in zip(W, B):
                activations.append(_sigmoid(activations[-1] @ w + b))
            a = activations[-1]
            delta = (a - Y[idx]) * a * (1.0 - a)
            for l in range(len(W) - 1, -1, -1):
                grad_w, grad_b = activations[l].T @ delta, delta.sum(axis=0)
                if l:
                    a = activations[l]
                    delta = (delta @ W[l].T) * a * (1.0 - a)
                W[l] -= (eta / len(idx)) * grad_w
                B[l] -= (eta / len(idx)) * grad_b
        return float(W[0][0, 0])

    return run


def epoch_network_py(
    net: nn.MLP, X: np.ndarray, Y: np.ndarray, m: int, eta: float
) -> Callable[[], float]:
    """One epoch as Nielsen's network.py runs it: backprop example by example, column vectors."""
    W, B = net.weights(), [b[:, None] for b in net.biases()]
    columns = [(x[:, None], y[:, None]) for x, y in zip(X, Y)]
    batches = _batches(len(X), m)

    def backprop(x: np.ndarray, y: np.ndarray) -> tuple[list, list]:
        activations, zs = [x], []
        for w, b in zip(W, B):
            zs.append(w @ activations[-1] + b)
            activations.append(_sigmoid(zs[-1]))
        a = activations[-1]
        delta = (a - y) * a * (1.0 - a)
        grad_w, grad_b = [None] * len(W), [None] * len(W)
        for l in range(len(W) - 1, -1, -1):
            grad_w[l], grad_b[l] = delta @ activations[l].T, delta
            if l:
                a = activations[l]
                delta = (W[l].T @ delta) * a * (1.0 - a)
        return grad_w, grad_b

    def run() -> float:
        for idx in batches:
            sum_w, sum_b = [np.zeros_like(w) for w in W], [np.zeros_like(b) for b in B]
            for i in idx:
                grad_w, grad_b = backprop(*columns[i])
                sum_w = [s + g for s, g in zip(sum_w, grad_w)]
                sum_b = [s + g for s, g in zip(sum_b, grad_b)]
            W[:] = [w - (eta / len(idx)) * s for w, s in zip(W, sum_w)]
            B[:] = [b - (eta / len(idx)) * s for b, s in zip(B, sum_b)]
        return float(W[0][0, 0])

    return run


def epoch_torch(
    net: nn.MLP, X: np.ndarray, Y: np.ndarray, m: int, eta: float
) -> Callable[[], float] | None:
    """One epoch in lean PyTorch, float64, one thread: addmm, autograd.grad, _foreach_add_."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    Ws = [torch.tensor(w.T.copy(), requires_grad=True) for w in net.weights()]
    Bs = [torch.tensor(b, requires_grad=True) for b in net.biases()]
    params = [p for pair in zip(Ws, Bs) for p in pair]
    Xt, Yt = torch.from_numpy(X), torch.from_numpy(Y)
    batches = [torch.from_numpy(idx) for idx in _batches(len(X), m)]

    def run() -> float:
        for idx in batches:
            a = Xt[idx]
            for w, b in zip(Ws, Bs):
                a = torch.sigmoid(torch.addmm(b, a, w))
            cost = 0.5 * ((a - Yt[idx]) ** 2).sum() / len(idx)
            grads = torch.autograd.grad(cost, params)
            with torch.no_grad():
                torch._foreach_add_(params, grads, alpha=-eta)
        return float(Ws[0][0, 0].detach())

    return run


def epoch_nn_train(net: nn.MLP, X: np.ndarray, Y: np.ndarray, m: int, eta: float) -> Callable:
    """One epoch of nn.train as a user calls it, on the arrays: set-up, steps and scoring."""
    return lambda: nn.train(net, (X, Y), 1, m, eta, seed=0, verbose=False)


def epoch_compiled_steps(
    net: nn.MLP, X: np.ndarray, Y: np.ndarray, m: int, eta: float
) -> Callable[[], float]:
    """The training steps of that epoch alone: the compiled cost's backward and the update."""
    batches = [(X[idx], Y[idx]) for idx in _batches(len(X), m)]
    sgd = CompiledSGD(compile_quadratic(net), batches[0], eta)

    def run() -> float:
        for batch in batches:
            sgd.batch = batch
            sgd()
        return float(sgd.data[0])

    return run


def user_step_compiled(
    step: engine.Compiled, params: list, batch: tuple[np.ndarray, ...], lr: float
) -> Callable[[], None]:
    """The compiled step as a user writes it: opt.zero_grad(); c.backward(*batch); opt.step()."""
    opt = nn.SGD(params, lr)

    def run() -> None:
        opt.zero_grad()
        step.backward(*batch)
        opt.step()

    return run


def demo_compiled(n_points: int, hidden: int = 16) -> tuple[engine.Compiled, list, tuple]:
    """micrograd's demo loss compiled, its parameters, and its batch (X, Y)."""
    X, Y = moons_like(n_points)
    net = nn.MLP(2, [hidden, hidden, 1], activation=["relu", "relu", "linear"], seed=0)
    step = engine.compile(_demo_loss(net), ([0.0, 0.0], [1.0]), net.parameters(), input_grads=False)
    return step, net.parameters(), (np.array(X), np.array(Y)[:, None])


def sgd_step_numpy(net: nn.MLP, X: np.ndarray, Y: np.ndarray, eta: float) -> Callable[[], float]:
    """One SGD step of the quadratic cost on one mini-batch, by hand in numpy."""
    return epoch_numpy(net, X, Y, len(X), eta)


def sgd_step_torch(
    net: nn.MLP, X: np.ndarray, Y: np.ndarray, eta: float
) -> Callable[[], float] | None:
    """The same step in lean PyTorch, float64, one thread."""
    return epoch_torch(net, X, Y, len(X), eta)
