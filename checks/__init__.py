"""Regression suites: the paper's results and a lab's own specs as checks that can fail.

Library API (data in, data out): :func:`run_suite` returns a :class:`SuiteResult`; the CLI
(``expressivity regress``, which renders it as a table, JSON or JUnit XML via
``reports.junit``) and the pytest plugin only call it.

Suites
------
* ``builtin:paper`` (:mod:`checks.paper`): Claim 5, Theorem 7, the N = 16 example,
  Corollary 8, depth efficiency and the weight-sharing remark (docs/walkthrough.md).
* a spec file, or a directory of them (:mod:`checks.spec_checks`): each spec's ``checks:`` list
  (``CheckModel`` in ``analyzer/spec.py``), or by default a certification of its tree nodes.

Modules: ``model`` (results), ``paper``, ``spec_checks``, ``guards`` (size guards of a
certification, counted before work starts), ``runner`` (:func:`run_suite`). Certified ranks are
exact ranks mod p of sampled submatrices (``verify``): lower bounds on the generic rank.
Floating-point estimates never decide a check. Layer: above ``verify``, below ``reports``.
"""

from .model import CheckResult, SuiteResult
from .paper import PAPER_GROUPS, PAPER_I, paper_suite
from .runner import SIZES, SuiteOptions, format_failures, run_suite
from .spec_checks import spec_suite

__all__ = [
    "CheckResult",
    "SuiteResult",
    "run_suite",
    "SuiteOptions",
    "paper_suite",
    "spec_suite",
    "format_failures",
    "SIZES",
    "PAPER_I",
    "PAPER_GROUPS",
]
