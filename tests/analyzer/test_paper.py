"""analyzer/paper.py: group-swapped dilations, Corollary 8's index sets and exponent."""

from __future__ import annotations

from fractions import Fraction

import pytest
import sympy

from analyzer import analyze, load_spec
from analyzer.paper import (
    baseline_dilations,
    corollary8_exponent,
    corollary8_index_set,
    group_swap_dilations,
)


def test_baseline_dilations():
    assert baseline_dilations(4) == [1, 2, 4, 8]


def test_group_swap_dilations_by_hand():
    # layer l: 2^(ceil(l/k)*k - 1 - ((l-1) mod k)); k = 2 gives (2, 1, 8, 4, ...)
    assert group_swap_dilations(4, 2) == [2, 1, 8, 4]
    assert group_swap_dilations(6, 2) == [2, 1, 8, 4, 32, 16]
    assert group_swap_dilations(6, 3) == [4, 2, 1, 32, 16, 8]
    assert group_swap_dilations(4, 1) == baseline_dilations(4)
    assert group_swap_dilations(4, 4) == [8, 4, 2, 1]
    with pytest.raises(ValueError):
        group_swap_dilations(5, 2)


def test_corollary8_index_set_paper_instance():
    assert corollary8_index_set(4, 2) == [0, 2, 4, 6, 8, 9, 12, 13]
    assert corollary8_index_set(2, 1) == [0, 2]
    with pytest.raises(ValueError):
        corollary8_index_set(4, 4)


def test_corollary8_exponent():
    assert corollary8_exponent(1) == 1
    assert corollary8_exponent(2) == Fraction(4, 3)
    assert corollary8_exponent(4) == Fraction(16, 9)
    # "over 1500 for k = 4, r = 128": (r/2)^(16/9) = 64^(16/9) = 2^(32/3)
    assert 1500 < (128 / 2) ** float(corollary8_exponent(4)) < 1700


@pytest.mark.parametrize("k", [2, 3])
def test_corollary8_ratio_from_the_analyzer(k):
    """T, T': Theorem 7 upper r^((n/2)(2^(k-1)+1)); mixed: Claim 5 lower (r/2)^(n 2^(k-1))."""
    L = max(4, 2 * k)
    n = 2 ** (L - k)  # blocks (mixture nodes)
    I = corollary8_index_set(L, k)
    r = 4
    for tree in ("T", "Tp"):
        p = analyze(
            load_spec(f"builtin:groupswap-k{k}-{tree}", {"r": r}), partitions=[I]
        ).partitions[0]
        assert int(p.theorem7_upper) == r ** (n // 2 * (2 ** (k - 1) + 1)) == p.upper
    p = analyze(load_spec(f"builtin:groupswap-k{k}-mixed", {"r": r}), partitions=[I]).partitions[0]
    assert p.hybrid_pairs == n * 2 ** (k - 1)
    assert int(p.claim5_lower) == (r // 2) ** (n * 2 ** (k - 1))
    # per-edge widths (docs/theory.md sec. 6.4): every pair is a leaf pair inside a block, its
    # parent edge stays in the branch (width r), leaves give M = r: r per pair
    assert int(p.routed_lower) == r ** (n * 2 ** (k - 1)) == p.lower
    assert Fraction(n * 2 ** (k - 1), n // 2 * (2 ** (k - 1) + 1)) == corollary8_exponent(k)


def test_paper_builtins_use_the_constructions():
    assert [ly.dilation for ly in load_spec("builtin:paper-T").branches[0].layers] == [1, 2, 4, 8]
    assert [ly.dilation for ly in load_spec("builtin:paper-Tp").branches[0].layers] == [2, 1, 8, 4]
    arch = load_spec("builtin:paper-mixed")
    assert [c.after_layer for c in arch.connections] == [2]
    r = sympy.Symbol("r", positive=True, integer=True)
    assert arch.input_channels == r
