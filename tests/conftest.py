"""Shared hypothesis settings, and the environment for tests that start another Python."""

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
