"""Results of a regression suite: one :class:`CheckResult` per check, a :class:`SuiteResult` per
suite, and the :class:`Recorder` that runs a check and turns an unexpected exception into an
``error`` result (bad input, ``SpecError``, propagates to the caller).

Data only: no analysis, no harness; :func:`jsonable` makes the numbers a check reports
JSON-safe (exact integers above 2^53 as decimal strings, sympy expressions as exact text).
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import sympy

from analyzer.errors import SpecError
from analyzer.numbers import expr_text, to_json

__all__ = ["CheckResult", "SuiteResult", "Recorder", "jsonable"]


@dataclass
class CheckResult:
    """One check: pass/fail with the numbers that decided it."""

    suite: str
    group: str  # claim5 | theorem7 | n16-example | corollary8 | depth | weight-sharing | spec name
    name: str
    ok: bool
    message: str
    numbers: dict = field(default_factory=dict)
    seconds: float = 0.0
    error: bool = False  # an unexpected exception (counts as a failure)
    traceback: str = field(default="", repr=False)  # of that exception (shown with --debug)

    @property
    def status(self) -> str:
        return "pass" if self.ok else ("error" if self.error else "fail")

    def to_dict(self) -> dict:
        return {
            "suite": self.suite,
            "group": self.group,
            "name": self.name,
            "status": self.status,
            "ok": self.ok,
            "message": self.message,
            "numbers": self.numbers,
            "seconds": self.seconds,
        }


@dataclass
class SuiteResult:
    suite: str
    checks: list[CheckResult]
    seconds: float
    config: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    @property
    def failures(self) -> list[CheckResult]:
        return [c for c in self.checks if not c.ok]

    def counts(self) -> dict:
        return {
            "checks": len(self.checks),
            "passed": sum(c.ok for c in self.checks),
            "failed": sum((not c.ok) and not c.error for c in self.checks),
            "errors": sum(c.error for c in self.checks),
        }

    def to_dict(self) -> dict:
        return {
            "suite": self.suite,
            "ok": self.ok,
            "counts": self.counts(),
            "seconds": self.seconds,
            "config": self.config,
            "checks": [c.to_dict() for c in self.checks],
        }


class Recorder:
    """Collects checks; an exception inside a check becomes an ``error`` result."""

    def __init__(self, suite: str):
        self.suite = suite
        self.checks: list[CheckResult] = []

    def run(self, group: str, name: str, fn: Callable[[], tuple[bool, str, dict]]) -> CheckResult:
        t0 = time.perf_counter()
        try:
            ok, msg, numbers = fn()
            res = CheckResult(self.suite, group, name, bool(ok), msg, jsonable(numbers))
        except SpecError:
            raise  # bad input: the caller reports it (exit 2)
        except Exception as exc:  # noqa: BLE001 - a broken check is reported, not fatal
            res = CheckResult(
                self.suite, group, name, False, f"{type(exc).__name__}: {exc}", {}, error=True
            )
            res.traceback = traceback.format_exc()
        res.seconds = time.perf_counter() - t0
        self.checks.append(res)
        return res


def jsonable(x: Any) -> Any:
    """A JSON-safe copy of a check's numbers: string keys, Fractions and sympy expressions as
    exact text, ints above 2^53 as decimal strings (``analyzer.numbers.to_json``)."""
    if isinstance(x, dict):
        return {str(k): jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [jsonable(v) for v in x]
    if isinstance(x, Fraction):
        return str(x)
    if isinstance(x, int) and not isinstance(x, bool):
        return to_json(x)  # above 2^53: an exact decimal string (analyzer.numbers)
    if isinstance(x, bool | float | str) or x is None:
        return x
    if isinstance(x, sympy.Basic):
        return expr_text(x)  # exact, free of the int-to-str digit limit
    return str(x)
