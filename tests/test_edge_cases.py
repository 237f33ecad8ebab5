"""The engine at the edges of its domain: no silent wrong number, no crash in backward.

Each expected value is PyTorch's (float64) for the same expression, derived by hand here.
"""

import copy
import math
import pickle
import threading

import numpy as np
import pytest

from engine import GradcheckError, Primitive, Value, gradcheck, weighted_sum
from engine.autodiff import topological_order


def test_derivative_of_x_to_the_zero_at_zero_is_zero():
    x = Value(0.0)
    (x**0).backward()
    assert x.grad == 0.0
    assert gradcheck(lambda a: a**0, [0.0])


def test_a_zero_local_derivative_masks_an_infinite_upstream_grad():
    # relu(-1) = 0, and d(u ** 0.5)/du = inf at u = 0; relu's local derivative 0 masks it
    x = Value(-1.0)
    (x.relu() ** 0.5).backward()
    assert x.grad == 0.0


def test_gradcheck_fails_on_a_nan_gradient_naming_the_input():
    nan_rule = Primitive("nan_rule", lambda x: x, lambda o, xs, out: (math.nan,))
    with pytest.raises(GradcheckError, match=r"input 1 \(= 2\.0\): analytic nan"):
        gradcheck(lambda a, b: a + nan_rule(b), [1.0, 2.0])
    assert gradcheck(lambda a, b: a + nan_rule(b), [1.0, 2.0], raise_exception=False) is False


def test_gradcheck_fails_on_an_infinite_gradient():
    inf_rule = Primitive("inf_rule", lambda x: x, lambda o, xs, out: (math.inf,))
    with pytest.raises(GradcheckError, match=r"input 0 .* analytic inf"):
        gradcheck(lambda a: inf_rule(a), [1.0])


def test_concurrent_backward_through_shared_leaves_loses_no_update():
    import sys

    w = Value(1.0)
    n_threads, n_passes = 4, 50

    def work():
        for _ in range(n_passes):
            y = w
            for _ in range(20):
                y = y * 1.0 + 0.0
            y.backward()

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=work) for _ in range(n_threads)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    finally:
        sys.setswitchinterval(interval)
    assert w.grad == n_threads * n_passes


def test_zero_to_a_zero_value_power_backpropagates_as_pytorch():
    a, b = Value(0.0), Value(0.0)
    out = a**b
    assert out.data == 1.0
    assert out.local_grads == (0.0, 0.0)
    out.backward()
    assert (a.grad, b.grad) == (0.0, 0.0)


def test_an_infinite_gradient_is_returned_not_raised():
    x = Value(1e-200)
    (x**-1).backward()
    assert x.grad == -math.inf
    y = Value(0.0)
    (y**0.5).backward()
    assert y.grad == math.inf


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: Value(1e308) * 10, r"\*: result out of range: \*\(1e\+308, 10\.0\)"),
        (lambda: Value(1e308) + 1e308, r"\+: result out of range"),
        (lambda: Value(-1e308) - 1e308, r"-: result out of range"),
        (lambda: 1 / Value(1e-320), r"/: result out of range: /\(1\.0, 1e-320\)"),
        (lambda: weighted_sum([Value(1e308)], [Value(10.0)], 0.0), r"weighted_sum: result out"),
        (lambda: Value(1000.0).exp(), r"exp: result out of range"),
        (lambda: Value(1e200) ** 2, r"\*\*2: result out of range"),
    ],
)
def test_every_overflow_raises_naming_the_operation(make, message):
    with pytest.raises(OverflowError, match=message):
        make()


def test_a_users_primitive_cannot_make_a_non_finite_value():
    blow_up = Primitive("blow_up", lambda x: x * 1e308, lambda o, xs, out: (1e308,))
    with pytest.raises(OverflowError, match=r"blow_up: result out of range: blow_up\(10\.0\)"):
        blow_up(Value(10.0))
    not_a_number = Primitive("not_a_number", lambda x: "x", lambda o, xs, out: (1.0,))
    with pytest.raises(TypeError, match="not_a_number: the forward rule's result must be a real"):
        not_a_number(1.0)


def _chain(n):
    x = Value(0.5, label="x")
    y = x
    for _ in range(n):
        y = (y * 1.0000001).tanh() + 0.25
    return x, y


# 1,000 links are 3,000 nodes deep, past the recursion limit: a recursive copy would fail
@pytest.mark.parametrize("links", [pytest.param(20_000, marks=pytest.mark.slow), 1_000])
def test_values_and_deep_graphs_pickle_and_deepcopy(links):
    x, y = _chain(links)
    for clone in (pickle.loads(pickle.dumps(y)), copy.deepcopy(y)):
        assert clone.data == y.data and clone.op == y.op
        order = topological_order(clone)
        assert len(order) == len(topological_order(y))
        clone.backward()
        y.backward()
        (leaf,) = [n for n in order if n.label == "x"]
        assert leaf.grad == x.grad
        x.grad = 0.0
        y.zero_grad()


