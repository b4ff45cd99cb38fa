"""Golden outputs: the JSON of analyze, verify, compare and regress stays byte-identical.

Timing fields are removed before comparing. The expected files are the outputs recorded on
purpose (``PYTHONPATH=. python tests/golden/regenerate.py``, see tests/golden/regenerate.py):
this test guards refactorings (behaviour unchanged), it is not a source of expected values,
which come from theory in the other tests.
"""

from __future__ import annotations

import pytest

from tests.golden.regenerate import CASES, golden_path, produce


@pytest.mark.parametrize("name", sorted(CASES))
def test_json_output_unchanged(name):
    path = golden_path(name)
    assert path.exists(), f"missing {path.name}: run PYTHONPATH=. python tests/golden/regenerate.py"
    code, text = produce(name)
    assert code == CASES[name][1]
    expected = path.read_text(encoding="utf-8")
    assert text == expected, (
        f"{name}: JSON output changed; if deliberate, regenerate with "
        "PYTHONPATH=. python tests/golden/regenerate.py and review the diff"
    )
