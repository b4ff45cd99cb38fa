"""``expressivity analyze`` through typer's CliRunner: output, JSON schema, bad input (exit 2)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from expressivity.cli import app

runner = CliRunner()

MIXED = {
    "name": "mixed-T-Tp",
    "input_channels": 3,
    "branches": [
        {"name": "T", "kernel": 2, "dilations": [1, 2, 4], "channels": 2},
        {"name": "Tp", "dilations": [2, 1, 4], "channels": 2},
    ],
    "connections": [{"after_layer": 2, "branches": ["T", "Tp"]}],
}


def run(*args: str):
    return runner.invoke(app, ["analyze", *args])


def spec_file(tmp_path, name: str, data) -> str:
    p = tmp_path / name
    p.write_text(data if isinstance(data, str) else yaml.safe_dump(data), encoding="utf-8")
    return str(p)


def changed(**edits) -> dict:
    """MIXED with edits given as dotted-path=value (``branches__0__kernel=1``)."""
    out = json.loads(json.dumps(MIXED))
    for path, value in edits.items():
        keys = [int(k) if k.isdigit() else k for k in path.split("__")]
        node = out
        for k in keys[:-1]:
            node = node[k]
        node[keys[-1]] = value
    return out


def assert_bad_input(result, *words: str):
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    err = result.stderr
    assert err.startswith("error: ") and "Traceback" not in err and "Traceback" not in result.output
    assert len(err.strip().splitlines()) == 1, err
    for w in words:
        assert w in err, err


# ------------------------------------------------------------------ good input
def test_table_output_for_a_builtin():
    res = run("builtin:paper-mixed")
    assert res.exit_code == 0, res.output
    out = res.stdout
    assert "paper-mixed" in out and "kind: mixed" in out and "hybrid trees: 32" in out
    assert "16*r**2" in out and "rank bounds" in out


def test_layer_summary_names_the_width():
    # examples/wavenet-stack.yaml has widths w (layers 1-4) and 2*w (layers 5-8), dilations
    # 1, 2, 4, 8 twice: "w=" keeps a symbolic width apart from the letter w of the summary
    path = Path(__file__).resolve().parents[2] / "examples" / "wavenet-stack.yaml"
    res = run(str(path), "--partitions", "halves")
    assert res.exit_code == 0, res.output
    text = " ".join(res.stdout.split())  # the console wraps long lines
    assert "k2 d1 w=w, k2 d2 w=w, k2 d4 w=w, k2 d8 w=w, k2 d1 w=2*w" in text, res.stdout


def test_table_output_for_a_file(tmp_path):
    res = run(spec_file(tmp_path, "m.yaml", MIXED), "--partition", "0,1,4,5", "-p", "0,2,4,6")
    assert res.exit_code == 0, res.output
    # MIXED is builtin:worked-mix2; bounds on both I's are derived by hand in
    # tests/analyzer/test_analysis.py (WORKED_MIX2_UPPER_0145 = 36 and the routed lower bound 16;
    # {0,2,4,6} is the same computation with the roles of T and T' exchanged)
    for I in ("{0,1,4,5}", "{0,2,4,6}"):
        row = re.search(r"│ " + re.escape(I) + r" +│ explicit +│ +(\d+) +│ +(\d+) +│", res.stdout)
        assert row is not None, res.stdout
        assert (int(row.group(1)), int(row.group(2))) == (16, 36)


def test_json_output_schema():
    res = run("builtin:paper-mixed", "--set", "r=4", "--format", "json")
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert d["name"] == "paper-mixed"
    assert d["modes"] == list(range(16)) and d["receptive_field"] == 16
    assert [b["kind"] for b in d["branches"]] == ["tree", "tree"]
    assert d["kind"] == "mixed"
    assert d["mixture_nodes"] == [[[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11], [12, 13, 14, 15]]]
    assert d["parameters"] == {"symbolic": "256", "value": 256}
    assert d["values"] == {"r": 4}
    assert d["partitions"], "the default family (nodes) gives partitions"
    for p in d["partitions"]:
        assert p["I"] == sorted(p["I"]) and all(isinstance(x, int) for x in p["I"])
        assert isinstance(p["upper"], int) and isinstance(p["upper_symbolic"], str)
        assert isinstance(p["lower"], int) and p["lower"] <= p["upper"]
        assert isinstance(p["lower_source"], str) and isinstance(p["upper_source"], str)


def test_json_with_r_unset_keeps_symbolic_bounds():
    res = run("builtin:paper-mixed", "--format", "json", "-p", "0,2,4,6,8,9,12,13")
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert d["parameters"] == {"symbolic": "16*r**2", "value": None}
    assert d["symbols"] == ["r"]
    (p,) = d["partitions"]
    assert p["upper"] is None and p["upper_symbolic"] == "r**8"
    # per-edge widths: the 8 pairs sit inside the blocks (width r each): lower r^8 = upper
    assert p["lower"] is None and p["lower_symbolic"] == "r**8"
    assert p["claim5_lower"] == "r**8/256"
    assert p["lower_source"] == "Claim 5 + Theorem 7, widths per edge"
    assert d["hybrid_trees"]["count"] == 32 and d["hybrid_trees"]["width"] == "r/2"


def test_partition_families_and_all():
    res = run("builtin:worked-mix2", "--partitions", "all", "-f", "json")
    assert res.exit_code == 0, res.output
    parts = json.loads(res.stdout)["partitions"]
    assert len(parts) == 2**7 - 1  # every I up to complement (bench/ times N = 16)
    assert all(0 in p["I"] and 1 <= p["lower"] <= p["upper"] for p in parts)
    res = run("builtin:worked-T", "-P", "halves", "-P", "odd-even", "-P", "blocks:2", "-f", "json")
    assert [p["I"] for p in json.loads(res.stdout)["partitions"]] == [
        [0, 1, 2, 3],
        [0, 2, 4, 6],
        [0, 1, 4, 5],
    ]


def test_overlapping_builtin_defaults_to_halves_and_odd_even():
    res = run("builtin:wavenet-overlapping", "-f", "json")
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert d["kind"] == "overlapping" and [p["label"] for p in d["partitions"]] == [
        "halves",
        "odd-even",
    ]


def test_overlap_override_is_labelled(tmp_path):
    spec = changed(connections__0__after_layer=1, connections__0__allow_overlap=True)
    res = run(spec_file(tmp_path, "o.yaml", spec), "-f", "json", "-P", "halves")
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert d["kind"] == "overlapping" and d["connections"][0]["valid"] is False


# ------------------------------------------------------------------ bad input: spec files
BAD_FILES = [
    ("malformed YAML", "bad.yaml", "name: [a\n", ["bad.yaml", "malformed YAML", "line 2"]),
    ("malformed JSON", "bad.json", '{"name": "x",}', ["bad.json", "malformed JSON", "line 1"]),
    ("unknown key", "k.yaml", changed(colour="red"), ["k.yaml", "colour", "unknown key"]),
    (
        "unknown nested key",
        "k.yaml",
        changed(branches__0__kernal=2),
        ["branches.0.kernal", "unknown key"],
    ),
    ("kernel < 2", "k.yaml", changed(branches__0__kernel=1), ["k.yaml", "branches.0.kernel", "2"]),
    (
        "dilation < 1",
        "d.yaml",
        changed(branches__0__dilations=[1, 0, 4]),
        ["d.yaml", "branches.0.dilations.1", ">= 1"],
    ),
    (
        "width < 1",
        "w.yaml",
        changed(branches__1__channels=0),
        ["w.yaml", "branches.1.channels", ">= 1"],
    ),
    (
        "unequal widths",
        "u.yaml",
        changed(branches__0__channels=[2, 4, 2]),
        ["u.yaml", "connections.0", "unequal widths"],
    ),
    (
        "odd width, half exchange",
        "o.yaml",
        changed(branches__0__channels=3, branches__1__channels=3),
        ["o.yaml", "connections.0", "odd"],
    ),
    (
        "unknown branch",
        "b.yaml",
        changed(connections__0__branches=["T", "Q"]),
        ["b.yaml", "connections.0.branches", "'Q'"],
    ),
    (
        "unknown layer",
        "l.yaml",
        changed(connections__0__after_layer=3),
        ["l.yaml", "connections.0.after_layer", "unknown layer 3"],
    ),
    (
        "supports differ",
        "s.yaml",
        changed(connections__0__after_layer=1),
        ["s.yaml", "connections.0", "not a mixture node", "allow_overlap"],
    ),
    ("not a mapping", "m.yaml", "- 1\n", ["m.yaml", "mapping"]),
]


@pytest.mark.parametrize(
    ("what", "name", "content", "words"), BAD_FILES, ids=[b[0] for b in BAD_FILES]
)
def test_bad_spec_file(tmp_path, what, name, content, words):
    path = spec_file(tmp_path, name, content)
    assert_bad_input(run(path), *words)


def test_missing_file_and_unknown_builtin(tmp_path):
    assert_bad_input(run(str(tmp_path / "none.yaml")), "none.yaml", "no such file")
    assert_bad_input(run("builtin:nope"), "builtin:nope", "unknown builtin")


# ------------------------------------------------------------------ bad input: options
BAD_OPTIONS = [
    (
        "unknown symbol",
        ["builtin:paper-mixed", "--set", "q=3"],
        ["builtin:paper-mixed", "--set", "unknown symbol", "q"],
    ),
    ("set without value", ["builtin:paper-mixed", "--set", "r"], ["--set", "NAME=VALUE"]),
    (
        "set to a bad expression",
        ["builtin:paper-mixed", "--set", "r=exp(1)"],
        ["--set", "function"],
    ),
    (
        "set to an odd width",
        ["builtin:paper-mixed", "--set", "r=3"],
        ["builtin:paper-mixed", "odd"],
    ),
    ("set to zero", ["builtin:paper-mixed", "--set", "r=0"], ["builtin:paper-mixed", ">= 1"]),
    ("concrete spec, any symbol", ["builtin:worked-T", "--set", "r=2"], ["unknown symbol", "none"]),
    (
        "all beyond the guard",
        ["builtin:groupswap-k3-T", "--partitions", "all"],
        ["--partitions", "above the limit 20", "--allow-large"],
    ),
    (
        "unused position",
        ["builtin:wavenet-gapped", "--partition", "2"],
        ["--partition", "not used modes", "{0,1,4,5,16,17,20,21}"],
    ),
    ("empty partition", ["builtin:wavenet-gapped", "--partition", ""], ["--partition", "empty"]),
    (
        "all modes",
        ["builtin:worked-T", "--partition", "0,1,2,3,4,5,6,7"],
        ["--partition", "every used mode"],
    ),
    ("not numbers", ["builtin:worked-T", "--partition", "0-3"], ["--partition", "comma-separated"]),
    (
        "unknown family",
        ["builtin:worked-T", "--partitions", "leaves"],
        ["--partitions", "unknown partition family", "'leaves'"],
    ),
    ("bad blocks", ["builtin:worked-T", "--partitions", "blocks:9"], ["--partitions", "blocks:K"]),
    (
        "nodes of an overlapping net",
        ["builtin:wavenet-overlapping", "--partitions", "nodes"],
        ["mode tree"],
    ),
    ("bad format", ["builtin:worked-T", "--format", "xml"], ["--format", "'xml'", "table, json"]),
]


@pytest.mark.parametrize(("what", "args", "words"), BAD_OPTIONS, ids=[b[0] for b in BAD_OPTIONS])
def test_bad_option(what, args, words):
    assert_bad_input(run(*args), *words)


def test_symbolic_families_on_the_paper_tree():
    # blocks:4 = {0..3, 8..11}: two tiling nodes on each side (r^2); odd-even: eight leaves (r^8)
    res = run("builtin:paper-T", "--partitions", "blocks:4", "-P", "odd-even", "-f", "json")
    assert res.exit_code == 0, res.output
    assert [p["upper_symbolic"] for p in json.loads(res.stdout)["partitions"]] == ["r**2", "r**8"]


# --------------------------------------------------------------------------- scale (issue 12)
def test_grouped_rows_ranges_and_all_rows():
    # paper-T at r = 4: the 8 leaves (depth 4) have equal bounds, as do the 4 leaf pairs
    res = run("builtin:paper-T", "--set", "r=4", "-P", "nodes")
    assert res.exit_code == 0, res.output
    # 2 + 4 + 8 + 16 nodes, {8..15} being the complement of {0..7}: 29 partitions, 4 levels
    assert "29 partition(s) in 4 group(s)" in res.stdout and "alike" in res.stdout
    assert "{0..7}" in res.stdout  # a node shown as a range
    res = run("builtin:paper-T", "--set", "r=4", "-P", "nodes", "--all-rows")
    assert res.exit_code == 0 and "alike" not in res.stdout
    assert "29 partition(s))" in res.stdout


def test_huge_bounds_compact_and_exact():
    res = run("builtin:paper-timit", "--set", "r=32", "-P", "odd-even")
    assert res.exit_code == 0, res.output
    # lower = upper = 32^2048 = 2^10240 (routed lower bound: full-width leaf pairs)
    assert "2^10240" in res.stdout and "2^8192" not in res.stdout
    assert "hybrid trees: 2^1365" in res.stdout
    assert "(2048 runs)" in res.stdout and "{0..4095}" in res.stdout  # used modes as a range
    exact = run("builtin:paper-timit", "--set", "r=32", "-P", "odd-even", "--exact")
    digits = "".join(ch for ch in exact.stdout if ch.isdigit())
    # every digit: upper and lower 32^2048 (3083 digits each)
    assert len(str(32**2048)) == 3083
    assert "2^10240" not in exact.stdout and len(digits) > 2 * 3083


def test_default_representative_family_is_announced():
    res = run("builtin:paper-timit", "--set", "r=32")
    assert res.exit_code == 0, res.output
    assert "representative family" in res.stdout and "--partitions nodes" in res.stdout


def test_refused_size_names_the_flag(tmp_path):
    spec = {
        "name": "deep",
        "input_channels": 2,
        "branches": [{"name": "T", "dilations": [2**i for i in range(21)], "channels": 2}],
    }
    assert_bad_input(run(spec_file(tmp_path, "deep.yaml", spec)), "units", "--allow-large")
