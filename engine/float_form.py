"""backward()'s step for one node, derived from a primitive's one ``derivative`` rule.

``generic(rule)`` runs the rule on the parents' floats and adds local · g into each parent
whose local derivative is not 0 (a zero local masks even an infinite upstream grad).

``generated(rule)`` is the same step as straight-line Python, written once per number of
parents by running the rule on symbols instead of floats: each local derivative becomes the
text of its arithmetic, and the step adds it without building any list. Three rewrites of
the text keep the numbers those of ``local * g`` (or better):

- a constant local of 1 adds g itself and of −1 subtracts it (1·g is g, x + −g is x − g),
  and a constant 0 adds nothing;
- a local A / B adds (A · g) / B, skipped where A is 0: no reciprocal 1/x that overflows
  for a subnormal x where g / x is finite.

The text is built from the symbols, the numbers the rule returns (``repr``) and the names of
``ops.FLOATS``' functions only; a rule that branches on a number, or calls anything else,
cannot be traced and keeps the generic step.

``forward_text(rule, n)`` traces a forward rule the same way, for the functions that make
the nodes (``engine.value.node_maker``): a rule of + − × ÷ only becomes one expression.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from engine import ops

if TYPE_CHECKING:
    from engine.primitives import Primitive
    from engine.value import Value

FloatBackward = Callable[[Sequence["Value"], float, float], None]


class _Untraceable(Exception):
    """The rule did something with a symbol other than + − × ÷ and ``ops.FLOATS``' functions."""


class _Symbol:
    """The text of a float expression; arithmetic on it builds bigger text."""

    __slots__ = ("text", "quotient")

    def __init__(self, text: str, quotient: tuple[Any, Any] | None = None) -> None:
        self.text = text
        self.quotient = quotient  # (A, B) when this is A / B

    def __add__(self, other: object) -> _Symbol:
        return _Symbol(f"({self.text} + {_text(other)})")

    def __radd__(self, other: object) -> _Symbol:
        return _Symbol(f"({_text(other)} + {self.text})")

    def __sub__(self, other: object) -> _Symbol:
        return _Symbol(f"({self.text} - {_text(other)})")

    def __rsub__(self, other: object) -> _Symbol:
        return _Symbol(f"({_text(other)} - {self.text})")

    def __mul__(self, other: object) -> _Symbol:
        return _Symbol(f"({self.text} * {_text(other)})")

    def __rmul__(self, other: object) -> _Symbol:
        return _Symbol(f"({_text(other)} * {self.text})")

    def __truediv__(self, other: object) -> _Symbol:
        return _Symbol(f"({self.text} / {_text(other)})", (self, other))

    def __rtruediv__(self, other: object) -> _Symbol:
        return _Symbol(f"({_text(other)} / {self.text})", (other, self))

    def __neg__(self) -> _Symbol:
        return _Symbol(f"(-{self.text})")

    def __bool__(self) -> bool:
        raise _Untraceable("a branch on a number")

    def __float__(self) -> float:
        raise _Untraceable("a conversion to float")

    def _refuse(self, other: object) -> bool:
        raise _Untraceable("a comparison")

    __lt__ = __le__ = __gt__ = __ge__ = __eq__ = __ne__ = _refuse
    __hash__ = None  # type: ignore[assignment]


def _text(x: object) -> str:
    if isinstance(x, _Symbol):
        return x.text
    if isinstance(x, (int, float)) and not isinstance(x, bool):
        return repr(float(x))  # repr round-trips: the same double in the text
    raise _Untraceable(f"an operand of type {type(x).__name__}")


class _TracingOps:
    """``ops.FLOATS`` as text: each function call becomes a call of the real one by name."""

    def __getattr__(self, name: str) -> Callable[..., _Symbol]:
        if not callable(getattr(ops.FLOATS, name, None)) or name.startswith("_"):
            raise _Untraceable(f"ops.{name}")

        def call(*args: object) -> _Symbol:
            return _Symbol(f"_floats.{name}({', '.join(map(_text, args))})")

        return call


