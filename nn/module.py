"""``Module``: anything that owns parameters."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

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
