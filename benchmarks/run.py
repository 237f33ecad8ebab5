"""Side-by-side benchmarks of this engine, micrograd 0.1.0, PyTorch and numpy, in one process.

Run from the repository's root:
    python -m pip install -e ".[bench]" && python benchmarks/run.py
Options: --rounds N (default 5), --quick (tiny sizes: a smoke run, not a measurement).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import workloads  # noqa: E402

import nn  # noqa: E402
from engine import Value  # noqa: E402

SIZES = {
    "full": dict(
        points=100,
        expression=100_000,
        chains=(10**3, 10**4, 10**5, 10**6),
        memory=100_000,
        mnist=(784, 30, 10),
        wide=(784, 1000, 10),
        loop=100,
        epoch=1000,
        mnist_epoch=50_000,
        batch_sizes=(1, 10, 100, 1000),
    ),
    "quick": dict(
        points=5,
        expression=2_000,
        chains=(10**2, 10**3),
        memory=2_000,
        mnist=(20, 5, 3),
        wide=(20, 40, 3),
        loop=3,
        epoch=20,
        mnist_epoch=100,
        batch_sizes=(1, 10),
    ),
}


class Timing(float):
    """Seconds of wall time per run, with the process's CPU seconds of the same runs as ``cpu``."""

    cpu: float

    def __new__(cls, wall: float, cpu: float) -> Timing:
        timing = super().__new__(cls, wall)
        timing.cpu = cpu
        return timing


def timed(run: Callable[[], Any], repeat: int = 1) -> Timing:
    """Wall and CPU seconds per run() over ``repeat`` back-to-back runs.

    The garbage of earlier runs is collected before the clock starts, so neither side
    pays for the other's; within the runs Python's collector works as it would in a
    training loop, and its cost counts against the side that made the garbage.
    """
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(repeat):
        run()
    return Timing((time.perf_counter() - wall) / repeat, (time.process_time() - cpu) / repeat)


def medians(runs: list[tuple[Callable[[], Any], int]], rounds: int) -> list[Timing]:
    """Median wall and CPU time per run of each (run, repeat), alternating rounds in this process."""
    times: list[list[Timing]] = [[] for _ in runs]
    for _ in range(rounds):
        for (run, repeat), t in zip(runs, times):
            t.append(timed(run, repeat))
    return [Timing(statistics.median(t), statistics.median(x.cpu for x in t)) for t in times]


def alternate(
    ours: Callable[[], Any], theirs: Callable[[], Any] | None, rounds: int, repeat: int = 1
) -> tuple[Timing, Timing | None]:
    """Median time per run of each, alternating rounds in this process."""
    if theirs is None:
        return medians([(ours, repeat)], rounds)[0], None
    a, b = medians([(ours, repeat), (theirs, repeat)], rounds)
    return a, b


