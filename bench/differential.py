"""Differential check of the analyzer's bounds against exact generic ranks (a script, not a test).

A FIXED random family (seeded) of small networks: mixed networks of two or three kernel-2
branches (exchanges of 1..r channels, sum connections, both, with or without a linear read-out,
trees and gapped trees), some kernel-3 mixed networks, and kernel-3 single trees (Theorem 7's
lower bound for k > 2). Every network has at most 16 used positions and M <= 4 input channels,
with M^n <= 65536 grid entries.

For each (network, partition I) the script evaluates the FULL grid tensor (one-hot templates,
so the grid tensor is the coefficient tensor of the output) exactly modulo the prime of
``networks.modular``, for two seeded random weight instances with shared weights and one with
per-node weights, and computes the rank of [A]_I over GF(p) with python-flint. A rank mod p is
a rank of a real instance's matrix over Q or lower, so it is <= the generic rank; the maximum
over the instances is the generic rank with high probability (Schwartz-Zippel). It reports per
join kind: upper == rank, lower == rank, lower > 1, rank > 1 with lower == 1, worst ratios, and
every INVALID bound (upper < rank, or lower > rank): there must be none.

Usage: python bench/differential.py [--networks 360] [--out bench/results/differential-DATE.md]
       [--label before]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from collections import defaultdict

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import flint  # noqa: E402

from analyzer import analyze, spec_from_dict  # noqa: E402
from analyzer.circuit import build_circuit  # noqa: E402
from bench.machine import machine  # noqa: E402
from networks import PRIME, random_network  # noqa: E402

SEED = 20261130
MAX_ENTRIES = 65536


# --------------------------------------------------------------------------- the family
def _groups(L: int, cuts: list[int]) -> list[list[int]]:
    """Layer index groups (0-based) between consecutive cuts (a cut after layer c)."""
    bounds = [0] + sorted(cuts) + [L]
    return [list(range(a, b)) for a, b in zip(bounds, bounds[1:], strict=False)]


def _branch_dils(rng: random.Random, base: list[int], cuts: list[int]) -> list[int]:
    """The base dilations permuted inside each group: joined units keep equal supports."""
    out: list[int] = []
    for g in _groups(len(base), cuts):
        d = [base[i] for i in g]
        rng.shuffle(d)
        out += d
    return out


def mixed_spec(rng: random.Random, idx: int, kind: str) -> dict:
    """A random mixed network of the given kind: exchange | sum | both | readout | k3."""
    k = 3 if kind == "k3" else 2
    if k == 2:
        L = rng.choice([2, 3, 3, 4, 4])
        gapped = L <= 3 and rng.random() < 0.2
        base = [4**i for i in range(L)] if gapped else [2**i for i in range(L)]
    else:
        L = 2
        base = [1, 3] if rng.random() < 0.8 else [1, 9]
    n_used = k**L
    nb = 3 if (k == 2 and rng.random() < 0.12) else 2
    ncuts = 1 if L == 2 else rng.choice([1, 1, 2]) if L == 3 else rng.choice([1, 2, 2, 3])
    cuts = sorted(rng.sample(range(1, L), min(ncuts, L - 1)))
    names = ["A", "B", "C"][:nb]
    paper = k == 2 and kind in ("exchange", "readout") and rng.random() < 0.25
    if paper:  # the paper's regime: uniform even width, half exchanges
        r = rng.choice([2, 4])
        widths = {n: [r] * L for n in names}
    else:
        widths = {n: [rng.randint(1, 4) for _ in range(L)] for n in names}
    conns = []
    modes_used = set()
    for c in cuts:
        members = names if nb == 2 else rng.sample(names, rng.choice([2, 2, 3]))
        w = widths[members[0]][c - 1]
        if paper:
            mode = "exchange"
        elif kind == "exchange":
            mode = "exchange"
        elif kind == "sum":
            mode = "sum"
        else:
            mode = rng.choice(["exchange", "sum"])
        if mode == "exchange" and len(members) != 2:
            members = members[:2]
        for m in members:
            widths[m][c - 1] = w
        conn = {"after_layer": c, "branches": list(members), "mode": mode}
        if mode == "exchange" and not paper:
            conn["exchange"] = rng.randint(1, w)
        elif mode == "exchange" and w % 2:
            conn["exchange"] = 1
        conns.append(conn)
        modes_used.add(mode)
        if kind == "both" and mode == "exchange" and rng.random() < 0.3:
            # a sum after the exchange at the same layer (an exchange after a sum of the same
            # two branches would exchange identical units: a no-op, and networks.Network
            # mishandles a unit listed twice as a child; reported)
            conns.append({"after_layer": c, "branches": list(members), "mode": "sum"})
            modes_used.add("sum")
    if kind == "both" and len(modes_used) < 2:
        c = cuts[0]
        w = widths["A"][c - 1]
        widths["B"][c - 1] = w
        other = "sum" if "exchange" in modes_used else "exchange"
        conn = {"after_layer": c, "branches": ["A", "B"], "mode": other}
        if other == "exchange":
            conn["exchange"] = rng.randint(1, w)
            conns.insert(0, conn)  # the exchange first (see above)
        else:
            conns.append(conn)
    M_choices = [m for m in (2, 3, 4) if m**n_used <= MAX_ENTRIES]
    M = rng.choice(M_choices)
    branches = [
        {"name": n, "kernel": k, "dilations": _branch_dils(rng, base, cuts), "channels": widths[n]}
        for n in names
    ]
    return {
        "name": f"{kind}-{idx}",
        "input_channels": M,
        "readout": kind == "readout",
        "branches": branches,
        "connections": conns,
    }


def k3_tree_spec(rng: random.Random, idx: int) -> dict:
    L = 2
    base = rng.choice([[1, 3], [1, 3], [1, 9]])
    dils = base[:]
    rng.shuffle(dils)
    M = rng.choice([2, 3])
    nb = 1 if rng.random() < 0.8 else 2
    branches = []
    for b in range(nb):
        d = dils if b == 0 else dils[::-1]
        branches.append(
            {"name": "AB"[b], "kernel": 3, "dilations": d, "channels": [rng.randint(1, 4)] * L}
        )
    if rng.random() < 0.4:
        for b in branches:
            b["channels"] = [rng.randint(1, 4) for _ in range(L)]
    return {"name": f"k3tree-{idx}", "input_channels": M, "branches": branches}


KINDS = ("exchange", "sum", "both", "readout", "k3")


def family(n_networks: int) -> list[tuple[str, dict, bool]]:
    """(kind, spec, paper regime?) for a fixed seed: the same list on every run."""
    rng = random.Random(SEED)
    out = []
    for i in range(n_networks):
        kind = KINDS[i % len(KINDS)] if i % 6 else "k3-tree"
        for _ in range(50):
            spec = k3_tree_spec(rng, i) if kind == "k3-tree" else mixed_spec(rng, i, kind)
            try:
                spec_from_dict(spec, source=spec["name"])
            except Exception:  # noqa: BLE001 - regenerate an invalid draw
                continue
            break
        else:  # pragma: no cover
            raise RuntimeError(f"no valid spec for {kind}")
        out.append((kind, spec, _paper_regime(spec)))
    return out


def _paper_regime(spec: dict) -> bool:
    ws = {w for b in spec["branches"] for w in b["channels"]}
    if len(ws) != 1 or (w := ws.pop()) % 2 or not spec.get("connections"):
        return False
    return all(
        c["mode"] == "exchange" and c.get("exchange", w // 2) == w // 2 for c in spec["connections"]
    )


def partitions(rng: random.Random, used: list[int], count: int) -> list[list[int]]:
    out: set[tuple[int, ...]] = set()
    n = len(used)
    for _ in range(count * 3):
        k = rng.randint(1, n - 1)
        I = tuple(sorted(rng.sample(used, k)))
        J = tuple(q for q in used if q not in I)
        out.add(min(I, J))  # I and its complement are one partition
        if len(out) >= count:
            break
    return [list(p) for p in sorted(out)]


# --------------------------------------------------------------------------- exact ranks
def grid_tensor(arch, weights: str, seed: int) -> tuple[list[int], np.ndarray]:
    """The full grid tensor, shape (M,) * n over the used positions, as residues mod p."""
    c = build_circuit(arch)
    used = c.used_positions
    M = int(arch.input_channels)
    n = len(used)
    leaves = {}
    eye = np.eye(M, dtype=np.int64)
    for i, q in enumerate(used):
        shape = [1] * n + [M]
        shape[i] = M
        leaves[q] = eye.reshape(shape)
    net = random_network(arch, "exact", weights, seed=seed)
    out = net.evaluate(leaves)
    return used, np.broadcast_to(np.asarray(out) % PRIME, (M,) * n)


def rank_of(used: list[int], A: np.ndarray, I: list[int]) -> int:
    Iax = [i for i, q in enumerate(used) if q in I]
    Jax = [i for i, q in enumerate(used) if q not in I]
    M = A.shape[0]
    mat = np.transpose(A, Iax + Jax).reshape(M ** len(Iax), M ** len(Jax))
    if mat.shape[0] > mat.shape[1]:
        mat = mat.T
    m = flint.nmod_mat(mat.shape[0], mat.shape[1], [int(x) for x in mat.ravel()], PRIME)
    return m.rank()


# --------------------------------------------------------------------------- the run
def run(n_networks: int, parts_per_net: int) -> list[dict]:
    fam = family(n_networks)
    prng = random.Random(SEED + 1)
    rows = []
    for kind, spec, paper in fam:
        arch = spec_from_dict(spec, source=spec["name"])
        c = build_circuit(arch)
        used = c.used_positions
        parts = partitions(prng, used, parts_per_net)
        tensors = {
            "shared": [grid_tensor(arch, "shared", s)[1] for s in (0, 1)],
            "per-node": [grid_tensor(arch, "per-node", 0)[1]],
        }
        an = analyze(arch, partitions=parts)
        for I, pb in zip(parts, an.partitions, strict=True):
            rs = max(rank_of(used, A, I) for A in tensors["shared"])
            rp = max(rank_of(used, A, I) for A in tensors["per-node"])
            rows.append(
                {
                    "kind": kind,
                    "name": spec["name"],
                    "spec": spec,
                    "I": I,
                    "paper": paper,
                    "rank": rs,
                    "rank_pernode": rp,
                    "upper": pb.upper,
                    "lower": pb.lower,
                    "lower_source": pb.lower_source,
                    "upper_source": pb.upper_source,
                }
            )
    return rows


def summarize(rows: list[dict]) -> tuple[str, int]:
    by: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by[r["kind"]].append(r)
        if r["kind"] != "k3-tree":
            by["all mixed"].append(r)
        if r["paper"]:
            by["paper regime"].append(r)
    lines = [
        "| kind | partitions | upper == rank | lower == rank | lower > 1 | rank > 1, lower = 1 "
        "| worst upper/rank | worst rank/lower | invalid (shared) | invalid (per-node) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    invalid_total = 0
    order = ["exchange", "sum", "both", "readout", "k3", "all mixed", "paper regime", "k3-tree"]
    for k in order:
        rs = by.get(k, [])
        if not rs:
            continue
        n = len(rs)
        up_eq = sum(r["upper"] == r["rank"] for r in rs)
        lo_eq = sum(r["lower"] == r["rank"] for r in rs)
        lo_gt1 = sum(r["lower"] > 1 for r in rs)
        loose1 = sum(r["rank"] > 1 and r["lower"] == 1 for r in rs)
        wu = max(r["upper"] / r["rank"] for r in rs)
        wl = max(r["rank"] / r["lower"] for r in rs)
        bad_s = sum(r["lower"] > r["rank"] or r["upper"] < r["rank"] for r in rs)
        bad_p = sum(r["lower"] > r["rank_pernode"] or r["upper"] < r["rank_pernode"] for r in rs)
        if k in KINDS or k == "k3-tree":
            invalid_total += bad_s + bad_p
        lines.append(
            f"| {k} | {n} | {up_eq} ({100 * up_eq / n:.1f}%) | {lo_eq} ({100 * lo_eq / n:.1f}%) "
            f"| {lo_gt1} | {loose1} | {wu:.3g} | {wl:.3g} | {bad_s} | {bad_p} |"
        )
    diff = sum(r["rank"] != r["rank_pernode"] for r in rows)
    lines.append("")
    lines.append(f"Shared and per-node generic ranks differ on {diff} of {len(rows)} partitions.")
    return "\n".join(lines), invalid_total


def worst_cases(rows: list[dict], count: int = 5) -> str:
    loose = sorted(
        (r for r in rows if r["upper"] != r["rank"]), key=lambda r: -r["upper"] / r["rank"]
    )
    out = ["Loosest upper bounds (upper / rank):", ""]
    for r in loose[:count]:
        out.append(
            f"- {r['name']}: I = {r['I']}, upper {r['upper']} ({r['upper_source']}), "
            f"rank {r['rank']}, spec {r['spec']}"
        )
    bad = [
        r
        for r in rows
        if r["lower"] > min(r["rank"], r["rank_pernode"])
        or r["upper"] < max(r["rank"], r["rank_pernode"])
    ]
    out += ["", f"Invalid bounds: {len(bad)}"]
    for r in bad[:count]:
        out.append(
            f"- {r['name']}: I = {r['I']}, lower {r['lower']} ({r['lower_source']}), "
            f"upper {r['upper']}, rank {r['rank']} (per-node {r['rank_pernode']}), "
            f"spec {r['spec']}"
        )
    return "\n".join(out)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--networks", type=int, default=360)
    ap.add_argument("--partitions", type=int, default=4, help="partitions per network")
    ap.add_argument("--out", default=None, help="append the figures to this markdown file")
    ap.add_argument("--label", default="run", help="heading of this run in --out")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    rows = run(args.networks, args.partitions)
    secs = time.perf_counter() - t0
    table, invalid = summarize(rows)
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    text = (
        f"## {args.label}\n\n"
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; {machine()}; load {load}; "
        f"{args.networks} networks (seed {SEED}), {len(rows)} partitions, {secs:.0f} s.\n\n"
        f"{table}\n\n{worst_cases(rows)}\n"
    )
    print(text)
    if args.out:
        with open(args.out, "a", encoding="utf-8") as f:
            f.write(text + "\n")
    return 1 if invalid else 0


if __name__ == "__main__":
    raise SystemExit(main())
