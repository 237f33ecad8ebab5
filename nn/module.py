"""``Module``: anything that owns parameters."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import numpy as np

from engine import Value
from engine.autodiff import zero_grad


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
        updates: list[tuple[Value, float]] = []
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
            updates.extend(zip(values.flat, given.flat))
        before = [(p, p.data) for p, _ in updates]
        try:
            for p, number in updates:
                p.data = float(number)
        except BaseException:  # an interrupt mid-loop (Ctrl-C): all or none, even then
            for p, old in before:
                p.data = old
            raise
