"""The table of primitive operations: each one's forward value and derivative rule, side by side.

A primitive is data, not code in the engine. ``forward`` maps the parents' data (floats) to
the output's data, raising on a domain error. ``derivative(ops, xs, out)`` gives ∂out/∂x_i for
each parent, written once over an ``ops`` namespace (``engine.ops``) so that the same rule runs
on floats (the reverse pass), on Values (``create_graph=True``: the derivative is itself a graph
of primitives, differentiable again) and on numpy arrays (the compiled batch replay).

``array_forward`` is ``forward`` on numpy arrays, element by element, for the compiled batch
replay (``engine.compile``); a primitive given without one gets ``forward`` vectorised.

The built-in entries also carry ``float_derivative(parents, out)``: the same rule specialised to
floats for the speed of ``backward()``, with the limits at the edges of the domain (x**0 at 0,
overflow to ±inf) that PyTorch also returns. ``tests/test_primitives.py`` proves for every entry
of ``PRIMITIVES`` that both derivative forms agree, and that ``array_forward`` equals ``forward``.
"""

from __future__ import annotations

import math
import operator
import pickle
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from engine import ops

if TYPE_CHECKING:
    from engine.value import Value

DerivativeRule = Callable[[Any, Sequence[Any], Any], Sequence[Any]]
FloatDerivative = Callable[[tuple["Value", ...], float], Sequence[float]]
ArrayForward = Callable[..., np.ndarray]
FloatBackward = Callable[[tuple["Value", ...], float, float], None]


@dataclass(frozen=True, eq=False, slots=True)
class Primitive:
    """One operation: its name, forward rule (floats) and derivative rule (floats, Values, arrays).

    Call it on Values or numbers to apply it: ``softplus(x)``.
    """

    name: str
    forward: Callable[..., float]
    derivative: DerivativeRule
    # The float form of ``derivative`` used by backward(); derived from it when not given.
    float_derivative: FloatDerivative = field(default=None, repr=False)  # type: ignore[assignment]
    # ``forward`` on numpy arrays for the compiled replay; ``forward`` vectorised when not given.
    array_forward: ArrayForward = field(default=None, repr=False)  # type: ignore[assignment]
    # backward()'s step for one node: adds local · g into each parent's grad, skipping zero
    # locals, with no sequence of locals built (1.07x on the "784-30-10 … one example" row
    # of benchmarks/run.py); derived from ``float_derivative`` when not given.
    float_backward: FloatBackward = field(default=None, repr=False)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise TypeError(f"Primitive name must be a non-empty str, got {self.name!r}")
        for what in ("forward", "derivative"):
            if not callable(getattr(self, what)):
                raise TypeError(f"Primitive {self.name!r}: {what} must be callable")
        if self.float_derivative is None:
            object.__setattr__(self, "float_derivative", _float_form(self.name, self.derivative))
        if self.array_forward is None:
            object.__setattr__(self, "array_forward", np.vectorize(self.forward, otypes=[float]))
        if self.float_backward is None:
            object.__setattr__(self, "float_backward", _backward_from(self.float_derivative))
        for what in ("float_derivative", "array_forward", "float_backward"):
            if not callable(getattr(self, what)):
                raise TypeError(f"Primitive {self.name!r}: {what} must be callable")

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

    def float_derivative(parents: tuple[Value, ...], out: float) -> list[float]:
        locals_ = check_count(name, rule(ops.FLOATS, [p._data for p in parents], out), len(parents))
        return [float(d) for d in locals_]

    return float_derivative


def _backward_from(float_derivative: FloatDerivative) -> FloatBackward:
    def float_backward(parents: tuple[Value, ...], out: float, g: float) -> None:
        for parent, local in zip(parents, float_derivative(parents, out)):
            if local:  # a zero local derivative masks even an infinite upstream grad
                parent.grad += local * g

    return float_backward


# The float_backward of the built-in entries: each float_derivative's locals written into
# the loop. A local of 1 adds g itself (1.0 · g is g), of −1 subtracts it (x − g is x + −g).


def _add_backward(p: tuple[Value, ...], out: float, g: float) -> None:
    p[0].grad += g
    p[1].grad += g


def _sub_backward(p: tuple[Value, ...], out: float, g: float) -> None:
    p[0].grad += g
    p[1].grad -= g


def _mul_backward(p: tuple[Value, ...], out: float, g: float) -> None:
    a, b = p
    da, db = b._data, a._data
    if da:
        a.grad += da * g
    if db:
        b.grad += db * g


def _neg_backward(p: tuple[Value, ...], out: float, g: float) -> None:
    p[0].grad -= g


def _relu_backward(p: tuple[Value, ...], out: float, g: float) -> None:
    if out > 0.0:
        p[0].grad += g


def _tanh_backward(p: tuple[Value, ...], out: float, g: float) -> None:
    local = 1.0 - out * out
    if local:
        p[0].grad += local * g


def _sigmoid_backward(p: tuple[Value, ...], out: float, g: float) -> None:
    local = out * (1.0 - out)
    if local:
        p[0].grad += local * g


def _log_backward(p: tuple[Value, ...], out: float, g: float) -> None:
    # g / x, not (1/x) · g: 1/x overflows for a subnormal x where g / x is finite
    p[0].grad += g / p[0]._data


def _div_backward(p: tuple[Value, ...], out: float, g: float) -> None:
    a, b = p
    y = b._data
    a.grad += g / y  # as in _log_backward, no reciprocal that could overflow
    if out:
        b.grad -= (g * out) / y


