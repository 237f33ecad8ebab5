"""Text made safe for Graphviz labels: shown as written, or refused when it cannot be shown.

Graphviz reads a label as a little language: ``\\`` starts an escape, ``&lt;`` is an
entity, ``{ | < >`` are syntax inside records, runs of spaces collapse and leading
spaces are trimmed, a control character breaks the file. Every text a drawing
shows (Value labels, operation names, formatted numbers) goes through here.
"""

from __future__ import annotations

import html
import re
import unicodedata

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
