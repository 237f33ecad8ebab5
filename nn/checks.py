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


def class_targets(labels: np.ndarray, classes: int, what: str) -> np.ndarray:
    """Integer class labels 0 … classes − 1 as one-hot rows, as PyTorch and scikit-learn take them.

    Whole numbers stored as floats (2.0, as a CSV file gives them) are labels too; any other
    value raises a ValueError naming the first bad entry (``what[i]``, or ``what`` for a
    single label) and the valid range.
    """
    if labels.dtype.kind not in "iuf":
        raise TypeError(f"{what} must hold integer class labels, got {labels.dtype}")
    with np.errstate(invalid="ignore"):
        bad = ~((labels == np.round(labels)) & (labels >= 0) & (labels < classes))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        where = f"{what}[{i}]" if labels.ndim else what
        count = f" ({int(bad.sum())} of {labels.size} are not)" if labels.ndim else ""
        raise ValueError(
            f"{where} = {labels.flat[i].item()!r} is not a class label: class labels are the "
            f"whole numbers 0 … {classes - 1} for the net's {classes} outputs{count}; "
            f"give one-hot rows for other targets"
        )
    return np.eye(classes)[labels.astype(int)]
