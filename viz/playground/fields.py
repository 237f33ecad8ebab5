"""Reading a request's JSON fields: one checker per kind of value, each error naming its field."""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence


class BadRequest(Exception):
    """A request the playground refuses: the HTTP status and a message naming what was wrong."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def only(body: Mapping[str, object], allowed: Collection[str]) -> None:
    """BadRequest naming the first field that is not one of ``allowed``."""
    for name in body:
        if name not in allowed:
            known = f"the fields are {', '.join(sorted(allowed))}" if allowed else "none are taken"
            raise BadRequest(f"{name}: unknown field; {known}")


def integer(value: object, name: str, low: int, high: int) -> int:
    """value as an int in [low, high]; bools and floats with a fraction are refused."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise BadRequest(f"{name}: must be an integer from {low} to {high}, got {value!r}")
    return value


def number(value: object, name: str, low: float, high: float, above_low: bool = False) -> float:
    """value as a finite float in [low, high] (or (low, high] with ``above_low``)."""
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    x = float(value) if ok else math.nan  # type: ignore[arg-type]
    if not (low < x <= high if above_low else low <= x <= high):
        bracket = "(" if above_low else "["
        raise BadRequest(f"{name}: must be a number in {bracket}{low:g}, {high:g}], got {value!r}")
    return x


def choice(value: object, name: str, options: Collection[str]) -> str:
    """value if it is one of the names ``options``."""
    if not isinstance(value, str) or value not in options:
        raise BadRequest(f"{name}: must be one of {', '.join(options)}, got {value!r}")
    return value


def listed(value: object, name: str, low: int, high: int) -> Sequence[object]:
    """value as a JSON list of low … high entries."""
    if not isinstance(value, list) or not low <= len(value) <= high:
        count = f"{low}" if low == high else f"{low} to {high}"
        raise BadRequest(f"{name}: must be a list of {count} entries, got {value!r}"[:300])
    return value


def numbers(value: object, name: str, length: int, bound: float) -> list[float]:
    """A list of ``length`` finite numbers of size at most ``bound``; the error names the entry."""
    return [
        number(v, f"{name}[{i}]", -bound, bound)
        for i, v in enumerate(listed(value, name, length, length))
    ]
