"""Benchmark of the symbolic analyzer at concrete widths (a script, not a timed test).

(a) every node partition of a 10-layer binary tree (k = 2, dilations 1, 2, ..., 512; N = 1024),
    width 4, M = 4. Target: under 2 s.
(b) ``--partitions all`` for builtin:paper-mixed at r = 4 (N = 16: 2^15 - 1 partitions).
    Target: under 10 s.

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

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from analyzer import analyze, load_spec, spec_from_dict  # noqa: E402
from bench.machine import machine  # noqa: E402

TREE10 = {
    "name": "tree-L10",
    "input_channels": 4,
    "branches": [{"name": "T", "kernel": 2, "dilations": [2**i for i in range(10)], "channels": 4}],
}
TARGETS = {"a": 2.0, "b": 10.0}


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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", help="write the figures as markdown to this file")
    args = ap.parse_args()

    import json
    import tempfile

    rows = [case_a(args.repeat), case_b(args.repeat)]
    with tempfile.TemporaryDirectory() as tmp:
        spec = os.path.join(tmp, "tree-L10.json")
        with open(spec, "w", encoding="utf-8") as f:
            json.dump(TREE10, f)
        rows[0]["cli"] = cli_seconds(
            ["analyze", spec, "--partitions", "nodes", "--format", "json"], args.repeat
        )
    rows[1]["cli"] = cli_seconds(
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
    text = "\n".join(lines) + "\n"
    print(text, end="")
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text)


if __name__ == "__main__":
    main()
