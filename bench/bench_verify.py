"""Benchmark of the verification harness (a script, not a timed test).

Every figure is compared with the previous route measured in the same run: python-flint's
rank, one fixed K = min(upper + 8, 1024), 1 GiB row chunks, no window ("previous").

1. mixed N = 16, M = 3, r = 2 (bench/specs/mixed16.yaml), partition {0,2,4,6,8,9,12,13}:
   target: certified in < 1 s inside verify; also against the route before issue 11p
   (channel-last evaluation, % reductions, array rank from K = 1024), 5 runs each.
2. builtin:paper-mixed at r = 4, the paper partition {0,2,4,6,8,9,12,13}: target: a certified
   rank of at least 4096 in < 60 s; per-step figures give the growth with K (64 .. 4096, and
   8192 with --k8192).
3. default verify of the TCN (bench/specs/tcn.yaml) and the ByteNet-like stack
   (bench/specs/bytenet.yaml) at r = 32: target < 30 s each.
4. paper-timit (bench/specs/paper-timit.yaml) at r = 32, odd-even, with a window, K <= 1024:
   target < 60 s, certified lower bound > 1; and the growth with N (the same network with
   L = 8, 10, 12 layers: N = 256, 1024, 4096) at K <= 256.

Usage: python bench/bench_verify.py [--out bench/results/verify-DATE.md] [--k8192] [--only-mixed16]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import verify.harness as H  # noqa: E402
from analyzer import analyze, load_spec, spec_from_dict  # noqa: E402
from analyzer.paper import group_swap_dilations  # noqa: E402
from bench.machine import machine  # noqa: E402
from networks import random_network  # noqa: E402
from verify import verify_architecture  # noqa: E402
from verify.harness import Budget  # noqa: E402

HERE = os.path.dirname(__file__)
SPECS = os.path.join(HERE, "specs")
PAPER_I = "0,2,4,6,8,9,12,13"
BLAS_THREADS = os.environ.get("OPENBLAS_NUM_THREADS", "unset")


def previous(arch, **kw):
    """The previous route: flint, one K = min(upper + 8, 1024), 1 GiB chunks, no window."""
    saved = H.CHUNK_BYTES
    c = analyze(arch, families=["halves"]).structure.circuit
    per_layer: dict[int, int] = {}
    for u in c.units:
        per_layer[u.layer] = per_layer.get(u.layer, 0) + 1
    H.CHUNK_BYTES = (1 << 30) // (max(per_layer.values()) + 2)
    try:
        t = time.perf_counter()
        res = verify_architecture(
            arch,
            rank_method="flint",
            budget=Budget(k_start=1024, max_k=1024, seconds=1e9),
            window="none",
            **kw,
        )
        return res, time.perf_counter() - t
    finally:
        H.CHUNK_BYTES = saved


def timed(arch, **kw):
    t = time.perf_counter()
    res = verify_architecture(arch, **kw)
    return res, time.perf_counter() - t


def row(p) -> str:
    eps = "-" if p.epsilon is None else f"{p.epsilon:.1e}"
    return (
        f"certified {p.certified_text}, upper {p.upper}, K {p.K[0]}x{p.K[1]}, stop {p.stop}, "
        f"epsilon {eps}, status {p.status} (evaluation {p.eval_seconds:.2f} s, rank "
        f"{p.rank_seconds:.2f} s)"
    )


def steps_table(p) -> list[str]:
    out = ["| K | rank | evaluation s (new blocks) | exact rank s |", "|---|---|---|---|"]
    for s in p.steps:
        out.append(
            f"| {s['K'][0]} | {s['rank']} | {s['eval_seconds']:.2f} | {s['rank_seconds']:.2f} |"
        )
    return out


def before_11p(arch, **kw):
    """The route before issue 11p, same run: channel-last int64 matmul evaluation, ``% p``
    reductions, the array rank route only from K = 1024 (adaptive K as now)."""
    import networks.modular as NM
    import networks.network as NN
    import verify.ranks as VR

    saved = NN.PLANAR_MAX_WIDTH, VR.ARRAY_MIN_SIZE, NN.mod, NM.mod

    def old_mod(x, p=NM.PRIME):
        return x % p

    NN.PLANAR_MAX_WIDTH, VR.ARRAY_MIN_SIZE, NN.mod, NM.mod = 0, 1024, old_mod, old_mod
    try:
        return timed(arch, **kw)
    finally:
        NN.PLANAR_MAX_WIDTH, VR.ARRAY_MIN_SIZE, NN.mod, NM.mod = saved


def mixed16() -> list[str]:
    arch = load_spec(os.path.join(SPECS, "mixed16.yaml"), {"r": 2})
    out = ["## 1. mixed N = 16, M = 3, r = 2, I = {0,2,4,6,8,9,12,13}", ""]
    out.append(f"uptime at start of section: {os.popen('uptime').read().strip()}")
    new_x, t_x = timed(arch, partitions=[PAPER_I], mode="exact")  # the first call: cold
    runs = [timed(arch, partitions=[PAPER_I], mode="exact")[1] for _ in range(5)]
    bef = [before_11p(arch, partitions=[PAPER_I], mode="exact")[1] for _ in range(5)]
    new_b, t_b = timed(arch, partitions=[PAPER_I])
    old, t_o = previous(arch, partitions=[PAPER_I], mode="exact")
    (px,), (pb,), (po,) = new_x.partitions, new_b.partitions, old.partitions
    out.append(f"- adaptive, exact mode: {t_x:.2f} s: {row(px)}")
    out.append(f"- adaptive, exact + float: {t_b:.2f} s (float estimate {pb.float_rank})")
    out.append(f"- previous route, exact mode: {t_o:.2f} s: {row(po)}")
    out.append(f"- ratio previous / adaptive (exact mode): {t_o / t_x:.2f}; target < 1 s")
    out.append(
        f"- adaptive, exact mode, 5 more runs: {', '.join(f'{t:.2f}' for t in runs)} s "
        f"(median {sorted(runs)[2]:.2f}); route before issue 11p (channel-last matmul "
        f"evaluation, % reductions, array rank from 1024), same run: "
        f"{', '.join(f'{t:.2f}' for t in bef)} s (median {sorted(bef)[2]:.2f}); "
        f"ratio of medians {sorted(bef)[2] / sorted(runs)[2]:.2f}"
    )
    out += [""] + steps_table(px)
    return out


def paper_mixed(k8192: bool) -> list[str]:
    arch = load_spec("builtin:paper-mixed", {"r": 4})
    out = ["## 2. builtin:paper-mixed, r = 4, paper partition {0,2,4,6,8,9,12,13}", ""]
    cap = 8192 if k8192 else 4096
    new, t_n = timed(
        arch,
        partitions=[PAPER_I],
        mode="exact",
        budget=Budget(max_k=cap, seconds=1e9),
    )
    old, t_o = previous(arch, partitions=[PAPER_I], mode="exact")
    (pn,), (po,) = new.partitions, old.partitions
    reach = 0.0
    for s in pn.steps:
        reach += s["eval_seconds"] + s["rank_seconds"]
        if s["rank"] >= 4096:
            break
    out.append(f"- adaptive up to K = {cap}: {t_n:.2f} s: {row(pn)}")
    out.append(
        f"- time until a certified rank >= 4096 (evaluation + rank of the steps): {reach:.2f} s; "
        "target < 60 s"
    )
    out.append(f"- previous route: {t_o:.2f} s: {row(po)}")
    out += ["", "Growth with K (nested steps; each step evaluates only the new blocks):", ""]
    out += steps_table(pn)
    # the rank alone, both routes, on the final sample's leading blocks
    out += ["", "Exact rank of the sampled K x K matrix, both routes (same matrix):", ""]
    out += ["| K | flint s | array s |", "|---|---|---|"]
    c = analyze(arch, partitions=[PAPER_I]).structure.circuit
    net = random_network(arch, "exact", "shared", seed=0)
    from networks import PRIME
    from verify.ranks import exact_rank_mod_p
    from verify.sampling import Sampler

    I = sum(1 << int(q) for q in PAPER_I.split(","))
    sampler = Sampler(c, I, 4, "exact", np.random.default_rng(0), PRIME, True)
    kmax = 4096
    s = sampler.sample(kmax, kmax)
    X = H.sample_matrix(net, s)
    for K in (512, 1024, 2048, 4096):
        Y = np.ascontiguousarray(X[:K, :K])
        t = time.perf_counter()
        a = exact_rank_mod_p(Y, PRIME, method="flint") if K <= 4096 else None
        tf = time.perf_counter() - t
        t = time.perf_counter()
        b = exact_rank_mod_p(Y, PRIME, method="array")
        ta = time.perf_counter() - t
        assert a == b, (K, a, b)
        out.append(f"| {K} | {tf:.2f} | {ta:.2f} |")
    return out


def stacks() -> list[str]:
    out = ["## 3. default verify, r = 32 (default partitions: halves, odd-even)", ""]
    for name in ("tcn", "bytenet"):
        arch = load_spec(os.path.join(SPECS, f"{name}.yaml"), {"r": 32})
        new, t_n = timed(arch)
        out.append(
            f"### {name} (N = {new.analysis.structure.circuit.N}): {t_n:.2f} s (target < 30 s)"
        )
        for p in new.partitions:
            w = f", window {p.window[0]}..{p.window[-1]}" if p.window else ""
            out.append(f"- {p.label}{w}: {row(p)}; sampling {p.sampling}")
        if name == "tcn":
            old, t_o = previous(arch)
            out.append(f"- previous route: {t_o:.2f} s; ratio previous / new {t_o / t_n:.2f}")
            for p in old.partitions:
                out.append(f"  - {p.label}: {row(p)}")
        else:
            out.append(
                "- previous route not rerun: issue 12 measured no result in 10 min (no window, "
                "K = 1024 over all 125 positions)"
            )
        out.append("")
    return out


def timit_spec(L: int) -> dict:
    T = [2 ** (l - 1) for l in range(1, L + 1)]
    return {
        "name": f"paper-timit-L{L}",
        "input_channels": "r",
        "branches": [
            {"name": "T", "kernel": 2, "dilations": T, "channels": "r"},
            {"name": "Tp", "kernel": 2, "dilations": group_swap_dilations(L, 2), "channels": "r"},
        ],
        "connections": [{"after_layer": a, "branches": ["T", "Tp"]} for a in range(2, L, 2)],
    }


def timit() -> list[str]:
    out = [
        "## 4. paper-timit, r = 32, odd-even, window (default placement), K <= 1024, --seconds 50",
        "",
    ]
    arch = load_spec(os.path.join(SPECS, "paper-timit.yaml"), {"r": 32})
    t = time.perf_counter()
    analyze(arch, families=["odd-even"])
    t_an = time.perf_counter() - t
    new, t_n = timed(
        arch, families=["odd-even"], mode="exact", max_k=1024, budget=Budget(seconds=50)
    )
    (p,) = new.partitions
    out.append(f"- analyze alone (odd-even): {t_an:.2f} s")
    out.append(
        f"- verify (analysis included): {t_n:.2f} s; window {p.window}: {row(p)}; target < 60 s, "
        "certified > 1"
    )
    out.append(
        "- previous route not run: no window, so K = 1024 samples of all 4096 positions "
        "(issue 12: no result)"
    )
    out += ["", "Growth with N (K <= 256, exact mode):", ""]
    out += [
        "| L | N | units | analyze s | verify s (incl. analyze) | certified | upper |",
        "|---|---|---|---|---|---|---|",
    ]
    for L in (8, 10, 12):
        a = spec_from_dict(timit_spec(L), source=f"L{L}").substitute({"r": 32})
        t = time.perf_counter()
        an = analyze(a, families=["odd-even"])
        t_a = time.perf_counter() - t
        res, t_v = timed(a, families=["odd-even"], mode="exact", max_k=256)
        (q,) = res.partitions
        c = an.structure.circuit
        out.append(
            f"| {L} | {c.N} | {len(c.units)} | {t_a:.2f} | {t_v:.2f} | {q.certified_text} | "
            f"{q.upper} |"
        )
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=None)
    ap.add_argument("--k8192", action="store_true", help="also the K = 8192 step (slow)")
    ap.add_argument("--only-mixed16", action="store_true", help="section 1 only")
    args = ap.parse_args()
    lines = [
        f"# verification benchmark, {dt.date.today().isoformat()}",
        "",
        f"machine: {machine()}; OPENBLAS_NUM_THREADS={BLAS_THREADS}; "
        f"load average at start {os.getloadavg()[0]:.1f}",
        "",
    ]
    parts = (
        (mixed16,)
        if args.only_mixed16
        else (mixed16, lambda: paper_mixed(args.k8192), stacks, timit)
    )
    for part in parts:
        t = time.perf_counter()
        lines += part() + ["", f"(section time {time.perf_counter() - t:.1f} s)", ""]
        print("\n".join(lines[-5:]), file=sys.stderr)
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
