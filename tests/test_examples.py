"""The example specs under examples/ load, analyse, and (where small) verify."""

from pathlib import Path

import pytest

from analyzer import analyze, load_spec
from expressivity.regress import run_suite

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.name)
def test_example_analyses(path):
    arch = load_spec(path)
    a = analyze(arch, families=["odd-even"])
    assert a.partitions and all(p.upper_symbolic for p in a.partitions)


def test_regression_example_passes():
    res = run_suite(str(EXAMPLES / "regress"))
    assert res.ok and len(res.checks) >= 4
