"""The step-through pages in a real browser: headless Chromium driven by Selenium.

Skipped when Chromium, its driver or Selenium is missing; under CI=true (where .ci/run
installs them) missing ones fail the test instead (the ``browser`` fixture, conftest.py).
"""

import pytest

from engine import Value
from viz import step_through

pytestmark = pytest.mark.slow


def _step(driver):
    return int(driver.find_element("tag name", "body").get_attribute("data-step"))


def _classes(driver, element_id):
    return driver.find_element("id", element_id).get_attribute("class").split()


def _texts(driver, element_id):
    return [t.text for t in driver.find_elements("css selector", f"#{element_id} text")]


def _outline(driver, element_id):
    """The computed stroke and dashes of a node's outline, as the page draws it."""
    return driver.execute_script(
        "const s = getComputedStyle(document.querySelector(`#${arguments[0]} > polygon`));"
        "return [s.stroke, s.strokeDasharray];",
        element_id,
    )


def _keys():
    from selenium.webdriver.common.keys import Keys

    return Keys


def _press(driver, key):
    from selenium.webdriver.common.action_chains import ActionChains

    ActionChains(driver).send_keys(key).perform()


def test_value_graph_page(browser, tmp_path):
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    a = Value(3.0, label="a")
    c = a + a
    c.label = "c"
    d = c * a
    d.label = "d"
    page = step_through(d, tmp_path / "d.html")  # ids: v0 = a, v1 = c, v2 = d

    browser.get(page.path.as_uri() + "#step=1")
    assert (
        _step(browser) == 1 and browser.find_element("id", "slider").get_attribute("value") == "1"
    )
    assert "current" in _classes(browser, "v2") and "sending" in _classes(browser, "v2e0")
    assert _texts(browser, "v2e0") == ["#0 += 3 × 1"]
    assert _texts(browser, "v0")[-1] == "grad 0 + 6 = 6"
    assert "partial" in _classes(browser, "v0")
    partial = _outline(browser, "v0")
    assert partial[1] not in ("none", "")  # a partial grad has a dashed outline

    _press(browser, Keys.ARROW_RIGHT)
    assert _step(browser) == 2 and browser.current_url.endswith("#step=2")
    assert "current" in _classes(browser, "v1") and "current" not in _classes(browser, "v2")
    assert _texts(browser, "v1e0") == ["#0 += 1 × 3"] and _texts(browser, "v1e1") == ["#1 += 1 × 3"]
    assert _texts(browser, "v0")[-1] == "grad 6 + 3 + 3 = 12"
    assert "final" in _classes(browser, "v0")
    finished = _outline(browser, "v0")
    assert finished[1] in ("none", "") and finished[0] != partial[0]  # solid, another colour
    assert _texts(browser, "v2e0") == ["#0 ∂=3"]  # a step later the edge shows ∂ again
    assert "a is used 2 times by c" in browser.find_element("id", "step-lines").text
    browser.save_screenshot(str(tmp_path / "step2.png"))
    assert (tmp_path / "step2.png").read_bytes()[:4] == b"\x89PNG"

    _press(browser, Keys.HOME)
    assert _step(browser) == 0 and all("zero" in _classes(browser, f"v{i}") for i in range(3))
    assert _texts(browser, "v0")[-1] == "grad 0"
    browser.find_element("id", "next").click()
    assert _step(browser) == 1
    browser.execute_script(
        "const s = document.getElementById('slider'); s.value = 2;"
        "s.dispatchEvent(new Event('input'));"
    )
    assert _step(browser) == 2
    browser.find_element("id", "first").click()
    browser.find_element("id", "play").click()
    WebDriverWait(browser, 10).until(lambda b: _step(b) == 2)
    assert browser.find_element("id", "play").text == "play"  # stops by itself at the end


