"""A plan written out as straight-line numpy code, compiled with ``compile`` once for every batch size.

The grouped replay (``Group.forward``/``backward``) pays Python's dispatch per group and
re-slices its rows every call; the text made here binds every row view once (when it is
bound to the buffers of a batch size), computes into those views with ``out=``, assigns an
adjoint on its first write instead of zero-filling and adding, writes parameter grads
straight into their views, and reads the batch's inputs where they are (``X[a].T``, no
copy) wherever a group reads a run of one argument's rows. It performs the grouped
replay's operations in the same order on the same operands, so the numbers are the same
bit for bit. The text is built from the plan's own indices only: a primitive is ``g[k]``,
the k-th group of the plan, never the text of a user's function.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import CodeType
from typing import Any

import numpy as np

from engine import ops
from engine.compile.plan import Elementwise, Matmul, ParamBlock, Plan, Rows, Sum, rows_of


class Stale(Exception):
    """A derivative rule returned a constant where it returned an array (or the other way)
    when the text was made: the grouped replay runs instead."""


def expect(locals_: Any, kinds: tuple[float | None, ...]) -> list[Any]:
    """The rule's local derivatives, if each is still the constant (or array) it was."""
    for local, kind in zip(locals_, kinds):
        if isinstance(local, (int, float)) != (kind is not None) or (
            kind is not None and local != kind
        ):
            raise Stale
    return locals_


NUMBER = (int, float)

Forward = Callable[[Sequence[np.ndarray]], None]
Backward = Callable[[Sequence[np.ndarray]], None]


@dataclass
class StraightLine:
    """The generated text of a plan, compiled once, and what every batch size's copy shares."""

    source: str
    code: CodeType
    shared: dict[str, Any]
    inputs_in_v: bool  # some group reads input rows from V, so forward copies X into them

    def bind(self, V: np.ndarray, A: np.ndarray) -> tuple[Forward, Backward]:
        """forward(X) and backward(X) bound to the buffers V and A of one batch size."""
        scope = dict(self.shared, V=V, A=A)
        exec(self.code, scope)
        return scope["forward"], scope["backward"]


def input_of(input_rows: list[slice], rows: Rows) -> tuple[int, slice] | None:
    """(argument a, rows of X[a].T) when rows are a run of one argument's rows, else None."""
    if not isinstance(rows, slice) or rows.stop <= rows.start:
        return None
    for a, span in enumerate(input_rows):
        if span.start <= rows.start and rows.stop <= span.stop:
            return a, slice(rows.start - span.start, rows.stop - span.start)
    return None


def _trial(group: Elementwise) -> tuple[tuple[float | None, ...], Any] | None:
    """Which local derivatives of the group's rule are numbers (and which), tried on 1 column,
    and what the rule returned when every one is a number (a tuple it returns every time
    needs no checking)."""
    xs = [np.full((group.count, 1), 0.5) for _ in group.parent_rows]
    try:
        with np.errstate(all="ignore"):
            out = np.asarray(group.rule.array_forward(*xs), dtype=float)
            returned = group.rule.derivative(ops.ARRAYS, xs, out)
            locals_ = group.local_derivatives(xs, out)
    except Exception:
        return None
    kinds = tuple(float(x) if isinstance(x, NUMBER) else None for x in locals_)
    if not all(np.isfinite(kind) for kind in kinds if kind is not None):
        return None  # (a constant nan or inf has no literal)
    constant = isinstance(returned, tuple) and None not in kinds
    return kinds, returned if constant else None


