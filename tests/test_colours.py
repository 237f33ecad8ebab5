"""The drawings' colours: black text readable on every fill (WCAG contrast ≥ 4.5:1), and fills
that mean different things clearly apart (CIE76 colour difference ≥ 15)."""

import re
from importlib import resources

import pytest

from viz import drawing


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _rgb(colour: str) -> list[float]:
    return [_linear(int(colour[i : i + 2], 16)) for i in (1, 3, 5)]


def luminance(colour: str) -> float:
    """WCAG 2's relative luminance of "#rrggbb"."""
    r, g, b = _rgb(colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG 2's contrast ratio, 1 … 21."""
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def lab(colour: str) -> tuple[float, float, float]:
    """CIE L*a*b* of an sRGB colour (D65)."""
    r, g, b = _rgb(colour)
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def difference(a: str, b: str) -> float:
    """CIE76 ΔE: about 2 is just noticeable, 15 or more is plainly another colour."""
    return sum((p - q) ** 2 for p, q in zip(lab(a), lab(b))) ** 0.5


FILLS = {name: value for name, value in vars(drawing).items() if name.endswith("_FILL")}
FILLS.update({f"GROUP_FILL[{k}]": v for k, v in drawing.GROUP_FILL.items()})


def test_the_formulas_against_known_values():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # WCAG's grey
    assert difference("#ffffff", "#000000") == pytest.approx(100.0, abs=0.01)


@pytest.mark.parametrize("name", [n for n in FILLS if isinstance(FILLS[n], str)])
def test_black_text_on_every_fill_has_contrast(name):
    assert contrast("#000000", FILLS[name]) >= 4.5


@pytest.mark.parametrize("colour", [drawing.POSITIVE_WEIGHT, drawing.NEGATIVE_WEIGHT])
def test_weight_edges_stand_out_from_the_white_page(colour):
    assert contrast(colour, "#ffffff") >= 4.5


def test_fills_that_mean_different_things_are_clearly_apart():
    net_fills = [drawing.INPUT_FILL, drawing.Z_FILL, drawing.A_FILL, drawing.COST_FILL]
    for i, a in enumerate(net_fills):
        for b in net_fills[:i]:
            assert difference(a, b) >= 15, (a, b)
    # draw_layers: a layer stuck in saturation is not the cost box
    assert difference(drawing.STUCK_FILL, drawing.COST_FILL) >= 15
    assert difference(drawing.STUCK_FILL, drawing.A_FILL) >= 15


def test_the_pages_highlights_are_apart_from_the_boxes_they_land_on():
    css = resources.files("viz").joinpath("page.css").read_text(encoding="utf-8")
    highlights = set()
    for rule in re.findall(r"([^{}]*\b(?:sending|receiving|current)\b[^{}]*)\{([^}]*)\}", css):
        highlights.update(re.findall(r"(?:fill|background):\s*(#[0-9a-fA-F]{6})", rule[1]))
    assert highlights, "page.css fills no highlighted box"
    for colour in highlights:
        for fill in (drawing.Z_FILL, drawing.A_FILL, drawing.INPUT_FILL):
            assert difference(colour, fill) >= 15, (colour, fill)
