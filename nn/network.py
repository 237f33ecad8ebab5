"""Neurons, layers and multilayer perceptrons made of Values, in Nielsen's notation.

Layer l = 1 is the input. Weight layer l (l = 2 … L) holds neuron j with weights
w^l_jk from neuron k of layer l−1 and bias b^l_j; it computes
z^l_j = Σ_k w^l_jk a^{l−1}_k + b^l_j as one ``weighted_sum`` node and a^l_j = σ(z^l_j).
Indices j and k count from 0, as in the arrays ``W[j, k]``. ``Module`` is what owns
parameters (Neuron, Layer, MLP); ``Trace`` is one forward pass with every z^l and a^l kept.
"""

from __future__ import annotations

import gc
import math
import os
import random
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from engine import Value, checks
from engine.autodiff import zero_grad
from engine.backing import Placement
from engine.checks import count, is_real, one_of, real_number, sequence
from engine.value import Number, weighted_sum_of_values
from nn import saving
from nn.activations import activation_named, layer_activations
from nn.datasets import class_targets

Array = np.ndarray


def pause_collector() -> bool:
    """Switch Python's cyclic collector off; whether it was on (for ``resume_collector``).

    A graph being built makes no reference cycles, but the collector walks its young nodes
    again and again while it grows. Paused once per block: around an MLP's forward pass (a
    user's own training loop: the "train step" row of benchmarks/run.py, collector on), and
    around each epoch of nn.train's scalar steps (``collector_paused``): graphs, backward and
    updates, built through ``MLP.trace``, which does not pause it again.
    """
    was_on = gc.isenabled()
    gc.disable()
    return was_on


def resume_collector(was_on: bool) -> None:
    """Switch the collector back on if ``pause_collector`` found it on."""
    if was_on:
        gc.enable()


@contextmanager
def collector_paused() -> Iterator[None]:
    """The collector paused within the block (``pause_collector``)."""
    was_on = pause_collector()
    try:
        yield
    finally:
        resume_collector(was_on)


def _index(j: int, k: int | None = None) -> str:
    """Subscripts as Nielsen writes them: "jk", or "j,k" once an index has two digits."""
    if k is None:
        return str(j)
    return f"{j}{k}" if j < 10 and k < 10 else f"{j},{k}"


class Module:
    """Something with parameters that training updates."""

    def parameters(self) -> list[Value]:
        """The Values that training updates, in a fixed order."""
        return []

    def zero_grad(self) -> None:
        """Set each parameter's grad to 0: these leaves only (``Value.zero_grad`` clears a graph)."""
        zero_grad(self.parameters())

    @contextmanager
    def grads_set_aside(self) -> Iterator[None]:
        """Within the block parameters' grads start at 0; afterwards they are as they were."""
        params = self.parameters()
        held = [p.grad for p in params]
        zero_grad(params)
        try:
            yield
        finally:
            for p, grad in zip(params, held):
                p.grad = grad

    def named_values(self) -> dict[str, np.ndarray]:
        """Each parameter tensor's name and its Values, as arrays of the shapes PyTorch gives them."""
        return {}

    def state_dict(self) -> dict[str, np.ndarray]:
        """Every parameter's number, keyed and shaped as in the equivalent ``torch.nn`` module."""
        return {
            name: np.vectorize(lambda v: v.data, otypes=[float])(values)
            for name, values in self.named_values().items()
        }

    def load_state_dict(self, state: Mapping[str, object], strict: bool = True) -> None:
        """Set the parameters from ``state`` (as ``state_dict`` gives it), all or nothing.

        Keys, shapes and finiteness are checked first, and a wrong one changes nothing.
        ``strict=False`` sets the keys this module has and ignores the others, as in PyTorch.
        """
        if not isinstance(state, Mapping):
            raise TypeError(
                f"load_state_dict: state must be a dict of arrays, got {type(state).__name__}"
            )
        named = self.named_values()
        missing = [k for k in named if k not in state]
        unexpected = [k for k in state if k not in named]
        if strict and (missing or unexpected):
            raise ValueError(
                f"load_state_dict: missing keys {missing}, unexpected keys {unexpected}; "
                f"this module's keys are {list(named)}"
            )
        params: list[Value] = []
        numbers: list[np.ndarray] = []
        for key, values in named.items():
            if key not in state:
                continue
            value = state[key]
            if hasattr(value, "detach"):  # a torch tensor, on any device, perhaps requiring grad
                value = value.detach().cpu().numpy()
            given = np.asarray(value)
            if given.dtype.kind not in "iuf":
                raise TypeError(
                    f"load_state_dict: {key!r} must be an array of numbers, got {given.dtype}"
                )
            given = given.astype(float)
            if given.shape != values.shape:
                raise ValueError(
                    f"load_state_dict: {key!r} must have shape {values.shape}, got {given.shape}"
                )
            if not np.isfinite(given).all():
                raise ValueError(f"load_state_dict: {key!r} holds numbers that are not finite")
            params.extend(values.flat)
            numbers.append(given.ravel())
        Placement(params).assign(np.concatenate(numbers) if numbers else np.zeros(0))  # all or none


