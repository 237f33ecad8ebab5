"""Parameters backed by arrays: where a list of parameters keeps its numbers and grads, and
the one all-or-nothing way to set them.

A compiled function (``engine.compile``) keeps its parameters' numbers in one array and
their grads in another. Once it binds them (``Backing.bind``), each parameter Value reads
and writes its ``data`` and ``grad`` there, so an optimizer can step the whole array in
one numpy operation and every Value still shows the number it holds. A ``Placement``
says where each of a list of parameters lives (in which arrays, at which index, or in the
Value itself) and reads or sets them all at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import attrgetter
from typing import ClassVar

import numpy as np

from engine.checks import is_real
from engine.value import Value

_DATA = attrgetter("_data")
_GRAD = attrgetter("grad")


class Backed(Value):
    """A parameter Value whose number and grad live at its index in a ``Backing``'s arrays.

    A Value becomes one when a compiled function binds it (its class is switched, so the
    Value keeps its identity); each Backing has its own subclass, holding its arrays.
    """

    __slots__ = ()
    backing: ClassVar[Backing]
    _numbers: ClassVar[memoryview[float]]  # a memoryview reads and writes Python floats
    _grads: ClassVar[memoryview[float]]
    _at: ClassVar[dict[Value, int]]

    @property
    def _data(self) -> float:
        return self._numbers[self._at[self]]

    @_data.setter
    def _data(self, x: float) -> None:
        self._numbers[self._at[self]] = x

    @property
    def grad(self) -> float:
        """∂root/∂self accumulated by backward(), held in the compiled function's grad array."""
        return self._grads[self._at[self]]

    @grad.setter
    def grad(self, g: float) -> None:
        if g.__class__ is not float:  # the array holds floats: say so, not in memoryview's words
            if not is_real(g):
                raise TypeError(
                    f"Value grad must be a real number (this parameter's grad lives in a "
                    f"compiled function's array), got {type(g).__name__}: {g!r}"
                )
            g = float(g)
        self._grads[self._at[self]] = g


class Backing:
    """The arrays ``data`` and ``grad`` that the Values ``params`` read once bound, in their order."""

    binds: ClassVar[int] = 0  # counts binds: a Placement made before the last bind is stale

    def __init__(self, params: Sequence[Value], data: np.ndarray, grad: np.ndarray) -> None:
        self.params = params if isinstance(params, tuple) else tuple(params)
        self.data, self.grad = data, grad
        self.bound = False
        self.kind: type[Backed] | None = None  # the class of its Values, made by the first bind

    def bind(self) -> None:
        """Each parameter's data and grad copied into the arrays, and read there from now on.

        The caller makes sure no other Backing holds any of them. An interrupt part way
        leaves each Value right (bound or not, it shows its number); binding again
        finishes the job.
        """
        params = self.params
        if self.kind is None:
            namespace = {
                "__slots__": (),
                "backing": self,
                "_numbers": self.data.data,  # a memoryview of the array's float64s
                "_grads": self.grad.data,
                "_at": {p: i for i, p in enumerate(params)},
            }
            self.kind = type("Backed", (Backed,), namespace)
        Backing.binds += 1
        self.data[:] = np.fromiter(map(_DATA, params), float, len(params))
        self.grad[:] = np.fromiter(map(_GRAD, params), float, len(params))
        for p in params:
            p.__class__ = self.kind  # one store: the Value is bound or not, never between
        self.bound = True


