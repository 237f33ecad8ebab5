"""The step-through pages in a real browser: headless Chromium driven by Selenium.

Skipped when Chromium, its driver or Selenium is missing; under CI=true (where .ci/run
installs them) missing ones fail the test instead.
"""

import os
import shutil

import pytest

from engine import Value
from viz import step_through

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1300,900",
]


def _missing(what):
    message = f"{what} is not installed"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{message}: CI must install it (.ci/run)")
    pytest.skip(f"{message} (apt-get install chromium chromium-driver; pip install selenium)")


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if chromium is None or driver_path is None:
        _missing("chromium" if chromium is None else "chromedriver")
    try:
        from selenium import webdriver
    except ImportError:
        _missing("selenium")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in [*FLAGS, f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=webdriver.ChromeService(driver_path), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


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


def test_a_wide_graph_scrolls_in_its_own_box_and_the_controls_stay_on_screen(browser, tmp_path):
    page = step_through(_chain(40), tmp_path / "chain.html")  # 55000 px wide
    root = "v120"  # x, then 1.1, y * 1.1 and tanh per link: the root is the 121st value
    browser.get(page.path.as_uri() + "#step=0")
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


def test_a_small_graph_is_shown_at_its_natural_size_without_empty_space(browser, tmp_path):
    from nn import MLP
    from viz import step_through_net

    a, b = Value(3.0, label="a"), Value(-1.0, label="b")
    c = (a * b + a).tanh()
    for page in (
        step_through(c, tmp_path / "expression.html"),
        step_through_net(MLP(2, [3, 2], seed=0), [0.5, -1.0], [1.0, 0.0], tmp_path / "net.html"),
    ):
        browser.get(page.path.as_uri() + "#step=2")
        natural, drawn, svg_height, box_height = browser.execute_script(
            "const svg = document.querySelector('#picture svg');"
            "const r = svg.getBoundingClientRect();"
            "return [svg.width.baseVal.value, r.width, r.height,"
            " document.getElementById('picture').getBoundingClientRect().height];"
        )
        assert drawn == pytest.approx(natural, rel=0.01)  # 11 pt labels stay 11 pt
        assert box_height <= svg_height + 30  # at most a scroll bar below the picture
        assert _in_view(browser, ".current")


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
    # issue 16 item 7: "<!--<script>" in a label made the parser swallow the viewer's script
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
    # issue 16 item 20: "#step=1e3" opened step 1 (only the leading digits were read)
    page = step_through(_chain(3), tmp_path / "chain.html")  # steps 0 to 6
    fragments = {"1e3": 0, "-1": 0, "2.5": 0, "2x": 0, "+2": 0, "%202": 0, "": 0, "02": 2, "99": 6}
    for fragment, step in fragments.items():
        browser.get("about:blank")
        browser.get(f"{page.path.as_uri()}#step={fragment}")
        assert _step(browser) == step, fragment
        assert browser.current_url.endswith(f"#step={step}"), fragment
    browser.get(f"{page.path.as_uri()}#xstep=2")
    assert _step(browser) == 0