class Neuron(Module):
    """Neuron j of layer l: weights w^l_jk, bias b^l_j and activation σ."""

    def __init__(
        self, w: Sequence[float], b: float, activation: str = "sigmoid", layer: int = 2, j: int = 0
    ) -> None:
        self.w = [
            Value(wk, label=f"w^{layer}_{_index(j, k)}")
            for k, wk in enumerate(sequence(w, f"w^{layer}_{_index(j)} (the neuron's weights)"))
        ]
        self.b = Value(b, label=f"b^{layer}_{_index(j)}")
        self.activation = layer_activations(activation, 1)[0]
        self._sigma = activation_named(self.activation)
        self._z_label = f"z^{layer}_{_index(j)}"
        self.a_label = f"a^{layer}_{_index(j)}"

    def weighted_input(self, a: list[Value]) -> Value:
        """z = Σ_k w_k a_k + b for the previous layer's activations a (Values, already checked)."""
        z = weighted_sum_of_values(self.w, a, self.b)
        z.label = self._z_label
        return z

    def forward(self, a: list[Value]) -> tuple[Value, Value]:
        """(z, σ(z)) for the previous layer's activations a (Values, already checked)."""
        if not self._sigma.elementwise:
            raise ValueError(
                f"Neuron: {self.activation} acts on a whole layer's z^l, not on one neuron's; "
                f"use it in a Layer or an MLP"
            )
        z = self.weighted_input(a)
        (out,) = _labelled(self._sigma([z]), [z], [self.a_label])
        return z, out

    def __call__(self, a: list[Value]) -> Value:
        return self.forward(a)[1]

    def parameters(self) -> list[Value]:
        return [*self.w, self.b]

    def named_values(self) -> dict[str, np.ndarray]:
        """``weight`` of shape (1, n_{l−1}) and ``bias`` of shape (1,), as a ``torch.nn.Linear``."""
        return {"weight": _values([self.w]), "bias": _values([self.b])}

    def __repr__(self) -> str:
        return f"Neuron({len(self.w)} inputs, {self.activation})"


