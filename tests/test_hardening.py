"""Issue 9 (hardening): one regression test per class of the fuzzing pass's table, and the
exit-code contract (0 ran clean, 1 violation / failed check, 2 bad input or refused size,
3 internal error; one line on stderr, a traceback only with --debug)."""

from __future__ import annotations

import json
import os
import sys

import pytest
import yaml
from typer.testing import CliRunner

from analyzer import load_spec, spec_from_dict
from analyzer.builtins import get_builtin
from analyzer.errors import ExprError, LimitError, SpecError
from analyzer.limits import Limits
from analyzer.spec import parse_spec_text
from analyzer.symbols import parse_expr
from expressivity.cli import app
from reports import safe_text

runner = CliRunner()

# a name with every kind of hostile text: Rich markup, mathtext, ESC, bidi override, NUL
HOSTILE = "[/x]\x1b[31mred\u202eevil\x00 $\\alpha^2$ [bold red]b[/] [link=http://e]l[/link]"


def run(*args: str):
    return runner.invoke(app, [str(a) for a in args])


def assert_contract(r, code: int, *needles: str) -> None:
    """Exit ``code``; no traceback; for 2 and 3 one line on stderr containing the needles."""
    out = r.output + (r.stderr if r.stderr_bytes is not None else "")
    assert r.exit_code == code, out
    assert "Traceback" not in out, out
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    if code in (2, 3):
        lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
        assert len(lines) == 1, r.stderr
        for n in needles:
            assert n in lines[0], (n, lines[0])


def write(tmp_path, name: str, data) -> str:
    p = tmp_path / name
    if isinstance(data, str):
        p.write_text(data, encoding="utf-8")
    else:
        p.write_text(json.dumps(data), encoding="utf-8")
    return str(p)


def mixed(channels="r", name="m", tname="T", tpname="Tp", **extra) -> dict:
    d = get_builtin("worked-mix2")  # N = 8: quick
    d = json.loads(json.dumps(d))
    d["name"] = name
    d["branches"][0]["name"], d["branches"][1]["name"] = tname, tpname
    for b in d["branches"]:
        b["channels"] = channels
    d["connections"][0]["branches"] = [tname, tpname]
    d.update(extra)
    return d


def raw(text: str) -> bool:
    """True when a control or bidi character reached the text raw."""
    return any(c in text for c in ("\x1b", "\u202e", "\x00"))


# --------------------------------------------------------------------------- exit codes
def test_internal_error_is_exit_3_never_1(monkeypatch):
    import expressivity.cmd_analyze as ca

    def boom(*a, **k):
        raise RuntimeError("injected")

    monkeypatch.setattr(ca, "analyze", boom)
    r = run("analyze", "builtin:worked-T")
    assert_contract(r, 3, "internal error: RuntimeError: injected", "--debug", "README")


def test_debug_shows_the_traceback_and_keeps_the_code(monkeypatch):
    import expressivity.cmd_analyze as ca

    monkeypatch.setattr(ca, "analyze", lambda *a, **k: 1 / 0)
    r = run("--debug", "analyze", "builtin:worked-T")
    assert r.exit_code == 3
    assert "Traceback" in r.stderr and "ZeroDivisionError" in r.stderr
    r = run("--debug", "analyze", "nonexistent.yaml")
    assert r.exit_code == 2 and "Traceback" in r.stderr


def test_main_turns_an_escaping_exception_into_3(monkeypatch, capsys):
    import expressivity.cli as cli

    def broken(*a, **k):
        raise KeyError("outside any command")

    monkeypatch.setattr(cli, "app", broken)
    with pytest.raises(SystemExit) as ei:
        cli.main(["analyze", "builtin:worked-T"])
    assert ei.value.code == 3
    err = capsys.readouterr().err
    assert "internal error: KeyError" in err and "Traceback" not in err


def test_memory_error_is_3(monkeypatch):
    import expressivity.cmd_analyze as ca

    def oom(*a, **k):
        raise MemoryError

    monkeypatch.setattr(ca, "analyze", oom)
    assert_contract(run("analyze", "builtin:worked-T"), 3, "internal error: MemoryError")


def test_usage_errors_stay_2():
    r = run("analyze")
    assert r.exit_code == 2 and "Traceback" not in r.output
    r = run("verify", "builtin:worked-T", "--seed", "x")
    assert r.exit_code == 2


