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
    return isinstance(rows, slice) or _once_each(rows)


def _once_each(indices: np.ndarray) -> bool:
    """No index twice (counted: np.unique hashes, and imports numpy.ma on its first call)."""
    return int(np.bincount(indices.ravel()).max(initial=0)) <= 1


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
        self.distinct = _once_each(operand_rows)

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


class _Graph:
    """The recording as arrays: each node by its position in ``rec.order``, each interior node
    (one a primitive made) by its index k among them, the parents of k at
    ``parents[start[k] : start[k] + count[k]]``.

    Nodes are found by identity (``id``, sorted and searched), so building it is a few C loops
    over the graph: no Python work per leaf, which matters for a wide net (784-1000-10 has
    ~800k nodes, ~2,000 of them interior).
    """

    def __init__(self, rec: Recording) -> None:
        self.order = rec.order
        self.n = len(rec.order)
        ids = np.fromiter(map(id, rec.order), np.intp, self.n)
        self._by_id = np.argsort(ids)
        self._ids = ids[self._by_id]
        self.inner = [v for v in rec.order if v._rule is not None]
        self.rules = [v._rule for v in self.inner]
        self.position = self.find(self.inner)
        parents = list(map(_PARENTS, self.inner))
        self.count = np.fromiter(map(len, parents), np.intp, len(parents))
        self.start = np.zeros(len(parents), np.intp)
        np.cumsum(self.count[:-1], out=self.start[1:])
        self.parents = self.find(itertools.chain.from_iterable(parents), int(self.count.sum()))
        self.edge_node = np.repeat(np.arange(len(self.inner)), self.count)  # each edge's k
        self.inner_at = np.full(self.n, -1, np.intp)  # position -> k, or -1 for a leaf
        self.inner_at[self.position] = np.arange(len(self.inner))
        self.param_at = np.full(self.n, -1, np.intp)  # position -> index in params, or -1
        self.param_at[self.find(rec.params, len(rec.params))] = np.arange(len(rec.params))

    def find(self, values: Any, count: int = -1) -> np.ndarray:
        """The positions of values, nodes of the graph."""
        at = np.searchsorted(self._ids, np.fromiter(map(id, values), np.intp, count))
        return self._by_id[at]

    def find_some(self, values: Sequence[Value]) -> np.ndarray:
        """The positions of values, -1 for one that is not in the graph (an unused input)."""
        ids = np.fromiter(map(id, values), np.intp, len(values))
        at = np.minimum(np.searchsorted(self._ids, ids), max(self.n - 1, 0))
        return np.where(self._ids[at] == ids, self._by_id[at], -1)

    def parents_of(self, k: int) -> np.ndarray:
        """The positions of k's parents."""
        return self.parents[self.start[k] : self.start[k] + self.count[k]]


def _interior_parents(g: _Graph) -> tuple[list[int], list[int]]:
    """(ks, bounds): the interior parents of k are ``ks[bounds[k] : bounds[k + 1]]`` (as k's).

    Levels and the adjoint flags are worked out in Python over these edges only: a leaf's
    level is 0 and its flag known beforehand, and a net's edges are nearly all to leaves.
    """
    inner = g.inner_at[g.parents]
    interior = np.flatnonzero(inner >= 0)
    bounds = np.searchsorted(g.edge_node[interior], np.arange(len(g.inner) + 1))
    return inner[interior].tolist(), bounds.tolist()


def _wanted_leaf(g: _Graph, input_positions: np.ndarray, input_grads: bool) -> np.ndarray:
    """Per position: a leaf that needs an adjoint (a parameter, or an input when input_grads)."""
    wanted = g.param_at >= 0
    if input_grads:
        wanted[input_positions[input_positions >= 0]] = True
    return wanted


def _layers(g: _Graph) -> np.ndarray:
    """Per interior node: a layer's neuron, a weighted_sum whose weights and bias are parameters."""
    n = g.count // 2
    candidate = np.array([rule is WEIGHTED_SUM for rule in g.rules], bool) & (n > 0)
    edge_node = g.edge_node
    offset = np.arange(len(g.parents)) - g.start[edge_node]
    weight_or_bias = (offset < n[edge_node]) | (offset == 2 * n[edge_node])
    not_param = candidate[edge_node] & weight_or_bias & (g.param_at[g.parents] < 0)
    return candidate & (np.bincount(edge_node[not_param], minlength=len(g.inner)) == 0)


