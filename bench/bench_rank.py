"""Benchmark of the exact rank mod p (a script, not a timed test).

For n x n random residues mod PRIME (n = 512, 1024, 1536, 2048, 4096; 8192 with --big), in the
same run:
- "array": verify.modrank.rank_mod_p on NumPy (blocked elimination on float64 GEMMs);
- "flint": the previous route, python-flint's nmod_mat rank, including the conversion of the
  int64 matrix to Python lists (timed apart);
- "gemm": one float64 n x n @ n x n product, the yardstick (target: array <= 3x gemm, and
  n = 4096 in < 8 s on 2 cores).
Also a low-rank case (rank n / 2, built as L @ R with identity blocks, so the rank is known).
Both routes must return the same rank; the script says how each time grows with n.

Usage: python bench/bench_rank.py [--big] [--sizes 512 1024 ...] [--out bench/results/rank-DATE.md]
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from bench.machine import machine  # noqa: E402
from networks import PRIME  # noqa: E402
from verify.modrank import LEAF, rank_mod_p  # noqa: E402
from verify.ranks import ARRAY_MIN_SIZE  # noqa: E402

FLINT_MAX = 4096  # flint's route above this takes minutes (about 30 s at 4096)


def low_rank_matrix(n: int, r: int, seed: int) -> np.ndarray:
    """n x n of rank exactly r mod PRIME: L (n x r, identity in r rows) @ R (identity in r
    columns); entries < 2^10, so the float64 product (sums < r * 2^20 < 2^53) is exact."""
    rng = np.random.default_rng(seed)
    L = rng.integers(0, 1 << 10, (n, r)).astype(np.float64)
    L[rng.permutation(n)[:r]] = np.eye(r)
    R = rng.integers(0, 1 << 10, (r, n)).astype(np.float64)
    R[:, rng.permutation(n)[:r]] = np.eye(r)
    return (L @ R).astype(np.int64) % PRIME


def timed(f):
    t = time.perf_counter()
    out = f()
    return out, time.perf_counter() - t


def gemm_seconds(X: np.ndarray) -> float:
    A = X.astype(np.float64)
    t = time.perf_counter()
    A @ A
    return time.perf_counter() - t


def flint_route(X: np.ndarray) -> tuple[int, float, float]:
    import flint

    rows, t_conv = timed(lambda: (X % PRIME).tolist())
    rank, t_rank = timed(lambda: int(flint.nmod_mat(rows, PRIME).rank()))
    return rank, t_conv, t_rank


def one_size(n: int, X: np.ndarray, want: int | None, with_flint: bool) -> dict:
    t_gemm = gemm_seconds(X)
    r_arr, t_arr = timed(lambda: rank_mod_p(X, PRIME))
    row = {"n": n, "gemm": t_gemm, "array": t_arr, "rank": r_arr}
    if with_flint:
        r_fl, t_conv, t_rank = flint_route(X)
        row.update(flint_conv=t_conv, flint_rank=t_rank, flint=t_conv + t_rank, rank_flint=r_fl)
        if r_fl != r_arr:
            raise SystemExit(f"n = {n}: array rank {r_arr} != flint rank {r_fl}")
    if want is not None and r_arr != want:
        raise SystemExit(f"n = {n}: array rank {r_arr} != {want} by construction")
    return row


def table(rows: list[dict], title: str) -> list[str]:
    out = [
        f"## {title}",
        "",
        "| n | rank | array s | flint s (lists + rank) | one GEMM s | array / GEMM | "
        "flint / array |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        if "flint" in r:
            fl = f"{r['flint']:.2f} ({r['flint_conv']:.2f} + {r['flint_rank']:.2f})"
            ratio = f"{r['flint'] / r['array']:.2f}"
        else:
            fl, ratio = "-", "-"
        out.append(
            f"| {r['n']} | {r['rank']} | {r['array']:.2f} | {fl} | {r['gemm']:.2f} | "
            f"{r['array'] / r['gemm']:.2f} | {ratio} |"
        )
    out.append("")
    out.append("growth exponent between successive n (time ~ n^e):")
    for a, b in zip(rows, rows[1:], strict=False):
        f = math.log(b["n"] / a["n"])
        parts = [f"array {math.log(b['array'] / a['array']) / f:.2f}"]
        parts.append(f"gemm {math.log(b['gemm'] / a['gemm']) / f:.2f}")
        if "flint" in a and "flint" in b:
            parts.append(f"flint {math.log(b['flint'] / a['flint']) / f:.2f}")
        out.append(f"- {a['n']} -> {b['n']}: " + ", ".join(parts))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="*", default=[512, 1024, 1536, 2048, 4096])
    ap.add_argument("--big", action="store_true", help="add n = 8192 (array and GEMM only)")
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    sizes = list(args.sizes) + ([8192] if args.big else [])
    load0 = os.getloadavg()
    lines = [
        f"# exact rank mod p benchmark, {dt.date.today().isoformat()}",
        "",
        f"machine: {machine()}",
        f"BLAS threads: OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}; "
        f"prime {PRIME}; leaf panel {LEAF} columns; auto uses the array route from "
        f"min(m, n) >= {ARRAY_MIN_SIZE}",
        "",
    ]
    rng = np.random.default_rng(0)
    full = []
    for n in sizes:
        X = rng.integers(0, PRIME, (n, n))
        full.append(one_size(n, X, None, n <= FLINT_MAX))
        print(full[-1], flush=True)
    lines += table(full, "random n x n (full rank)")
    low = []
    for n in sizes:
        X = low_rank_matrix(n, n // 2, seed=n)
        low.append(one_size(n, X, n // 2, n <= FLINT_MAX))
        print(low[-1], flush=True)
    lines += [""] + table(low, "rank n / 2 (L @ R, rank known by construction)")
    load1 = os.getloadavg()
    lines += [
        "",
        f"load average (1 min) at start {load0[0]:.2f}, at end {load1[0]:.2f} "
        f"(on {os.cpu_count()} cores: above about 1, figures were taken under load)",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
