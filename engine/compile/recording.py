"""Recording a function once, at one example, as the graph ``engine.compile`` replays.

The recording is a trace, as with ``torch.jit.trace``: Python control flow that reads a
number during the call (``if x > 0``, ``float(v)``, ``v.data``) is frozen at the numbers of
the recording. Every read of a number that depends on the inputs or on a parameter is
reported with a ``TracingWarning`` naming the input or parameter, the way it was read and
the line of f.
"""

from __future__ import annotations

import contextvars
import os
import sys
import sysconfig
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Any, TypeVar

from engine import value as value_module
from engine.autodiff import topological_order
from engine.checks import real_number
from engine.grad_mode import enable_grad
from engine.primitives import ADD
from engine.value import ReadWatcher, Value

T = TypeVar("T")

# The watchers of reads of a Value's number in this thread or task, innermost last: a
# recording's _Reads, and grad(create_graph=True)'s check of its derivative rules. Each read
# asks value.read_watchers (this ContextVar's get) and, when it is not empty, tells them all.
READ_WATCHERS: contextvars.ContextVar[tuple[ReadWatcher, ...]] = contextvars.ContextVar(
    "engine_read_watchers", default=()
)
value_module.read_watchers = READ_WATCHERS.get


def watching_reads(watcher: ReadWatcher, call: Callable[..., T], *args: Any) -> T:
    """``call(*args)``, with ``watcher(v, how)`` told of each read of a Value's number it makes
    in this thread or task (as well as the watchers already told).

    The call runs in a copy of the current context, and the watcher is set in that copy only:
    when the call ends, however it ends (a Ctrl-C where a block's clean-up would run
    included), no watcher is left behind.
    """

    def watched() -> T:
        READ_WATCHERS.set((*READ_WATCHERS.get(), watcher))
        return call(*args)

    return contextvars.copy_context().run(watched)


class TracingWarning(UserWarning):
    """The recorded function read the number of a Value that depends on its inputs or params."""


@dataclass
class Recording:
    """One call of f at the example: its input leaves, parameters, outputs and graph."""

    inputs: list[list[Value]]
    params: tuple[Value, ...]
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
        leaves.append([Value(real_number(x, f"{what}[{k}]")) for k, x in enumerate(argument)])
    return leaves


def _check_params(params: object) -> tuple[tuple[Value, ...], set[Value]]:
    """params as a tuple of distinct leaf Values, and as a set; clear errors otherwise."""
    if isinstance(params, Value) or not isinstance(params, Sequence):
        raise TypeError(f"engine.compile: params must be a list of Values, got {params!r}")
    params = tuple(params)
    # The common case in C loops (a net's parameters: distinct leaf Values): "compile" rows
    # of benchmarks/run.py; anything else is found, and named, one parameter at a time.
    if set(map(type, params)) <= {Value}:
        distinct = set(params)
        if len(distinct) == len(params) and not any(map(attrgetter("_rule"), params)):
            return params, distinct
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
    return params, set(seen)


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


