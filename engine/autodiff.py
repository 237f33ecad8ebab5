"""The reverse pass: order a graph once, iteratively, and apply the chain rule generically.

The sweep is written once (``sweep``). ``backward`` runs it on the graph, adding float
gradients into ``.grad`` (first order, the fast path); ``grad`` runs it on a twin of the
graph and returns them instead, as floats or, with ``create_graph=True``, as Values whose
graphs are built by the same derivative rules applied to Values, so they can be
differentiated again; ``viz.backward_steps`` watches it step by step.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from engine import checks, ops
from engine.grad_mode import set_grad_enabled
from engine.primitives import check_count

if TYPE_CHECKING:
    from engine.value import Value

# backward() passes are serialised: two threads backpropagating through graphs that share
# leaves would otherwise interleave their read-add-write of the same .grad and lose updates.
_BACKWARD_LOCK = threading.RLock()


def topological_order(roots: Value | Iterable[Value]) -> list[Value]:
    """Every node reachable from ``roots``, each after all of its parents (no recursion).

    The order is the post-order of a depth-first walk that takes each node's parents last
    one first: it fixes the order in which ``sweep`` adds up the contributions to a node
    that several nodes use, so it is kept exactly.
    """
    order: list[Value] = []
    seen: set[Value] = set()
    mark, append, all_reached = seen.add, order.append, seen.issuperset
    starts: list[Value] = [roots] if hasattr(roots, "parents") else list(roots)  # type: ignore[list-item]
    for root in starts:
        if root in seen:
            continue
        mark(root)
        if not root.parents:
            append(root)
            continue
        # Each node waits on the stack with the parents it has yet to reach (the last one
        # first) until all of them are in order; a parent reached before is passed over.
        # Two short cuts, each giving the order the stack would: a node of more than two
        # parents that were all reached before goes into the order at once (one look-up
        # per parent in C, not a turn of this loop: most of a net's z nodes, whose weights
        # and inputs another neuron reached first), and so does a node of one parent
        # (σ(z), −x) whose parent is such a node or a leaf, right after it. Nodes of two
        # parents take the stack (there the look-ups would mostly fail). This loop is a
        # large part of the "train step" row of benchmarks/run.py.
        stack: list[tuple[Value, Iterator[Value]]] = [(root, reversed(root.parents))]
        push, pop = stack.append, stack.pop
        while stack:
            node, parents = stack[-1]
            for parent in parents:
                if parent not in seen:
                    mark(parent)
                    grandparents = parent.parents
                    if not grandparents:
                        append(parent)
                        continue
                    n = len(grandparents)
                    if n > 2:
                        if all_reached(grandparents):
                            append(parent)
                            continue
                    elif n == 1:
                        (first,) = grandparents
                        if first in seen:
                            append(parent)
                            continue
                        wide = first.parents
                        if not wide or len(wide) > 2 and all_reached(wide):
                            mark(first)
                            append(first)
                            append(parent)
                            continue
                    push((parent, reversed(grandparents)))
                    break
            else:
                pop()
                append(node)
    return order


def backward(root: Value, grad: float) -> None:
    """Add ∂root/∂node · grad to the ``grad`` of every node of root's graph, root included."""
    order = topological_order(root)
    with _BACKWARD_LOCK:
        # Each node's adjoint for this pass is built from zero and added to what it held
        # before, so that a second backward() adds exactly the same numbers again.
        # Only the non-zero grads are set aside, as a fresh graph's nodes all start at 0:
        # the "784-30-10 … one example" and "train step" rows of benchmarks/run.py.
        held = [(node, before) for node in order if (before := node.grad)]
        for node, _ in held:
            node.grad = 0.0
        root.grad = grad
        try:
            sweep(order)
        except BaseException:
            for node in order:  # leave every grad as it was
                node.grad = 0.0
            for node, before in held:
                node.grad = before
            raise
        for node, before in held:
            node.grad += before


def sweep(order: Sequence[Any]) -> None:
    """The reverse sweep, written once: from the last node to the first, each node's rule adds
    ∂node/∂parent · node.grad into its parents' grads (``float_backward``).

    ``order`` holds nodes, each after its parents, with ``_rule``, ``_data``, ``parents`` and
    ``grad``: the Values themselves (``backward``), or twins (``twin_graph``) standing in for
    them (``grad``, and ``viz.backward_steps`` observing each step). A node whose grad is 0
    passes nothing on, as ``chain_term`` says.
    """
    for node in reversed(order):
        rule = node._rule
        if rule is None:
            continue
        g = node.grad
        if g == 0.0:  # chain_term's rule: nothing to pass on, and 0 · inf must not become nan
            continue
        rule.float_backward(node.parents, node._data, g)