@dataclass
class _Layout:
    """The interior nodes the replay runs, their levels and which need an adjoint.

    A chain ((a + b) + c) + … whose inner sums are used only once (as ``sum`` folds a list)
    runs as one node, the chain's last +, reading all the chain's operands (``chains``).
    """

    runs: list[int]  # the k's the replay runs, in order
    chains: dict[int, list[int]]  # k -> the positions of its chain's operands
    level: list[int]
    wanted: np.ndarray  # per position


def _layout(g: _Graph, outputs: np.ndarray, wanted_leaf: np.ndarray) -> _Layout:
    """The chains, then each node's level and flag, parents before children."""
    ks, bounds = _interior_parents(g)
    uses = np.bincount(g.parents, minlength=g.n)
    first = g.parents[g.start[g.count > 0]]  # each interior node's left parent ...
    absorbable = np.zeros(g.n, bool)  # ... a sum used once, not an output: a chain goes on
    is_add = np.array([rule is ADD for rule in g.rules], bool)
    absorbable[g.position] = is_add
    absorbable &= uses == 1
    absorbable[outputs] = False
    joins = np.zeros(len(g.inner), bool)
    joins[g.count > 0] = absorbable[first]
    joins &= is_add
    leaf_wanted = np.bincount(g.edge_node[wanted_leaf[g.parents]], minlength=len(g.inner))
    leaf_wanted = leaf_wanted.tolist()
    count = g.count.tolist()
    level = [0] * len(g.inner)
    wanted = [False] * len(g.inner)
    chains: dict[int, list[int]] = {}
    absorbed = set()
    for k, join in enumerate(joins.tolist()):
        parents_k = ks[bounds[k] : bounds[k + 1]]
        wanted[k] = leaf_wanted[k] > 0 or any(map(wanted.__getitem__, parents_k))
        if join:
            left = parents_k[0]
            absorbed.add(left)
            chain = chains.pop(left, None) or g.parents_of(left).tolist()
            chain.append(int(g.parents[g.start[k] + 1]))
            chains[k] = chain
            # 1 + the highest level of the chain's operands: left's operands, and the right
            right = level[parents_k[1]] if len(parents_k) > 1 else 0
            level[k] = max(level[left], 1 + right)
        elif count[k]:
            level[k] = 1 + max(map(level.__getitem__, parents_k), default=0)
    wanted_at = wanted_leaf.copy()
    wanted_at[g.position] = wanted
    runs = [k for k in range(len(g.inner)) if k not in absorbed]
    return _Layout(runs, chains, level, wanted_at)


@dataclass
class _Pending:
    """A group before its rows are known: its nodes (k's) and the positions they read."""

    kind: str
    level: int
    rule: Primitive
    ks: np.ndarray
    reads: np.ndarray  # (nodes, operands) positions: a sum's chain operands, else the parents


def _grouped(g: _Graph, lay: _Layout, layer: np.ndarray) -> list[_Pending]:
    """The groups, by level: nodes of one level, kind, primitive and number of operands (a
    layer's neurons: of one level and input list)."""
    keys: dict[tuple, list[int]] = {}
    layer_list = layer.tolist()
    start, count = g.start.tolist(), g.count.tolist()
    for k in lay.runs:
        if layer_list[k]:
            n = count[k] // 2
            xs = g.parents[start[k] + n : start[k] + 2 * n].tobytes()
            key: tuple = ("matmul", lay.level[k], xs)
        else:
            chain = lay.chains.get(k)
            kind = "elementwise" if chain is None else "sum"
            key = (kind, lay.level[k], g.rules[k], count[k] if chain is None else len(chain))
        keys.setdefault(key, []).append(k)
    out = []
    for key, nodes in keys.items():
        ks = np.array(nodes, np.intp)
        if key[0] == "sum":
            reads = np.array([lay.chains[k] for k in nodes], np.intp)
        else:
            reads = g.parents[g.start[ks][:, None] + np.arange(count[nodes[0]])]
        if key[0] != "matmul":
            out.append(_Pending(key[0], key[1], key[2], ks, reads))
            continue
        n = count[nodes[0]] // 2
        used = g.param_at[np.concatenate([reads[:, :n].ravel(), reads[:, -1]])]
        if not _once_each(used):  # a parameter twice: run the generic rule instead
            out.append(_Pending("elementwise", key[1], WEIGHTED_SUM, ks, reads))
        else:
            out.append(_Pending("matmul", key[1], WEIGHTED_SUM, ks, reads))
    out.sort(key=attrgetter("level"))
    return out


