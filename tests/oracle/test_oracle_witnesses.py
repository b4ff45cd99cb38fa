"""Witnesses for the bound rules: cases where a rule is tight, and soundness regressions.

* Tightness: a bound EQUALS the generic rank of the full grid tensor, computed here by the
  oracle (tests/oracle/oracle.py, independent of the analyzer; max over two weight instances).
  A sound improvement of a rule can never break such a case (it cannot go below the rank); a
  rule made looser (a term dropped from a ``min``, a ``min`` taken as a ``max``) does. Where
  the integer path's integer-only rules (docs/theory.md secs. 4.3 and 6.6) hide a looser
  shared rule, the case is evaluated on the symbolic path as well.
* Soundness: a case where a wrong variant of a rule gave an invalid bound (upper below, or
  lower above, the rank) that no other test caught.

Each was found for a surviving mutant of bench/mutation.py by bench/mutation_witness.py;
bench/results/mutation-2026-11-30b.md and mutation-2026-11-30d.md name the mutant each case
kills.
"""

from __future__ import annotations

import pytest

from analyzer import analyze, build_circuit, spec_from_dict
from analyzer.bounds import SYM, Propagator, routed_lower, routes

from .oracle import generic_rank
from .test_oracle_bounds import check_oracle


def _tree(name: str, widths: list[int], dil=(1, 2, 4)) -> dict:
    return {"name": name, "kernel": 2, "dilations": list(dil), "channels": widths}


def _joined(name, M, readout, widths, dils, conns) -> dict:
    """Kernel-2 trees A, B, C (``widths``, ``dils`` per branch) and connections
    ``(after_layer, branches, exchange count or None for a sum)``."""
    return {
        "name": name,
        "input_channels": M,
        "readout": readout,
        "branches": [_tree(b, w, d) for b, w, d in zip("ABC", widths, dils, strict=False)],
        "connections": [
            {
                "after_layer": layer,
                "branches": list(bs),
                **({"exchange": x} if x else {"mode": "sum"}),
            }
            for layer, bs, x in conns
        ],
    }


D3, D3s, D4, D4s = [1, 2, 4], [2, 1, 4], [1, 2, 4, 8], [2, 1, 4, 8]
D3t = [1, 4, 2]  # layer 1 as D3, layers 2 and 3 swapped: the same layer-1 units, grouped anew


# two trees summed after layers 1 and 2: at layer 2 both branches read the same sum unit, so
# the second sum's I-column space is the shared span prod_j min(cap_j, L of the units read)
SUM_SUM = _joined(
    "sum-after-1-and-2",
    3,
    True,
    [[3, 2, 1], [3, 2, 2]],
    [D3, D3],
    [(1, "AB", None), (2, "AB", None)],
)

SUM_AB_C = _joined(
    "sum-ab-and-c", 2, True, [[3, 1, 3], [3, 3, 1], [1, 3, 2]], [D3, D3, D3s], [(1, "AB", None)]
)

RULE4_AB = _joined(
    "rule4-sum-after-1", 2, False, [[2, 2, 3], [2, 2, 4]], [D3, D3t], [(1, "AB", None)]
)
RULE4_AC = _joined(
    "rule4-three", 3, True, [[2, 3, 3], [1, 4, 4], [2, 1, 1]], [D3, D3s, D3t], [(1, "AC", None)]
)
RULE4_CHAIN = _joined(
    "rule4-chain",
    2,
    True,
    [[1, 4, 4], [1, 3, 1], [1, 4, 2]],
    [D3, D3t, D3],
    [(1, "AB", None), (1, "ABC", None), (2, "AC", 1)],
)
RULE4_DEEP = _joined(
    "rule4-deep",
    2,
    True,
    [[1, 3, 3, 4], [1, 1, 4, 1], [1, 3, 3, 3]],
    [D4, [1, 4, 2, 8], D4],
    [(1, "AB", None), (2, "AC", 3), (3, "AC", 1)],
)