def test_net_page(browser, tmp_path):
    from nn import MLP, matrix
    from viz import step_through_net

    net = MLP(2, [3, 2], seed=0)
    x, y = [0.5, -1.0], [1.0, 0.0]
    page = step_through_net(net, x, y, tmp_path / "net.html")
    bp = matrix.backprop(net.weights(), net.biases(), x, y)

    browser.get(page.path.as_uri() + "#step=4")  # BP2 for neuron 1 of layer 2
    assert _step(browser) == 4
    assert "current" in _classes(browser, "z2_1")
    assert all("column" in _classes(browser, f"w3_{j}_1") for j in range(2))
    assert "column" not in _classes(browser, "w3_0_0")
    z_texts = _texts(browser, "z2_1")
    assert f"δ²₁ = {bp.delta[0][1]:.3g}".replace("-", "−") in z_texts
    assert "δ²₂ = ?" in _texts(browser, "z2_2")  # not reached yet
    equation = browser.find_element("id", "equation").text
    assert "BP2" in equation and "✓ nn.matrix gives the same δ²₁" in equation
    browser.save_screenshot(str(tmp_path / "bp2.png"))

    browser.get(page.path.as_uri() + "#step=9")
    assert "∂C/∂w = ?" not in " ".join(_texts(browser, "w2_0_0"))
    # BP4 computes the weights' gradients: drawn in the legend's colour of "what this step computes"
    stroke, swatch = browser.execute_script(
        "return [getComputedStyle(document.querySelector('#w2_0_0 path')).stroke,"
        " getComputedStyle(document.querySelector('.swatch.current')).borderTopColor];"
    )
    assert stroke == swatch
    assert browser.find_element("id", "counter").text == "step 9 of 9"
    assert browser.find_element("id", "slider").get_attribute("aria-valuetext") == "step 9 of 9"


def test_the_page_works_inside_jupyters_iframe(browser, tmp_path):
    """Jupyter shows the page in an iframe's srcdoc: the escaped page must still work there."""
    from selenium.webdriver.common.keys import Keys

    x = Value(2.0, label="x")
    y = x * x
    y.label = "y"
    notebook_output = tmp_path / "output.html"
    notebook_output.write_text(step_through(y)._repr_html_(), encoding="utf-8")
    browser.get(notebook_output.as_uri())
    browser.switch_to.frame(browser.find_element("tag name", "iframe"))
    try:
        assert _step(browser) == 0
        browser.find_element("id", "next").click()
        assert _step(browser) == 1 and "current" in _classes(browser, "v1")
        assert _texts(browser, "v0")[-1] == "grad 0 + 2 + 2 = 4"  # x * x: two uses of x
        _press(browser, Keys.END)
        assert _step(browser) == 1  # the last step: x * x has one operation
    finally:
        browser.switch_to.default_content()


def _chain(n):
    x = Value(0.5, label="x")
    y = x
    for _ in range(n):
        y = (y * 1.1).tanh()
    return y


def test_a_wide_graph_zoomed_in_scrolls_in_its_own_box_to_each_step(browser, tmp_path):
    page = step_through(_chain(40), tmp_path / "chain.html", rankdir="LR")  # 55000 px wide
    root = "v120"  # x, then 1.1, y * 1.1 and tanh per link: the root is the 121st value
    browser.get(page.path.as_uri() + "#step=0")
    assert _fits_its_box(browser)  # at first the whole chain, however small
    fit = _scale(browser)
    browser.get(page.path.as_uri() + "#step=0&zoom=5000")  # clamped: 4 × the drawing's size
    assert _scale(browser) == pytest.approx(4, rel=0.01)
    natural = f"zoom={1 / fit:.3f}"  # the drawing's own size: 11 pt labels at 11 pt
    browser.get(page.path.as_uri() + "#step=0&" + natural)
    assert _scale(browser) == pytest.approx(1, rel=0.01) and natural in browser.current_url
    assert _in_view(browser, f"#{root}")  # the forward pass shows the root, where the pass starts
    picture = browser.find_element("id", "picture")
    at_root = int(picture.get_attribute("scrollLeft"))
    assert at_root > 0
    for key in (_keys().ARROW_RIGHT, _keys().ARROW_RIGHT, _keys().END):
        _press(browser, key)
        assert _in_view(browser, ".current") and _on_screen(browser, "controls")
        assert _on_screen(browser, "step-title") and _on_screen(browser, "picture")
        assert browser.execute_script("return window.scrollX + window.scrollY") == 0
    assert int(picture.get_attribute("scrollLeft")) < at_root  # the last step is next to x
    assert browser.current_url.endswith("#step=80&" + natural)  # the zoom stays with the step


def _net_page(tmp_path):
    from nn import MLP
    from viz import step_through_net

    return step_through_net(MLP(2, [3, 2], seed=0), [0.5, -1.0], [1.0, 0.0], tmp_path / "net.html")


def _scale(driver):
    """How many screen px the page draws per px of the drawing's own size."""
    return driver.execute_script(
        "const svg = document.querySelector('#picture svg');"
        "return svg.getBoundingClientRect().width / svg.width.baseVal.value;"
    )


def _fits_its_box(driver):
    """The whole picture lies in its box, and fills the box's width or height."""
    svg, box = _rect(driver, "#picture svg"), _rect(driver, "#picture")
    inside = box[0] <= svg[0] and box[1] <= svg[1] and svg[2] <= box[2] and svg[3] <= box[3]
    fills = svg[2] - svg[0] >= box[2] - box[0] - 4 or svg[3] - svg[1] >= box[3] - box[1] - 4
    return inside and fills