def make_plan(rec: Recording, data: np.ndarray, grad: np.ndarray, input_grads: bool) -> Plan:
    """Lay the recording out as rows and groups; W and b views read ``data``, write ``grad``.

    Adjoints flow back to the parameters, and to the inputs when ``input_grads``.
    """
    g = _Graph(rec)
    inputs = [g.find_some(leaves) for leaves in rec.inputs]
    input_positions = np.concatenate([np.zeros(0, np.intp), *inputs])
    outputs = g.find(rec.outputs, len(rec.outputs))
    lay = _layout(g, outputs, _wanted_leaf(g, input_positions, input_grads))
    grouped = _grouped(g, lay, _layers(g))

    # Rows: the inputs, then the constants and parameters some group reads from V (in the
    # order of rec.order and of params), then each group's nodes, group after group.
    row = np.full(g.n, -1, np.intp)
    input_rows, n_rows = [], 0
    for positions in inputs:
        found = positions >= 0
        row[positions[found]] = n_rows + np.flatnonzero(found)
        input_rows.append(slice(n_rows, n_rows + len(positions)))
        n_rows += len(positions)
    read = [outputs]
    for p in grouped:
        n = p.reads.shape[1] // 2
        read.append(p.reads[0, n : 2 * n] if p.kind == "matmul" else p.reads.ravel())
    is_read = np.zeros(g.n, bool)
    is_read[np.concatenate(read)] = True
    read_from_v = np.flatnonzero(is_read)
    leaves = read_from_v[(g.inner_at[read_from_v] < 0) & (row[read_from_v] < 0)]
    constants = leaves[g.param_at[leaves] < 0]
    param_index = np.sort(g.param_at[leaves[g.param_at[leaves] >= 0]])
    param_positions = np.empty(len(rec.params), np.intp)
    param_positions[g.param_at[g.param_at >= 0]] = np.flatnonzero(g.param_at >= 0)
    for positions in (constants, param_positions[param_index]):
        row[positions] = n_rows + np.arange(len(positions))
        n_rows += len(positions)

    groups: list[Elementwise | Matmul | Sum] = []
    wanted = lay.wanted
    for p in grouped:
        ks, reads = p.ks, p.reads
        # The rows a group reads (a layer's: its xs, below); the nodes sorted by them, or a
        # layer's by the index of their biases.
        read_rows = row[reads] if p.kind != "matmul" else reads[:, :0]
        if len(ks) > 1:
            if p.kind == "matmul":
                order = np.argsort(g.param_at[reads[:, -1]], kind="stable")
            else:  # by the rows of the operands, the first operand first
                order = np.lexsort(read_rows.T[::-1])
            ks, reads, read_rows = ks[order], reads[order], read_rows[order]
        nodes = [g.inner[k] for k in ks.tolist()]
        positions = g.position[ks]
        row[positions] = n_rows + np.arange(len(ks))
        rows = slice(n_rows, n_rows + len(ks))
        n_rows += len(ks)
        common = (p.level, p.rule, nodes, rows, any(wanted[positions].tolist()))
        if p.kind == "matmul":
            n = reads.shape[1] // 2
            xs = reads[0, n : 2 * n]
            groups.append(
                Matmul(
                    *common,
                    x_rows=rows_of(row[xs].tolist()),
                    x_wanted=any(wanted[xs].tolist()),
                    w=ParamBlock(g.param_at[reads[:, :n]], data, grad),
                    b=ParamBlock(g.param_at[reads[:, -1]], data, grad),
                )
            )
        elif p.kind == "sum":
            groups.append(Sum(*common, operand_rows=np.ascontiguousarray(read_rows.T)))
        else:
            groups.append(
                Elementwise(
                    *common,
                    parent_rows=[rows_of(column) for column in read_rows.T.tolist()],
                    requires=list(map(any, wanted[reads].T.tolist())),
                )
            )
    return Plan(
        n_rows=n_rows,
        input_rows=input_rows,
        constant_rows=row[constants],
        constant_values=np.array([g.order[i]._data for i in constants.tolist()], dtype=float),
        param_rows=row[param_positions[param_index]],
        param_index=param_index,
        output_rows=row[outputs].tolist(),
        groups=groups,
    )