class Layer(Module):
    """Weight layer l: neurons j = 0 … n_l − 1, each fed by all n_{l−1} activations."""

    def __init__(
        self,
        w: Sequence[Sequence[float]],
        b: Sequence[float],
        activation: str = "sigmoid",
        layer: int = 2,
    ) -> None:
        rows, biases = sequence(w, f"w^{layer}"), sequence(b, f"b^{layer}")
        if len(rows) != len(biases) or not rows:
            raise ValueError(
                f"layer {layer}: need one bias per row of weights and at least one neuron, "
                f"got {len(rows)} rows of w^{layer} and {len(biases)} biases"
            )
        rows = [sequence(wj, f"w^{layer} row {j}", len(rows[0])) for j, wj in enumerate(rows)]
        self.neurons = [
            Neuron(wj, bj, activation, layer, j) for j, (wj, bj) in enumerate(zip(rows, biases))
        ]
        self.activation = layer_activations(activation, 1)[0]
        self._sigma = activation_named(self.activation)
        if not self._sigma.elementwise and len(self.neurons) < 2:
            raise ValueError(
                f"layer {layer}: {self.activation} over a single neuron is the constant 1 "
                f"(every gradient through it is 0); give the layer at least 2 neurons"
            )
        self.layer = layer

    def forward(self, a: list[Value]) -> tuple[list[Value], list[Value]]:
        """(z^l, a^l) for a^{l−1}: each neuron's z^l_j, then σ over the whole layer."""
        zs = [n.weighted_input(a) for n in self.neurons]
        return zs, _labelled(self._sigma(zs), zs, [n.a_label for n in self.neurons])

    def __call__(self, a: list[Value]) -> list[Value]:
        return self.forward(a)[1]

    def parameters(self) -> list[Value]:
        """w^l row by row (w^l_jk at j·n_{l−1} + k), then b^l: PyTorch's order (weight, bias),
        and contiguous blocks for ``engine.compile``'s W @ X + b."""
        return [w for n in self.neurons for w in n.w] + [n.b for n in self.neurons]

    def named_values(self) -> dict[str, np.ndarray]:
        """``weight`` w^l of shape (n_l, n_{l−1}), ``weight[j, k]`` = w^l_jk, and ``bias`` b^l."""
        return {
            "weight": _values([n.w for n in self.neurons]),
            "bias": _values([n.b for n in self.neurons]),
        }

    def __repr__(self) -> str:
        return f"Layer({self.layer}: {len(self.neurons)} neurons, {self.activation})"


def _values(values: Sequence[Value] | Sequence[Sequence[Value]]) -> np.ndarray:
    """The Values in an object array of the same shape: a vector, or a matrix of rows."""
    rows = [list(r) if isinstance(r, (list, tuple)) else r for r in values]
    out = np.empty((len(rows), len(rows[0])) if isinstance(rows[0], list) else len(rows), object)
    for j, row in enumerate(rows):
        out[j] = row
    return out


def _labelled(outs: list[Value], zs: list[Value], labels: list[str]) -> list[Value]:
    """outs with each new node labelled a^l_j (a linear σ hands back z^l_j itself, unlabelled)."""
    for out, z, label in zip(outs, zs, labels):
        if out is not z:
            out.label = label
    return outs


# Standard deviation of a weight fed by n_in inputs; biases are N(0, 1) either way.
# "normal" is network.py's N(0, 1); "scaled" is network2.py's N(0, 1/n_in), which keeps
# z^l_j = Σ_k w^l_jk a^{l−1}_k + b^l_j of order 1, so σ(z) does not start out saturated.
INITS: dict[str, Callable[[int], float]] = {
    "normal": lambda n_in: 1.0,
    "scaled": lambda n_in: 1.0 / math.sqrt(n_in),
}


@dataclass
class Trace:
    """a^1 (the input) … a^L, z^2 … z^L, and the name of each layer's activation σ."""

    activations: list[list[Value]]
    zs: list[list[Value]]
    sigmas: list[str]

    @property
    def output(self) -> list[Value]:
        """a^L."""
        return self.activations[-1]


