"""Check derivatives against central differences: first order (``gradcheck``), second (``gradgradcheck``)."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence

from engine.autodiff import grad
from engine.checks import flag, real_number
from engine.functional import point_of, single_output
from engine.grad_mode import no_grad
from engine.value import Number, Value


class GradcheckError(AssertionError):
    """A derivative from the engine disagrees with central differences, or is not finite."""


def _tolerances(eps: float, atol: float, rtol: float, who: str) -> None:
    real_number(eps, f"{who}: eps", positive=True)
    real_number(atol, f"{who}: atol", least=0)
    real_number(rtol, f"{who}: rtol", least=0)


def central_difference(f: Callable[[float], float], x: float, step: float) -> float:
    """(f(x + step) − f(x − step)) / 2·step: f′(x) with an error ∝ step² where f is smooth.

    The one finite difference of the project: ``gradcheck``, ``gradgradcheck`` and the
    drawings' ``check=True`` all call it.
    """
    return (f(x + step) - f(x - step)) / (2.0 * step)


def _central(
    h: Callable[[list[float]], float], point: list[float], i: int, eps: float, who: str
) -> float:
    """∂h/∂x_i at point by ``central_difference``; GradcheckError if h fails at either point."""

    def along_i(xi: float) -> float:
        at = list(point)
        at[i] = xi
        try:
            return h(at)
        except (ValueError, ZeroDivisionError, OverflowError) as e:
            raise GradcheckError(
                f"{who}: f cannot be evaluated at input {i} {'+' if xi >= point[i] else '−'} eps "
                f"= {xi!r} for central differences: {e}"
            ) from e

    return central_difference(along_i, point[i], eps)


def _compare(
    analytic: float,
    numeric: float,
    atol: float,
    rtol: float,
    where: str,
    who: str,
    raise_exception: bool,
) -> bool:
    ok = math.isfinite(analytic) and math.isfinite(numeric)
    ok = ok and abs(analytic - numeric) <= atol + rtol * abs(numeric)
    if not ok and raise_exception:
        raise GradcheckError(f"{who}: {where}: analytic {analytic!r} but numeric {numeric!r}")
    return ok


def gradcheck(
    f: Callable[..., Value],
    inputs: Sequence[Value | Number],
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """True if ∂f/∂input from backward() matches central differences for every input.

    A mismatch, or a gradient that is not finite, raises GradcheckError naming the input
    (or returns False with ``raise_exception=False``), as PyTorch's ``gradcheck``.
    The inputs' own grads are left untouched.
    """
    who = "gradcheck"
    point = point_of(inputs, who)
    _tolerances(eps, atol, rtol, who)
    flag(raise_exception, f"{who}: raise_exception")
    leaves = [Value(x) for x in point]
    single_output(f, leaves, who).backward()

    def value_at(p: list[float]) -> float:
        with no_grad():
            return single_output(f, [Value(x) for x in p], who).data

    try:
        return all(
            _compare(
                leaf.grad,
                _central(value_at, point, i, eps, who),
                atol,
                rtol,
                f"input {i} (= {point[i]!r})",
                who,
                raise_exception,
            )
            for i, leaf in enumerate(leaves)
        )
    except GradcheckError:
        if raise_exception:
            raise
        return False


def gradgradcheck(
    f: Callable[..., Value],
    inputs: Sequence[Value | Number],
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """True if every ∂²f/∂x_i∂x_j from the engine matches central differences of ∂f/∂x_i.

    The second derivatives come from differentiating ``grad(f, create_graph=True)``; the
    numeric ones from the first derivatives at x ± eps. A mismatch names the input pair.
    """
    who = "gradgradcheck"
    point = point_of(inputs, who)
    _tolerances(eps, atol, rtol, who)
    flag(raise_exception, f"{who}: raise_exception")
    n = len(point)

    def first(p: list[float], i: int) -> float:
        leaves = [Value(x) for x in p]
        return grad(single_output(f, leaves, who), [leaves[i]], allow_unused=True)[0].data

    leaves = [Value(x) for x in point]
    firsts = grad(single_output(f, leaves, who), leaves, create_graph=True, allow_unused=True)
    try:
        for i, d in enumerate(firsts):
            seconds = grad(d, leaves, allow_unused=True)
            for j in range(n):
                numeric = _central(functools.partial(first, i=i), point, j, eps, who)
                where = f"inputs ({i}, {j}) (= {point[i]!r}, {point[j]!r})"
                if not _compare(seconds[j].data, numeric, atol, rtol, where, who, True):
                    return False
    except GradcheckError:
        if raise_exception:
            raise
        return False
    return True
