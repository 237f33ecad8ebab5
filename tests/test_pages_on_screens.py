"""Every page the examples write, in headless Chromium on the screens a class uses.

A laptop (1280×800), a large monitor (1920×1080), a projector (1280×720 at 150 % zoom: a
853×480 CSS px window with 1.5 device px per CSS px) and a phone (390×844). At every step
of every page: the whole picture inside its box and the window at ``fit``, no sideways
page scroll, the picture's box at least 40 % of the window's height, the key there, no
console error; zoomed in, each step's highlighted part in view; and no two labels of the
picture overlapping. ``SAVE_SCREENSHOTS=docs`` also writes the screenshots of
docs/pages.md: one per screen of the 2-3-2 net's first BP2 step, and the expression's.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow

SCREENS = {
    "1280x800": {"width": 1280, "height": 800, "deviceScaleFactor": 1, "mobile": False},
    "1920x1080": {"width": 1920, "height": 1080, "deviceScaleFactor": 1, "mobile": False},
    "projector": {"width": 853, "height": 480, "deviceScaleFactor": 1.5, "mobile": False},
    "phone": {"width": 390, "height": 844, "deviceScaleFactor": 3, "mobile": True},
}
# name: the example's arguments and the page it writes, relative to its working folder
EXAMPLES = {
    "expression": (["expression.py"], "out/expression_backward.html"),
    "net-2-3-2": (["tiny_net.py"], "out/tiny_net_backward.html"),
    "net-3-4-4-2": (["tiny_net.py", "--sizes", "3,4,4,2", "--out", "n3442"], "n3442"),
    "net-10-20-10": (["tiny_net.py", "--sizes", "10,20,10", "--out", "n10"], "n10"),
    "paths-expression": (["paths.py", "--out", "paths"], "paths/paths_expression.html"),
    "paths-net": (["paths.py", "--out", "paths"], "paths/paths_net.html"),
}
PAGES = list(EXAMPLES)

# At each step (the page's own buttons), what a reader sees, measured in the page.
MEASURE = """
const last = Number(document.getElementById('slider').max);
const picture = document.getElementById('picture'), svg = picture.querySelector('svg');
const key = document.getElementById('key');
document.getElementById('first').click();
const seen = [];
for (let k = 0; k <= last; k++) {
  if (k > 0) document.getElementById('next').click();
  const s = svg.getBoundingClientRect(), b = picture.getBoundingClientRect();
  const summary = key.querySelector('summary').getBoundingClientRect();
  seen.push({
    step: Number(document.body.dataset.step),
    inBox: s.left >= b.left && s.top >= b.top && s.right <= b.right && s.bottom <= b.bottom,
    inWindow: s.left >= 0 && s.top >= 0 && s.right <= innerWidth && s.bottom <= innerHeight,
    sideways: document.documentElement.scrollWidth - innerWidth,
    boxShare: b.height / innerHeight,
    keyShown: summary.height > 0 && summary.bottom <= innerHeight,
    keyEntries: key.querySelectorAll('li.key').length,
  });
}
return seen;
"""

# (page, screen): the file and the step of the screenshots SAVE_SCREENSHOTS=docs writes
SCREENSHOTS = {("net-2-3-2", size): (f"pages_{size}.png", "#step=3") for size in SCREENS}
SCREENSHOTS[("expression", "1280x800")] = ("pages_expression.png", "#step=2&zoom=2")

# Every pair of labels in the picture whose boxes overlap, in the drawing's own px.
OVERLAPPING = """
const svg = document.querySelector('#picture svg');
const scale = svg.getBoundingClientRect().width / svg.width.baseVal.value;
const boxes = Array.from(svg.querySelectorAll('text'))
  .filter(t => t.textContent.trim() && t.getBoundingClientRect().width > 0)
  .map(t => ({ r: t.getBoundingClientRect(), text: t.textContent, group: t.parentNode }));
