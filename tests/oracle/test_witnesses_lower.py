"""Tightness witnesses of the lower-bound rules: a lower bound EQUAL to the generic rank.

The generic rank is the oracle's (tests/oracle/oracle.py: the exact rank of the full grid
tensor, max over two per-node weight instances; independent of the analyzer). A lower bound is
a construction, so a rule made weaker (a candidate left out, a ``max`` taken as a ``min``) stays
valid; only a case where the weakened term decides a bound equal to the rank can tell it apart.
Each case below names the term that decides and why the rank is what it is (by hand, and the
oracle agrees). bench/results/mutation-2026-11-30e-lower.md names the mutant of
bench/mutation.py each one kills.
"""

from __future__ import annotations

import analyzer.pairsources as pairsources
from analyzer import analyze, build_circuit, spec_from_dict

from .oracle import generic_rank
from .test_oracle_witnesses import D3, _joined


def _lower_and_rank(spec: dict, I: list[int]) -> tuple[int, int]:
    arch = spec_from_dict(spec, source="witness")
    (pb,) = analyze(arch, partitions=[I]).partitions
    rank = generic_rank(arch, [I], "per-node")[tuple(I)][0]
    assert pb.lower <= rank <= pb.upper  # sound either way
    return pb.lower, rank


# The routed-tree lower bound's pure tap with several sources (docs/theory.md sec. 6.2,
# out(tap) = max over the sources x of min(w_x, inner(x))): two trees summed after layer 2,
# M = 2, read-out roots of width 3, I = {0, 1, 2, 3}. Each root's left tap reads the layer-2
# sum unit of positions 0..3, whose sources are A's layer-2 unit (inner 1: A's layer-1 width
# is 1, so all its channels are multiples of one function) and B's (inner min(3, 2 * 2) = 3).
# By hand: every root channel, hence the output, is a bilinear form in the 3 channels of the
# left sum unit and the 3 of the right one, so the rank is at most 3; the tree through B's
# sources realizes 3. The best source (B's) decides: with the min over the sources the bound
# would be 1. The sources are layer-2 units, so neither the joint leaf pairs (sec. 6.3) nor the
# joint pair sources (sec. 6.6, atoms of layer-1 units only) apply.
PURE_TAP_BEST = _joined(
    "pure-tap-best-source", 2, True, [[1, 3, 3], [2, 3, 3]], [D3, D3], [(2, "AB", None)]
)


def test_pure_tap_best_source_attains_rank():
    lower, rank = _lower_and_rank(PURE_TAP_BEST, [0, 1, 2, 3])
    assert rank == 3  # by hand (above); the oracle agrees
    assert lower == rank, f"lower {lower}, generic rank {rank}"


# The joint pair sources (analyzer/pairsources.py, docs/theory.md sec. 6.6) may reuse a live
# atom: a term needs an I-tuple of atoms (one per I tap) that no other term has, not fresh atoms
# in every tap. Two unconnected two-layer branches, M = 2: layer-1 units of width 2 (kernel 2),
# read-out roots of kernel 4 and width 4; the roots have one support, so their
# outputs are added. With I = {0, 1, 2, 3} each root is a pair node with two I taps and two J
# taps. By hand: root A's I-side functions lie in the span of the 2 x 2 = 4 products
# a_i(x0, x1) a_j(x2, x3) of its layer-1 channels, and B's in another 4-dimensional span (its
# own layer-1 units): with generic weights the two are independent, so the sum has rank
# 4 + 4 = 8 (each root alone: 4, its routed tree). The pair sources count 8: per root the four
# I-tuples (a_1, a'_1), (a_1, a'_2), (a_2, a'_1), (a_2, a'_2), which reuse each atom twice, and
# the same on J, within the budget of M^2 = 4 live atoms per support (2 of A, 2 of B). Without
# reusing live atoms each root gets only 2 terms (4 fresh atoms per support in all).
def _two_roots(w1: int, w2: int) -> dict:
    layers = [
        {"kernel": 2, "dilation": 1, "channels": w1},
        {"kernel": 4, "dilation": 2, "channels": w2},
    ]
    return {
        "name": f"reuse-atoms-{w1}-{w2}",
        "input_channels": 2,
        "readout": True,
        "branches": [{"name": "A", "layers": layers}, {"name": "B", "layers": layers}],
    }


REUSE_ATOMS = _two_roots(2, 4)


def test_pair_sources_reuse_live_atoms():
    lower, rank = _lower_and_rank(REUSE_ATOMS, [0, 1, 2, 3])
    assert rank == 8  # by hand (above); the oracle agrees
    assert lower == rank, f"lower {lower}, generic rank {rank}"


# The copy maps' cost limit MAX_ATOMS is the widest unit that still gets one (docs: "widest unit
# given a copy map"): a unit exactly that wide keeps its atoms, and with them the joint pair
# sources' count, which here decides the bound equal to the rank (the case above: 8, while the
# routed trees alone give 4). The limit is lowered to the layer-1 width (2) to see its edge on a
# small network.
def test_copy_map_limit_is_inclusive(monkeypatch):
    arch = spec_from_dict(REUSE_ATOMS, source="witness")
    circuit = build_circuit(arch)
    width = [int(u.width) for u in circuit.units]
    layer1 = {
        u.id
        for u in circuit.units
        if u.kind == "prod" and all(circuit.units[c].kind == "input" for c in u.children)
    }
    assert layer1 and {width[v] for v in layer1} == {2}
    monkeypatch.setattr(pairsources, "MAX_ATOMS", 2)
    assert layer1 <= set(pairsources.copy_maps(circuit, width))
    lower, rank = _lower_and_rank(REUSE_ATOMS, [0, 1, 2, 3])
    assert lower == rank == 8
    monkeypatch.setattr(pairsources, "MAX_ATOMS", 1)  # one below: the layer-1 units are left out
    assert not layer1 & set(pairsources.copy_maps(circuit, width))
