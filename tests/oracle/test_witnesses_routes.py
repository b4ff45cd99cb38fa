"""Tightness witnesses of the routing table behind the routed lower bound (docs/theory.md
secs. 6.2-6.3): a lower bound EQUAL to the generic rank, where a wrong routing would count
fewer sources. The generic rank is the oracle's (tests/oracle/oracle.py, independent of the
analyzer). bench/results/mutation-2026-11-30e.md names the mutants of bench/mutation.py each
case kills.
"""

from __future__ import annotations

import sympy

from analyzer import analyze, build_circuit, spec_from_dict
from analyzer.bounds import INT, SYM, Propagator, routed_lower, symbol_minima

from .oracle import generic_rank
from .test_oracle_witnesses import _joined
from .test_witnesses_lower import PURE_TAP_BEST

# Four sums in a row after layer 1 on three kernel-2 trees (dilations 1, 2), layer-1 width 1,
# M = 3: (A, B), (A, C), (B, C), (A, B). Every branch then reads, at each layer-1 offset, one
# unit whose channel is a positive combination of the three layer-1 units a, b, c (a reaches it
# by paths through two and through three of the sums). With I = {0} the roots' first tap is
# mixed and reads the three layer-1 sources together: the joint leaf pairs give
# min(1 + 1 + 1, M^|I ∩ S|, M^|J ∩ S|) = 3 = M^|I|, the upper bound, hence the rank (the
# oracle agrees). A routing that loses a source (route matrices added with a wrong sign cancel
# a's two paths) counts 2.
SUM_CHAIN = _joined(
    "four-sums-after-layer-1",
    3,
    False,
    [[1, 1], [1, 3], [1, 4]],
    [[1, 2]] * 3,
    [(1, "AB", None), (1, "AC", None), (1, "BC", None), (1, "AB", None)],
)


def test_routing_through_sums_in_a_row_keeps_every_source():
    arch = spec_from_dict(SUM_CHAIN, source="witness")
    I = [0]
    rank = generic_rank(arch, [I], "per-node")[tuple(I)][0]
    assert rank == 3  # = M^|I|: the upper bound of any partition with one position in I
    rt = Propagator(build_circuit(arch), INT).routes()
    assert routed_lower(rt, 1 << 0, INT) == rank
    (pb,) = analyze(arch, partitions=[I]).partitions
    assert pb.lower == rank == pb.upper


# A soundness regression of the symbolic routed lower bound (docs/theory.md sec. 6.2): a pure
# tap delivers at most min(w, inner(x)) channels from source x, w the rank of the routing from
# x (for an exchange: s or r - s). Two trees exchanged (1 channel) after layer 2, M = 2,
# read-out; A's layer 1 has width 1 (so A's layer-2 unit has one function up to scale) and B's
# root has width 1. With I = {0, 1, 2, 3}, A's root reads on each side B's channel 0 and A's one
# function: rank <= 2; B's root is one product: rank 1. So rank <= 3 (the oracle: 3). Counting
# B's layer-2 unit as delivering all of its inner 4 functions through its one exchanged channel
# gave lower 4 > 3.
NARROW_EXCHANGE = _joined(
    "exchange-1-narrow-sources", 2, True, [[1, 4, 4], [2, 4, 1]], [[1, 2, 4]] * 2, [(2, "AB", 1)]
)


def test_exchange_routed_width_caps_what_a_pure_tap_delivers():
    arch = spec_from_dict(NARROW_EXCHANGE, source="witness")
    I = [0, 1, 2, 3]
    rank = generic_rank(arch, [I], "per-node")[tuple(I)][0]
    assert rank == 3  # <= 2 + 1 by hand (above); the oracle agrees
    mask = sum(1 << q for q in I)
    circuit = build_circuit(arch)
    for arith in (INT, SYM):  # SYM: the code a symbolic spec runs, on the concrete widths
        rt = Propagator(circuit, arith).routes()
        assert int(routed_lower(rt, mask, arith)) <= rank, arith


def test_symbolic_pure_tap_takes_the_best_source():
    """The symbolic routed lower bound on test_witnesses_lower's PURE_TAP_BEST: a pure tap whose
    first source delivers 1 channel and whose second delivers 3 (a max over the sources, not
    the first one) attains the rank 3 there, as the integer path does."""
    arch = spec_from_dict(PURE_TAP_BEST, source="witness")
    I = [0, 1, 2, 3]
    rank = generic_rank(arch, [I], "per-node")[tuple(I)][0]
    assert rank == 3
    rt = Propagator(build_circuit(arch), SYM).routes()
    assert int(routed_lower(rt, 0b1111, SYM)) == rank


# A soundness regression of the symbolic routed lower bound at a point where a routed width
# vanishes: width r*q at layer 2, an exchange of r channels after layer 2 (valid for all
# r, q >= 1); at q = 1 every channel is exchanged, and the own part r*q - r of each exchange unit
# is 0. A (dilations 1, 2, 4) has layer-1 width 1, so its layer-2 units carry one function; B
# (dilations 1, 2, 4, 8, one level deeper) has layer-1 width 3. At q = 1, B's exchange units hold
# only A's layer-2 channels, so B's output is poor; an edge of width 0 must carry nothing
# (best_mixed's factor min(1, w)): counting B's own rich layer-2 units through it gave lower
# 256 > rank 17 on I = the even positions (M = 2, r = 2).
def _vanishing(wA, wB, x) -> dict:
    return _joined(
        "exchange-all-at-q-1", 2, False, [wA, wB], [[1, 2, 4], [1, 2, 4, 8]], [(2, "AB", x)]
    )


def test_symbolic_routed_lower_where_an_exchange_leaves_nothing_own():
    sym = spec_from_dict(_vanishing([1, "r*q", 2], [3, "r*q", 2, 2], "r"), source="witness")
    at = {"r": 2, "q": 1}
    concrete = spec_from_dict(_vanishing([1, 2, 2], [3, 2, 2, 2], 2), source="witness")
    I = list(range(0, 16, 2))
    rank = generic_rank(concrete, [I], "per-node")[tuple(I)][0]
    assert rank == 17
    arith = SYM.with_minima(symbol_minima(sym))
    low = sympy.sympify(routed_lower(Propagator(build_circuit(sym), arith).routes(), 0x5555, arith))
    value = low.subs({s: at[s.name] for s in low.free_symbols})
    assert 1 <= value <= rank, low
