"""How many examples a property test tries: all of them in the whole suite (what CI runs), a
sixth in the quick suite (``pytest -m "not slow"``), which conftest.py switches on."""

QUICK_SHARE = 6
quick = False


def examples(full: int) -> int:
    """``full`` in the whole suite; a sixth of it, at least 5, in the quick suite."""
    return max(5, full // QUICK_SHARE) if quick else full
