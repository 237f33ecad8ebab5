"""A primitive defined outside the engine, as a user would: softplus(x) = ln(1 + eˣ)."""

import math

import engine


def _softplus(x: float) -> float:
    # ln(1 + eˣ) = max(x, 0) + ln(1 + e^−|x|): no overflow for large x
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


# d/dx softplus(x) = σ(x): the derivative rule is written with Value-friendly operations,
# so it serves floats, Values (higher order) and arrays alike.
SOFTPLUS = engine.register(
    engine.Primitive("softplus", _softplus, lambda ops, xs, out: (1.0 - ops.exp(-out),))
)
