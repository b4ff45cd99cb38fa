"""`expressivity compare`: the table names an exponent and a witness; JSON; exit codes."""

from __future__ import annotations

import json
import re

from typer.testing import CliRunner

from expressivity.cli import app

runner = CliRunner()


def run(*args):
    return runner.invoke(app, list(args))


def test_mixed_vs_T_prints_superlinear_exponent_and_witness():
    r = run("compare", "builtin:paper-mixed", "builtin:paper-T", "--sweep", "r=2,4,8,16")
    assert r.exit_code == 0, r.output
    m = re.search(r"growth exponent \(least squares.*?\): ([0-9.]+)", r.stdout)
    assert m and float(m.group(1)) > 1.1
    assert "witness (r = 16): I = {" in r.stdout
    assert "hybrid tree:" in r.stdout
    # paper output convention: T's root is a product of {0..7} and {8..15} (rank 1)
    assert "verdict: unbounded" in r.stdout
    assert "{0..7}" in r.stdout


def test_network_against_itself_has_exponent_one():
    r = run("compare", "builtin:paper-T", "builtin:paper-T", "--sweep", "r=2,3,4")
    assert r.exit_code == 0, r.output
    assert (
        "growth exponent (least squares, log size B vs log size A, r = 2, 3, 4): 1.000" in r.stdout
    )
    assert "verdict: none" in r.stdout


def test_json_contract(tmp_path):
    spec = tmp_path / "cp.yaml"
    spec.write_text(
        "name: cp\ninput_channels: M\nreadout: true\nbranches:\n"
        "  - {name: cp, layers: [{kernel: 16, dilation: 1, channels: w}]}\n"
    )
    r = run(
        "compare",
        "builtin:paper-T",
        str(spec),
        "--sweep",
        "r=2,3",
        "-P",
        "odd-even",
        "--search",
        "none",
        "--format",
        "json",
    )
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    # Theorem 7: the baseline tree has rank r^8 on odd-even; a CP's rank is at most its width
    assert [p["required_width"] for p in d["points"]] == [2**8, 3**8]
    assert d["verdict"] == "exponential in N"
    for key in (
        "A",
        "B",
        "sweep",
        "modes",
        "points",
        "exponent",
        "width_exponent",
        "verdict",
        "verdict_text",
        "finite_verdict",
        "witness",
        "unmatched_witness",
        "upper_B_symbolic",
        "lower_A_symbolic",
        "notes",
        "certified",
    ):
        assert key in d
    p0 = d["points"][0]
    for key in (
        "value",
        "input_channels",
        "size_A",
        "size_B",
        "required_width",
        "witness",
        "rows",
        "examined",
        "search",
        "unmatched",
    ):
        assert key in p0
    assert d["B"]["width_symbols"] == ["w"]


def test_copies_and_set_b(tmp_path):
    r = run(
        "compare",
        "builtin:paper-T",
        "builtin:paper-T",
        "--sweep",
        "r=4",
        "--copies",
        "2",
        "-P",
        "odd-even",
        "--search",
        "none",
        "--format",
        "json",
    )
    d = json.loads(r.stdout)
    # 2 w^8 >= 4^8  ->  w = 4 / 2^(1/8) rounded up = 4
    assert d["points"][0]["required_width"] == 4 and d["B"]["copies"] == 2
    r = run(
        "compare",
        "builtin:paper-T",
        "builtin:paper-T",
        "--sweep",
        "r=4",
        "--set-b",
        "r=3",
        "-P",
        "odd-even",
        "--search",
        "none",
        "--format",
        "json",
    )
    assert json.loads(r.stdout)["verdict"] == "does not match"


def test_bad_input_exits_2():
    for args in (
        ["compare", "builtin:paper-T", "builtin:nope"],
        ["compare", "builtin:paper-T", "builtin:paper-T", "--sweep", "r=a"],
        ["compare", "builtin:paper-T", "builtin:paper-T", "--sweep", "q=2"],
        ["compare", "builtin:paper-T", "builtin:paper-T", "--format", "xml"],
        ["compare", "builtin:paper-T", "builtin:paper-T", "--copies", "0"],
        ["compare", "builtin:paper-T", "builtin:paper-T", "-p", "0,99"],
    ):
        r = run(*args)
        assert r.exit_code == 2, (args, r.output)
        assert "error:" in r.output
