"""Benchmark of the symbolic analyzer at concrete widths (a script, not a timed test).

(a) every node partition of a 10-layer binary tree (k = 2, dilations 1, 2, ..., 512; N = 1024),
    width 4, M = 4. Target: under 2 s.
(b) ``--partitions all`` for builtin:paper-mixed at r = 4 (N = 16: 2^15 - 1 partitions).
    Target: under 10 s.
(c) examples/wavenet-stack.yaml with its width symbol ``w`` unset (default partitions): the
    plain ``expressivity analyze examples/wavenet-stack.yaml``, whose undecided mins of ``4^k``
    against ``w^j`` took minutes on sympy expressions. Target: under 10 s. Baseline, measured in
    the same run: the same spec at ``--set w=4`` (Python integers); the ratio symbolic /
    integer is printed beside the seconds.

Each case is timed through the Python API (``load_spec`` + ``analyze``: what the CLI runs before
printing) and end to end through the CLI (``expressivity analyze ... --format json`` in this
interpreter, output discarded). Best of ``--repeat`` runs.

Usage: python bench/bench_analyzer.py [--repeat 3] [--out bench/results/analyzer-DATE.md]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import os
import sys
import time

import sympy

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from analyzer import analyze, load_spec, spec_from_dict  # noqa: E402
from bench.machine import machine  # noqa: E402

TREE10 = {
    "name": "tree-L10",
    "input_channels": 4,
    "branches": [{"name": "T", "kernel": 2, "dilations": [2**i for i in range(10)], "channels": 4}],
}
TARGETS = {"a": 2.0, "b": 10.0, "c": 10.0}
WAVENET_STACK = os.path.join(os.path.dirname(__file__), "..", "examples", "wavenet-stack.yaml")


def load() -> str:
    try:
        return " / ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def best_of(fn, repeat: int) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def cli_seconds(args: list[str], repeat: int) -> float:
    from typer.testing import CliRunner

    from expressivity.cli import app

    runner = CliRunner()

    def go():
        with contextlib.redirect_stdout(io.StringIO()):
            res = runner.invoke(app, args)
        if res.exit_code != 0:
            raise SystemExit(f"CLI failed: {res.output}")
        return res

    return best_of(go, repeat)[0]


def case_a(repeat: int) -> dict:
    def run():
        return analyze(spec_from_dict(TREE10, source="bench:tree-L10"), families=["nodes"])

    secs, a = best_of(run, repeat)
    n = len(a.partitions)
    assert a.circuit.N == 1024 and n == 2 * 1024 - 3  # every node but the root, less one duplicate
    # sanity (Theorem 7): a node has one tiling node, so rank <= r = 4; it has a sibling in J,
    # so rank >= 4, except a child of the root (depth 1; the output is one product: rank 1)
    for p in a.partitions:
        expect = 1 if len(p.I) == 512 else 4
        assert (p.lower, p.upper) == (expect, expect), (p.I[:4], p.lower, p.upper)
    return {
        "label": "(a) every node partition, 10-layer binary tree, N = 1024, width 4, M = 4",
        "partitions": n,
        "api": secs,
        "target": TARGETS["a"],
    }


def case_b(repeat: int) -> dict:
    def run():
        return analyze(load_spec("builtin:paper-mixed", {"r": 4}), families=["all"])

    secs, a = best_of(run, repeat)
    n = len(a.partitions)
    assert n == 2**15 - 1
    assert all(p.lower <= p.upper for p in a.partitions)
    return {
        "label": "(b) --partitions all, builtin:paper-mixed, r = 4, N = 16",
        "partitions": n,
        "api": secs,
        "target": TARGETS["b"],
    }


def case_c(repeat: int) -> dict:
    def run(values=None):
        return analyze(load_spec(WAVENET_STACK), values=values)

    secs, a = best_of(run, repeat)
    base, b = best_of(lambda: run({"w": 4}), repeat)
    # sanity: the symbolic bound at w = 4 is the integer analysis' (tests/test_examples.py)
    for p, q in zip(a.partitions, b.partitions, strict=True):
        assert int(sympy.sympify(p.upper_symbolic).subs("w", 4)) == q.upper
    return {
        "label": "(c) examples/wavenet-stack.yaml, symbolic w, default partitions (CLI: table)",
        "partitions": len(a.partitions),
        "api": secs,
        "api_base": base,
        "target": TARGETS["c"],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", help="write the figures as markdown to this file")
    ap.add_argument("--cases", default="abc", help="which cases to run (default: abc)")
    args = ap.parse_args()

    import json
    import tempfile

    rows = []
    if "a" in args.cases:
        rows.append(case_a(args.repeat))
        with tempfile.TemporaryDirectory() as tmp:
            spec = os.path.join(tmp, "tree-L10.json")
            with open(spec, "w", encoding="utf-8") as f:
                json.dump(TREE10, f)
            rows[-1]["cli"] = cli_seconds(
                ["analyze", spec, "--partitions", "nodes", "--format", "json"], args.repeat
            )
    if "b" in args.cases:
        rows.append(case_b(args.repeat))
        rows[-1]["cli"] = cli_seconds(
            [
                "analyze",
                "builtin:paper-mixed",
                "--set",
                "r=4",
                "--partitions",
                "all",
                "--format",
                "json",
            ],
            args.repeat,
        )
    if "c" in args.cases:
        rows.append(case_c(args.repeat))
        rows[-1]["cli"] = cli_seconds(["analyze", WAVENET_STACK], args.repeat)
        rows[-1]["cli_base"] = cli_seconds(["analyze", WAVENET_STACK, "--set", "w=4"], args.repeat)

    today = dt.date.today().isoformat()
    lines = [
        f"# analyzer benchmark, {today}",
        "",
        f"machine: {machine()}",
        "",
        f"command: python bench/bench_analyzer.py --repeat {args.repeat}; "
        f"best of {args.repeat} runs; "
        "ratio = seconds / target (below 1 meets the target)",
        "",
        f"load average at the end (1/5/15 min): {load()} (the machine is shared)",
        "",
        "| case | partitions | API s | ratio | CLI (JSON) s | ratio | target s |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        t = r["target"]
        lines.append(
            f"| {r['label']} | {r['partitions']} | {r['api']:.2f} | {r['api'] / t:.2f} | "
            f"{r['cli']:.2f} | {r['cli'] / t:.2f} | {t:g} |"
        )
    base = [r for r in rows if "api_base" in r]
    if base:
        lines += [
            "",
            "Against a baseline measured in the same run (the same spec with concrete widths):",
            "",
            "| case | baseline | API s | baseline API s | ratio | CLI s | baseline CLI s | ratio |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for r in base:
            lines.append(
                f"| {r['label']} | `--set w=4` | {r['api']:.3f} | {r['api_base']:.3f} | "
                f"{r['api'] / r['api_base']:.1f} | {r['cli']:.3f} | {r['cli_base']:.3f} | "
                f"{r['cli'] / r['cli_base']:.1f} |"
            )
    text = "\n".join(lines) + "\n"
    print(text, end="")
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text)


if __name__ == "__main__":
    main()
