"""GPU checks in one go (a few minutes at most): correctness of the CuPy path and its speed.

Run on a machine with a CUDA GPU and `pip install -e '.[gpu,dev]'`:

    python bench/gpu_checks.py --out bench/results/gpu-DATE.md

1. the GPU-marked tests (`pytest -m gpu`): CuPy and NumPy give bit-identical exact outputs;
2. theory.md's worked table certified through the CuPy backend (must equal the table);
3. the Claim 5 check through CuPy;
4. timing of the exact evaluation of sampled matricizations, NumPy vs CuPy, same inputs
   (paper-mixed at r = 4 odd-even with K = 1024 and K = 4096, and a wider r = 16 network).

On a machine without network access, bring the wheels of the dependencies (numpy, sympy,
pydantic, PyYAML, python-flint, cupy, pytest, ...) and put the repository on PYTHONPATH
instead of installing it; the script imports the packages from the repository root.

Without a GPU it says so and exits 3 (``--allow-cpu`` runs the NumPy half only, as a dry run).
The figures are written with the date and the hardware.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from analyzer import load_spec  # noqa: E402
from networks import PRIME, get_xp, random_network  # noqa: E402
from networks.backend import BackendError  # noqa: E402
from tests.worked_table import WORKED_COLUMNS as COLUMNS  # noqa: E402  theory.md section 5
from tests.worked_table import WORKED_TABLE  # noqa: E402
from verify import (
    claim5_check,
    exact_rank_mod_p,
    sample_matrix,
    sample_partition,
    verify_architecture,
)  # noqa: E402

WORKED = {name: list(ranks) for name, (_, ranks) in WORKED_TABLE.items()}


def hardware() -> str:
    try:
        q = subprocess.run(
            ["nvidia-smi", "--query-gpu=name,memory.total,driver_version", "--format=csv,noheader"],
            capture_output=True,
            text=True,
            timeout=20,
        )
        gpu = q.stdout.strip() or "nvidia-smi: no output"
    except (OSError, subprocess.SubprocessError):
        gpu = "no nvidia-smi"
    cpu = platform.processor() or platform.machine()
    return f"GPU: {gpu}; CPU: {cpu}, {os.cpu_count()} cores; Python {platform.python_version()}"


def time_eval(arch, fam, K, backend, repeats=2):
    xp = get_xp(backend)
    net = random_network(arch, "exact", "shared", seed=0)
    from analyzer import analyze

    pb = analyze(arch, families=[fam]).partitions[0]
    I = sum(1 << q for q in pb.I)
    s = sample_partition(
        net.circuit,
        I,
        K,
        K,
        int(arch.input_channels),
        "exact",
        np.random.default_rng(0),
        PRIME,
        True,
    )
    X = sample_matrix(net, s, xp)  # warm-up (kernels compiled)
    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        X = sample_matrix(net, s, xp)
        if backend == "cupy":
            xp.cuda.Stream.null.synchronize()
        best = min(best, time.perf_counter() - t)
    return best, X


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=None)
    ap.add_argument("--allow-cpu", action="store_true")
    args = ap.parse_args()
    try:
        get_xp("cupy")
        gpu = True
    except BackendError as exc:
        print(f"no usable GPU: {exc}")
        if not args.allow_cpu:
            return 3
        gpu = False
    backends = ["numpy", "cupy"] if gpu else ["numpy"]
    lines = [
        f"# GPU checks, {dt.datetime.now(dt.UTC).isoformat(timespec='seconds')}",
        "",
        hardware(),
        "",
    ]
    ok = True
    if gpu:
        r = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-m", "gpu", "tests"],
            capture_output=True,
            text=True,
        )
        last = (r.stdout.strip().splitlines() or ["(no output)"])[-1]
        lines.append(f"- pytest -m gpu: exit {r.returncode}: {last}")
        ok &= r.returncode == 0
    for be in backends:
        good = 0
        for name, want in WORKED.items():
            res = verify_architecture(
                load_spec(f"builtin:{name}"),
                partitions=[",".join(c) for c in COLUMNS],
                mode="exact",
                backend=be,
            )
            good += [p.certified_lower for p in res.partitions] == want
        lines.append(f"- worked table through {be}: {good}/{len(WORKED)} rows reproduced exactly")
        ok &= good == len(WORKED)
        c5 = claim5_check(load_spec("builtin:paper-mixed", {"r": 4}), backend=be)
        lines.append(
            f"- Claim 5 through {be}: {'pass' if c5.ok else 'FAIL'} ({len(c5.checked)} hybrid "
            "trees)"
        )
        ok &= c5.ok
    lines.append("")
    lines.append("| case | K | numpy s | cupy s | speed-up | ranks equal |")
    lines.append("|---|---|---|---|---|---|")
    cases = [
        ("builtin:paper-mixed", {"r": 4}, "odd-even", 1024),
        ("builtin:paper-mixed", {"r": 4}, "odd-even", 4096),
        ("builtin:paper-mixed", {"r": 16}, "odd-even", 2048),
    ]
    for ref, vals, fam, K in cases:
        arch = load_spec(ref, vals)
        t_np, X_np = time_eval(arch, fam, K, "numpy", repeats=1)
        if gpu:
            t_cp, X_cp = time_eval(arch, fam, K, "cupy")
            same = bool(np.array_equal(X_np, X_cp))
            ok &= same
            lines.append(
                f"| {ref} {vals} {fam} | {K} | {t_np:.2f} | {t_cp:.3f} | {t_np / t_cp:.1f}x | "
                f"{same} |"
            )
        else:
            lines.append(f"| {ref} {vals} {fam} | {K} | {t_np:.2f} | - | - | - |")
        if K <= 2048:
            t = time.perf_counter()
            rk = exact_rank_mod_p(X_np, PRIME)
            lines.append(
                f"|   rank mod p of that matrix: {rk} in {time.perf_counter() - t:.2f} s (CPU, "
                "flint) | | | | | |"
            )
    lines.append("")
    lines.append(f"overall: {'PASS' if ok else 'FAIL'}")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
