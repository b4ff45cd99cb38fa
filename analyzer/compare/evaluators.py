"""The two sides of a comparison at one sweep point, on integers: a lower bound on A's rank and
c times an upper bound on B's rank at a width w, for a partition I of A's used positions.

Both call the one home of the formulas, :mod:`analyzer.bounds` (Theorem 7, Claim 5 + Theorem 7,
the routed lower bound, the propagation bound), with the integer arithmetic ``bounds.INT``;
what they add is memoisation across the many partitions and widths a search examines. The
trees' counts (tilings, sibling pairs, the best hybrid tree's pairs) do not depend on the
widths, so they are memoised across sweep points and widths (:class:`_MemoTree`,
:class:`_MemoHybrid`, in a ``shared`` dict per architecture).
"""

from __future__ import annotations

from dataclasses import replace

import sympy

from ..analysis import Structure, structure
from ..bounds import (
    INT,
    Propagator,
    Theorem7Info,
    claim5_lower,
    routed_lower,
    routes,
    theorem7,
)
from ..circuit import positions_of
from ..partitions import canonical
from ..spec import Architecture, SpecError
from ..trees import HybridStructure, ModeTree

__all__ = ["LowerA", "UpperB", "LOWER_RULES"]

LOWER_RULES = ("all", "paper")
_WIDTH_MEMO = 48  # B's evaluators (a structure and a propagator each) kept, widths


class _MemoTree:
    """A mode tree with ``theorem7_counts(I)`` (what ``bounds.theorem7`` reads of a tree),
    ``tiling_counts(I)`` and ``sibling_pairs(I)`` memoised per I. The memo lives in ``shared``
    under the tree's shape, so the same tree rebuilt at another sweep point or width finds it."""

    __slots__ = ("tree", "root", "_tiling", "_pairs", "_t7")

    def __init__(self, tree: ModeTree, shared: dict):
        self.tree, self.root = tree, tree.root
        shape = (tree.branch, tree.root, frozenset(tree.children.items()))
        self._tiling = shared.setdefault(("tiling", shape), {})
        self._pairs = shared.setdefault(("pairs", shape), {})
        self._t7 = shared.setdefault(("theorem7", shape), {})

    def theorem7_counts(self, I: int) -> tuple[int, int, int]:
        hit = self._t7.get(I)
        if hit is None:
            hit = self._t7[I] = self.tree.theorem7_counts(I)
        return hit

    def tiling_counts(self, I: int) -> tuple[int, int]:
        hit = self._tiling.get(I)
        if hit is None:
            hit = self._tiling[I] = self.tree.tiling_counts(I)
        return hit

    def sibling_pairs(self, I: int, top=None, stop=frozenset()) -> int:
        if top is not None or stop:
            return self.tree.sibling_pairs(I, top, stop)
        hit = self._pairs.get(I)
        if hit is None:
            hit = self._pairs[I] = self.tree.sibling_pairs(I)
        return hit


class _MemoHybrid:
    """A hybrid structure with ``best_pairs(I)`` memoised per I (what ``bounds.claim5_lower``
    reads), shared like :class:`_MemoTree`'s memo."""

    __slots__ = ("hybrid", "_best")

    def __init__(self, hybrid: HybridStructure, shared: dict):
        self.hybrid = hybrid
        t0, t1 = hybrid.trees
        shape = (
            frozenset(t0.children.items()),
            frozenset(t1.children.items()),
            hybrid.mixture_nodes,
        )
        self._best = shared.setdefault(("hybrid", shape), {})

    def best_pairs(self, I: int) -> tuple[int, dict[int, int]]:
        hit = self._best.get(I)
        if hit is None:
            hit = self._best[I] = self.hybrid.best_pairs(I)
        return hit


def _memo_theorem7(st: Structure, shared: dict) -> Theorem7Info | None:
    """``st.thm7`` with memoised trees."""
    if st.thm7 is None:
        return None
    return replace(st.thm7, trees=tuple(_MemoTree(t, shared) for t in st.thm7.trees))


