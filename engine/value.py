"""``Value``: a scalar that records the operation that made it, for reverse-mode autodiff."""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from math import isfinite
from typing import Any

from engine import autodiff, float_form
from engine.checks import is_real, real_number, sequence
from engine.grad_mode import enabled as _grad_enabled
from engine.primitives import (
    ABS,
    ADD,
    CLONE,
    DIV,
    EXP,
    LOG,
    LOGSUMEXP,
    MUL,
    NEG,
    POW,
    RELU,
    SIGMOID,
    SOFTPLUS,
    SUB,
    TANH,
    WEIGHTED_SUM,
    Primitive,
    power,
)

Number = int | float

ReadWatcher = Callable[["Value", str], None]


def _nobody_watches() -> tuple[ReadWatcher, ...]:
    return ()


# The read watchers of this thread or task, each told of every read of a Value's number
# (``data``, float(), bool(), a comparison, repr, a copy, a pickle, local_grads, ...) with
# how it was read. engine.compile.recording owns them (a ContextVar, set by its
# ``watching_reads``) and puts the ContextVar's ``get`` here when it is imported: this
# module cannot import it, recording imports this module. A read costs one call and a test.
read_watchers: Callable[[], tuple[ReadWatcher, ...]] = _nobody_watches


def tell_watchers(v: Value, how: str) -> None:
    """Tell each read watcher of this thread or task that ``how`` read ``v``'s number."""
    for watcher in read_watchers():
        watcher(v, how)


def _read(v: Value, how: str) -> float:
    """``v``'s number, read by ``how`` (compile's recording is told)."""
    if read_watchers():
        tell_watchers(v, how)
    return v._data


# A built-in primitive's node is made by a function generated once per primitive and number
# of parents, as backward()'s float steps are (engine.float_form): the parents' numbers read
# into locals, the forward rule's arithmetic written out where float_form can trace it
# (x0 + x1; a weighted sum's products and sums, with no list of numbers and no call), else
# a call of the rule, then the node's slots stored. An infinite result and grad mode off go
# through ``_node``. Value's operators and methods are such functions themselves: the "train
# step" and "expression" rows of benchmarks/run.py spend most of their forward time here.
_MAKER = """\
def maker(_rule, _forward):
    def {name}({params}):
        {guard}
        {loads}
        data = {forward}
        if not isfinite(data) or not _grad_enabled():
            return _node(data, {parents}, _rule)
        v = _new(Value)
        v._data = data
        v.grad = 0.0
        v.label = ""
        v.parents = {parents}
        v._rule = _rule
        return v
    return {name}
"""
_HERE = os.path.dirname(os.path.abspath(__file__))
NodeMaker = Callable[[tuple["Value", ...]], "Value"]


def _generated(
    rule: Primitive, name: str, params: str, parents: str, loads: list[str], guard: str = "pass"
) -> Any:
    n = len(loads)
    forward = float_form.forward_text(rule, n)
    call = f"_forward({', '.join(f'x{i}' for i in range(n))})"
    # Named as a file of engine/, so that a traceback or warning reads it as engine code.
    where = os.path.join(_HERE, f"<{name} of {rule.name!r}, {n} parents>")
    fields = {"name": name, "params": params, "guard": guard, "parents": parents}
    try:
        code = compile(
            _MAKER.format(**fields, loads="\n        ".join(loads), forward=forward or call),
            where,
            "exec",
        )
    except (SyntaxError, RecursionError):  # a sum nested deeper than Python parses (a
        # neuron of hundreds of inputs): the rule called on a list of the numbers
        read_all = f"_forward(*[q._data for q in {parents}])"
        code = compile(_MAKER.format(**fields, loads="pass", forward=read_all), where, "exec")
    namespace: dict[str, Any] = {}
    exec(code, globals(), namespace)
    function = namespace["maker"](rule, rule.forward)
    function.__qualname__ = name
    return function


