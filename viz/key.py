"""A key to a drawing: what each fill, edge colour and mark means, as one HTML-like table."""

from __future__ import annotations

from dataclasses import dataclass

import graphviz

from viz import drawing, labels, net_layout

SWATCH = (26, 14)  # a fill's sample, points
LINE = 3  # an edge's sample: a bar this thick
SPACING = 4  # between cells


@dataclass(frozen=True)
class Entry:
    """One line of a key: a sample (a fill, an edge colour, or nothing) and what it means."""

    text: str
    fill: str | None = None
    edge: str | None = None
    border: str = "1"  # the sample's border width (the root of a value graph: thick)


def size(entries: list[Entry]) -> tuple[float, float]:
    """The key's width and height in points (its cells are fixed, so this is exact)."""
    rows = len(entries) + 1  # and the title
    return SWATCH[0] + _text_width(entries) + 3 * SPACING + 2, rows * (
        SWATCH[1] + SPACING
    ) + SPACING + 2


def _text_width(entries: list[Entry]) -> float:
    return max(net_layout.text_width(e.text, float(drawing.FONT_SIZE)) for e in entries) + 8


def _sample(e: Entry) -> str:
    w, h = SWATCH
    if e.fill is not None:
        return (
            f'<TD FIXEDSIZE="TRUE" WIDTH="{w}" HEIGHT="{h}" BGCOLOR="{e.fill}" '
            f'BORDER="{e.border}"></TD>'
        )
    if e.edge is not None:
        bar = (
            f'<TABLE BORDER="0" CELLSPACING="0" CELLPADDING="0"><TR><TD FIXEDSIZE="TRUE" '
            f'WIDTH="{w}" HEIGHT="{LINE}" BGCOLOR="{e.edge}"></TD></TR></TABLE>'
        )
        return f'<TD FIXEDSIZE="TRUE" WIDTH="{w}" HEIGHT="{h}">{bar}</TD>'
    return f'<TD FIXEDSIZE="TRUE" WIDTH="{w}" HEIGHT="{h}"></TD>'


def table(entries: list[Entry]) -> str:
    """The key as an HTML-like label (the node needs ``shape="plain"``): a title, then a row per entry."""
    width, height = _text_width(entries), SWATCH[1]
    cell = f'FIXEDSIZE="TRUE" WIDTH="{width:.0f}" HEIGHT="{height}" ALIGN="LEFT"'
    rows = [f'<TR><TD COLSPAN="2" {cell}><B>Key</B></TD></TR>']
    rows += [f"<TR>{_sample(e)}<TD {cell}>{labels.html_text(e.text)}</TD></TR>" for e in entries]
    return (
        f'<<TABLE BORDER="1" COLOR="#999999" CELLBORDER="0" CELLSPACING="{SPACING}" CELLPADDING="0" '
        f'BGCOLOR="#ffffff">{"".join(rows)}</TABLE>>'
    )


def add_key(g: graphviz.Digraph, entries: list[Entry]) -> None:
    """The key as a node of a drawing laid out by dot, at the end of the graph (rank sink)."""
    with g.subgraph(name="key_rank") as last:
        last.attr(rank="sink")
        last.node("key", table(entries), id="key", shape="plain")
