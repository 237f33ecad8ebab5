"""``Value``: a scalar that records the operation that made it, for reverse-mode autodiff."""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence

from engine import autodiff
from engine.grad_mode import state as _grad_mode
from engine.primitives import (
    ADD,
    DIV,
    EXP,
    LOG,
    MUL,
    NEG,
    POW,
    RELU,
    SIGMOID,
    SUB,
    TANH,
    WEIGHTED_SUM,
    Primitive,
    power,
)

Number = int | float


def _real(x: object, what: str) -> float:
    """``x`` as a finite float, or TypeError/ValueError naming what was wrong."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(
            f"{what} must be a real number (int, float or numpy scalar), "
            f"got {type(x).__name__}: {x!r}"
        )
    x = float(x)
    if not math.isfinite(x):
        raise ValueError(f"{what} must be finite, got {x!r}")
    return x


class Value:
    """A scalar node: its ``data``, accumulated ``grad`` and how it was computed."""

    __slots__ = ("data", "grad", "label", "parents", "_rule")

    def __init__(self, data: Number, label: str = "") -> None:
        self.data = (
            data if type(data) is float and math.isfinite(data) else _real(data, "Value data")
        )
        if type(label) is not str:
            raise TypeError(f"Value label must be a str, got {type(label).__name__}: {label!r}")
        self.grad = 0.0
        self.label = label
        self.parents: tuple[Value, ...] = ()
        self._rule: Primitive | None = None

    @property
    def op(self) -> str:
        """The name of the primitive that made this node; "" for a leaf."""
        return "" if self._rule is None else self._rule.name

    @property
    def local_grads(self) -> tuple[float, ...]:
        """∂self/∂parent for each parent, in the order of ``parents``."""
        if self._rule is None:
            return ()
        return tuple(self._rule.derivative(self.parents, self.data))

    def __repr__(self) -> str:
        label = f"label={self.label!r}, " if self.label else ""
        return f"Value({label}data={self.data:.6g}, grad={self.grad:.6g})"

    def __float__(self) -> float:
        return self.data

    # --- autodiff -------------------------------------------------------------------

    def backward(self, grad: Number = 1.0) -> None:
        """Add ∂self/∂node · grad to the ``grad`` of every node of this graph."""
        autodiff.backward(self, _real(grad, "backward() grad"))

    def zero_grad(self) -> None:
        """Set ``grad`` to 0 on every node of this graph."""
        autodiff.zero_grad(self)

    def detach(self) -> Value:
        """A new leaf with the same data and label, cut off from this graph."""
        return _node(self.data, (), None, self.label)

    # --- operators, built from the primitive table ------------------------------------

    def __pos__(self) -> Value:
        return self

    def __pow__(self, other: Value | Number, modulo: None = None) -> Value:
        if modulo is not None:
            return NotImplemented
        if isinstance(other, Value):
            return _apply(POW, self, other)
        if isinstance(other, bool) or not isinstance(other, numbers.Real):
            return NotImplemented
        return _apply(power(_real(other, "exponent")), self)

    def __rpow__(self, other: Number) -> Value:
        base = _as_value(other)
        return NotImplemented if base is NotImplemented else _apply(POW, base, self)


_new = object.__new__


def _node(
    data: float, parents: tuple[Value, ...], rule: Primitive | None, label: str = ""
) -> Value:
    """A Value made by an operation (or a leaf when rule is None or grad is off)."""
    v = _new(Value)
    v.data = data
    v.grad = 0.0
    v.label = label
    if rule is not None and _grad_mode.enabled:
        v.parents = parents
        v._rule = rule
    else:
        v.parents = ()
        v._rule = None
    return v


def _apply(rule: Primitive, *parents: Value) -> Value:
    """Run ``rule`` forward on the parents' data and record it."""
    return _node(rule.forward(*[p.data for p in parents]), parents, rule)


def _as_value(x: object) -> Value:
    """``x`` itself if it is a Value, a new leaf if it is a real number, else NotImplemented."""
    if isinstance(x, Value):
        return x
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        return NotImplemented
    return Value(x)


def _binary_methods(
    rule: Primitive,
) -> tuple[Callable[[Value, object], Value], Callable[[Value, object], Value]]:
    """``a op b`` and the reflected ``b op a`` (for a number b) for a two-argument primitive."""
    forward = rule.forward

    def method(self: Value, other: Value | Number) -> Value:
        if other.__class__ is not Value:
            other = _as_value(other)
            if other is NotImplemented:
                return NotImplemented
        return _node(forward(self.data, other.data), (self, other), rule)

    def reflected(self: Value, other: Number) -> Value:
        other = _as_value(other)
        if other is NotImplemented:
            return NotImplemented
        return _node(forward(other.data, self.data), (other, self), rule)

    return method, reflected


def _unary_method(rule: Primitive, doc: str) -> Callable[[Value], Value]:
    """The method ``v.op()`` for a one-argument primitive."""
    forward = rule.forward

    def method(self: Value) -> Value:
        return _node(forward(self.data), (self,), rule)

    method.__doc__ = doc
    return method


Value.__neg__ = _unary_method(NEG, "-self.")
Value.exp = _unary_method(EXP, "e ** self.")
Value.log = _unary_method(LOG, "The natural logarithm of self (self must be positive).")
Value.tanh = _unary_method(TANH, "The hyperbolic tangent of self.")
Value.sigmoid = _unary_method(SIGMOID, "The logistic function σ(self) = 1 / (1 + e ** -self).")
Value.relu = _unary_method(RELU, "max(0, self); its derivative at 0 is taken as 0.")
Value.__add__, Value.__radd__ = _binary_methods(ADD)
Value.__sub__, Value.__rsub__ = _binary_methods(SUB)
Value.__mul__, Value.__rmul__ = _binary_methods(MUL)
Value.__truediv__, Value.__rtruediv__ = _binary_methods(DIV)


def weighted_sum(
    ws: Sequence[Value | Number], xs: Sequence[Value | Number], b: Value | Number
) -> Value:
    """Σ_k w_k·x_k + b as one node: a neuron's z_j = Σ_k w_jk a_k + b_j (Nielsen ch. 2)."""
    if len(ws) != len(xs):
        raise ValueError(f"weighted_sum: {len(ws)} weights but {len(xs)} inputs")
    parents = (*ws, *xs, b)
    if set(map(type, parents)) != {Value}:
        parents = tuple(_operand(v, "weighted_sum operand") for v in parents)
    return _node(WEIGHTED_SUM.forward(*[p.data for p in parents]), parents, WEIGHTED_SUM)


def _operand(x: object, what: str) -> Value:
    v = _as_value(x)
    if v is NotImplemented:
        raise TypeError(f"{what} must be a Value or a real number, got {type(x).__name__}: {x!r}")
    return v