WITNESSES = [
    # Propagator.output_bound: min(total, gL, gR) without ``total``. Two one-layer branches
    # summed, no read-out: channel 1 of each is a product of two linear forms (a rank-one
    # matrix x_0 x x_1), so the output is the sum of two generic rank-one 3 x 3 matrices:
    # rank 2 = pi_A + pi_B, below the shared span (3)
    (
        {
            "name": "output-total",
            "input_channels": 3,
            "readout": False,
            "output_channel": 1,
            "branches": [
                {"name": "A", "kernel": 2, "dilations": [1], "channels": 4},
                {"name": "B", "layers": [{"kernel": 2, "dilation": 1, "channels": 2}]},
            ],
        },
        [1],
        2,
    ),
    # Propagator._shared_span (integer path): the units read by the group (the layer-1 sum)
    # left out of min(cap, sum L of the sources, sum L of the units read), I-side
    (SUM_SUM, [2, 3], None),
    # the same on the J side
    (SUM_SUM, [1, 2, 3, 4, 5], None),
    # analyzer/spans.py (joint spans, docs/theory.md sec. 4.3) at the sum of three outputs, A
    # and B summed after layer 1, C on its own: the set's start min(M^|I ∩ S|, sum of the
    # members' L) and rule 5 (a pair spanned together) decide the bound, I- and J-side
    (SUM_AB_C, [0, 6, 7], None),
    (SUM_AB_C, [0, 1, 5, 6, 7], None),
    # spans.py rule 4 (the common refinement of the tap partitions, docs/theory.md sec. 4.3):
    # trees that share their layer-1 units (summed after layer 1) but group them differently
    # above ([1, 2, 4] and [1, 4, 2]); the refinement's factors and result decide, J side ...
    (RULE4_AB, [2, 3, 4, 5, 6, 7], None),
    # ... and I side, with a third tree on its own
    (RULE4_AC, [0, 1, 3], None),
    # ... and through joins in a row (a join's sources expanded to the blocks)
    (RULE4_CHAIN, [0, 1, 5], None),
    # ... and on a set of units whose support does not hold position 0 (N = 16)
    (RULE4_DEEP, [4, 10, 11], None),
]


@pytest.mark.parametrize(
    "spec,I,by_hand", WITNESSES, ids=[f"{w[0]['name']}-{len(w[1])}" for w in WITNESSES]
)
def test_upper_bound_is_attained(spec, I, by_hand):
    arch = spec_from_dict(spec, source="witness")
    (pb,) = analyze(arch, partitions=[I]).partitions
    rank = generic_rank(arch, [I], "per-node")[tuple(I)][0]
    if by_hand is not None:
        assert rank == by_hand  # the oracle agrees with the hand derivation above
    assert pb.upper == rank, f"upper {pb.upper} ({pb.upper_source}), generic rank {rank}"


# Soundness regressions of the routed-tree lower bound's joint leaf pairs (docs/theory.md sec.
# 6.3), found by bench/mutation_witness.py for surviving mutants of ``_leaf_pairs``: with the
# caps M^|I ∩ S|, M^|J ∩ S| of a mixed tap left out, or |J ∩ S| miscounted, the lower bound
# becomes 3 here while the generic rank of the full grid tensor is 2. Two kernel-3 layer-1
# units joined by an exchange of one channel, read by one kernel-2 unit (the output).
LEAF_PAIRS = {
    "name": "leaf-pairs-caps",
    "input_channels": 2,
    "readout": False,
    "branches": [
        {
            "name": "A",
            "layers": [
                {"kernel": 3, "dilation": 1, "channels": 3},
                {"kernel": 2, "dilation": 3, "channels": 1},
            ],
        },
        {
            "name": "B",
            "layers": [
                {"kernel": 3, "dilation": 1, "channels": 3},
                {"kernel": 2, "dilation": 3, "channels": 3},
            ],
        },
    ],
    "connections": [{"after_layer": 1, "branches": ["A", "B"], "exchange": 1}],
}


@pytest.mark.parametrize("I", [[0, 1, 3, 4, 5], [2]])  # complements: the code is not symmetric
def test_leaf_pairs_caps_regression(I):
    check_oracle(LEAF_PAIRS, [I], "per-node")


