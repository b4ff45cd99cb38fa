"""analyzer/trees.py: mode trees (Def. 1), tilings (Def. 6), sibling pairs, hybrids (Def. 4)."""

from __future__ import annotations

import itertools

import pytest

from analyzer import build_circuit, load_spec, spec_from_dict
from analyzer.analysis import structure
from analyzer.circuit import mask_of, positions_of
from analyzer.trees import mode_tree


def tree_of(dilations, kernel=2):
    arch = spec_from_dict(
        {
            "name": "x",
            "input_channels": 2,
            "branches": [{"name": "A", "kernel": kernel, "dilations": dilations, "channels": 2}],
        }
    )
    return mode_tree(build_circuit(arch), 0)


def nodes_at(t, depth):
    return sorted((positions_of(n) for n, d in t.depth.items() if d == depth), key=lambda p: p[0])


def test_baseline_tree_depth_l_nodes_are_blocks():
    t = tree_of([1, 2, 4, 8])
    assert t.binary and t.root == (1 << 16) - 1
    for depth in range(5):
        size = 16 // 2**depth
        assert nodes_at(t, depth) == [list(range(s, s + size)) for s in range(0, 16, size)]
    assert len(t.nodes) == 31 and len(t.interior) == 15


def test_permuted_dilations_give_another_binary_tree():
    t = tree_of([2, 1, 4])
    assert nodes_at(t, 1) == [[0, 1, 2, 3], [4, 5, 6, 7]]
    assert nodes_at(t, 2) == [[0, 2], [1, 3], [4, 6], [5, 7]]
    rev = tree_of([4, 2, 1])
    assert nodes_at(rev, 1) == [[0, 2, 4, 6], [1, 3, 5, 7]]
    assert nodes_at(rev, 2) == [[0, 4], [1, 5], [2, 6], [3, 7]]


