"""The pytest plugin (entry point ``expressivity``): fixture, marker, ini-collected specs, and
no cost to pytest runs that do not use it. Runs pytest in subprocesses on temporary projects."""

from __future__ import annotations

import subprocess
import sys
import textwrap

SPEC = """\
name: worked-T-checks
input_channels: 3
branches:
  - {name: T, kernel: 2, dilations: [1, 2, 4], channels: 2}
checks:
"""
# theory.md sec. 5 worked table, row T: rank 16 on {0,2,4,6}, 4 on {0,2}
GOOD = SPEC + "  - {partition: [0, 2, 4, 6], expect_rank: 16}\n"
BAD = SPEC + "  - {partition: [0, 2], expect_rank: 5}\n"


def pytest_in(path, *args):
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=path,
        capture_output=True,
        text=True,
        timeout=300,
    )


def project(tmp_path, files: dict[str, str], ini: str = "") -> None:
    (tmp_path / "pytest.ini").write_text("[pytest]\n" + ini)
    for name, text in files.items():
        p = tmp_path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(text))


def test_plugin_import_is_light():
    code = (
        "import sys, expressivity.pytest_plugin\n"
        "heavy = [m for m in ('sympy', 'analyzer', 'verify', 'networks', 'numpy', 'typer')"
        " if m in sys.modules]\n"
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_unrelated_pytest_runs_are_untouched(tmp_path):
    project(
        tmp_path, {"test_plain.py": "def test_ok():\n    assert 1 + 1 == 2\n", "specs/a.yaml": BAD}
    )
    r = pytest_in(tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "1 passed" in r.stdout  # the YAML spec is not collected without the ini option


def test_fixture_passes_and_fails(tmp_path):
    project(
        tmp_path,
        {
            "specs/good.yaml": GOOD,
            "specs/bad.yaml": BAD,
            "test_arch.py": """\
            import pytest

            def test_good(expressivity_regress):
                res = expressivity_regress("specs/good.yaml")
                assert res.ok and len(res.checks) == 1

            def test_bad(expressivity_regress):
                expressivity_regress("specs/bad.yaml")

            @pytest.mark.expressivity("specs/good.yaml")
            def test_marked(expressivity_regress):
                assert expressivity_regress.results[0].ok
        """,
        },
    )
    r = pytest_in(tmp_path)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "2 passed" in r.stdout and "1 failed" in r.stdout
    assert "expected rank 5 outside the bounds [4, 4]" in r.stdout


def test_ini_collects_spec_files(tmp_path):
    project(
        tmp_path,
        {"specs/good.yaml": GOOD, "specs/bad.yaml": BAD, "other/x.yaml": BAD},
        ini="expressivity_specs = specs/*.yaml\n",
    )
    r = pytest_in(tmp_path, "-rA")
    assert r.returncode == 1, r.stdout + r.stderr
    assert "1 failed, 1 passed" in r.stdout
    assert "bad.yaml" in r.stdout and "expected rank 5" in r.stdout
    assert "other/x.yaml" not in r.stdout
