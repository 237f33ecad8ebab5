"""Recording a function once, at one example, as the graph ``engine.compile`` replays.

The recording is a trace, as with ``torch.jit.trace``: Python control flow that reads a
number during the call (``if x > 0``, ``float(v)``, ``v.data``) is frozen at the example's
values. A read of a number that depends on the inputs is reported with a ``TracingWarning``.
"""

from __future__ import annotations

import os
import sys
import threading
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from engine import value as value_module
from engine.autodiff import topological_order
from engine.grad_mode import enable_grad
from engine.value import Value, real

_RECORDING = threading.RLock()


class TracingWarning(UserWarning):
    """The recorded function read the number of a Value that depends on its inputs."""


@dataclass
class Recording:
    """One call of f at the example: its input leaves, parameters, outputs and graph."""

    inputs: list[list[Value]]
    params: list[Value]
    outputs: list[Value]
    single: bool  # f returned one Value (not a list)
    order: list[Value]  # every node of the graph, each after its parents


def input_leaves(example: object) -> list[list[Value]]:
    """The example's arguments (each a sequence of numbers) as lists of leaves."""
    if not isinstance(example, (list, tuple)) or not example:
        raise TypeError(
            f"engine.compile: example must be a non-empty tuple of arguments, got {example!r}"
        )
    leaves = []
    for a, argument in enumerate(example):
        if isinstance(argument, (str, bytes)) or not hasattr(argument, "__len__"):
            raise TypeError(
                f"engine.compile: example argument {a} must be a sequence of numbers, "
                f"got {type(argument).__name__}: {argument!r}"
            )
        what = f"engine.compile: example argument {a}"
        leaves.append([Value(real(x, f"{what}[{k}]")) for k, x in enumerate(argument)])
    return leaves


def _check_params(params: object) -> list[Value]:
    if isinstance(params, Value) or not isinstance(params, Sequence):
        raise TypeError(f"engine.compile: params must be a list of Values, got {params!r}")
    params = list(params)
    seen: dict[Value, int] = {}
    for i, p in enumerate(params):
        if not isinstance(p, Value):
            raise TypeError(f"engine.compile: params[{i}] must be a Value, got {p!r}")
        if p.primitive is not None:
            raise ValueError(
                f"engine.compile: params[{i}] ({p!r}) is made by {p.op!r}, not a leaf; "
                f"parameters are the leaves an optimizer updates"
            )
        if p in seen:
            raise ValueError(f"engine.compile: params[{i}] is params[{seen[p]}] again")
        seen[p] = i
    return params


def outputs_of(result: object) -> tuple[list[Value], bool]:
    """f's result as a list of Values, and whether it was one Value; TypeError otherwise."""
    if isinstance(result, Value):
        return [result], True
    if isinstance(result, (list, tuple)) and result:
        for i, v in enumerate(result):
            if not isinstance(v, Value):
                raise TypeError(
                    f"engine.compile: the function's output [{i}] must be a Value, "
                    f"got {type(v).__name__}: {v!r}"
                )
        return list(result), False
    raise TypeError(
        f"engine.compile: the function must return a Value or a non-empty list of Values, "
        f"got {type(result).__name__}: {result!r}"
    )


_ENGINE_DIR = os.path.dirname(os.path.abspath(__file__))


def _first_frame_outside_engine() -> int:
    """The stacklevel of the caller outside this package: the user's line that read."""
    frame, level = sys._getframe(1), 1
    while frame is not None and os.path.dirname(frame.f_code.co_filename) == _ENGINE_DIR:
        frame, level = frame.f_back, level + 1  # type: ignore[assignment]
    return level


class _InputReads:
    """Warns (once) when this thread reads the number of a Value that depends on the inputs."""

    def __init__(self, inputs: list[list[Value]]) -> None:
        self.depends = {leaf: True for argument in inputs for leaf in argument}
        self.thread = threading.get_ident()
        self.warned = False

    def __call__(self, v: Value) -> None:
        if self.warned or threading.get_ident() != self.thread or not self._depends(v):
            return
        self.warned = True
        warnings.warn(
            "engine.compile: the recorded function read the number of a Value that depends "
            "on its inputs (through .data, float(), bool() or a comparison); whatever Python "
            "did with it is frozen at the example's values. Compare with the scalar engine "
            "using check(*batch).",
            TracingWarning,
            stacklevel=_first_frame_outside_engine(),
        )

    def _depends(self, v: Value) -> bool:
        known = self.depends
        if v not in known:
            for node in topological_order(v):  # parents first, so each lookup is answered
                if node not in known:
                    known[node] = any(known[p] for p in node.parents)
        return known[v]


def record(f: Callable[..., object], example: object, params: object) -> Recording:
    """Call f once on the example's leaves, recording its graph; clear errors for misuse."""
    if not callable(f):
        raise TypeError(f"engine.compile: f must be callable, got {f!r}")
    inputs = input_leaves(example)
    params = _check_params(params)
    # One recording at a time: the read hook is a module global, and two threads saving and
    # restoring it in turn could leave a stale one behind.
    with _RECORDING:
        previous = value_module.on_read
        value_module.on_read = _InputReads(inputs)
        try:
            with enable_grad():
                result = f(*inputs)
        finally:
            value_module.on_read = previous
    outputs, single = outputs_of(result)
    order = topological_order(outputs)
    in_graph = set(order)
    for i, p in enumerate(params):
        if p not in in_graph:
            raise ValueError(
                f"engine.compile: params[{i}] ({p!r}) is not a leaf of the recorded graph: "
                f"f's output does not depend on it"
            )
    return Recording(inputs, params, outputs, single, order)
