"""The partitions of A's positions a comparison examines by name: the paper's sets, the
pair-splitting partitions of the trees and hybrid trees, odd-even, and the nodes of A's and B's
mode trees (B's drawn in A's positions). The families themselves come from
:mod:`analyzer.partitions`; what is here is specific to two architectures."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import product as iproduct

from ..analysis import Structure
from ..circuit import positions_of
from ..partitions import Partition, family, node_partitions
from ..spec import SpecError
from ..trees import ModeTree

__all__ = ["DEFAULT_FAMILIES", "named_partitions", "tree_in_positions"]

DEFAULT_FAMILIES = ("paper", "hybrid", "odd-even", "nodes")


def tree_in_positions(tree: ModeTree, position_of: dict[int, int], name: str) -> ModeTree:
    """A mode tree with its masks carried to other positions (``position_of[q]``: the new
    position of q; positions without one are dropped)."""

    def carry(mask: int) -> int:
        out = 0
        for q in positions_of(mask):
            p = position_of.get(q)
            if p is not None:
                out |= 1 << p
        return out

    children = {carry(n): tuple(carry(c) for c in ch) for n, ch in tree.children.items()}
    depth = {carry(n): d for n, d in tree.depth.items()}
    layer = {carry(n): v for n, v in tree.layer.items()}
    return ModeTree(name, carry(tree.root), children, depth, layer, tree.binary)


def named_partitions(
    st_a: Structure, trees_b_in_a: list[ModeTree], families: list[str] | None
) -> list[Partition]:
    """The partitions that make the gap visible, in reporting order (paper's sets first).

    ``families`` None: :data:`DEFAULT_FAMILIES`, skipping a family that does not apply; an
    explicit list raises SpecError for one that does not apply. ``hybrid`` is the pair-split
    family; ``search`` is no family (the search runs after these).
    """
    circuit = st_a.circuit
    used = circuit.used_mask
    names = list(DEFAULT_FAMILIES) if families is None else list(families)
    out: list[Partition] = []
    for name in names:
        if name == "hybrid":
            out += _pair_split_partitions(st_a, trees_b_in_a)
        elif name == "nodes":
            out += node_partitions(list(st_a.trees) + list(trees_b_in_a), used, clip=True)
        elif name == "search":
            continue
        else:
            try:
                out += family(name, circuit, st_a.trees)
            except SpecError:
                if families is not None:
                    raise
    return out


def _tree_split(tree: ModeTree, region: int = -1, stop: Iterable[int] = ()) -> int:
    """The lowest child leaf of every node whose children are leaves.

    Only nodes inside ``region`` and outside every mask in ``stop`` count.
    """
    stop = list(stop)
    I = 0
    for n, ch in tree.children.items():
        if not ch or any(tree.children.get(c) for c in ch):
            continue
        if region != -1 and n & region != n:
            continue
        if any(n & s == n for s in stop):
            continue
        I |= min(ch, key=lambda m: m & -m)  # the lowest-position child leaf
    return I


def _segment_choices(n_seg: int) -> list[tuple[int, ...]]:
    """Which tree each segment takes: every choice up to 6 segments, a few patterns above."""
    if n_seg <= 6:
        return list(iproduct((0, 1), repeat=n_seg))
    half = n_seg // 2
    pats = [
        (0,) * n_seg,
        (1,) * n_seg,
        (0,) * half + (1,) * (n_seg - half),
        (1,) * half + (0,) * (n_seg - half),
        tuple(i % 2 for i in range(n_seg)),
        tuple(1 - i % 2 for i in range(n_seg)),
    ]
    return list(dict.fromkeys(pats))


def _pair_split_partitions(st_a: Structure, trees_b_in_a: list[ModeTree]) -> list[Partition]:
    """Pair-splitting partitions: for a tree, one leaf of every bottom sibling pair (the
    generalised odd-even); for a hybrid tree, the same with the tree chosen per segment
    (Corollary 8's index set is the hybrid tree taking T on its first half of blocks, T' on
    the second)."""
    used = st_a.circuit.used_mask
    out: list[Partition] = []
    hs = st_a.hybrid
    if hs is not None:
        leaf_segments = [s for s in hs.segments if _tree_split(hs.trees[0], s.top, s.bottoms)]
        leaf_segments.sort(key=lambda s: (s.top & -s.top).bit_length())
        for choice in _segment_choices(len(leaf_segments)):
            I = 0
            for s, k in zip(leaf_segments, choice, strict=True):
                I |= _tree_split(hs.trees[k], s.top, s.bottoms)
            names = ",".join(hs.trees[k].branch for k in choice)
            if I and I & used != used:
                out.append(Partition(I & used, f"pair split of hybrid ({names})"))
    for t in list(st_a.trees) + list(trees_b_in_a):
        if t is None:
            continue
        I = _tree_split(t) & used
        if I and I != used:
            out.append(Partition(I, f"pair split of {t.branch}"))
    return out
