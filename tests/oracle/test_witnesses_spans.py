"""Witnesses for the joint spans (analyzer/spans.py, docs/theory.md sec. 4.3): the fourth pass.

Cases for mutants of analyzer/spans.py that survived the third pass
(bench/results/mutation-2026-11-30d.md, "open"); bench/results/mutation-2026-11-30e-spans.md
names the mutant each case kills and argues the ones no case can kill. As in
tests/oracle/test_oracle_witnesses.py, the expected value is the generic rank of the full grid
tensor computed here by the oracle (tests/oracle/oracle.py, independent of the analyzer), never
the analyzer's own output: each case's upper bound EQUALS that rank, so a looser variant of a
rule fails it and a sound improvement never can; an unsound variant goes below it.
"""

from __future__ import annotations

import pytest

from analyzer import analyze, spec_from_dict

from .oracle import generic_rank
from .test_oracle_witnesses import D3, D3s, _joined, _tree


def _layer(k: int, d: int, w: int) -> dict:
    return {"kernel": k, "dilation": d, "channels": w}


def _attains(spec: dict, I: list[int]) -> None:
    arch = spec_from_dict(spec, source="witness")
    (pb,) = analyze(arch, partitions=[I]).partitions
    rank = generic_rank(arch, [I], "per-node")[tuple(I)][0]
    assert pb.upper == rank, f"upper {pb.upper} ({pb.upper_source}), generic rank {rank}"


# Overlapping branches (two offsets coincide: no mode tree, docs/theory.md sec. 1) joined with a
# tree after layer 1 (a sum; the joined layer-1 units have equal supports, so no allow_overlap).
# A = kernel 2, dilations 1, 2, 2: its output's two taps read layer-2 units on positions
# {0..3} and {2..5}, which overlap on {2, 3}. B = kernel 2 then kernel 3 with dilation 2: taps
# {0, 1}, {2, 3}, {4, 5}. The two outputs (one support, {0..5}) are summed, so the joint spans
# run on {A_out, B_out}.
#
# Rules 3 and 4 need disjoint taps: the output of A is the pointwise product of two functions
# that share positions 2, 3, and the span of such products is not the tensor product of the
# blocks' spans (on block {2, 3} it holds products of two elements of one span). A variant that
# does not detect the overlap (``seen &= s`` in ``JointSpans._taps``) runs rule 4 across it and
# gives upper 2 for I = {2} here, below the generic rank 3 = M (unsound).
def _overlap_tap_net(w1: int, w2: int, M: int) -> dict:
    return {
        "name": "overlapping-taps",
        "input_channels": M,
        "readout": False,
        "branches": [
            {"name": "A", "layers": [_layer(2, 1, w1), _layer(2, 2, w2), _layer(2, 2, 2)]},
            {"name": "B", "layers": [_layer(2, 1, w1), _layer(3, 2, w2)]},
        ],
        "connections": [{"after_layer": 1, "branches": ["A", "B"], "mode": "sum"}],
    }


@pytest.mark.parametrize("w1,w2,M,I", [(1, 1, 3, [2]), (2, 2, 2, [2, 3])])
def test_overlapping_taps_regression(w1, w2, M, I):
    _attains(_overlap_tap_net(w1, w2, M), I)


# The same structure one level down: A = kernel 2, dilations 1, 1, 3 (its layer-2 units read
# overlapping layer-1 units, {t, t+1} and {t+1, t+2}; its output's taps {0, 1, 2}, {3, 4, 5}
# are disjoint), B as above. Rule 4 on {A_out, B_out} starts (two groups of taps, one support)
# and its expansion meets A's layer-2 units, whose taps overlap: the expansion answers None and
# the rule is not used. A variant that uses rule 4 whenever the expansion is a dict *or* all of
# its blocks are reached (``or`` for ``and`` in ``JointSpans._plan_prod``) asks None for its
# values and raises. The bound is tight here (each partition: upper == generic rank).
OVERLAP_BELOW = {
    "name": "overlapping-taps-below",
    "input_channels": 2,
    "readout": False,
    "branches": [
        {"name": "A", "layers": [_layer(2, 1, 2), _layer(2, 1, 2), _layer(2, 3, 2)]},
        {"name": "B", "layers": [_layer(2, 1, 2), _layer(3, 2, 2)]},
    ],
    "connections": [{"after_layer": 1, "branches": ["A", "B"], "mode": "sum"}],
}


@pytest.mark.parametrize("I", [[0, 1, 2], [0, 2, 4]])
def test_overlapping_taps_below_rule4(I):
    _attains(OVERLAP_BELOW, I)


# Rule 4 with a refinement (JointSpans._plan_prod): trees A (dilations 1, 2, 4, 8) and B
# (1, 8, 4, 2) summed after layer 1, N = 16. A's output reads layer-3 units on {0..7} and
# {8..15}, B's on {0, 1, 4, 5, 8, 9, 12, 13} and {2, 3, 6, 7, 10, 11, 14, 15}, so the meet of
# the two top partitions is {0, 1, 4, 5}, {2, 3, 6, 7}, {8, 9, 12, 13}, {10, 11, 14, 15}. A's
# layer-3 unit on {0..7} has taps {0..3}, {4..7}, which cut those blocks, and the expansion must
# refine them (to the pairs, the summed layer-1 units) before rule 4 applies. The bound (on the
# sum of the two outputs, one support) then equals the generic rank. A refinement step that
# meets with ``sup | ~reached`` instead of ``sup & ~reached`` keeps the cut block, so every
# later expansion is cut again and never reaches a dict: rule 4 is lost (upper 12 here).
RULE4_REFINED = {
    "name": "rule4-refined",
    "input_channels": 2,
    "readout": True,
    "branches": [
        {"name": "A", "kernel": 2, "dilations": [1, 2, 4, 8], "channels": [2, 1, 3, 3]},
        {"name": "B", "kernel": 2, "dilations": [1, 8, 4, 2], "channels": [2, 2, 1, 2]},
    ],
    "connections": [{"after_layer": 1, "branches": ["A", "B"], "mode": "sum"}],
}


