"""Shared hypothesis settings (bounded so the suite stays quick on two cores) and optional extras."""

import importlib
import os

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "default", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("default")


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
