"""pytest plugin (entry point ``expressivity``): put architectures under regression in any test suite.

Imports nothing heavy at load time: pytest loads this module in every run of every project
where the package is installed, so the analyzer, sympy and the harness are imported only when
a test actually uses the fixture.
"""

from __future__ import annotations

import pytest


def pytest_configure(config) -> None:
    config.addinivalue_line(
        "markers",
        "expressivity(suite, **options): run an expressivity regression suite (spec file, "
        "directory of specs or builtin:paper) for this test through the expressivity_regress fixture",
    )


@pytest.fixture
def expressivity_regress(request):
    """Run a regression suite and fail the test (with every failing check's numbers) unless all pass.

    Call it as ``expressivity_regress("specs/mynet.yaml")`` (returns the suite result), or mark
    the test ``@pytest.mark.expressivity("specs/")`` and request the fixture: the marked suite
    runs when the fixture is set up.
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
        from expressivity.regress import format_failures, run_suite

        result = run_suite(str(suite), values=values, certify=certify, **options)
        self.results.append(result)
        if not result.ok:
            pytest.fail(format_failures(result), pytrace=False)
        return result
