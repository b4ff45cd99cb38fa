"""GPU checks in one go (a few minutes at most): correctness of the CuPy path and its speed.

Run on a machine with a CUDA GPU and `pip install -e '.[gpu,dev]'`:

    python bench/gpu_checks.py --out bench/results/gpu-DATE.md

1. the GPU-marked tests (`pytest -m gpu`): CuPy and NumPy give bit-identical exact outputs;
2. docs/theory.md's worked table (sec. 9) certified through the CuPy backend (must equal the table);
3. the Claim 5 check through CuPy;
4. timing of the exact evaluation of sampled matricizations, NumPy vs CuPy, same inputs
   (paper-mixed at r = 4 odd-even with K = 1024 and K = 4096, and a wider r = 16 network);
5. rank scaling: exact rank mod p of K x K matrices on the device (verify.modrank, the same
   code as on the host) for K = 2048 .. 32768, full rank and rank K / 2, against one float64
   GEMM of the same size on the device; cross-checked against flint on the host for K <= 2048.
   ``--rank-only`` runs just this table, ``--rank-k`` chooses the sizes.

On a machine without network access, bring the wheels of the dependencies (numpy, sympy,
pydantic, PyYAML, python-flint, cupy, pytest, ...) and put the repository on PYTHONPATH
instead of installing it; the script imports the packages from the repository root.

Without a GPU it says so and exits 3 (``--allow-cpu`` runs the NumPy half only, as a dry run;
the rank table then runs on NumPy with small K).
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
from tests.worked_table import WORKED_COLUMNS as COLUMNS  # noqa: E402  docs/theory.md sec. 9
from tests.worked_table import WORKED_TABLE  # noqa: E402
from verify import (  # noqa: E402
    claim5_check,
    exact_rank_mod_p,
    sample_matrix,
    sample_partition,
    verify_architecture,
)
from verify.modrank import rank_mod_p  # noqa: E402

GPU_RANK_K = (2048, 4096, 8192, 16384, 32768)
CPU_RANK_K = (256, 512)  # the no-GPU dry run: the same code path, small sizes
HOST_CHECK_MAX = 2048  # device ranks are compared with flint on the host up to this K

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


def _sync(xp) -> None:
    if xp is not np:
        xp.cuda.Stream.null.synchronize()


def random_residues(xp, K: int, seed: int):
    """K x K residues mod PRIME drawn on the device of ``xp``."""
    return xp.random.RandomState(seed).randint(0, PRIME, size=(K, K), dtype=xp.int64)


def low_rank_residues(xp, K: int, r: int, seed: int):
    """K x K of rank exactly r mod PRIME: L (identity in r rows) @ R (identity in r columns),
    entries < 2^10, so the float64 GEMM (sums < r * 2^20 < 2^53) is exact."""
    rs = xp.random.RandomState(seed)
    L = rs.randint(0, 1 << 10, size=(K, r)).astype(xp.float64)
    L[rs.permutation(K)[:r]] = xp.eye(r)
    R = rs.randint(0, 1 << 10, size=(r, K)).astype(xp.float64)
    R[:, rs.permutation(K)[:r]] = xp.eye(r)
    return (L @ R).astype(xp.int64) % PRIME


def rank_scaling(xp, Ks) -> tuple[list[str], bool]:
    """The rank-scaling table on the array module ``xp`` (cupy on a GPU, numpy for a dry run).

    Each K: full-rank random residues and a rank K / 2 product; the device rank must equal
    K resp. K / 2 (by construction, the random one full rank with high probability) and,
    for K <= HOST_CHECK_MAX, the host route's rank on the same matrix.
    """
    on = "cupy" if xp is not np else "numpy"
    lines = [
        f"### exact rank mod p on {on} (verify.modrank) vs one float64 GEMM on the same device",
        "",
        "| K | case | rank | expected | host check | rank s | GEMM s | rank / GEMM |",
        "|---|---|---|---|---|---|---|---|",
    ]
    ok = True
    for K in Ks:
        for case in ("random", "rank K/2"):
            X = (
                random_residues(xp, K, K)
                if case == "random"
                else low_rank_residues(xp, K, K // 2, K)
            )
            want = K if case == "random" else K // 2
            A = X.astype(xp.float64)
            _sync(xp)
            t = time.perf_counter()
            A @ A
            _sync(xp)
            t_gemm = time.perf_counter() - t
            del A
            t = time.perf_counter()
            rk = rank_mod_p(X, PRIME)  # returns an int: the device work is finished
            t_rank = time.perf_counter() - t
            host = "-"
            if K <= HOST_CHECK_MAX:
                Xh = X if xp is np else xp.asnumpy(X)
                hr = exact_rank_mod_p(Xh, PRIME, method="flint")
                host = f"flint {hr}"
                ok &= hr == rk
            ok &= rk == want
            lines.append(
                f"| {K} | {case} | {rk} | {want} | {host} | {t_rank:.2f} | {t_gemm:.3f} | "
                f"{t_rank / t_gemm:.1f} |"
            )
            del X
            print(lines[-1], flush=True)
    lines.append("")
    return lines, ok


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=None)
    ap.add_argument("--allow-cpu", action="store_true")
    ap.add_argument("--rank-only", action="store_true", help="only the rank-scaling table")
    ap.add_argument("--rank-k", type=int, nargs="*", default=None, help="sizes of that table")
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
    rank_ks = args.rank_k or (GPU_RANK_K if gpu else CPU_RANK_K)
    if args.rank_only:
        part, good = rank_scaling(get_xp("cupy") if gpu else np, rank_ks)
        return _finish(lines + part, ok & good, args.out)
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
            rk = exact_rank_mod_p(X_np, PRIME, method="flint")
            t_fl = time.perf_counter() - t
            line = f"|   rank mod p of that matrix: {rk} in {t_fl:.2f} s (CPU, flint)"
            if gpu:  # sample_matrix returns host arrays: move this one to the device
                X_dev = get_xp("cupy").asarray(X_np)
                t = time.perf_counter()
                rk_dev = rank_mod_p(X_dev, PRIME)
                line += f"; {rk_dev} in {time.perf_counter() - t:.3f} s (GPU, array)"
                ok &= rk_dev == rk
            lines.append(line + " | | | | | |")
    lines.append("")
    part, good = rank_scaling(get_xp("cupy") if gpu else np, rank_ks)
    return _finish(lines + part, ok & good, args.out)


def _finish(lines: list[str], ok: bool, out: str | None) -> int:
    lines.append(f"overall: {'PASS' if ok else 'FAIL'}")
    text = "\n".join(lines) + "\n"
    print(text)
    if out:
        with open(out, "w") as f:
            f.write(text)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