def test_the_picture_opens_fitted_and_zooms_with_buttons_keys_and_the_url(browser, tmp_path):
    a, b = Value(3.0, label="a"), Value(-1.0, label="b")
    c = (a * b + a).tanh()
    for page in (step_through(c, tmp_path / "expression.html"), _net_page(tmp_path)):
        browser.get(page.path.as_uri() + "#step=2")
        assert _fits_its_box(browser) and _in_view(browser, ".current")
        assert browser.find_element("id", "fit").get_attribute("aria-pressed") == "true"
        fit = _scale(browser)
        browser.find_element("id", "zoom-in").click()
        assert _scale(browser) == pytest.approx(1.25 * fit, rel=0.01)
        assert browser.current_url.endswith("#step=2&zoom=1.25") and _in_view(browser, ".current")
        _press(browser, "+")
        _press(browser, "+")
        assert _scale(browser) == pytest.approx(1.25**3 * fit, rel=0.01)
        _press(browser, _keys().ARROW_RIGHT)  # the next step keeps the zoom
        assert browser.current_url.endswith("#step=3&zoom=1.953") and _in_view(browser, ".current")
        _press(browser, "-")
        assert _scale(browser) == pytest.approx(1.25**2 * fit, rel=0.01)
        _press(browser, "0")
        assert _scale(browser) == pytest.approx(fit, rel=0.01) and _fits_its_box(browser)
        assert browser.current_url.endswith("#step=3")
        browser.find_element("id", "zoom-out").click()  # disabled at fit: nothing smaller
        assert _scale(browser) == pytest.approx(fit, rel=0.01)
        browser.get(page.path.as_uri() + "#step=1&zoom=2")
        assert _scale(browser) == pytest.approx(2 * fit, rel=0.01)
        browser.find_element("id", "fit").click()
        assert _fits_its_box(browser)


@pytest.mark.parametrize(
    "fragment, step, zoom, text",
    [
        ("#step=4&zoom=1.5&text=1.25", 4, 1.5, 1.25),
        ("#step=1e3", 0, 1, 1),  # refused, not read as step 1
        ("#step=99", 9, 1, 1),  # past the end: the last step
        ("#step=-2&zoom=-1&text=-1", 0, 1, 1),
        ("#step=2&zoom=1e3&text=0x10", 2, 1, 1),
        ("#step=2&zoom=Infinity&text=NaN", 2, 1, 1),
        ("#step=2&zoom=0.5&text=9", 2, 1, 2),  # clamped: fit at least, text at most 2×
        ("#step=3abc&zoom=2x", 0, 1, 1),
        ("#zoom=1.5", 0, 1.5, 1),
    ],
)
def test_the_url_gives_step_zoom_and_text_size_and_refuses_malformed_values(
    browser, tmp_path, fragment, step, zoom, text
):
    page = _net_page(tmp_path)
    browser.get("about:blank")
    browser.get(page.path.as_uri() + fragment)
    assert _step(browser) == step
    fit = browser.execute_script(
        "const p = document.getElementById('picture'), svg = p.querySelector('svg');"
        "return Math.min(2, (p.offsetWidth - 2) / svg.width.baseVal.value,"
        " (p.offsetHeight - 2) / svg.height.baseVal.value);"
    )
    assert _scale(browser) == pytest.approx(zoom * fit, rel=0.01)
    size = browser.execute_script(
        "return getComputedStyle(document.getElementById('step-lines')).fontSize"
    )
    assert float(size.removesuffix("px")) == pytest.approx(16 * text)
    assert browser.execute_script("return window.scrollX") == 0


def test_the_text_size_buttons_change_the_text_and_the_url_and_refit_the_picture(browser, tmp_path):
    page = _net_page(tmp_path)
    browser.get(page.path.as_uri() + "#step=3")

    def px(selector):
        return float(
            browser.execute_script(
                "return getComputedStyle(document.querySelector(arguments[0])).fontSize", selector
            ).removesuffix("px")
        )

    what = ("#step-title", "#equation", "#key li", "#next", "h1")
    before = [px(s) for s in what]
    for _ in range(2):
        browser.find_element("id", "text-larger").click()
    # what the class reads grows; the title and the controls keep their size
    assert [px(s) for s in what] == pytest.approx([*(x * 1.25 for x in before[:3]), *before[3:]])
    assert browser.current_url.endswith("#step=3&text=1.25") and _fits_its_box(browser)
    for _ in range(20):
        browser.find_element("id", "text-smaller").click()
    assert px("#step-title") == pytest.approx(before[0] * 0.75) and _fits_its_box(browser)
    assert not browser.find_element("id", "text-smaller").is_enabled()


