"""``Module``: anything that owns parameters."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from engine import Value


class Module:
    """Something with parameters that training updates."""

    def parameters(self) -> list[Value]:
        """The Values that training updates, in a fixed order."""
        return []

    def zero_grad(self) -> None:
        """Set every parameter's grad to 0."""
        for p in self.parameters():
            p.grad = 0.0

    @contextmanager
    def grads_set_aside(self) -> Iterator[None]:
        """Within the block parameters' grads start at 0; afterwards they are as they were."""
        params = self.parameters()
        held = [p.grad for p in params]
        for p in params:
            p.grad = 0.0
        try:
            yield
        finally:
            for p, grad in zip(params, held):
                p.grad = grad