# Tightness witnesses for the rules the symbolic path runs. On concrete widths the integer path
# adds the joint spans (docs/theory.md sec. 4.3), which re-derive several terms of the exchange
# and sum rules (sec. 4.1) and so hide a looser rule; the symbolic path has no joint spans, and
# there each term named below (a shared span, a cap, a sum over the children, rho's min)
# decides the bound. Evaluated with the symbolic arithmetic on the concrete widths (the code a
# symbolic spec runs), each case's bound EQUALS the oracle's generic rank; with the term dropped
# it would not (found by bench/mutation_witness.py --shared; bench/results/mutation-2026-11-30d.md
# names the mutant each kills).
SYMBOLIC_WITNESSES = [
    # exchange rule, L = min(L, gL): two exchanges of 2 channels, after layers 2 and 3
    (
        _joined(
            "exchange-span",
            2,
            False,
            [[1, 3, 3, 4], [1, 3, 3, 2]],
            [D4, D4s],
            [(2, "AB", 2), (3, "AB", 2)],
        ),
        [0, 1, 2, 4, 5, 6, 7, 8, 9, 10],
    ),
    # exchange rule, R = min(R, gR): exchange 1, sum, exchange 1 after layers 1, 2, 3
    (
        _joined(
            "exchange-span-J",
            2,
            False,
            [[1, 3, 2, 4], [1, 3, 2, 3]],
            [D4, D4],
            [(1, "AB", 1), (2, "AB", None), (3, "AB", 1)],
        ),
        [1, 2, 8, 9, 10, 11, 14],
    ),
    # exchange rule, L = min(M^|I ∩ S|, parts) and R alike: two trees exchanged after layer
    # 2 (a third branch on its own), each unit's own bound at the cap
    (
        _joined(
            "exchange-cap",
            2,
            False,
            [[4, 2, 4], [4, 2, 1], [2, 4, 2]],
            [D3, D3s, D3s],
            [(2, "AB", 1)],
        ),
        [1, 2, 3, 7],
    ),
    # sum rule, L = min(L, gL) (the shared span of the units read): two trees summed after
    # layers 1 and 2; and R alike
    (
        _joined(
            "sum-span",
            2,
            False,
            [[3, 2, 1], [3, 2, 4]],
            [D3, D3],
            [(1, "AB", None), (2, "AB", None)],
        ),
        [0, 1],
    ),
    (
        _joined(
            "sum-span-J",
            2,
            False,
            [[3, 3, 2], [3, 3, 2]],
            [D3, D3],
            [(1, "AB", None), (2, "AB", None)],
        ),
        [0, 1, 3, 6, 7],
    ),
    # sum rule, L = min(M^|I ∩ S|, ...) and R alike: A exchanged with B and C after layer 1,
    # summed with B and exchanged with C after layer 2, M = 3
    (
        _joined(
            "sum-cap",
            3,
            False,
            [[3, 2, 3], [3, 2, 4], [3, 2, 1]],
            [D3, D3, D3],
            [(1, "AB", 2), (1, "AC", 1), (2, "AB", None), (2, "AC", 1)],
        ),
        [0, 1, 2, 3, 5],
    ),
    # sum rule, rho = min(L, R, sum rho) (9 = the rank; taken as a max it gives 15, without L
    # or without R 12): A and B summed after layers 1 and 2, A exchanged with C after 2
    (
        _joined(
            "sum-rho",
            3,
            False,
            [[4, 3, 4], [4, 3, 4], [4, 3, 4]],
            [D3, D3, D3s],
            [(1, "AB", None), (2, "AB", None), (2, "AC", 3)],
        ),
        [0, 1, 2, 3, 7],
    ),
    # sum rule, L = min(capI, sum of the children's L, r sum pi): three branches, A exchanged
    # with B and summed with C after layer 2
    (
        _joined(
            "sum-L",
            2,
            True,
            [[1, 2, 3], [1, 2, 2], [1, 2, 3]],
            [D3, D3, D3s],
            [(2, "AB", 2), (2, "AC", None)],
        ),
        [5, 6, 7],
    ),
    # sum rule, R = min(capJ, sum of the children's R, r sum pi)
    (
        _joined(
            "sum-R",
            3,
            True,
            [[4, 3, 2], [4, 3, 2], [1, 3, 2]],
            [D3, D3, D3s],
            [(1, "AB", 3), (2, "AB", 3), (2, "AC", None)],
        ),
        [0, 1, 2, 6, 7],
    ),
]


