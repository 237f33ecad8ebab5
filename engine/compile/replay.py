"""``engine.compile``: a function recorded once at one example, replayed for a whole mini-batch.

The replay runs the plan's groups (``engine.compile.plan``) as numpy operations on an array
of one column per example, forward in level order and backward in reverse, with each
primitive's ``array_forward`` and its one ``derivative`` rule applied to arrays. The
parameters live in one array, ``data``, that every call reads; once a call outside
``parameter_arrays`` binds them, the parameter Values read and write their numbers and
grads in its arrays (``engine.backing``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, cast

import numpy as np

from engine import autodiff, checks
from engine.backing import Backing, Placement, placement
from engine.compile.plan import Elementwise, Matmul, Plan, Sum, make_plan
from engine.compile.recording import Recording, input_leaves, outputs_of, record
from engine.compile.straight_line import (
    Backward,
    Forward,
    Stale,
    StraightLine,
    input_of,
    straight_line,
)
from engine.grad_mode import enable_grad
from engine.table import Table
from engine.value import Value, apply

REDUCTIONS = ("mean", "sum")
_BINDING = threading.Lock()  # one compiled function at a time looks for and binds its params
_FLOAT64 = np.dtype(np.float64)  # native float64: other byte orders take the converting path


@dataclass
class CheckReport:
    """The largest differences ``Compiled.check`` found between the replay and the scalar engine."""

    examples: list[int]
    output: float
    param_grad: float
    input_grad: float
    same_graph: bool  # the scalar calls recorded the same primitives in the same order

    @property
    def largest(self) -> float:
        """The largest of the three differences."""
        return max(self.output, self.param_grad, self.input_grad)

    def __str__(self) -> str:
        if not self.same_graph:
            why = "the scalar engine recorded A DIFFERENT GRAPH (control flow on data?)"
        elif self.largest > 1e-9:
            why = (
                "the scalar engine recorded the same primitives in the same order, so the "
                "difference comes from numbers the recording froze at the example or at "
                "the parameters' values of compile time (.data, float(), a comparison, "
                "max(), detach() or no_grad() inside f)"
            )
        else:
            why = "the scalar engine recorded the same graph"
        return (
            f"examples {self.examples}: largest |compiled − scalar| {self.largest:.3g} "
            f"(outputs {self.output:.3g}, parameter grads {self.param_grad:.3g}, "
            f"input grads {self.input_grad:.3g}); {why}"
        )


@dataclass
class _Size:
    """One batch size's buffers, and the generated code bound to them (None: the grouped replay)."""

    V: np.ndarray
    A: np.ndarray
    forward: Forward | None
    backward: Backward | None


def _largest(a: Any, b: Any) -> float:
    return float(np.max(np.abs(np.subtract(a, b)), initial=0.0))


def _as_batch_error(e: Exception, i: int) -> Exception:
    message = f"engine.compile: example {i} of the batch: {e}"
    if isinstance(e, (ArithmeticError, ValueError, TypeError)):
        try:
            return type(e)(message)
        except TypeError:  # an exception class with a constructor of its own
            pass
    return RuntimeError(message)


