"""``expressivity report`` (expressivity/cmd_report.py) through typer's CliRunner."""

from __future__ import annotations

import sys

import pytest
import yaml
from typer.testing import CliRunner

from expressivity.cli import app

from .conftest import MALICIOUS, malicious_spec

runner = CliRunner()


def _run(*args):
    return runner.invoke(app, ["report", *args])


def test_writes_markdown_and_figures(tmp_path):
    out = tmp_path / "rep"
    r = _run("builtin:worked-T", "--format", "md", "--out", str(out), "-p", "0,2,4,6")
    assert r.exit_code == 0, r.output
    assert (out / "report.md").exists() and not (out / "report.pdf").exists()
    assert (out / "report.json").exists() and (out / "figures" / "tree-0.png").exists()
    md = (out / "report.md").read_text()
    # theory.md sec. 5, row T: rank 16 on I = {0,2,4,6}, certified
    assert "| 0 | \\{0,2,4,6\\} (explicit)" in md and "| 16 | 16 | exact |" in md
    assert "expressivity report builtin:worked-T --partition 0,2,4,6 --seed 0 --format md" in md


def test_malicious_spec_file(tmp_path):
    spec = tmp_path / "evil.yaml"
    spec.write_text(yaml.safe_dump(malicious_spec()))
    out = tmp_path / "out"
    r = _run(str(spec), "--out", str(out))
    assert r.exit_code == 0, r.output
    pypdf = pytest.importorskip("pypdf")
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(str(out / "report.pdf")).pages)
    assert MALICIOUS in " ".join(text.split())


def test_symbolic_spec_verify_needs_values(tmp_path):
    r = _run("builtin:paper-T", "--verify", "--format", "md", "--out", str(tmp_path))
    assert r.exit_code == 2
    assert "error:" in r.output and "--set: " in r.output and "r=4" in r.output


def test_symbolic_spec_default_skips_verification(tmp_path):
    r = _run("builtin:paper-T", "--format", "md", "--out", str(tmp_path))
    assert r.exit_code == 0, r.output
    assert "note: not verified" in r.output


def test_unknown_format(tmp_path):
    r = _run("builtin:worked-T", "--format", "md,docx", "--out", str(tmp_path))
    assert r.exit_code == 2
    assert r.output.strip().splitlines()[-1] == (
        "error: unknown format 'docx' (choose from md, pdf, comma-separated)"
    )


def test_unwritable_output_dir(tmp_path):
    blocker = tmp_path / "f"
    blocker.write_text("")
    r = _run("builtin:worked-T", "--out", str(blocker / "x"))
    assert r.exit_code == 2
    assert "error: cannot write the report to" in r.output
    assert "Traceback" not in r.output


def test_missing_typst(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "typst", None)
    r = _run("builtin:worked-T", "--out", str(tmp_path))
    assert r.exit_code == 2
    assert "error: typst is not installed" in r.output and "pip install typst" in r.output


def test_bad_spec(tmp_path):
    r = _run("builtin:nope", "--out", str(tmp_path))
    assert r.exit_code == 2 and "error:" in r.output
