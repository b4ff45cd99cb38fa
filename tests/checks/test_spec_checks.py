"""checks.spec_checks: a spec's ``checks:`` entries pass on the worked table, fail on a wrong
expectation or a certified mismatch, and refuse bad input.

Expected numbers come from theory.md (its worked table), never from the code.
"""

from __future__ import annotations

import textwrap

import pytest

from analyzer.spec import SpecError
from checks import format_failures, run_suite

WORKED_T = """\
name: worked-T-checks
input_channels: 3
branches:
  - {name: T, kernel: 2, dilations: [1, 2, 4], channels: 2}
checks:
"""
# theory.md sec. 5, row T (M = 3, r = 2): 01 -> 2, 0123 -> 1, 02 -> 4, 0246 -> 16, 1256 -> 16
GOOD_CHECKS = """\
  - {partition: [0, 1], expect_rank: 2}
  - {partition: [0, 1, 2, 3], expect_rank: 1, expect_upper: 1}
  - {partition: [0, 2], expect_rank: 4}
  - {partition: [0, 2, 4, 6], expect_rank: 16, name: odd-even of the worked T}
  - {partition: [1, 2, 5, 6], expect_rank: 16, weights: per-node}
  - {partitions: nodes}
"""


def _write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(textwrap.dedent(text))
    return p


def test_spec_suite_passes_on_the_worked_table(tmp_path):
    p = _write(tmp_path, "t.yaml", WORKED_T + GOOD_CHECKS)
    res = run_suite(str(p))
    assert res.ok, format_failures(res)
    assert len(res.checks) == 6
    assert any(c.name.startswith("odd-even of the worked T") for c in res.checks)


@pytest.mark.parametrize(
    "check,needle",
    [
        ("  - {partition: [0, 2, 4, 6], expect_rank: 8}", "expected rank 8 outside the bounds"),
        ("  - {partition: [0, 1, 2, 3], expect_upper: 2}", "upper 1 != expected 2"),
        ("  - {partition: [0, 2], expect_lower: 2}", "lower 4 != expected 2"),
    ],
)
def test_spec_suite_fails_on_a_wrong_expectation(tmp_path, check, needle):
    p = _write(tmp_path, "t.yaml", WORKED_T + check + "\n")
    res = run_suite(str(p))
    assert not res.ok
    assert needle in res.checks[0].message


def test_spec_suite_catches_a_certified_mismatch(tmp_path, monkeypatch):
    """A certified rank below the expected generic rank (K large enough) fails the check."""
    import verify.harness as harness

    orig = harness.exact_rank_mod_p
    monkeypatch.setattr(harness, "exact_rank_mod_p", lambda X, p: orig(X, p) - 1)
    p = _write(tmp_path, "t.yaml", WORKED_T + "  - {partition: [0, 2], expect_rank: 4}\n")
    res = run_suite(str(p))
    assert not res.ok and "certified rank 3 != expected 4" in res.checks[0].message


def test_directory_suite_symbols_and_claim5(tmp_path):
    _write(tmp_path, "a.yaml", WORKED_T + "  - {partition: [0, 1], expect_rank: 2}\n")
    _write(
        tmp_path,
        "b.yaml",
        """\
        name: mix2
        input_channels: 3
        branches:
          - {name: T, dilations: [1, 2, 4], channels: r}
          - {name: Tp, dilations: [2, 1, 4], channels: r}
        connections:
          - {after_layer: 2, branches: [T, Tp]}
        checks:
          - {partition: [0, 1, 4, 5], set: {r: 2}, claim5: true}
    """,
    )
    _write(tmp_path, "notes.txt", "not a spec")
    res = run_suite(str(tmp_path))
    assert res.ok, format_failures(res)
    assert len(res.checks) == 2
    assert {c.suite.rsplit("/", 1)[-1] for c in res.checks} == {"a.yaml", "b.yaml"}


def test_default_check_certifies_nodes(tmp_path):
    p = _write(tmp_path, "t.yaml", WORKED_T.replace("checks:\n", ""))
    res = run_suite(str(p))
    assert res.ok and len(res.checks) == 1 and "(default check)" in res.checks[0].name


def test_symbolic_spec_needs_values(tmp_path):
    p = _write(
        tmp_path,
        "s.yaml",
        """\
        name: sym
        input_channels: 2
        branches:
          - {name: T, dilations: [1, 2], channels: r}
    """,
    )
    with pytest.raises(SpecError, match="needs values"):
        run_suite(str(p))
    assert run_suite(str(p), values={"r": 2}).ok


def test_bad_spec_inputs(tmp_path):
    with pytest.raises(SpecError):
        run_suite(str(tmp_path / "missing.yaml"))
    with pytest.raises(SpecError):
        run_suite(str(tmp_path))  # empty directory
    p = _write(tmp_path, "t.yaml", WORKED_T + "  - {partition: [0, 99]}\n")
    with pytest.raises(SpecError):
        run_suite(str(p))
    p = _write(tmp_path, "u.yaml", WORKED_T + "  - {partition: [0, 1], bogus: 1}\n")
    with pytest.raises(SpecError, match="unknown key"):
        run_suite(str(p))