class _Writer:
    """Lines of code, the names bound once, and which rows of A and entries of step hold
    a number yet (a first write assigns, later ones add)."""

    def __init__(self, plan: Plan, n_params: int) -> None:
        self.plan = plan
        self.n_params = n_params
        self.n_inputs = plan.input_rows[-1].stop if plan.input_rows else 0
        self.inputs_in_v = False  # some group reads input rows from V
        self.prologue: list[str] = []
        self.body: list[str] = []
        self.bound: set[str] = set()
        self.indices: list[np.ndarray] = []
        self.adjoint_rows: set[int] = set()
        self.grad_entries: set[int] = set()

    def index(self, rows: np.ndarray) -> str:
        self.indices.append(np.asarray(rows, dtype=np.intp))
        return f"I[{len(self.indices) - 1}]"

    def bind(self, name: str, expression: str) -> str:
        if name not in self.bound:
            self.bound.add(name)
            self.prologue.append(f"{name} = {expression}")
        return name

    def rows(self, array: str, rows: Rows) -> tuple[str, bool]:
        """(code for array[rows], whether it is a view bound once)."""
        if isinstance(rows, slice):
            return self.bind(
                f"{array}{rows.start}_{rows.stop}", f"{array}[{rows.start}:{rows.stop}]"
            ), True
        return f"{array}[{self.index(rows)}]", False

    def read(self, rows: Rows, transposed: bool = False) -> str:
        """Code reading V[rows] (or its transpose): from the batch itself where they are
        a run of one argument's rows, else from V (which then holds the inputs)."""
        found = input_of(self.plan.input_rows, rows)
        if found is None:
            if _listed(rows) and min(_listed(rows)) < self.n_inputs:
                self.inputs_in_v = True
            return self.rows("V", rows)[0] + ".T" * transposed
        a, span = found
        whole = (
            span.stop - span.start == self.plan.input_rows[a].stop - self.plan.input_rows[a].start
        )
        cut = "" if whole else f"[:, {span.start}:{span.stop}]"
        return f"X[{a}]{cut}" if transposed else f"X[{a}]{cut}.T"

    def line(self, text: str) -> None:
        self.body.append(text)

    # --- adjoints -----------------------------------------------------------------------

    def zero_unwritten(self, array: str, done: set[int], wanted: list[int]) -> None:
        """Zeros into the entries not written yet, so that adding to (or reading) them is right."""
        fresh = sorted(set(wanted) - done)
        if fresh:
            target, is_view = self.rows(array, rows_of(fresh))
            self.line(f"{target}{'[...]' * is_view} = 0.0")
            done.update(fresh)

    def read_adjoint(self, rows: Rows) -> str:
        """A[rows], zeros where no adjoint reached a row."""
        self.zero_unwritten("A", self.adjoint_rows, _listed(rows))
        return self.rows("A", rows)[0]

    def write(
        self,
        array: str,
        done: set[int],
        rows: Rows,
        value: str,
        into: str | None = None,
        distinct: bool = True,
    ) -> None:
        """array[rows] += value as the grouped replay adds it; an assignment (or ``into``,
        code computing straight into the view ``{out}``) where none of the rows holds a number yet."""
        listed = _listed(rows)
        target, is_view = self.rows(array, rows)
        if distinct and not done.intersection(listed):
            if into is not None and is_view:
                self.line(into.format(out=target))
            else:
                self.line(f"{target}{'[...]' * is_view} = {value}")
        else:
            self.zero_unwritten(array, done, listed)
            if distinct:
                self.line(f"{target}{'[...]' * is_view} += {value}")
            else:
                self.line(f"np.add.at({array}, {self.index(np.asarray(rows))}, {value})")
        done.update(listed)

    def write_grads(self, k: int, block: ParamBlock, value: str, into: str) -> None:
        """The parameters' grads (block P[k]), straight into their view of step where it has one."""
        listed = block.index.ravel().tolist()
        if block.grad_view is None:
            self.write("step", self.grad_entries, block.index, value)
            return
        name = self.bind(f"dP{k}", f"P[{k}].grad_view")
        if not self.grad_entries.intersection(listed):
            contiguous = block.grad_view.flags.c_contiguous
            self.line(into.format(out=name) if contiguous else f"{name}[...] = {value}")
        else:
            self.zero_unwritten("step", self.grad_entries, listed)
            self.line(f"{name}[...] += {value}")
        self.grad_entries.update(listed)


def _runs(rows: list[int]) -> list[list[int]]:
    """The rows cut where they stop running on by one."""
    runs: list[list[int]] = []
    for r in rows:
        if runs and r == runs[-1][-1] + 1:
            runs[-1].append(r)
        else:
            runs.append([r])
    return runs


def _listed(rows: Rows) -> list[int]:
    if isinstance(rows, slice):
        return list(range(rows.start, rows.stop))
    return np.asarray(rows).ravel().tolist()


def _params(w: _Writer, k: int, block: ParamBlock) -> str:
    """Code reading the parameters of block P[k]: a view bound once, or gathered from data."""
    if block.view is not None:
        return w.bind(f"P{k}", f"P[{k}].view")
    return f"data[{w.index(block.index)}]"


