"""The table of primitive operations: each one's forward value and derivative rule, side by side.

A primitive is data, not code in the engine. ``forward`` maps the parents' data (floats) to
the output's data, raising on a domain error. ``derivative(ops, xs, out)`` gives ∂out/∂x_i for
each parent, written once over an ``ops`` namespace (``engine.ops``) so that the same rule runs
on floats (the reverse pass), on Values (``create_graph=True``: the derivative is itself a graph
of primitives, differentiable again) and on numpy arrays (the compiled batch replay).

``array_forward`` is ``forward`` on numpy arrays, element by element, for the compiled batch
replay (``engine.compile``); a primitive given without one gets ``forward`` vectorised.

backward() runs each node's step ``float_backward(parents, out, g)``, derived from
``derivative`` and never written by hand (``engine.float_form``): for the built-in entries,
straight-line Python generated from the rule's arithmetic; for a user's primitive, the rule run
on floats (``float_derivative``, checked: one float per parent) and each local · g added.
``tests/test_primitives.py`` proves for every entry of ``PRIMITIVES`` that ``array_forward``
equals ``forward``.
"""

from __future__ import annotations

import functools
import inspect
import math
import operator
import pickle
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from engine import float_form, ops

if TYPE_CHECKING:
    from engine.value import Value

DerivativeRule = Callable[[Any, Sequence[Any], Any], Sequence[Any]]
FloatDerivative = Callable[[Sequence["Value"], float], Sequence[float]]
ArrayForward = Callable[..., np.ndarray]
FloatBackward = float_form.FloatBackward


@dataclass(frozen=True, eq=False, slots=True)
class Primitive:
    """One operation: its name, forward rule (floats) and derivative rule (floats, Values, arrays).

    Call it on Values or numbers to apply it: ``softplus(x)``.
    """

    name: str
    forward: Callable[..., float]
    derivative: DerivativeRule
    # ``forward`` on numpy arrays for the compiled replay; ``forward`` vectorised when not given.
    array_forward: ArrayForward = field(default=None, repr=False)  # type: ignore[assignment]
    # ``derivative`` run on floats, checked (derived, never given).
    float_derivative: FloatDerivative = field(init=False, repr=False)
    # backward()'s step for one node (derived, never given: engine.float_form).
    float_backward: FloatBackward = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise TypeError(f"Primitive name must be a non-empty str, got {self.name!r}")
        for what in ("forward", "derivative"):
            if not callable(getattr(self, what)):
                raise TypeError(f"Primitive {self.name!r}: {what} must be callable")
        if self.array_forward is None:
            object.__setattr__(self, "array_forward", np.vectorize(self.forward, otypes=[float]))
        if not callable(self.array_forward):
            raise TypeError(f"Primitive {self.name!r}: array_forward must be callable")
        object.__setattr__(self, "float_derivative", _float_form(self.name, self.derivative))
        # A user's rule may branch on which ops it is given: it runs on floats as written.
        object.__setattr__(self, "float_backward", float_form.generic(self))

    def __call__(self, *args: Value | float) -> Value:
        """Apply this primitive to Values or numbers, recording it in the graph."""
        from engine.value import apply  # value.py imports this module

        return apply(self, *args)

    def __repr__(self) -> str:
        return f"Primitive({self.name!r})"

    def __reduce__(self) -> tuple[Callable[[str], Primitive], tuple[str]]:
        # Rules are functions, often lambdas: a primitive pickles as its name in the table,
        # so only a primitive that the table knows by that name can be pickled.
        try:
            known = primitive_named(self.name)
        except KeyError:
            known = None
        if known is not self:
            raise pickle.PicklingError(
                f"primitive {self.name!r} is not the one registered under that name: "
                f"engine.register() it (at import time of its module) to pickle graphs using it"
            )
        return (primitive_named, (self.name,))

    def __copy__(self) -> Primitive:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Primitive:
        return self  # a rule is shared, never copied: copying a graph keeps its primitives


def check_count(name: str, locals_: Any, n: int) -> Sequence[Any]:
    """``locals_`` if it is a sequence of one derivative per parent; else an error naming the rule."""
    try:
        count = len(locals_)
    except TypeError:
        raise TypeError(
            f"{name}: the derivative rule must return a sequence of {n} derivatives "
            f"(one per parent), got {type(locals_).__name__}: {locals_!r}"
        ) from None
    if count != n:
        raise ValueError(
            f"{name}: the derivative rule returned {count} derivative{'s' * (count != 1)} "
            f"for {n} parent{'s' * (n != 1)}: it must return one per parent"
        )
    return locals_


