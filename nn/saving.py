"""Files written whole or not at all (nets, pages, plots, pictures), and a network's sizes,
activations and parameters as a human-readable JSON file.

Floats are written with ``repr`` precision, so a saved net loads back bit for bit.
The format::

    {"format": "backprop-engine MLP", "version": 1, "sizes": [2, 3, 2],
     "activations": ["sigmoid", "sigmoid"],
     "weights": [W^2 as rows, W^3 as rows], "biases": [b^2, b^3]}

Loading is strict: every field must have exactly its type (numbers as JSON numbers, never
strings or booleans), so a file that loads is one that ``save`` could have written.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import secrets
import stat
from typing import Any

from engine import checks

FORMAT = "backprop-engine MLP"
VERSION = 1


def _nested_numbers(x: object, depth: int) -> bool:
    """True if x is a list nested ``depth`` deep whose leaves are JSON numbers (not booleans)."""
    if depth == 0:
        return type(x) in (int, float)
    return isinstance(x, list) and all(_nested_numbers(item, depth - 1) for item in x)


def _temporary(target: str) -> str:
    """A new name beside ``target``, hidden, that no file of the user's is likely to have."""
    folder, name = os.path.split(target)
    return os.path.join(folder, f".{name}.{secrets.token_hex(8)}.tmp")


def _discard(temporary: str, error: BaseException, path: str | os.PathLike[str]) -> BaseException:
    """Remove a failed write's temporary file; the error to raise, naming the user's path."""
    if not isinstance(error, FileExistsError):  # a file had that name by chance: not ours
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
    if isinstance(error, OSError) and error.filename not in (None, os.fspath(path)):
        return OSError(error.errno, f"cannot write beside it: {error.strerror}", os.fspath(path))
    return error


def writable(path: str | os.PathLike[str], make_folders: bool = False) -> str:
    """The file that writing ``path`` replaces (a symlink's target), once a file could be made
    beside it: checked before any long work, so that a bad path fails at once.

    A directory, or a folder where no file can be made (missing, unless ``make_folders``
    creates it, or not writable), raises OSError naming ``path``.
    """
    target = os.path.realpath(checks.path(path, "path"))
    if os.path.isdir(target):
        raise IsADirectoryError(f"{os.fspath(path)}: is a directory; give a file name to write to")
    probe = _temporary(target)
    try:  # created inside the try: an interrupt at any point leaves no probe behind
        if make_folders:  # a file where a folder should be: open says "Not a directory"
            with contextlib.suppress(FileExistsError):
                os.makedirs(os.path.dirname(target), exist_ok=True)
        os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        os.unlink(probe)
    except BaseException as e:
        raise _discard(probe, e, path) from None
    return target


def write_atomically(path: str | os.PathLike[str], data: bytes, make_folders: bool = False) -> None:
    """Write ``data`` to ``path`` whole or not at all: the one way this project writes a file.

    The bytes go to a new temporary file beside the target, reach the disk (fsync), then
    replace it, so a failure or Ctrl-C at any point leaves the old file (or none) and no
    temporary file. A symlink is written through to its target; an existing file keeps its
    mode, a new one gets the mode the umask gives, as for open().
    """
    target = writable(path, make_folders)
    try:
        mode: int | None = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        mode = None
    temporary = _temporary(target)
    try:  # created inside the try: an interrupt at any point removes it
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException as e:
        raise _discard(temporary, e, path) from None
    _sync_folder(os.path.dirname(target))


def _sync_folder(folder: str) -> None:
    """Make a rename in ``folder`` survive a power cut (where folders can be opened: POSIX)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def save(
    path: str | os.PathLike[str],
    sizes: list[int],
    activations: list[str],
    weights: list[list[list[float]]],
    biases: list[list[float]],
) -> None:
    """Write the net's file with ``write_atomically``: whole, or the old file (or none) as it was."""
    numbers = [v for w in weights for row in w for v in row] + [v for b in biases for v in b]
    if not all(math.isfinite(v) for v in numbers):
        raise ValueError(
            f"{os.fspath(path)}: refusing to save a net whose parameters are not all finite"
        )
    text = json.dumps(
        {
            "format": FORMAT,
            "version": VERSION,
            "sizes": sizes,
            "activations": activations,
            "weights": weights,
            "biases": biases,
        },
        indent=1,
    )
    write_atomically(path, text.encode("utf-8"))


def load(path: str | os.PathLike[str]) -> tuple[Any, Any, Any, Any]:
    """(sizes, activations, weights, biases) read from path; ValueError naming the file if it is not one."""
    with open(
        checks.path(path, "path"), "rb"
    ) as f:  # a missing file raises FileNotFoundError, naming it
        raw = f.read()
    try:
        doc = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ValueError(f"{path}: not a saved MLP (not UTF-8 text)") from None
    except ValueError as e:  # JSONDecodeError, or an integer too long to convert
        raise ValueError(f"{path}: not a saved MLP (invalid or truncated JSON: {e})") from None
    except RecursionError:
        raise ValueError(f"{path}: not a saved MLP (JSON nested too deeply)") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ValueError(f'{path}: not a saved MLP (no "format": "{FORMAT}" field)')
    version = doc.get("version")
    if type(version) is not int or version != VERSION:
        raise ValueError(
            f"{path}: saved MLP version {version!r} is not supported (this is version {VERSION})"
        )
    missing = [k for k in ("sizes", "activations", "weights", "biases") if k not in doc]
    if missing:
        raise ValueError(f"{path}: saved MLP lacks {', '.join(missing)}")
    sizes, activations = doc["sizes"], doc["activations"]
    fields_ok = {
        "sizes (a list of integers)": isinstance(sizes, list)
        and all(type(n) is int for n in sizes),
        "activations (a list of names)": isinstance(activations, list)
        and all(isinstance(a, str) for a in activations),
        "weights (a list of matrices of numbers)": _nested_numbers(doc["weights"], 3),
        "biases (a list of vectors of numbers)": _nested_numbers(doc["biases"], 2),
    }
    bad = [name for name, ok in fields_ok.items() if not ok]
    if bad:
        raise ValueError(f"{path}: saved MLP has a malformed field: {', '.join(bad)}")
    return sizes, activations, doc["weights"], doc["biases"]