def _forward(w: _Writer, plan: Plan, blocks: dict[int, ParamBlock]) -> None:
    if len(plan.param_rows):
        params = w.rows("data", rows_of(plan.param_index.tolist()))[0]
        w.line(f"{w.rows('V', rows_of(plan.param_rows.tolist()))[0]}[...] = {params}[:, None]")
    for k, group in enumerate(plan.groups):
        out = w.rows("V", group.rows)[0]
        w.line(
            f"# group {k}: level {group.level}, {group.rule.name} as {group.kind}, {group.count} nodes"
        )
        if isinstance(group, Matmul):
            x = w.read(group.x_rows)
            W, b = _params(w, 2 * k, blocks[2 * k]), _params(w, 2 * k + 1, blocks[2 * k + 1])
            w.line(f"np.matmul({W}, {x}, out={out})")
            column = w.bind(f"{b}c", f"{b}[:, None]") if b.startswith("P") else f"{b}[:, None]"
            w.line(f"{out}[...] += {column}")
        elif isinstance(group, Sum):
            w.read(group.operand_rows)  # (V holds the inputs, if it reads some)
            w.line(f"np.add.reduce(V[{w.index(group.operand_rows)}], axis=0, out={out})")
        else:
            xs = ", ".join(w.read(r) for r in group.parent_rows)
            forward = w.bind(f"F{k}", f"g[{k}].rule.array_forward")
            if _is_ufunc(group.rule.array_forward, len(group.parent_rows)):
                w.line(f"{forward}({xs}, out={out})")
            else:
                w.line(f"{out}[...] = {forward}({xs})")


def _is_ufunc(f: Any, n: int) -> bool:
    """f is a numpy ufunc of n arguments and one result (so it can compute into a view)."""
    return isinstance(f, np.ufunc) and f.nin == n and f.nout == 1


def _backward(
    w: _Writer,
    plan: Plan,
    blocks: dict[int, ParamBlock],
    trials: dict[int, tuple[tuple[float | None, ...], Any]],
    input_grads: bool,
) -> None:
    w.write("A", w.adjoint_rows, rows_of(plan.output_rows[:1]), "1.0")
    for k in reversed(range(len(plan.groups))):
        group = plan.groups[k]
        if not group.wanted:
            continue
        w.line(
            f"# group {k}: level {group.level}, {group.rule.name} as {group.kind}, {group.count} nodes"
        )
        G = w.read_adjoint(group.rows)
        if isinstance(group, Matmul):
            xT = w.read(group.x_rows, transposed=True)
            W = _params(w, 2 * k, blocks[2 * k])
            w.write_grads(2 * k, blocks[2 * k], f"{G} @ {xT}", f"np.matmul({G}, {xT}, out={{out}})")
            w.write_grads(
                2 * k + 1,
                blocks[2 * k + 1],
                f"{G}.sum(axis=1)",
                f"np.add.reduce({G}, axis=1, out={{out}})",  # (np.sum's own loop)
            )
            if group.x_wanted:
                w.write(
                    "A",
                    w.adjoint_rows,
                    group.x_rows,
                    f"{W}.T @ {G}",
                    f"np.matmul({W}.T, {G}, out={{out}})",
                    group.x_distinct,
                )
        elif isinstance(group, Sum):
            if group.distinct and group.count == 1:  # one chain: its operands' runs of rows
                for run in _runs(group.operand_rows.ravel().tolist()):
                    w.write("A", w.adjoint_rows, rows_of(run), G)
            elif group.distinct:
                for operand in group.operand_rows:
                    w.write("A", w.adjoint_rows, rows_of(operand.tolist()), G)
            else:
                shape = group.operand_rows.shape
                w.write(
                    "A",
                    w.adjoint_rows,
                    group.operand_rows,
                    f"np.broadcast_to({G}, {shape} + {G}.shape[1:])",
                    distinct=False,
                )
        else:
            xs = ", ".join(w.read(r) for r in group.parent_rows)
            out = w.rows("V", group.rows)[0]
            kinds, returned = trials[k]
            # (a rule that fails on arrays raises here; the grouped replay then names it)
            derivative = w.bind(f"D{k}", f"g[{k}].rule.derivative")
            w.line(f"L = {derivative}(ARRAYS, [{xs}], {out})")
            if returned is not None:  # the same tuple of numbers every time: nothing to check
                same = w.bind(f"K{k}", f"K[{k}]")
                w.line(f"if L is not {same}:")
                w.line(f"    L = expect(L, {kinds})")
            elif all(kind is None for kind in kinds):
                tests = " or ".join(f"isinstance(L[{i}], NUMBER)" for i in range(len(kinds)))
                w.line(f"if {tests}:  # a number where it gave an array")
                w.line("    raise Stale")
            else:
                w.line(f"L = expect(L, {kinds})")
            for i, (rows, kind, wanted, distinct) in enumerate(
                zip(group.parent_rows, kinds, group.requires, group.distinct)
            ):
                if not wanted or kind == 0.0:  # a zero local derivative passes nothing on
                    continue
                if kind == 1.0:
                    w.write("A", w.adjoint_rows, rows, G, f"{{out}}[...] = {G}", distinct)
                elif kind == -1.0:
                    w.write(
                        "A",
                        w.adjoint_rows,
                        rows,
                        f"-{G}",
                        f"np.negative({G}, out={{out}})",
                        distinct,
                    )
                else:
                    w.write(
                        "A",
                        w.adjoint_rows,
                        rows,
                        f"L[{i}] * {G}",
                        f"np.multiply(L[{i}], {G}, out={{out}})",
                        distinct,
                    )
    w.line("# the parameters some group reads from V, and every grad not written yet")
    if len(plan.param_rows):
        adjoints = w.read_adjoint(rows_of(plan.param_rows.tolist()))
        w.write(
            "step", w.grad_entries, rows_of(plan.param_index.tolist()), f"{adjoints}.sum(axis=1)"
        )
    w.zero_unwritten("step", w.grad_entries, list(range(w.n_params)))
    if input_grads:
        for rows in plan.input_rows:
            w.read_adjoint(rows)