def test_the_picture_fits_again_when_the_window_changes_size(browser, tmp_path):
    from selenium.webdriver.support.ui import WebDriverWait

    page = _net_page(tmp_path)
    browser.get(page.path.as_uri() + "#step=3&zoom=1.5")
    before = _scale(browser)
    small = {"width": 700, "height": 500, "deviceScaleFactor": 1, "mobile": False}
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", small)
    try:
        WebDriverWait(browser, 5).until(lambda b: _scale(b) < before * 0.9)
        assert browser.current_url.endswith("#step=3&zoom=1.5") and _in_view(browser, ".current")
        _press(browser, "0")
        assert _fits_its_box(browser)
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_play_speed_sets_the_time_per_step(browser, tmp_path):
    from selenium.webdriver.support.ui import Select, WebDriverWait

    page = _net_page(tmp_path)
    browser.get(page.path.as_uri() + "#step=7")
    # Record the delays the page asks for, instead of timing the steps.
    browser.execute_script(
        "window.delays = []; const every = window.setInterval;"
        "window.setInterval = (f, ms) => { window.delays.push(ms); return every(f, ms); };"
    )
    play, speed = browser.find_element("id", "play"), Select(browser.find_element("id", "speed"))
    play.click()  # 1×
    speed.select_by_visible_text("2×")  # while playing: the next steps come twice as fast
    WebDriverWait(browser, 10).until(lambda b: _step(b) == 9 and play.text == "play")
    speed.select_by_visible_text("0.5×")
    play.click()  # from the last step: starts again at the first
    assert _step(browser) == 0 and play.text == "pause"
    play.click()
    assert play.text == "play"
    one, two, half = browser.execute_script("return window.delays")
    assert two == one / 2 and half == one * 2


def test_the_page_has_a_key_a_live_caption_and_a_named_picture(browser, tmp_path):
    page = _net_page(tmp_path)
    browser.get(page.path.as_uri())
    key = browser.find_element("id", "key")
    assert key.get_attribute("open") is not None  # open at first on a large screen
    text = key.text
    for words in (
        "the input a¹",
        "δˡⱼ = ∂C/∂zˡⱼ",
        "a weight wˡⱼₖ > 0",
        "a weight wˡⱼₖ < 0",
        "thicker",
        "σ' =",
        "not known yet",
        "what this step computes",
    ):
        assert words in text, words
    # each entry's sample is drawn as the picture draws it: the z box's fill, the edges' colours
    fill = browser.execute_script(
        "return getComputedStyle(document.querySelector('#z2_0 polygon')).fill"
    )
    assert fill in browser.execute_script(
        "return Array.from(document.querySelectorAll('#key .swatch'))"
        ".map(s => getComputedStyle(s).backgroundColor)"
    )
    box = _rect(browser, "#picture")
    summary = browser.find_element("css selector", "#key summary")
    summary.click()  # folded: the picture's box grows and the picture fits it again
    assert key.get_attribute("open") is None and _rect(browser, "#picture")[3] > box[3]
    assert _fits_its_box(browser)
    summary.send_keys(" ")  # the key's heading opens it again with the space bar: no play
    assert key.get_attribute("open") is not None and _rect(browser, "#picture") == box
    assert browser.find_element("id", "play").text == "play" and _fits_its_box(browser)
    assert browser.find_element("id", "caption").get_attribute("aria-live") == "polite"
    svg = browser.find_element("css selector", "#picture > svg")
    assert svg.get_attribute("role") == "img"
    assert svg.get_attribute("aria-label").startswith("Backpropagation in a 2-3-2 net")
    assert browser.execute_script(
        "return document.querySelector('#picture > svg > title').textContent"
    ) == svg.get_attribute("aria-label")
    assert "width=device-width" in browser.find_element(
        "css selector", "meta[name=viewport]"
    ).get_attribute("content")


def _rect(driver, selector):
    return driver.execute_script(
        "const r = document.querySelector(arguments[0]).getBoundingClientRect();"
        "return [r.left, r.top, r.right, r.bottom];",
        selector,
    )


def _in_view(driver, selector):
    """The element lies inside the picture's box as scrolled now."""
    left, top, right, bottom = _rect(driver, selector)
    box_left, box_top = _rect(driver, "#picture")[:2]
    width, height = driver.execute_script(
        "const p = document.getElementById('picture'); return [p.clientWidth, p.clientHeight];"
    )
    return (
        box_left <= left
        and right <= box_left + width
        and box_top <= top
        and bottom <= box_top + height
    )


