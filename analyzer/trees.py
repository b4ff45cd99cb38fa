"""Mode trees (Def. 1), tilings (Def. 6), sibling pairs (Theorem 7) and hybrid trees (Def. 4).

Nodes are bitmasks over positions. Works on the architecture alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import product as iproduct

from .circuit import Circuit, branch_kind, positions_of

__all__ = ["ModeTree", "mode_tree", "Segment", "HybridStructure", "hybrid_structure"]


@dataclass(frozen=True)
class ModeTree:
    """The mode tree of a (non-overlapping) branch: node mask -> children masks (tap order)."""

    branch: str
    root: int
    children: dict[int, tuple[int, ...]]
    depth: dict[int, int]
    layer: dict[int, int]  # node -> layer of the unit computing it (0 for leaves)
    binary: bool
    # performance only (issue 12): (masks, children's numbers, root's number), the nodes
    # numbered; walks index lists instead of looking N-bit masks up in ``children`` (Python's
    # int hash is the value mod 2^61 - 1: 2^p and 2^(p + 61) collide, so a dict of single
    # positions has long probe chains). Built by mode_tree, or on first use.
    index: tuple = field(default=(), compare=False, repr=False)

    def _numbered(self) -> tuple[list[int], list[tuple[int, ...]], int]:
        if not self.index:
            number = {m: i for i, m in enumerate(self.children)}
            kids = [tuple(number[c] for c in ch) for ch in self.children.values()]
            object.__setattr__(self, "index", (list(self.children), kids, number[self.root]))
        return self.index

    @property
    def nodes(self) -> list[int]:
        return list(self.depth)

    @property
    def interior(self) -> list[int]:
        return [n for n in self.depth if self.children.get(n)]

    def parent_map(self) -> dict[int, int]:
        out = {}
        for p, ch in self.children.items():
            for c in ch:
                out[c] = p
        return out

    def tiling_counts(self, I: int) -> tuple[int, int]:
        """|Θ(I;T)| and |Θ(J;T)| (J = root minus I)."""
        J = self.root & ~I
        tI = tJ = 0
        stack = [self.root]
        while stack:
            n = stack.pop()
            if n & J == 0:
                tI += 1
            elif n & I == 0:
                tJ += 1
            else:
                stack.extend(self.children[n])
        return tI, tJ

    def theorem7_counts(self, I: int) -> tuple[int, int, int]:
        """``(*tiling_counts(I), sibling_pairs(I))`` in one walk of the tree (issue 12).

        Both walks expand exactly the nodes that meet I and J; here each such node's children
        are classified once, for the tilings and for the sibling pair they may form.
        """
        root = self.root
        I &= root
        # a node n (inside the root) is in I when n & I == n, in J when n & I == 0: one
        # big-integer AND per node (J = root - I is never formed)
        if I == root:
            return 1, 0, 0
        if not I:
            return 0, 1, 0
        masks, kids, top = self._numbered()
        tI = tJ = pairs = 0
        stack = [top]
        while stack:
            n = stack.pop()
            sides = 0  # per child: +1 in I, +2 in J, nothing when cut (expanded next)
            ch = kids[n]
            for k in ch:
                c = masks[k]
                ci = c & I
                if ci == c:
                    tI += 1
                    sides += 1
                elif not ci:
                    tJ += 1
                    sides += 2
                else:
                    stack.append(k)
                    sides += 4
            # a sibling pair: two children, one in I and one in J (1 + 2); a cut child adds 4
            if sides == 3 and n != top and len(ch) == 2:
                pairs += 1
        return tI, tJ, pairs

    def tiling(self, I: int) -> tuple[list[int], list[int]]:
        J = self.root & ~I
        tI, tJ = [], []
        stack = [self.root]
        while stack:
            n = stack.pop()
            if n & J == 0:
                tI.append(n)
            elif n & I == 0:
                tJ.append(n)
            else:
                stack.extend(self.children[n])
        return sorted(tI, key=_low), sorted(tJ, key=_low)

    def sibling_pairs(
        self, I: int, top: int | None = None, stop: frozenset[int] = frozenset()
    ) -> int:
        """#{(ν1, ν2) ∈ Θ(I) x Θ(J): siblings, depth > 1} (Theorem 7), binary trees.

        With ``top``/``stop``: only parents inside the segment below ``top`` (inclusive) that
        are not in ``stop`` (the segment's bottom mixture nodes).
        """
        root = self.root
        J = root & ~I
        start = root if top is None else top
        count = 0
        stack = [start]
        while stack:
            n = stack.pop()
            if n & J == 0 or n & I == 0:
                continue
            if n != start and n in stop:
                continue
            ch = self.children.get(n, ())
            if n != root and len(ch) == 2:
                a, b = ch
                if (a & J == 0 and b & I == 0) or (a & I == 0 and b & J == 0):
                    count += 1
            stack.extend(ch)
        return count


def _low(mask: int) -> int:
    return (mask & -mask).bit_length()


def mode_tree(circuit: Circuit, b: int) -> ModeTree | None:
    """The mode tree of branch ``b`` (its own cone, ignoring connections); None if overlapping."""
    br = circuit.arch.branches[b]
    if branch_kind(br) == "overlapping":
        return None
    N = circuit.N
    children: dict[int, tuple[int, ...]] = {}
    depth: dict[int, int] = {}
    layer: dict[int, int] = {}
    L = br.depth
    masks: list[int] = []  # ModeTree.index: the nodes in the order of ``children``
    kids: list[tuple[int, ...]] = []

    def build(l: int, tau: int, d: int) -> tuple[int, int]:
        if l == 0:
            m = 1 << (N - 1 - tau)
            children[m] = ()
            depth[m] = d
            layer[m] = 0
            masks.append(m)
            kids.append(())
            return m, len(masks) - 1
        ly = br.layers[l - 1]
        sub = [build(l - 1, tau + j * ly.dilation, d + 1) for j in range(ly.kernel)]
        ch = tuple(c for c, _ in sub)
        m = 0
        for c in ch:
            m |= c
        children[m] = ch
        depth[m] = d
        layer[m] = l
        masks.append(m)
        kids.append(tuple(i for _, i in sub))
        return m, len(masks) - 1

    root, top = build(L, 0, 0)
    binary = all(ly.kernel == 2 for ly in br.layers)
    return ModeTree(br.name, root, children, depth, layer, binary, (masks, kids, top))


# --------------------------------------------------------------------------- hybrid trees
@dataclass(frozen=True)
class Segment:
    top: int  # a mixture node or the root
    bottoms: tuple[int, ...]  # maximal mixture nodes strictly below ``top``


@dataclass(frozen=True)
class HybridStructure:
    """Two binary mode trees T, T' with their shared mixture nodes (Def. 4)."""

    trees: tuple[ModeTree, ModeTree]
    mixture_nodes: frozenset[int]
    segments: tuple[Segment, ...]  # root segment first

    @property
    def count(self) -> int:
        """Number of hybrid trees: one choice of T or T' per segment."""
        return 2 ** len(self.segments)

    def best_pairs(self, I: int) -> tuple[int, dict[int, int]]:
        """max over hybrid trees H of pairs(I; H), and a witness (segment top -> tree index).

        Each sibling pair lies in one segment (its parent's), and whether a node is contained
        in I does not depend on the other segments' choices, so the maximum is the sum of the
        per-segment maxima.
        """
        stop = self.mixture_nodes
        total = 0
        choice: dict[int, int] = {}
        for seg in self.segments:
            if seg.top & I == 0 or seg.top & ~I == 0:
                choice[seg.top] = 0
                continue
            counts = [t.sibling_pairs(I, top=seg.top, stop=stop) for t in self.trees]
            k = 0 if counts[0] >= counts[1] else 1
            choice[seg.top] = k
            total += counts[k]
        return total, choice

    def pairs(self, I: int, choice: dict[int, int]) -> int:
        stop = self.mixture_nodes
        return sum(
            self.trees[choice[s.top]].sibling_pairs(I, top=s.top, stop=stop) for s in self.segments
        )

    def enumerate(self, limit: int = 64):
        """All hybrid trees as {segment top: tree index}, when there are at most ``limit``."""
        if self.count > limit:
            return None
        tops = [s.top for s in self.segments]
        return [dict(zip(tops, ks, strict=True)) for ks in iproduct((0, 1), repeat=len(tops))]

    def tree(self, choice: dict[int, int]) -> tuple[dict[int, tuple[int, ...]], dict[int, int]]:
        """The hybrid tree H of a choice (segment top -> tree index; Def. 4): node -> ordered
        children (``()`` for a leaf), and node -> index of the tree it is taken from (a leaf:
        its parent's). The one reconstruction of H (the Claim 5 check, the report's figure)."""
        children: dict[int, tuple[int, ...]] = {}
        owner: dict[int, int] = {}
        root = self.trees[0].root
        stack = [(root, choice[root])]
        while stack:
            node, t = stack.pop()
            owner[node] = t
            ch = self.trees[t].children.get(node, ())
            children[node] = ch
            for c in reversed(ch):
                stack.append((c, choice[c] if c in self.mixture_nodes else t))
        return children, owner

    def describe(self, choice: dict[int, int]) -> list[dict]:
        return [
            {"segment": positions_of(s.top), "tree": self.trees[choice[s.top]].branch}
            for s in self.segments
        ]


def hybrid_structure(t0: ModeTree, t1: ModeTree, mixture: set[int]) -> HybridStructure | None:
    """Segments of the mixed decomposition of two binary trees; None if not well formed."""
    if t0.root != t1.root or not (t0.binary and t1.binary):
        return None
    nodes0, nodes1 = set(t0.interior), set(t1.interior)
    mix = {m for m in mixture if m in nodes0 and m in nodes1 and m != t0.root}
    if len(mix) != len(mixture - {t0.root}):
        return None
    tops = [t0.root] + sorted(mix, key=lambda m: (-m.bit_count(), _low(m)))
    # The nodes of one tree form a laminar family: a mixture node strictly inside ``top`` is a
    # descendant of ``top`` in t0, and the maximal ones are the first mixture nodes met on the
    # way down from ``top``. Walking t0 down from each top and stopping there visits every
    # node of t0 once overall (linear; issue 12: it was quadratic in the mixture nodes).
    children = t0.children
    segs = []
    for top in tops:
        maximal = []
        stack = list(children[top])
        while stack:
            n = stack.pop()
            if n in mix:
                maximal.append(n)
            else:
                stack.extend(children[n])
        segs.append(Segment(top, tuple(sorted(maximal, key=_low))))
    return HybridStructure((t0, t1), frozenset(mix), tuple(segs))
