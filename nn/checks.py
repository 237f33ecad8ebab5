"""A seeded random generator for nn's draws (initial weights, shuffles), its seed checked."""

from __future__ import annotations

import random

from engine import checks
from engine.checks import is_integer

__all__ = ["is_integer", "seeded"]  # is_integer: nn.training still takes it from here


def seeded(seed: object, who: str) -> random.Random:
    """A random generator from a seed checked by ``engine.checks.seed`` (None: a fresh one)."""
    return random.Random(checks.seed(seed, f"{who}: seed"))