class Compiled:
    """A recorded function replayed over mini-batches; made by ``engine.compile``."""

    def __init__(
        self,
        f: Callable[..., Any],
        recording: Recording,
        reduction: str,
        input_grads: bool,
        backward_of_first: bool = False,
    ) -> None:
        # backward_of_first: backward differentiates the first of several outputs, and gives
        # it (for a recording laid out as its first output's own, ``laid_out_as_first``).
        self.f = f
        self._backward_of_first = backward_of_first
        self.reduction = reduction
        self.params = recording.params
        self.nodes = recording.order
        self.input_grads: tuple[np.ndarray, ...] | None = None
        self._rec = recording
        self._arity = [len(leaves) for leaves in recording.inputs]
        self._placement: Placement | None = None  # where the params live, until a bind moves them
        self._data = self._where().numbers()
        self._grads = np.zeros(len(self.params))  # the grads, once bound or in parameter_arrays()
        # The params' home once the first call outside parameter_arrays() binds them.
        self._backing = Backing(self.params, self._data, self._grads)
        self._step = np.zeros(len(self.params))  # one backward's ∂f/∂p, summed over the batch
        self._plan = make_plan(recording, self._data, self._step, input_grads)
        self._want_input_grads = input_grads
        self._n_inputs = sum(self._arity)  # V's first rows; the batch's inputs, read in place
        self._x_inputs = [  # a layer reading a run of one argument's rows reads the batch
            input_of(self._plan.input_rows, g.x_rows) if isinstance(g, Matmul) else None
            for g in self._plan.groups
        ]
        self._sizes: dict[int, _Size] = {}  # a few batch sizes' buffers and bound code
        self._code: StraightLine | None = None  # the generated code, made at the first call
        self._code_made = False
        self._straight = True  # False: the grouped replay, group by group (the reference)
        self._in_arrays = False
        # Calls share the replay's buffers and the parameters' arrays: one call at a time,
        # as backward() passes are serialised.
        self._lock = threading.RLock()

    @property
    def plan(self) -> Plan:
        """Where each node lives in the replay's arrays, and the groups (engine.compile.plan)."""
        return self._plan

    @property
    def groups(self) -> list[Elementwise | Matmul | Sum]:
        """The grouped operations of the replay, in the order they run forward."""
        return self._plan.groups

    # --- calls ------------------------------------------------------------------------

    def __call__(self, *batch: Any) -> np.ndarray:
        """f for each example: (m,) for a Value result, (m, k) for a list of k Values."""
        return self._call(self._check_batch(batch))

    def _call(self, X: list[np.ndarray]) -> np.ndarray:
        """``__call__`` on a batch already checked (float64 arrays (m, n), finite, m ≥ 1)."""
        with self._lock, np.errstate(all="ignore"):  # numbers that run out are explained below
            return self._outputs(self._forward(X).V)

    def backward(self, *batch: Any) -> np.ndarray:
        """The outputs, and ``reduction`` over the batch of ∂f/∂p added into each ``p.grad``.

        ``input_grads`` then holds ∂f/∂x for each example: one (m, n) array per argument
        (unless compiled with ``input_grads=False``, which saves the work).
        """
        return self._backward(self._check_batch(batch))

    def _backward(self, X: list[np.ndarray], fresh: bool = False) -> np.ndarray:
        """``backward`` on a batch already checked (float64 arrays (m, n), finite, m ≥ 1).

        ``fresh``: each grad becomes 0 + the batch's, bit for bit what zeroing the grads
        first and adding gives, in one pass.
        """
        with self._lock:
            step, input_grads, outputs = self._gradients(X)
            # All or nothing, even when interrupted (Ctrl-C) part way, as Value.backward.
            previous = self.input_grads
            try:
                self.input_grads = input_grads if self._want_input_grads else None
                if self._in_arrays or self._backing.bound:  # one operation: all or none
                    if fresh:
                        np.add(step, 0.0, out=self._grads)
                    else:
                        np.add(self._grads, step, out=self._grads)
                else:
                    self._where().assign(grads=step + 0.0 if fresh else step, add=not fresh)
            except BaseException:
                self.input_grads = previous
                raise
            return outputs

    def _gradients(
        self, X: list[np.ndarray]
    ) -> tuple[np.ndarray, tuple[np.ndarray, ...] | None, np.ndarray]:
        """(reduced ∂f/∂params, ∂f/∂inputs per example or None, outputs) for the batch X."""
        if not (self._rec.single or self._backward_of_first):
            n = len(self._rec.outputs)
            raise ValueError(
                f"engine.compile: backward needs f to return one Value (the cost of one "
                f"example), but this f returns a list of {n} Value{'s' * (n != 1)}; return "
                f"the Value itself (not [cost]) to backpropagate, or call the compiled "
                f"function (no backward) for a list of outputs"
            )
        m = len(X[0])
        with np.errstate(all="ignore"):  # numbers that run out are found, and explained, below
            size = self._forward(X)
            try:
                if size.backward is None or not self._straight:
                    raise Stale
                size.backward(X)
            except (Stale, ValueError, TypeError):  # the grouped replay names a failing rule
                self._grouped_backward(size, X)
        step = self._step
        finite = bool(np.isfinite(step).all())
        input_grads: tuple[np.ndarray, ...] = ()
        if self._want_input_grads:
            A = size.A
            input_grads = tuple(A[rows].T.copy() for rows in self._plan.input_rows)
            finite = finite and all(np.isfinite(g).all() for g in input_grads)
        if not finite:
            step, input_grads = self._scalar_gradients(X)
        if self.reduction == "mean":
            np.multiply(step, 1.0 / m, out=step)
        if self._backward_of_first:  # the output differentiated: (m,), as f returning it gives
            return step, input_grads or None, size.V[self._plan.output_rows[0]].copy()
        return step, input_grads or None, self._outputs(size.V)

    def _grouped_forward(self, V: np.ndarray, X: list[np.ndarray]) -> None:
        plan = self._plan
        for rows, x in zip(plan.input_rows, X):
            V[rows] = x.T
        V[plan.param_rows] = self._data[plan.param_index][:, None]
        for group, found in zip(plan.groups, self._x_inputs):
            if found is None:
                group.forward(V)
            else:  # the layer reads the batch in place, as the generated code does
                cast(Matmul, group).forward(V, X[found[0]].T[found[1]])

    def _grouped_backward(self, size: _Size, X: list[np.ndarray]) -> None:
        plan = self._plan
        V, A = size.V, size.A
        for rows, x in zip(plan.input_rows, X):  # (the generated forward may not copy them)
            V[rows] = x.T
        A.fill(0.0)
        A[plan.output_rows[0]] = 1.0
        self._step.fill(0.0)
        for group, found in zip(reversed(plan.groups), reversed(self._x_inputs)):
            if not group.wanted:
                continue
            if found is None:
                group.backward(V, A)
            else:
                cast(Matmul, group).backward(V, A, X[found[0]].T[found[1]])
        self._step[plan.param_index] += A[plan.param_rows].sum(axis=1)

    def source(self) -> str:
        """The straight-line numpy code the replay runs, the same for every batch size."""
        with self._lock:
            code = self._generated()
        if code is None:
            return (
                "# engine.compile runs this plan group by group (the grouped replay): a "
                "derivative rule could not be tried on arrays when the code was generated\n"
            )
        return code.source

    # --- parameters ---------------------------------------------------------------------

    @contextmanager
    def parameter_arrays(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Within the block the parameters are two arrays, (data, grad), in the order of params.

        Calls read ``data`` and ``backward`` adds into ``grad``; change them in place
        (``data -= lr * grad``, ``grad[:] = 0``). Nothing per parameter happens per step.
        Parameters this function has bound (by a call outside the block) live in these
        arrays, and their Values show every change at once. Otherwise the arrays take the
        Values' numbers on entering, and every ``p.data`` and ``p.grad`` takes the arrays'
        numbers on leaving (until then the Values are not updated). A parameter left
        non-finite is refused on leaving, naming it, and every parameter is as it was.
        """
        if self._in_arrays:
            raise RuntimeError("parameter_arrays: this compiled function's block is already open")
        bound = self._backing.bound
        if bound:  # the Values are the arrays: kept to put back if the block ends non-finite
            before = self._data.copy(), self._grads.copy()
        else:
            self._where().numbers(out=self._data)
            self._where().grads(out=self._grads)
        try:
            self._in_arrays = True  # inside try: an interrupt right here still closes the block
            yield self._data, self._grads
        finally:
            self._in_arrays = False
            if bound:
                self._check_data(restore=before)
            else:
                self._check_data()
                self._where().assign(self._data, self._grads)

    @contextmanager
    def _reading(self) -> Iterator[None]:
        """A block of calls that read the parameters' numbers once, on entering, and change
        nothing (no backward): a pass over a data set in chunks."""
        if self._in_arrays:  # within the block: the arrays hold the numbers already
            yield
            return
        if not self._backing.bound:
            self._where().numbers(out=self._data)
        try:
            self._in_arrays = True
            yield
        finally:
            self._in_arrays = False

    def _where(self) -> Placement:
        """Where the params live now (in the Values, or in a Backing's arrays)."""
        self._placement = placement(self.params, self._placement)
        return self._placement

    def _hold(self) -> None:
        """Before a call outside the block: bind the params here if no other Backing holds
        any of them; else read their numbers (from the Values, or from that Backing).

        The look and the bind are one step for every compiled function, so that two threads
        cannot bind the same parameters twice. Written on one line: the lock is let go
        right after the body, with no line between where a Ctrl-C could leave it held.
        """
        with _BINDING: self._bind_or_read()  # noqa: E701  # fmt: skip

    def _bind_or_read(self) -> None:
        # A parameter of a class of the user's (a subclass of Value) is never bound, as
        # binding switches a Value's class.
        where, backing = self._where(), self._backing
        if all(b is backing for b, _, _ in where.groups) and set(map(type, self.params)) <= {
            Value,
            backing.kind,
        }:
            backing.bind()
        else:
            where.numbers(out=self._data)

    def _check_data(self, restore: tuple[np.ndarray, np.ndarray] | None = None) -> None:
        """ValueError naming the first non-finite number of ``data`` (after putting back
        ``restore``'s data and grads, when the arrays are the Values')."""
        finite = np.isfinite(self._data)
        if not finite.all():
            i = int(np.argmin(finite))
            bad = float(self._data[i])
            if restore is not None:
                np.copyto(self._data, restore[0])
                np.copyto(self._grads, restore[1])
            raise ValueError(
                f"engine.compile: params[{i}] ({self.params[i]!r}) would become "
                f"{bad!r}; parameters must stay finite (no parameter was changed)"
            )

    # --- the replay ----------------------------------------------------------------------

    def _check_batch(self, batch: Sequence[Any]) -> list[np.ndarray]:
        if len(batch) != len(self._arity):
            raise TypeError(
                f"engine.compile: expected {len(self._arity)} batch arguments (one per argument "
                f"of the example), got {len(batch)}"
            )
        arrays = []
        for a, (argument, n) in enumerate(zip(batch, self._arity)):
            if (  # already the array the replay reads (in place: it is never written)
                type(argument) is np.ndarray
                and argument.dtype is _FLOAT64
                and argument.ndim == 2
                and argument.shape[1] == n
                and len(argument)
            ):
                X = argument
            else:
                X = self._as_batch(a, argument, n)
            if not np.isfinite(X).all():
                i, k = map(int, np.argwhere(~np.isfinite(X))[0])
                raise ValueError(
                    f"engine.compile: batch argument {a}, example {i}: [{k}] is {float(X[i, k])!r}, "
                    f"not a finite number"
                )
            arrays.append(X)
        if len(arrays) > 1 and len({len(X) for X in arrays}) > 1:
            raise ValueError(
                f"engine.compile: the batch arguments have different numbers of examples: "
                f"{[len(X) for X in arrays]}"
            )
        return arrays

    @staticmethod
    def _as_batch(a: int, argument: Any, n: int) -> np.ndarray:
        """Batch argument a as a float array (m, n), or the error saying what is wrong with it."""
        try:
            raw = np.asarray(argument)
        except ValueError as e:  # numpy's "inhomogeneous shape" names no argument
            raise ValueError(
                f"engine.compile: batch argument {a} is ragged: its examples must all "
                f"have {n} number{'s' * (n != 1)} (one row per example, shape (m, {n})); "
                f"numpy says: {e}"
            ) from None
        if raw.dtype.kind not in "iuf":  # as the scalar engine: no bools, strings, complex
            raise TypeError(
                f"engine.compile: batch argument {a} must hold real numbers (ints or "
                f"floats), got an array of {raw.dtype}"
            )
        X = raw.astype(float)
        if X.ndim == 1 and n == 1:
            X = X[:, None]
        if X.ndim != 2 or X.shape[1] != n or len(X) == 0:
            raise ValueError(
                f"engine.compile: batch argument {a} must have shape (m, {n}) with m ≥ 1 "
                f"(one row per example), got {X.shape}"
            )
        return X

    def _generated(self) -> StraightLine | None:
        """The plan as straight-line code, made once (None: a rule cannot run on arrays)."""
        if not self._code_made:
            self._code = straight_line(
                self._plan, len(self.params), self._want_input_grads, self._data, self._step,
                "engine.compile",
            )  # fmt: skip
            self._code_made = True
        return self._code

    def _size(self, m: int) -> _Size:
        """Batch size m's buffers and bound code, made at its first call."""
        size = self._sizes.get(m)
        if size is None:
            if len(self._sizes) >= 4:  # a few batch sizes (the last batch of an epoch)
                del self._sizes[next(iter(self._sizes))]
            V = np.zeros((self._plan.n_rows, m))  # (input rows the code reads in place stay 0)
            V[self._plan.constant_rows] = self._plan.constant_values[:, None]
            A = np.empty_like(V)
            code = self._generated()
            size = _Size(V, A, *(code.bind(V, A) if code is not None else (None, None)))
            self._sizes[m] = size
        return size

    def _forward(self, X: list[np.ndarray]) -> _Size:
        if not (self._in_arrays or self._backing.bound):
            self._hold()
        size = self._size(len(X[0]))
        V = size.V
        try:
            if size.forward is not None and self._straight:
                size.forward(X)
            else:
                self._grouped_forward(V, X)
        except Exception:  # a user's primitive raised for some example: find which
            self._raise_for_first_failing(X, range(len(X[0])))
            raise
        computed = V[self._n_inputs :]  # (the inputs were checked, where they are)
        if not np.isfinite(computed).all():
            failing = ~np.isfinite(computed).all(axis=0)
            self._raise_for_first_failing(X, np.flatnonzero(failing).tolist())
        return size

    def _outputs(self, V: np.ndarray) -> np.ndarray:
        rows = self._plan.output_rows
        return V[rows[0]].copy() if self._rec.single else V[rows].T.copy()

    # --- the scalar engine on single examples: errors, and grads where numbers run out ----

    def _scalar_graph(self, X: list[np.ndarray], i: int) -> dict[Value, Value]:
        """The recorded graph rebuilt with Values for example i (raising as the engine does)."""
        new: dict[Value, Value] = {}
        for leaves, x in zip(self._rec.inputs, X):
            new.update((leaf, Value(float(xk))) for leaf, xk in zip(leaves, x[i]))
        new.update((p, Value(float(d))) for p, d in zip(self.params, self._data))
        with enable_grad():
            for node in self.nodes:
                if node not in new:
                    rule = node._rule
                    if rule is None:
                        new[node] = Value(node._data)
                    else:
                        new[node] = apply(rule, *[new[p] for p in node.parents])
        return new

    def _raise_for_first_failing(self, X: list[np.ndarray], candidates: Sequence[int]) -> None:
        self._check_data()
        for i in candidates:
            try:
                self._scalar_graph(X, i)
            except Exception as e:
                raise _as_batch_error(e, i) from None
        raise FloatingPointError(
            f"engine.compile: example {candidates[0]} of the batch gave a number that is not "
            f"finite in the batch replay, though not in the scalar engine"
        )

    def _scalar_gradients(self, X: list[np.ndarray]) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
        """Grads example by example with the scalar engine, whose rules mask 0 · ∞."""
        step = np.zeros(len(self.params))
        input_grads = tuple(np.zeros_like(x) for x in X)
        for i in range(len(X[0])):
            new = self._scalar_graph(X, i)
            autodiff.backward(new[self._rec.outputs[0]], 1.0)
            step += [new[p].grad for p in self.params]
            for leaves, g in zip(self._rec.inputs, input_grads):
                g[i] = [new[leaf].grad for leaf in leaves]
        return step, input_grads

    # --- looking at it --------------------------------------------------------------------

    def check(self, *batch: Any, examples: int = 3) -> CheckReport:
        """Recompute a few examples (spread over the batch) with the scalar engine: differences.

        f is called again on each, so control flow that the recording froze shows up, as a
        different graph or different numbers.
        """
        examples = checks.count(examples, "check: examples")
        X = self._check_batch(batch)
        m = len(X[0])
        picked = sorted({round(j) for j in np.linspace(0, m - 1, min(examples, m))})
        sub = [x[picked] for x in X]
        if self._in_arrays and not self._backing.bound:  # the scalar calls read the Values
            self._check_data()
            self._where().assign(self._data)
        single = self._rec.single
        if single:
            step, input_grads, outputs = self._gradients(sub)
        else:
            outputs = self(*sub)
        outputs = np.reshape(outputs, (len(picked), -1))
        diffs = dict.fromkeys(("output", "param_grad", "input_grad"), 0.0)
        scalar_step = np.zeros(len(self.params))
        same = True
        for j, i in enumerate(picked):
            leaves = input_leaves([x[i].tolist() for x in X])
            with enable_grad():
                outs, _ = outputs_of(self.f(*leaves))
            ops = [v.op for v in autodiff.topological_order(outs)]
            same = same and ops == [v.op for v in self.nodes]
            diffs["output"] = max(diffs["output"], _largest(outputs[j], [v.data for v in outs]))
            if single:
                flat = [leaf for argument in leaves for leaf in argument]
                grads = autodiff.grad(outs[0], [*self.params, *flat], allow_unused=True)
                numbers = [g.data for g in grads]
                scalar_step += numbers[: len(self.params)]
                if input_grads is not None:
                    got = np.concatenate([g[j] for g in input_grads])
                    worst = _largest(got, numbers[len(self.params) :])
                    diffs["input_grad"] = max(diffs["input_grad"], worst)
        if single:
            scale = 1.0 / len(picked) if self.reduction == "mean" else 1.0
            diffs["param_grad"] = _largest(step, scalar_step * scale)
        return CheckReport(picked, same_graph=same, **diffs)

    def __reduce__(self) -> Any:
        # The replay's weight blocks are views of its parameter array: a copy would read
        # weights frozen at copy time and write grads nowhere. Record again instead.
        raise TypeError(
            "engine.compile: a compiled replay cannot be pickled or copied (its weight blocks "
            "are views of its parameters' array); call engine.compile again where it is needed"
        )

    def summary(self) -> Table:
        """A table of the groups: level, primitive, how it runs, how many nodes (HTML in Jupyter)."""
        return Table(
            ["level", "primitive", "runs as", "nodes"],
            [[g.level, g.rule.name, g.kind, g.count] for g in self.groups],
            title=repr(self),
        )

    def __repr__(self) -> str:
        name = getattr(self.f, "__name__", type(self.f).__name__)
        outs = "1 output" if self._rec.single else f"{len(self._rec.outputs)} outputs"
        return (
            f"Compiled({name}: {_count(len(self.nodes), 'node')} in "
            f"{_count(len(self.groups), 'group')}, "
            f"inputs {self._arity}, {len(self.params):,} params, {outs}, "
            f"reduction={self.reduction!r})"
        )


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'s' * (n != 1)}"


def compile(
    f: Callable[..., Any],
    example: Sequence[Sequence[float]],
    params: Sequence[Value],
    reduction: str = "mean",
    input_grads: bool = True,
) -> Compiled:
    """Record ``f(*example)`` once and return it compiled for mini-batches (see ``Compiled``).

    Each argument of the example is a list of numbers, given to f as a list of leaf Values;
    f returns a Value or a list of Values. ``params`` are the leaves whose grads ``backward``
    fills, reduced over the batch by ``reduction`` ("mean" or "sum"). Other leaves of the
    graph are constants: their numbers at recording are used for every example.
    ``input_grads=False`` skips ∂f/∂x (a training step does not need it).
    """
    if reduction not in REDUCTIONS:
        raise ValueError(f"engine.compile: reduction must be 'mean' or 'sum', got {reduction!r}")
    return Compiled(f, record(f, example, params), reduction, bool(input_grads))
