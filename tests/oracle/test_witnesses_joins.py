"""Tightness witnesses for the exchange and sum rules' rho and pi terms (docs/theory.md sec. 4.1).

Each case is a small network and partition where the propagation upper bound EQUALS the generic
rank of the full grid tensor, computed here by the oracle (tests/oracle/oracle.py, independent
of the analyzer; max over two weight instances), on the symbolic path (no joint spans) and on
the integer path. In each, one term of a join rule decides the bound: with that term dropped
the bound would be above the rank, and a sound improvement of a rule can never go below it.

The rho terms bind only where the joined units differ in kind: one unit poor on the I side
(L < R, for example cut by I with few I positions) and the other on the J side (R < L, for
example wholly in I, R = 1). Units of one support share I ∩ S; no such pair was found among
them, so those cases join units of different supports (``allow_overlap``,
docs/spec-format.md). Terms of pi are read only by a join after the same layer, so the pi cases
have joins in a row; they are given with ``allow_overlap`` and with equal supports. Found with
bench/mutation_witness_joins.py and shrunk; the mutants each case kills are listed in
bench/results/mutation-2026-11-30e-joins.md.
"""

from __future__ import annotations

import pytest

from analyzer import analyze, build_circuit, spec_from_dict
from analyzer.bounds import SYM, Propagator

from .oracle import generic_rank


def _net(name: str, M: int, readout: bool, branches: dict, conns: list) -> dict:
    """Branches ``{name: [(kernel, dilation, width), ...]}`` and connections
    ``(after_layer, "AB", exchange count or None for a sum, allow_overlap)``."""
    return {
        "name": name,
        "input_channels": M,
        "readout": readout,
        "branches": [
            {"name": b, "layers": [{"kernel": k, "dilation": d, "channels": w} for k, d, w in ls]}
            for b, ls in branches.items()
        ],
        "connections": [
            {
                "after_layer": layer,
                "branches": list(bs),
                **({"exchange": x} if x else {"mode": "sum"}),
                **({"allow_overlap": True} if overlap else {}),
            }
            for layer, bs, x, overlap in conns
        ],
    }


# Exchange rule, rho = min(L, R, min(rho_a, n pi_a) + min(rho_b, m pi_b)). At time offset 5,
# B's exchange unit holds 2 channels of A's layer-1 unit on positions {5, 6} (wholly in I:
# L = 4, R = 1, rho = 1) and 3 of B's kernel-3 unit on {0, 3, 6} (I ∩ S = {6}: L = 2, R = 4,
# rho = 2). A combination has rank <= 1 + 2 = 3, while L = R = 4 (M = 2). B's root multiplies
# rho 2 (offset 0) by 3, so the outputs add 4 + 6 = 10 = the rank. Without the parts' sum,
# rho would be 4 and the bound 12.
EXCHANGE_RHO = _net(
    "exchange-rho",
    2,
    False,
    {"A": [(2, 1, 5), (2, 2, 5)], "B": [(3, 3, 5), (2, 5, 4)]},
    [(1, "AB", 2, True)],
)

# Sum rule, rho = min(L, R, sum rho). At offset 2 the sum adds A's unit on {1, 6} (wholly in I:
# L = 4, R = 1, rho = 1) and B's kernel-3 unit on {4, 5, 6} (I ∩ S = {6}: L = 2, R = 4,
# rho = 2). Its L and R are 4, its rho 1 + 2 = 3. B's root: rho 2 (offset 0) times 3 = 6,
# A's root 2, so the bound is 8 = the rank. Without the sum, rho would be 4 and the bound 10.
SUM_RHO = _net(
    "sum-rho",
    2,
    False,
    {"A": [(2, 5, 4), (2, 3, 1)], "B": [(3, 1, 4), (2, 2, 5)]},
    [(1, "AB", None, True)],
)

# Sum rule, pi = min(sum pi, L, R), read by a join after the same layer. At offset 0 the sum
# adds A's unit on {3, 8} (L = R = 3, pi = 1) and B's on {6, 8} (wholly in J: L = 1, R = 3,
# pi = 1): pi = 1 + 1 = 2 < L = 3 (M = 3, width 3). The exchange that follows (2 of 3 channels,
# the sum with itself) gives R = min(6, 2 pi) + min(6, pi) = 6, not 9 with pi = 3. B's root
# then has rho 6, A's 3: the bound is 9 = the rank (12 without the sum of pi).
SUM_PI = _net(
    "sum-pi",
    3,
    True,
    {"A": [(2, 5, 3), (2, 2, 6)], "B": [(2, 2, 3), (2, 3, 5)]},
    [(1, "AB", None, True), (1, "AB", 2, False)],
)