def _on_screen(driver, element_id):
    left, top, right, bottom = _rect(driver, f"#{element_id}")
    width, height = driver.execute_script("return [window.innerWidth, window.innerHeight];")
    return 0 <= top and top < height and 0 <= left and left < width


@pytest.mark.slow
def test_a_hostile_label_leaves_the_buttons_working(browser, tmp_path, hostile_labels):
    # "<!--<script>" in a label made the parser swallow the viewer's script
    for i, label in enumerate(hostile_labels):
        x = Value(2.0, label=label)
        y = x * x
        y.label = label  # in the page's <title> and <h1> too
        page = step_through(y, tmp_path / f"hostile{i}.html")
        browser.get(page.path.as_uri())
        assert _step(browser) == 0, label
        browser.find_element("id", "next").click()
        assert _step(browser) == 1 and "current" in _classes(browser, "v1"), label
        assert _texts(browser, "v0")[-1] == "grad 0 + 2 + 2 = 4", label
        assert browser.execute_script("return document.scripts.length") == 2, label
        notebook_output = tmp_path / f"notebook{i}.html"  # and as Jupyter shows it, in an iframe
        notebook_output.write_text(page._repr_html_(), encoding="utf-8")
        browser.get(notebook_output.as_uri())
        browser.switch_to.frame(browser.find_element("tag name", "iframe"))
        try:
            browser.find_element("id", "next").click()
            assert _step(browser) == 1, label
        finally:
            browser.switch_to.default_content()


@pytest.mark.slow
def test_a_malformed_step_in_the_url_opens_step_0_and_a_large_one_the_last(browser, tmp_path):
    # "#step=1e3" opened step 1 (only the leading digits were read)
    page = step_through(_chain(3), tmp_path / "chain.html")  # steps 0 to 6
    fragments = {"1e3": 0, "-1": 0, "2.5": 0, "2x": 0, "+2": 0, "%202": 0, "": 0, "02": 2, "99": 6}
    for fragment, step in fragments.items():
        browser.get("about:blank")
        browser.get(f"{page.path.as_uri()}#step={fragment}")
        assert _step(browser) == step, fragment
        assert browser.current_url.endswith(f"#step={step}"), fragment
    browser.get(f"{page.path.as_uri()}#xstep=2")
    assert _step(browser) == 0


def _console_errors_caught(driver):
    """From the next page load on, collect the page's uncaught errors in window.pageErrors;
    returns the identifier that Page.removeScriptToEvaluateOnNewDocument takes."""
    return driver.execute_cdp_cmd(
        "Page.addScriptToEvaluateOnNewDocument",
        {
            "source": "(() => { const errors = window.pageErrors = [];"
            "window.addEventListener('error', e => errors.push(String(e.message)));"
            "const log = console.error; console.error = (...a) => {"
            " errors.push(a.join(' ')); log(...a); }; })();"
        },
    )["identifier"]


@pytest.mark.parametrize("kind", ["expression", "net"])
def test_the_sum_over_paths_pages_open_and_step_to_the_end(browser, tmp_path, kind):
    from nn import MLP
    from viz import sum_over_paths, sum_over_paths_net

    if kind == "expression":
        x = Value(2.0, label="x")
        y = x * x + 3 * x
        page = sum_over_paths(y, x, tmp_path / "paths.html")
        lit_at_step_1 = "v3e0"  # x * x (v3) uses x as its argument 0
    else:
        net = MLP(2, [3, 3, 2], seed=0)
        page = sum_over_paths_net(net, [0.5, -1.0], [1.0, 0.0], (2, 0, 0), tmp_path / "net.html")
        lit_at_step_1 = "w3_0_0"  # the first path goes on to z³₀
    script = _console_errors_caught(browser)
    try:
        browser.get(page.path.as_uri())
    finally:
        browser.execute_cdp_cmd("Page.removeScriptToEvaluateOnNewDocument", {"identifier": script})
    last = len(page.frames) - 1
    assert _step(browser) == 0
    _press(browser, _keys().ARROW_RIGHT)
    assert _step(browser) == 1 and "current" in _classes(browser, lit_at_step_1)
    assert _in_view(browser, ".current")
    for k in range(2, last + 1):
        _press(browser, _keys().ARROW_RIGHT)
        assert _step(browser) == k
        assert browser.find_element("id", "step-title").text == page.frames[k].title
    assert browser.find_element("id", "counter").text == f"step {last} of {last}"
    equation = browser.find_element("id", "equation").text
    assert "✗" not in equation and ("✓" in equation or kind == "net")
    assert browser.execute_script("return window.pageErrors") == []
