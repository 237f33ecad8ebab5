"""The playground in a real browser (headless Chromium through Selenium): both tabs, end to end.

Every number the test reads off the page is checked against nn.matrix, computed here.
Skipped like tests/test_browser.py when Chromium, its driver or Selenium is missing.
"""

import json
import time
from urllib.parse import urlsplit

import numpy as np
import pytest
from conftest import start_chromium
from selenium.common.exceptions import StaleElementReferenceException

from nn import matrix
from nn.network import MLP
from viz import playground

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def pg():
    with playground.serve() as p:
        yield p


@pytest.fixture(scope="module")
def driver(tmp_path_factory):
    """A Chromium of its own that also logs the network, to see every request the page makes."""
    d = start_chromium(tmp_path_factory.mktemp("chromium-profile"), ("browser", "performance"))
    yield d
    d.quit()


def _wait(condition, seconds=20.0, what="the page"):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            value = condition()
        except StaleElementReferenceException:  # re-rendered between find and read: look again
            value = None
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"{what} did not happen within {seconds} s")


def _symbol(d, symbol):
    return d.find_element("css selector", f'[data-symbol="{symbol}"]')


@pytest.fixture
def page(pg, driver):
    driver.get(pg.url)
    _wait(lambda: driver.execute_script("return document.body.dataset.ready"), what="loading")
    driver.get_log("browser")  # start each test with an empty console
    return driver


def _edit(d, symbol, text):
    from selenium.webdriver.common.keys import Keys

    field = _symbol(d, symbol)
    field.send_keys(Keys.CONTROL, "a")  # typed over, as a person does: no empty value between
    field.send_keys(text, Keys.ENTER)


def _reference_delta(weights, biases, activations, cost="quadratic"):
    bp = matrix.backprop(weights, biases, np.array([0.5, -1.0]), np.array([1.0, 0.0]),
                         activations, cost)  # fmt: skip
    return bp.delta


def test_editing_w2_10_recomputes_delta2_0_as_nn_matrix_does(page):
    d = page
    d.find_element("id", "last").click()
    before = _symbol(d, "delta^2_0").text
    _edit(d, "w^2_10", "2.5")
    after = _wait(lambda: _symbol(d, "delta^2_0").text != before and _symbol(d, "delta^2_0").text)
    net = MLP(2, [3, 2], seed=0)  # the tiny net the page opens on
    weights, biases = net.weights(), net.biases()
    weights[0][1, 0] = 2.5
    delta = _reference_delta(weights, biases, ["sigmoid", "sigmoid"])
    assert float(after) == pytest.approx(delta[0][0], rel=1e-5)
    assert float(_symbol(d, "delta^3_1").text) == pytest.approx(delta[1][1], rel=1e-5)
    assert float(_symbol(d, "dC/dw^2_10").text) == pytest.approx(delta[0][1] * 0.5, rel=1e-5)
    assert _symbol(d, "w^2_10").get_attribute("value") == "2.5"
    assert d.find_element("tag name", "body").get_attribute("data-step") == "9"  # same step
    assert d.find_element("id", "check").text.startswith("✓ agrees with nn.matrix")


def test_edits_made_in_quick_succession_all_count(page):
    d = page
    _edit(d, "w^2_10", "1.5")
    _edit(d, "b^2_0", "-2")  # before the first answer is back
    _edit(d, "y_1", "0.5")
    net = MLP(2, [3, 2], seed=0)
    weights, biases = net.weights(), net.biases()
    weights[0][1, 0], biases[0][0] = 1.5, -2.0
    bp = matrix.backprop(weights, biases, np.array([0.5, -1.0]), np.array([1.0, 0.5]),
                         ["sigmoid", "sigmoid"], "quadratic")  # fmt: skip

    def shown():
        try:
            return float(_symbol(d, "delta^2_0").text) == pytest.approx(bp.delta[0][0], rel=1e-5)
        except Exception:  # the panel is being rebuilt
            return False

    _wait(shown, what="δ²₀ of all three edits")
    assert float(_symbol(d, "dC/db^2_1").text) == pytest.approx(bp.grad_b[0][1], rel=1e-5)
    assert _symbol(d, "w^2_10").get_attribute("value") == "1.5"