@pytest.mark.parametrize(
    "spec,I", SYMBOLIC_WITNESSES, ids=[w[0]["name"] for w in SYMBOLIC_WITNESSES]
)
def test_symbolic_path_attains_rank(spec, I):
    arch = spec_from_dict(spec, source="witness")
    mask = sum(1 << q for q in I)
    symbolic = Propagator(build_circuit(arch), SYM).output_bound(mask)
    rank = generic_rank(arch, [I], "per-node")[tuple(I)][0]
    assert symbolic == rank, f"symbolic-path upper bound {symbolic}, generic rank {rank}"
    (pb,) = analyze(arch, partitions=[I]).partitions
    assert pb.upper == rank  # the integer path (joint spans on) is tight as well


# Soundness regression of the joint leaf pairs on a PURE tap (docs/theory.md sec. 6.3): the
# read unit's channels are functions of the tap's |S| positions, so at most M^|S| of them are
# independent however wide the routing is. Two kernel-2 layer-1 units of width 5 (M = 2, so
# M^|S| = 4) exchanged, read by a read-out root of width 5: with I = {0, 1} both taps are pure
# and the matricization has at most 2^2 = 4 rows, so the rank is at most 4; without the cap
# M^|S| the routed lower bound would claim 5.
PURE_TAP = _joined("pure-tap-cap", 2, True, [[5, 5], [5, 5]], [[1, 2], [1, 2]], [(1, "AB", 2)])


def test_pure_tap_leaf_pairs_capped():
    check_oracle(PURE_TAP, [[0, 1]], "per-node")


# Tightness witnesses of the joint leaf pairs for the symbolic path (which has no joint pair
# sources, docs/theory.md sec. 6.6, the integer-only rule that re-derives these values on
# concrete widths). Two layer-1 units of width 10 exchanged (5 channels), M = 3, read by a
# read-out root of width 10; the routed lower bound, evaluated with the symbolic arithmetic on
# the concrete widths, EQUALS the generic rank: on kernel-2 taps wholly in I or in J
# (min(total, joint rank, M^|S|) = 9, one source alone gives only 5), and on kernel-4 taps
# that I cuts 2 + 2 or 2 + 1 (min(total, M^|I ∩ S|, M^|J ∩ S|) = 9 and 3 per tap).
def _leaf_pair_net(kernel: int) -> dict:
    layers = [
        {"kernel": kernel, "dilation": 1, "channels": 10},
        {"kernel": 2, "dilation": kernel, "channels": 10},
    ]
    return {
        "name": f"leaf-pairs-k{kernel}",
        "input_channels": 3,
        "readout": True,
        "branches": [{"name": "A", "layers": layers}, {"name": "B", "layers": layers}],
        "connections": [{"after_layer": 1, "branches": ["A", "B"], "exchange": 5}],
    }


@pytest.mark.parametrize(
    "kernel,I,by_hand",
    [(2, [0, 1], 9), (2, [2, 3], 9), (4, [0, 1, 4, 5], 81), (4, [0, 1, 4], 27)],
)
def test_symbolic_routed_lower_attains_rank(kernel, I, by_hand):
    arch = spec_from_dict(_leaf_pair_net(kernel), source="witness")
    mask = sum(1 << q for q in I)
    lower = routed_lower(routes(build_circuit(arch), SYM), mask, SYM)
    rank = generic_rank(arch, [I], "per-node")[tuple(I)][0]
    # by hand: min(M^|I|, M^|J|) rows or columns, all reached (the oracle agrees)
    assert rank == by_hand
    assert lower == rank, f"symbolic routed lower bound {lower}, generic rank {rank}"


