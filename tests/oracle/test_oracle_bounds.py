"""Oracle property tests: the analyzer's bounds and the harness's certified ranks against the
exact rank of the FULL grid tensor (tests/oracle/oracle.py, independent of the analyzer).

For random small architectures across the whole spec language (strategies.py) and random
partitions I | J of the used positions:

* generic rank := max over two weight instances (seeds 0 and 1) of rank_GF(p) [A]_I;
* ``lower <= generic rank`` (per-node weights: the analyzer's lower bounds are proved for the
  paper's per-node decomposition; with shared weights a shortfall is a weight-sharing effect the
  harness reports as ``below-lower``, so it is not asserted there);
* ``generic rank <= upper`` (both weight modes: the upper bounds hold for every weight choice);
* the harness's certified rank (seed 0, same weights as the oracle's seed 0) never exceeds that
  instance's rank nor the upper bound, and equals it when the sample covers the grid (all
  templates) or, with random product inputs, equals min(K_r, K_c, rank) (Schwartz-Zippel).

The default profile is derandomized (same examples on every run) and takes well under 60 s;
``-m slow`` runs a larger profile with larger grids. Shrunk failures found while writing these
tests are kept as explicit ``@example`` regressions (see ``REGRESSIONS``).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analyzer import analyze, spec_from_dict
from verify import verify_architecture

from .oracle import (
    generic_rank,
    hybrid_pairs_reference,
    is_tree,
    theorem7_reference,
    used_positions,
)
from .strategies import architectures, oracle_settings

DEFAULT = oracle_settings(400, fixed=True)
LARGE = oracle_settings(5000, fixed=False)


def _canonical(I, used) -> tuple[int, ...]:
    J = [q for q in used if q not in I]
    return tuple(sorted(I)) if sorted(I) < J else tuple(J)


@st.composite
def partitions_of(draw, used: list[int], count: int = 3) -> list[list[int]]:
    n = len(used)
    out: dict = {}
    for _ in range(count):
        bits = draw(st.integers(1, 2 ** (n - 1) - 1)) if n > 2 else 1
        I = [q for i, q in enumerate(used[1:]) if (bits >> i) & 1]  # J holds used[0] ...
        if draw(st.booleans()):  # ... or I does: the bounds' code is not symmetric in I, J
            I = [q for q in used if q not in I]  # (memo keys per side; found by mutation)
        out.setdefault(_canonical(I, used), sorted(I))
    return list(out.values())


def check_oracle(spec: dict, partitions: list[list[int]], weights: str, max_k=None) -> None:
    """The whole oracle check for one architecture, partitions and weight mode."""
    arch = spec_from_dict(spec, source="oracle")
    used = used_positions(arch)
    an = analyze(arch, partitions=partitions)
    analyzer_used = an.structure.circuit.used_positions
    # the analyzer may keep a position the output does not read (its join units track supports
    # per unit, not per channel): a constant mode, which changes no rank; it must never drop one
    assert set(used) <= set(analyzer_used), "the analyzer drops a position the output reads"
    gen = generic_rank(arch, partitions, weights, seeds=(0, 1))
    M = int(arch.input_channels)
    bounds = {tuple(pb.I): pb for pb in an.partitions}
    # single tree branch (tree or gapped, any kernels, read-out or not): the propagation bound
    # equals the generic rank (theory.md sec. 3, measured on 393 cases; re-measured on 1097
    # random cases of this strategy while writing this test). A tightness check, not soundness.
    tight = len(arch.branches) == 1 and is_tree(arch.branches[0])
    assert sorted(bounds) == sorted(tuple(I) for I in partitions)
    for I, pb in bounds.items():
        rank, per_seed = gen[I]
        where = f"{spec} I={list(I)} weights={weights} ranks={per_seed}"
        assert pb.upper is not None and pb.lower is not None
        assert rank <= pb.upper, f"UNSOUND upper {pb.upper} ({pb.upper_source}) < rank: {where}"
        if weights == "per-node":
            assert pb.lower <= rank, f"lower {pb.lower} ({pb.lower_source}) > rank: {where}"
        nI, nJ = len(I), len(analyzer_used) - len(I)
        assert pb.upper <= M ** min(nI, nJ)
        # every rule on its own, not only the tightest (a min/max would hide a wrong one)
        assert rank <= int(pb.propagation), f"UNSOUND propagation {pb.propagation}: {where}"
        if pb.theorem7_upper is not None:
            assert rank <= int(pb.theorem7_upper), f"UNSOUND Theorem 7 upper: {where}"
        if weights == "per-node":
            for name in ("theorem7_lower", "claim5_lower"):
                val = getattr(pb, name)
                assert val is None or int(val) <= rank, f"{name} {val} > rank: {where}"
        t7 = theorem7_reference(arch, I)
        if t7 is None:
            assert pb.theorem7_upper is None and pb.theorem7_lower is None, where
        else:
            assert pb.theorem7_lower is not None and int(pb.theorem7_lower) == t7[1], where
            if t7[0] is None:
                assert pb.theorem7_upper is None, where
            else:
                assert pb.theorem7_upper is not None and int(pb.theorem7_upper) == t7[0], where
        hp = hybrid_pairs_reference(arch, I)
        if pb.hybrid_pairs is not None:
            assert hp is not None, f"Claim 5 applied where it does not: {where}"
            assert pb.hybrid_pairs == hp, f"hybrid pairs {pb.hybrid_pairs} != {hp}: {where}"
        if tight:
            assert pb.upper == rank, f"upper {pb.upper} ({pb.upper_source}) != rank: {where}"
    res = verify_architecture(
        arch, partitions=partitions, weights=weights, seed=0, mode="exact", max_k=max_k
    )
    assert len(res.partitions) == len(partitions)
    for pv in res.partitions:
        I = tuple(pv.I)
        r0 = gen[I][1][0]  # the oracle's rank for the harness's weights (seed 0)
        Kr, Kc = pv.K
        where = f"{spec} I={list(I)} weights={weights} K={pv.K} {pv.sampling}"
        assert pv.upper == bounds[I].upper
        assert pv.certified_lower <= r0, f"certified {pv.certified_lower} > rank {r0}: {where}"
        assert pv.certified_lower <= pv.upper, where
        assert pv.certified_lower <= min(Kr, Kc), where
        nI, nJ = len(I), len(analyzer_used) - len(I)
        if pv.sampling == "all-templates" or (Kr >= M**nI and Kc >= M**nJ):
            assert pv.certified_lower == r0, f"K covers the grid: {where}"
        if pv.sampling == "random-product":
            assert pv.certified_lower == min(Kr, Kc, r0), where
        assert pv.status != "VIOLATION", where


# ---------------------------------------------------------------- regressions (explicit)
def _br(name, dil, w, k=2):
    return {"name": name, "kernel": k, "dilations": dil, "channels": w}


# Shrunk failures and hand-made cases of each mutant kind (bench/results/mutation-*.md says which
# mutant each one kills). Each entry: (spec, partitions, weights).
REGRESSIONS = [
    # two allow_overlap joins after layer 1 on three branches: the circuit computes units (and
    # inputs at positions 0 and 3) that no output reads; evaluating them raised KeyError (verify
    # exited 3, the oracle's grid tensor failed), found by a witness search in session 5
    (
        {
            "name": "dead-units-of-overlap-joins",
            "input_channels": 2,
            "readout": False,
            "branches": [
                {
                    "name": n,
                    "layers": [{"kernel": k, "dilation": d, "channels": w} for k, d, w in layers],
                }
                for n, layers in (
                    ("A", [(2, 2, 3), (2, 4, 1)]),
                    ("B", [(3, 2, 3), (3, 5, 1)]),
                    ("C", [(3, 3, 3), (2, 5, 5)]),
                )
            ],
            "connections": [
                {"after_layer": 1, "branches": ["A", "B"], "mode": "sum", "allow_overlap": True},
                {"after_layer": 1, "branches": ["A", "C"], "exchange": 1, "allow_overlap": True},
            ],
        },
        [[2, 4, 5, 6], [5, 8, 13], [2, 7, 10, 12, 16]],
        "per-node",
    ),
    # found by the slow profile after the shared-read refinement (docs/theory.md sec. 4.1): joins
    # of unequal supports (allow_overlap) give a tap sources of different supports; the tap's
    # cap must use their union (one source's support gave upper 6 < rank 8 at I = {3,5,7})
    (
        {
            "name": "shared-read-unequal-supports",
            "input_channels": 2,
            "readout": False,
            "branches": [
                {
                    "name": "A",
                    "layers": [
                        {"kernel": 2, "dilation": 1, "channels": 2},
                        {"kernel": 2, "dilation": 4, "channels": 1},
                        {"kernel": 2, "dilation": 2, "channels": 1},
                    ],
                },
                {
                    "name": "B",
                    "layers": [
                        {"kernel": 2, "dilation": 4, "channels": 2},
                        {"kernel": 2, "dilation": 1, "channels": 1},
                        {"kernel": 2, "dilation": 2, "channels": 1},
                    ],
                },
            ],
            "connections": [
                {"after_layer": 2, "branches": ["A", "B"], "allow_overlap": True, "mode": "sum"},
                {"after_layer": 1, "branches": ["A", "B"], "allow_overlap": True, "exchange": 1},
            ],
        },
        [[3, 5, 7]],
        "per-node",
    ),
    # asymmetric exchange of 1 of 3 channels, unequal widths per layer: the exchange rule's
    # widths n = s (from the other branch), m = r - s (own) must not be swapped
    (
        {
            "name": "exchange-1-of-3",
            "input_channels": 2,
            "branches": [_br("A", [1, 2, 4], [3, 3, 1]), _br("B", [2, 1, 4], [1, 3, 1])],
            "connections": [{"after_layer": 2, "branches": ["A", "B"], "exchange": 1}],
        },
        [[0, 1, 2, 3], [0, 2, 4, 6], [1, 2, 5, 6]],
        "per-node",
    ),
    # shrunk by Hypothesis from the exchange-swap mutant (n, m = r - s, s): exchanging all of
    # one channel (s = r = 1) between a width-2 and a width-1 history, kernel 3 in the middle
    (
        {
            "name": "exchange-all",
            "input_channels": 2,
            "branches": [
                {
                    "name": "A",
                    "layers": [
                        {"kernel": 2, "dilation": 1, "channels": 1},
                        {"kernel": 3, "dilation": 3, "channels": 1},
                        {"kernel": 2, "dilation": 2, "channels": 1},
                    ],
                },
                {
                    "name": "B",
                    "layers": [
                        {"kernel": 2, "dilation": 1, "channels": 2},
                        {"kernel": 3, "dilation": 3, "channels": 1},
                        {"kernel": 2, "dilation": 1, "channels": 1},
                    ],
                },
            ],
            "connections": [{"after_layer": 2, "branches": ["A", "B"], "exchange": 1}],
        },
        [[1, 2]],
        "per-node",
    ),
    # two exchanges after the same layer: the second reads the first's output, whose largest
    # single-channel rank is max(pi_a, pi_b) (mutant: pi_b alone gave upper 5 < rank 7)
    (
        {
            "name": "two-exchanges",
            "input_channels": 2,
            "readout": True,
            "branches": [
                {"name": "A", "kernel": 2, "dilations": [1, 2, 4], "channels": [1, 3, 3]},
                {
                    "name": "B",
                    "layers": [
                        {"kernel": 2, "dilation": 2, "channels": 3},
                        {"kernel": 2, "dilation": 1, "channels": 3},
                        {"kernel": 2, "dilation": 4, "channels": 4},
                    ],
                },
            ],
            "connections": [
                {"after_layer": 2, "branches": ["A", "B"], "allow_overlap": True, "exchange": 3},
                {"after_layer": 2, "branches": ["A", "B"], "allow_overlap": True, "exchange": 2},
            ],
        },
        [[2, 4, 5, 6, 7]],
        "per-node",
    ),
    # Theorem 7 on theory.md's worked T with |Θ(J)| = 1 < |Θ(I)| = 2 (I = {0..5}, J = {6,7}):
    # upper r^min(2, 1) = 2, checked against the oracle's own tiling (kills tJ counted twice)
    (
        {"name": "worked-T", "input_channels": 3, "branches": [_br("T", [1, 2, 4], 2)]},
        [[0, 1, 2, 3, 4, 5], [0, 1, 2, 3, 4, 6]],
        "per-node",
    ),
    # Claim 5 + Theorem 7 with a hybrid width w = 4 above M = 2: the lower bound is
    # min(M, w)^pairs (discretizers must span R^w), never w^pairs
    (
        {
            "name": "wide-sum",
            "input_channels": 2,
            "branches": [_br("T", [1, 2, 4], 4), _br("Tp", [1, 4, 2], 4)],
            "connections": [{"after_layer": 1, "branches": ["T", "Tp"], "mode": "sum"}],
        },
        [[0, 2, 4, 6], [0, 1, 4, 5]],
        "per-node",
    ),
    # found by this oracle: a sum of branches with different supports (B reads 3 of 7 positions)
    # was sampled with random product inputs, which sample another tensor than the grid tensor;
    # the "certified" rank 6 exceeded the grid tensor's rank 5 (fixed in Circuit.multilinear)
    (
        {
            "name": "unequal-supports",
            "input_channels": 2,
            "branches": [
                {
                    "name": "A",
                    "layers": [
                        {"kernel": 2, "dilation": 3, "channels": 2},
                        {"kernel": 3, "dilation": 1, "channels": 1},
                    ],
                },
                {"name": "B", "layers": [{"kernel": 2, "dilation": 2, "channels": 1}]},
                {"name": "C", "layers": [{"kernel": 3, "dilation": 3, "channels": 1}]},
            ],
        },
        [[1], [1, 2, 5, 6]],
        "per-node",
    ),
    # found by this oracle: two sums after the same layer join one unit twice; the evaluator
    # freed it twice (KeyError; fixed in Network.evaluate)
    (
        {
            "name": "double-sum",
            "input_channels": 2,
            "branches": [
                _br("A", [1, 2, 4], 1),
                _br("B", [1, 2, 1, 1], 1),
                _br("C", [1, 2, 1], 1),
            ],
            "connections": [
                {"after_layer": 2, "branches": ["A", "B"], "mode": "sum"},
                {"after_layer": 1, "branches": ["A", "C"], "mode": "sum"},
                {"after_layer": 2, "branches": ["A", "C"], "mode": "sum"},
                {"after_layer": 1, "branches": ["A", "B", "C"], "mode": "sum"},
            ],
        },
        [[1], [0, 3, 5]],
        "shared",
    ),
]


# Tightness witnesses: cases where the analyzer's upper bound EQUALS the generic rank computed
# by the oracle (measured on 13343 random cases of the strategy: the bound was tight on 11465). A
# sound improvement of a rule cannot change them (it can never go below the rank); a rule made
# looser (a cap or a term dropped) does. Each was found for a mutant of bench/mutation.py
# that the soundness checks cannot see (see bench/results/mutation-*.md).
TIGHT = [
    # Propagator.state: nJ = |S| - nI (a cap M^|J ∩ S| taken as M^|S|); and the cap on R of a
    # product unit dropped: two summed branches of different supports, one of them gapped
    (
        {
            "name": "cap-J",
            "input_channels": 3,
            "branches": [
                {"name": "A", "kernel": 2, "dilations": [9], "channels": 3},
                {
                    "name": "B",
                    "layers": [
                        {"kernel": 2, "dilation": 4, "channels": 3},
                        {"kernel": 2, "dilation": 4, "channels": 2},
                    ],
                },
            ],
        },
        [1, 9],
    ),
    # Propagator.state: the cap on L of a product unit dropped (an overlapping branch, read-out)
    (
        {
            "name": "cap-I",
            "input_channels": 2,
            "readout": True,
            "branches": [
                {"name": "A", "layers": [{"kernel": 2, "dilation": 1, "channels": 4}]},
                {"name": "B", "kernel": 2, "dilations": [2, 3, 3], "channels": [3, 1, 1]},
            ],
        },
        [5, 7, 8],
    ),
    # Propagator.state, exchange: the sum of the two parts dropped from L (L = cap_I only)
    (
        {
            "name": "exchange-L",
            "input_channels": 3,
            "readout": True,
            "branches": [
                {"name": "A", "kernel": 2, "dilations": [2, 4, 1], "channels": [3, 2, 4]},
                {"name": "B", "kernel": 2, "dilations": [2, 4, 1], "channels": 2},
            ],
            "connections": [{"after_layer": 2, "branches": ["A", "B"], "exchange": 1}],
        },
        [5, 7],
    ),
    # Propagator.state, exchange: the sum of the two parts dropped from R (R = cap_J only)
    (
        {
            "name": "exchange-R",
            "input_channels": 3,
            "readout": True,
            "branches": [
                {"name": "A", "kernel": 2, "dilations": [2, 2], "channels": 2},
                {"name": "B", "kernel": 2, "dilations": [2, 4], "channels": [2, 4]},
            ],
            "connections": [{"after_layer": 1, "branches": ["A", "B"]}],
        },
        [2, 4],
    ),
    # Propagator.state, exchange: rho = min(L, R, parts) taken as a max, or L or R left out
    (
        {
            "name": "exchange-rho",
            "input_channels": 2,
            "readout": True,
            "branches": [
                {"name": "A", "kernel": 2, "dilations": [1, 6], "channels": [4, 2]},
                {"name": "B", "kernel": 2, "dilations": [1, 4], "channels": [4, 1]},
            ],
            "connections": [{"after_layer": 1, "branches": ["A", "B"], "exchange": 1}],
        },
        [2, 6, 7],
    ),
    # Propagator.state, exchange: pi = min(max(pi_a, pi_b), L, R) with min taken as max, or the
    # max left out; it matters when a second connection at the same layer reads the exchange
    (
        {
            "name": "exchange-pi",
            "input_channels": 3,
            "readout": True,
            "branches": [
                {"name": "A", "kernel": 2, "dilations": [2, 1], "channels": [2, 4]},
                {"name": "B", "kernel": 2, "dilations": [2, 1], "channels": [2, 4]},
            ],
            "connections": [
                {"after_layer": 1, "branches": ["A", "B"], "allow_overlap": True, "exchange": 1},
                {"after_layer": 1, "branches": ["A", "B"], "allow_overlap": True},
            ],
        },
        [1, 3],
    ),
    (
        {
            "name": "exchange-pi-max",
            "input_channels": 3,
            "readout": True,
            "branches": [
                {"name": "A", "kernel": 2, "dilations": [3, 2], "channels": [2, 1]},
                {
                    "name": "B",
                    "layers": [
                        {"kernel": 2, "dilation": 3, "channels": 2},
                        {"kernel": 2, "dilation": 3, "channels": 2},
                        {"kernel": 2, "dilation": 1, "channels": 3},
                    ],
                },
            ],
            "connections": [
                {"after_layer": 1, "branches": ["A", "B"], "allow_overlap": True},
                {"after_layer": 1, "branches": ["A", "B"], "allow_overlap": True},
            ],
        },
        [4, 7],
    ),
    # Propagator.state, sum unit: rho = min(L, R, sum rho) taken as a max
    (
        {
            "name": "sum-rho",
            "input_channels": 3,
            "readout": True,
            "branches": [
                {
                    "name": "A",
                    "layers": [
                        {"kernel": 2, "dilation": 3, "channels": 1},
                        {"kernel": 3, "dilation": 1, "channels": 1},
                    ],
                },
                {
                    "name": "B",
                    "layers": [
                        {"kernel": 2, "dilation": 3, "channels": 1},
                        {"kernel": 2, "dilation": 4, "channels": 4},
                    ],
                },
            ],
            "connections": [{"after_layer": 1, "branches": ["A", "B"], "mode": "sum"}],
        },
        [3, 5, 6],
    ),
    # Propagator.state, sum unit: pi = min(sum pi, L, R) taken as a max (read by an exchange
    # after the same layer)
    (
        {
            "name": "sum-pi",
            "input_channels": 2,
            "readout": True,
            "branches": [
                {
                    "name": "A",
                    "layers": [
                        {"kernel": 2, "dilation": 3, "channels": 1},
                        {"kernel": 3, "dilation": 1, "channels": 4},
                    ],
                },
                {
                    "name": "B",
                    "layers": [
                        {"kernel": 2, "dilation": 3, "channels": 1},
                        {"kernel": 3, "dilation": 1, "channels": 2},
                        {"kernel": 2, "dilation": 1, "channels": 3},
                    ],
                },
            ],
            "connections": [
                {"after_layer": 1, "branches": ["A", "B"], "allow_overlap": True, "mode": "sum"},
                {"after_layer": 1, "branches": ["A", "B"], "allow_overlap": True, "exchange": 1},
            ],
        },
        [1, 4, 6],
    ),
    # Propagator.state, product unit: pi = min(prod rho, L, R) with L left out (three summed
    # branches, kernel 3)
    (
        {
            "name": "prod-pi",
            "input_channels": 2,
            "branches": [
                {
                    "name": "A",
                    "layers": [
                        {"kernel": 3, "dilation": 2, "channels": 1},
                        {"kernel": 2, "dilation": 1, "channels": 1},
                    ],
                },
                {"name": "B", "layers": [{"kernel": 2, "dilation": 1, "channels": 1}]},
                {
                    "name": "C",
                    "layers": [
                        {"kernel": 3, "dilation": 2, "channels": 3},
                        {"kernel": 2, "dilation": 2, "channels": 4},
                    ],
                },
            ],
        },
        [1, 4, 5],
    ),
    # _part: min(dim, count * pi) with dim left out (two exchanges, after layers 1 and 2)
    (
        {
            "name": "exchange-part",
            "input_channels": 2,
            "branches": [
                {
                    "name": "A",
                    "layers": [
                        {"kernel": 2, "dilation": 1, "channels": 1},
                        {"kernel": 2, "dilation": 2, "channels": 4},
                        {"kernel": 2, "dilation": 1, "channels": 4},
                    ],
                },
                {
                    "name": "B",
                    "layers": [
                        {"kernel": 2, "dilation": 1, "channels": 1},
                        {"kernel": 2, "dilation": 2, "channels": 4},
                        {"kernel": 3, "dilation": 3, "channels": 4},
                    ],
                },
            ],
            "connections": [
                {"after_layer": 1, "branches": ["A", "B"], "exchange": 1},
                {"after_layer": 2, "branches": ["A", "B"], "exchange": 1},
            ],
        },
        [1, 3, 5, 6],
    ),
]


@pytest.mark.parametrize("spec,I", TIGHT, ids=[t[0]["name"] for t in TIGHT])
def test_tight_cases(spec, I):
    arch = spec_from_dict(spec)
    (pb,) = analyze(arch, partitions=[I]).partitions
    rank = generic_rank(arch, [I], "per-node")[tuple(I)][0]
    assert pb.upper == rank, f"upper {pb.upper} ({pb.upper_source}), generic rank {rank}"


@pytest.mark.parametrize(
    "spec,partitions,weights", REGRESSIONS, ids=[r[0]["name"] for r in REGRESSIONS]
)
def test_regressions(spec, partitions, weights):
    check_oracle(spec, partitions, weights)


@DEFAULT
@given(arch=architectures(), weights=st.sampled_from(["per-node", "shared"]), data=st.data())
def test_bounds_bracket_the_exact_rank_of_the_full_grid(arch, weights, data):
    spec, _, used = arch
    parts = data.draw(partitions_of(used), label="partitions")
    max_k = data.draw(st.sampled_from([None, None, None, 3]), label="max_k")
    check_oracle(spec, parts, weights, max_k=max_k)


@pytest.mark.slow
@LARGE
@given(
    arch=architectures(max_grid=59049),
    weights=st.sampled_from(["per-node", "shared"]),
    data=st.data(),
)
def test_bounds_bracket_the_exact_rank_large(arch, weights, data):
    spec, _, used = arch
    parts = data.draw(partitions_of(used, count=5), label="partitions")
    max_k = data.draw(st.sampled_from([None, None, None, 2, 5]), label="max_k")
    check_oracle(spec, parts, weights, max_k=max_k)


# ---------------------------------------------------------------- the issue's example (N = 16)
def test_issue_exchange_swap_example():
    """T = (1,2,4,8) widths (3,5,5,1), T' = (2,1,4,8) widths (1,5,1,1), M = 3, exchange 1 after
    layer 2, I = {0..3}. The grid has 3^16 entries, too many to enumerate: the oracle takes all
    81 rows of [A]_I and 600 random one-hot columns, a true submatrix, whose exact rank is a lower
    bound on rank [A]_I for those weights. It is 6, so every sound upper bound is >= 6."""
    from networks import random_network

    spec = {
        "name": "issue-10",
        "input_channels": 3,
        "branches": [_br("T", [1, 2, 4, 8], [3, 5, 5, 1]), _br("Tp", [2, 1, 4, 8], [1, 5, 1, 1])],
        "connections": [{"after_layer": 2, "branches": ["T", "Tp"], "exchange": 1}],
    }
    arch = spec_from_dict(spec)
    I = [0, 1, 2, 3]
    used = used_positions(arch)
    assert used == list(range(16))
    import flint

    net = random_network(arch, "exact", "per-node", seed=0)
    rng = np.random.default_rng(10)
    J = [q for q in used if q not in I]
    cols = rng.integers(0, 3, size=(600, len(J)))
    rows = np.array(np.meshgrid(*[range(3)] * 4, indexing="ij")).reshape(4, -1).T
    x = np.zeros((81, 600, 16, 3), dtype=np.int64)
    for i, q in enumerate(I):
        x[np.arange(81), :, q, rows[:, i]] = 1
    for j, q in enumerate(J):
        x[:, np.arange(600), q, cols[:, j]] = 1
    vals = np.asarray(net.evaluate_batch(x.reshape(-1, 16, 3))).reshape(81, 600) % net.p
    sub_rank = int(flint.nmod_mat(vals.tolist(), net.p).rank())
    assert sub_rank == 6
    pb = analyze(arch, partitions=[I]).partitions[0]
    assert pb.upper >= sub_rank
    res = verify_architecture(arch, partitions=[I], weights="per-node", mode="exact")
    assert res.partitions[0].certified_lower == 6 <= pb.upper


def test_exchange_of_zero_channels_is_refused():
    """s = 0 is outside the spec language (no exchange: leave the connection out)."""
    from analyzer import SpecError

    spec = {
        "name": "s0",
        "input_channels": 2,
        "branches": [_br("A", [1, 2], 2), _br("B", [1, 2], 2)],
        "connections": [{"after_layer": 1, "branches": ["A", "B"], "exchange": 0}],
    }
    with pytest.raises(SpecError, match="exchanged channels must be >= 1"):
        spec_from_dict(spec)