def _clone_backward(p: tuple[Value, ...], out: float, g: float) -> None:
    p[0].grad += g


def _weighted_sum_backward(p: tuple[Value, ...], out: float, g: float) -> None:
    n = len(p) // 2
    ws, xs = p[:n], p[n : 2 * n]
    for w, x in zip(ws, xs):  # ∂/∂w_k = x_k, all the weights first as in float_derivative
        local = x._data
        if local:
            w.grad += local * g
    for w, x in zip(ws, xs):  # ∂/∂x_k = w_k
        local = w._data
        if local:
            x.grad += local * g
    p[-1].grad += g  # ∂/∂b = 1


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


def _weighted_sum(*args: float) -> float:
    n = len(args) // 2
    return sum(map(operator.mul, args[:n], args[n : 2 * n])) + args[-1]


def _weighted_sum_array(*args: np.ndarray) -> np.ndarray:
    n = len(args) // 2
    total = sum(map(operator.mul, args[:n], args[n : 2 * n]))
    return total + args[-1]


def _weighted_sum_derivative(o: Any, xs: Sequence[Any], out: Any) -> list[Any]:
    # ∂/∂w_k = x_k, ∂/∂x_k = w_k, ∂/∂b = 1
    n = len(xs) // 2
    return [*xs[n : 2 * n], *xs[:n], 1.0]


def _weighted_sum_float(parents: tuple[Value, ...], out: float) -> list[float]:
    data = [p._data for p in parents]
    n = len(data) // 2
    return data[n : 2 * n] + data[:n] + [1.0]


def _pow_values(x: float, y: float) -> float:
    # A negative base has a real power only for an integer exponent, where ∂/∂y has no number.
    return _power(x, y, "**")


ADD = Primitive(
    "+",
    operator.add,
    lambda o, xs, out: _ONE_ONE,
    lambda p, out: _ONE_ONE,
    np.add,
    float_backward=_add_backward,
)
SUB = Primitive(
    "-",
    operator.sub,
    lambda o, xs, out: _ONE_MINUS_ONE,
    lambda p, out: _ONE_MINUS_ONE,
    np.subtract,
    float_backward=_sub_backward,
)
MUL = Primitive(
    "*",
    operator.mul,
    lambda o, xs, out: (xs[1], xs[0]),
    lambda p, out: (p[1]._data, p[0]._data),
    np.multiply,
    float_backward=_mul_backward,
)
DIV = Primitive(
    "/",
    _div,
    lambda o, xs, out: (1.0 / xs[1], -out / xs[1]),
    lambda p, out: (1.0 / p[1]._data, -out / p[1]._data),
    np.divide,
    float_backward=_div_backward,
)
NEG = Primitive(
    "neg",
    operator.neg,
    lambda o, xs, out: _MINUS_ONE,
    lambda p, out: _MINUS_ONE,
    np.negative,
    float_backward=_neg_backward,
)
POW = Primitive(
    "**",
    _pow_values,
    # ∂/∂x = y·x**(y−1) and ∂/∂y = x**y · ln x, both 0 at a zero base where PyTorch takes 0
    lambda o, xs, out: (o.times_pow(xs[1], xs[0], xs[1] - 1.0), o.xlogy(out, xs[0])),
    array_forward=np.power,
)
EXP = Primitive("exp", _exp, lambda o, xs, out: (out,), lambda p, out: (out,), np.exp)
LOG = Primitive(
    "log",
    _log,
    lambda o, xs, out: (1.0 / xs[0],),
    lambda p, out: (1.0 / p[0]._data,),
    np.log,
    float_backward=_log_backward,
)
TANH = Primitive(
    "tanh",
    math.tanh,
    lambda o, xs, out: (1.0 - out * out,),
    lambda p, out: (1.0 - out * out,),
    np.tanh,
    float_backward=_tanh_backward,
)
SIGMOID = Primitive(
    "sigmoid",
    ops.FLOATS.sigmoid,
    lambda o, xs, out: (out * (1.0 - out),),
    lambda p, out: (out * (1.0 - out),),
    ops.ARRAYS.sigmoid,
    float_backward=_sigmoid_backward,
)
STEP = Primitive(
    "step",
    lambda x: 1.0 if x > 0.0 else 0.0,
    lambda o, xs, out: _ZERO,
    lambda p, out: _ZERO,
    ops.ARRAYS.step,
)
RELU = Primitive(
    "relu",
    lambda x: x if x > 0.0 else 0.0,
    lambda o, xs, out: (o.step(xs[0]),),
    lambda p, out: _ONE if out > 0.0 else _ZERO,
    lambda x: np.where(x > 0.0, x, 0.0),
    float_backward=_relu_backward,
)
ABS = Primitive(
    "abs",
    abs,
    # sign(x), 0 at the kink as in PyTorch
    lambda o, xs, out: (o.step(xs[0]) - o.step(-xs[0]),),
    lambda p, out: (1.0 if p[0]._data > 0.0 else -1.0 if p[0]._data < 0.0 else 0.0,),
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
    lambda p, out: _ONE,
    lambda x: x,
    float_backward=_clone_backward,
)
WEIGHTED_SUM = Primitive(
    "weighted_sum",
    _weighted_sum,
    _weighted_sum_derivative,
    _weighted_sum_float,
    _weighted_sum_array,
    float_backward=_weighted_sum_backward,
)

POWER_PREFIX = "**"


_POWERS: dict[float, Primitive] = {}


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