class Placement:
    """Where each of ``params`` lives: at an index of a Backing's arrays, or in the Value itself."""

    def __init__(self, params: Sequence[Value]) -> None:
        self.params = params  # a tuple (SGD's, Compiled's): the same object, the same Values
        self.size = len(params)
        self.binds = Backing.binds
        self.whole: Backing | None = None  # the Backing whose arrays hold params, all in order
        by_backing: dict[Backing, tuple[list[int], list[int]]] = {}
        loose: list[int] = []
        if set(map(type, params)) <= {Value}:  # none bound, found in a C loop (compile's cost)
            loose = list(range(len(params)))
        else:
            for i, p in enumerate(params):
                if isinstance(p, Backed):
                    positions, indices = by_backing.setdefault(p.backing, ([], []))
                    positions.append(i)
                    indices.append(p._at[p])
                else:
                    loose.append(i)
        self.groups: list[tuple[Backing, slice | np.ndarray, slice | np.ndarray]] = []
        for backing, (positions, indices) in by_backing.items():
            if not loose and len(by_backing) == 1 and indices == list(range(len(backing.params))):
                self.whole = backing
                self.groups.append((backing, slice(None), slice(None)))
            else:
                self.groups.append((backing, np.array(positions), np.array(indices)))
        # none held in arrays (a compiled function before its first call): the params
        # themselves, not a copy of 8 bytes and an index per parameter
        everything = len(loose) == len(params)
        self.loose: Sequence[Value] = params if everything else [params[i] for i in loose]
        self._loose_at: slice | np.ndarray = slice(None) if everything else np.array(loose, int)

    @property
    def stale(self) -> bool:
        """True when a bind since this Placement was made may have moved some parameter."""
        return self.binds != Backing.binds

    def numbers(self, out: np.ndarray | None = None) -> np.ndarray:
        """Every parameter's number, in the order of params (into ``out`` if given)."""
        return self._read("data", _DATA, out)

    def grads(self, out: np.ndarray | None = None) -> np.ndarray:
        """Every parameter's grad, in the order of params (into ``out`` if given)."""
        return self._read("grad", _GRAD, out)

    def _read(self, name: str, read: attrgetter[float], out: np.ndarray | None) -> np.ndarray:
        out = np.empty(len(self.params)) if out is None else out
        for backing, positions, indices in self.groups:
            out[positions] = getattr(backing, name)[indices]
        if self.loose:
            out[self._loose_at] = np.fromiter(map(read, self.loose), float, len(self.loose))
        return out

    def zero_grads(self) -> None:
        """Every parameter's grad set to 0."""
        for backing, _, indices in self.groups:
            backing.grad[indices] = 0.0
        for p in self.loose:
            p.grad = 0.0

    def assign(
        self, data: np.ndarray | None = None, grads: np.ndarray | None = None, add: bool = False
    ) -> None:
        """Every parameter's number set to ``data`` and/or its grad to ``grads`` (``add``: grads
        added), in the order of params; all or none, even when interrupted (Ctrl-C) part way.

        ``data`` must hold finite numbers (checked by the caller, who names what is wrong).
        """
        writes = []
        for backing, positions, indices in self.groups:
            if data is not None:
                writes.append((backing.data, indices, data[positions], False))
            if grads is not None:
                writes.append((backing.grad, indices, grads[positions], add))
        if len(writes) == 1 and not self.loose:  # one numpy operation: all or none already
            _write(*writes[0])
            return
        loose, at = self.loose, self._loose_at
        saved = [(target, indices, target[indices].copy()) for target, indices, _, _ in writes]
        numbers = list(map(_DATA, loose)) if data is not None else []
        grads_before = list(map(_GRAD, loose)) if grads is not None else []
        try:
            for write in writes:
                _write(*write)
            if data is not None:
                for p, x in zip(loose, data[at].tolist()):
                    p._data = x
            if grads is not None:
                for p, g in zip(loose, grads[at].tolist()):
                    p.grad = p.grad + g if add else g
        except BaseException:
            for target, indices, before in saved:
                target[indices] = before
            for p, x in zip(loose, numbers):
                p._data = x
            for p, g in zip(loose, grads_before):
                p.grad = g
            raise


def _write(target: np.ndarray, indices: slice | np.ndarray, values: np.ndarray, add: bool) -> None:
    if add:
        target[indices] += values
    else:
        target[indices] = values


def placement(params: tuple[Value, ...], known: Placement | None) -> Placement:
    """``known`` if it is still where ``params`` live, else a new Placement of them."""
    if known is None or known.stale or known.params is not params:
        return Placement(params)
    return known
