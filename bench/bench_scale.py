"""Scale benchmark (issue 12): analyze on real-scale architectures, this tree vs a baseline.

Each row runs the command line in a fresh interpreter under ``/usr/bin/time`` (wall seconds,
peak resident memory) with a timeout; the baseline is another checkout of the project (by
default /work/main, the main branch) run the same way in the same session, so the ratio is
measured under the same load. Usage::

    python bench/bench_scale.py [--baseline /work/main] [--timeout 60] [--no-baseline]
        [--only LABEL-SUBSTRING] [--no-growth]

Prints a Markdown table (the figures recorded in bench/results/scale-*.md).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from machine import machine  # noqa: E402


def tree_spec(tmp: Path, depth: int) -> str:
    p = tmp / f"tree{depth}.yaml"
    spec = {
        "name": f"tree-depth-{depth}",
        "input_channels": "r",
        "branches": [{"name": "T", "dilations": [2**i for i in range(depth)], "channels": "r"}],
    }
    p.write_text(yaml.safe_dump(spec), encoding="utf-8")
    return str(p)


def huge_dilation_spec(tmp: Path) -> str:
    p = tmp / "huge.yaml"
    spec = {
        "name": "huge-dilation",
        "input_channels": "r",
        "branches": [{"name": "A", "dilations": [2**30], "channels": "r"}],
    }
    p.write_text(yaml.safe_dump(spec), encoding="utf-8")
    return str(p)


def builtin_files(tmp: Path) -> dict[str, str]:
    """The new builtins as plain spec files the baseline can read (``repeat`` written out)."""
    sys.path.insert(0, str(ROOT))
    from analyzer.builtins import get_builtin

    out = {}
    for name in ("paper-timit", "wavenet", "tcn", "bytenet"):
        spec = get_builtin(name)
        for b in spec["branches"]:
            rep = b.pop("repeat", 1)
            b["dilations"] = b["dilations"] * rep
        p = tmp / f"{name}.yaml"
        p.write_text(yaml.safe_dump(spec), encoding="utf-8")
        out[f"builtin:{name}"] = str(p)
    return out


def run(root: str, args: list[str], timeout: int) -> tuple[str, str, str]:
    """(seconds, MB, outcome) of ``python -m expressivity analyze ARGS`` in checkout ``root``."""
    env = dict(os.environ, PYTHONPATH=root)
    cmd = ["/usr/bin/time", "-f", "TIME %e %M", "timeout", str(timeout), sys.executable]
    cmd += ["-m", "expressivity", "analyze", *args]
    res = subprocess.run(cmd, env=env, cwd=root, capture_output=True, text=True)
    line = [x for x in res.stderr.splitlines() if x.startswith("TIME ")]
    secs, kb = line[-1].split()[1:] if line else ("?", "0")
    rc = res.returncode
    out = {0: "ok", 2: "refused (exit 2)", 124: f"timeout {timeout} s"}.get(rc, f"exit {rc}")
    if rc not in (0, 2, 124):
        tail = (res.stderr.strip().splitlines() or [""])[-1]
        for w in ("Traceback", "MemoryError", "ValueError"):
            if w in res.stderr:
                out += f" ({tail[:60]})"
                break
    return secs, f"{int(kb) / 1024:.0f}", out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--baseline", default="/work/main")
    ap.add_argument("--timeout", type=int, default=60)
    ap.add_argument("--no-baseline", action="store_true")
    ap.add_argument("--only", default="", help="run only the rows whose label contains this")
    ap.add_argument("--no-growth", action="store_true", help="skip the growth table")
    ns = ap.parse_args()
    tmp = Path(tempfile.mkdtemp())
    t14 = tree_spec(tmp, 14)
    files = builtin_files(tmp)
    rows = [
        ("paper-timit, r=32, default", ["builtin:paper-timit", "--set", "r=32"]),
        (
            "paper-timit, r=32, odd-even, json",
            ["builtin:paper-timit", "--set", "r=32", "-P", "odd-even", "-f", "json"],
        ),
        ("paper-timit, symbolic r, odd-even", ["builtin:paper-timit", "-P", "odd-even"]),
        ("paper-timit, symbolic r, default", ["builtin:paper-timit"]),
        ("groupswap-k4-mixed, symbolic r, default", ["builtin:groupswap-k4-mixed"]),
        ("WaveNet 3x(1..512), r=32, default", ["builtin:wavenet", "--set", "r=32"]),
        ("WaveNet 3x(1..512), symbolic r, default", ["builtin:wavenet"]),
        ("TCN, r=32, default", ["builtin:tcn", "--set", "r=32"]),
        ("ByteNet, r=32, default", ["builtin:bytenet", "--set", "r=32"]),
        (
            "binary tree depth 14, r=32, every node",
            [t14, "--set", "r=32", "-P", "nodes", "--allow-large"],
        ),
        ("binary tree depth 14, r=32, default", [t14, "--set", "r=32"]),
        ("one layer, dilation 2^30", [huge_dilation_spec(tmp)]),
    ]
    print(f"machine: {machine()}\n")
    print("| run | new s | new MB | new outcome | old s | old MB | old outcome |")
    print("|---|---|---|---|---|---|---|")
    for label, args in rows:
        if ns.only not in label:
            continue
        new = run(str(ROOT), args, ns.timeout)
        if ns.no_baseline:
            old = ("-", "-", "not run")
        else:  # the baseline knows neither the new builtins nor --allow-large
            old_args = [files.get(a, a) for a in args if a != "--allow-large"]
            old = run(ns.baseline, old_args, ns.timeout)
        print(f"| {label} | {' | '.join(new)} | {' | '.join(old)} |", flush=True)
    if ns.no_growth:
        return
    print("\ngrowth: binary tree of depth L (N = 2^L), r = 32, new code\n")
    print("| N | default s | default MB | default outcome | odd-even s | odd-even MB |")
    print("|---|---|---|---|---|---|")
    for depth in (8, 10, 12, 14):
        spec = tree_spec(tmp, depth)
        d = run(str(ROOT), [spec, "--set", "r=32"], ns.timeout)
        o = run(str(ROOT), [spec, "--set", "r=32", "-P", "odd-even"], ns.timeout)
        print(f"| {2**depth} | {' | '.join(d)} | {o[0]} | {o[1]} |", flush=True)


if __name__ == "__main__":
    main()
