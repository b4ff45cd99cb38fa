"""Benchmark of the verification harness (a script, not a timed test).

1. Certify every node partition of builtin:paper-mixed at M = r = 4 (N = 16), plus its
   odd-even partition up to the default K cap; evaluation and rank time reported apart.
   Target: under a minute on 2 cores.
2. Against a dense baseline measured in the same run: the whole grid tensor (every one-hot
   sequence), matricized, then numpy.linalg.matrix_rank, on a tree with M = 4, N = 12.
   Target: the harness at least 10x faster.

Usage: python bench/bench_verify.py [--out bench/results/verify-DATE.md]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from analyzer import load_spec, spec_from_dict  # noqa: E402
from bench.machine import machine  # noqa: E402
from networks import random_network  # noqa: E402
from verify import DEFAULT_MAX_K, verify_architecture  # noqa: E402

N12 = {
    "name": "tree-n12",
    "input_channels": 4,
    "branches": [
        {
            "name": "T",
            "layers": [
                {"kernel": 3, "dilation": 1, "channels": 4},
                {"kernel": 2, "dilation": 3, "channels": 4},
                {"kernel": 2, "dilation": 6, "channels": 4},
            ],
        }
    ],
}


def paper_mixed() -> list[str]:
    arch = load_spec("builtin:paper-mixed", {"r": 4})
    out = []
    t0 = time.perf_counter()
    nodes = verify_architecture(arch, families=["nodes"], mode="exact")
    t1 = time.perf_counter()
    oe = verify_architecture(arch, families=["odd-even"], mode="exact")
    t2 = time.perf_counter()
    ev = sum(p.eval_seconds for p in nodes.partitions)
    rk = sum(p.rank_seconds for p in nodes.partitions)
    (p,) = oe.partitions
    out.append("## builtin:paper-mixed, M = r = 4, N = 16 (exact mode, shared weights)")
    out.append(
        f"- every node partition ({len(nodes.partitions)}): {t1 - t0:.2f} s "
        f"(evaluation {ev:.2f} s, rank {rk:.2f} s); statuses: "
        + ", ".join(sorted({q.status for q in nodes.partitions}))
    )
    out.append(
        f"- odd-even partition, K = {p.K[0]} x {p.K[1]} (default cap {DEFAULT_MAX_K}): "
        f"{t2 - t1:.2f} s "
        f"(evaluation {p.eval_seconds:.2f} s, rank {p.rank_seconds:.2f} s); certified: "
        f"{p.certified_text}"
    )
    total = t2 - t0
    out.append(f"- total {total:.2f} s; target < 60 s: ratio {total / 60:.2f} of the budget")
    return out


def dense_grid(arch, M: int, N: int) -> tuple[np.ndarray, float]:
    """The whole grid tensor (every one-hot sequence) of a float network, and its time."""
    net = random_network(arch, "float", "shared", seed=1)
    t0 = time.perf_counter()
    total = M**N
    out = np.empty(total, dtype=np.float64)
    digits_all = np.arange(total)
    step = 1 << 18
    for s in range(0, total, step):
        idx = digits_all[s : s + step]
        x = np.zeros((idx.size, N, M))
        for q in range(N):  # position q is digit q (most significant first)
            d = (idx // M ** (N - 1 - q)) % M
            x[np.arange(idx.size), q, d] = 1.0
        out[s : s + step] = net.evaluate_batch(x)
    return out.reshape((M,) * N), time.perf_counter() - t0


def dense_vs_harness() -> list[str]:
    arch = spec_from_dict(N12, source="bench")
    M, N = 4, 12
    grid, t_eval = dense_grid(arch, M, N)
    lines = [
        "## dense baseline vs harness: tree (kernels 3,2,2; dilations 1,3,6), M = 4, N = 12",
        f"- dense grid tensor (4^12 entries, evaluated once, counted in each dense time): "
        f"{t_eval:.2f} s",
    ]
    cases = [
        ([0, 1, 2, 6, 7, 8], "the first block of each half"),
        ([0, 2, 4, 6, 8, 10], "odd-even"),
    ]
    for I, what in cases:
        t0 = time.perf_counter()
        res = verify_architecture(arch, partitions=[",".join(map(str, I))], mode="exact")
        t_h = time.perf_counter() - t0
        (p,) = res.partitions
        J = [q for q in range(N) if q not in I]
        A = grid.transpose(I + J).reshape(M ** len(I), M ** len(J))
        t1 = time.perf_counter()
        dense_rank = int(np.linalg.matrix_rank(A))
        t_rank = time.perf_counter() - t1
        t_d = t_eval + t_rank
        lines.append(f"### I = {{{','.join(map(str, I))}}} ({what})")
        lines.append(
            f"- dense: {t_eval:.2f} s + matrix_rank of a {A.shape[0]} x {A.shape[1]} matrix "
            f"{t_rank:.2f} s = {t_d:.2f} s; rank {dense_rank} (float estimate)"
        )
        lines.append(
            f"- harness: {t_h:.3f} s, K = {p.K}; certified rank {p.certified_lower} (exact), "
            f"analyzer upper {p.upper}, status {p.status}"
        )
        lines.append(f"- speed ratio dense / harness: {t_d / t_h:.0f}x (target >= 10x)")
    return lines


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    lines = [
        f"# verification benchmark, {dt.date.today().isoformat()}",
        "",
        f"machine: {machine()}",
        "",
    ]
    lines += paper_mixed() + [""] + dense_vs_harness()
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
