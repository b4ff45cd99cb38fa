"""`expressivity verify` flags of the adaptive run: budgets, --repeat, --window, --rank-method."""

import json

from typer.testing import CliRunner

from expressivity.cli import app

runner = CliRunner()


def run(*args):
    return runner.invoke(app, ["verify", *args])


def test_json_carries_k_stop_and_epsilon():
    r = run(
        "builtin:worked-mix2",
        "-p",
        "0,2,4,6",
        "-p",
        "0,1,2,3",
        "--format",
        "json",
        "--repeat",
        "2",
        "--k-start",
        "16",
        "--memory",
        "64MiB",
        "--seconds",
        "30",
    )
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["repeat"] == 2 and d["budget"]["k_start"] == 16
    assert d["budget"]["memory_bytes"] == 64 * 2**20 and d["budget"]["seconds"] == 30
    p = {tuple(q["I"]): q for q in d["partitions"]}
    a = p[(0, 2, 4, 6)]
    # theory.md worked table: mix2 has rank 34 on {0,2,4,6}, below its propagation bound 50
    assert a["certified_lower"] == 34 and a["stop"] == "rank-below-K" and a["repeats"] == 2
    assert 0 < a["epsilon"] < 1e-6 and a["steps"][0]["K"] == [16, 16]
    assert p[(0, 1, 2, 3)]["stop"] == "upper" and p[(0, 1, 2, 3)]["epsilon"] == 0


def test_window_flag_and_table():
    r = run("builtin:worked-T", "-p", "0,2,4,6", "--window", "0:4")
    assert r.exit_code == 0, r.output
    assert "windowed" in r.stdout and "stop" in r.stdout


def test_bad_flags_exit_2():
    for args in (
        ("--memory", "lots"),
        ("--window", "a:b"),
        ("--repeat", "0"),
        ("--rank-method", "abacus"),
        ("--k-start", "0"),
    ):
        r = run("builtin:worked-T", "-p", "0,1", *args)
        assert r.exit_code == 2, (args, r.output)
        assert "Traceback" not in r.output


def test_long_position_sets_are_summarised():
    # the table uses the one position formatter of the analyzer (runs, long sets shortened)
    from analyzer.circuit import fmt_mask, mask_of

    assert fmt_mask(mask_of([0, 2, 4])) == "{0,2,4}"
    assert fmt_mask(mask_of(range(100))) == "{0..99}"
    odd = list(range(1, 4096, 2))
    assert fmt_mask(mask_of(odd)).endswith("4093,4095} (2048 runs)")
    assert fmt_mask(mask_of(list(range(20)) + [30, 31])) == "{0..19,30,31}"
