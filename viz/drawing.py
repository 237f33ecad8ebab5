"""Every drawing's look and its Digraph: colours, fonts and number format (change the look
here), and ``Drawing``, a graphviz.Digraph that displays through whichever renderer this
machine has."""

from __future__ import annotations

from collections.abc import Iterable

import graphviz

from engine import checks
from viz import rendering

FONT = "Helvetica"
FONT_SIZE = "11"
EDGE_FONT_SIZE = "9"
# A value graph's edge labels: the size a page shows the edge it is working on (bold 11 px),
# so that dot leaves room for it between parallel edges (x * x).
VALUE_EDGE_FONT_SIZE = "11"

# Value graphs (draw_dot)
LEAF_FILL = "#eeeeee"  # grey: leaves (inputs, parameters, constants)
INTERIOR_FILL = "#ffffff"  # white: values made by an operation
ROOT_PEN = "2.5"  # the root's border is thick
OP_FILL = "#fff4c2"  # pale yellow: the operation between parents and result
AGREES_FILL = "#d4f0d4"  # green: grad and central difference agree (draw_dot(check=True))
DISAGREES_FILL = "#f8c4c4"  # red: they disagree
UNDECIDABLE_FILL = "#fbe9a6"  # yellow: a kink, where no single derivative exists

# Networks (draw_net)
INPUT_FILL = "#eeeeee"  # grey: the input a^1
# orange: pre-activations z^l_j, with δ^l_j; clearly apart from the pages' pale orange
# "computed from" highlight (#ffe9c4), which lands on z boxes
Z_FILL = "#f7c58f"
A_FILL = "#c4dbf5"  # blue: activations a^l_j
COST_FILL = "#f8cccc"  # red: the cost C
STUCK_FILL = "#ffc46b"  # amber (draw_layers): most units of the layer saturated or dead
LABEL_BACKING = "#ffffffd9"  # white, a little see-through: behind a net's edge labels
POSITIVE_WEIGHT = "#1f5fa8"  # blue edge: w^l_jk > 0
NEGATIVE_WEIGHT = "#b8322a"  # red edge: w^l_jk < 0

# Compiled replays (draw_groups): one colour per way a group runs
GROUP_FILL = {"matmul": A_FILL, "elementwise": OP_FILL, "sum": Z_FILL}


def weight_pen(w: float) -> str:
    """Edge thickness for a weight: thicker for larger |w|, within 0.5 … 3.5."""
    return f"{0.5 + min(abs(w), 3.0):.2f}"


def check_number_format(number_format: str) -> str:
    """number_format if it is a format spec for a float (like ".4g"); TypeError or ValueError if not."""
    if not isinstance(number_format, str):
        raise TypeError(
            f"number_format must be a format spec (a str) such as '.4g', "
            f"got {type(number_format).__name__}: {number_format!r}"
        )
    try:
        format(1.5, number_format)
    except (TypeError, ValueError):
        raise ValueError(
            f"number_format must be a format spec for a float such as '.4g', got {number_format!r}"
        ) from None
    return number_format


def number(x: float, number_format: str) -> str:
    """x in the drawing's number format (a format spec such as ".4g")."""
    return format(x, number_format)


class Drawing(graphviz.Digraph):
    """A graphviz.Digraph whose Jupyter display uses ``dot`` or, failing that, ``graphviz-pure``.

    A ``pinned`` drawing gives every node and edge its place (``pos``, ``lp``) and is drawn
    as it stands (``neato -n2``) rather than laid out by ``dot``.
    """

    pinned = False

    def _repr_mimebundle_(
        self,
        include: Iterable[str] | None = None,
        exclude: Iterable[str] | None = None,
        **kwargs: object,
    ) -> dict[str, str | bytes]:
        """Jupyter's display protocol: SVG unless ``include`` asks for PNG too (or instead)."""
        wanted = set(include) if include is not None else {"image/svg+xml"}
        wanted -= set(exclude or ())
        bundle: dict[str, str | bytes] = {}
        if "image/svg+xml" in wanted:
            bundle["image/svg+xml"] = self.svg()
        if "image/png" in wanted:
            bundle["image/png"] = rendering.pipe(self.source, "png", pinned=self.pinned)
        return bundle

    def svg(self) -> str:
        """The drawing as SVG text, through whichever renderer is installed."""
        return rendering.pipe(self.source, "svg", pinned=self.pinned).decode("utf-8")


def new_drawing(name: str, rankdir: str) -> Drawing:
    """An empty drawing with the shared fonts and the given direction (LR, TB, …)."""
    checks.one_of(rankdir, "rankdir", ("LR", "RL", "TB", "BT"))
    g = Drawing(name=name)
    g.attr(rankdir=rankdir, fontname=FONT)
    g.attr("node", fontname=FONT, fontsize=FONT_SIZE)
    g.attr("edge", fontname=FONT, fontsize=EDGE_FONT_SIZE)
    return g