# --------------------------------------------------------------------------- Rich markup
@pytest.mark.parametrize("cmd", ["analyze", "compare", "regress", "verify"])
def test_rich_markup_in_names_is_literal(tmp_path, cmd):
    spec = mixed(name="[/x] [bold red]n[/]", tname="[/x]", tpname="[link=http://e]T[/link]")
    spec["checks"] = [{"name": "[/y] check", "set": {"r": 2}, "partitions": "nodes"}]
    f = write(tmp_path, "m.json", spec)
    args = {
        "analyze": ("analyze", f),
        "compare": ("compare", f, "builtin:worked-T", "--sweep", "r=2", "--search", "none"),
        "regress": ("regress", f),
        "verify": ("verify", f, "--set", "r=2"),
    }[cmd]
    r = run(*args)
    assert_contract(r, 0)
    assert "[/x]" in r.output or cmd == "verify"  # verify prints the spec name only
    assert "[bold red]n[/]" in r.output


# --------------------------------------------------------------------------- control/bidi
@pytest.mark.parametrize("cmd", ["analyze", "compare", "regress"])
def test_control_and_bidi_characters_are_made_visible(tmp_path, cmd):
    spec = mixed(name=HOSTILE, tname=HOSTILE, tpname="B" + HOSTILE, description=HOSTILE)
    spec["checks"] = [{"name": HOSTILE, "set": {"r": 2}, "partitions": "nodes"}]
    f = write(tmp_path, "m.json", spec)
    args = {
        "analyze": ("analyze", f),
        "compare": ("compare", f, "builtin:worked-T", "--sweep", "r=2", "--search", "none"),
        "regress": ("regress", f, "--junit", tmp_path / "j.xml"),
    }[cmd]
    r = run(*args)
    assert_contract(r, 0)
    assert not raw(r.output)
    assert "\\x1b" in r.output and "U+202E" in r.output
    if cmd == "regress":
        xml = (tmp_path / "j.xml").read_text()
        assert not raw(xml) and "U+202E" in xml


def test_error_lines_show_control_characters_visibly(tmp_path):
    r = run("analyze", str(tmp_path / "no\x1bsuch.yaml"))
    assert_contract(r, 2, "no\\x1bsuch")


def test_safe_text_functions():
    assert safe_text.visible("a\x1b[31mb") == "a\\x1b[31mb"
    assert safe_text.visible("x\u202ey\x00z\u200b") == "xU+202Ey\\x00zU+200B"
    assert safe_text.visible("é ü 日本", keep_newlines=True) == "é ü 日本"
    assert safe_text.visible("a\nb") == "a\\x0ab"
    assert safe_text.visible("a\nb", keep_newlines=True) == "a\nb"
    from rich.text import Text

    assert Text.from_markup(safe_text.rich_text("[/x] [bold]b[/]")).plain == "[/x] [bold]b[/]"
    md = safe_text.markdown("*a* [l](u) <b> $x$ \x1b")
    assert "\\*a\\*" in md and "&lt;b&gt;" in md and "\\$x\\$" in md and "\\\\x1b" in md


@pytest.mark.parametrize("name", ["$\\foo$", "$\\alpha^2$", "a\\$b$", "50$ and 3$", "x\\y"])
def test_mathtext_escape_is_literal(name):
    from matplotlib.text import Text

    shown, is_math = Text()._preprocess_math(safe_text.mathtext(name))
    assert is_math is False and shown == name


# --------------------------------------------------------------------------- report
def test_report_with_hostile_names(tmp_path):
    spec = mixed(channels=2, name=HOSTILE, tname="$\\foo$", tpname=HOSTILE, description=HOSTILE)
    f = write(tmp_path, "m.json", spec)
    out = tmp_path / "rep"
    r = run("report", f, "--format", "md", "--out", out, "--no-verify")
    assert_contract(r, 0)
    md = (out / "report.md").read_text(encoding="utf-8")
    assert not raw(md) and "U+202E" in md and not raw(r.output)
    assert sorted(p.name for p in (out / "figures").iterdir())  # figures were drawn


