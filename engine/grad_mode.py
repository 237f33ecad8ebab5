"""Whether operations record the graph: per thread and per asyncio task, as in PyTorch.

The switch is a ``ContextVar``: a thread evaluating a net under ``no_grad()`` never stops
another thread's graph from being recorded, and each block restores its own context's
setting through the token ``ContextVar.set`` gave it.
"""

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
# Tokens of the blocks entered, innermost last, per context: one no_grad() object may be
# entered by several threads or tasks at once.
_TOKENS: ContextVar[tuple[Token[bool], ...]] = ContextVar("engine_grad_tokens", default=())
enabled = _ENABLED.get  # read by every operation: a bound method saves a look-up per node


def is_grad_enabled() -> bool:
    """True unless inside ``no_grad()`` (in this thread or task)."""
    return _ENABLED.get()


class _Block(contextlib.ContextDecorator):
    """A block or decorated function (a generator: between its yields) run with ``mode``."""

    def __init__(self, mode: bool) -> None:
        self.mode = mode

    def __enter__(self) -> None:
        _TOKENS.set((*_TOKENS.get(), _ENABLED.set(self.mode)))

    def __exit__(self, *exc: object) -> None:
        *outer, token = _TOKENS.get()
        _TOKENS.set(tuple(outer))
        _ENABLED.reset(token)

    def __call__(self, function: F) -> F:
        """Use as a decorator."""
        if not callable(function):
            raise TypeError(
                f"{type(self).__name__}: decorates a function, got {type(function).__name__}"
            )
        if not inspect.isgeneratorfunction(function):
            return super().__call__(function)

        @functools.wraps(function)
        def generator(*args: Any, **kwargs: Any) -> Any:
            return (yield from _in_block(self, function(*args, **kwargs)))

        return generator  # type: ignore[return-value]


def _in_block(block: _Block, gen: Any) -> Any:
    """Each resumption of ``gen`` (next, send, throw, close) inside ``block``."""
    method, argument = gen.send, None
    while True:
        try:
            with block:
                item = method(argument)
        except StopIteration as stop:
            return stop.value
        try:
            method, argument = gen.send, (yield item)
        except GeneratorExit:
            with block:
                gen.close()
            raise
        except BaseException as error:
            method, argument = gen.throw, error


class _Switch(_Block):
    """A fixed setting, usable as ``with s():``, ``@s()`` and bare ``@s``, as in PyTorch."""

    MODE: bool

    def __new__(cls, function: Callable[..., Any] | None = None) -> Any:
        return cls()(function) if function is not None else super().__new__(cls)

    def __init__(self, function: Callable[..., Any] | None = None) -> None:
        super().__init__(self.MODE)


class no_grad(_Switch):
    """Within this block (or decorated function) operations record nothing: results are leaves."""

    MODE = False


class enable_grad(_Switch):
    """Within this block (or decorated function) operations record, even inside ``no_grad()``."""

    MODE = True


class set_grad_enabled(_Block):
    """Set grad mode now, in this thread or task; as a block or decorator, restore it after."""

    def __init__(self, mode: bool) -> None:
        super().__init__(flag(mode, "set_grad_enabled: mode"))
        self._before = _ENABLED.set(self.mode)  # as PyTorch: the call alone switches it

    def __enter__(self) -> None:
        _TOKENS.set((*_TOKENS.get(), self._before))

    def __call__(self, function: F) -> F:
        """Use as a decorator: the setting of before comes back, ``mode`` scopes the function."""
        _ENABLED.reset(self._before)
        return _Block(self.mode)(function)