const pairs = [];
for (let i = 0; i < boxes.length; i++) {
  for (let j = i + 1; j < boxes.length; j++) {
    const a = boxes[i].r, b = boxes[j].r;
    const x = Math.min(a.right, b.right) - Math.max(a.left, b.left);
    const y = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
    // Lines of one label, stacked by Graphviz a line apart: the browser's font box may be a
    // little taller than Graphviz's line, so their boxes touch without the glyphs meeting.
    const stacked = boxes[i].group === boxes[j].group && y < 0.25 * Math.min(a.height, b.height);
    if (!stacked && x / scale > arguments[0] && y / scale > arguments[0]) {
      pairs.push(boxes[i].text + ' / ' + boxes[j].text);
    }
  }
}
return pairs;
"""
TOUCH = 1.0  # px: boxes of stacked lines may share an edge, not more


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """Each example run once: the page it wrote, or None when it wrote none."""
    folder = tmp_path_factory.mktemp("examples")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    written = {}
    for name, (args, page) in EXAMPLES.items():
        script, *options = args
        subprocess.run(
            [sys.executable, str(ROOT / "examples" / script), *options],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=600,
            env=env,
            check=False,
        )
        path = folder / page
        path = path / "tiny_net_backward.html" if path.suffix != ".html" else path
        written[name] = path if path.exists() else None
    return written


@pytest.fixture
def screen(browser, request):
    """The browser emulating one screen, with an empty console; the window restored after."""
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", SCREENS[request.param])
    browser.get("about:blank")  # a page loaded afresh at the screen's size, not refitted
    browser.get_log("browser")
    yield browser
    browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def _open(driver, pages, name, fragment=""):
    if pages[name] is None:
        pytest.fail(f"the example wrote no page for {name}")
    driver.get(pages[name].as_uri() + fragment)


@pytest.mark.parametrize("screen", list(SCREENS), indirect=True)
@pytest.mark.parametrize("name", PAGES)
def test_every_step_of_every_page_fits_the_screen(screen, pages, name, request):
    _open(screen, pages, name)
    seen = screen.execute_script(MEASURE)
    assert [s["step"] for s in seen] == list(range(len(seen)))
    for s in seen:
        where = f"step {s['step']}"
        assert s["inBox"] and s["inWindow"], f"{where}: the picture is not all on screen"
        assert s["sideways"] <= 0, f"{where}: the page scrolls {s['sideways']} px sideways"
        assert s["boxShare"] >= 0.4, f"{where}: the picture's box is {s['boxShare']:.0%} high"
        assert s["keyShown"] and s["keyEntries"] >= 8, f"{where}: no key on screen"
    errors = [e["message"] for e in screen.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []
    size = request.node.callspec.params["screen"]
    shot = SCREENSHOTS.get((name, size))
    where = os.environ.get("SAVE_SCREENSHOTS")
    if where and shot:
        _open(screen, pages, name, shot[1])
        screen.save_screenshot(str(ROOT / where / shot[0]))


@pytest.mark.parametrize("screen", ["1280x800"], indirect=True)
@pytest.mark.parametrize("name", PAGES)
def test_zoomed_in_each_step_shows_what_it_highlights(screen, pages, name):
    _open(screen, pages, name, "#zoom=3")
    last = int(screen.find_element("id", "slider").get_attribute("max"))
    for k in range(last + 1):
        screen.find_element("id", "next" if k else "first").click()
        centre_in_box = screen.execute_script(
            "const p = document.getElementById('picture'), b = p.getBoundingClientRect();"
            "const lit = p.querySelector('.current');"
            "if (!lit) return true;"  # the forward pass highlights nothing
            "const r = lit.getBoundingClientRect();"
            "const x = (r.left + r.right) / 2, y = (r.top + r.bottom) / 2;"
            "return b.left <= x && x <= b.left + p.clientWidth"
            " && b.top <= y && y <= b.top + p.clientHeight;"
        )
        assert centre_in_box, f"step {k}: what it computes is out of view"


def _labels_overlapping_at_some_step(driver):
    """The first step at which two labels overlap, and those labels (None, [] when none do).

    Measured with the picture at its drawn size (zoomed in from fit as far as that), where
    its text is as large as a reader zooms to: a large net at fit draws 2 px letters, whose
    boxes the browser rounds up.
    """
    scale = driver.execute_script(
        "const svg = document.querySelector('#picture svg');"
        "return svg.getBoundingClientRect().width / svg.width.baseVal.value;"
    )
    if scale < 1:
        url = driver.current_url.split("#")[0]
        driver.get("about:blank")
        driver.get(f"{url}#zoom={1 / scale:.4f}")
    last = int(driver.find_element("id", "slider").get_attribute("max"))
    for k in range(last + 1):
        driver.find_element("id", "next" if k else "first").click()
        pairs = driver.execute_script(OVERLAPPING, TOUCH)
        if pairs:
            return k, pairs
    return None, []


@pytest.mark.parametrize("screen", ["1280x800"], indirect=True)
@pytest.mark.parametrize("name", PAGES)
def test_no_two_labels_overlap_at_any_step(screen, pages, name):
    _open(screen, pages, name)
    assert _labels_overlapping_at_some_step(screen) == (None, [])


@pytest.mark.parametrize("screen", ["1280x800"], indirect=True)
def test_no_two_labels_overlap_on_the_tutorials_page(screen, tmp_path):
    from engine import Value
    from viz import step_through

    x = Value(2.0, label="x")
    y = x * x + 3 * x  # the two uses of x: "#0 += 2 × 1" and "#1 += 2 × 1" at step 2
    y.label = "y"
    screen.get(step_through(y, tmp_path / "tutorial.html").path.as_uri())
    assert _labels_overlapping_at_some_step(screen) == (None, [])


@pytest.mark.parametrize("screen", ["1280x800"], indirect=True)
def test_the_overlap_check_finds_labels_drawn_on_each_other(screen, tmp_path):
    from viz.page import Frame, write_page

    svg = (
        '<svg width="200pt" height="60pt" viewBox="0 0 200 60" xmlns="http://www.w3.org/2000/svg">'
        '<text x="10" y="20" font-size="11">#0 += 2 × 1</text>'
        '<text x="40" y="24" font-size="11">#1 += 2 × 1</text>'  # on the first one
        '<text x="10" y="37" font-size="11">a line below: touching at most</text>'
        '<text x="150" y="50" font-size="11">apart</text></svg>'
    )
    page = write_page("overlap", svg, [Frame("one"), Frame("two")], [], tmp_path / "o.html")
    screen.get(page.path.as_uri())
    assert _labels_overlapping_at_some_step(screen) == (0, ["#0 += 2 × 1 / #1 += 2 × 1"])
