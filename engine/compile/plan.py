"""The plan of a compiled replay: a recorded graph laid out as rows, grouped by level and primitive.

Every node that varies per example is a row of a (rows × batch size) array ``V``: the
inputs first, then the constants and parameters the groups read, then the results of each
group in turn. A node's level is one more than its parents' highest (leaves are level 0),
so the nodes of one level never depend on each other, and those sharing a primitive (and
number of parents) run as one numpy operation: a *group*. Two groups are fused forms. A
layer: ``weighted_sum`` nodes of one level with the same input list and parameters for
weights and bias become one matrix product W @ X + b, with W and b read straight from the
parameter array (a strided view when a net's parameters lie in order, as nn's do, else
gathered). And a chain of + (as ``sum`` makes) runs as one sum over its operands.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Any, cast

import numpy as np
from numpy.lib.stride_tricks import as_strided

from engine import ops
from engine.compile.recording import Recording
from engine.primitives import ADD, WEIGHTED_SUM, Primitive
from engine.value import Value

Rows = slice | np.ndarray
_PARENTS = attrgetter("parents")


def rows_of(indices: Sequence[int]) -> Rows:
    """A slice when the indices run on by one (numpy then reads a view), else an index array."""
    first = indices[0] if len(indices) else 0
    if list(indices) == list(range(first, first + len(indices))):
        return slice(first, first + len(indices))
    return np.array(indices, dtype=np.intp)


def _distinct(rows: Rows) -> bool:
    return isinstance(rows, slice) or len(np.unique(rows)) == len(rows)


def _scatter_add(A: np.ndarray, rows: Rows, distinct: bool, values: Any) -> None:
    if distinct:
        A[rows] += values
    else:  # a node that uses one parent twice, or two nodes sharing one: add each use
        np.add.at(A, cast(np.ndarray, rows), values)


def _steps(index: np.ndarray) -> tuple[int, ...] | None:
    """The step s_d along each axis d if index = index[0, 0] + Σ_d i_d·s_d (s_d ≥ 0), else None."""
    steps = []
    for axis, n in enumerate(index.shape):
        step = np.diff(index, axis=axis) if n > 1 else np.zeros(1, dtype=np.intp)
        first = int(step.flat[0])
        if first < 0 or not (step == first).all():
            return None
        steps.append(first)
    return tuple(steps)


class ParamBlock:
    """The parameters ``data[index]``: a view when they are evenly spaced, else gathered."""

    def __init__(self, index: np.ndarray, data: np.ndarray, grad: np.ndarray) -> None:
        self.index = index
        self._data, self._grad = data, grad
        self.view, self.grad_view = self._views(index, data, grad)

    @staticmethod
    def _views(index: np.ndarray, data: np.ndarray, grad: np.ndarray) -> tuple[Any, Any]:
        steps = _steps(index)
        if steps is None:
            return None, None
        strides = tuple(s * data.itemsize for s in steps)
        start = int(index.flat[0])
        return (
            as_strided(data[start:], index.shape, strides, writeable=False),
            as_strided(grad[start:], index.shape, strides),
        )

    def read(self) -> np.ndarray:
        """The parameters' current numbers."""
        return self.view if self.view is not None else self._data[self.index]

    def add(self, values: np.ndarray) -> None:
        """Add values to the parameters' grads (the plan keeps a group's parameters distinct)."""
        if self.grad_view is not None:
            self.grad_view += values
        else:
            self._grad[self.index] += values


@dataclass
class Group:
    """Nodes of one level made by one primitive, run as one numpy operation on rows ``rows``."""

    level: int
    rule: Primitive
    nodes: list[Value]
    rows: slice
    wanted: bool  # some node of it leads back to an input or a parameter

    kind = "elementwise"

    @property
    def count(self) -> int:
        """How many nodes the group runs at once."""
        return len(self.nodes)


class Elementwise(Group):
    """Each node's result from its parents' rows, by the primitive's array forms."""

    def __init__(self, *args: Any, parent_rows: list[Rows], requires: list[bool]) -> None:
        super().__init__(*args)
        self.parent_rows = parent_rows
        self.requires = requires
        self.distinct = [_distinct(r) for r in parent_rows]

    def forward(self, V: np.ndarray) -> None:
        """Fill the group's rows of V."""
        V[self.rows] = self.rule.array_forward(*[V[r] for r in self.parent_rows])

    def local_derivatives(self, xs: list[np.ndarray], out: np.ndarray) -> list[Any]:
        """∂out/∂x for each parent, the table's one rule run on arrays (or a number)."""
        try:
            return list(self.rule.derivative(ops.ARRAYS, xs, out))
        except (ValueError, TypeError) as e:  # e.g. `if x > 0` on an array, or math.cos(array)
            raise TypeError(
                f"engine.compile: the derivative rule of {self.rule.name!r} does not run on "
                f"numpy arrays ({e}); write it with + − × ÷ and ops.* (ops.step for a branch on "
                f"the sign), not with `if` on a number or math.*"
            ) from e

    def backward(self, V: np.ndarray, A: np.ndarray) -> None:
        """Add local derivative × adjoint into the parents' rows of A (the table's rule on arrays)."""
        G = A[self.rows]
        locals_ = self.local_derivatives([V[r] for r in self.parent_rows], V[self.rows])
        for rows, local, wanted, distinct in zip(
            self.parent_rows, locals_, self.requires, self.distinct
        ):
            if not wanted:
                continue
            if isinstance(local, (int, float)):
                if local == 0.0:  # a zero local derivative passes nothing on
                    continue
                contribution = G if local == 1.0 else -G if local == -1.0 else local * G
            else:
                contribution = local * G
            _scatter_add(A, rows, distinct, contribution)


