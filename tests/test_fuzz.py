"""Fuzzing the command line (issue 9): valid, near-valid and hostile specs and options.

Asserts only the contract: the exit code is 0, 1 or 2 (never 3, an internal error), no Python
traceback reaches the output, and every example ends (Hypothesis' deadline, generous: a hang
detector, not a speed test) under small size limits (``SMALL``). The default profile is small
(a few dozen examples); ``-m slow`` runs a long one (bench/results/fuzz-2026-11-30.md).
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from analyzer.limits import Limits
from expressivity.cli import app

runner = CliRunner()

# small limits keep every example short (the flags and limits are the real ones otherwise)
SMALL = Limits(
    spec_bytes=64 << 10,
    nesting=32,
    int_digits=12,
    partitions=300,
    expr_chars=200,
    degree=8,
    kernel=4,
    layers=6,
    branches=3,
    receptive_field=64,
    verify_units=4096,
    verify_bytes=64 << 20,
    partition_family=64,
)

# ---------------------------------------------------------------------------- strategies
HOSTILE_TEXT = [
    "[/x]",
    "[bold red]a[/]",
    "[link=http://e]l[/link]",
    "$\\foo$",
    "$\\alpha^2$",
    "\x1b[31mred",
    "\u202eevil",
    "a\x00b",
    "",
    " ",
    "\\",
    "*_`#|<b>&",
    "a" * 300,
    "日本",
]
EXPRESSIONS = [
    "r",
    "2*r",
    "r^2",
    "r/2",
    "r-1/2",
    "2*r+1",
    "r-1",
    "9**9**9",
    "2**2**2**2**2**2",
    "r^(10^9)",
    "(" * 40 + "r" + ")" * 40,
    "f(x)",
    "r**r",
    "1/0",
    "2r",
    "I",
    "r+" * 60 + "r",
    "10**11",
    "-3",
    "0",
]
NUMBERS = [
    0,
    1,
    2,
    3,
    4,
    -1,
    True,
    False,
    2.0,
    2.5,
    10**11,
    2**62,
    10**40,
    None,
    float("inf"),
]
hostile_text = st.sampled_from(HOSTILE_TEXT) | st.text(max_size=12)
width = st.one_of(  # mostly valid, so that the valid paths are exercised too
    st.integers(1, 4),
    st.integers(1, 4),
    st.just("r"),
    st.sampled_from(EXPRESSIONS),
    st.sampled_from(NUMBERS),
)
any_value = st.recursive(
    st.sampled_from(NUMBERS) | hostile_text | width,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(hostile_text, inner, max_size=3),
    max_leaves=8,
)


@st.composite
def branch(draw, name=None):
    L = draw(st.integers(1, 4))
    b = {
        "name": name or draw(st.sampled_from(["T", "Tp"]) | hostile_text),
        "kernel": draw(st.sampled_from([2, 2, 2, 3])),
        "dilations": draw(
            st.lists(st.sampled_from([1, 2, 4, 8]), min_size=L, max_size=L)
            | st.just([2**i for i in range(L)])
        ),
        "channels": draw(width),
    }
    return b


@st.composite
def spec(draw):
    """A spec: valid-ish, then possibly mutated (near-valid) or hostile."""
    d = {
        "name": draw(st.sampled_from(["s", "mixed"]) | hostile_text),
        "input_channels": draw(width),
        "branches": [draw(branch(name="T"))],
    }
    if draw(st.booleans()):  # the mixed network of the worked table, sometimes
        d["branches"] = [
            {"name": "T", "dilations": [1, 2, 4], "channels": draw(width)},
            {"name": "Tp", "dilations": [2, 1, 4], "channels": draw(width)},
        ]
        d["connections"] = [
            {"after_layer": draw(st.sampled_from([1, 2, 3])), "branches": ["T", "Tp"]}
        ]
        if draw(st.booleans()):
            d["connections"][0]["exchange"] = draw(width)
    if draw(st.booleans()):
        d["checks"] = [
            draw(
                st.fixed_dictionaries(
                    {},
                    optional={
                        "name": hostile_text,
                        "set": st.dictionaries(
                            st.sampled_from(["r", "q", "M"]), st.sampled_from(NUMBERS)
                        ),
                        "partition": st.lists(st.integers(-1, 9), max_size=4),
                        "partitions": st.sampled_from(["nodes", "halves", "all", "bogus", ""]),
                        "expect_upper": st.sampled_from(NUMBERS),
                        "certify": st.booleans(),
                    },
                )
            )
        ]
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 2]))):  # near-valid: a field replaced
        path = draw(
            st.sampled_from(
                [
                    "name",
                    "input_channels",
                    "branches",
                    "pooling",
                    "readout",
                    "output_channel",
                    "extra",
                    "b0",
                    "b0.dilations",
                    "b0.kernel",
                ]
            )
        )
        value = draw(any_value)
        bs = d.get("branches")
        if path.startswith("b0") and isinstance(bs, list) and bs and isinstance(bs[0], dict):
            key = (
                path.split(".")[1]
                if "." in path
                else draw(st.sampled_from(["channels", "name", "x"]))
            )
            bs[0][key] = value
        else:
            d[path] = value
    return d


@st.composite
def spec_text(draw):
    d = draw(spec())
    how = draw(st.sampled_from(["yaml", "json", "yaml", "raw"]))
    if how == "json":
        try:
            return "s.json", json.dumps(d)
        except (ValueError, TypeError):
            return "s.json", "{"
    try:
        text = yaml.safe_dump(d, allow_unicode=draw(st.booleans()))
    except yaml.YAMLError:
        text = "name: ["
    if how == "raw":  # cut, add tags, duplicate keys, deep nesting
        edit = draw(st.sampled_from(["cut", "tag", "dup", "deep", "anchor"]))
        if edit == "cut":
            text = text[: draw(st.integers(0, len(text)))]
        elif edit == "tag":
            text = text.replace(
                "name: ",
                draw(st.sampled_from(["name: !!binary ", "name: !!python/none ", "name: !x "])),
                1,
            )
        elif edit == "dup":
            text = text + "\n" + text.splitlines()[0] + "\n"
        elif edit == "deep":
            n = draw(st.integers(10, 200))
            text = text + "\nextra: " + "[" * n + "]" * n + "\n"
        else:
            text = "x: &a 1\ny: *a\n" + text
    return "s.yaml", text


COMMANDS = ["analyze", "verify", "regress", "compare", "report"]
SETS = [
    "r=2",
    "r=4",
    "r=-1",
    "r=0",
    "q=3",
    "r=9**9**9",
    "r=10**11",
    "r=",
    "=2",
    "r=2*M",
    "M=r",
    "r=1/2",
    "r=2.5",
]
PARTS = ["0,1", "0,2,4,6", "", "0,0", "99", "-1", "a,b", "0,1,2,3,4,5,6,7"]
FAMS = ["nodes", "halves", "odd-even", "blocks:2", "blocks:0", "all", "paper", "bogus"]
SEEDS = ["0", "5", "-1", str(2**32), "4294967295", "x"]


@st.composite
def command_line(draw, tmp):
    name, text = draw(spec_text())
    f = tmp / name
    f.write_text(text, encoding="utf-8")
    cmd = draw(st.sampled_from(COMMANDS))
    args = [cmd, str(f)]
    if cmd == "compare":
        args.append(draw(st.sampled_from(["builtin:worked-T", str(f)])))
        args += [
            "--search",
            "none",
            "--sweep",
            draw(st.sampled_from(["r=2", "r=2,4", "q=2", "r=x"])),
        ]
    for _ in range(draw(st.integers(0, 2))):
        args += ["--set", draw(st.sampled_from(SETS))]
    if cmd in ("analyze", "verify", "compare", "report") and draw(st.booleans()):
        args += ["-p", draw(st.sampled_from(PARTS))]
    if cmd in ("analyze", "verify", "compare", "report") and draw(st.booleans()):
        args += ["-P", draw(st.sampled_from(FAMS))]
    if cmd in ("verify", "regress", "compare", "report") and draw(st.booleans()):
        args += ["--seed", draw(st.sampled_from(SEEDS))]
    if cmd in ("verify", "report"):
        args += ["--max-k", draw(st.sampled_from(["8", "16", "0", "100000000"])), "--mode", "exact"]
    if cmd == "report":
        args += ["--format", "md", "--out", str(tmp / "rep")]
    if cmd == "regress" and draw(st.booleans()):
        args.append("--no-certify")
    if draw(st.integers(0, 9)) == 0:
        args += ["--format", draw(st.sampled_from(["json", "xml"]))] if cmd != "report" else []
    return args


def check_contract(args: list[str]) -> int:
    r = runner.invoke(app, args)
    out = r.output + (r.stderr or "")
    assert r.exit_code in (0, 1, 2), (args, r.exit_code, out[-2000:])
    assert "Traceback" not in out, (args, out[-2000:])
    assert r.exception is None or isinstance(r.exception, SystemExit), (args, r.exception)
    return r.exit_code


@pytest.fixture
def small_limits(monkeypatch):
    import expressivity.options as opts

    monkeypatch.setattr(opts, "DEFAULT_LIMITS", SMALL)


def _fuzz(tmp_path_factory, data, stats=None):
    tmp = tmp_path_factory.mktemp("fuzz")
    args = data.draw(command_line(tmp))
    code = check_contract(args)
    if stats is not None:
        stats[code] = stats.get(code, 0) + 1


COMMON = dict(
    deadline=timedelta(seconds=60),  # a hang detector (generous on a loaded machine)
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.data_too_large,
    ],
    derandomize=True,
)


@settings(max_examples=40, **COMMON)
@given(data=st.data())
def test_fuzz_cli_contract(small_limits, tmp_path_factory, data):
    _fuzz(tmp_path_factory, data)


STATS: dict[int, int] = {}


@pytest.mark.slow
@settings(max_examples=5000, **{**COMMON, "derandomize": False})
@given(data=st.data())
def test_fuzz_cli_contract_long(small_limits, tmp_path_factory, data):
    _fuzz(tmp_path_factory, data, STATS)


@pytest.mark.slow
def test_fuzz_report_stats():
    """Prints the long run's exit codes (run after test_fuzz_cli_contract_long, with -s)."""
    print("fuzz exit codes:", dict(sorted(STATS.items())), "examples:", sum(STATS.values()))


def test_strategies_cover_the_hostile_classes():
    """The pools hold an example of every class of issue 9's table (so the fuzz reaches them)."""
    text = " ".join(HOSTILE_TEXT + EXPRESSIONS + SETS + SEEDS + FAMS)
    for needle in ("[/x]", "$\\foo$", "\x1b", "\u202e", "\x00", "9**9**9", "r^(10^9)", "-1", "all"):
        assert needle in text, needle
    assert True in NUMBERS and 10**40 in NUMBERS
