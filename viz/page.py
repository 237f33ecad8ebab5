"""A self-contained HTML page that steps through frames drawn on one SVG picture.

A frame is data: the classes each element of the picture wears (current, partial,
final, …), the text each of its labels shows, and a caption. The picture is drawn at
its natural size in a box of its own that scrolls to each step's node, so the
controls and the caption stay on screen however large the graph is. The page holds the SVG
(from our renderer), every frame as JSON, a little CSS and a little script
(``page.js``, ``page.css`` beside this file): no network, no CDN. It opens at frame 0,
or at ``#step=k``, and moves with buttons, the arrow keys, a slider and a play button.
"""

from __future__ import annotations

import html
import json
import os
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

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


def _asset(name: str) -> str:
    return resources.files("viz").joinpath(name).read_text(encoding="utf-8")


# Inside <script> the HTML parser reads "</script" and also "<!--" (which can hide the end tag
# from it), so no "<" may reach it; "\u003c" is the same character to JSON.parse.
_SCRIPT_ESCAPES = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


def _json_for_script(data: object) -> str:
    """JSON that the HTML parser cannot read as markup inside the <script> element it sits in."""
    return json.dumps(data, ensure_ascii=False).translate(_SCRIPT_ESCAPES)


def page_html(title: str, svg: str, frames: list[Frame], legend: list[tuple[str, str]]) -> str:
    """The whole page: the picture, the frames as JSON, the controls, a legend of (class, meaning)."""
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
    svg = svg[svg.index("<svg") :]  # the XML prolog and doctype are not allowed inside HTML
    keys = "".join(
        f'<span class="key"><span class="swatch {html.escape(cls)}"></span>{html.escape(text)}</span>'
        for cls, text in legend
    )
    last = len(frames) - 1
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{html.escape(title)}</title>
<style>
{_asset("page.css")}
</style>
</head>
<body>
<h1>{html.escape(title)}</h1>
<div id="controls">
<button id="first" title="first step (Home)">« first</button>
<button id="prev" title="previous step (←)">‹ back</button>
<button id="play" title="play / pause (space)">play</button>
<button id="next" title="next step (→)">next ›</button>
<button id="last" title="last step (End)">last »</button>
<input id="slider" type="range" min="0" max="{last}" value="0" aria-label="step">
<span id="counter">step 0 of {last}</span>
</div>
<div id="step"><div id="caption"><h2 id="step-title"></h2><ul id="step-lines"></ul></div>
<div id="equation"></div></div>
<div id="picture">
{svg}
</div>
<div id="legend">{keys}</div>
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
    svg: str,
    frames: list[Frame],
    legend: list[tuple[str, str]],
    path: str | os.PathLike | None,
) -> StepPage:
    """The page of ``frames``, written to ``path`` (whole or not at all) when a path is given."""
    text = page_html(title, svg, frames, legend)
    target = None
    if path is not None:
        target = Path(path)
        if target.suffix.lower() not in (".html", ".htm"):
            raise ValueError(f"the page's path must end in .html, got {str(target)!r}")
        write_atomically(target, text.encode("utf-8"), make_folders=True)
    return StepPage(text, frames, target)
