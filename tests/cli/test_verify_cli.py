"""`expressivity verify`: JSON contract, exit codes 0 / 1 / 2."""

import json

import pytest
from typer.testing import CliRunner

from expressivity.cli import app
from networks import gpu_available

runner = CliRunner()


def run(*args):
    return runner.invoke(app, list(args))


def test_json_contract_and_exit_0():
    r = run(
        "verify",
        "builtin:worked-T",
        "-p",
        "0,2,4,6",
        "-p",
        "0,1",
        "--format",
        "json",
        "--seed",
        "5",
    )
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    for key in ("seed", "prime", "backend", "weights", "max_k", "partitions", "violations"):
        assert key in d
    assert d["seed"] == 5 and d["backend"] == "numpy" and d["weights"] == "shared"
    p = {tuple(q["I"]): q for q in d["partitions"]}
    # theory.md worked table: T has rank 16 on {0,2,4,6} and 2 on {0,1}
    assert p[(0, 2, 4, 6)]["certified_lower"] == 16 and p[(0, 2, 4, 6)]["status"] == "exact"
    assert p[(0, 1)]["certified_lower"] == 2
    for q in d["partitions"]:
        for key in ("I", "upper", "lower", "certified_lower", "float_rank", "status", "K"):
            assert key in q


def test_table_output_and_claim5():
    r = run("verify", "builtin:paper-mixed", "--set", "r=2", "-P", "nodes", "--claim5")
    assert r.exit_code == 0, r.output
    assert "Claim 5" in r.stdout and "pass" in r.stdout
    assert "no violation" in r.stdout


def test_violation_exits_1(monkeypatch):
    import analyzer.bounds as bounds

    monkeypatch.setattr(bounds.Propagator, "output_bound", lambda self, I: 1)
    r = run("verify", "builtin:worked-T", "-p", "0,2,4,6")
    assert r.exit_code == 1
    assert "VIOLATION" in r.stdout


@pytest.mark.parametrize(
    "args,needle",
    [
        (("verify", "builtin:paper-T"), "set r"),
        (("verify", "builtin:worked-T", "--weights", "tied"), "--weights"),
        (("verify", "builtin:worked-T", "--mode", "approx"), "--mode"),
        (("verify", "builtin:worked-T", "--backend", "tpu"), "--backend"),
        (("verify", "builtin:worked-T", "--max-k", "0"), "--max-k"),
        (("verify", "builtin:nope"), "unknown builtin"),
    ],
)
def test_bad_input_exits_2(args, needle):
    r = run(*args)
    assert r.exit_code == 2
    assert needle in r.stderr and "Traceback" not in r.output


def test_relu_exact_is_refused(tmp_path):
    f = tmp_path / "relu.yaml"
    f.write_text(
        "name: relu\ninput_channels: 2\npooling: relu\nbranches:\n  - {name: T, dilations: [1, "
        "2], channels: 2}\n"
    )
    r = run("verify", str(f), "--mode", "exact", "-p", "0,1")
    assert r.exit_code == 2 and "floating point only" in r.stderr
    r = run("verify", str(f), "-p", "0,1")
    assert r.exit_code == 0 and "not-covered" in r.stdout


@pytest.mark.skipif(gpu_available(), reason="a GPU is present: the cupy backend works here")
def test_cupy_without_gpu_is_a_clear_error():
    r = run("verify", "builtin:worked-T", "--backend", "cupy")
    assert r.exit_code == 2
    assert "cupy" in r.stderr and "Traceback" not in r.output
