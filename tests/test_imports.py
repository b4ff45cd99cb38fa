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


def _imports(path: Path) -> set[str]:
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            out.add(node.module.split(".")[0])
    return out


def test_no_module_imports_click():
    # click is not a dependency of the project (pyproject.toml lists typer): typer >= 0.29
    # ships its own copy and a plain `pip install` has no click, so an `import click` broke
    # the README's first command (ModuleNotFoundError) while the dev install, which gets click
    # through other tools, passed
    offenders = [
        str(p.relative_to(ROOT))
        for pkg in PACKAGES
        for p in sorted((ROOT / pkg).rglob("*.py"))
        if "click" in _imports(p)
    ]
    assert offenders == []


def test_cli_runs_without_click_installed():
    # the CLI with `import click` made impossible, as in a plain install of the project
    import importlib.util

    if importlib.util.find_spec("typer._click") is None:
        pytest.skip("this typer (< 0.29) depends on click itself: nothing to check")
    code = (
        "import sys\n"
        "sys.modules['click'] = None  # any `import click` now raises ImportError\n"
        "from expressivity.cli import main\n"
        "sys.argv = ['expressivity', *sys.argv[1:]]\n"
        "main()\n"
    )

    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True
        )

    ok = cli("analyze", "builtin:worked-mix2")
    assert ok.returncode == 0, ok.stderr
    bad = cli("analyze", "builtin:no-such-network")
    assert bad.returncode == 2, bad.stderr
    assert bad.stderr.startswith("error: ") and "Traceback" not in bad.stderr
