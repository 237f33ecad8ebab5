"""``Module``: anything that owns parameters."""
from __future__ import annotations

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