def test_kernel3_tree_is_ternary():
    t = tree_of([1, 3], kernel=3)
    assert not t.binary
    assert nodes_at(t, 1) == [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
    assert all(len(ch) in (0, 3) for ch in t.children.values())


def test_overlapping_branch_has_no_tree():
    c = build_circuit(load_spec("builtin:wavenet-overlapping"))
    assert mode_tree(c, 0) is None


@pytest.mark.parametrize(
    ("dilations", "I", "tiling_I", "tiling_J", "pairs"),
    [
        # T = (1,2,4): I = {0,1,2}: Θ(I) = {01, 2}, Θ(J) = {3, 4567}; pair (2,3) at depth 3
        ([1, 2, 4], [0, 1, 2], [[0, 1], [2]], [[3], [4, 5, 6, 7]], 1),
        # I = {0,2,4,6}: every leaf pair split, four pairs at depth 3
        ([1, 2, 4], [0, 2, 4, 6], [[0], [2], [4], [6]], [[1], [3], [5], [7]], 4),
        # I = a depth-1 node: the two children of the root, depth 1 (not counted)
        ([1, 2, 4], [0, 1, 2, 3], [[0, 1, 2, 3]], [[4, 5, 6, 7]], 0),
        # T' = (2,1,4): I = {0,1,4,5}: Θ(I) = {0},{1},{4},{5}, leaf pairs (0,2),(1,3),(4,6),(5,7)
        ([2, 1, 4], [0, 1, 4, 5], [[0], [1], [4], [5]], [[2], [3], [6], [7]], 4),
    ],
)
def test_tiling_and_sibling_pairs(dilations, I, tiling_I, tiling_J, pairs):
    t = tree_of(dilations)
    tI, tJ = t.tiling(mask_of(I))
    assert [positions_of(n) for n in tI] == tiling_I
    assert [positions_of(n) for n in tJ] == tiling_J
    assert t.tiling_counts(mask_of(I)) == (len(tiling_I), len(tiling_J))
    assert t.sibling_pairs(mask_of(I)) == pairs


def test_paper_hybrid_structure():
    st = structure(load_spec("builtin:paper-mixed"))
    hs = st.hybrid
    assert hs.count == 32 and len(hs.segments) == 5
    assert positions_of(hs.segments[0].top) == list(range(16))
    assert sorted(positions_of(m) for m in hs.segments[0].bottoms) == [
        list(range(b, b + 4)) for b in (0, 4, 8, 12)
    ]
    assert all(s.bottoms == () for s in hs.segments[1:])
    assert hs.enumerate(limit=16) is None


def test_worked_mix2_has_eight_hybrid_trees():
    hs = structure(load_spec("builtin:worked-mix2")).hybrid
    assert hs.count == 8 and len(hs.enumerate()) == 8
    # "when there are at most limit": 8 hybrid trees are listed up to limit 8, not below
    choices = hs.enumerate(limit=8)
    assert len(choices) == 8 and len({tuple(sorted(c.items())) for c in choices}) == 8
    assert hs.enumerate(limit=7) is None


@pytest.mark.parametrize(
    "ref", ["builtin:paper-mixed", "builtin:worked-mix2", "builtin:groupswap-k2-mixed"]
)
def test_best_pairs_is_the_maximum_over_all_hybrid_trees(ref):
    hs = structure(load_spec(ref)).hybrid
    n = hs.trees[0].root.bit_length()
    for bits in itertools.islice(range(1, 2 ** (n - 1)), 0, None, 97):
        I = bits | (1 << (n - 1)) if bits % 2 else bits
        best, choice = hs.best_pairs(I)
        assert best == max(hs.pairs(I, ch) for ch in hs.enumerate())
        assert hs.pairs(I, choice) == best


def test_paper_index_set_hybrid_pairs():
    # blocks of 4: {0,2}, {4,6} split every leaf pair of T (2 pairs each) but pair the
    # nodes {0,2} | {1,3} of T' (1 each); {8,9}, {12,13} the other way round.
    hs = structure(load_spec("builtin:paper-mixed")).hybrid
    I = mask_of([0, 2, 4, 6, 8, 9, 12, 13])
    assert hs.trees[0].sibling_pairs(I) == 2 + 2 + 1 + 1
    assert hs.trees[1].sibling_pairs(I) == 1 + 1 + 2 + 2
    # the hybrid taking T on the first two blocks and T' on the last two has 8 pairs
    best, choice = hs.best_pairs(I)
    assert best == 8
    by_block = {
        positions_of(top)[0]: hs.trees[k].branch
        for top, k in choice.items()
        if top != hs.trees[0].root
    }
    assert by_block == {0: "T", 4: "T", 8: "Tp", 12: "Tp"}


@pytest.mark.parametrize(
    "ref", ["builtin:paper-mixed", "builtin:worked-mix2", "builtin:groupswap-k2-mixed"]
)
def test_hybrid_segments_match_the_definition(ref):
    # Def. 4 read directly: a segment's bottoms are the mixture nodes strictly inside its top
    # that lie inside no other such node (quadratic; the code walks the tree down instead)
    hs = structure(load_spec(ref)).hybrid
    mix = hs.mixture_nodes
    assert mix
    for seg in hs.segments:
        below = [m for m in mix if m != seg.top and (m & seg.top) == m]
        maximal = {m for m in below if not any(o != m and (m & o) == m for o in below)}
        assert set(seg.bottoms) == maximal


@pytest.mark.parametrize("ref", ["builtin:worked-mix2", "builtin:paper-mixed"])
def test_hybrid_tree_matches_the_oracles_reconstruction(ref):
    """HybridStructure.tree (the one reconstruction of H) against the oracle's independent one
    (tests/oracle: trees built from the spec by its own rules), for every hybrid tree: the same
    nodes and children; each node taken from the tree chosen for its segment (Def. 4)."""
    from ..oracle.oracle import _hybrid_tree
    from ..oracle.oracle import mode_tree as oracle_tree

    arch = load_spec(ref)
    hs = structure(arch).hybrid
    trees = [oracle_tree(arch, b) for b in (0, 1)]
    root = trees[0][0]
    mixture = {frozenset(positions_of(m)) for m in hs.mixture_nodes}
    for choice in hs.enumerate():
        pick = {frozenset(positions_of(m)): k for m, k in choice.items()}
        expected, _ = _hybrid_tree(trees, mixture, pick, root)
        children, owner = hs.tree(choice)
        got = {
            frozenset(positions_of(n)): tuple(frozenset(positions_of(c)) for c in ch)
            for n, ch in children.items()
        }
        assert got == {n: tuple(ch) for n, ch in expected.items()}
        assert set(owner) == set(children)
        for n in children:  # owner: the choice at the smallest segment top above n
            top = min((s.top for s in hs.segments if n & s.top == n), key=int.bit_count)
            assert owner[n] == choice[top]
