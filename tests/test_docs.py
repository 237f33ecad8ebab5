"""The docs: every ``file:name`` they point to exists, and every output they quote is printed."""

import ast
import html
import importlib
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from viz.drawing import scripted

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "backpropagation.md"
REFERENCE = re.compile(r"`([\w/]+\.py):([\w.]+)`")


def defined_names(body):
    """The functions, classes and assigned names a module or class body defines."""
    names = {}
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names[node.name] = node
        elif isinstance(node, ast.Assign):
            names.update((t.id, node) for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names[node.target.id] = node
    return names


REFERENCES = sorted(set(REFERENCE.findall(PAGE.read_text(encoding="utf-8"))))


def test_the_page_points_into_every_package():
    files = {path for path, _ in REFERENCES}
    assert {"engine", "nn", "viz"} <= {f.split("/")[0] for f in files}


@pytest.mark.parametrize("path, name", REFERENCES, ids=[f"{p}:{n}" for p, n in REFERENCES])
def test_every_reference_names_a_definition_that_exists(path, name):
    source = ROOT / path
    assert source.is_file(), f"{path} does not exist"
    scope = ast.parse(source.read_text(encoding="utf-8")).body
    for part in name.split("."):
        found = defined_names(scope).get(part)
        assert found is not None, f"{path} defines no {name}"
        scope = getattr(found, "body", [])


def test_the_readme_links_the_page():
    assert "(docs/backpropagation.md)" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_numbers_quoted_from_the_drawing_are_on_it():
    drawing = html.unescape((ROOT / "docs" / "tiny_net.svg").read_text(encoding="utf-8"))
    quoted = re.findall(r"`([^`]+ = −?[\d.]+)`", PAGE.read_text(encoding="utf-8"))
    assert len(quoted) >= 8
    for label in quoted:  # the drawing writes a^3_0 as a³₀
        shown = scripted(label).replace("−", "-")
        assert shown in drawing, f"{label!r} is not in docs/tiny_net.svg as {shown!r}"


# Every output the README and docs/*.md quote is produced here: Python blocks run, `>>>`
# sessions replay, `$ python examples/...` blocks run the example. Differences of rounding
# (below 1e-9, which depend on the BLAS kernel) and timings are compared by kind, not digit.
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)
ROUNDING = re.compile(r"\b\d\.\d+e-(1\d|[2-9]\d)\b")
TIMING = re.compile(r"\b\d+(\.\d+)? (s|ms|µs)\b")
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def normalised(line: str) -> str:
    """A quoted or printed line with rounding-sized numbers and timings made alike."""
    return TIMING.sub("<time>", ROUNDING.sub("<rounding>", line.rstrip()))


def assert_quoted_in(quoted: str, printed: str, where: str) -> None:
    """Each quoted line appears in the printed output, in order; `...` stands for any lines."""
    lines = [normalised(line) for line in printed.splitlines()]
    position = 0
    for line in quoted.splitlines():
        if line.strip() in ("...", "…"):
            continue
        wanted = normalised(line)
        try:
            position = lines.index(wanted, position) + 1
        except ValueError:
            raise AssertionError(
                f"{where}: {line!r} is not printed; the output was:\n{printed}"
            ) from None


def fenced(path: Path) -> list[tuple[str, str]]:
    """The fenced blocks of a Markdown file: (language, text)."""
    return FENCE.findall(path.read_text(encoding="utf-8"))


def test_the_readme_snippets_run_and_print_what_it_quotes(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    blocks = fenced(ROOT / "README.md")
    quoted = 0
    for (language, text), (next_language, next_text) in zip(blocks, [*blocks[1:], ("", "")]):
        if language != "python":
            continue
        exec(compile(text, "README.md", "exec"), namespace)
        printed = capsys.readouterr().out
        if next_language == "" and not next_text.startswith(("engine/", "$")):
            assert_quoted_in(next_text, printed, "README.md")
            quoted += 1
    assert quoted >= 1
    assert (tmp_path / "out" / "net_backward.html").is_file()


SESSIONS = [
    (path, text)
    for path in DOCS
    for language, text in fenced(path)
    if language == "" and text.startswith(">>> ") and path.name != "compile.md"
]


@pytest.mark.parametrize("path, text", SESSIONS, ids=[p.name for p, _ in SESSIONS])
def test_quoted_sessions_print_what_they_quote(path, text, capsys, sklearn):
    namespace = {"nn": importlib.import_module("nn"), "engine": importlib.import_module("engine")}
    expected = []
    for line in text.splitlines():
        if line.startswith(">>> "):
            exec(compile(line[4:], path.name, "exec"), namespace)
        else:
            expected.append(line)
    assert_quoted_in("\n".join(expected), capsys.readouterr().out, path.name)


COMMANDS = [
    (path, text)
    for path in DOCS
    for language, text in fenced(path)
    if language == "" and text.startswith("$ python examples/")
]


@pytest.mark.slow
@pytest.mark.parametrize("path, text", COMMANDS, ids=[t.split("\n")[0][2:] for _, t in COMMANDS])
def test_quoted_example_runs_print_what_they_quote(
    path, text, tmp_path, project_on_pythonpath, sklearn
):
    command, _, quoted = text.partition("\n")
    done = subprocess.run(
        [sys.executable, *shlex.split(command[2:])[1:]],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "MPLBACKEND": "Agg"},
    )
    assert done.returncode == 0, done.stderr
    assert_quoted_in(quoted, done.stdout, f"{path.name}: {command}")


def test_the_softmax_numbers_of_the_backpropagation_page():
    import nn

    page = PAGE.read_text(encoding="utf-8")
    net = nn.MLP(2, [3, 2], activation=["sigmoid", "softmax"], seed=0)
    comparison = nn.compare(net, [0.5, -1.0], [1.0, 0.0], cost="log_likelihood")
    assert comparison.max_error < 2e-16
    tr = net.trace([0.5, -1.0])
    nn.log_likelihood_cost(tr, [1.0, 0.0]).backward()
    a = [f"{v.data:.4f}" for v in tr.output]
    delta = [f"{z.grad:.4f}".replace("-", "−") for z in tr.zs[-1]]
    assert f"a^L = [{a[0]}, {a[1]}] and δ^L = a^L − y = [{delta[0]}, {delta[1]}]" in page