def test_figure_titles_are_escaped(tmp_path):
    from reports import build_report, make_figures

    spec = spec_from_dict(mixed(channels=2, tname="$\\foo$", tpname="Tp"), source="m.json")
    data = build_report(spec, verify=False, partitions=["0,1"])
    figs = make_figures(data)
    titles = [ax.get_title() for fig in figs.values() for ax in fig.axes]
    assert any("\\$\\foo\\$" in t for t in titles), titles


# --------------------------------------------------------------------------- expression bombs
@pytest.mark.parametrize(
    "expr", ["9**9**9", "2**2**2**2**2**2", "r^(10^9)", "(r+1)^1000", "2**10**10*r", "1" * 5000]
)
def test_expression_bombs_are_refused_before_evaluation(expr):
    with pytest.raises(LimitError):
        parse_expr(expr)


def test_expression_bombs_through_the_cli(tmp_path):
    d = mixed(channels="9**9**9")
    assert_contract(run("analyze", write(tmp_path, "b.json", d)), 2, "--allow-large")
    r = run("analyze", "builtin:paper-T", "--set", "r=2**2**2**2**2**2")
    assert_contract(r, 2, "--set", "--allow-large")
    r = run("analyze", "builtin:paper-T", "--set", "r=r^(10^9)")
    assert_contract(r, 2, "degree")
    big = "name: t\ninput_channels: " + "7" * 5000 + "\nbranches:\n  - {name: T, dilations: [1], "
    big += "channels: 2}\n"
    assert_contract(run("analyze", write(tmp_path, "big.yaml", big)), 2, "digits")
    bigj = '{"name": "t", "input_channels": ' + "7" * 5000 + ', "branches": []}'
    assert_contract(run("analyze", write(tmp_path, "big.json", bigj)), 2, "digits")


def test_expression_parser_keeps_the_grammar():
    r = parse_expr("r")
    assert parse_expr("2*r^2 + (r+1)/2") == 2 * r**2 + (r + 1) / 2
    assert parse_expr("-2**2") == -4 and parse_expr("2**-1") * 2 == 1
    assert parse_expr("2**2**3") == 256  # right-associative
    for bad in ("2r", "f(x)", "r**r", "r**(1/2)", "1/0", "(r", "r)", "", "r $ 2", "٣"):
        with pytest.raises(ExprError):
            parse_expr(bad)
    with pytest.raises(LimitError):
        parse_expr("(" * 100 + "r" + ")" * 100)
    assert parse_expr("2**200", Limits.large()) == 2**200  # --allow-large lifts the digits


# --------------------------------------------------------------------------- sizes
@pytest.mark.parametrize(
    ("branch", "what"),
    [
        ({"name": "T", "dilations": [1, 4611686018427387904], "channels": 2}, "dilation"),
        ({"name": "T", "kernel": 1000000, "dilations": [1], "channels": 2}, "kernel"),
        ({"name": "T", "dilations": [1] * 500, "channels": 2}, "layers"),
    ],
)
def test_structure_sizes_are_refused(tmp_path, branch, what):
    f = write(tmp_path, "s.json", {"name": "s", "input_channels": 2, "branches": [branch]})
    assert_contract(run("analyze", f), 2, what, "--allow-large")


def test_many_paths_are_not_enumerated(tmp_path):
    # 40 layers of dilation 1: 2^40 input paths but only 41 positions (overlapping); the
    # structure is decided without listing the paths, so this is cheap and accepted
    branch = {"name": "T", "kernel": 2, "dilations": [1] * 40, "channels": 2}
    f = write(tmp_path, "s.json", {"name": "s", "input_channels": 2, "branches": [branch]})
    r = run("analyze", f, "-p", "0")
    assert r.exit_code == 0, r.output
    assert "overlapping" in r.output


def test_verify_memory_is_estimated_before_allocation():
    r = run("verify", "builtin:paper-T", "--set", "r=1000000000")
    assert_contract(r, 2, "estimated memory", "--allow-large")
    # a huge --max-k alone is harmless (the memory budget caps K); with a huge memory budget
    # the estimate refuses it before any allocation
    r = run(
        "verify", "builtin:paper-T", "--set", "r=2", "--max-k", "100000000", "--memory", "1000GiB"
    )
    assert_contract(r, 2, "estimated memory", "--allow-large")


