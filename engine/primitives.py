"""The table of primitive operations: each one's forward value and local derivatives, side by side.

A primitive is data, not code in the engine: ``forward`` maps the parents' data to the
output's data (raising on a domain error), ``derivative`` maps the parents and the
output's data to ∂out/∂parent, one number per parent. ``Value`` builds its operators
from this table, ``backward`` multiplies by what ``derivative`` returns, the drawing
labels edges with it and the tests check every entry against central differences.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from engine.value import Value


@dataclass(frozen=True, eq=False, slots=True)
class Primitive:
    """One operation: its name, forward rule and derivative rule."""

    name: str
    arity: int  # number of parents; -1 for a variable number
    forward: Callable[..., float]
    derivative: Callable[[tuple[Value, ...], float], Sequence[float]]

    def __repr__(self) -> str:
        return f"Primitive({self.name!r})"


_ONE_ONE = (1.0, 1.0)
_ONE_MINUS_ONE = (1.0, -1.0)
_MINUS_ONE = (-1.0,)
_ONE = (1.0,)
_ZERO = (0.0,)


def _div(x: float, y: float) -> float:
    if y == 0.0:
        raise ZeroDivisionError(f"division by zero: {x!r} / {y!r}")
    return x / y


def _power_base_derivative(x: float, y: float) -> float:
    """d(x**y)/dx = y * x**(y-1), with its limits at x == 0 (where Python's pow raises)."""
    if x == 0.0:
        if y == 1.0:
            return 1.0
        return 0.0 if y > 1.0 else math.inf
    return y * x ** (y - 1.0)


def _power(x: float, y: float, op: str) -> float:
    if x == 0.0 and y < 0.0:
        raise ValueError(f"{op}: 0 raised to a negative power: {x!r} ** {y!r}")
    if x < 0.0 and not float(y).is_integer():
        raise ValueError(f"{op}: negative base to a non-integer power: {x!r} ** {y!r}")
    try:
        return float(x**y)
    except OverflowError:
        raise OverflowError(f"{op}: result out of range: {x!r} ** {y!r}") from None


def _pow_values(x: float, y: float) -> float:
    # ∂(x**y)/∂y = x**y · ln x exists only for x > 0 (and as a limit at x == 0).
    if x < 0.0:
        raise ValueError(f"**: negative base to a Value exponent: {x!r} ** {y!r}")
    return _power(x, y, "**")


def _exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        raise OverflowError(f"exp: result out of range: exp({x!r})") from None


def _log(x: float) -> float:
    if x <= 0.0:
        raise ValueError(f"log: argument must be positive: log({x!r})")
    return math.log(x)


def _sigmoid(x: float) -> float:
    # Each branch exponentiates a non-positive number, so nothing overflows.
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _weighted_sum(*args: float) -> float:
    n = len(args) // 2
    return sum(map(operator.mul, args[:n], args[n : 2 * n])) + args[-1]


def _weighted_sum_derivative(parents: tuple[Value, ...], out: float) -> list[float]:
    data = [p.data for p in parents]
    n = len(data) // 2
    return data[n : 2 * n] + data[:n] + [1.0]


ADD = Primitive("+", 2, operator.add, lambda p, out: _ONE_ONE)
SUB = Primitive("-", 2, operator.sub, lambda p, out: _ONE_MINUS_ONE)
MUL = Primitive("*", 2, operator.mul, lambda p, out: (p[1].data, p[0].data))
DIV = Primitive("/", 2, _div, lambda p, out: (1.0 / p[1].data, -out / p[1].data))
NEG = Primitive("neg", 1, operator.neg, lambda p, out: _MINUS_ONE)
POW = Primitive(
    "**",
    2,
    _pow_values,
    lambda p, out: (
        _power_base_derivative(p[0].data, p[1].data),
        out * math.log(p[0].data) if out != 0.0 else 0.0,
    ),
)
EXP = Primitive("exp", 1, _exp, lambda p, out: (out,))
LOG = Primitive("log", 1, _log, lambda p, out: (1.0 / p[0].data,))
TANH = Primitive("tanh", 1, math.tanh, lambda p, out: (1.0 - out * out,))
SIGMOID = Primitive("sigmoid", 1, _sigmoid, lambda p, out: (out * (1.0 - out),))
RELU = Primitive(
    "relu", 1, lambda x: x if x > 0.0 else 0.0, lambda p, out: _ONE if out > 0.0 else _ZERO
)
WEIGHTED_SUM = Primitive("weighted_sum", -1, _weighted_sum, _weighted_sum_derivative)


@lru_cache(maxsize=256)
def power(n: float) -> Primitive:
    """The primitive x ↦ x**n for a constant number n (named ``**n``)."""
    name = f"**{n:g}"
    return Primitive(
        name,
        1,
        lambda x: _power(x, n, name),
        lambda p, out: (_power_base_derivative(p[0].data, n),),
    )


PRIMITIVES: dict[str, Primitive] = {
    p.name: p for p in (ADD, SUB, MUL, DIV, NEG, POW, EXP, LOG, TANH, SIGMOID, RELU, WEIGHTED_SUM)
}
