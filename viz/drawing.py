"""Every drawing's conventions: its look (colours, fonts, number format: change the look
here), its text made safe for Graphviz labels, its key, and ``Drawing``, a graphviz.Digraph
that displays through whichever renderer this machine has."""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

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


EM = 0.62  # a generous mean width of a character in ems (Helvetica's digits are 0.556)


def text_width(text: str, font_size: float) -> float:
    """A width no drawn text of this length exceeds by much (Graphviz's fonts differ by renderer)."""
    return len(text) * EM * font_size


# --- Text made safe for Graphviz labels: shown as written, or refused when it cannot be shown.
# Graphviz reads a label as a little language: ``\\`` starts an escape, ``&lt;`` is an entity,
# ``{ | < >`` are syntax inside records, runs of spaces collapse and leading spaces are
# trimmed, a control character breaks the file. Every text a drawing shows (Value labels,
# operation names, formatted numbers) goes through here.

NBSP = "\u00a0"  # a space Graphviz neither collapses nor trims
TAB_SIZE = 4
RECORD_SYNTAX = "{}|<>"
# A space that starts a line or follows another space would be lost: keep it as NBSP.
_LOST_SPACE = re.compile(r"(?:^|(?<= )) ")


def check_showable(text: str) -> str:
    """text if it holds no control character other than newline and tab, else ValueError."""
    if not isinstance(text, str):
        raise TypeError(f"a drawn label must be a str, got {type(text).__name__}: {text!r}")
    for ch in text:
        if ch not in "\n\t" and unicodedata.category(ch) == "Cc":
            name = unicodedata.name(ch, "a control character")
            raise ValueError(
                f"cannot draw the text {text!r}: it holds U+{ord(ch):04X} ({name}), "
                f"which a picture cannot show; remove it from the label"
            )
    return text


def _spaced(text: str) -> str:
    """Tabs expanded and every space that Graphviz would drop made a non-breaking one."""
    lines = check_showable(text).split("\n")
    return "\n".join(_LOST_SPACE.sub(NBSP, line.expandtabs(TAB_SIZE)) for line in lines)


def plain(text: str) -> str:
    """text as one label of a box, ellipse or edge (newlines kept as line breaks)."""
    text = _spaced(text).replace("\\", "\\\\").replace("&", "&amp;")
    # "<…>" would be read as an HTML-like label; the entities show the brackets themselves.
    text = text.replace("<", "&lt;").replace(">", "&gt;").replace('"', '\\"')
    return text.replace("\n", "\\n")


def record_field(text: str) -> str:
    """text as one field of a record label, where ``{ } | < >`` are syntax."""
    text = _spaced(text).replace("\\", "\\\\").replace("&", "&amp;").replace('"', '\\"')
    for ch in RECORD_SYNTAX:
        text = text.replace(ch, "\\" + ch)
    return text.replace("\n", "\\n")


def record(fields: list[str]) -> str:
    """A record label of several fields. No space follows a ``|``: dot 2.43 then drops the
    space after a field's first character when that is not ASCII (``δ₀ = 1`` → ``δ₀= 1``)."""
    return "|".join(map(record_field, fields))


def html_text(text: str) -> str:
    """text as the content of an HTML-like label's cell (newlines kept as line breaks)."""
    escaped = html.escape(_spaced(text), quote=False)
    return escaped.replace("\n", "<BR/>")


def table(fields: list[str], fill: str, cell: tuple[float, float] | None = None) -> str:
    """An HTML-like label that draws like a record: the fields one under another, ruled apart,
    on ``fill``; the node needs ``shape="plain"``. With ``cell`` (width, height) every cell
    has that fixed size, so the table's size is known before it is drawn."""
    size = ""
    if cell is not None:
        size = f' FIXEDSIZE="TRUE" WIDTH="{cell[0]:g}" HEIGHT="{cell[1]:g}"'
    rows = "<HR/>".join(f"<TR><TD{size}>{html_text(field)}</TD></TR>" for field in fields)
    padding = 4 if cell is None else 0
    return (
        f'<<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="{padding}" '
        f'BGCOLOR="{fill}">{rows}</TABLE>>'
    )


def lines(*texts: str) -> str:
    """Several plain texts, one per line, as one label."""
    return "\\n".join(plain(t) for t in texts)


# The page's notation: x^2 is a superscript, x_10 a subscript, written with Unicode's
# super- and subscript characters, which every renderer and every output format draws
# (HTML-like <SUP>/<SUB> labels overlap the next line in SVG, and graphviz-pure's PNG
# ignores them).
# Bare scripts first (x^L_j), then braced ones (w^{l+1}), so a brace may hold scripts.
SCRIPTS = (
    re.compile(r"\^(?P<sup>[−-]?[0-9A-Za-z]+)|_(?P<sub>[0-9A-Za-z]+(?:,[0-9]+)?)"),
    re.compile(r"\^\{(?P<sup>[^{}]+)\}|_\{(?P<sub>[^{}]+)\}"),
)
SUPERSCRIPTS = dict(zip("0123456789Llnijez+−-T", "⁰¹²³⁴⁵⁶⁷⁸⁹ᴸˡⁿⁱʲᵉᶻ⁺⁻⁻ᵀ"))
SUBSCRIPTS = dict(zip("0123456789jklmniaeox+−-", "₀₁₂₃₄₅₆₇₈₉ⱼₖₗₘₙᵢₐₑₒₓ₊₋₋"))