def generic(rule: Primitive) -> FloatBackward:
    """The step by running ``rule.float_derivative`` and adding each non-zero local · g."""
    float_derivative = rule.float_derivative

    def float_backward(parents: Sequence[Value], out: float, g: float) -> None:
        for parent, local in zip(parents, float_derivative(parents, out)):
            if local:  # a zero local derivative masks even an infinite upstream grad
                parent.grad += local * g

    return float_backward


def source(rule: Primitive, n: int) -> str | None:
    """The text of the step of ``rule`` for n parents, or None if the rule cannot be traced."""
    xs = [_Symbol(f"x{i}") for i in range(n)]
    try:
        locals_ = list(rule.derivative(_TracingOps(), xs, _Symbol("out")))
        if len(locals_) != n:
            return None
        body = [_add_line(i, local) for i, local in enumerate(locals_)]
    except (_Untraceable, TypeError, IndexError, ValueError, ArithmeticError):
        return None
    steps = [line for step in body for line in step] or ["    return None"]
    text = "\n".join(steps)
    loads = [f"    x{i} = p[{i}]._data" for i in range(n) if re.search(rf"\bx{i}\b", text)]
    return "\n".join([f"def step_{n}(p, out, g):", *loads, *steps]) + "\n"


def forward_text(rule: Primitive, n: int) -> str | None:
    """The text of ``rule.forward`` on n parents' numbers ``x0`` … as one expression, or None
    where the forward rule cannot be traced (it branches, or calls anything but + − × ÷)."""
    xs = [_Symbol(f"x{i}") for i in range(n)]
    try:
        out = rule.forward(*xs)
    except (_Untraceable, TypeError, IndexError, ValueError, ArithmeticError):
        return None
    return out.text if isinstance(out, _Symbol) else None


def _add_line(i: int, local: Any) -> list[str]:
    if not isinstance(local, _Symbol):
        c = float(_text(local))
        if c == 0.0:
            return []
        if c == 1.0:
            return [f"    p[{i}].grad += g"]
        if c == -1.0:
            return [f"    p[{i}].grad -= g"]
        return [f"    p[{i}].grad += {c!r} * g"]
    if local.quotient is not None:
        a, b = local.quotient
        if not isinstance(a, _Symbol):
            if float(_text(a)) == 1.0:
                return [f"    p[{i}].grad += g / {_text(b)}"]
            if float(_text(a)) == 0.0:
                return []
            return [f"    p[{i}].grad += ({_text(a)} * g) / {_text(b)}"]
        return [
            f"    a{i} = {a.text}",
            f"    if a{i}:",
            f"        p[{i}].grad += (a{i} * g) / {_text(b)}",
        ]
    if local.text.isidentifier():  # a parent's number or out itself: no name needed
        return [f"    if {local.text}:", f"        p[{i}].grad += {local.text} * g"]
    return [f"    l{i} = {local.text}", f"    if l{i}:", f"        p[{i}].grad += l{i} * g"]


def generated(rule: Primitive, arity: int | None = None) -> FloatBackward:
    """The step as straight-line Python per number of parents, generic where untraceable.

    A rule whose forward takes a fixed ``arity`` gets that one step itself; a rule of any
    number of parents (a weighted sum) gets a step that picks its parents' count's.
    """
    fallback = generic(rule)
    if arity is not None:
        return _compile(rule, arity) or fallback
    steps: dict[int, FloatBackward] = {}

    def float_backward(parents: Sequence[Value], out: float, g: float) -> None:
        n = len(parents)
        step = steps.get(n)
        if step is None:
            step = steps[n] = _compile(rule, n) or fallback
        step(parents, out, g)

    return float_backward


def _compile(rule: Primitive, n: int) -> FloatBackward | None:
    text = source(rule, n)
    if text is None:
        return None
    namespace: dict[str, Any] = {"_floats": ops.FLOATS}
    exec(compile(text, f"<float step of {rule.name!r}, {n} parents>", "exec"), namespace)
    step: FloatBackward = namespace[f"step_{n}"]
    return step