def test_verify_cost_estimate_counts_the_matrix():
    from checks.guards import verify_cost

    arch = load_spec("builtin:paper-T", {"r": 2})
    small, big = verify_cost(arch, 100, mode="exact"), verify_cost(arch, 1000, mode="exact")
    # two K x K int64 matrices (the sample and a working copy) dominate: 100x more entries
    assert big["bytes"] - small["bytes"] >= 2 * 8 * (1000**2 - 100**2)


# --------------------------------------------------------------------------- nesting
def test_deep_nesting_is_refused(tmp_path):
    y = "name: t\ninput_channels: 2\nbranches: " + "[" * 500 + "]" * 500 + "\n"
    assert_contract(run("analyze", write(tmp_path, "d.yaml", y)), 2, "nested deeper than 64")
    j = '{"name": ' + "[" * 1000 + "]" * 1000 + "}"
    assert_contract(run("analyze", write(tmp_path, "d.json", j)), 2, "nested deeper than 64")
    j2 = '{"name": "' + "[" * 1000 + '", "x": 1}'  # brackets inside a string are not nesting
    assert_contract(run("analyze", write(tmp_path, "s.json", j2)), 2, "input_channels")


# --------------------------------------------------------------------------- special files
@pytest.mark.skipif(sys.platform == "win32", reason="POSIX special files")
def test_only_regular_files_are_read(tmp_path):
    assert_contract(run("analyze", "/dev/zero"), 2, "not a regular file")
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    assert_contract(run("analyze", fifo), 2, "not a regular file")
    assert_contract(run("analyze", tmp_path), 2, "is a directory")


def test_spec_file_size_is_limited(tmp_path):
    f = tmp_path / "huge.yaml"
    f.write_text("# " + "x" * (1 << 20) + "\n")
    assert_contract(run("analyze", f), 2, "size of the spec file", "--allow-large")


# --------------------------------------------------------------------------- seeds
@pytest.mark.parametrize(
    "args",
    [
        ("verify", "builtin:worked-T", "--seed", "-1"),
        ("verify", "builtin:worked-T", "--seed", str(2**32)),
        ("regress", "builtin:paper", "--seed", "-1"),
        ("compare", "builtin:paper-mixed", "builtin:paper-T", "--seed", "-1"),
        ("report", "builtin:worked-T", "--seed", "-1", "--out", "never-created"),
    ],
)
def test_seeds_outside_0_to_2_32_are_refused(args):
    assert_contract(run(*args), 2, "--seed", "0..2**32-1")
    assert not os.path.exists("never-created")


# --------------------------------------------------------------------------- -P all
def test_all_partitions_states_the_count_and_asks_for_allow_large(tmp_path):
    r = run("verify", "builtin:paper-T", "--set", "r=2", "-P", "all")
    assert_contract(r, 2, "32767", "--allow-large")
    out = tmp_path / "rep"
    r = run("report", "builtin:paper-T", "--set", "r=2", "-P", "all", "--out", out)
    assert_contract(r, 2, "32767", "--allow-large")
    assert not out.exists()
    r = run("verify", "builtin:worked-T", "-P", "all", "--mode", "exact", "--max-k", "16")
    assert r.exit_code == 0, r.output  # 8 used modes: 127 partitions, under the limit


# --------------------------------------------------------------------------- YAML typing
@pytest.mark.parametrize(
    ("text", "needle"),
    [
        (
            "name: t\ninput_channels: true\nbranches: [{name: T, dilations: [1], channels: 2}]",
            "boolean is not a number",
        ),
        (
            "name: t\ninput_channels: 2\nbranches: [{name: T, dilations: [1, true], channels: 2}]",
            "dilations.1",
        ),
        (
            "name: t\ninput_channels: 2\nbranches: [{name: T, dilations: [1], channels: 2}]\n"
            "branches: [{name: U, dilations: [1], channels: 2}]",
            "duplicate key 'branches'",
        ),
        (
            "name: !!binary aGVsbG8=\ninput_channels: 2\nbranches: [{name: T, dilations: [1], "
            "channels: 2}]",
            "binary",
        ),
        ("name: !!python/object/apply:os.getcwd []\ninput_channels: 2\n", "python"),
        ("name: &a t\ninput_channels: 2\nbranches: *a\n", "anchors"),
        (
            "name: 2024-01-01\ninput_channels: 2\nbranches: [{name: T, dilations: [1], "
            "channels: 2}]",
            "date",
        ),
        (
            "name: t\ninput_channels: 2.0\nbranches: [{name: T, dilations: [1], channels: 2}]",
            "input_channels",
        ),
    ],
)
def test_yaml_typing_is_strict(tmp_path, text, needle):
    assert_contract(run("analyze", write(tmp_path, "t.yaml", text)), 2, needle)