def _float_form(name: str, rule: DerivativeRule) -> FloatDerivative:
    """``rule`` run on floats, checked: one float per parent (a user's rule may return numpy
    scalars, or the wrong number of derivatives, which zip would silently truncate)."""

    def float_derivative(parents: Sequence[Value], out: float) -> list[float]:
        locals_ = check_count(name, rule(ops.FLOATS, [p._data for p in parents], out), len(parents))
        return [float(d) for d in locals_]

    return float_derivative


_ONE_ONE = (1.0, 1.0)
_ONE_MINUS_ONE = (1.0, -1.0)
_MINUS_ONE = (-1.0,)
_ONE = (1.0,)
_ZERO = (0.0,)


def _div(x: float, y: float) -> float:
    if y == 0.0:
        raise ZeroDivisionError(f"division by zero: {x!r} / {y!r}")
    return x / y


def _power(x: float, y: float, op: str) -> float:
    if x == 0.0 and y < 0.0:
        raise ValueError(f"{op}: 0 raised to a negative power: {x!r} ** {y!r}")
    if x < 0.0 and not float(y).is_integer():
        raise ValueError(f"{op}: negative base to a non-integer power: {x!r} ** {y!r}")
    try:
        return float(x**y)
    except OverflowError:
        raise OverflowError(f"{op}: result out of range: {x!r} ** {y!r}") from None


def _exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        raise OverflowError(f"exp: result out of range: exp({x!r})") from None


def _log(x: float) -> float:
    if x <= 0.0:
        raise ValueError(f"log: argument must be positive: log({x!r})")
    return math.log(x)


def _softplus(x: float) -> float:
    # ln(1 + eˣ) = max(x, 0) + ln(1 + e^−|x|): no overflow for any finite x
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def _logsumexp(*xs: float) -> float:
    # m + ln Σ e^(x − m) with m the largest x: every exponent ≤ 0, so nothing overflows
    m = max(xs)
    return m + math.log(math.fsum(math.exp(x - m) for x in xs))


# Python 3.12's sum() of floats is compensated; the array form, the replay and the node
# makers add left to right, so the float rule folds left on every Python.
_left_sum = sum if sys.version_info < (3, 12) else functools.partial(functools.reduce, operator.add)


def _weighted_sum(*args: float) -> float:
    n = len(args) // 2
    return _left_sum(map(operator.mul, args[:n], args[n : 2 * n]), 0) + args[-1]


def _weighted_sum_array(*args: np.ndarray) -> np.ndarray:
    n = len(args) // 2
    total = sum(map(operator.mul, args[:n], args[n : 2 * n]))
    return total + args[-1]


def _weighted_sum_derivative(o: Any, xs: Sequence[Any], out: Any) -> list[Any]:
    # ∂/∂w_k = x_k, ∂/∂x_k = w_k, ∂/∂b = 1
    n = len(xs) // 2
    return [*xs[n : 2 * n], *xs[:n], 1.0]


def _pow_values(x: float, y: float) -> float:
    # A negative base has a real power only for an integer exponent, where ∂/∂y has no number.
    return _power(x, y, "**")


ADD = Primitive(
    "+",
    operator.add,
    lambda o, xs, out: _ONE_ONE,
    np.add,
)
SUB = Primitive(
    "-",
    operator.sub,
    lambda o, xs, out: _ONE_MINUS_ONE,
    np.subtract,
)
MUL = Primitive(
    "*",
    operator.mul,
    lambda o, xs, out: (xs[1], xs[0]),
    np.multiply,
)
DIV = Primitive(
    "/",
    _div,
    lambda o, xs, out: (1.0 / xs[1], -out / xs[1]),
    np.divide,
)
NEG = Primitive(
    "neg",
    operator.neg,
    lambda o, xs, out: _MINUS_ONE,
    np.negative,
)
POW = Primitive(
    "**",
    _pow_values,
    # ∂/∂x = y·x**(y−1) and ∂/∂y = x**y · ln x, both 0 at a zero base where PyTorch takes 0
    lambda o, xs, out: (o.times_pow(xs[1], xs[0], xs[1] - 1.0), o.xlogy(out, xs[0])),
    array_forward=np.power,
)
EXP = Primitive("exp", _exp, lambda o, xs, out: (out,), np.exp)
LOG = Primitive(
    "log",
    _log,
    lambda o, xs, out: (1.0 / xs[0],),
    np.log,
)
TANH = Primitive(
    "tanh",
    math.tanh,
    lambda o, xs, out: (1.0 - out * out,),
    np.tanh,
)
SIGMOID = Primitive(
    "sigmoid",
    ops.FLOATS.sigmoid,
    lambda o, xs, out: (out * (1.0 - out),),
    ops.ARRAYS.sigmoid,
)
STEP = Primitive(
    "step",
    lambda x: 1.0 if x > 0.0 else 0.0,
    lambda o, xs, out: _ZERO,
    ops.ARRAYS.step,
)
RELU = Primitive(
    "relu",
    lambda x: x if x > 0.0 else 0.0,
    lambda o, xs, out: (o.step(xs[0]),),
    lambda x: np.where(x > 0.0, x, 0.0),
)
ABS = Primitive(
    "abs",
    abs,
    # sign(x), 0 at the kink as in PyTorch
    lambda o, xs, out: (o.step(xs[0]) - o.step(-xs[0]),),
    np.abs,
)
SOFTPLUS = Primitive(
    "softplus",
    _softplus,
    lambda o, xs, out: (o.sigmoid(xs[0]),),  # d/dx ln(1 + eˣ) = σ(x)
    array_forward=lambda x: np.logaddexp(0.0, x),
)
LOGSUMEXP = Primitive(
    "logsumexp",
    _logsumexp,
    # ∂/∂x_j ln Σ_k e^(x_k) = e^(x_j − out): the softmax, each ≤ 1
    lambda o, xs, out: [o.exp(x - out) for x in xs],
    array_forward=lambda *xs: np.logaddexp.reduce(np.stack(xs), axis=0),
)
CLONE = Primitive(
    "clone",
    lambda x: x,
    lambda o, xs, out: _ONE,
    lambda x: x,
)
WEIGHTED_SUM = Primitive(
    "weighted_sum",
    _weighted_sum,
    _weighted_sum_derivative,
    _weighted_sum_array,
)

