"""The checks on what users hand over, one per kind of argument, each error naming the argument.

One rule for every package: a value of the wrong kind (a str where a number goes, a float
for a count, 1 for a flag) is a TypeError; one of the right kind but out of range (a
negative count or seed, an infinite rate, a list of the wrong length, an unknown name) is a
ValueError. Every message reads "``what`` must be …, got …", where ``what`` names the
argument as its caller knows it (``"moons: seed"``, ``"MLP: nouts[1]"``).
"""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Collection, Sequence
from typing import Any, TypeGuard

import numpy as np

__all__ = [
    "count",
    "flag",
    "is_integer",
    "is_real",
    "one_of",
    "path",
    "real_number",
    "seed",
    "sequence",
]


def _got(x: object) -> str:
    return f"{type(x).__name__}: {x!r:.80}"


def is_real(x: object) -> TypeGuard[numbers.Real]:
    """True for a real number (int, float, numpy scalar), False for bools and everything else."""
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def is_integer(n: object) -> TypeGuard[int]:  # numpy's integers act as ints here
    """True for an integer (numpy's included), False for bools and everything else."""
    return isinstance(n, numbers.Integral) and is_real(n)


def real_number(x: object, what: str, least: float | None = None, positive: bool = False) -> float:
    """``x`` as a finite float, ≥ ``least`` if given and > 0 if ``positive``; errors name ``what``."""
    if not is_real(x):
        raise TypeError(f"{what} must be a real number (int, float or numpy scalar), got {_got(x)}")
    try:
        f = float(x)
    except OverflowError:  # an int beyond a float's range
        raise OverflowError(f"{what} is too large for a float: {x!r}") from None
    if not math.isfinite(f):
        raise ValueError(f"{what} must be finite, got {f!r}")
    if positive and not f > 0:
        raise ValueError(f"{what} must be > 0, got {x!r}")
    if least is not None and f < least:
        raise ValueError(f"{what} must be ≥ {least:g}, got {x!r}")
    return f


def count(x: object, what: str, least: int | None = 1, most: int | None = None) -> int:
    """``x`` as an int (numpy's integers included) from ``least`` to ``most`` (None: unbounded)."""
    if not is_integer(x):
        raise TypeError(f"{what} must be an integer, got {_got(x)}")
    if (least is not None and x < least) or (most is not None and x > most):
        if least is not None and most is not None:
            bound = f"from {least} to {most}"
        else:
            bound = f"≥ {least}" if least is not None else f"≤ {most}"
        raise ValueError(f"{what} must be {bound}, got {x!r}")
    return int(x)


def seed(x: object, what: str) -> int | None:
    """A random seed: None, or an integer ≥ 0 (numpy's generators take no other)."""
    if x is not None and not is_integer(x):
        raise TypeError(f"{what} must be an integer ≥ 0 or None, got {_got(x)}")
    return None if x is None else count(x, what, least=0)


def flag(x: object, what: str) -> bool:
    """``x`` if it is True or False (numpy's bools included); 1, 'yes' and None are refused."""
    if not isinstance(x, (bool, np.bool_)):
        raise TypeError(f"{what} must be True or False, got {_got(x)}")
    return bool(x)


def one_of(x: object, what: str, options: Collection[Any]) -> Any:
    """``x`` if it is one of ``options`` (names, mostly); a ValueError listing them otherwise."""
    try:
        known = x in options
    except TypeError:  # an unhashable x is no name
        known = False
    if not known:
        raise ValueError(f"{what} must be one of {', '.join(map(repr, options))}, got {x!r}")
    return x


def sequence(x: Any, what: str, n: int | None = None, why: str = "") -> Sequence[Any]:
    """``x`` if it is a list, tuple or 1-D array (of ``n`` items, if given); errors name ``what``.

    Mappings, sets, strings and iterators are refused: their order is not an order of inputs.
    """
    if isinstance(x, np.ndarray):
        if x.ndim != 1:
            raise ValueError(f"{what} must be a 1-D sequence, got an array of shape {x.shape}")
    elif isinstance(x, (str, bytes)) or not isinstance(x, Sequence):
        raise TypeError(f"{what} must be a list, tuple or 1-D array, got {_got(x)}")
    if n is not None and len(x) != n:
        raise ValueError(f"{what} must have {n} value{'s' * (n != 1)}{why}, got {len(x)}")
    return x


def path(x: object, what: str) -> str:
    """``x`` as a str if it is a file name (str or os.PathLike, not empty); errors name ``what``."""
    if not isinstance(x, (str, os.PathLike)):
        raise TypeError(f"{what} must be a file path (str or os.PathLike), got {_got(x)}")
    name = os.fspath(x)
    if not isinstance(name, str):
        raise TypeError(f"{what} must be a file path as text, got {_got(name)}")
    if not name:
        raise ValueError(f"{what} must be a file path, got ''")
    return name