def test_pickling_shares_leaves_between_the_values_of_one_dump():
    w = Value(2.0, label="w")
    a, b = w * 3, w + 1
    a2, b2 = pickle.loads(pickle.dumps([a, b]))
    (wa,) = [p for p in a2.parents if p.label == "w"]
    (wb,) = [p for p in b2.parents if p.label == "w"]
    assert wa is wb


def test_values_read_as_pytorch_scalar_tensors_do():
    assert not Value(0.0) and Value(-0.5)
    assert Value(1.0) < Value(2.0) and Value(1.0) <= 1 and Value(3.0) > 2 and Value(3.0) >= 3.0
    assert max([Value(1.0), Value(3.0), Value(2.0)]).data == 3.0
    assert int(Value(2.7)) == 2 and round(Value(2.567), 1) == 2.6
    assert Value(1.0) != Value(1.0)  # == is identity, so Values key dicts and sets


def test_abs_is_a_differentiable_primitive():
    x = Value(-2.0)
    y = abs(x)
    assert y.op == "abs" and y.data == 2.0
    y.backward()
    assert x.grad == -1.0
    assert abs(Value(0.0)).local_grads == (0.0,)


def test_data_stays_a_finite_python_float_whatever_is_assigned():
    v = Value(1.0)
    v.data = np.float32(1.5)
    assert type(v.data) is float and v.data == 1.5
    with pytest.raises(ValueError, match="Value data must be finite, got inf"):
        v.data = math.inf
    with pytest.raises(TypeError, match="Value data must be a real number"):
        v.data = "2"
    with pytest.raises(OverflowError, match="Value data is too large for a float"):
        Value(10**400)


def test_comparing_with_something_else_names_it():
    with pytest.raises(TypeError, match="cannot compare a Value with str"):
        assert Value(1.0) < "2"


# --- the siblings: a user's rule, copies of graphs, reading a Value -------------------------


def test_a_rule_with_the_wrong_number_of_derivatives_is_refused_naming_it():
    import engine

    few = Primitive("few", lambda a, b: a * b, lambda o, xs, out: (xs[1],))
    many = Primitive("many", lambda a: 2 * a, lambda o, xs, out: (2.0, 5.0))
    nothing = Primitive("nothing", lambda a: 2 * a, lambda o, xs, out: None)
    a, b = Value(2.0), Value(3.0)
    with pytest.raises(
        ValueError, match="few: the derivative rule returned 1 derivative for 2 parents"
    ):
        few(a, b).backward()
    with pytest.raises(ValueError, match="few: the derivative rule returned 1 derivative"):
        engine.grad(few(a, b), [a, b], create_graph=True)
    with pytest.raises(
        ValueError, match="many: the derivative rule returned 2 derivatives for 1 parent:"
    ):
        engine.jvp(lambda x: many(x), [1.0], tangents=[1.0])
    with pytest.raises(TypeError, match="nothing: the derivative rule must return a sequence"):
        nothing(a).backward()
    assert (a.grad, b.grad) == (0.0, 0.0)  # the failed passes changed nothing


def test_a_rule_returning_numpy_scalars_leaves_python_floats_in_grad():
    r = Primitive("r", lambda a: 2 * a, lambda o, xs, out: (np.float64(2.0),))
    a = Value(1.0)
    r(a).backward()
    assert type(a.grad) is float and a.grad == 2.0


@pytest.mark.parametrize("links", [pytest.param(20_000, marks=pytest.mark.slow), 2_000])
def test_deepcopy_of_interior_nodes_is_linear_and_keeps_them_shared(links):
    a = Value(2.0)
    b = a * a
    c = b + a
    a2, b2, c2 = copy.deepcopy([a, b, c])
    assert c2.parents[0] is b2 and b2.parents == (a2, a2)
    c2.backward()
    assert (a2.grad, b2.grad) == (5.0, 1.0) and a.grad == 0.0
    xs = [Value(1.0)]
    for _ in range(links):  # a list of every node of a deep chain: one pass, no recursion
        xs.append(xs[-1] + 1.0)
    copies = copy.deepcopy(xs)
    assert copies[-1].parents[0] is copies[-2] and copies[-1].data == links + 1.0


def test_a_primitive_pickles_only_if_registered_under_its_name():
    stray = Primitive("stray", lambda x: x, lambda o, xs, out: (1.0,))
    with pytest.raises(pickle.PicklingError, match="'stray' is not the one registered"):
        pickle.dumps(stray(Value(1.0)))
    impostor = Primitive("exp", lambda x: x, lambda o, xs, out: (1.0,))
    with pytest.raises(pickle.PicklingError, match="'exp' is not the one registered"):
        pickle.dumps(impostor(Value(1.0)))
    assert copy.deepcopy(stray(Value(1.0))).primitive is stray  # a copy needs no registry


def test_values_format_and_truncate_as_their_data():
    v = Value(2.71828)
    assert f"{v:.2f}" == "2.72" and math.trunc(v) == 2 and f"{v}" == repr(v)


def test_constant_powers_are_one_primitive_per_exponent_forever():
    from engine import power

    first = power(3.0)
    for n in range(1000):
        power(n + 0.5)
    assert power(3.0) is first