def node_maker(rule: Primitive, n: int) -> NodeMaker:
    """The function that makes ``rule``'s node from a tuple of n parents (a built-in rule)."""
    maker: NodeMaker = _generated(
        rule, "make", "p", "p", [f"x{i} = p[{i}]._data" for i in range(n)]
    )
    return maker


def _method(rule: Primitive, name: str, doc: str) -> Callable[[Value], Value]:
    """``rule`` applied to self, as Value's method ``name`` (a built-in rule of one parent)."""
    method = _generated(rule, name, "self", "(self,)", ["x0 = self._data"])
    method.__doc__ = doc
    method.__qualname__ = f"Value.{name}"
    return method


def _operator(rule: Primitive, name: str, doc: str) -> Callable[[Value, Value | Number], Value]:
    """``rule`` applied to (self, other), as Value's operator ``name``: a number or anything
    else than a Value goes through ``_binary``."""
    method = _generated(
        rule,
        name,
        "self, other",
        "(self, other)",
        ["x0 = self._data", "x1 = other._data"],
        "if other.__class__ is not Value:\n            return _binary(_rule, self, other)",
    )
    method.__doc__ = doc
    method.__qualname__ = f"Value.{name}"
    return method


class _Makers(dict[Any, NodeMaker]):
    """The node makers of one rule by number of parents, or of one number by rule, made on
    first use."""

    def __init__(self, rule: Primitive | None = None, n: int = 0) -> None:
        super().__init__()
        self.rule, self.n = rule, n

    def __missing__(self, key: Any) -> NodeMaker:
        maker = self[key] = node_maker(self.rule or key, self.n or key)
        return maker