def _scripted(match: re.Match[str]) -> str:
    sup = match["sup"]
    table, text = (SUPERSCRIPTS, sup) if sup is not None else (SUBSCRIPTS, match["sub"])
    if all(ch in table for ch in text):
        return "".join(table[ch] for ch in text)
    return match.group(0)  # no Unicode form for some character: keep the plain ^x or _x


# e to a power that has no superscript form (e^{z_j}) is written as the function exp(z_j).
EXPONENTIAL = re.compile(r"\be\^\{(?P<power>[^{}]+)\}")


def _exponential(match: re.Match[str]) -> str:
    power = match["power"]
    if all(ch in SUPERSCRIPTS for ch in power):
        return match.group(0)  # e^{−z}: the braced pass writes it e⁻ᶻ
    return f"exp({power})"


def scripted(text: str) -> str:
    """text with ``w^2_10`` written w²₁₀: indices as real superscripts and subscripts, and
    ``e^{z_j}`` as exp(zⱼ), so no TeX braces are left."""
    bare, braced = SCRIPTS
    return braced.sub(_scripted, EXPONENTIAL.sub(_exponential, bare.sub(_scripted, text)))


# --- A drawing's key: what each fill, edge colour and mark means, as one HTML-like table.

KEY_SWATCH = (26, 14)  # a fill's sample, points
KEY_LINE = 3  # an edge's sample: a bar this thick
KEY_SPACING = 4  # between cells


@dataclass(frozen=True)
class KeyEntry:
    """One line of a key: a sample (a fill, an edge colour, or nothing) and what it means."""

    text: str
    fill: str | None = None
    edge: str | None = None
    border: str = "1"  # the sample's border width (the root of a value graph: thick)


def key_size(entries: list[KeyEntry]) -> tuple[float, float]:
    """The key's width and height in points (its cells are fixed, so this is exact)."""
    rows = len(entries) + 1  # and the title
    return KEY_SWATCH[0] + _key_text_width(entries) + 3 * KEY_SPACING + 2, rows * (
        KEY_SWATCH[1] + KEY_SPACING
    ) + KEY_SPACING + 2


def _key_text_width(entries: list[KeyEntry]) -> float:
    return max(text_width(e.text, float(FONT_SIZE)) for e in entries) + 8


def _key_sample(e: KeyEntry) -> str:
    w, h = KEY_SWATCH
    if e.fill is not None:
        return (
            f'<TD FIXEDSIZE="TRUE" WIDTH="{w}" HEIGHT="{h}" BGCOLOR="{e.fill}" '
            f'BORDER="{e.border}"></TD>'
        )
    if e.edge is not None:
        bar = (
            f'<TABLE BORDER="0" CELLSPACING="0" CELLPADDING="0"><TR><TD FIXEDSIZE="TRUE" '
            f'WIDTH="{w}" HEIGHT="{KEY_LINE}" BGCOLOR="{e.edge}"></TD></TR></TABLE>'
        )
        return f'<TD FIXEDSIZE="TRUE" WIDTH="{w}" HEIGHT="{h}">{bar}</TD>'
    return f'<TD FIXEDSIZE="TRUE" WIDTH="{w}" HEIGHT="{h}"></TD>'


def key_table(entries: list[KeyEntry]) -> str:
    """The key as an HTML-like label (the node needs ``shape="plain"``): a title, then a row per entry."""
    width, height = _key_text_width(entries), KEY_SWATCH[1]
    cell = f'FIXEDSIZE="TRUE" WIDTH="{width:.0f}" HEIGHT="{height}" ALIGN="LEFT"'
    rows = [f'<TR><TD COLSPAN="2" {cell}><B>Key</B></TD></TR>']
    rows += [f"<TR>{_key_sample(e)}<TD {cell}>{html_text(e.text)}</TD></TR>" for e in entries]
    return (
        f'<<TABLE BORDER="1" COLOR="#999999" CELLBORDER="0" CELLSPACING="{KEY_SPACING}" CELLPADDING="0" '
        f'BGCOLOR="#ffffff">{"".join(rows)}</TABLE>>'
    )


def add_key(g: graphviz.Digraph, entries: list[KeyEntry]) -> None:
    """The key as a node of a drawing laid out by dot, at the end of the graph (rank sink)."""
    with g.subgraph(name="key_rank") as last:
        last.attr(rank="sink")
        last.node("key", key_table(entries), id="key", shape="plain")


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
