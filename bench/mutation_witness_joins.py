"""Witness search for the join rules' rho and pi terms: joins of unequal supports, joins in a row.

``bench/mutation_witness.py``'s corpora (the oracle strategy, ``--joined``, ``--chained``) join
units of one support, mostly kernel-2 trees. There, no case changed the output for the
exchange and sum rules' rho terms (``bounds.py`` [227], [278]) or the exchange's pi
(``bounds.py`` [230], [231]). Their terms decide only when the joined units differ in kind,
for example one wholly in I (R = 1) and one cut by I with L < R. Units of one support share
I ∩ S, so that needs joins of unequal supports (``allow_overlap``). A pi term is read only by
another join after the same layer, so it needs joins in a row.

This corpus draws such networks at random and reuses ``mutation_witness.hunt``. With
``--overlap``, two or three branches, kernels 2 and 3, random dilations, one to four
``allow_overlap`` joins after layer 1 or 2 (sums, exchanges of s channels, s = r often); specs
whose grid tensor is larger than ``--max-grid`` are skipped. Without ``--overlap``, equal
supports: each branch's first two layers are one mixed-radix block of kernels 2 and 3, in
either order.

Usage::

    nice python bench/mutation_witness_joins.py 227 278 --overlap --count 300 [--shared]

The witnesses of tests/oracle/test_witnesses_joins.py came from this family (found with a
private copy of this generator, then shrunk by hand). Not part of the test run.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import mutation_witness as mw  # noqa: E402


def _overlap_spec(rng: random.Random) -> dict:
    M = rng.choice([2, 2, 3])
    nb = rng.choice([2, 2, 3])
    depth = rng.choice([2, 2, 3])
    layer = 1 if depth == 2 else rng.choice([1, 2])
    brs = [
        {
            "name": "ABC"[b],
            "layers": [
                {
                    "kernel": rng.choice([2, 2, 3]),
                    "dilation": rng.randint(1, 5),
                    "channels": rng.randint(1, 9 if M == 3 else 5),
                }
                for _ in range(depth)
            ],
        }
        for b in range(nb)
    ]
    return _joined(rng, "overlap", M, brs, layer, [1, 2, 3, 4], 0.4, {"allow_overlap": True})


def _joined(rng, name, M, brs, layer, counts, p_all, extra) -> dict:
    """The spec of branches ``brs`` with their widths at ``layer`` made equal and
    ``rng.choice(counts)`` random joins after it (sums; else exchanges of all channels with
    probability ``p_all``, of a random count otherwise), each with the keys ``extra``."""
    w = brs[0]["layers"][layer - 1]["channels"]
    for b in brs:
        b["layers"][layer - 1]["channels"] = w
    pairs = [(0, 1)] if len(brs) == 2 else [(0, 1), (0, 2), (1, 2)]
    conns = []
    for _ in range(rng.choice(counts)):
        x, y = rng.sample(rng.choice(pairs), 2)
        c: dict = {"after_layer": layer, "branches": ["ABC"[x], "ABC"[y]], **extra}
        if rng.random() < 0.3:
            c["mode"] = "sum"
        else:
            c["exchange"] = w if rng.random() < p_all else rng.randint(1, w)
        conns.append(c)
    return {
        "name": name,
        "input_channels": M,
        "readout": rng.random() < 0.5,
        "branches": brs,
        "connections": conns,
    }


def _equal_spec(rng: random.Random) -> dict:
    M = rng.choice([2, 2, 3])
    nb = rng.choice([2, 3, 3])
    ks = [rng.choice([2, 2, 3]) for _ in range(2)]
    top = [(rng.choice([2, 2, 3]), ks[0] * ks[1] * rng.choice([1, 1, 2]))]
    brs = []
    for b in range(nb):
        order = ks if rng.random() < 0.5 else ks[::-1]
        layers = [(order[0], 1), (order[1], order[0]), *top]
        widths = [rng.randint(1, 9), rng.randint(1, 5), rng.randint(1, 5)]
        brs.append(
            {
                "name": "ABC"[b],
                "layers": [
                    {"kernel": k, "dilation": d, "channels": wd}
                    for (k, d), wd in zip(layers, widths, strict=True)
                ],
            }
        )
    return _joined(rng, "equal", M, brs, 2, [1, 2, 2, 3, 4], 0.35, {})


def join_corpus(count: int, overlap: bool, max_grid: int = 70000, seed: int = 0) -> list:
    """(spec, partitions): ``count`` valid specs of the family, 18 random partitions each and
    their complements."""
    from analyzer import build_circuit, spec_from_dict
    from tests.oracle.oracle import used_positions

    rng = random.Random(seed)
    out: list = []
    while len(out) < count:
        spec = (_overlap_spec if overlap else _equal_spec)(rng)
        try:
            arch = spec_from_dict(spec, source="join-corpus")
            used = used_positions(arch)
            build_circuit(arch)
        except Exception:  # noqa: BLE001 - an invalid draw (unequal supports, widths): skip it
            continue
        if len(used) < 3 or spec["input_channels"] ** len(used) > max_grid:
            continue
        parts = [[q for q in used if rng.random() < p] for p in (0.3, 0.5, 0.7) * 6]
        parts = [I for I in parts if 0 < len(I) < len(used)]
        parts += [[q for q in used if q not in I] for I in parts]
        out.append((spec, parts))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("index", type=int, nargs="+", help="mutant of analyzer/bounds.py")
    ap.add_argument("--count", type=int, default=300)
    ap.add_argument("--overlap", action="store_true", help="allow_overlap joins (else equal)")
    ap.add_argument("--max-grid", type=int, default=70000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--shared", action="store_true", help="integer-only rules off in both")
    args = ap.parse_args(argv)
    cases = join_corpus(args.count, args.overlap, args.max_grid, args.seed)
    print(f"corpus: {len(cases)} specs, {sum(len(p) for _, p in cases)} partitions", flush=True)
    if args.shared:
        from analyzer import bounds as original

        mw.SHARED = True
        mw.shared_rules_only(original)
    for i in args.index:
        print(mw.hunt(i, cases), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
