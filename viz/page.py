"""A self-contained HTML page that steps through frames drawn on one SVG picture.

A frame is data: the classes each element of the picture wears (current, partial,
final, …), the text each of its labels shows, and a caption. The picture opens fitted to
a box of its own (the rest of the window, at least 40 % of its height); it zooms in and
out there, and when zoomed in that box scrolls to each step's highlighted part, so the
controls and the caption stay on screen however large the graph is. A key says what the
drawing's colours, lines and marks mean. The page holds the SVG (from our renderer), every
frame as JSON, a little CSS and a little script (``page.js``, ``page.css`` beside this
file): no network, no CDN. It opens at ``#step=k&zoom=z&text=t`` (each optional) and moves
with buttons, keys, a slider and a play button.
"""

from __future__ import annotations

import html
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from engine import checks
from nn.saving import write_atomically


@dataclass
class Frame:
    """One step of a page: a title, caption lines, element classes and label texts."""

    title: str
    caption: list[str] = field(default_factory=list)
    classes: dict[str, str] = field(default_factory=dict)  # element id → CSS classes
    texts: dict[str, dict[int, str]] = field(default_factory=dict)  # id → {text index → text}
    equation: list[str] = field(default_factory=list)  # lines shown beside the picture
    focus: str | None = None  # the element to scroll into view when no element is "current"


@dataclass(frozen=True)
class KeyEntry:
    """One line of a page's key: a sample of what the picture shows, and what it means.

    The sample is a box wearing a page state (``state``: current, sending, …), a box of a
    fill colour (``fill``), an edge of a colour and thickness (``line``, ``width`` in px),
    or text as the drawing writes it (``sample``: ``#0``, ``∂=``, ``?``).
    """

    meaning: str
    state: str = ""
    fill: str = ""
    line: str = ""
    width: float = 2.0
    sample: str = ""


def _asset(name: str) -> str:
    return resources.files("viz").joinpath(name).read_text(encoding="utf-8")


# Inside <script> the HTML parser reads "</script" and also "<!--" (which can hide the end tag
# from it), so no "<" may reach it; "\u003c" is the same character to JSON.parse.
_SCRIPT_ESCAPES = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


def _json_for_script(data: object) -> str:
    """JSON that the HTML parser cannot read as markup inside the <script> element it sits in."""
    return json.dumps(data, ensure_ascii=False).translate(_SCRIPT_ESCAPES)


def _swatch(entry: KeyEntry) -> str:
    if entry.sample:
        return f'<span class="sample">{html.escape(entry.sample)}</span>'
    if entry.line:
        colour = html.escape(entry.line, quote=True)
        return f'<span class="swatch line" style="border-top: {entry.width:g}px solid {colour}"></span>'
    if entry.fill:
        return f'<span class="swatch" style="background: {html.escape(entry.fill, quote=True)}"></span>'
    return f'<span class="swatch {html.escape(entry.state, quote=True)}"></span>'


def _key_html(key: list[KeyEntry]) -> str:
    """The key's entries, each a sample and its meaning."""
    return "".join(
        f'<li class="key">{_swatch(e)}<span>{html.escape(e.meaning)}</span></li>' for e in key
    )


def _named(svg: str, name: str) -> str:
    """The SVG without its XML prolog (not allowed in HTML), named for screen readers."""
    svg = svg[svg.index("<svg") :]
    end = svg.index(">") + 1
    label = html.escape(name, quote=True)
    return f'<svg role="img" aria-label="{label}"{svg[4:end]}<title>{label}</title>{svg[end:]}'


def widest(frames: Sequence[Frame], element: str, index: int) -> str:
    """The longest text any frame gives line ``index`` of ``element``: the size it is drawn at."""
    return max((f.texts[element][index] for f in frames), key=len)