class Value:
    """A scalar node: its ``data``, accumulated ``grad`` and how it was computed.

    Comparisons (``<``, ``<=``, ``>``, ``>=``), ``bool``, ``int`` and ``round`` read ``data``,
    as PyTorch's scalar tensors do; ``==`` and ``hash`` are identity, so Values can key dicts.
    """

    __slots__ = {
        "_data": "The number (read it through ``data``).",
        "_rule": "The primitive that made this node; None for a leaf (read it as ``primitive``).",
        "grad": "∂root/∂self accumulated by backward(); 0 until then, and after zero_grad().",
        "label": "A name for drawings and messages; '' by default.",
        "parents": "The Values this node was computed from, in the primitive's order; () for a leaf.",
    }
    _data: float
    _rule: Primitive | None
    grad: float
    label: str
    parents: tuple[Value, ...]

    def __init__(self, data: Number, label: str = "") -> None:
        self._data = (
            data if type(data) is float and isfinite(data) else real_number(data, "Value data")
        )
        if type(label) is not str:
            raise TypeError(f"Value label must be a str, got {type(label).__name__}: {label!r}")
        self.grad = 0.0
        self.label = label
        self.parents = ()
        self._rule = None

    @property
    def data(self) -> float:
        """The number this node holds: always a finite Python float."""
        if read_watchers():  # written out, not _read(): nn's SGD.step reads every p.data
            tell_watchers(self, ".data")
        return self._data

    @data.setter
    def data(self, value: Number) -> None:
        self._data = (
            value if type(value) is float and isfinite(value) else real_number(value, "Value data")
        )

    @property
    def primitive(self) -> Primitive | None:
        """The table entry that made this node; None for a leaf."""
        return self._rule

    @property
    def op(self) -> str:
        """The name of the primitive that made this node; "" for a leaf."""
        return "" if self._rule is None else self._rule.name

    @property
    def local_grads(self) -> tuple[float, ...]:
        """∂self/∂parent for each parent, in the order of ``parents``."""
        if self._rule is None:
            return ()
        if read_watchers():
            tell_watchers(self, ".local_grads")
        return tuple(self._rule.float_derivative(self.parents, self._data))

    def __repr__(self) -> str:
        if read_watchers():
            tell_watchers(self, "repr() or str()")
        label = f"label={self.label!r}, " if self.label else ""
        return f"Value({label}data={self._data:.6g}, grad={self.grad:.6g})"

    # --- reading the number, as a scalar tensor does -------------------------------------

    def __float__(self) -> float:
        """``data``."""
        return _read(self, "float()")

    def __int__(self) -> int:
        """``int(data)``, truncating toward 0."""
        return int(_read(self, "int()"))

    def __round__(self, ndigits: int | None = None) -> float | int:
        """``round(data, ndigits)``."""
        return round(_read(self, "round()"), ndigits)

    def __trunc__(self) -> int:
        """``math.trunc(data)``."""
        return math.trunc(_read(self, "math.trunc()"))

    def __format__(self, spec: str) -> str:
        """``format(data, spec)``, so ``f"{v:.3f}"`` works; the repr for an empty spec."""
        return format(_read(self, "format()"), spec) if spec else repr(self)

    def __bool__(self) -> bool:
        """``data != 0``."""
        return _read(self, "bool()") != 0.0

    def __lt__(self, other: Value | Number) -> bool:
        """``data < other`` (a bool, recorded nowhere)."""
        return _read(self, "a comparison") < _number(other)

    def __le__(self, other: Value | Number) -> bool:
        """``data <= other``."""
        return _read(self, "a comparison") <= _number(other)

    def __gt__(self, other: Value | Number) -> bool:
        """``data > other``."""
        return _read(self, "a comparison") > _number(other)

    def __ge__(self, other: Value | Number) -> bool:
        """``data >= other``."""
        return _read(self, "a comparison") >= _number(other)

    __hash__ = object.__hash__

    # --- autodiff -------------------------------------------------------------------

    def backward(self, grad: Number = 1.0) -> None:
        """Add ∂self/∂node · grad to the ``grad`` of every node of this graph."""
        if read_watchers():  # compile's recording: the grads it leaves are numbers, frozen
            tell_watchers(self, "backward()")
        autodiff.backward(self, real_number(grad, "backward() grad"))

    def zero_grad(self) -> None:
        """Set ``grad`` to 0 on every node of this graph: the leaves, interior nodes and self."""
        autodiff.zero_grad(autodiff.topological_order(self))

    clone = _method(
        CLONE,
        "clone",
        "A new node with the same data whose grad flows back to self (derivative 1).",
    )

    def detach(self) -> Value:
        """A new leaf with the same data and label, cut off from this graph."""
        return _leaf(_read(self, "detach()"), 0.0, self.label)

    def __deepcopy__(self, memo: dict[int, Any]) -> Value:
        # Node by node, parents first, through deepcopy's memo: each node is copied once
        # however many nodes of its graph are copied, shared nodes stay shared, no recursion.
        if read_watchers():
            tell_watchers(self, "copy.deepcopy()")
        stack = [self]
        while stack:
            node = stack[-1]
            if id(node) in memo:
                stack.pop()
                continue
            missing = [p for p in node.parents if id(p) not in memo]
            if missing:
                stack.extend(missing)
                continue
            stack.pop()
            twin = _leaf(node._data, node.grad, node.label)
            twin._rule = node._rule
            twin.parents = tuple(memo[id(p)] for p in node.parents)
            memo[id(node)] = twin
        return memo[id(self)]

    def __reduce__(self) -> tuple[Any, ...]:
        # A graph pickles as a flat list of records, so depth costs no recursion; leaves
        # stay objects, so pickle shares them (a net's parameters). Interior nodes are
        # rebuilt per pickled Value: pickle a graph through its root (or deepcopy it).
        if read_watchers():
            tell_watchers(self, "pickle or copy.copy()")
        if self._rule is None:
            return (_leaf, (self._data, self.grad, self.label))
        leaves: list[Value] = []
        records: list[tuple[float, float, str, Primitive, tuple[int, ...]]] = []
        index: dict[Value, int] = {}
        for node in autodiff.topological_order(self):
            if node._rule is None:
                leaves.append(node)
                index[node] = -len(leaves)
            else:
                parents = tuple(index[p] for p in node.parents)
                records.append((node._data, node.grad, node.label, node._rule, parents))
                index[node] = len(records) - 1
        return (_rebuild, (leaves, records))

    # --- operators: each applies its entry of the primitive table ---------------------

    __add__ = _operator(ADD, "__add__", "self + other.")

    def __radd__(self, other: Number) -> Value:
        """other + self."""
        return _reflected(ADD, self, other)

    __sub__ = _operator(SUB, "__sub__", "self − other.")

    def __rsub__(self, other: Number) -> Value:
        """other − self."""
        return _reflected(SUB, self, other)

    __mul__ = _operator(MUL, "__mul__", "self · other.")

    def __rmul__(self, other: Number) -> Value:
        """other · self."""
        return _reflected(MUL, self, other)

    __truediv__ = _operator(DIV, "__truediv__", "self / other.")

    def __rtruediv__(self, other: Number) -> Value:
        """other / self."""
        return _reflected(DIV, self, other)

    def __pow__(self, other: Value | Number, modulo: None = None) -> Value:
        """self ** other: a constant power ``**n`` for a number, ``**`` for a Value."""
        if modulo is not None:
            return NotImplemented
        if isinstance(other, Value):  # (a plain, bound or user's subclass Value)
            return _BINARY[POW]((self, other))
        if not is_real(other):
            return NotImplemented
        return _UNARY[power(real_number(other, "exponent"))]((self,))

    def __rpow__(self, other: Number) -> Value:
        """other ** self (a negative base needs an integer exponent; its ∂/∂self is nan)."""
        return _reflected(POW, self, other)

    __neg__ = _method(NEG, "__neg__", "−self.")

    def __pos__(self) -> Value:
        """self itself."""
        return self

    __abs__ = _method(ABS, "__abs__", "|self|; its derivative at 0 is taken as 0, as in PyTorch.")

    exp = _method(EXP, "exp", "e ** self.")

    log = _method(LOG, "log", "The natural logarithm of self (self must be positive).")

    tanh = _method(TANH, "tanh", "The hyperbolic tangent of self.")

    sigmoid = _method(SIGMOID, "sigmoid", "The logistic function σ(self) = 1 / (1 + e ** −self).")

    softplus = _method(
        SOFTPLUS, "softplus", "ln(1 + e ** self), without overflow; its derivative is σ(self)."
    )

    relu = _method(RELU, "relu", "max(0, self); its derivative at 0 is taken as 0.")


