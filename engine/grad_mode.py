"""Whether operations record the graph: per thread and per asyncio task, as in PyTorch.

The switch is a ``ContextVar``: a thread evaluating a net under ``no_grad()`` never stops
another thread's graph from being recorded, and overlapping blocks in different threads
each restore their own setting.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from contextvars import ContextVar, Token
from types import TracebackType
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

_ENABLED: ContextVar[bool] = ContextVar("engine_grad_enabled", default=True)
# Read by every operation: a bound method saves an attribute look-up per node
# (benchmarks/run.py, "train step" row).
enabled = _ENABLED.get


def is_grad_enabled() -> bool:
    """True unless inside ``no_grad()`` (in this thread or task)."""
    return _ENABLED.get()


class set_grad_enabled:
    """Turn recording on or off within a block (or a decorated function), in this thread only."""

    def __init__(self, mode: bool) -> None:
        if not isinstance(mode, bool):
            raise TypeError(f"set_grad_enabled: mode must be a bool, got {type(mode).__name__}")
        self.mode = mode
        self._tokens: list[Token[bool]] = []

    def __enter__(self) -> None:
        self._tokens.append(_ENABLED.set(self.mode))

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        _ENABLED.reset(self._tokens.pop())

    def __call__(self, function: F) -> F:
        """Use as a decorator: the function runs with this setting."""
        mode = self.mode

        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with set_grad_enabled(mode):
                return function(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


class _Switch(set_grad_enabled):
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