# Exchange rule, pi = min(max(pi_a, pi_b), L, R), read by a second exchange after the same
# layer. At offset 2 the first exchange swaps all channels (s = r = 2). B's new unit is then a
# copy of A's layer-2 unit on {0, 1, 5, 6} (wholly in I: L = 2, R = 1, pi = 1). B's own unit
# (pi = 2) gives none of its channels but enters max(pi_a, pi_b) = 2, so R = 1 decides pi = 1.
# The second exchange (one channel of each) then has L = min(4, 2) + min(2, 1) = 3, and B's
# read-out root rho 3. A's root has rho 4: the bound is 7 = the rank (8 with pi = 2). On the
# complement partition the same case needs pi <= L.
EXCHANGE_PI = _net(
    "exchange-pi",
    2,
    True,
    {"A": [(2, 1, 3), (2, 5, 2), (2, 1, 1)], "B": [(2, 4, 4), (2, 1, 2), (2, 2, 3)]},
    [(2, "AB", 2, True), (2, "BA", 1, False)],
)

# The same without allow_overlap: units of one support, {0..5} at layer 2. A's tree reads
# kernel-3 units, B's kernel-2 units, then a kernel-3 layer. I ∩ S = {1, 3, 4, 5}. A's unit has
# L = 4, R = 2, pi = 2 (its layer-1 width 2 caps the J side), B's has L = 8, R = 4, pi = 4.
# The full swap (s = r = 2) gives B a copy of A's unit, with pi = min(max(2, 4), 4, 2) = 2.
# The second exchange (one channel of each) then has L = min(4, 2) + min(8, 4) = 6, not 8 with
# pi = 4. A's read-out root: rho 6; B's root: 4; the bound is 10 = the rank (12). The
# complement partition needs pi <= L.
EXCHANGE_PI_EQUAL = _net(
    "exchange-pi-equal",
    2,
    True,
    {"A": [(3, 1, 2), (2, 3, 2), (2, 6, 5)], "B": [(2, 1, 3), (3, 2, 2), (2, 6, 1)]},
    [(2, "AB", 2, False), (2, "AB", 1, False)],
)

# Sum pi with equal supports: three trees of the same shape (N = 12), A and B summed after
# layer 2, then C exchanged with B (3 of 4 channels). At offset 0 the sum has
# pi = 1 + 1 = 2 < L = R = 4. B's next unit takes one channel of it: L = 1 + min(4, pi) = 3,
# not 4. B's root then has pi 3 * 2 * 2 = 12, not 16. The three roots sum to 44 = the rank
# (48 without the sum of pi).
SUM_PI_EQUAL = _net(
    "sum-pi-equal",
    2,
    False,
    {
        "A": [(2, 1, 8), (2, 2, 4), (3, 4, 5)],
        "B": [(2, 1, 3), (2, 2, 4), (3, 4, 5)],
        "C": [(2, 1, 1), (2, 2, 4), (3, 4, 3)],
    },
    [(2, "AB", None, False), (2, "CB", 3, False)],
)

CASES = [
    # bounds.py Propagator.state, exchange: rho = min(L, R, parts' rho) without the parts
    (EXCHANGE_RHO, [5, 6, 10, 11]),
    # sum: rho = min(L, R, sum rho) without the sum
    (SUM_RHO, [1, 6, 7, 8]),
    # sum: pi = min(sum pi, L, R) without sum pi
    (SUM_PI, [0, 3, 5]),
    (SUM_PI_EQUAL, [2, 5, 6, 7, 10, 11]),
    # exchange: pi = min(max pi, L, R) without R ...
    (EXCHANGE_PI, [0, 1, 5, 6]),
    # ... and without L (the complement partition: I and J trade places)
    (EXCHANGE_PI, [2, 3, 4, 7, 8]),
    (EXCHANGE_PI_EQUAL, [1, 3, 4, 5]),
    (EXCHANGE_PI_EQUAL, [0, 2, 6, 7, 8, 9, 10, 11]),
]


@pytest.mark.parametrize("spec,I", CASES, ids=[f"{c[0]['name']}-{len(c[1])}" for c in CASES])
def test_join_rule_attains_rank(spec, I):
    arch = spec_from_dict(spec, source="witness")
    rank = generic_rank(arch, [I], "per-node")[tuple(I)][0]
    mask = sum(1 << q for q in I)
    symbolic = Propagator(build_circuit(arch), SYM).output_bound(mask)
    assert symbolic == rank, f"symbolic-path upper bound {symbolic}, generic rank {rank}"
    (pb,) = analyze(arch, partitions=[I]).partitions
    assert pb.upper == rank, f"upper {pb.upper} ({pb.upper_source}), generic rank {rank}"