def twin_graph(order: Sequence[Value], rule_of: Callable[[Value], Any]) -> dict[Value, Value]:
    """A twin of each node (same data, grad 0, twins for parents) whose rule is ``rule_of(node)``.

    ``sweep`` runs on the twins of ``order`` without touching the nodes' own grads; a twin
    whose rule is None passes nothing on. A parent left out of ``order`` gets a twin that
    is a leaf: it only takes what its users pass on.
    """
    from engine.value import _leaf

    twins: dict[Value, Value] = {}
    for node in order:
        twin = _leaf(node._data, 0.0, node.label)
        for p in node.parents:
            if p not in twins:
                twins[p] = _leaf(p._data, 0.0, p.label)
        twin.parents = tuple([twins[p] for p in node.parents])
        twin._rule = rule_of(node)
        twins[node] = twin
    return twins


class Use:
    """One parent as one position of a node sees it, for running a node's ``float_backward``
    alone: the amount it adds for that position lands in ``grad`` (from 0), so each use of a
    parent (a + a) is seen apart (``viz.backward_steps``, forward mode)."""

    __slots__ = ("_data", "grad")

    def __init__(self, data: float) -> None:
        self._data, self.grad = data, 0.0

    @property
    def data(self) -> float:
        """The parent's number (for a user's ``float_derivative`` that reads ``.data``)."""
        return self._data


def backward_amounts(node: Value, g: float) -> list[float]:
    """What ``backward()`` adds to the parent at each position of ``node`` for a grad g of the
    node, by one run of its step: local · g, or g / x where the local derivative is 1/x
    (which overflows first)."""
    rule = node._rule
    assert rule is not None
    uses = [Use(p._data) for p in node.parents]
    rule.float_backward(uses, node._data, g)  # type: ignore[arg-type]
    return [use.grad for use in uses]


def chain_term(local: float, upstream: float) -> float:
    """local · upstream, the chain rule's term for one edge; 0 where either is 0 (0 · inf is 0).

    ``sweep`` skips a node whose grad is 0 and ``float_backward`` a zero local derivative
    (their fast forms of this rule); forward mode adds this number.
    """
    return 0.0 if local == 0.0 or upstream == 0.0 else local * upstream


def zero_grad(nodes: Iterable[Value]) -> None:
    """Set ``grad`` to 0 on each of ``nodes`` (shared by Value, Module and SGD)."""
    for node in nodes:
        node.grad = 0.0


def _as_value_list(x: object, what: str) -> list[Value]:
    from engine.value import Value

    items = [x] if isinstance(x, Value) else x
    if not isinstance(items, (list, tuple)) or not items:
        raise TypeError(f"grad: {what} must be a Value or a non-empty list of Values, got {x!r}")
    for i, item in enumerate(items):
        if not isinstance(item, Value):
            raise TypeError(
                f"grad: {what}[{i}] must be a Value, got {type(item).__name__}: {item!r}"
            )
    return list(items)


def _grad_outputs(grad_outputs: object, n: int) -> list[Any]:
    from engine.value import Value

    items = grad_outputs
    if isinstance(items, np.ndarray) and items.ndim == 0:
        items = items.item()
    if not isinstance(items, (list, tuple, np.ndarray)):  # one number for every output
        items = [items] * n
    items = checks.sequence(items, "grad: grad_outputs", n, why=" (one per output)")
    return [
        g if isinstance(g, Value) else checks.real_number(g, f"grad: grad_outputs[{i}]")
        for i, g in enumerate(items)
    ]


def grad(
    outputs: Value | Sequence[Value],
    inputs: Value | Sequence[Value],
    grad_outputs: float | Value | Sequence[float | Value] = 1.0,
    create_graph: bool = False,
    allow_unused: bool = False,
) -> list[Value]:
    """Σ_i grad_outputs_i · ∂outputs_i/∂input for each input, as in ``torch.autograd.grad``.

    Changes no ``.grad``. With ``create_graph=False`` the results are leaves; with
    ``create_graph=True`` they are Values whose graphs lead back to the inputs (recorded
    with the same derivative rules), so they can be differentiated again, to any order.
    """
    from engine import value as value_module
    from engine.value import Value, _leaf

    create_graph = checks.flag(create_graph, "grad: create_graph")
    allow_unused = checks.flag(allow_unused, "grad: allow_unused")
    outs = _as_value_list(outputs, "outputs")
    ins = _as_value_list(inputs, "inputs")
    out_grads = _grad_outputs(grad_outputs, len(outs))
    if not create_graph and value_module.read_watchers():
        for out in outs:  # compile's recording: float gradients freeze the inputs' numbers
            value_module.tell_watchers(out, "engine.grad() without create_graph")
    order = topological_order(outs)
    # Only nodes with a path to an input need an adjoint: ``needed`` holds them.
    input_set = set(ins)
    needed: set[Value] = set()
    for node in order:
        if node in input_set or any(p in needed for p in node.parents):
            needed.add(node)
    graph = set(order)
    for i, x in enumerate(ins):
        if x not in graph and not allow_unused:
            raise ValueError(
                f"grad: inputs[{i}] ({x!r}) is not part of the outputs' graph; "
                f"pass allow_unused=True to get 0 for it"
            )
    # Only the nodes that need an adjoint are twinned and swept (a node that needs none has
    # no parent that needs one); their other parents get leaf twins that take what is passed.
    order = [node for node in order if node in needed]
    reads = _NumberReads()
    if create_graph:
        twins = twin_graph(order, lambda node: _recorded_rule(node, needed, reads))
    else:
        twins = twin_graph(order, lambda node: node._rule)
    for out, out_grad in zip(outs, out_grads):
        if out in needed:
            twin = twins[out]
            twin.grad = _add(twin.grad, out_grad if create_graph else float(out_grad))
    nodes = [twins[node] for node in order]
    with set_grad_enabled(create_graph):
        if create_graph:  # a derivative rule run on Values must not read their numbers
            from engine.compile.recording import watching_reads

            watching_reads(reads, sweep, nodes)
        else:
            sweep(nodes)
    results = []
    for x in ins:
        g = twins[x].grad if x in graph else 0.0
        if not (isinstance(g, Value) and create_graph):
            results.append(_leaf(float(g), 0.0, ""))
        elif g in graph or any(g is out_grad for out_grad in out_grads):
            # a node the caller already holds (∂(x·y)/∂x is y itself): a new node, as in PyTorch
            results.append(g.clone())
        else:
            results.append(g)
    return results


