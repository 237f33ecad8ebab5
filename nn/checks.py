"""Checks on what users hand to nn: sequences, integers and seeds, with errors naming the argument."""

from __future__ import annotations

import numbers
import random
from collections.abc import Sequence
from typing import Any, TypeGuard

import numpy as np

from engine.value import is_real


def is_integer(n: object) -> TypeGuard[int]:  # numpy's integers act as ints here
    """True for an integer (numpy's included), False for bools and everything else."""
    return isinstance(n, numbers.Integral) and is_real(n)


def sequence(x: Any, what: str, n: int | None = None, why: str = "") -> Sequence[Any]:
    """x if it is a list, tuple or 1-D array (of n items, if n is given), else an error naming what.

    Mappings, sets and iterators are refused: their order is not the order of a^1_k.
    """
    if isinstance(x, np.ndarray):
        if x.ndim != 1:
            raise ValueError(f"{what} must be a 1-D sequence, got an array of shape {x.shape}")
    elif isinstance(x, (str, bytes)) or not isinstance(x, Sequence):
        raise TypeError(
            f"{what} must be a list, tuple or 1-D array, got {type(x).__name__}: {x!r:.80}"
        )
    if n is not None and len(x) != n:
        raise ValueError(f"{what} must have {n} values{why}, got {len(x)}")
    return x


def seeded(seed: object, who: str) -> random.Random:
    """A random generator from an integer seed (numpy's included) or None; TypeError otherwise."""
    if seed is not None and not is_integer(seed):
        raise TypeError(f"{who}: seed must be an integer or None, got {seed!r}")
    return random.Random(None if seed is None else int(seed))