def test_json_duplicate_keys_and_constants(tmp_path):
    j = '{"name": "t", "name": "u", "input_channels": 2, "branches": []}'
    assert_contract(run("analyze", write(tmp_path, "d.json", j)), 2, "duplicate key 'name'")
    j = '{"name": "t", "input_channels": NaN, "branches": []}'
    assert_contract(run("analyze", write(tmp_path, "n.json", j)), 2, "NaN")


def test_booleans_are_not_numbers_in_the_python_api():
    d = mixed(channels=2)
    d["branches"][0]["kernel"] = True
    with pytest.raises(SpecError, match="boolean"):
        spec_from_dict(d)
    with pytest.raises(SpecError):
        parse_spec_text("a: 1\na: 2\n", "x.yaml")


# --------------------------------------------------------------------------- symbolic widths
@pytest.mark.parametrize(
    ("spec", "needle"),
    [
        (mixed(channels="r-1/2"), "never an integer"),
        (mixed(channels="2*r+1"), "exchanged channels"),  # half of 2r+1: never an integer
        (mixed(channels="r-1"), "is 0 at r = 1"),
        (mixed(channels="r", input_channels="100-r"), "below 1"),
    ],
)
def test_impossible_symbolic_widths_are_refused(tmp_path, spec, needle):
    assert_contract(run("analyze", write(tmp_path, "w.json", spec)), 2, needle)


def test_admissible_symbolic_widths_are_accepted(tmp_path):
    for ch in ("r", "2*r", "r^2", "(r+1)*r/2"):
        assert spec_from_dict(mixed(channels=ch)).symbol_names == ["r"]
    d = mixed(channels="2*r+1")
    d["connections"][0]["exchange"] = "r"
    assert_contract(run("analyze", write(tmp_path, "x.json", d), "-p", "0,1"), 0)


# --------------------------------------------------------------------------- regress inputs
@pytest.mark.parametrize(
    ("check", "needle"),
    [
        ({"set": {"q": 5}}, "checks.0.set: unknown symbol(s) q"),
        ({"set": {"r": 2}, "partition": []}, "checks.0.partition: an empty partition"),
        ({"set": {"r": -1}}, "checks.0.set.r"),
        ({"set": {"r": True}}, "boolean"),
        ({"set": {"r": 2}, "partitions": "bogus"}, "checks.0"),
    ],
)
def test_regress_check_inputs_name_the_check(tmp_path, check, needle):
    d = mixed(channels="r")
    d["checks"] = [check]
    assert_contract(run("regress", write(tmp_path, "c.json", d)), 2, needle)


# --------------------------------------------------------------------------- report writing
def _tree(path) -> dict:
    return {
        str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()
    }


def test_a_failed_report_leaves_the_previous_one_untouched(tmp_path, monkeypatch):
    import reports.build as rb

    out = tmp_path / "rep"
    r = run("report", "builtin:worked-mix2", "--format", "md", "--out", out, "-p", "0,1")
    assert r.exit_code == 0, r.output
    before = _tree(out)
    assert "report.md" in before and any(k.startswith("figures") for k in before)

    def fail_mid_write(data, figs):  # after the figures are written, before report.md
        raise RuntimeError("injected failure mid-write")

    monkeypatch.setattr(rb, "render_markdown", fail_mid_write)
    r = run(
        "report", "builtin:worked-mix2", "--format", "md", "--seed", "3", "--out", out, "-p", "0,1"
    )
    assert_contract(r, 3, "injected failure mid-write")
    assert _tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rep"]  # no temporary left


def test_a_new_report_replaces_the_old_one_whole(tmp_path):
    out = tmp_path / "rep"
    r = run("report", "builtin:worked-mix2", "--format", "md", "--out", out, "-p", "0,1")
    assert r.exit_code == 0
    stale = out / "figures" / "stale.png"
    stale.write_bytes(b"old")
    r = run("report", "builtin:worked-T", "--format", "md", "--out", out, "-p", "0,2,4,6")
    assert r.exit_code == 0, r.output
    assert not stale.exists() and "worked-T" in (out / "report.md").read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rep"]


