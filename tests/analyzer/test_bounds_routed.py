"""The routed-tree lower bound (analyzer/bounds.py: routes, routed_lower; docs/theory.md sec. 6).

Expected values are derived by hand in the comments or computed here from the full grid tensor
(one-hot templates, exact arithmetic mod p, rank over GF(p) with python-flint), never taken from
the analyzer's output.
"""

from __future__ import annotations

import dataclasses
import random

import pytest

from analyzer import analyze, spec_from_dict
from analyzer.bounds import INT, SYM, routed_lower, routes
from analyzer.circuit import build_circuit, mask_of
from bench.differential import grid_tensor, k3_tree_spec, mixed_spec, rank_of


def _br(name, dil, w, k=2):
    return {"name": name, "kernel": k, "dilations": dil, "channels": w}


def _full_rank(arch, I, weights=("shared", "per-node")) -> int:
    best = 0
    for wm in weights:
        used, A = grid_tensor(arch, wm, 0)
        best = max(best, rank_of(used, A, I))
    return best


# --------------------------------------------------------------------------- routing widths
def test_edge_widths_stay_cross_and_sum():
    """Exchange of s of r channels: r - s staying, s crossing; a sum passes r; an exchange then
    a sum of the same branches passes r from either branch (integer and symbolic paths)."""
    for s in (1, 2, 3):
        spec = {
            "name": "x",
            "input_channels": 2,
            "branches": [_br("A", [1, 2, 4], 3), _br("B", [2, 1, 4], 3)],
            "connections": [{"after_layer": 2, "branches": ["A", "B"], "exchange": s}],
        }
        c = build_circuit(spec_from_dict(spec))
        for arith in (INT, SYM):
            rt = routes(c, arith)
            for u in c.units:
                if u.kind == "prod" and u.layer == 3:
                    for tap in rt.taps[u.id]:
                        # a width 0 (s = r, staying) may be listed: it carries nothing
                        got = {c.units[x].branch: int(w) for x, w in tap if int(w)}
                        want = {u.branch: 3 - s, 1 - u.branch: s}
                        assert got == {b: w for b, w in want.items() if w}
    spec = {
        "name": "xs",
        "input_channels": 2,
        "branches": [_br("A", [1, 2], 3), _br("B", [1, 2], 3)],
        "connections": [
            {"after_layer": 1, "branches": ["A", "B"], "exchange": 1},
            {"after_layer": 1, "branches": ["A", "B"], "mode": "sum"},
        ],
    }
    c = build_circuit(spec_from_dict(spec))
    rt = routes(c, INT)
    for u in c.units:
        if u.kind == "prod" and u.layer == 2:
            for tap in rt.taps[u.id]:
                assert sorted(w for _, w in tap) == [3, 3]


# --------------------------------------------------------------------------- the examples
def test_full_exchange_realizes_crossed_hybrid_trees():
    """s = r: Claim 5's width min(s, r - s) is 0, but the crossed hybrid tree has full width.

    T = (1, 2, 4), T' = (2, 1, 4), r = 2, M = 2, full exchange after layer 2 (mixture nodes
    {0..3}, {4..7}); I = {0, 2, 4, 6}. Under T the leaf pairs {0,1}, {2,3}, {4,5}, {6,7} are
    split; the hybrid tree reading T's blocks from the root crosses at both mixture nodes
    (width s = 2); each pair node lies inside a block (edge width r = 2), leaves give M = 2:
    2^4 = 16 = M^|I|, the largest possible rank.
    """
    spec = {
        "name": "full",
        "input_channels": 2,
        "branches": [_br("T", [1, 2, 4], 2), _br("Tp", [2, 1, 4], 2)],
        "connections": [{"after_layer": 2, "branches": ["T", "Tp"], "exchange": 2}],
    }
    arch = spec_from_dict(spec)
    I = [0, 2, 4, 6]
    p = analyze(arch, partitions=[I]).partitions[0]
    assert p.claim5_lower == "0"  # the paper's uniform width min(s, r - s)
    assert int(p.routed_lower) == 16 == p.lower
    assert _full_rank(arch, I) == 16


