"""Whether operations record the graph: per thread and per asyncio task, as in PyTorch.

The switch is a ``ContextVar``: a thread evaluating a net under ``no_grad()`` never stops
another thread's graph from being recorded, and overlapping blocks in different threads
or tasks each restore their own setting.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Generator
from contextvars import ContextVar
from types import TracebackType
from typing import Any, TypeVar

import numpy as np

F = TypeVar("F", bound=Callable[..., Any])

_ENABLED: ContextVar[bool] = ContextVar("engine_grad_enabled", default=True)
# The settings that entered blocks replaced, innermost last: kept per context (not per
# switch object), so one no_grad() shared by threads or tasks restores each one's own.
_SAVED: ContextVar[tuple[bool, ...]] = ContextVar("engine_grad_saved", default=())
# Read by every operation: a bound method saves an attribute look-up per node
# (benchmarks/run.py, "train step" row).
enabled = _ENABLED.get


def is_grad_enabled() -> bool:
    """True unless inside ``no_grad()`` (in this thread or task)."""
    return _ENABLED.get()


def _mode(mode: object, who: str) -> bool:
    if not isinstance(mode, (bool, np.bool_)):
        raise TypeError(f"{who}: mode must be a bool, got {type(mode).__name__}: {mode!r}")
    return bool(mode)


class _GradModeBlock:
    """A block or decorated function that runs with grad mode set to ``mode``."""

    def __init__(self, mode: bool) -> None:
        self.mode = mode

    def __enter__(self) -> None:
        _SAVED.set((*_SAVED.get(), _ENABLED.get()))
        _ENABLED.set(self.mode)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        saved = _SAVED.get()
        _SAVED.set(saved[:-1])
        _ENABLED.set(saved[-1])

    def __call__(self, function: F) -> F:
        """Use as a decorator: the function (or each resumption of a generator) runs in the block."""
        if not callable(function):
            raise TypeError(
                f"{type(self).__name__}: decorates a function, got {type(function).__name__}"
            )
        mode = self.mode
        if inspect.isgeneratorfunction(function):
            return _generator_in(mode, function)  # type: ignore[return-value]

        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with _GradModeBlock(mode):
                return function(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


def _generator_in(
    mode: bool, function: Callable[..., Generator[Any, Any, Any]]
) -> Callable[..., Any]:
    """A generator function whose body runs with grad mode ``mode`` between its yields."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Generator[Any, Any, Any]:
        gen = function(*args, **kwargs)
        try:
            with _GradModeBlock(mode):
                item = next(gen)
            while True:
                try:
                    sent = yield item
                except GeneratorExit:
                    with _GradModeBlock(mode):
                        gen.close()
                    raise
                except BaseException as e:
                    with _GradModeBlock(mode):
                        item = gen.throw(e)
                else:
                    with _GradModeBlock(mode):
                        item = gen.send(sent)
        except StopIteration as stop:
            return stop.value

    return wrapper


class _Switch(_GradModeBlock):
    """A fixed setting, usable as ``with s():``, ``@s()`` and bare ``@s``, as in PyTorch."""

    MODE: bool

    def __new__(cls, function: Callable[..., Any] | None = None) -> Any:
        if function is not None:  # used bare as a decorator
            return cls()(function)
        return super().__new__(cls)

    def __init__(self, function: Callable[..., Any] | None = None) -> None:
        super().__init__(self.MODE)


class no_grad(_Switch):
    """Within this block (or decorated function) operations record nothing: results are leaves."""

    MODE = False


class enable_grad(_Switch):
    """Within this block (or decorated function) operations record, even inside ``no_grad()``."""

    MODE = True


class set_grad_enabled(_GradModeBlock):
    """Set grad mode now, in this thread or task; as a block or decorator, restore it after.

    As in PyTorch: ``set_grad_enabled(False)`` alone switches recording off until switched
    back; ``with set_grad_enabled(mode):`` and ``@set_grad_enabled(mode)`` scope it.
    """

    def __init__(self, mode: bool) -> None:
        super().__init__(_mode(mode, "set_grad_enabled"))
        self._before = _ENABLED.get()
        _ENABLED.set(self.mode)

    def __enter__(self) -> None:
        _SAVED.set((*_SAVED.get(), self._before))

    def __call__(self, function: F) -> F:
        """Use as a decorator: restores the setting of before, then scopes ``mode`` to the function."""
        _ENABLED.set(self._before)
        return super().__call__(function)
