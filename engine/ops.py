"""The functions a derivative rule may use besides + − × ÷, for each kind of number it runs on.

A rule in ``engine.primitives`` is written once as ``derivative(ops, xs, out)``; ``ops`` is one
of the namespaces below, so the same rule yields floats (the reverse pass), Values (a
derivative that is itself a graph) or numpy arrays (the compiled batch replay). A rule must
use these (``ops.exp``, not ``math.exp``): a ``math`` function works on floats but makes a
constant of a Value, so higher derivatives through it would be 0 (``grad(create_graph=True)``
refuses such a rule, naming it).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np


class FloatOps:
    """Rules on floats: limits instead of exceptions where a derivative is infinite."""

    exp = staticmethod(math.exp)
    log = staticmethod(math.log)

    @staticmethod
    def sigmoid(x: float) -> float:
        """1 / (1 + e^−x), exponentiating only non-positive numbers (no overflow)."""
        if x >= 0.0:
            return 1.0 / (1.0 + math.exp(-x))
        e = math.exp(x)
        return e / (1.0 + e)

    @staticmethod
    def pow(x: float, y: float) -> float:
        """x ** y, ±inf where it overflows or where 0 meets a negative power."""
        try:
            return float(x**y)
        except OverflowError:
            return math.copysign(math.inf, x) if y.is_integer() and y % 2 else math.inf
        except ZeroDivisionError:
            return math.inf

    @staticmethod
    def times_pow(c: float, x: float, p: float) -> float:
        """c · x ** p, taken as 0 where c = 0 (so 0 · x**−1 at x = 0 is 0, not nan)."""
        return 0.0 if c == 0.0 else c * FloatOps.pow(x, p)

    @staticmethod
    def xlogy(a: float, x: float) -> float:
        """a · ln x, taken as 0 where a = 0 or x = 0 (PyTorch's ∂(x**y)/∂y at a zero base)."""
        if a == 0.0 or x == 0.0:
            return 0.0
        return a * math.log(x) if x > 0.0 else math.nan

    @staticmethod
    def step(x: float) -> float:
        """1 where x > 0, else 0: relu's derivative."""
        return 1.0 if x > 0.0 else 0.0


class ValueOps:
    """Rules on Values: each function is a primitive, so the derivative records a graph."""

    @staticmethod
    def exp(x: Any) -> Any:
        """e ** x as a node."""
        return x.exp()

    @staticmethod
    def log(x: Any) -> Any:
        """ln x as a node."""
        return x.log()

    @staticmethod
    def sigmoid(x: Any) -> Any:
        """σ(x) as a node."""
        return x.sigmoid()

    @staticmethod
    def pow(x: Any, y: Any) -> Any:
        """x ** y as a node."""
        return x**y

    @staticmethod
    def times_pow(c: Any, x: Any, p: Any) -> Any:
        """c · x ** p as nodes; 0 where c and x are both 0 (a Value c of 0 keeps its graph)."""
        return 0.0 if _number(c) == 0.0 and _number(x) == 0.0 else c * x**p

    @staticmethod
    def xlogy(a: Any, x: Any) -> Any:
        """a · ln x as nodes; 0 where x is 0, and no number (nan) where x < 0, as on floats."""
        x_number = _number(x)
        if x_number < 0.0:
            return math.nan  # a constant: autodiff.grad carries it as "no number"
        return 0.0 if x_number == 0.0 else a * x.log()

    @staticmethod
    def step(x: Any) -> Any:
        """The step node: 1 where x > 0, else 0, with derivative 0."""
        from engine.primitives import STEP  # primitives.py imports this module

        return STEP(x)


def _number(x: Any) -> float:
    """A Value's or a number's number, read without telling a watcher (a rule's own branch)."""
    return x._data if hasattr(x, "_data") else float(x)


# numpy's exp takes a path up to 40 times slower for arguments below about −708, whose
# results are subnormal (down to −745.13...) or 0: where a saturated layer's σ spends its time.
_FAST_EXP = -700.0
_ZERO_EXP = -746.0  # e^x rounds to 0 below


def _exp_of_negative(t: np.ndarray) -> np.ndarray:
    """np.exp(t) for t ≤ 0, the same numbers, with the slow path only where they are subnormal."""
    slow = t < _FAST_EXP
    e = np.exp(np.maximum(t, _FAST_EXP))
    np.multiply(e, ~slow, out=e)  # 0 below −746 ...
    between = np.flatnonzero(slow & (t >= _ZERO_EXP))
    e.flat[between] = np.exp(t.flat[between])  # ... and np.exp's own subnormals above
    return e


class ArrayOps:
    """Rules on numpy arrays, element by element (the compiled replay)."""

    exp = staticmethod(np.exp)
    log = staticmethod(np.log)

    @staticmethod
    def sigmoid(x: np.ndarray) -> np.ndarray:
        """σ on each element: 1 / (1 + e) for x ≥ 0, e / (1 + e) below, e = e^−|x| (no overflow)."""
        t = np.negative(np.abs(x))
        if t.size >= 1024 and np.minimum.reduce(t, axis=None) < _FAST_EXP:  # (worth a look)
            e = _exp_of_negative(t)
        else:
            e = np.exp(t)
        return np.asarray(np.where(x >= 0.0, 1.0, e) / (e + 1.0))  # (e + 1, the same float)

    @staticmethod
    def pow(x: np.ndarray, y: Any) -> np.ndarray:
        """x ** y, ±inf where it overflows."""
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            return np.power(x, y)

    @staticmethod
    def times_pow(c: Any, x: np.ndarray, p: Any) -> np.ndarray:
        """c · x ** p, 0 where c = 0."""
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            if isinstance(c, (int, float)) and c != 0.0:  # (x ** n's rule: no zero to mask)
                return c * np.power(x, p)
            return np.where(np.equal(c, 0.0), 0.0, c * np.power(x, p))

    @staticmethod
    def xlogy(a: np.ndarray, x: np.ndarray) -> np.ndarray:
        """a · ln x, 0 where a = 0 or x = 0."""
        zero = (a == 0.0) | (x == 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(zero, 0.0, a * np.log(np.where(zero, 1.0, x)))

    @staticmethod
    def step(x: np.ndarray) -> np.ndarray:
        """1.0 where x > 0, else 0.0."""
        return (x > 0.0).astype(float)


FLOATS = FloatOps()
VALUES = ValueOps()
ARRAYS = ArrayOps()
