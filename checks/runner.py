"""Run a suite by name: ``builtin:paper``, a spec file or a directory of specs.

:func:`run_suite` checks the seed and the size, then calls :func:`checks.paper.paper_suite`
or :func:`checks.spec_checks.spec_suite`; :func:`format_failures` is the plain-text summary of
what failed (the pytest plugin's failure text). JUnit XML is rendered by ``reports.junit``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from analyzer.errors import OptionError, SpecError
from analyzer.limits import Limits

from .model import SuiteResult
from .paper import paper_suite
from .spec_checks import spec_suite

__all__ = ["SIZES", "SuiteOptions", "run_suite", "format_failures"]

SIZES = ("default", "large")


@dataclass(frozen=True)
class SuiteOptions:
    """How a suite runs (defaults: the ``regress`` command's).

    values : symbol values for spec suites; certify : spec suites certify ranks with the
    harness; size : ``default`` or ``large`` (``builtin:paper``); seed : of the harness's
    weights and samples; limits : bound the specs and the checks' sizes (default
    :data:`analyzer.limits.DEFAULT_LIMITS`); max_k : cap on K, the sampled rows/columns of a
    spec suite's certifications (default: the harness's memory budget decides).
    """

    values: dict | None = None
    certify: bool = True
    size: str = "default"
    seed: int = 0
    limits: Limits | None = None
    max_k: int | None = None


def run_suite(suite: str, options: SuiteOptions | None = None, **fields) -> SuiteResult:
    """Run ``builtin:paper``, a spec file or a directory of specs.

    ``options``: a :class:`SuiteOptions`; keyword arguments named like its fields override it
    (``run_suite(path, values={"r": 2})``). Raises ``analyzer.SpecError`` on bad input
    (unknown suite, unreadable spec, bad check, a seed outside 0..2**32-1).
    """
    o = replace(options or SuiteOptions(), **fields)
    values, certify, size, seed, limits = o.values, o.certify, o.size, o.seed, o.limits
    if o.max_k is not None and (
        isinstance(o.max_k, bool) or not isinstance(o.max_k, int) or o.max_k < 1
    ):
        raise OptionError("max_k", f"must be an integer >= 1, got {o.max_k!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= 2**32 - 1:
        raise OptionError("seed", f"a seed must be an integer in 0..2**32-1, got {seed!r}")

    if size not in SIZES:
        raise OptionError("size", f"unknown size {size!r} (choose from {', '.join(SIZES)})")
    if suite.startswith("builtin:"):
        name = suite.split(":", 1)[1]
        if name == "paper":
            return paper_suite(size=size, seed=seed)
        raise SpecError(suite, "", "unknown builtin suite (available: builtin:paper)")
    return spec_suite(
        suite, values=values, certify=certify, seed=seed, limits=limits, max_k=o.max_k
    )


def format_failures(result: SuiteResult) -> str:
    lines = [f"{result.suite}: {len(result.failures)} of {len(result.checks)} check(s) failed"]
    for c in result.failures:
        lines.append(f"  [{c.status}] {c.group} / {c.name}: {c.message}")
    return "\n".join(lines)
