"""The hand-off to PyTorch: a net as a ``torch.nn.Sequential`` and back, and the costs as torch sees them.

Nielsen's w^l_jk is ``Linear.weight[j, k]`` (no transpose) and layer l is module
2(l − 2) of the Sequential, with its activation after it, so ``net.state_dict()`` has
the keys and shapes of ``to_torch(net).state_dict()``. PyTorch is optional (the
``torch`` extra): it is imported when one of these functions is called.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from nn.costs import cost_named
from nn.network import MLP

if TYPE_CHECKING:
    import torch

TORCH_EXTRA = (
    "the PyTorch hand-off needs torch: pip install 'backprop-engine[torch]' "
    '(or pip install -e ".[torch]" in a clone)'
)

# Each activation's torch module, by name; softmax over the last axis, the outputs'
MODULES = {
    "sigmoid": "Sigmoid",
    "tanh": "Tanh",
    "relu": "ReLU",
    "linear": "Identity",
    "softmax": "Softmax",
}


def _torch() -> Any:
    try:
        import torch
    except ImportError as e:
        raise ImportError(TORCH_EXTRA) from e
    return torch


def to_torch(net: MLP, dtype: torch.dtype | None = None) -> torch.nn.Sequential:
    """The net as ``torch.nn.Sequential(Linear, σ, Linear, σ, …)`` with the same parameters.

    ``dtype`` is float64 unless given: float32 would round every weight.
    """
    th = _torch()
    if not isinstance(net, MLP):
        raise TypeError(f"to_torch: expected an nn.MLP, got {type(net).__name__}")
    dtype = th.float64 if dtype is None else dtype
    if not (isinstance(dtype, th.dtype) and dtype.is_floating_point):
        raise TypeError(f"to_torch: dtype must be a torch floating-point dtype, got {dtype!r}")
    modules = []
    for n_in, n_out, name in zip(net.sizes, net.sizes[1:], net.activations):
        modules.append(th.nn.Linear(n_in, n_out, dtype=dtype))
        kind = getattr(th.nn, MODULES[name])
        modules.append(kind(dim=-1) if name == "softmax" else kind())
    model = th.nn.Sequential(*modules)
    with th.no_grad():
        model.load_state_dict({k: th.from_numpy(v) for k, v in net.state_dict().items()})
    return model


def _activation(module: Any, th: Any) -> str | None:
    """The name of the activation this module is, or None."""
    for name, kind in MODULES.items():
        if type(module) is getattr(th.nn, kind):
            if name == "softmax" and module.dim not in (-1, 1):
                return None  # over another axis than the outputs'
            return name
    return None


def from_torch(module: torch.nn.Module) -> MLP:
    """The nn.MLP of a ``torch.nn.Sequential`` of Linear layers, each followed by at most one σ.

    σ is Sigmoid, Tanh, ReLU, Identity or Softmax(dim=-1); a Linear with no σ after it is
    a linear layer. Any other module raises a ValueError naming it.
    """
    th = _torch()
    if isinstance(module, th.nn.Linear):
        module = th.nn.Sequential(module)
    if not isinstance(module, th.nn.Sequential):
        raise ValueError(
            f"from_torch: expected a torch.nn.Sequential of Linear and activation modules, "
            f"got {type(module).__name__}"
        )
    weights: list[np.ndarray] = []
    biases: list[np.ndarray] = []
    activations: list[str] = []
    sigma_given = True
    for index, child in module.named_children():
        if type(child) is th.nn.Linear:
            if child.bias is None:
                raise ValueError(
                    f"from_torch: module {index} is Linear without a bias (bias=False); every "
                    f"neuron of an nn.MLP has a bias b^l_j"
                )
            if not sigma_given:
                activations.append("linear")
            weights.append(child.weight.detach().cpu().double().numpy().copy())
            biases.append(child.bias.detach().cpu().double().numpy().copy())
            sigma_given = False
            continue
        name = _activation(child, th)
        if name is None or sigma_given:
            where = "" if name is None else " where no Linear layer comes before it"
            raise ValueError(
                f"from_torch: cannot express module {index}, {child!r}{where}: an nn.MLP is "
                f"Linear layers, each followed by at most one of Sigmoid, Tanh, ReLU, Identity "
                f"and Softmax(dim=-1)"
            )
        activations.append(name)
        sigma_given = True
    if not weights:
        raise ValueError("from_torch: the module holds no Linear layer")
    if not sigma_given:
        activations.append("linear")
    try:
        return MLP.from_matrices(weights, biases, activations)
    except ValueError as e:
        raise ValueError(f"from_torch: {e}") from None


def torch_cost(name: str) -> Callable[[torch.Tensor, torch.Tensor], torch.Tensor]:
    """The project's cost in torch: ``cost(out, y)`` is its mean over a mini-batch, as nn.train takes it.

    ``out`` has one example per row: a^L for the quadratic cost, and z^L (``model[:-1](x)``,
    the output before the last σ) for cross-entropy and log-likelihood, which nn.train
    takes from z^L too. ``y`` holds one-hot (or 0/1) rows.
    """
    chosen = cost_named(name)
    th = _torch()
    functional = th.nn.functional

    def quadratic(a: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        # not MSELoss: that averages over the outputs too, and has no ½
        return 0.5 * ((a - y) ** 2).sum(dim=-1).mean()

    def cross_entropy(z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        per_output = functional.binary_cross_entropy_with_logits(z, y, reduction="none")
        return per_output.sum(dim=-1).mean()

    def log_likelihood(z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return functional.cross_entropy(z, y)

    costs = {
        "quadratic": quadratic,
        "cross_entropy": cross_entropy,
        "log_likelihood": log_likelihood,
    }
    return costs[chosen.name]
