"""Whether operations record the graph: a ``ContextVar``, so per thread and asyncio task."""

from __future__ import annotations

import contextlib
import functools
import inspect
from collections.abc import Callable
from contextvars import ContextVar, Token
from typing import Any, TypeVar

from engine.checks import flag

F = TypeVar("F", bound=Callable[..., Any])
_ENABLED: ContextVar[bool] = ContextVar("engine_grad_enabled", default=True)
# This context's entered blocks' tokens, innermost last: a no_grad() may be shared by threads.
_TOKENS: ContextVar[tuple[Token[bool], ...]] = ContextVar("engine_grad_tokens", default=())
enabled = _ENABLED.get  # read by every operation: a bound method saves a look-up per node


def is_grad_enabled() -> bool:
    """True unless inside ``no_grad()`` (in this thread or task)."""
    return _ENABLED.get()


class _Block(contextlib.ContextDecorator):
    """A block or decorated function (a generator: each resumption) run with ``mode``."""

    mode: bool

    def __new__(cls, function: Callable[..., Any] | None = None) -> Any:  # bare @no_grad
        return cls()(function) if function is not None else super().__new__(cls)

    def __enter__(self) -> None:
        _TOKENS.set((*_TOKENS.get(), _ENABLED.set(self.mode)))

    def __exit__(self, *exc: object) -> None:
        *outer, token = _TOKENS.get()
        _TOKENS.set(tuple(outer))
        _ENABLED.reset(token)

    def __call__(self, function: F) -> F:
        """Use as a decorator."""
        if not callable(function):
            got = type(function).__name__
            raise TypeError(f"{type(self).__name__}: decorates a function, got {got}")
        if not inspect.isgeneratorfunction(function):
            return super().__call__(function)

        @functools.wraps(function)
        def generator(*args: Any, **kwargs: Any) -> Any:
            gen, method, argument = function(*args, **kwargs), "send", None
            while True:
                try:
                    with self:
                        item = getattr(gen, method)(argument)
                except StopIteration as stop:
                    return stop.value
                try:
                    method, argument = "send", (yield item)
                except BaseException as error:  # throw() and close() reach gen in the block too
                    method, argument = "throw", error

        return generator  # type: ignore[return-value]


class no_grad(_Block):
    """Within this block (or decorated function) operations record nothing: results are leaves."""

    mode = False


class enable_grad(_Block):
    """Within this block (or decorated function) operations record, even inside ``no_grad()``."""

    mode = True


class set_grad_enabled(_Block):
    """Set grad mode now, in this thread or task; as a block or decorator, restore it after."""

    def __new__(cls, mode: bool) -> set_grad_enabled:
        return object.__new__(cls)

    def __init__(self, mode: bool) -> None:
        self.mode = flag(mode, "set_grad_enabled: mode")
        self._before = _ENABLED.set(self.mode)  # as PyTorch: the call alone switches it

    def __enter__(self) -> None:
        _TOKENS.set((*_TOKENS.get(), self._before))

    def __call__(self, function: F) -> F:
        """Use as a decorator: the setting of before comes back, ``mode`` scopes the function."""
        _ENABLED.reset(self._before)
        return (enable_grad if self.mode else no_grad)()(function)
