"""Whether operations record the graph: on by default, off inside ``no_grad()``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


class _GradMode:
    __slots__ = ("enabled",)

    def __init__(self) -> None:
        self.enabled = True


# One switch for the process, read by every operation; like torch.no_grad it is not
# meant to be flipped from several threads at once.
state = _GradMode()


@contextmanager
def no_grad() -> Iterator[None]:
    """Within this block operations record no parents: their results are leaves."""
    previous = state.enabled
    state.enabled = False
    try:
        yield
    finally:
        state.enabled = previous


def is_grad_enabled() -> bool:
    """True unless inside ``no_grad()``."""
    return state.enabled
