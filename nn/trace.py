"""``Trace``: one forward pass through a net with every z^l and a^l kept."""

from __future__ import annotations

from dataclasses import dataclass

from engine import Value


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
