"""JUnit XML of regression suites (testsuites/testsuite/testcase/failure) for CI servers.

One ``testsuite`` per spec file (or per builtin suite), one ``testcase`` per check; the numbers
a check reports are properties and part of the failure text. Text is passed through
:func:`reports.safe_text.visible` (no control characters reach the XML).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from checks.model import CheckResult, SuiteResult, jsonable

from .safe_text import visible

__all__ = ["to_junit"]


def to_junit(results: SuiteResult | list[SuiteResult]) -> str:
    """JUnit XML (testsuites/testsuite/testcase/failure) for CI servers; numbers as properties
    and in the failure text."""
    if isinstance(results, SuiteResult):
        results = [results]
    root = ET.Element("testsuites", name="expressivity regress")
    tot = {"tests": 0, "failures": 0, "errors": 0, "time": 0.0}
    for res in results:
        by_suite: dict[str, list[CheckResult]] = {}
        for c in res.checks:
            by_suite.setdefault(c.suite, []).append(c)
        for sname, checks in by_suite.items():
            n_fail = sum((not c.ok) and not c.error for c in checks)
            n_err = sum(c.error for c in checks)
            secs = sum(c.seconds for c in checks)
            ts = ET.SubElement(
                root,
                "testsuite",
                name=visible(sname),
                tests=str(len(checks)),
                failures=str(n_fail),
                errors=str(n_err),
                skipped="0",
                time=f"{secs:.3f}",
            )
            props = ET.SubElement(ts, "properties")
            for k, v in res.config.items():
                ET.SubElement(props, "property", name=str(k), value=json.dumps(jsonable(v)))
            for c in checks:
                tc = ET.SubElement(
                    ts,
                    "testcase",
                    classname=visible(f"{_classname(sname)}.{c.group}"),
                    name=visible(c.name),
                    time=f"{c.seconds:.3f}",
                )
                numbers = json.dumps(c.numbers, indent=1, sort_keys=True)
                if not c.ok:
                    tag = "error" if c.error else "failure"
                    el = ET.SubElement(
                        tc,
                        tag,
                        message=visible(c.message),
                        type="RegressionError" if c.error else "RegressionFailure",
                    )
                    el.text = visible(f"{c.message}\n\nnumbers:\n{numbers}", keep_newlines=True)
                out = ET.SubElement(tc, "system-out")
                out.text = visible(f"{c.message}\n{numbers}", keep_newlines=True)
            tot["tests"] += len(checks)
            tot["failures"] += n_fail
            tot["errors"] += n_err
            tot["time"] += secs
    root.set("tests", str(tot["tests"]))
    root.set("failures", str(tot["failures"]))
    root.set("errors", str(tot["errors"]))
    root.set("time", f"{tot['time']:.3f}")
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _classname(s: str) -> str:
    return s.replace("builtin:", "builtin.").replace("/", ".").replace("\\", ".")
