"""Every module of the packages imports in a fresh interpreter, and none imports cupy."""

import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("analyzer", "networks", "verify", "checks", "reports", "expressivity")


def all_modules() -> list[str]:
    out = []
    for pkg in PACKAGES:
        out.append(pkg)
        for info in pkgutil.iter_modules([str(ROOT / pkg)]):
            if info.name != "__main__":
                out.append(f"{pkg}.{info.name}")
    return out


def test_every_module_imports_alone_without_cupy():
    mods = all_modules()
    assert len(mods) > 20
    code = (
        "import importlib, sys\n"
        f"for m in {mods!r}:\n"
        "    importlib.import_module(m)\n"
        "assert 'cupy' not in sys.modules, 'cupy was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_import_linter_contracts_hold():
    # the layering and no-cycle contracts of pyproject.toml [tool.importlinter]; a cycle or an
    # upward import fails here as it fails `lint-imports` in the lint env of tox
    pytest.importorskip("importlinter")
    code = "from importlinter.cli import lint_imports_command; lint_imports_command()"
    res = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-2000:]
    assert "0 broken" in res.stdout