def test_rule4_refinement_attains_rank():
    _attains(RULE4_REFINED, [0, 1, 3, 4, 5, 9, 10, 11, 12, 13, 14, 15])


# Rule 5 (a pair spanned together) on a set of unequal supports, where the pair's own start cap
# M^|J ∩ U_pair| decides. Three branches, N = 12: A (kernel 2, dilations 1, 2) and B (2, 1)
# cover the same four positions with different taps ({t, t+1}, {t+2, t+3} against {t, t+2},
# {t+1, t+3}: two groups) and never meet below; C (kernel 2 then kernel 3 with dilation 2)
# covers six, and shares its layer-1 units with A (a sum after layer 1). After layer 2 the three
# are summed (allow_overlap: supports of 4, 4 and 6 positions), and each branch reads two such
# sums (kernel 2, dilation 6), read-out. Rule 4 does not apply to the three joined units (one
# support required), rule 3 adds the three groups; rule 5 spans A and B together, and with
# disjoint pasts that pair is bounded by its start min(M^|J ∩ U_AB|, R_A + R_B), below
# R_A + R_B when U_AB has one position in J. A start cap taken larger (|J ∩ U| miscounted as
# |U| or |U| + |I ∩ U|, or U given position 0 it lacks) loses it: upper 16 for rank 12.
PAIR_CAP = {
    "name": "pair-start-cap",
    "input_channels": 2,
    "readout": True,
    "branches": [
        {"name": "A", "layers": [_layer(2, 1, 2), _layer(2, 2, 2), _layer(2, 6, 2)]},
        {"name": "B", "layers": [_layer(2, 2, 2), _layer(2, 1, 2), _layer(2, 6, 2)]},
        {"name": "C", "layers": [_layer(2, 1, 2), _layer(3, 2, 2), _layer(2, 6, 2)]},
    ],
    "connections": [
        {"after_layer": 1, "branches": ["A", "C"], "mode": "sum"},
        {"after_layer": 2, "branches": ["A", "B", "C"], "mode": "sum", "allow_overlap": True},
    ],
}


def test_pair_start_cap_attains_rank():
    _attains(PAIR_CAP, [2, 3, 4, 5, 7, 8, 9, 11])


# Rule 5 on a set of six members (the most it tries, MAX_PAIRED): six trees whose outputs (one
# support) are summed, A and B summed after layer 1 (test_oracle_witnesses.SUM_AB_C's A, B and C),
# D, E and F width-1 trees on their own. The six outputs' joint span is that of A and B together
# plus the others' own: with rule 5 tried on sets of at most five members it is lost (14).
SIX = _joined(
    "six-outputs", 2, True, [[3, 1, 3], [3, 3, 1], [1, 3, 2]], [D3, D3, D3s], [(1, "AB", None)]
)
SIX["branches"] += [_tree(b, [1, 1, 1], D3s) for b in "DEF"]  # _joined names three branches


def test_pairs_in_six_outputs_attain_rank():
    _attains(SIX, [0, 1, 4, 5])


# Rule 2 for a single join unit (JointSpans._plan): two width-1 trees (dilations 1, 2, 4, M = 3)
# summed twice after layer 1. The second sum joins the first sum unit s with itself (both
# branches continue from s), so it is 2 s: one unit whose children are one unit, and which has
# no shared past among its children (so its own state does not use the joint spans). Its own
# state counts s twice (L = min(M, 2 L(s), ...) = 3 on a pair of positions split 1 | 1); its
# sources, the two layer-1 units (rank-one channels), span 2. Everything above is width 1, so
# the output is a multiple of the product of the four summed units: rank 2 per pair split by I,
# 2^4 = 16 for I = {0, 2, 4, 6}. The rule-3 recursion from the two outputs reaches the set {2 s}
# two levels down, where no shared-read term (docs/theory.md sec. 4.1) repairs it; with its own
# state instead of its sources' span (``not in`` for ``in`` in ``_plan``) the bound is 3^4 = 81.
SELF_SUM = {
    "name": "sum-of-a-sum-with-itself",
    "input_channels": 3,
    "readout": True,
    "branches": [_tree(b, [1, 1, 1]) for b in "AB"],
    "connections": [
        {"after_layer": 1, "branches": ["A", "B"], "mode": "sum"},
        {"after_layer": 1, "branches": ["A", "B"], "mode": "sum"},
    ],
}


def test_single_join_sources_attain_rank():
    I = [0, 2, 4, 6]
    rank = generic_rank(spec_from_dict(SELF_SUM, source="witness"), [I], "per-node")[tuple(I)][0]
    assert rank == 2**4  # the hand derivation above
    _attains(SELF_SUM, I)