_COMPILE_DIR = os.path.dirname(os.path.abspath(__file__))
_ENGINE_DIRS = (os.path.dirname(_COMPILE_DIR), _COMPILE_DIR)
_STDLIB_DIR = sysconfig.get_paths()["stdlib"]
_SITE_DIRS = (sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"])


def _in_python_library(filename: str) -> bool:
    return filename.startswith(_STDLIB_DIR) and not filename.startswith(_SITE_DIRS)


def _users_frame() -> tuple[int, str, int]:
    """(stacklevel, file, line) of the first caller outside this package and Python's own
    library (copy.deepcopy runs in copy.py): the user's line that read."""
    frame, level = sys._getframe(1), 1
    while frame is not None and (
        os.path.dirname(frame.f_code.co_filename) in _ENGINE_DIRS
        or _in_python_library(frame.f_code.co_filename)
    ):
        frame, level = frame.f_back, level + 1  # type: ignore[assignment]
    if frame is None:
        return level, "?", 0
    return level, frame.f_code.co_filename, frame.f_lineno


class _Reads:
    """Warns when this thread reads the number of a Value that depends on the inputs or on a
    parameter: the replay would keep the number of the recording (the example's inputs, the
    parameters' values at compile time). Once per way of reading and line of f."""

    def __init__(self, inputs: list[list[Value]], params: tuple[Value, ...]) -> None:
        self.inputs, self.params = inputs, params
        # Each node's first source: the input (its name) or parameter (its index in params)
        # its number depends on, or None. Made at the first read, and a parameter's name
        # only when a warning needs it: the "compile" rows of benchmarks/run.py have ~800k
        # parameters and no read.
        self.source: dict[Value, str | int | None] | None = None
        self.warned: set[tuple[str, str, int]] = set()

    def __call__(self, v: Value, how: str) -> None:
        source = self._source_of(v)
        if source is None:
            return
        level, filename, line = _users_frame()
        if (how, filename, line) in self.warned:
            return
        self.warned.add((how, filename, line))
        named = source if isinstance(source, str) else self._parameter(source)
        what = named if v._rule is None else f"a Value computed from {named}"
        when = (
            "the parameter's value at compile time, though an optimizer step changes it"
            if isinstance(source, int)
            else "the example's values"
        )
        warnings.warn(
            f"engine.compile: f read the number of {what} through {how} "
            f"({os.path.basename(filename)}, line {line}); whatever Python did with it is "
            f"frozen at {when}, for every replay. Compute with the Value instead, or compare "
            f"with the scalar engine using check(*batch).",
            TracingWarning,
            stacklevel=level,
        )

    def _parameter(self, i: int) -> str:
        label = self.params[i].label
        return f"parameter params[{i}]" + (f" {label!r}" if label else "")

    def _sources(self) -> dict[Value, str | int | None]:
        if self.source is None:
            self.source = dict(zip(self.params, range(len(self.params))))
            self.source.update(
                (leaf, f"example argument {a}[{k}]")
                for a, argument in enumerate(self.inputs)
                for k, leaf in enumerate(argument)
            )
        return self.source

    def _source_of(self, v: Value) -> str | int | None:
        known = self._sources()
        if v not in known:
            for node in topological_order(v):  # parents first, so each lookup is answered
                if node not in known:
                    known[node] = next(
                        (s for s in map(known.__getitem__, node.parents) if s is not None), None
                    )
        return known[v]


def record(f: Callable[..., object], example: object, params: object) -> Recording:
    """Call f once on the example's leaves, recording its graph; clear errors for misuse."""
    if not callable(f):
        raise TypeError(f"engine.compile: f must be callable, got {f!r}")
    inputs = input_leaves(example)
    params, distinct = _check_params(params)
    result = watching_reads(_Reads(inputs, params), enable_grad()(f), *inputs)
    outputs, single = outputs_of(result)
    return _recording(inputs, params, distinct, outputs, single)


def laid_out_as_first(recording: Recording) -> bool:
    """True when the recording's plan is its first output's own: the other outputs are among
    the first's nodes (the first comes last in the order, see ``first_output``) and none is a
    sum, which a plan folds into a chain unless it is an output. A backward of the first
    output then gives the numbers of the first output recorded alone."""
    return recording.order[-1] is recording.outputs[0] and all(
        v._rule is not ADD for v in recording.outputs[1:]
    )


def first_output(recording: Recording) -> Recording:
    """The recording of its first output alone, as ``record`` gives it for an f returning
    that Value: a function recorded once serves, e.g., a cost's backward beside an evaluator
    of the cost and outputs."""
    params, first = recording.params, recording.outputs[0]
    # topological_order orders each output's graph whole before it goes on to the next
    # output's: with the first output last, the others were all among its nodes, and the
    # order is the first output's own (a cost of the outputs beside them, as nn.train's).
    order = recording.order if recording.order[-1] is first else None
    return _recording(recording.inputs, params, set(params), [first], True, order)


def _recording(
    inputs: list[list[Value]],
    params: tuple[Value, ...],
    distinct: set[Value],
    outputs: list[Value],
    single: bool,
    order: list[Value] | None = None,
) -> Recording:
    """The Recording of outputs' graph (whose order may be known); ValueError if some
    parameter is not in it."""
    order = topological_order(outputs) if order is None else order
    missing = distinct.difference(order)
    for i, p in enumerate(params if missing else ()):
        if p in missing:
            raise ValueError(
                f"engine.compile: params[{i}] ({p!r}) is not a leaf of the recorded graph: "
                f"f's output does not depend on it"
            )
    return Recording(inputs, params, outputs, single, order)