def check_parameters(
    weights: Sequence[object], biases: Sequence[object]
) -> tuple[list[Array], list[Array]]:
    """Weights and biases as float arrays of matching shapes (n_l, n_{l-1}) and (n_l,), or ValueError."""
    for name, given in (("weights", weights), ("biases", biases)):
        if not isinstance(given, (list, tuple)):
            what = (
                f"a {given.ndim}-D array of shape {given.shape}"
                if isinstance(given, np.ndarray)
                else type(given).__name__
            )
            raise TypeError(f"{name} must be a list with one array per layer, got {what}")
    if len(weights) != len(biases) or not weights:
        raise ValueError(
            f"need one bias vector per weight matrix and at least one layer, "
            f"got {len(weights)} weight matrices and {len(biases)} bias vectors"
        )
    ws: list[Array] = []
    bs: list[Array] = []
    for i, (w, b) in enumerate(zip(weights, biases)):
        l = i + 2
        try:
            w, b = np.asarray(w, dtype=float), np.asarray(b, dtype=float)
        except (TypeError, ValueError, OverflowError) as e:
            raise ValueError(
                f"layer {l}: weights and biases must be arrays of numbers ({e})"
            ) from None
        if b.ndim == 2 and b.shape[1] == 1:
            b = b[:, 0]  # a column vector, as Nielsen's network.py keeps biases
        if w.ndim != 2 or 0 in w.shape:
            raise ValueError(f"layer {l}: w^{l} must be a non-empty 2-D array, got shape {w.shape}")
        if ws and w.shape[1] != ws[-1].shape[0]:
            raise ValueError(
                f"layer {l}: w^{l} has shape {w.shape} but layer {l - 1} has "
                f"{ws[-1].shape[0]} neurons, so it needs {ws[-1].shape[0]} columns"
            )
        if b.shape != (w.shape[0],):
            raise ValueError(
                f"layer {l}: b^{l} must have shape ({w.shape[0]},) to match w^{l} "
                f"{w.shape}, got {b.shape}"
            )
        if not (np.isfinite(w).all() and np.isfinite(b).all()):
            raise ValueError(f"layer {l}: weights and biases must be finite")
        ws.append(w)
        bs.append(b)
    return ws, bs