POWER_PREFIX = "**"


_POWERS: dict[float, Primitive] = {}


def _built_in(primitive: Primitive) -> None:
    # The built-in rules are arithmetic and ops.* only, the same on whatever ops they are
    # given: their step can be generated from them, for their forward's number of parents.
    step = float_form.generated(primitive, _arity(primitive.forward))
    object.__setattr__(primitive, "float_backward", step)


def _arity(forward: Callable[..., float]) -> int | None:
    """How many parents ``forward`` takes; None for any number (``*args``)."""
    params = inspect.signature(forward).parameters.values()
    if any(p.kind is p.VAR_POSITIONAL for p in params):
        return None
    return sum(p.default is p.empty for p in params)


def power(n: float) -> Primitive:
    """The primitive x ↦ x**n for a constant number n (named ``**n``); one per exponent."""
    n = float(n)
    if n not in _POWERS:
        name = POWER_PREFIX + (str(int(n)) if n.is_integer() and abs(n) < 1e15 else repr(n))
        _POWERS[n] = Primitive(
            name,
            lambda x: _power(x, n, name),
            lambda o, xs, out: (o.times_pow(n, xs[0], n - 1.0),),
            array_forward=lambda x: np.power(x, n),
        )
        _built_in(_POWERS[n])
    return _POWERS[n]


PRIMITIVES: dict[str, Primitive] = {
    p.name: p
    for p in (
        ADD,
        SUB,
        MUL,
        DIV,
        NEG,
        POW,
        EXP,
        LOG,
        TANH,
        SIGMOID,
        SOFTPLUS,
        RELU,
        STEP,
        ABS,
        CLONE,
        LOGSUMEXP,
        WEIGHTED_SUM,
    )
}
"""Every primitive by name; ``register`` adds a user's. Constant powers are ``power(n)``."""

_BUILT_IN = frozenset(PRIMITIVES)
for _entry in PRIMITIVES.values():
    _built_in(_entry)


def register(primitive: Primitive) -> Primitive:
    """Add a user's primitive to ``PRIMITIVES`` (so the tests, pickling and drawings know it)."""
    if not isinstance(primitive, Primitive):
        raise TypeError(f"register: expected a Primitive, got {type(primitive).__name__}")
    known = PRIMITIVES.get(primitive.name)
    if known is not None and known is not primitive and primitive.name in _BUILT_IN:
        raise ValueError(f"register: {primitive.name!r} is a built-in primitive's name")
    # A user's name may be registered again (a notebook cell run twice): the new one wins.
    if primitive.name.startswith(POWER_PREFIX):
        raise ValueError(f"register: names starting with {POWER_PREFIX!r} are constant powers")
    PRIMITIVES[primitive.name] = primitive
    return primitive


def primitive_named(name: str) -> Primitive:
    """The primitive called ``name``: an entry of ``PRIMITIVES`` or a constant power ``**n``."""
    if name in PRIMITIVES:
        return PRIMITIVES[name]
    if name.startswith(POWER_PREFIX):
        try:
            return power(float(name[len(POWER_PREFIX) :]))
        except ValueError:
            pass
    raise KeyError(f"no primitive named {name!r}; register() a user's primitive before using it")