def test_a_weight_is_edited_in_place_on_the_picture(page):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    d = page
    before = _symbol(d, "delta^2_0").text
    ActionChains(d).move_to_element(
        d.find_element("css selector", "#w2_1_0 text")
    ).click().perform()
    editor = d.find_element("css selector", '#in-place input[data-edits="w^2_10"]')
    assert d.switch_to.active_element == editor
    editor.send_keys(Keys.CONTROL, "a")
    editor.send_keys("-3", Keys.ENTER)
    after = _wait(lambda: _symbol(d, "delta^2_0").text != before and _symbol(d, "delta^2_0").text)
    net = MLP(2, [3, 2], seed=0)
    weights = net.weights()
    weights[0][1, 0] = -3.0
    delta = _reference_delta(weights, net.biases(), ["sigmoid", "sigmoid"])
    assert float(after) == pytest.approx(delta[0][0], rel=1e-5)
    assert _symbol(d, "w^2_10").get_attribute("value") == "-3"


def test_an_activation_select_recomputes_with_the_weights_kept(page):
    from selenium.webdriver.support.ui import Select

    d = page
    before = _symbol(d, "delta^2_0").text
    Select(_symbol(d, "activation^2")).select_by_value("tanh")
    after = _wait(lambda: _symbol(d, "delta^2_0").text != before and _symbol(d, "delta^2_0").text)
    net = MLP(2, [3, 2], seed=0)
    delta = _reference_delta(net.weights(), net.biases(), ["tanh", "sigmoid"])
    assert float(after) == pytest.approx(delta[0][0], rel=1e-5)


def test_a_refused_edit_says_why_and_keeps_the_number(page):
    d = page
    _edit(d, "b^3_1", "5000")
    message = _wait(lambda: d.find_element("id", "message").text)
    assert message == "b^3_1: must be a number in [-1000, 1000], got 5000"
    assert _symbol(d, "b^3_1").get_attribute("value") != "5000"


def test_training_moons_reaches_95_percent_held_out(page):
    d = page
    d.find_element("id", "tab-train").click()
    assert _symbol(d, "dataset").tag_name == "select"
    assert [b.text for b in d.find_elements("css selector", "#train-tab .stepper button")][:5] == [
        "start", "pause", "step", "epoch", "reset",
    ]  # fmt: skip

    def accuracy():
        text = _symbol(d, "held_out_accuracy").text
        return text.endswith(" %") and float(text[:-2]) >= 95.0

    d.find_element("id", "start").click()
    _wait(accuracy, seconds=60, what="95 % held-out accuracy")
    d.find_element("id", "pause").click()
    _wait(lambda: "training" not in _symbol(d, "epoch").text)
    assert int(_symbol(d, "epoch").text) > 0
    assert float(_symbol(d, "delta_norm^2").text) > 0
    assert float(_symbol(d, "training_cost").text) < 0.1
    d.find_element("id", "to-step").click()
    _wait(lambda: d.find_element("id", "sizes").get_attribute("value") == "2,8,8,1")
    assert d.find_element("id", "check").text.startswith("✓ agrees with nn.matrix")


def test_no_console_errors_and_no_request_to_another_host(pg, driver):
    d = driver
    d.get_log("performance")
    d.get(pg.url)
    _wait(lambda: d.execute_script("return document.body.dataset.ready"), what="loading")
    d.find_element("id", "tab-train").click()
    d.find_element("id", "step").click()
    d.find_element("id", "epoch").click()
    _wait(lambda: _symbol(d, "epoch").text == "1")
    d.find_element("id", "tab-step").click()
    _edit(d, "x_1", "0.25")
    _wait(lambda: _symbol(d, "x_1").get_attribute("value") == "0.25")
    assert [e for e in d.get_log("browser") if e["level"] in ("SEVERE", "WARNING")] == []

    origin = urlsplit(pg.url).netloc
    urls = [
        json.loads(e["message"])["message"]["params"]["request"]["url"]
        for e in d.get_log("performance")
        if '"Network.requestWillBeSent"' in e["message"]
    ]
    urls = [u for u in urls if not u.startswith("chrome")]  # the browser's own start page
    assert any(u.endswith("/api/net") for u in urls)
    assert all(urlsplit(u).netloc == origin or u.startswith("data:") for u in urls), urls
