"""``draw_groups``: the grouped operations of a compiled function and what each one reads."""

from __future__ import annotations

import inspect

from engine import Compiled
from engine.compile.plan import Elementwise, Matmul, Rows, Sum
from viz import drawing
from viz.drawing import Drawing, new_drawing


def _row_list(rows: Rows) -> list[int]:
    return list(range(rows.start, rows.stop)) if isinstance(rows, slice) else rows.tolist()


def _argument_names(compiled: Compiled) -> list[str]:
    """f's parameter names where its signature gives one per argument, else "argument a"."""
    n = len(compiled.plan.input_rows)
    try:
        names = list(inspect.signature(compiled.f).parameters)
    except (TypeError, ValueError):
        names = []
    return names if len(names) == n else [f"argument {a}" for a in range(n)]


def draw_groups(compiled: Compiled, rankdir: str = "LR", key: bool = False) -> Drawing:
    """One box per group of the replay (level, primitive, how many nodes, how it runs).

    Grey: the batch's inputs (one box per argument), the parameters and the constants.
    Blue: a layer of weighted sums run as one matrix product W @ X + b; yellow: a
    primitive run element by element on every node of the group; orange: chains of +
    run as one sum. An edge runs from each box to the groups that read it, labelled
    with how many rows (nodes) they read from it. ``key=True`` adds a key to the fills.
    """
    if not isinstance(compiled, Compiled):
        raise TypeError(f"draw_groups: expected engine.compile's result, got {compiled!r:.80}")
    plan = compiled.plan
    g = new_drawing("compiled_groups", rankdir)
    owner: dict[int, str] = {}
    names = _argument_names(compiled)

    def leaves(gid: str, text: str, rows: list[int]) -> None:
        """One box for a kind of leaf the replay reads (inputs, parameters, constants)."""
        g.node(
            gid,
            drawing.check_showable(text),
            shape="box",
            style="filled",
            fillcolor=drawing.LEAF_FILL,
        )
        owner.update(dict.fromkeys(rows, gid))

    for a, rows in enumerate(plan.input_rows):
        leaves(f"in{a}", f"input {names[a]}\n{len(_row_list(rows))} per example", _row_list(rows))
    leaves("params", f"parameters\n{len(compiled.params):,}", plan.param_rows.tolist())
    if len(plan.constant_rows):
        leaves("constants", f"constants\n{len(plan.constant_rows)}", plan.constant_rows.tolist())
    for i, group in enumerate(compiled.groups):
        gid = f"g{i}"
        how = {"matmul": "as W @ X + b", "sum": "as one sum per chain"}.get(group.kind, "")
        nodes = f"{group.count} node{'s' if group.count > 1 else ''}"
        text = drawing.check_showable(
            f"level {group.level}: {group.rule.name}\n{nodes} {how}".rstrip()
        )
        g.node(
            gid, text, shape="box", style="filled,rounded", fillcolor=drawing.GROUP_FILL[group.kind]
        )
        reads: list[int] = []
        if isinstance(group, Matmul):
            reads = _row_list(group.x_rows)
            g.edge("params", gid, label="W, b")
        elif isinstance(group, Sum):
            reads = group.operand_rows.ravel().tolist()
        elif isinstance(group, Elementwise):
            reads = [r for rows in group.parent_rows for r in _row_list(rows)]
        read_from: dict[str, set[int]] = {}
        for r in reads:
            read_from.setdefault(owner[r], set()).add(r)
        for source, distinct in read_from.items():
            g.edge(source, gid, label=str(len(distinct)))
        owner.update(dict.fromkeys(_row_list(group.rows), gid))
    outputs = {owner[r] for r in plan.output_rows}
    g.node("out", "output per example", shape="box", style="filled", fillcolor=drawing.COST_FILL)
    for source in sorted(outputs):
        g.edge(source, "out")
    if key:
        drawing.add_key(
            g,
            [
                drawing.KeyEntry("inputs, parameters, constants", fill=drawing.LEAF_FILL),
                drawing.KeyEntry(
                    "a layer of weighted sums as W @ X + b", fill=drawing.GROUP_FILL["matmul"]
                ),
                drawing.KeyEntry(
                    "a primitive on every node of the group", fill=drawing.GROUP_FILL["elementwise"]
                ),
                drawing.KeyEntry("chains of + as one sum", fill=drawing.GROUP_FILL["sum"]),
                drawing.KeyEntry("the output", fill=drawing.COST_FILL),
                drawing.KeyEntry("an edge: how many rows a group reads from a box"),
            ],
        )
    return g
