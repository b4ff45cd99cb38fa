"""pytest plugin (entry point ``expressivity``): architectures under regression in any suite.

Imports nothing heavy at load time: pytest loads this module in every run of every project
where the package is installed, so the analyzer, sympy and the harness are imported only when
a test uses the fixture or the ``expressivity_specs`` ini option names spec files.

Three ways in (docs/walkthrough.md, "regress"):

* the fixture ``expressivity_regress``: ``expressivity_regress("specs/net.yaml")`` runs the
  suite and fails the test with every failing check's numbers;
* the marker ``@pytest.mark.expressivity("specs/", values={"r": 4})`` on a test that requests
  the fixture: the marked suite runs when the fixture is set up;
* the ini option ``expressivity_specs`` (glob patterns, relative to the rootdir): matching spec
  files are collected as test items, one per spec file.
"""

from __future__ import annotations

import fnmatch
from pathlib import Path

import pytest


def pytest_addoption(parser) -> None:
    parser.addini(
        "expressivity_specs",
        "glob patterns (relative to the rootdir) of architecture specs to collect as "
        "expressivity regression tests",
        type="linelist",
        default=[],
    )


def pytest_configure(config) -> None:
    config.addinivalue_line(
        "markers",
        "expressivity(suite, **options): run an expressivity regression suite (spec file, "
        "directory of specs or builtin:paper) through the expressivity_regress fixture",
    )


def pytest_collect_file(file_path: Path, parent):
    patterns = parent.config.getini("expressivity_specs")
    if not patterns or file_path.suffix.lower() not in (".yaml", ".yml", ".json"):
        return None
    try:
        rel = file_path.relative_to(parent.config.rootpath).as_posix()
    except ValueError:
        rel = file_path.as_posix()
    if any(fnmatch.fnmatch(rel, pat) for pat in patterns):
        return SpecFile.from_parent(parent, path=file_path)
    return None


class SpecFile(pytest.File):
    """A spec file collected through ``expressivity_specs``: one item running its checks."""

    def collect(self):
        yield SpecItem.from_parent(self, name="regress")


class SpecItem(pytest.Item):
    def runtest(self) -> None:
        from checks import run_suite

        result = run_suite(str(self.path))
        self.user_properties.append(("expressivity_checks", len(result.checks)))
        if not result.ok:
            raise SpecRegressionFailure(result)

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, SpecRegressionFailure):
            from checks import format_failures

            return format_failures(excinfo.value.result)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, None, f"expressivity regress {self.path.name}"


class SpecRegressionFailure(Exception):
    def __init__(self, result):
        super().__init__(f"{len(result.failures)} failing check(s)")
        self.result = result


@pytest.fixture
def expressivity_regress(request):
    """Run a regression suite; fail the test (with each failing check's numbers) unless all pass.

    Call it as ``expressivity_regress("specs/mynet.yaml")`` (returns the suite result), or mark
    the test ``@pytest.mark.expressivity("specs/")`` and request the fixture: the marked suite
    runs when the fixture is set up. Keyword options: ``values`` (symbol values),
    ``certify`` (default True), ``size`` and ``seed``.
    """
    runner = _Runner(request)
    marker = request.node.get_closest_marker("expressivity")
    if marker is not None and marker.args:
        runner(*marker.args, **marker.kwargs)
    return runner


class _Runner:
    """The fixture's value: ``runner(suite, values=None, certify=True)`` runs and asserts."""

    def __init__(self, request):
        self.request = request
        self.results = []

    def __call__(self, suite, values=None, certify: bool = True, **options):
        from checks import format_failures, run_suite

        result = run_suite(str(suite), values=values, certify=certify, **options)
        self.results.append(result)
        if not result.ok:
            pytest.fail(format_failures(result), pytrace=False)
        return result
