"""Colours, shapes and number formats shared by the drawings: change the look here."""

from __future__ import annotations

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
    """number_format if it is a format spec for a float (like ".4g"), else ValueError."""
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
