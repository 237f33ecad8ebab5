"""no_grad: results are leaves inside the block, recording resumes after it, even on error."""

import math

import pytest

from engine import Value, enable_grad, is_grad_enabled, no_grad, weighted_sum


def test_no_grad_makes_leaves():
    x = Value(2.0)
    with no_grad():
        assert not is_grad_enabled()
        y = (x * 3).tanh() + weighted_sum([x], [1.0], 0.5)
    assert is_grad_enabled()
    assert y.parents == () and y.op == "" and y.local_grads == ()
    assert y.data == pytest.approx(math.tanh(6.0) + 2.5)
    y.backward()
    assert x.grad == 0.0


def test_no_grad_nests_and_restores_after_an_exception():
    with pytest.raises(ZeroDivisionError):
        with no_grad():
            with no_grad():
                pass
            assert not is_grad_enabled()
            Value(1.0) / 0
    assert is_grad_enabled()
    z = Value(1.0) * 2
    assert z.op == "*"


# --- grad mode is per thread and per asyncio task; no_grad decorates ------


def test_no_grad_in_one_thread_does_not_stop_another_from_recording():
    import threading

    inside = threading.Event()
    release = threading.Event()
    recorded = []

    def evaluator():
        with no_grad():
            inside.set()
            release.wait(5)

    def trainer():
        inside.wait(5)
        x = Value(3.0)
        y = x * x
        y.backward()
        recorded.append((y.op, x.grad))
        release.set()

    threads = [threading.Thread(target=evaluator), threading.Thread(target=trainer)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert recorded == [("*", 6.0)]
    assert is_grad_enabled()


def test_overlapping_no_grad_blocks_in_two_threads_restore_their_own_setting():
    import threading

    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    after = {}

    def first():
        with no_grad():
            first_in.set()
            second_in.wait(5)
        first_out.set()
        after["first"] = is_grad_enabled()

    def second():
        first_in.wait(5)
        with no_grad():
            second_in.set()
            first_out.wait(5)
        after["second"] = is_grad_enabled()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert after == {"first": True, "second": True}
    assert is_grad_enabled()


def test_grad_mode_is_per_asyncio_task():
    import asyncio

    async def evaluate(started, stop):
        with no_grad():
            started.set()
            await stop.wait()

    async def train(started, stop):
        await started.wait()
        y = Value(2.0) * 3
        stop.set()
        return y.op

    async def main():
        started, stop = asyncio.Event(), asyncio.Event()
        _, op = await asyncio.gather(evaluate(started, stop), train(started, stop))
        return op

    assert asyncio.run(main()) == "*"


def test_no_grad_as_a_decorator_with_and_without_parentheses():
    @no_grad
    def bare(x):
        return x * 2, is_grad_enabled()

    @no_grad()
    def called(x):
        return x * 2, is_grad_enabled()

    for f in (bare, called):
        y, enabled = f(Value(1.0))
        assert y.parents == () and enabled is False
    assert is_grad_enabled()
    assert bare.__name__ == "bare"


def test_enable_grad_records_inside_no_grad():
    from engine import enable_grad

    with no_grad():
        with enable_grad():
            y = Value(1.0) * 2
        z = Value(1.0) * 2
    assert y.op == "*" and z.op == ""


def test_no_grad_on_a_generator_holds_between_its_yields():
    @no_grad
    def values():
        for _ in range(2):
            yield (Value(1.0) * 2).op, is_grad_enabled()

    assert list(values()) == [("", False), ("", False)]
    assert is_grad_enabled()


def test_set_grad_enabled_as_a_statement_switches_it_as_pytorch():
    import numpy as np

    from engine import set_grad_enabled

    set_grad_enabled(False)
    try:
        assert not is_grad_enabled()
    finally:
        set_grad_enabled(np.bool_(True))
    assert is_grad_enabled()
    with set_grad_enabled(False):
        assert not is_grad_enabled()
    assert is_grad_enabled()
    with pytest.raises(TypeError, match="set_grad_enabled: mode must be True or False, got int"):
        set_grad_enabled(1)


def test_no_grad_refuses_to_decorate_what_is_not_a_function():
    with pytest.raises(TypeError, match="no_grad: decorates a function, got int"):
        no_grad(5)


def test_one_no_grad_object_shared_by_threads_restores_each_threads_setting():
    import threading

    shared = no_grad()
    inside, release = threading.Event(), threading.Event()
    seen = {}

    def other():
        with shared:
            inside.set()
            release.wait(5)
        seen["other"] = is_grad_enabled()

    t = threading.Thread(target=other)
    t.start()
    inside.wait(5)
    with shared:
        release.set()
        t.join(5)
    assert seen == {"other": True} and is_grad_enabled()


def test_a_decorated_generator_runs_send_throw_and_close_in_its_mode():
    seen = []

    @no_grad()
    def echo():
        try:
            while True:
                try:
                    sent = yield is_grad_enabled()
                    seen.append(("sent", sent, is_grad_enabled()))
                except ValueError:
                    seen.append(("thrown", is_grad_enabled()))
        finally:
            seen.append(("closed", is_grad_enabled()))
        return "done"

    gen = echo()
    assert next(gen) is False and is_grad_enabled()
    assert gen.send(5) is False and is_grad_enabled()
    assert gen.throw(ValueError("x")) is False and is_grad_enabled()
    gen.close()
    assert is_grad_enabled()
    assert seen == [("sent", 5, False), ("thrown", False), ("closed", False)]


def test_a_decorated_generator_returns_its_value():
    @enable_grad
    def inner():
        yield 1
        return is_grad_enabled()

    def outer():
        result = yield from inner()
        return result

    with no_grad():
        gen = outer()
        assert next(gen) == 1
        with pytest.raises(StopIteration) as stop:
            next(gen)
    assert stop.value.value is True
