"""The paper's pure formulas: dilations of the trees T and T', Corollary 8's exponent and
index sets.

A leaf module (standard library only), so that the builtins and the partition families can use
the formulas without importing the circuit. ``analyzer.paper`` re-exports these names.

References
----------
Cohen, Tamari, Shashua, ICLR 2018, sec. 6: the baseline tree T (dilation 2^(l-1) in layer l),
the tree T' that reverses the dilations inside groups of k layers, and Corollary 8.
"""

from __future__ import annotations

from fractions import Fraction

__all__ = [
    "baseline_dilations",
    "group_swap_dilations",
    "corollary8_index_set",
    "corollary8_exponent",
]


def baseline_dilations(L: int) -> list[int]:
    return [2 ** (l - 1) for l in range(1, L + 1)]


def group_swap_dilations(L: int, k: int) -> list[int]:
    """Layer l has dilation 2^(ceil(l/k)*k - 1 - ((l-1) mod k)); L % k == 0.

    docs/theory.md sec. 1 (the paper's tree T').
    """
    if k < 1 or L % k:
        raise ValueError(f"group size k={k} must divide the depth L={L}")
    return [2 ** (-(-l // k) * k - 1 - ((l - 1) % k)) for l in range(1, L + 1)]


def corollary8_exponent(k: int) -> Fraction:
    """2 / (1 + 2^(1-k)) as an exact fraction (k = 1 gives 1, k = 2 gives 4/3)."""
    return Fraction(2, 1) / (1 + Fraction(1, 2 ** (k - 1)))


def corollary8_index_set(L: int, k: int) -> list[int]:
    """The index set I that witnesses Corollary 8 for N = 2^L, groups of k layers.

    The mixture nodes are the blocks of B = 2^k consecutive positions. In the first half of
    the blocks I takes every other position (pattern P1: every leaf pair of T's block is split,
    2^(k-1) sibling pairs under T, one under T'); in the second half I takes the first half of
    the block (pattern P2, the bit-reversal of P1: one pair under T, 2^(k-1) under T'). A tree
    T or T' then has |Θ(I)| = |Θ(J)| = (n/2)(2^(k-1)+1) tiling nodes (n = 2^(L-k) blocks), while
    the hybrid tree taking T on P1 blocks and T' on P2 blocks has n 2^(k-1) sibling pairs: the
    ratio is 2 / (1 + 2^(1-k)). For k = 2, L = 4 this is the paper's {0,2,4,6,8,9,12,13}.
    """
    if not 1 <= k < L:
        raise ValueError(f"need 1 <= k < L, got k={k}, L={L}")
    B, nb = 2**k, 2 ** (L - k)
    out: list[int] = []
    for bi in range(nb):
        base = bi * B
        if bi < nb // 2:
            out += [base + i for i in range(0, B, 2)]
        else:
            out += [base + i for i in range(B // 2)]
    return out


def _log2(n: int) -> int | None:
    return n.bit_length() - 1 if n > 0 and n & (n - 1) == 0 else None
