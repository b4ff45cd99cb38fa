"""`expressivity regress`: exit 0 / 1 / 2, JUnit XML that parses, JSON."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from typer.testing import CliRunner

from expressivity.cli import app

runner = CliRunner()

SPEC = """\
name: worked-T-checks
input_channels: 3
branches:
  - {name: T, kernel: 2, dilations: [1, 2, 4], channels: 2}
checks:
"""


def run(*args):
    return runner.invoke(app, list(args))


def test_builtin_paper_passes_with_junit_and_json(tmp_path):
    out = tmp_path / "junit.xml"
    r = run("regress", "builtin:paper", "--junit", str(out), "--format", "json")
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["ok"] and d["counts"]["failed"] == 0
    root = ET.parse(out).getroot()
    assert root.tag == "testsuites" and root.get("failures") == "0"
    cases = root.findall("./testsuite/testcase")
    assert len(cases) == d["counts"]["checks"]
    assert {c.get("classname") for c in cases} >= {
        "builtin.paper.claim5",
        "builtin.paper.corollary8",
    }


def test_failing_spec_exits_1_and_junit_has_failure(tmp_path):
    spec = tmp_path / "t.yaml"
    # theory.md worked table: T has rank 16 on {0,2,4,6}; expecting 8 must fail
    spec.write_text(
        SPEC + "  - {partition: [0, 2, 4, 6], expect_rank: 8}\n"
        "  - {partition: [0, 1], expect_rank: 2}\n"
    )
    out = tmp_path / "j.xml"
    r = run("regress", str(spec), "--junit", str(out))
    assert r.exit_code == 1, r.output
    assert "FAIL" in r.stdout and "1/2 passed" in r.stdout
    root = ET.parse(out).getroot()
    fails = root.findall(".//failure")
    assert len(fails) == 1 and "expected rank 8" in fails[0].get("message")
    assert root.find("testsuite").get("failures") == "1"


def test_passing_spec_directory_exits_0(tmp_path):
    (tmp_path / "a.yaml").write_text(SPEC + "  - {partition: [0, 2], expect_rank: 4}\n")
    r = run("regress", str(tmp_path), "--format", "table")
    assert r.exit_code == 0, r.output
    assert "all checks pass" in r.stdout


def test_bad_input_exits_2(tmp_path):
    for args in (
        ["regress", "builtin:nope"],
        ["regress", str(tmp_path / "missing.yaml")],
        ["regress", "builtin:paper", "--format", "xml"],
        ["regress", "builtin:paper", "--size", "huge"],
    ):
        r = run(*args)
        assert r.exit_code == 2, (args, r.output)
        assert "error:" in r.output
    bad = tmp_path / "bad.yaml"
    bad.write_text(SPEC + "  - {partition: [0, 42]}\n")
    r = run("regress", str(bad))
    assert r.exit_code == 2 and "error:" in r.output
    ok = tmp_path / "ok.yaml"
    ok.write_text(SPEC + "  - {partition: [0, 2], expect_rank: 4}\n")
    r = run("regress", str(ok), "--junit", str(tmp_path / "no" / "such" / "dir" / "j.xml"))
    assert r.exit_code == 2


def test_verify_cost_refusal_names_the_max_k_flag(tmp_path):
    """A certification refused for its memory says, in one line, which flag caps K (the
    library's option ``max_k``, named ``--max-k`` by the command line) and which lifts it."""
    spec = tmp_path / "wide.yaml"
    # width 30000: the weights alone are 2 x 30000^2 x 8 bytes per layer, far above 4 GiB
    spec.write_text(SPEC.replace("channels: 2", "channels: 30000") + "  - {partition: [0, 1]}\n")
    r = run("regress", str(spec))
    assert r.exit_code == 2, r.output
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, r.stderr
    line = lines[0]
    assert line.startswith(f"error: {spec}: checks.0: --max-k: the estimated memory"), line
    assert "(--allow-large lifts it)" in line and "max_k" not in line
    assert "Traceback" not in r.output


def test_max_k_caps_the_certifications(tmp_path):
    spec = tmp_path / "t.yaml"
    # theory.md worked table: T has rank 16 on {0,2,4,6}; K = 64 >= 16 + oversampling suffices
    spec.write_text(SPEC + "  - {partition: [0, 2, 4, 6], expect_rank: 16}\n")
    r = run("regress", str(spec), "--max-k", "64", "--format", "json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["config"]["max_k"] == 64
    r = run("regress", str(spec), "--max-k", "0")
    assert r.exit_code == 2 and "--max-k" in r.stderr and "max_k" not in r.stderr
