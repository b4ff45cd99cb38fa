"""The propagation bound's refinements (docs/theory.md sec. 4.1: tightest π, shared reads).

Expected ranks are computed here from the full grid tensor (exact, mod p) or derived by hand.
"""

from __future__ import annotations

import random

from analyzer import analyze, spec_from_dict
from analyzer.circuit import build_circuit
from bench.differential import grid_tensor, mixed_spec, rank_of


def _br(name, dil, w):
    return {"name": name, "kernel": 2, "dilations": dil, "channels": w}


def test_sums_after_a_sum_share_their_column_space():
    """Two branches (1, 2, 4), widths 2, 4, 4, M = 3, summed after layers 1 and 2; I = {0,1,4,5}.

    By hand: after the layer-1 sum both branches read the same summed units; the block
    {0..3} has children {0,1} (inside I) and {2,3} (inside J), so every layer-2 channel there
    is (combination of the 2 channels at {0,1}) x (combination at {2,3}): its I-column space
    lies in a 2-dimensional space, for both branches. Same for {4..7}. The output is a product
    over the two blocks of one combination each: rank <= 2 x 2 = 4. Before: 81 (then 32).
    """
    spec = {
        "name": "sum2",
        "input_channels": 3,
        "branches": [_br("A", [1, 2, 4], [2, 4, 4]), _br("B", [1, 2, 4], [2, 4, 4])],
        "connections": [
            {"after_layer": 1, "branches": ["A", "B"], "mode": "sum"},
            {"after_layer": 2, "branches": ["A", "B"], "mode": "sum"},
        ],
    }
    arch = spec_from_dict(spec)
    I = [0, 1, 4, 5]
    p = analyze(arch, partitions=[I]).partitions[0]
    assert p.upper == 4
    used, A = grid_tensor(arch, "per-node", 0)
    assert rank_of(used, A, I) == 4


def test_issue_sum_example():
    """The issue's example: B0 d1w1 d8w2 d4w1 d2w3, B1 d1w1 d4w3 d8w3 d2w3, M = 2, a sum after
    layer 1, I = {0,1,2,3,5,6,7,11,...,15}: rank 4 (full grid). The upper bound was 16; the
    shared-reads rule gives 8 (still loose: docs/theory.md sec. 10)."""

    def L(name, layers):
        return {"name": name, "layers": [{"dilation": d, "channels": w} for d, w in layers]}

    spec = {
        "name": "issue-sum",
        "input_channels": 2,
        "branches": [
            L("A", [(1, 1), (8, 2), (4, 1), (2, 3)]),
            L("B", [(1, 1), (4, 3), (8, 3), (2, 3)]),
        ],
        "connections": [{"after_layer": 1, "branches": ["A", "B"], "mode": "sum"}],
    }
    arch = spec_from_dict(spec)
    I = [0, 1, 2, 3, 5, 6, 7, 11, 12, 13, 14, 15]
    p = analyze(arch, partitions=[I]).partitions[0]
    used, A = grid_tensor(arch, "per-node", 0)
    rank = rank_of(used, A, I)
    assert rank == 4
    assert rank <= p.upper <= 8


def test_upper_never_below_the_exact_rank_on_random_sums_and_exchanges():
    """upper >= exact rank (per-node weights: the larger family) on random mixed networks with
    sums, exchanges and read-outs, at most 8 used positions."""
    rng = random.Random(13)
    checked = 0
    for i in range(60):
        kind = ("sum", "both", "readout", "exchange")[i % 4]
        for _ in range(50):
            spec = mixed_spec(rng, i, kind)
            try:
                arch = spec_from_dict(spec)
            except Exception:  # noqa: BLE001 - an invalid draw
                continue
            if len(build_circuit(arch).used_positions) <= 8:
                break
        else:
            continue
        used = build_circuit(arch).used_positions
        A = grid_tensor(arch, "per-node", 1)[1]
        parts = [sorted(rng.sample(used, rng.randint(1, len(used) - 1))) for _ in range(3)]
        for pb in analyze(arch, partitions=parts).partitions:
            assert rank_of(used, A, pb.I) <= pb.upper, (spec, pb.I)
            checked += 1
    assert checked >= 150


def test_exchange_after_an_exchange_shares_the_sources():
    """Two exchanges of one channel (after layers 2 and 3) between (1, 2, 4, 8) branches of
    widths (4, 1, 2, 4) and (3, 1, 2, 1), M = 2, I = {0, 2, 3, 15}: both branches' layer-4
    units read the two halves of the same exchange, whose channels span the same two source
    units; the bound (16 before the shared-reads rule) now equals the full-grid rank."""
    spec = {
        "name": "xx",
        "input_channels": 2,
        "branches": [_br("A", [1, 2, 4, 8], [4, 1, 2, 4]), _br("B", [1, 2, 4, 8], [3, 1, 2, 1])],
        "connections": [
            {"after_layer": 2, "branches": ["A", "B"], "exchange": 1},
            {"after_layer": 3, "branches": ["A", "B"], "exchange": 1},
        ],
    }
    arch = spec_from_dict(spec)
    I = [0, 2, 3, 15]
    used, A = grid_tensor(arch, "per-node", 0)
    rank = rank_of(used, A, I)
    assert analyze(arch, partitions=[I]).partitions[0].upper == rank == 8


def test_unit_state_is_named_and_follows_the_rules_by_hand():
    """Propagator.state is a UnitState(L, R, pi, rho). Worked T (M = 3, r = 2, kernel 2), by
    hand: an input at a position of I spans all M = 3 I-side directions and is constant on the
    J side; a first-layer product unit over positions {0, 1} with I = {0} has channels
    (a_c . x0)(b_c . x1), each of rank 1, two of them spanning 2 directions on each side, and a
    combination of both is of rank 2: (L, R, pi, rho) = (2, 2, 1, 2)."""
    from analyzer import load_spec
    from analyzer.bounds import INT, Propagator, UnitState

    c = build_circuit(load_spec("builtin:worked-T"))
    prop = Propagator(c, INT)
    inp = next(i for i, u in enumerate(c.units) if u.kind == "input" and u.support == 0b1)
    st = prop.state(inp, 0b1)
    assert isinstance(st, UnitState) and (st.L, st.R, st.pi, st.rho) == (3, 1, 1, 1)
    assert prop.state(inp, 0b10) == UnitState(L=1, R=3, pi=1, rho=1)
    first = next(
        i for i, u in enumerate(c.units) if u.kind == "prod" and u.support == 0b11 and u.layer == 1
    )
    assert prop.state(first, 0b1) == UnitState(L=2, R=2, pi=1, rho=2)