class MLP(Module):
    """A multilayer perceptron: ``MLP(2, [3, 2])`` has 2 inputs, 3 hidden neurons and 2 outputs.

    Weights w^l_jk are drawn from N(0, 1) (``init="normal"``) or N(0, 1/n_{l−1})
    (``init="scaled"``), biases from N(0, 1); ``seed`` fixes the draws.
    """

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        activation: str | Sequence[str] = "sigmoid",
        seed: int | None = None,
        init: str = "normal",
    ) -> None:
        nouts = sequence(nouts, "MLP: nouts (the list of layer sizes)")
        if not len(nouts):
            raise ValueError("MLP: nouts must hold at least one layer size, got []")
        sizes = [
            count(nin, "MLP: nin"),
            *(count(n, f"MLP: nouts[{i}]") for i, n in enumerate(nouts)),
        ]
        names = layer_activations(activation, len(nouts))
        one_of(init, "MLP: init", INITS)
        rng = random.Random(checks.seed(seed, "MLP: seed"))
        weights = [
            [[rng.gauss(0.0, INITS[init](n_in)) for _ in range(n_in)] for _ in range(n_out)]
            for n_in, n_out in zip(sizes, sizes[1:])
        ]
        biases = [[rng.gauss(0.0, 1.0) for _ in range(n_out)] for n_out in sizes[1:]]
        self._build(weights, biases, names)

    def _build(
        self,
        weights: Sequence[Sequence[Sequence[float]]],
        biases: Sequence[Sequence[float]],
        activations: list[str],
    ) -> None:
        self.layers = [
            Layer(w, b, name, layer=i + 2)
            for i, (w, b, name) in enumerate(zip(weights, biases, activations))
        ]
        self.sizes = [len(weights[0][0]), *(len(b) for b in biases)]
        self.activations = activations

    @classmethod
    def from_matrices(
        cls,
        weights: Sequence[object],
        biases: Sequence[object],
        activation: str | Sequence[str] = "sigmoid",
    ) -> MLP:
        """The net with exactly these parameters: W^l of shape (n_l, n_{l−1}), b^l of shape (n_l,)."""
        ws, bs = check_parameters(weights, biases)
        net = cls.__new__(cls)
        net._build(
            [w.tolist() for w in ws],
            [b.tolist() for b in bs],
            layer_activations(activation, len(ws)),
        )
        return net

    @property
    def nin(self) -> int:
        """n_1, the number of inputs."""
        return self.sizes[0]

    def inputs(self, x: Sequence[Value | Number]) -> list[Value]:
        """x as a^1: a list of nin Values (numbers become leaves labelled a^1_k)."""
        a = []
        for k, xk in enumerate(sequence(x, "input", self.nin, " (the net's nin)")):
            if isinstance(xk, Value):
                a.append(xk)
                continue
            try:
                a.append(Value(xk, label=f"a^1_{k}"))
            except (TypeError, ValueError) as e:
                raise type(e)(f"input x[{k}]: {e}") from None
        return a

    def target(self, y: object) -> list[float]:
        """y as a list of n_L finite floats, or an error naming the entry that is not one.

        With n_L ≥ 2 outputs a number y is a class label: label 2 of 4 is [0, 0, 1, 0].
        """
        n_out = self.sizes[-1]
        if n_out > 1 and is_real(y):
            return class_targets(np.asarray(y), n_out, "target y").tolist()
        out = []
        for j, yj in enumerate(sequence(y, "target", self.sizes[-1], " (the net's outputs)")):
            if isinstance(yj, (bool, np.bool_)):
                raise TypeError(
                    f"target y[{j}] is the bool {yj!r}; give targets as numbers 1.0 and 0.0 "
                    f"(for a numpy array Y, Y.astype(float))"
                )
            out.append(real_number(yj, f"target y[{j}]"))
        return out

    def trace(self, x: Sequence[Value | Number]) -> Trace:
        """The forward pass for x, keeping every z^l and a^l."""
        activations, zs = [self.inputs(x)], []
        for layer in self.layers:  # nn.train's scalar epoch has paused the collector
            z, a = layer.forward(activations[-1])
            zs.append(z)
            activations.append(a)
        return Trace(activations, zs, list(self.activations))

    def __call__(self, x: Sequence[Value | Number]) -> list[Value]:
        """The output a^L for input x, always a list."""
        # Paused by calls, not a ``with`` block: entering one allocates (its bound __exit__),
        # and an allocation while the collector is on sets off the collection of all the
        # nodes that the calls before this one made, the work the pause is there to save.
        was_on = pause_collector()
        try:
            a = self.inputs(x)
            for layer in self.layers:
                a = layer(a)
        finally:
            resume_collector(was_on)
        return a

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for p in layer.parameters()]

    def named_values(self) -> dict[str, np.ndarray]:
        """``"0.weight"``, ``"0.bias"``, ``"2.weight"``, …: the keys of the ``torch.nn.Sequential``
        of Linear and activation modules that ``nn.to_torch`` builds (layer l is at 2(l − 2))."""
        return {
            f"{2 * i}.{name}": values
            for i, layer in enumerate(self.layers)
            for name, values in layer.named_values().items()
        }

    def weight_params(self) -> list[Value]:
        """The weights w^l_jk as Values, without the biases: what L2 regularisation decays."""
        return [w for layer in self.layers for n in layer.neurons for w in n.w]

    def weights(self) -> list[Array]:
        """W^l for l = 2 … L as numpy arrays of shape (n_l, n_{l−1}), W[j, k] = w^l_jk."""
        return [np.array([[w.data for w in n.w] for n in layer.neurons]) for layer in self.layers]

    def biases(self) -> list[Array]:
        """b^l for l = 2 … L as numpy arrays of shape (n_l,)."""
        return [np.array([n.b.data for n in layer.neurons]) for layer in self.layers]

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write sizes, activations and every parameter to a JSON file (exact round trip)."""
        saving.save(
            path,
            self.sizes,
            self.activations,
            [w.tolist() for w in self.weights()],
            [b.tolist() for b in self.biases()],
        )

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> MLP:
        """The net saved at path; ValueError (naming the file) if it is not a complete saved MLP."""
        sizes, activations, weights, biases = saving.load(path)
        try:
            net = cls.from_matrices(weights, biases, activations)
        except (TypeError, ValueError) as e:
            raise ValueError(f"{path}: not a valid saved MLP: {e}") from None
        if net.sizes != sizes:
            raise ValueError(f"{path}: saved sizes {sizes!r} disagree with its weights {net.sizes}")
        return net

    def __repr__(self) -> str:
        return f"MLP({' -> '.join(map(str, self.sizes))}, activations={self.activations})"