def _out_of_range(rule: Primitive, parents: tuple[Value, ...]) -> OverflowError:
    operands = ", ".join(repr(p._data) for p in parents)
    return OverflowError(f"{rule.name}: result out of range: {rule.name}({operands})")


_new = object.__new__  # a node made without __init__'s checks


def _node(data: float, parents: tuple[Value, ...], rule: Primitive) -> Value:
    """The Value that ``rule`` made from ``parents`` (a leaf when grad mode is off)."""
    if not isfinite(data):  # the engine's data stays finite
        raise _out_of_range(rule, parents)
    v = _new(Value)
    v._data = data
    v.grad = 0.0
    v.label = ""
    if _grad_enabled():
        v.parents = parents
        v._rule = rule
    else:
        v.parents = ()
        v._rule = None
        if read_watchers():  # recording for compile: this leaf freezes its inputs' numbers
            for p in parents:
                tell_watchers(p, "an operation under no_grad()")
    return v


_UNARY = _Makers(n=1)
_BINARY = _Makers(n=2)
_WEIGHTED_SUMS = _Makers(WEIGHTED_SUM)


def _leaf(data: float, grad: float, label: str) -> Value:
    v = _new(Value)
    v._data = data
    v.grad = grad
    v.label = label
    v.parents = ()
    v._rule = None
    return v


