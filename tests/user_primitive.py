"""A primitive defined outside the engine, as a user would: the Gaussian bump g(x) = e^(−x²/2)."""

import math

import engine

# g'(x) = −x·g(x): the rule is written with + − × only, so it serves floats, Values (higher
# order) and arrays (the compiled replay) alike.
GAUSS = engine.register(
    engine.Primitive(
        "gauss", lambda x: math.exp(-0.5 * x * x), lambda ops, xs, out: (-xs[0] * out,)
    )
)