class LowerA:
    """lower_A(I) = max(1, Theorem 7 lower, Claim 5 + Theorem 7 lower, routed lower), as
    ``analysis.bound_partition`` does (``rules="paper"``: without the routed lower,
    ``bounds.routed_lower``), raised to a certified rank where ``override`` has a larger one.

    Calling it returns ``(value, source)``; values are memoised per partition (one sweep point),
    the trees' counts in ``shared`` (across sweep points).
    """

    def __init__(self, st: Structure, rules: str = "all", shared: dict | None = None):
        if rules not in LOWER_RULES:
            raise ValueError(f"lower_rules must be 'all' or 'paper', got {rules!r}")
        arch = st.arch
        self.structure = st
        self.used = st.circuit.used_mask
        self.input_channels = int(arch.input_channels)
        # canonical I -> certified rank (compare's certify option)
        self.override: dict[int, int] = {}
        self.hybrid_width = int(st.hybrid_width) if st.hybrid is not None else None
        shared = {} if shared is None else shared
        self._theorem7 = _memo_theorem7(st, shared)
        self._hybrid = None if st.hybrid is None else _MemoHybrid(st.hybrid, shared)
        # Theorem 7 / Claim 5 with widths per node and per edge (bounds.routed_lower)
        self.routes = routes(st.circuit, INT) if rules == "all" else None
        self.routed_name = (
            "Claim 5 + Theorem 7, widths per edge"
            if arch.connections
            else "Theorem 7, widths per node"
        )
        self._symbolic_rules: dict[int, tuple[int, str]] = {}

    def _from_rules(self, I: int) -> tuple[int, str]:
        """The largest of the analyzer's lower bounds on I and the name of the rule giving it
        (the first one in the order nonzero output, Theorem 7, Claim 5, routed on a tie)."""
        best, source = 1, "nonzero output"
        if self._theorem7 is not None:
            _, value = theorem7(self._theorem7, self.input_channels, I, INT)
            if value > best:
                best, source = value, "Theorem 7"
        if self._hybrid is not None:
            value, _, _ = claim5_lower(self._hybrid, self.hybrid_width, self.input_channels, I, INT)
            if value > best:
                best, source = value, "Claim 5 + Theorem 7"
        if self.routes is not None:
            value = int(routed_lower(self.routes, I, INT))
            if value > best:
                best, source = value, self.routed_name
        return best, source

    def __call__(self, I: int) -> tuple[int, str]:
        hit = self._symbolic_rules.get(I)
        if hit is None:
            hit = self._from_rules(I)
            self._symbolic_rules[I] = hit
        best, source = hit
        if self.override:
            certified = self.override.get(canonical(I, self.used))
            if certified is not None and certified > best:
                best, source = certified, "certified (harness)"
        return best, source

    def witness(self, I: int) -> tuple[int | None, list[dict] | None]:
        """The hybrid tree of Claim 5's bound on I: its sibling pairs and its segments."""
        st = self.structure
        if st.hybrid is None:
            return None, None
        _, pairs, choice = claim5_lower(
            self._hybrid, self.hybrid_width, self.input_channels, I, INT
        )
        return pairs, st.hybrid.describe(choice)


class UpperB:
    """c * upper_B(I; w) at one sweep point: B with input dimension M and every width symbol = w.

    ``template`` is B with its input dimension set; ``width_syms`` its symbols left (all set to
    w); ``posmap[p]`` the position of B that sees A's position p (-1: none); ``used_B`` B's used
    positions; ``shared`` a dict of caches that depend on the positions only (kept across sweep
    points). Public for the paper suite (``checks.paper``), which reads B's tiling exponent off it.
    """

    def __init__(
        self,
        template: Architecture,
        width_syms: list[str],
        copies: int,
        posmap: list[int],
        used_B: int,
        shared: dict | None = None,
    ):
        self.template = template
        self.syms = width_syms
        self.copies = copies
        self.posmap = posmap  # A position -> B position (-1: B does not see it)
        self.used_B = used_B
        self._by_width: dict[int, tuple[Structure, Propagator, Theorem7Info | None] | None] = {}
        shared = {} if shared is None else shared
        self._shared = shared
        self._map_cache: dict[int, int] = shared.setdefault("map", {})
        self._identity = all(q == p for p, q in enumerate(posmap) if q >= 0) and -1 not in posmap

    def arch_at(self, w: int) -> Architecture | None:
        """B at width w; None when w is not admissible (e.g. an odd width with a half exchange)."""
        if not self.syms:
            return self.template
        try:
            return self.template.substitute({s: sympy.Integer(w) for s in self.syms})
        except SpecError:
            return None

    def _evaluator(self, w: int) -> tuple[Structure, Propagator, Theorem7Info | None] | None:
        hit = self._by_width.get(w, False)
        if hit is False:
            arch = self.arch_at(w)
            hit = None
            if arch is not None:
                st = structure(arch)
                hit = (st, Propagator(st.circuit, INT), _memo_theorem7(st, self._shared))
            if len(self._by_width) > _WIDTH_MEMO:
                self._by_width.pop(next(iter(self._by_width)))
            self._by_width[w] = hit
        return hit

    def admissible(self, w: int) -> bool:
        return self._evaluator(w) is not None

    def map_I(self, I: int) -> int:
        """A's partition I in B's positions."""
        if self._identity:
            return I
        hit = self._map_cache.get(I)
        if hit is None:
            hit = 0
            for p in positions_of(I):
                q = self.posmap[p]
                if q >= 0:
                    hit |= 1 << q
            self._map_cache[I] = hit
        return hit

    def upper(self, I: int, w: int) -> int:
        """c * min(propagation, Theorem 7 upper) of B at width w on A's partition I."""
        ev = self._evaluator(w)
        if ev is None:
            raise ValueError(f"width {w} is not admissible for B")
        st, prop, thm7 = ev
        I_B = self.map_I(I)
        if I_B == 0 or I_B & self.used_B == self.used_B:
            return self.copies  # B does not depend on the I side (or the J side): rank <= 1
        bound = prop.output_bound(I_B)
        if thm7 is not None:
            t7_upper, _ = theorem7(thm7, st.arch.input_channels, I_B, INT)
            if t7_upper is not None:
                bound = min(bound, t7_upper)
        return self.copies * int(bound)

    def next_admissible(self, w: int, limit: int = 16) -> int | None:
        for x in range(w, w + limit):
            if self.admissible(x):
                return x
        return None

    def prev_admissible(self, w: int, limit: int = 16) -> int | None:
        for x in range(w, max(0, w - limit), -1):
            if self.admissible(x):
                return x
        return None
