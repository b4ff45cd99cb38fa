"""Documentation examples run: the ```python blocks of README.md and docs/*.md, and the
examples (``>>>``) in the docstrings of every module of the packages (doctest)."""

from __future__ import annotations

import contextlib
import doctest
import importlib
import io
import pkgutil
import re
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("analyzer", "networks", "verify", "checks", "reports", "expressivity")
# blocks that take long (a full report with a three-point comparison sweep): -m slow
SLOW = {("docs/reports.md", "build_report")}


def _blocks() -> list[tuple[str, int, str]]:
    out = []
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        rel = path.relative_to(ROOT).as_posix()
        for m in re.finditer(r"^```python\n(.*?)^```", path.read_text(), re.S | re.M):
            line = path.read_text()[: m.start()].count("\n") + 1
            out.append((rel, line, m.group(1)))
    return out


def _params():
    for rel, line, code in _blocks():
        marks = [pytest.mark.slow] if any(rel == f and k in code for f, k in SLOW) else []
        yield pytest.param(rel, code, id=f"{rel}:{line}", marks=marks)


def test_the_docs_have_python_blocks():
    files = {rel for rel, _, _ in _blocks()}
    assert {"README.md", "docs/analyze.md", "docs/spec-format.md"} <= files


@pytest.mark.parametrize("rel,code", list(_params()))
def test_markdown_python_block_runs(rel, code, tmp_path, monkeypatch):
    """Each block runs in a fresh namespace, in an empty directory holding the examples/ specs
    under the names the docs use (my-net.yaml)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    shutil.copy(ROOT / "examples" / "mixed-T-Tp.yaml", tmp_path / "my-net.yaml")
    if code.lstrip().startswith("# test_") and ".py" in code.splitlines()[0]:
        compile(code, rel, "exec")  # a test file for the pytest plugin: compiled, run elsewhere
        return
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, rel, "exec"), {"__name__": "__doc_example__"})
    if rel == "README.md":
        # r = 4 on the paper's index set: the 8 sibling pairs of the best hybrid tree are leaf
        # pairs whose edges stay inside a branch, so the routed lower bound gives each the full
        # width r (docs/theory.md sec. 6.4): r^8 = 65536 (Claim 5 alone: (r/2)^8 = 256)
        assert out.getvalue().splitlines()[0] == "65536"


def _modules() -> list[str]:
    names = []
    for pkg in PACKAGES:
        mod = importlib.import_module(pkg)
        names.append(pkg)
        for info in pkgutil.walk_packages(mod.__path__, prefix=pkg + "."):
            if not info.name.endswith(".__main__"):  # runs the CLI when imported
                names.append(info.name)
    return sorted(names)


def test_docstring_examples():
    attempted = 0
    failures = []
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    for name in _modules():
        mod = importlib.import_module(name)
        res = doctest.testmod(mod, optionflags=flags, report=True, verbose=False)
        attempted += res.attempted
        if res.failed:
            failures.append(name)
    assert not failures, failures
    assert attempted >= 6  # circuit.mask_of, circuit.positions_of, verify.ranks (and later ones)