# Soundness regression of the joint spans (analyzer/spans.py, rule 4: the common refinement of
# the tap partitions): with the I- and J-side results of rule 4 swapped, the upper bound falls
# to 2 on this network while the generic rank is 3 (found for a surviving mutant by
# bench/mutation_witness.py --target analyzer/spans.py --chained). Three trees, A exchanged with
# C after layer 1, and with B and C after layer 2: the output sums read units that share their
# past through two layers of joins.
CHAINED_JOINS = _joined(
    "chained-joins",
    2,
    True,
    [[1, 1, 3], [1, 1, 3], [1, 1, 4]],
    [D3, D3s, D3],
    [(1, "AC", 1), (2, "AB", 1), (2, "AC", 1)],
)


def test_joint_span_refinement_regression():
    check_oracle(CHAINED_JOINS, [[3, 4, 5, 6, 7]], "per-node")


# A tightness witness of the joint pair sources (analyzer/pairsources.py, docs/theory.md sec.
# 6.6): the outputs of two trees exchanged after layers 1 and 2 are added; per-node weights
# make their terms distinct products of atoms, and the lower bound counts them up to the
# budget of M^|S| live atoms per support: 4 = the generic rank here (oracle). With one atom
# fewer per support (budget test `<` instead of `<=`) it would give 3.
PAIR_SOURCES = _joined(
    "pair-sources-budget",
    2,
    False,
    [[4, 4, 3], [4, 4, 2]],
    [D3, D3],
    [(1, "AB", 1), (2, "AB", 3)],
)


def test_pair_sources_lower_bound_is_attained():
    I = [0, 1, 2, 3, 4, 5]
    arch = spec_from_dict(PAIR_SOURCES, source="witness")
    (pb,) = analyze(arch, partitions=[I]).partitions
    rank = generic_rank(arch, [I], "per-node")[tuple(I)][0]
    assert pb.lower == rank, f"lower {pb.lower} ({pb.lower_source}), generic rank {rank}"


# Soundness regressions of the integer routed lower bound (``_int_out``): a pure tap delivers
# at most min(w, inner) independent channels, inner <= M^|S| for a layer-1 source. Layer-1
# units wider than M^|S| = 4 (M = 2, kernel 2), read by read-out roots: with I = {0, 1} the
# matricization has 2^2 = 4 rows, so the rank is at most 4; with max(w, inner) in place of
# the min the lower bound would claim 5 (one source, a plain tree) or 6 (two sources of an
# exchange of 3). The oracle strategy draws widths up to 4, never above M^|S| there.
WIDE_TREE = {
    "name": "wide-layer-one",
    "input_channels": 2,
    "readout": True,
    "branches": [{"name": "A", "kernel": 2, "dilations": [1, 2], "channels": [5, 5]}],
}
WIDE_EXCHANGE = _joined(
    "wide-exchange", 2, True, [[9, 9], [9, 9]], [[1, 2], [1, 2]], [(1, "AB", 3)]
)


# The same through the memo of pure units' entries, which persists across partitions: in the
# second partition the layer-1 units' entries come from the first, through a speed-only
# shortcut that must take the same min (lower 10 > rank 8 with max).
WIDE_TREE3 = {**WIDE_TREE, "name": "wide-depth-3", "branches": [_tree("A", [5, 5, 5])]}


@pytest.mark.parametrize(
    "spec,partitions",
    [(WIDE_TREE, [[0, 1]]), (WIDE_EXCHANGE, [[0, 1]]), (WIDE_TREE3, [[0, 1, 4, 5], [0, 1, 4]])],
    ids=["tree", "exchange", "tree-memo"],
)
def test_wide_layer_one_regression(spec, partitions):
    check_oracle(spec, partitions, "per-node")