def test_kernel3_pair_nodes():
    """k = 3 tree, dilations (1, 3), widths 2, M = 2, I = {0, 3, 6}.

    Every layer-1 node {3i, 3i+1, 3i+2} has one leaf in I and two in J: a pair node with
    g = min(r = 2, edge 2, M = 2, M^2 = 4) = 2; three of them: 2^3 = 8. The binary sibling
    count of Theorem 7 sees no pair at all (lower bound 1 before).
    """
    spec = {"name": "k3", "input_channels": 2, "branches": [_br("T", [1, 3], 2, k=3)]}
    arch = spec_from_dict(spec)
    I = [0, 3, 6]
    p = analyze(arch, partitions=[I]).partitions[0]
    assert int(p.routed_lower) == 8 == p.lower
    assert p.lower_source == "Theorem 7, widths per node"
    assert 8 <= _full_rank(arch, I) <= p.upper


def test_readout_counts_the_root_pair():
    """One layer of kernel 2 with a read-out (an extension): the root's two leaves are a pair,
    g = min(r, M, M) = min(3, 2) = 2; without the read-out the root channel is one product (1)."""
    base = {"name": "ro", "input_channels": 2, "branches": [_br("T", [1], 3)]}
    for readout, want in ((True, 2), (False, 1)):
        arch = spec_from_dict(base | {"readout": readout})
        p = analyze(arch, partitions=[[0]]).partitions[0]
        assert int(p.routed_lower) == want
        assert _full_rank(arch, [0]) == want


def test_joint_leaf_pairs_add_the_sources():
    """Half exchange after layer 1 (r = 2, M = 2), I = {0,1,2,3,4,6,7}, J = {5}: the only pair
    is the mixture node {4,5}, read through the exchange with width 1 from each branch. One
    source gives 1; both layer-1 sources together give min(1 + 1, M, M) = 2."""
    spec = {
        "name": "half",
        "input_channels": 2,
        "branches": [_br("A", [1, 2, 4], 2), _br("B", [1, 2, 4], 2)],
        "connections": [{"after_layer": 1, "branches": ["A", "B"]}],
    }
    arch = spec_from_dict(spec)
    I = [0, 1, 2, 3, 4, 6, 7]
    p = analyze(arch, partitions=[I]).partitions[0]
    assert int(p.routed_lower) == 2
    assert _full_rank(arch, I) == 2


# --------------------------------------------------------------------------- properties
def _family(n: int, seed: int):
    rng = random.Random(seed)
    kinds = ("exchange", "sum", "both", "readout", "k3")
    out = []
    for i in range(n):
        for _ in range(50):
            spec = k3_tree_spec(rng, i) if i % 6 == 5 else mixed_spec(rng, i, kinds[i % 5])
            try:
                arch = spec_from_dict(spec)
            except Exception:  # noqa: BLE001 - an invalid draw
                continue
            if len(build_circuit(arch).used_positions) <= 8:  # keep the test fast
                out.append(arch)
                break
    return out


def test_lower_never_above_the_exact_rank_on_random_networks():
    """lower <= exact generic rank <= upper, shared and per-node weights, random small networks
    (the bench's generator with another seed, at most 8 used positions)."""
    rng = random.Random(7)
    checked = 0
    for arch in _family(45, seed=11):
        used = build_circuit(arch).used_positions
        tensors = {wm: grid_tensor(arch, wm, 0)[1] for wm in ("shared", "per-node")}
        parts = []
        for _ in range(3):
            parts.append(sorted(rng.sample(used, rng.randint(1, len(used) - 1))))
        for pb in analyze(arch, partitions=parts).partitions:
            for A in tensors.values():
                rank = rank_of(used, A, pb.I)
                assert pb.lower <= rank <= pb.upper, (arch.name, pb.I, pb.lower, rank, pb.upper)
                checked += 1
    assert checked >= 150