def layouts(rankdir: str | None, draw: Callable[[str], str]) -> list[str]:
    """The pictures a page offers: ``draw(rankdir)``, or with None both directions, left to right
    first, of which the page shows the one its box shows larger (top to bottom on a phone)."""
    return [draw(rankdir)] if rankdir is not None else [draw("LR"), draw("TB")]


def page_html(
    title: str, svg: str | Sequence[str], frames: list[Frame], key: list[KeyEntry]
) -> str:
    """The whole page: the picture (or its layouts), the frames as JSON, the controls and the key."""
    first, *others = [svg] if isinstance(svg, str) else svg
    data = [
        {
            "title": f.title,
            "caption": f.caption,
            "classes": f.classes,
            "texts": f.texts,
            "equation": f.equation,
            "focus": f.focus,
        }
        for f in frames
    ]
    last = len(frames) - 1
    name = f"{title}: the picture each step highlights"
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>
{_asset("page.css")}
</style>
</head>
<body>
<h1>{html.escape(title)}</h1>
<div id="controls">
<div class="group" role="group" aria-label="steps">
<button id="first" title="first step (Home)">« first</button>
<button id="prev" title="previous step (←)">‹ back</button>
<button id="play" title="play / pause (space)">play</button>
<select id="speed" title="play speed" aria-label="play speed">
<option value="0.5">0.5×</option><option value="1" selected>1×</option><option value="2">2×</option>
</select>
<button id="next" title="next step (→)">next ›</button>
<button id="last" title="last step (End)">last »</button>
</div>
<input id="slider" type="range" min="0" max="{last}" value="0" aria-label="step">
<span id="counter">step 0 of {last}</span>
<div class="group" role="group" aria-label="picture and text size">
<button id="zoom-out" title="zoom out (-)" aria-label="zoom out">−</button>
<button id="zoom-in" title="zoom in (+)" aria-label="zoom in">+</button>
<button id="fit" title="the whole picture (0)">fit</button>
<button id="text-smaller" title="smaller text" aria-label="smaller text">A−</button>
<button id="text-larger" title="larger text" aria-label="larger text">A+</button>
</div>
</div>
<div id="step"><div id="caption" aria-live="polite"><h2 id="step-title"></h2><ul id="step-lines"></ul></div>
<div id="equation"></div></div>
<div id="picture" tabindex="0" role="region" aria-label="picture">
{_named(first, name)}
{"".join(f'<template class="layout">{_named(other, name)}</template>' for other in others)}
</div>
<details id="key" open><summary>Key to the picture</summary><ul>{_key_html(key)}</ul></details>
<script id="frames" type="application/json">{_json_for_script(data)}</script>
<script>
{_asset("page.js")}
</script>
</body>
</html>
"""


class StepPage:
    """A step-through page: written to ``path`` if given, and shown inline by Jupyter."""

    def __init__(self, html_text: str, frames: list[Frame], path: Path | None) -> None:
        self.html = html_text
        self.frames = frames
        self.path = path

    def _repr_html_(self) -> str:
        # An iframe keeps the page's script, ids and keys apart from the notebook's.
        return (
            f'<iframe srcdoc="{html.escape(self.html, quote=True)}" '
            f'style="width: 100%; height: 720px; border: 1px solid #ccc"></iframe>'
        )

    def __repr__(self) -> str:
        where = f", path={str(self.path)!r}" if self.path else ""
        return f"StepPage({len(self.frames)} steps{where})"


def write_page(
    title: str,
    svg: str | Sequence[str],
    frames: list[Frame],
    key: list[KeyEntry],
    path: str | os.PathLike | None,
) -> StepPage:
    """The page of ``frames``, written to ``path`` (whole or not at all) when a path is given."""
    text = page_html(title, svg, frames, key)
    target = None
    if path is not None:
        target = Path(checks.path(path, "path"))
        if target.suffix.lower() not in (".html", ".htm"):
            raise ValueError(f"the page's path must end in .html, got {str(target)!r}")
        write_atomically(target, text.encode("utf-8"), make_folders=True)
    return StepPage(text, frames, target)