# The joint pair sources' copy maps (analyzer/pairsources.py) follow chains of exchanges of
# layer-1 units: an exchange whose first s channels copy one unit's and the rest the other's.
# Two-position trees exchanged after layer 1 (one channel, and by a second, overlapping
# connection, half), read by kernel-3 units: the lower bound 4 equals the generic rank; with
# the first s channels of the chain dropped it would give 2.
COPY_CHAIN = {
    "name": "copy-chain",
    "input_channels": 2,
    "readout": True,
    "branches": [
        {
            "name": b,
            "layers": [
                {"kernel": 2, "dilation": 1, "channels": 2},
                {"kernel": 3, "dilation": 2, "channels": w},
            ],
        }
        for b, w in (("A", 9), ("B", 4))
    ],
    "connections": [
        {"after_layer": 1, "branches": ["A", "B"], "allow_overlap": True, "exchange": 1},
        {"after_layer": 1, "branches": ["A", "B"], "allow_overlap": True},
    ],
}
# A sum and an exchange after the same layer (three branches): A's exchange unit reads the sum
# unit, which has no copy map, and C's layer-1 unit, which has one.
SUM_THEN_EXCHANGE = _joined(
    "sum-then-exchange",
    2,
    False,
    [[3, 4, 1], [3, 4, 2], [3, 4, 1]],
    [D3, D3, D3],
    [(1, "AB", None), (1, "AC", 3)],
)


def test_copy_chain_lower_bound_is_attained():
    I = [0, 1, 4, 5]
    arch = spec_from_dict(COPY_CHAIN, source="witness")
    (pb,) = analyze(arch, partitions=[I]).partitions
    rank = generic_rank(arch, [I], "per-node")[tuple(I)][0]
    assert pb.lower == rank, f"lower {pb.lower} ({pb.lower_source}), generic rank {rank}"


def test_sum_then_exchange_after_one_layer():
    check_oracle(SUM_THEN_EXCHANGE, [[0, 1, 3, 4], [0, 2, 5, 6, 7]], "per-node")


# Soundness regression of the joint pair sources: only input units and layer-1 units have
# copy maps (their channels can be made distinct product basis vectors). Counting a deeper
# product unit's channels as atoms, the outputs of these two unconnected trees would give a
# lower bound of 8, while their layer-1 width 1 makes every layer-2 unit's channels multiples
# of one function: rank 2 (oracle).
DEEP_ATOMS = {
    "name": "deep-atoms",
    "input_channels": 2,
    "readout": True,
    "branches": [_tree("A", [1, 4, 4]), _tree("B", [1, 4, 4])],
}


def test_pair_sources_atoms_regression():
    check_oracle(DEEP_ATOMS, [[0, 1, 2, 3]], "per-node")


# Soundness regression of the exchange rule on the symbolic path: one channel of an exchange
# has rank at most the larger pi of the two units it takes channels from; with the second
# unit's pi left out, a join reading that exchange (two exchanges after layer 3) gets an upper
# bound of 76 while the generic rank is 104 (found by bench/mutation_witness.py --shared).
EXCHANGE_PI = _joined(
    "exchange-pi",
    2,
    True,
    [[3, 2, 2, 1], [1, 2, 2, 1], [3, 2, 2, 4]],
    [D4, D4, D4],
    [(1, "AC", None), (2, "AC", 1), (3, "AB", 1), (3, "AC", 2)],
)


def test_exchange_pi_regression():
    I = [3, 5, 6, 8, 9, 11, 12, 13]
    arch = spec_from_dict(EXCHANGE_PI, source="witness")
    rank = generic_rank(arch, [I], "per-node")[tuple(I)][0]
    symbolic = Propagator(build_circuit(arch), SYM).output_bound(sum(1 << q for q in I))
    assert symbolic >= rank, f"symbolic-path upper bound {symbolic} < generic rank {rank}"
    check_oracle(EXCHANGE_PI, [I], "per-node")


# The joint pair sources' budget M^|S| of live atoms per support (M = 3, |S| = 2: 9 atoms):
# two trees of layer-1 width 9 exchanged (4) after layer 1, read-out roots of width 4, outputs
# added; with I = {0, 1} the lower bound 8 equals the generic rank (a budget of M * |S| = 6
# would give 6).
PAIR_BUDGET = _joined("pair-budget", 3, True, [[9, 4], [9, 4]], [[1, 2], [1, 2]], [(1, "AB", 4)])


def test_pair_sources_budget_is_attained():
    I = [0, 1]
    arch = spec_from_dict(PAIR_BUDGET, source="witness")
    (pb,) = analyze(arch, partitions=[I]).partitions
    rank = generic_rank(arch, [I], "per-node")[tuple(I)][0]
    assert pb.lower == rank, f"lower {pb.lower} ({pb.lower_source}), generic rank {rank}"