class Matmul(Group):
    """A layer of ``weighted_sum`` nodes sharing one input list: Z = W @ X + b."""

    kind = "matmul"

    def __init__(self, *args: Any, x_rows: Rows, x_wanted: bool, w: ParamBlock, b: ParamBlock):
        super().__init__(*args)
        self.x_rows, self.x_wanted, self.w, self.b = x_rows, x_wanted, w, b
        self.x_distinct = _distinct(x_rows)

    def forward(self, V: np.ndarray, x: np.ndarray | None = None) -> None:
        """Z = W @ X + b into the group's rows (X: V's rows x_rows, or x where the batch holds them)."""
        out = V[self.rows]
        np.matmul(self.w.read(), V[self.x_rows] if x is None else x, out=out)
        out += self.b.read()[:, None]

    def backward(self, V: np.ndarray, A: np.ndarray, x: np.ndarray | None = None) -> None:
        """∂/∂w_jk = x_k, ∂/∂x_k = w_jk, ∂/∂b_j = 1 (the weighted_sum rule), summed as products."""
        G = A[self.rows]
        self.w.add(G @ (V[self.x_rows] if x is None else x).T)
        self.b.add(G.sum(axis=1))
        if self.x_wanted:
            _scatter_add(A, self.x_rows, self.x_distinct, self.w.read().T @ G)


class Sum(Group):
    """Chains a + b + c + … of +, each run as one sum over its operands' rows."""

    kind = "sum"

    def __init__(self, *args: Any, operand_rows: np.ndarray) -> None:
        super().__init__(*args)
        self.operand_rows = operand_rows  # (operands, nodes)
        self.distinct = len(np.unique(operand_rows)) == operand_rows.size

    def forward(self, V: np.ndarray) -> None:
        """Each chain's operands added in the chain's order (numpy sums axis 0 row by row)."""
        V[self.rows] = V[self.operand_rows].sum(axis=0)

    def backward(self, V: np.ndarray, A: np.ndarray) -> None:
        """+ passes its adjoint on unchanged (∂/∂a = ∂/∂b = 1), so each operand gets it."""
        G = A[self.rows]
        _scatter_add(
            A,
            self.operand_rows,
            self.distinct,
            np.broadcast_to(G, self.operand_rows.shape + G.shape[1:]),
        )


@dataclass
class Plan:
    """Where each node lives in V and the groups that fill it, in an order that respects levels."""

    n_rows: int
    input_rows: list[slice]
    constant_rows: np.ndarray
    constant_values: np.ndarray
    param_rows: np.ndarray  # parameters some group reads from V, refreshed every call
    param_index: np.ndarray  # ... and their positions in params
    output_rows: list[int]
    groups: list[Elementwise | Matmul | Sum]


def _operands(rec: Recording) -> dict[Value, tuple[Value, ...]]:
    """Each interior node the replay runs, with the operands it reads.

    A chain ((a + b) + c) + … whose inner sums are used only once (as ``sum`` folds a list)
    runs as one node, the chain's last +, reading all the chain's operands.
    """
    uses = Counter(
        itertools.chain.from_iterable(map(_PARENTS, rec.order))
    )  # C loops: ~1 µs per node
    keep = set(rec.outputs)
    operands: dict[Value, Any] = {}
    for node in rec.order:
        if node._rule is None:
            continue
        left = node.parents[0]
        if node._rule is ADD and left._rule is ADD and uses[left] == 1 and left not in keep:
            chain = operands.pop(left)  # left is absorbed into node's chain
            chain.append(node.parents[1])
            operands[node] = chain
        else:
            operands[node] = list(node.parents)
    return {node: tuple(args) for node, args in operands.items()}


def _levels(order: list[Value], operands: dict[Value, tuple[Value, ...]]) -> dict[Value, int]:
    level = dict.fromkeys(order, 0)  # leaves, and the + nodes absorbed into a chain
    for node, args in operands.items():  # in the order of ``order``: parents first
        if args:
            level[node] = 1 + max(map(level.__getitem__, args))
    return level


def _layer_key(node: Value, level: int, param_at: dict[Value, int]) -> tuple | None:
    """The key of the matrix product node belongs to, or None if it is not a layer's neuron."""
    if node._rule is not WEIGHTED_SUM:
        return None
    n = len(node.parents) // 2
    ws_and_b = (*node.parents[:n], node.parents[-1])
    if n == 0 or not all(map(param_at.__contains__, ws_and_b)):
        return None
    return ("matmul", level, tuple(map(id, node.parents[n : 2 * n])))


