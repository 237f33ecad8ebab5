"""Check ``backward()`` against central differences, input by input."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from engine.grad_mode import no_grad
from engine.value import Number, Value, _real


class GradcheckError(AssertionError):
    """A gradient from ``backward()`` disagrees with central differences."""


def _call(f: Callable[..., Value], leaves: Sequence[Value]) -> Value:
    out = f(*leaves)
    if not isinstance(out, Value):
        raise TypeError(f"gradcheck: f must return a Value, got {type(out).__name__}: {out!r}")
    return out


def gradcheck(
    f: Callable[..., Value],
    inputs: Sequence[Value | Number],
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
) -> bool:
    """True if ∂f/∂input from backward() matches central differences for every input.

    Raises GradcheckError naming the first input where |analytic − numeric| >
    atol + rtol·|numeric|. The inputs' own grads are left untouched.
    """
    point = [
        x.data if isinstance(x, Value) else _real(x, f"gradcheck input {i}")
        for i, x in enumerate(inputs)
    ]
    leaves = [Value(x) for x in point]
    _call(f, leaves).backward()
    with no_grad():
        for i, leaf in enumerate(leaves):
            up, down = list(point), list(point)
            up[i] += eps
            down[i] -= eps
            numeric = (
                _call(f, [Value(x) for x in up]).data - _call(f, [Value(x) for x in down]).data
            ) / (2.0 * eps)
            if abs(leaf.grad - numeric) > atol + rtol * abs(numeric):
                raise GradcheckError(
                    f"gradcheck: input {i} (= {point[i]!r}): analytic {leaf.grad!r} "
                    f"but numeric {numeric!r}"
                )
    return True