def test_a_bad_spec_creates_nothing(tmp_path):
    out = tmp_path / "new" / "rep"
    assert_contract(run("report", "builtin:nope", "--out", out), 2)
    bad = write(tmp_path, "bad.yaml", "name: t\n")
    assert_contract(run("report", bad, "--out", out), 2)
    assert_contract(run("report", "builtin:paper-T", "--set", "r=0", "--out", out), 2)
    assert not (tmp_path / "new").exists()


def test_a_directory_with_other_files_is_not_replaced(tmp_path):
    keep = tmp_path / "notes.txt"
    keep.write_text("mine")
    r = run("report", "builtin:worked-T", "--format", "md", "--out", tmp_path)
    assert_contract(r, 2, "not a report")
    assert keep.read_text() == "mine"


def test_the_swap_without_renameat2(tmp_path, monkeypatch):
    import reports.build as rb

    monkeypatch.setattr(rb, "_exchange", lambda a, b: False)
    out = tmp_path / "rep"
    for spec in ("builtin:worked-T", "builtin:worked-mix2"):
        r = run("report", spec, "--format", "md", "--out", out, "-p", "0,1")
        assert r.exit_code == 0, r.output
    assert "worked-mix2" in (out / "report.md").read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rep"]


def test_yaml_spec_round_trip_still_loads(tmp_path):
    d = mixed(channels="r")
    f = tmp_path / "m.yaml"
    f.write_text(yaml.safe_dump(d))
    assert load_spec(str(f)).name == "m"


def test_a_regress_check_that_raises_is_exit_3(tmp_path, monkeypatch):
    import verify

    def boom(*a, **k):
        raise RuntimeError("harness bug")

    monkeypatch.setattr(verify, "verify_architecture", boom)
    d = mixed(channels=2)
    d["checks"] = [{"partitions": "nodes"}]
    junit = tmp_path / "j.xml"
    r = run("regress", write(tmp_path, "c.json", d), "--junit", junit)
    assert_contract(r, 3, "internal error", "harness bug")
    assert "ERROR" in r.stdout and "<error" in junit.read_text()
    r = run("--debug", "regress", write(tmp_path, "c.json", d))
    assert r.exit_code == 3 and "Traceback" in r.stderr


def test_compare_certify_is_sized_first():
    r = run(
        "compare",
        "builtin:paper-mixed",
        "builtin:paper-T",
        "--certify",
        "--max-k",
        "100000000",
        "--sweep",
        "r=64",
        "--search",
        "none",
        "-P",
        "halves",
    )
    assert_contract(r, 2, "compare --certify", "estimated memory", "--allow-large")


def test_verify_refuses_too_many_partitions(tmp_path):
    d = {
        "name": "n4096",
        "input_channels": 2,
        "branches": [{"name": "T", "dilations": [2**i for i in range(12)], "channels": 2}],
    }
    # every node of the N = 4096 tree: 2 * 4095 partitions (the default family above 1024
    # tree nodes is the representative one, so ask for the nodes explicitly)
    r = run("verify", write(tmp_path, "n.json", d), "--mode", "exact", "-P", "nodes")
    assert_contract(r, 2, "partitions to certify is 8190", "--allow-large")


# --------------------------------------------------------------------------- flags in errors
def test_library_errors_name_options_and_the_cli_names_flags():
    """The library names an option by its parameter (OptionError.option); the CLI's one line
    names the flag (expressivity.options.FLAGS)."""
    from analyzer.compare import parse_sweep
    from analyzer.errors import OptionError
    from checks import run_suite

    with pytest.raises(OptionError) as ei:
        run_suite("builtin:paper", size="huge")
    assert ei.value.option == "size" and "--" not in str(ei.value)
    with pytest.raises(OptionError) as ei:
        parse_sweep("r=0")
    assert ei.value.option == "sweep" and "--" not in str(ei.value)
    r = run("compare", "builtin:worked-T", "builtin:worked-T", "--sweep", "r=0")
    assert r.exit_code == 2
    assert "error: --sweep: sweep values must be >= 1, got 0" in r.output
    r = run("compare", "builtin:paper-T", "builtin:paper-T", "--set-b", "q=2")
    assert r.exit_code == 2 and "--set-b" in r.output