def test_integer_path_equals_symbolic_path():
    """The integer fast path and the symbolic path compute the same maximum over routed trees
    (networks without a chain of joins, where the symbolic path has its closed forms). The
    joint pair sources (theory.md sec. 6.6) run on integers only: compared without them (no
    copy maps), and the integer path with them is never lower."""
    rng = random.Random(3)
    n = 0
    for arch in _family(60, seed=5):
        c = build_circuit(arch)
        if any(
            u.kind in ("exchange", "sum")
            and any(c.units[ch].kind in ("exchange", "sum") for ch in u.children)
            for u in c.units
        ):
            continue
        ri, rs = routes(c, INT), routes(c, SYM)
        for _ in range(4):
            I = mask_of(q for q in c.used_positions if rng.random() < 0.5)
            plain = routed_lower(
                dataclasses.replace(ri, copies={}, memo={}, mixed={}, pair_plans={}), I, INT
            )
            assert plain == int(routed_lower(rs, I, SYM))
            assert routed_lower(ri, I, INT) >= plain
            n += 1
    assert n >= 100


def test_symbolic_width_gives_the_substituted_value():
    """r symbolic in the paper-mixed network: the bound is r^8 on the paper's set; at r = 2 the
    full grid tensor has rank 2^8 (docs/theory.md sec. 6.4)."""
    from analyzer import load_spec

    arch = load_spec("builtin:paper-mixed")
    I = [0, 2, 4, 6, 8, 9, 12, 13]
    p = analyze(arch, partitions=[I]).partitions[0]
    assert p.routed_lower == "r**8"
    a2 = load_spec("builtin:paper-mixed", {"r": 2})
    assert analyze(a2, partitions=[I]).partitions[0].lower == 256
    assert _full_rank(a2, I, weights=("shared",)) == 256


@pytest.mark.parametrize("name", ["worked-mix2", "worked-mix2-sum", "worked-T-plus-Trev"])
def test_worked_table_bracketed(name):
    """The worked table (docs/theory.md sec. 9): the new lower bound never exceeds it."""
    from analyzer import load_spec
    from tests.worked_table import WORKED_COLUMNS, WORKED_TABLE, column_positions

    arch = load_spec(f"builtin:{name}")
    ranks = WORKED_TABLE[name][1]
    a = analyze(arch, partitions=[column_positions(c) for c in WORKED_COLUMNS])
    for pb, rank in zip(a.partitions, ranks, strict=True):
        assert pb.lower <= rank <= pb.upper


def test_routes_shape_cache_matches_per_unit_computation():
    """routes() computes the ranks once per join-chain shape (issue 12, performance only): the
    taps and joint ranks must equal the per-unit computation, keys in the same order."""
    from analyzer.bounds import _joint_rank, _sources

    spec = {
        "name": "xs",
        "input_channels": 2,
        "branches": [_br("A", [1, 2, 4, 8], 3), _br("B", [1, 2, 8, 4], 3)],
        "connections": [
            {"after_layer": 1, "branches": ["A", "B"], "exchange": 1},
            {"after_layer": 1, "branches": ["A", "B"], "mode": "sum"},
            {"after_layer": 2, "branches": ["A", "B"], "exchange": 2},
        ],
    }
    c = build_circuit(spec_from_dict(spec))
    rt = routes(c, INT)
    width = rt.width
    n_joins = 0
    for u in c.units:
        if u.kind != "prod":
            continue
        want = tuple(tuple(_sources(c, ch, width, INT).items()) for ch in u.children)
        assert rt.taps[u.id] == want
        for ch in u.children:
            n_joins += c.units[ch].kind in ("sum", "exchange")
            assert rt.joint[ch] == _joint_rank(c, ch, width, INT)
    assert n_joins > 4  # the cache was exercised on several join units