def fmt_time(seconds: float) -> str:
    """A time in µs, ms or s; a Timing with its CPU time beside the wall time."""
    if isinstance(seconds, Timing):
        return f"{fmt_time(float(seconds))} (cpu {fmt_time(seconds.cpu)})"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} µs"
    return f"{seconds * 1e3:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def rows(size: dict, rounds: int) -> list[tuple[str, str, str, str, str]]:
    """(benchmark, this engine, micrograd, ratio, target) for every row."""
    mg = workloads.mg_engine.Value
    out = []

    out += demo_rows(size["points"], rounds)
    out += collector_rows(size["points"], rounds)
    out += loop_rows(size["points"], size["loop"])
    out += nn_train_rows(size["epoch"], rounds)

    plan = workloads.expression_plan(size["expression"])
    n = workloads.build_expression(Value, plan)[1]
    ours, theirs = alternate(
        workloads.expression(Value, plan), workloads.expression(mg, plan), rounds
    )
    out.append(
        (
            f"expression + * relu, {n:,} nodes: nodes/s",
            f"{n / ours:,.0f}",
            f"{n / theirs:,.0f}",
            f"{theirs / ours:.1f}x faster",
            "built and backpropagated",
        )
    )
    plan = workloads.expression_plan(size["expression"], ops="+*te")
    n = workloads.build_expression(Value, plan)[1]
    ours, _ = alternate(workloads.expression(Value, plan), None, rounds)
    out.append(
        (
            f"expression + * tanh exp, {n:,} nodes: nodes/s",
            f"{n / ours:,.0f}",
            "(has no tanh, exp)",
            "",
            "",
        )
    )

    failed_at = None
    for n in size["chains"]:
        ours, _ = alternate(workloads.chain(Value, n), None, max(1, rounds // 2))
        if failed_at is None:
            try:
                theirs_text = fmt_time(timed(workloads.chain(mg, n)))
            except RecursionError:
                failed_at = n
                theirs_text = "RecursionError"
        else:
            theirs_text = f"not run (RecursionError at {failed_at:,})"
        target = "< 10 s, no recursion" if n == 10**6 else ""
        out.append(
            (
                f"deep chain, {n:,} nodes: forward + backward",
                fmt_time(ours),
                theirs_text,
                "",
                target,
            )
        )

    n = size["memory"]
    ours, theirs = workloads.bytes_per_node(Value, n), workloads.bytes_per_node(mg, n)
    out.append(
        (
            f"memory per node, {n:,}-node graph (tracemalloc)",
            f"{ours:.0f} B",
            f"{theirs:.0f} B",
            f"{ours / theirs:.2f}x the memory",
            "<= 0.25x",
        )
    )

    shape = size["mnist"]
    net, x, y = workloads.mnist_shaped(sizes=shape)
    scalar, matrix = alternate(
        workloads.scalar_backprop(net, x, y), workloads.matrix_backprop(net, x, y), rounds, repeat=3
    )
    error = nn.compare(net, x, y).max_error
    out.append(
        (
            f"{'-'.join(map(str, shape))} sigmoid net, one example: scalar engine vs nn.matrix",
            fmt_time(scalar),
            f"nn.matrix {fmt_time(matrix)}",
            f"scalar {scalar / matrix:.0f}x slower",
            f"max |diff| {error:.1e}",
        )
    )
    out += compiled_mnist_rows(shape, rounds)
    out.append(wide_compile_row(size["wide"]))
    out += user_step_rows(size["points"], shape, rounds)
    with one_blas_thread():
        out += mnist_epoch_rows(shape, size["mnist_epoch"], min(rounds, 3))
        out += batch_size_rows(shape, size["batch_sizes"], rounds)
    out.insert(2, torch_row(size["points"], rounds))  # measured last: see demo_rows
    return out


def one_blas_thread() -> contextlib.AbstractContextManager[Any]:
    """BLAS on one thread for all sides of a row (threadpoolctl; nothing without it).

    On this shared machine OpenBLAS's second thread waits for a core, and its spinning
    made the CPU time of the larger products vary 2x from run to run.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return contextlib.nullcontext()
    return threadpool_limits(1, user_api="blas")


def demo_rows(n: int, rounds: int) -> list[tuple[str, str, str, str, str]]:
    """micrograd's demo step on the scalar engine, compiled, and in plain numpy.

    PyTorch's row is measured last (``torch_row``): importing torch puts many objects
    under Python's collector, which would slow micrograd's collections in the rows after.
    """
    scalar, micrograd, compiled, numpy_ = medians(
        [
            (workloads.train_step_ours(n), 5),
            (workloads.train_step_micrograd(n), 1),
            (workloads.train_step_compiled(n), 200),
            (workloads.train_step_numpy(n), 1000),
        ],
        rounds,
    )
    name = f"train step: MLP 2-16-16-1, {n} points, SVM loss"
    return [
        (
            name,
            fmt_time(scalar),
            fmt_time(micrograd),
            f"{micrograd / scalar:.1f}x faster",
            f">= 60x faster: {verdict(micrograd / scalar >= 60)}",
        ),
        (
            f"{name}, compiled",
            fmt_time(compiled),
            fmt_time(micrograd),
            f"{micrograd / compiled:,.0f}x faster",
            f">= 1000x faster: {verdict(micrograd / compiled >= 1000)}",
        ),
        (
            "  the same, compiled vs hand-written numpy (the floor)",
            fmt_time(compiled),
            f"numpy {fmt_time(numpy_)}",
            f"{compiled / numpy_:.1f}x numpy's time",
            f"<= 1.2x: {verdict(compiled <= 1.2 * numpy_)}",
        ),
    ]


def collector_rows(n: int, rounds: int) -> list[tuple[str, str, str, str, str]]:
    """The demo step with Python's cyclic collector off on both sides.

    micrograd's nodes hold closures that refer back to them, so most of its step is the
    collector walking the cycles: a ratio with the collector on measures the heap as
    much as the engine.
    """
    gc.disable()
    try:
        scalar, micrograd = medians(
            [(workloads.train_step_ours(n), 5), (workloads.train_step_micrograd(n), 1)], rounds
        )
    finally:
        gc.enable()
    return [
        (
            f"train step: MLP 2-16-16-1, {n} points, SVM loss, collector off (both)",
            fmt_time(scalar),
            fmt_time(micrograd),
            f"{micrograd / scalar:.1f}x faster",
            f">= 12x faster: {verdict(micrograd / scalar >= 12)}",
        )
    ]


def torch_row(n: int, rounds: int) -> tuple[str, str, str, str, str]:
    """The demo step compiled against PyTorch batched, float64, in alternating rounds."""
    torch_step = workloads.train_step_torch(n)
    if torch_step is None:
        return (
            "  the same, compiled vs PyTorch batched float64",
            "",
            'PyTorch not installed: pip install -e ".[bench]"',
            "",
            "<= 1x PyTorch's time: not measured",
        )
    compiled, torch_ = medians([(workloads.train_step_compiled(n), 200), (torch_step, 200)], rounds)
    return (
        "  the same, compiled vs PyTorch batched float64 (1 thread)",
        fmt_time(compiled),
        f"PyTorch {fmt_time(torch_)}",
        f"{compiled / torch_:.2f}x PyTorch's time",
        f"<= 1x: {verdict(compiled <= torch_)}",
    )


def loop_rows(n: int, steps: int) -> list[tuple[str, str, str, str, str]]:
    """A whole training loop of the demo, set-up included; micrograd's runs once (it is slow)."""
    compiled, scalar = medians(
        [
            (workloads.training_loop(lambda: workloads.train_step_compiled(n), steps), 1),
            (workloads.training_loop(lambda: workloads.train_step_ours(n), steps), 1),
        ],
        3,
    )
    micrograd = timed(workloads.training_loop(lambda: workloads.train_step_micrograd(n), steps))
    name = f"{steps}-step training loop of the demo, whole loop"
    return [
        (
            f"{name}, compiled",
            fmt_time(compiled),
            fmt_time(micrograd),
            f"{micrograd / compiled:,.0f}x faster",
            f"scalar {scalar / compiled:.0f}x slower than compiled",
        ),
        (
            f"{name}, scalar",
            fmt_time(scalar),
            fmt_time(micrograd),
            f"{micrograd / scalar:.1f}x faster",
            "",
        ),
    ]


def nn_train_rows(n: int, rounds: int) -> list[tuple[str, str, str, str, str]]:
    """nn.train for one epoch on the demo net, compiled (the default) and scalar."""
    compiled, scalar = medians(
        [(workloads.nn_train_epoch(n, True), 1), (workloads.nn_train_epoch(n, False), 1)], rounds
    )
    return [
        (
            f"nn.train epoch: demo net, {n:,} points, batches of 10, quadratic cost",
            fmt_time(compiled),
            f"compiled=False {fmt_time(scalar)}",
            f"compiled {scalar / compiled:.0f}x faster",
            "",
        )
    ]


def compile_row(
    shape: tuple[int, ...], rounds: int, target: float
) -> tuple[tuple[str, str, str, str, str], int]:
    """Recording and compiling a net's quadratic cost (medians), split into its two steps in CPU
    time; and the graph's number of nodes."""
    net = workloads.mnist_batch(shape, m=1)[0]
    (seconds,) = medians([(lambda: workloads.compile_quadratic(net), 1)], rounds)
    parts = workloads.compile_parts(net)
    recording, planning = (statistics.median(s) for s in zip(*(parts() for _ in range(rounds))))
    nodes = len(workloads.compile_quadratic(net).nodes)
    return (
        f"{'-'.join(map(str, shape))} record + compile ({nodes:,} nodes)",
        fmt_time(seconds),
        "",
        f"{seconds.cpu / nodes * 1e6:.2f} µs per node (cpu): record {fmt_time(recording)}, "
        f"plan {fmt_time(planning)}",
        f"< {target:g} s: {verdict(seconds.cpu < target)}",
    ), nodes


def wide_compile_row(shape: tuple[int, ...]) -> tuple[str, str, str, str, str]:
    """Recording and compiling a wide net's quadratic cost: the cost per node of compile."""
    return compile_row(shape, 3, 1.5)[0]


def compiled_mnist_rows(
    shape: tuple[int, ...], rounds: int
) -> list[tuple[str, str, str, str, str]]:
    """Nielsen's net: one compiled SGD step on a mini-batch of 10 against nn.matrix; compiling it."""
    net, X, Y = workloads.mnist_batch(shape, m=10)
    compiled, matrix = medians(
        [
            (workloads.sgd_step_compiled(net, X, Y, 3.0), 100),
            (workloads.sgd_step_matrix(net, X, Y, 3.0), 100),
        ],
        rounds,
    )
    compile_, nodes = compile_row(shape, rounds, 0.5)
    per_node, nodes = workloads.compile_memory(net)
    name = "-".join(map(str, shape))
    return [
        (
            f"{name} sigmoid net, quadratic cost, batch of 10: one SGD step, compiled",
            fmt_time(compiled),
            f"nn.matrix {fmt_time(matrix)}",
            f"{compiled / matrix:.1f}x nn.matrix's time",
            f"<= 3x: {verdict(compiled <= 3 * matrix)}",
        ),
        compile_,
        (f"{name} compiled: memory per node (tracemalloc)", f"{per_node:.0f} B", "", "", ""),
    ]


def user_step_rows(
    n: int, shape: tuple[int, ...], rounds: int
) -> list[tuple[str, str, str, str, str]]:
    """The compiled step as a user writes it (nn.SGD over the Values) against the in-block step."""
    out = []
    demo, params, batch = workloads.demo_compiled(n)
    net, X, Y = workloads.mnist_batch(shape, m=10)
    mnist = workloads.compile_quadratic(net)
    cases = [
        (f"demo step, {n} points", demo, params, batch, 0.05),
        (f"{'-'.join(map(str, shape))} step, m = 10", mnist, net.parameters(), (X, Y), 3.0),
    ]
    for name, step, params, batch, lr in cases:
        user = workloads.user_step_compiled(step, params, batch, lr)
        users: list[Timing] = []
        blocks: list[Timing] = []
        for _ in range(rounds):  # alternating, the block open only while its round runs
            users.append(timed(user, 20))
            with contextlib.closing(workloads.CompiledSGD(step, batch, lr)) as in_block:
                blocks.append(timed(in_block, 20))
        user_time, block_time = (
            Timing(statistics.median(t), statistics.median(x.cpu for x in t))
            for t in (users, blocks)
        )
        ratio = user_time.cpu / block_time.cpu
        out.append(
            (
                f"{name}: opt.zero_grad(); c.backward(X, Y); opt.step() (nn.SGD)",
                fmt_time(user_time),
                f"in parameter_arrays() {fmt_time(block_time)}",
                f"{ratio:.2f}x the in-block step (CPU)",
                f"<= 1.3x: {verdict(ratio <= 1.3)}",
            )
        )
    return out


def mnist_epoch_rows(
    shape: tuple[int, ...], n: int, rounds: int
) -> list[tuple[str, str, str, str, str]]:
    """One epoch over n MNIST-sized examples given as arrays, mini-batches of 10, η = 3."""
    X, Y = workloads.mnist_sized(n, shape)
    sizes = list(shape)

    def net() -> nn.MLP:
        return nn.MLP(sizes[0], sizes[1:], seed=0)

    runs = {
        "numpy": workloads.epoch_numpy(net(), X, Y, 10, 3.0),
        "network.py": workloads.epoch_network_py(net(), X, Y, 10, 3.0),
        "steps": workloads.epoch_compiled_steps(net(), X, Y, 10, 3.0),
        "nn.train": workloads.epoch_nn_train(net(), X, Y, 10, 3.0),
    }
    torch_epoch = workloads.epoch_torch(net(), X, Y, 10, 3.0)
    if torch_epoch is not None:
        runs["PyTorch"] = torch_epoch
    t = dict(zip(runs, medians([(run, 1) for run in runs.values()], rounds)))
    name = f"{'-'.join(map(str, shape))} epoch, {n:,} examples as arrays, m = 10, BLAS 1 thread"
    torch_text = fmt_time(t["PyTorch"]) if "PyTorch" in t else "PyTorch not installed"
    return [
        (
            f"{name}: nn.train, the whole call",
            fmt_time(t["nn.train"]),
            f"its training steps {fmt_time(t['steps'])}",
            f"{t['nn.train'] / t['steps']:.1f}x its steps",
            f"<= 1.3x: {verdict(t['nn.train'] <= 1.3 * t['steps'])}",
        ),
        (
            "  the same nn.train call vs hand-written numpy (matrix mini-batches)",
            fmt_time(t["nn.train"]),
            f"numpy {fmt_time(t['numpy'])}",
            f"{t['nn.train'] / t['numpy']:.1f}x numpy's time",
            f"<= 2x: {verdict(t['nn.train'] <= 2 * t['numpy'])}",
        ),
        (
            "  the same epoch: Nielsen's network.py (backprop example by example)",
            fmt_time(t["network.py"]),
            f"numpy {fmt_time(t['numpy'])}",
            f"{t['network.py'] / t['numpy']:.1f}x numpy's time",
            "",
        ),
        (
            "  the same epoch: lean PyTorch float64 (1 thread)",
            torch_text,
            f"numpy {fmt_time(t['numpy'])}",
            f"{t['PyTorch'] / t['numpy']:.1f}x numpy's time" if "PyTorch" in t else "",
            "",
        ),
    ]


def batch_size_rows(
    shape: tuple[int, ...], batch_sizes: tuple[int, ...], rounds: int
) -> list[tuple[str, str, str, str, str]]:
    """One compiled SGD step (in the parameter arrays) against hand numpy and PyTorch, per m."""
    targets = {10: 1.8, 1000: 1.3}
    out = []
    for m in batch_sizes:
        net, X, Y = workloads.mnist_batch(shape, m=m)
        runs = [
            (workloads.sgd_step_compiled(net, X, Y, 3.0), 20),
            (workloads.sgd_step_numpy(net, X, Y, 3.0), 20),
        ]
        torch_step = workloads.sgd_step_torch(net, X, Y, 3.0)
        if torch_step is not None:
            runs.append((torch_step, 20))
        compiled, numpy_, *torch_ = medians(runs, rounds)
        target = targets.get(m)
        out.append(
            (
                f"{'-'.join(map(str, shape))} SGD step, m = {m}, BLAS 1 thread: compiled",
                fmt_time(compiled),
                f"numpy {fmt_time(numpy_)}; "
                + (f"PyTorch {fmt_time(torch_[0])}" if torch_ else "PyTorch not installed"),
                f"{compiled / numpy_:.2f}x numpy's time",
                f"<= {target}x: {verdict(compiled <= target * numpy_)}" if target else "",
            )
        )
    return out


def blas() -> str:
    """The BLAS library numpy uses, its version, kernel and threads (threadpoolctl)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return 'BLAS: threadpoolctl not installed (pip install -e ".[bench]")'
    libraries = [i for i in threadpool_info() if i.get("user_api") == "blas"]
    found = ", ".join(
        f"{i['internal_api']} {i['version']} ({i.get('architecture')} kernel, "
        f"{i['num_threads']} threads)"
        for i in libraries
    )
    coretype = os.environ.get("OPENBLAS_CORETYPE")
    return f"BLAS: {found or 'none found'}" + (
        f"; OPENBLAS_CORETYPE={coretype}" if coretype else ""
    )


def table(result: list[tuple[str, ...]]) -> str:
    header = ("benchmark", "this engine", "against", "ratio", "target / note")
    widths = [max(len(r[i]) for r in [header, *result]) for i in range(len(header))]
    line = lambda r: "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |"  # noqa: E731
    return "\n".join(
        [line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, result)]
    )


def machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return (
        f"{platform.system()} {platform.machine()}, {cpu}, {os.cpu_count()} cores; "
        f"Python {platform.python_version()}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rounds", type=int, default=5, help="alternating rounds per row (medians)"
    )
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for a smoke run")
    args = parser.parse_args(argv)
    if workloads.mg_engine is None:
        print('micrograd is not installed: python -m pip install -e ".[bench]"', file=sys.stderr)
        return 2
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    print(
        f"{machine()}; {time.strftime('%Y-%m-%d')}; rounds {args.rounds}"
        f"{' (quick sizes: not a measurement)' if args.quick else ''}\n{blas()}\n"
        "times: wall per run (cpu: the process's CPU time per run); against micrograd 0.1.0"
        " unless the column names another\n"
    )
    print(table(rows(SIZES["quick" if args.quick else "full"], args.rounds)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