def _rebuild(
    leaves: list[Value], records: list[tuple[float, float, str, Primitive, tuple[int, ...]]]
) -> Value:
    nodes: list[Value] = []
    for data, grad, label, rule, parents in records:
        v = _new(Value)
        v._data, v.grad, v.label, v._rule = data, grad, label, rule
        v.parents = tuple(nodes[i] if i >= 0 else leaves[-1 - i] for i in parents)
        nodes.append(v)
    return nodes[-1]


def _binary(rule: Primitive, a: Value, b: object) -> Value:
    # the operators' slow path: a Value of a subclass (bound, or the user's), or a number
    if not isinstance(b, Value):
        if not is_real(b):
            return NotImplemented
        b = _constant(b)
    return _BINARY[rule]((a, b))


def _reflected(rule: Primitive, a: Value, b: object) -> Value:
    if not is_real(b):
        return NotImplemented
    return _BINARY[rule]((_constant(b), a))


def _constant(x: object) -> Value:
    """A number operand as a new leaf (checked: finite)."""
    if type(x) is float and isfinite(x):
        return _leaf(x, 0.0, "")
    return Value(x)  # type: ignore[arg-type]


def _number(x: object) -> float:
    if isinstance(x, Value):
        return _read(x, "a comparison")
    if not is_real(x):
        raise TypeError(f"cannot compare a Value with {type(x).__name__}: {x!r}")
    return float(x)


def operand(x: object, what: str) -> Value:
    """``x`` as a Value (itself, or a new leaf for a number); TypeError naming ``what``."""
    if isinstance(x, Value):
        return x
    if not is_real(x):
        raise TypeError(f"{what} must be a Value or a real number, got {type(x).__name__}: {x!r}")
    return Value(x)  # type: ignore[arg-type]


def apply(rule: Primitive, *args: Value | Number) -> Value:
    """Run ``rule`` forward on the arguments (Values or numbers) and record it."""
    parents = tuple(operand(a, f"{rule.name} argument {i}") for i, a in enumerate(args))
    out = rule.forward(*[p._data for p in parents])
    if type(out) is not float:
        out = real_number(out, f"{rule.name}: the forward rule's result")
    return _node(out, parents, rule)


def weighted_sum(
    ws: Sequence[Value | Number], xs: Sequence[Value | Number], b: Value | Number
) -> Value:
    """Σ_k w_k·x_k + b as one node: a neuron's z = Σ_k w_jk a_k + b_j (Nielsen ch. 2)."""
    if len(ws) != len(xs):
        raise ValueError(f"weighted_sum: {len(ws)} weights but {len(xs)} inputs")
    parents = (*ws, *xs, b)
    # One pass over the types instead of an isinstance per operand: the "train step" row.
    if set(map(type, parents)) != {Value}:
        parents = tuple(operand(v, "weighted_sum operand") for v in parents)
    return _WEIGHTED_SUMS[len(parents)](parents)  # type: ignore[arg-type]


def weighted_sum_of_values(ws: Sequence[Value], xs: Sequence[Value], b: Value) -> Value:
    """``weighted_sum`` for a caller whose operands are all Values already (nn's neurons)."""
    # No type check of the 2n + 1 operands: the "train step" row of benchmarks/run.py.
    if len(ws) != len(xs):
        raise ValueError(f"weighted_sum: {len(ws)} weights but {len(xs)} inputs")
    parents = (*ws, *xs, b)
    return _WEIGHTED_SUMS[len(parents)](parents)


def logsumexp(values: Sequence[Value | Number]) -> Value:
    """ln Σ_k e ** x_k as one node, without overflow; ∂/∂x_j is the softmax e ** (x_j − out)."""
    values = sequence(values, "logsumexp: values")
    if not len(values):
        raise ValueError("logsumexp: values must hold at least one Value or number, got []")
    return apply(LOGSUMEXP, *values)
