"""A table of results shown as aligned text, and as an HTML table where a notebook displays it."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any


class Table(str):
    """Aligned text (it *is* that string) that Jupyter shows as an HTML table.

    ``rows`` hold the cells as they should read; a column whose cells all look like numbers
    is right-aligned. ``title`` heads the table (its ``caption``) and each of ``notes`` follows it;
    ``html_headers``, if given, head the columns in HTML (where δˡ reads better than delta^l).
    """

    headers: list[str]
    rows: list[list[str]]
    caption: str
    notes: list[str]
    html_headers: list[str]
    _right: list[bool]

    def __new__(
        cls,
        headers: Sequence[str],
        rows: Sequence[Sequence[object]],
        title: str = "",
        notes: Sequence[str] = (),
        html_headers: Sequence[str] | None = None,
    ) -> Table:
        cells = [[str(c) for c in row] for row in rows]
        right = [all(_numeric(row[i]) for row in cells) for i in range(len(headers))]
        widths = [max([len(h), *(len(row[i]) for row in cells)]) for i, h in enumerate(headers)]

        def line(row: Sequence[str]) -> str:
            return "  ".join(
                c.rjust(w) if r else c.ljust(w) for c, w, r in zip(row, widths, right)
            ).rstrip()

        text = "\n".join([*([title] if title else []), line(headers), *map(line, cells), *notes])
        table = super().__new__(cls, text)
        table.headers, table.rows, table.caption = list(headers), cells, title
        table.notes = list(notes)
        table.html_headers = list(headers if html_headers is None else html_headers)
        table._right = right
        return table

    def __getnewargs__(self) -> tuple[Any, ...]:
        # copies and pickles make the table again from its parts, not from its text
        return self.headers, self.rows, self.caption, self.notes, self.html_headers

    def _repr_html_(self) -> str:
        def cell(tag: str, text: str, right: bool) -> str:
            style = ' style="text-align: right"' if right else ' style="text-align: left"'
            return f"<{tag}{style}>{html.escape(text)}</{tag}>"

        head = "".join(cell("th", h, r) for h, r in zip(self.html_headers, self._right))
        body = "".join(
            "<tr>" + "".join(cell("td", c, r) for c, r in zip(row, self._right)) + "</tr>"
            for row in self.rows
        )
        caption = f"<caption>{html.escape(self.caption)}</caption>" if self.caption else ""
        notes = "".join(f"<p>{html.escape(n)}</p>" for n in self.notes)
        return f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{notes}"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(str(self))


class ShownAsTable:
    """For results: ``str``, IPython's pretty printer and Jupyter's HTML all show ``table()``."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # IPython takes a class's own __repr__ (a dataclass has one) before an inherited
        # _repr_pretty_: each subclass holds it itself
        cls._repr_pretty_ = ShownAsTable._repr_pretty_  # type: ignore[method-assign]

    def table(self) -> Table:
        """The result as a Table."""
        raise NotImplementedError

    def __str__(self) -> str:
        return str(self.table())

    def _repr_html_(self) -> str:
        return self.table()._repr_html_()

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(str(self.table()))


def _numeric(text: str) -> bool:
    try:
        float(text.rstrip("%").replace(",", ""))
    except ValueError:
        return text in ("-", "")
    return True
