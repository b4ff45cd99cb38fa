"""Golden outputs: the JSON of analyze, verify, compare and regress on a few builtins/examples.

``tests/test_golden.py`` runs every case below through the CLI (typer's CliRunner, in process)
and compares the JSON, with timing fields removed, byte for byte with ``tests/golden/NAME.json``.
A change of these outputs must be deliberate: regenerate them with

    PYTHONPATH=. python tests/golden/regenerate.py

and review the diff (``git diff tests/golden``) before committing it. Cases are small (a few
seconds in all), seeded, and verify runs with an explicit ``--max-k`` and a generous
``--seconds`` so no time budget stops a run.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent

# name -> (CLI arguments, expected exit code)
CASES: dict[str, tuple[list[str], int]] = {
    "analyze-paper-mixed": (["analyze", "builtin:paper-mixed", "-f", "json"], 0),
    "analyze-worked-mix2": (["analyze", "builtin:worked-mix2", "-f", "json"], 0),
    "analyze-wavenet-gapped": (["analyze", "builtin:wavenet-gapped", "-f", "json"], 0),
    "analyze-example-kernel3-mixed": (["analyze", "examples/kernel3-mixed.yaml", "-f", "json"], 0),
    "verify-paper-T-r2": (
        [
            "verify", "builtin:paper-T", "--set", "r=2", "--seed", "0", "--max-k", "256",
            "--seconds", "1000", "--mode", "exact", "-f", "json",
        ],
        0,
    ),
    "verify-worked-mix2": (
        [
            "verify", "builtin:worked-mix2", "--seed", "1", "--max-k", "128",
            "--seconds", "1000", "--mode", "exact", "-f", "json",
        ],
        0,
    ),
    "compare-paper-mixed-vs-T": (
        ["compare", "builtin:paper-mixed", "builtin:paper-T", "--sweep", "r=2,4", "-f", "json"],
        0,
    ),
    "compare-worked-mix2-vs-T": (
        ["compare", "builtin:worked-mix2", "builtin:worked-T", "-f", "json"],
        0,
    ),
    "regress-example-worked-T": (["regress", "examples/regress/worked-T.yaml", "-f", "json"], 0),
}  # fmt: skip


def strip_timing(obj):
    """Drop the timing fields (``seconds`` and ``*_seconds``) at any depth."""
    if isinstance(obj, dict):
        return {
            k: strip_timing(v)
            for k, v in obj.items()
            if not (k == "seconds" or k.endswith("_seconds"))
        }
    if isinstance(obj, list):
        return [strip_timing(v) for v in obj]
    return obj


def produce(name: str) -> tuple[int, str]:
    """Run case ``name`` (from the repository root); its exit code and normalized JSON text."""
    import os

    from typer.testing import CliRunner

    from expressivity.cli import app

    args, _ = CASES[name]
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        res = CliRunner().invoke(app, args)
    finally:
        os.chdir(cwd)
    try:
        data = json.loads(res.stdout)
    except ValueError:
        msg = f"{name}: not JSON (exit {res.exit_code}):\n{res.output[-2000:]}"
        raise AssertionError(msg) from None
    return res.exit_code, json.dumps(strip_timing(data), indent=2, sort_keys=False) + "\n"


def golden_path(name: str) -> Path:
    return HERE / f"{name}.json"


def main(argv: list[str]) -> int:
    names = argv or sorted(CASES)
    for name in names:
        code, text = produce(name)
        if code != CASES[name][1]:
            print(f"{name}: exit {code}, expected {CASES[name][1]}: not written", file=sys.stderr)
            return 1
        golden_path(name).write_text(text, encoding="utf-8")
        print(f"wrote {golden_path(name).relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main(sys.argv[1:]))
