"""The activation functions σ a layer may use, by name."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from engine import Value


def _linear(z: Value) -> Value:
    return z


ACTIVATIONS: dict[str, Callable[[Value], Value]] = {
    "sigmoid": Value.sigmoid,
    "tanh": Value.tanh,
    "relu": Value.relu,
    "linear": _linear,
}


def layer_activations(activation: str | Sequence[str], n_layers: int) -> list[str]:
    """One activation name per weight layer, from one name or a list; ValueError if unknown."""
    names = [activation] * n_layers if isinstance(activation, str) else list(activation)
    if len(names) != n_layers:
        raise ValueError(
            f"activation: expected one name or {n_layers} names (one per layer), "
            f"got {len(names)}: {names!r}"
        )
    for name in names:
        if name not in ACTIVATIONS:
            raise ValueError(
                f"activation: unknown {name!r}; valid names are "
                f"{', '.join(repr(n) for n in ACTIVATIONS)}"
            )
    return names