def straight_line(
    plan: Plan, n_params: int, input_grads: bool, data: np.ndarray, step: np.ndarray, title: str
) -> StraightLine | None:
    """The plan as generated code reading ``data`` and writing ``step``, compiled once (bind it
    to each batch size's buffers), or None when a derivative rule cannot be tried on arrays
    (the grouped replay then runs, and names the rule)."""
    trials = {}
    for k, group in enumerate(plan.groups):
        if isinstance(group, Elementwise) and group.wanted:
            found = _trial(group)
            if found is None:
                return None
            trials[k] = found
    blocks: dict[int, ParamBlock] = {}
    for k, group in enumerate(plan.groups):
        if isinstance(group, Matmul):
            blocks[2 * k], blocks[2 * k + 1] = group.w, group.b
    w = _Writer(plan, n_params)
    _forward(w, plan, blocks)
    forward_body, w.body = w.body, []
    _backward(w, plan, blocks, trials, input_grads)
    if min(plan.output_rows, default=w.n_inputs) < w.n_inputs:
        w.inputs_in_v = True  # an input is an output: read from V
    if w.inputs_in_v:  # some group reads input rows from V: copy the batch there first
        forward_body[:0] = [
            f"{w.rows('V', rows)[0]}[...] = X[{a}].T" for a, rows in enumerate(plan.input_rows)
        ]
    source = "\n".join(
        [
            f"# {title}: straight-line replay (for every batch size m: V, A have m columns)",
            "# V: a row per node, A: their adjoints, step: the parameters' grads, X[a]: the batch's",
            "# argument a, (m, n_a); g[k]: the plan's k-th group (its primitive g[k].rule),",
            "# P[k]: a parameter block, I[j]: an index array",
            *w.prologue,
            "",
            "",
            "def forward(X):",
            *("    " + line for line in forward_body or ["pass"]),
            "",
            "",
            "def backward(X):",
            *("    " + line for line in w.body),
            "",
        ]
    )
    shared: dict[str, Any] = {
        "np": np,
        "ARRAYS": ops.ARRAYS,
        "NUMBER": NUMBER,
        "Stale": Stale,
        "data": data,
        "step": step,
        "expect": expect,
        "g": plan.groups,
        "P": blocks,
        "I": w.indices,
        "K": {k: returned for k, (_, returned) in trials.items()},
    }
    # Named as a file of this package, so that tests/interrupts.py interrupts its lines too.
    where = os.path.join(os.path.dirname(os.path.abspath(__file__)), "<straight line>")
    return StraightLine(source, compile(source, where, "exec"), shared, w.inputs_in_v)