def _grouped(
    operands: dict[Value, tuple[Value, ...]], level: dict[Value, int], param_at: dict[Value, int]
) -> list[tuple[str, int, Primitive, list[Value]]]:
    """(kind, level, rule, nodes) per group, by level."""
    groups: dict[tuple, list[Value]] = {}
    for node, args in operands.items():
        key = _layer_key(node, level[node], param_at)
        if key is None:
            kind = "sum" if len(args) != len(node.parents) else "elementwise"
            key = (kind, level[node], node._rule, len(args))
        groups.setdefault(key, []).append(node)
    out = []
    for key, nodes in groups.items():
        if key[0] == "matmul":
            used = [param_at[p] for node in nodes for p in node.parents[: len(node.parents) // 2]]
            used += [param_at[node.parents[-1]] for node in nodes]
            if len(set(used)) != len(used):  # a parameter twice: run the generic rule instead
                for arity in {len(node.parents) for node in nodes}:
                    same = [node for node in nodes if len(node.parents) == arity]
                    out.append(("elementwise", key[1], WEIGHTED_SUM, same))
                continue
            out.append(("matmul", key[1], WEIGHTED_SUM, nodes))
        else:
            out.append((key[0], key[1], key[2], nodes))
    out.sort(key=lambda g: g[1])
    return out


def make_plan(rec: Recording, data: np.ndarray, grad: np.ndarray, input_grads: bool) -> Plan:
    """Lay the recording out as rows and groups; W and b views read ``data``, write ``grad``.

    Adjoints flow back to the parameters, and to the inputs when ``input_grads``.
    """
    param_at = {p: i for i, p in enumerate(rec.params)}
    operands = _operands(rec)
    level = _levels(rec.order, operands)
    grouped = _grouped(operands, level, param_at)
    read_from_v: set[Value] = set(rec.outputs)
    for kind, _, _, nodes in grouped:
        for node in nodes:
            n = len(node.parents) // 2
            read_from_v.update(node.parents[n : 2 * n] if kind == "matmul" else operands[node])

    inputs = {leaf for leaves in rec.inputs for leaf in leaves}
    row: dict[Value, int] = {}
    input_rows = []
    for leaves in rec.inputs:
        start = len(row)
        row.update((leaf, start + k) for k, leaf in enumerate(leaves))
        input_rows.append(slice(start, len(row)))
    constants = [v for v in rec.order if v._rule is None and v not in row and v not in param_at]
    constants = [v for v in constants if v in read_from_v]
    params_in_v = [p for p in rec.params if p in read_from_v]
    for v in constants + params_in_v:
        row[v] = len(row)

    wanted: dict[Value, bool] = {}  # leads back to an input or a parameter: needs an adjoint
    for node in rec.order:
        if node.parents:
            wanted[node] = any(wanted[p] for p in node.parents)
        else:
            wanted[node] = node in param_at or (input_grads and node in inputs)

    groups: list[Elementwise | Matmul | Sum] = []
    for kind, lvl, rule, nodes in grouped:
        if kind == "matmul":
            nodes = sorted(nodes, key=lambda v: param_at[v.parents[-1]])
        else:
            nodes = sorted(nodes, key=lambda v: tuple(row[p] for p in operands[v]))
        start = len(row)
        row.update((v, start + i) for i, v in enumerate(nodes))
        common = (lvl, rule, nodes, slice(start, len(row)), any(wanted[v] for v in nodes))
        if kind == "matmul":
            n = len(nodes[0].parents) // 2
            xs = nodes[0].parents[n : 2 * n]
            w = np.array([[param_at[p] for p in v.parents[:n]] for v in nodes], dtype=np.intp)
            b = np.array([param_at[v.parents[-1]] for v in nodes], dtype=np.intp)
            groups.append(
                Matmul(
                    *common,
                    x_rows=rows_of([row[x] for x in xs]),
                    x_wanted=any(wanted[x] for x in xs),
                    w=ParamBlock(w, data, grad),
                    b=ParamBlock(b, data, grad),
                )
            )
            continue
        arity = len(operands[nodes[0]])
        by_position = [[operands[v][i] for v in nodes] for i in range(arity)]
        if kind == "sum":
            rows = np.array([[row[p] for p in args] for args in by_position], dtype=np.intp)
            groups.append(Sum(*common, operand_rows=rows))
        else:
            groups.append(
                Elementwise(
                    *common,
                    parent_rows=[rows_of([row[p] for p in args]) for args in by_position],
                    requires=[any(wanted[p] for p in args) for args in by_position],
                )
            )
    return Plan(
        n_rows=len(row),
        input_rows=input_rows,
        constant_rows=np.array([row[v] for v in constants], dtype=np.intp),
        constant_values=np.array([v._data for v in constants], dtype=float),
        param_rows=np.array([row[p] for p in params_in_v], dtype=np.intp),
        param_index=np.array([param_at[p] for p in params_in_v], dtype=np.intp),
        output_rows=[row[v] for v in rec.outputs],
        groups=groups,
    )
