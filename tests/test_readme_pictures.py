"""The pictures the README and docs/ show stay readable in a README's column: text at least 9 px there."""

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
COLUMN = 880  # px: about the width a README is shown in
SMALLEST = 9.0  # px
PX_PER_PT = 4 / 3  # CSS: 96 px to 72 pt
SVG = "{http://www.w3.org/2000/svg}"

IMAGE = re.compile(r"!\[[^\]]*\]\(((?:docs/)?[\w./-]+\.svg)\)")
IN_README = IMAGE.findall((ROOT / "README.md").read_text("utf-8"))
SHOWN = sorted(
    {*IN_README}
    | {
        f"docs/{name}"
        for page in (ROOT / "docs").glob("*.md")
        for name in IMAGE.findall(page.read_text("utf-8"))
    }
)


def _points(length: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(pt|px)?", length).groups()
    return float(number) * (1 / PX_PER_PT if unit == "px" else 1.0)


def test_the_readme_and_docs_show_pictures():
    assert "docs/tiny_net.svg" in IN_README
    assert {"docs/expression.svg", "docs/vanishing.svg", "docs/higher_order_dy.svg"} <= set(SHOWN)


@pytest.mark.parametrize("picture", SHOWN)
def test_text_is_at_least_9px_at_a_readme_width(picture):
    root = ET.parse(ROOT / picture).getroot()
    width = _points(root.get("width")) * PX_PER_PT  # as a browser draws it, in px
    shrink = min(1.0, COLUMN / width)
    view_width = float(root.get("viewBox").split()[2])
    sizes = [float(t.get("font-size")) for t in root.iter(f"{SVG}text") if t.get("font-size")]
    if sizes:  # Graphviz: font sizes in the viewBox's units
        assert min(sizes) * width / view_width * shrink >= SMALLEST, picture
    else:  # matplotlib draws its 10 pt text as paths: the figure must not shrink much
        assert 10 * PX_PER_PT * shrink >= SMALLEST and width <= COLUMN, picture
