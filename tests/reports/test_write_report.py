"""write_report (reports/__init__.py): determinism and failure modes."""

from __future__ import annotations

import re
import sys

import pytest

from analyzer import SpecError
from reports import MissingDependency, ReportError, write_report

VOLATILE_LINES = re.compile(r"^- (date|elapsed): .*$", re.M)


def test_deterministic_given_the_seed(tmp_path):
    kw = dict(seed=3, formats="md")
    a = write_report("builtin:worked-mix2", tmp_path / "a", **kw)
    b = write_report("builtin:worked-mix2", tmp_path / "b", **kw)
    da, db = a.data.to_dict(volatile=False), b.data.to_dict(volatile=False)
    for d in (da, db):  # the output directory differs, so the command line does
        d["reproducibility"].pop("command")
    assert da == db
    strip = lambda p: VOLATILE_LINES.sub("", p.read_text()).replace(str(p.parent), "OUT")  # noqa: E731
    assert strip(a.markdown) == strip(b.markdown)
    for fa, fb in zip(a.figures, b.figures, strict=True):
        assert fa.read_bytes() == fb.read_bytes(), fa.name
    c = write_report("builtin:worked-mix2", tmp_path / "c", seed=4, formats="md")
    sv = lambda f: [p.singular_values for p in f.data.partitions]  # noqa: E731
    assert sv(a) != sv(c)  # the seed matters (the float estimate's weights)


def test_symbolic_spec_without_values(tmp_path):
    # default: no verification, a note says why; symbolic bounds only
    f = write_report("builtin:paper-T", tmp_path, formats="md")
    assert not f.data.verified
    assert "--set r=4" in f.data.verification_note
    row = next(p for p in f.data.partitions if p.I == [0, 1, 2, 3])
    assert row.upper is None and row.upper_symbolic == "r"  # Theorem 7: r^min(1, 2)
    # an explicit request to verify is an error that names the fix
    with pytest.raises(SpecError, match="values: verification needs numbers"):
        write_report("builtin:paper-T", tmp_path / "x", formats="md", verify=True)


def test_unknown_format(tmp_path):
    with pytest.raises(ReportError, match="unknown format 'html'"):
        write_report("builtin:worked-T", tmp_path, formats="md,html")


def test_unwritable_directory(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ReportError, match="cannot write the report to .*file.*not a directory"):
        write_report("builtin:worked-T", blocker, formats="md")
    with pytest.raises(ReportError, match="cannot write the report to"):
        write_report("builtin:worked-T", blocker / "sub", formats="md")


@pytest.mark.skipif(
    sys.platform == "win32" or __import__("os").geteuid() == 0,
    reason="root ignores directory permissions",
)
def test_read_only_directory(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir(mode=0o500)
    with pytest.raises(ReportError, match="cannot write the report to"):
        write_report("builtin:worked-T", ro, formats="md")


@pytest.mark.parametrize(
    ("module", "fix", "fmt"),
    [("typst", "pip install typst", "pdf"), ("matplotlib", "pip install matplotlib", "md")],
)
def test_missing_dependency(tmp_path, monkeypatch, module, fix, fmt):
    monkeypatch.setitem(sys.modules, module, None)  # import raises ImportError
    with pytest.raises(MissingDependency, match=re.escape(fix)):
        write_report("builtin:worked-T", tmp_path, formats=fmt)
    assert not (tmp_path / "report.md").exists()


def test_generalized_network_is_not_covered(tmp_path):
    from analyzer import spec_from_dict

    d = {
        "name": "relu",
        "input_channels": 2,
        "pooling": "relu",
        "branches": [{"name": "a", "kernel": 2, "dilations": [1, 2], "channels": 3}],
    }
    f = write_report(spec_from_dict(d, source="relu.yaml"), tmp_path, formats="md")
    assert {p.status for p in f.data.partitions} == {"not-covered"}
    assert f.data.certified_count == 0 and not f.data.violations
    md = f.markdown.read_text()
    assert "No certified rank" in md and "generalized network" in md