# Reads of a number that a derivative rule on Values may make: a branch on a sign
# (piecewise rules are fine to any order). Any other (float(), math.*, .data, ...) makes a
# constant of a Value, whose derivatives would silently be 0.
_BRANCHES = ("a comparison", "bool()")


class _NumberReads:
    """The ways the derivative rules run on Values have read a number (a read watcher)."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def __call__(self, v: Value, how: str) -> None:
        if how not in _BRANCHES:
            self.seen.append(how)


class _RecordedStep:
    """A node's step for ``grad(create_graph=True)``: its derivative rule run on Values, so
    each contribution local · g is itself recorded (and can be differentiated again)."""

    __slots__ = ("node", "needed", "reads")

    def __init__(self, node: Value, needed: list[bool], reads: _NumberReads) -> None:
        self.node, self.needed, self.reads = node, needed, reads

    def float_backward(self, parents: Sequence[Value], out: float, g: Any) -> None:
        """Add each recorded local · g into the twins of the parents that lead to an input."""
        locals_ = _recorded_locals(self.node, self.reads)
        for parent, local, needed in zip(parents, locals_, self.needed):
            if needed:
                contribution = _scale(local, g)
                if contribution is not None:
                    parent.grad = _add(parent.grad, contribution)


def _recorded_rule(node: Value, needed: set[Value], reads: _NumberReads) -> _RecordedStep | None:
    if node._rule is None or node not in needed:
        return None
    return _RecordedStep(node, [p in needed for p in node.parents], reads)


def _recorded_locals(node: Value, reads: _NumberReads) -> Sequence[Any]:
    """The node's local derivatives as Values (its rule run on Values), or an error saying where."""
    rule = node._rule
    assert rule is not None
    reads.seen.clear()
    try:
        locals_ = rule.derivative(ops.VALUES, node.parents, node)
    except (ValueError, ZeroDivisionError, OverflowError) as e:
        operands = ", ".join(repr(p._data) for p in node.parents)
        raise type(e)(
            f"grad(create_graph=True): the derivative of {rule.name} at ({operands}) cannot be "
            f"recorded as a Value (it is infinite or undefined there; backward() and "
            f"create_graph=False give its first-order value): {e}"
        ) from e
    except (TypeError, AttributeError) as e:  # e.g. np.cos(Value): no cos method
        raise TypeError(
            f"grad(create_graph=True): the derivative rule of {rule.name!r} does not run on "
            f"Values ({e}); write it with + − × ÷ and ops.* (ops.exp, not math.exp or np.exp)"
        ) from e
    if reads.seen:
        raise TypeError(
            f"grad(create_graph=True): the derivative rule of {rule.name!r} turns a Value into "
            f"a number ({reads.seen[0]}, as math.* functions do), so the derivatives of its "
            f"result would silently be 0; write it with + − × ÷ and ops.* (ops.exp, not "
            f"math.exp), which record a graph"
        )
    return check_count(rule.name, locals_, len(node.parents))


def _scale(local: Any, g: Any) -> Any:
    """local · g, or None where a zero local derivative masks it (0 · inf included); nan (no
    number: ∂(x**y)/∂y at x < 0) where either has no number."""
    if local.__class__ is not float and local.__class__ is not int:
        # a recorded local derivative: skip the node that multiplying by an output grad of 1 would add
        if g.__class__ is float:
            if g == 1.0 or g != g:
                return local if g == 1.0 else g
        return local * g
    if local == 0.0:
        return None
    if local == 1.0:
        return g
    if local == -1.0:
        return -g
    if local != local:
        return local
    return local * g


def _add(total: Any, contribution: Any) -> Any:
    # a twin's grad starts at the float 0: the first contribution replaces it, adding no node
    if total.__class__ is float and (total == 0.0 or total != total):
        return total if total != total else contribution
    if contribution.__class__ is float and contribution != contribution:
        return contribution  # no number, whatever else is added
    return total + contribution
