"""Expressive efficiency (paper sec. 6): how large must architecture B be to replicate A?

Pure: works on architectures and the analyzer's bounds only (no I/O, no randomness except the
seeded local search); certified ranks come in through an injected ``certifier`` callable.

For each value of A's sweep symbol, and for every partition ``I`` of the used positions in a
set that makes the gap visible (nodes of every tree, odd-even, Corollary 8's index sets, the
pair-splitting partitions of the trees and hybrid trees, and a search), the rank of A's grid
tensor is at least ``lower_A(I)`` (Claim 5 + Theorem 7, or Theorem 7). B reads the same data
(its input dimension is set to A's), so if B with widths ``w`` realizes A's function then
``c * upper_B(I; w) >= lower_A(I)`` for every I (``c`` copies of B summed: subadditivity).
The smallest integer ``w`` passing every partition is a *lower bound on the width B needs*;
B's size there (``analyzer.parameter_count``, times ``c``) is a lower bound on the size B needs.

References
----------
Cohen, Tamari, Shashua, ICLR 2018: Claim 5, Theorem 7, Corollary 8 (sec. 6); docs/theory.md sec. 8.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from itertools import product as iproduct
from typing import Any

import sympy

from .analysis import Structure, _fmt, analyze, bound_partition, parameter_count, structure
from .bounds import INT, Propagator, routed_lower, routes
from .circuit import mask_of, positions_of
from .partitions import Partition, make_partition
from .spec import Architecture, SpecError
from .symbols import ExprError, parse_expr

__all__ = [
    "Comparison",
    "ComparePoint",
    "CompareRow",
    "compare",
    "required_width",
    "parse_sweep",
    "verdict_for",
    "EXHAUSTIVE_MAX_MODES",
    "EXPONENTIAL_FRACTION",
    "UpperB",
]

EXHAUSTIVE_MAX_MODES = 16  # search = "auto": every partition up to complement when n <= 16
EXPONENTIAL_FRACTION = 0.25  # "exponential in N" when the width exponent >= n / 4 (see verdict_for)
NONE_TOLERANCE = 0.05  # "none" when the size exponent is <= 1 + this


# --------------------------------------------------------------------------- results
@dataclass
class CompareRow:
    """One partition at one sweep point."""

    I: list[int]
    label: str
    lower_A: int  # the lower bound used (max of symbolic and certified)
    lower_A_source: str
    required_width: int | None  # None: B cannot reach lower_A at any width
    upper_B: int | None  # c * B's upper bound at the required width
    upper_B_below: int | None  # c * B's upper bound at the next smaller admissible width
    hybrid_pairs: int | None = None
    hybrid_witness: list[dict] | None = None
    upper_A: int | None = None  # analyzer's upper bound on A's rank (reported rows)
    certified_A: int | None = None
    certified_status: str | None = None

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class ComparePoint:
    """One value of A's sweep symbol.

    ``required_width`` is the largest requirement over the partitions that some width of B can
    match; ``unmatched`` is a partition that no width matches (then B cannot replicate A at all).
    """

    value: int | None
    values_A: dict[str, int]
    input_channels: int
    size_A: int
    required_width: int | None  # None: no width suffices (or B is concrete and fails)
    width_values: dict[str, int]  # B's symbols at the required width
    size_B: int | None  # copies * parameter_count(B at the required width)
    witness: CompareRow
    rows: list[CompareRow]  # named partitions, then the search's best ones
    examined: int  # partitions examined
    search: str  # exhaustive | local | none
    matches: bool | None = None  # B concrete: does it pass every partition?
    unmatched: CompareRow | None = None  # a partition on which no width of B suffices

    @property
    def informative(self) -> bool:
        """The requirement comes from a nontrivial lower bound on A (> 1)."""
        return self.witness.lower_A > 1 and self.required_width is not None

    @property
    def ratio(self) -> float | None:
        if self.size_B is None:
            return None
        return self.size_B / self.size_A

    def to_dict(self) -> dict:
        return {
            "value": self.value,
            "values_A": self.values_A,
            "input_channels": self.input_channels,
            "size_A": self.size_A,
            "required_width": self.required_width,
            "width_values": self.width_values,
            "size_B": self.size_B,
            "size_ratio": self.ratio,
            "informative": self.informative,
            "matches": self.matches,
            "unmatched": None if self.unmatched is None else self.unmatched.to_dict(),
            "examined": self.examined,
            "search": self.search,
            "witness": self.witness.to_dict(),
            "rows": [r.to_dict() for r in self.rows],
        }


@dataclass
class Comparison:
    """A vs B over a sweep: requirements, growth exponent and verdict (``to_dict``: the JSON)."""

    A: str
    A_source: str
    B: str
    B_source: str
    sweep_symbol: str | None
    sweep_values: list[int]
    values_A: dict[str, str]
    values_B: dict[str, str]
    width_symbols: list[str]
    copies: int
    modes: int  # used positions of A
    points: list[ComparePoint]
    exponent: float | None  # least-squares slope of log size_B against log size_A
    width_exponent: (
        float | None
    )  # least-squares slope of log required width against log sweep value
    fit_values: list[int]
    verdict: str
    verdict_text: str
    finite_verdict: str  # the verdict over the partitions a finite width matches
    witness: dict | None  # the partition (and hybrid tree) that sets the finite requirement
    unmatched_witness: dict | None  # a partition no width of B matches (verdict "unbounded")
    upper_B_symbolic: str | None  # B's upper bound at the final witness, a function of B's widths
    lower_A_symbolic: str | None = (
        None  # A's lower bound at the final witness, a function of A's symbols
    )
    certified: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def unbounded(self) -> bool:
        return self.unmatched_witness is not None

    def to_dict(self) -> dict:
        return {
            "A": {"name": self.A, "source": self.A_source, "values": self.values_A},
            "B": {
                "name": self.B,
                "source": self.B_source,
                "values": self.values_B,
                "width_symbols": self.width_symbols,
                "copies": self.copies,
            },
            "sweep": {"symbol": self.sweep_symbol, "values": self.sweep_values},
            "modes": self.modes,
            "certified": self.certified,
            "points": [p.to_dict() for p in self.points],
            "exponent": self.exponent,
            "width_exponent": self.width_exponent,
            "fit_values": self.fit_values,
            "verdict": self.verdict,
            "verdict_text": self.verdict_text,
            "finite_verdict": self.finite_verdict,
            "witness": self.witness,
            "unmatched_witness": self.unmatched_witness,
            "lower_A_symbolic": self.lower_A_symbolic,
            "upper_B_symbolic": self.upper_B_symbolic,
            "notes": self.notes,
        }


# --------------------------------------------------------------------------- input helpers
def parse_sweep(text: str) -> tuple[str, list[int]]:
    """``r=2,4,8,16`` -> (``r``, [2, 4, 8, 16]); SpecError on bad input."""
    if "=" not in text:
        raise SpecError("--sweep", "", f"expected NAME=V1,V2,..., got {text!r}")
    name, _, vals = text.partition("=")
    name = name.strip()
    if not name.isidentifier():
        raise SpecError("--sweep", "", f"invalid symbol name {name!r}")
    out = []
    for v in vals.split(","):
        v = v.strip()
        if not v:
            continue
        try:
            x = int(v)
        except ValueError:
            raise SpecError("--sweep", "", f"sweep values must be integers, got {v!r}") from None
        if x < 1:
            raise SpecError("--sweep", "", f"sweep values must be >= 1, got {x}")
        out.append(x)
    if not out:
        raise SpecError("--sweep", "", f"no values in {text!r}")
    return name, sorted(set(out))


def _int_values(values: Mapping[str, Any] | None, source: str) -> dict[str, sympy.Expr]:
    out = {}
    for k, v in (values or {}).items():
        try:
            out[k] = parse_expr(v) if not isinstance(v, sympy.Expr) else v
        except ExprError as exc:
            raise SpecError(source, k, str(exc)) from None
    return out


# --------------------------------------------------------------------------- A's lower bounds
class _LowerA:
    """lower_A(I) = max(1, Theorem 7 lower, Claim 5 + Theorem 7 lower, routed lower), as
    bound_partition does (``rules="paper"``: without the routed lower, bounds.routed_lower).

    The exponents (sibling pairs under each tree and the best hybrid tree) depend on the trees
    only, so they are cached across sweep points in ``cache``.
    """

    def __init__(self, st: Structure, cache: dict, rules: str = "all"):
        if rules not in ("all", "paper"):
            raise ValueError(f"lower_rules must be 'all' or 'paper', got {rules!r}")
        arch = st.arch
        self.st = st
        self.cache = cache
        self.used = st.circuit.used_mask
        self.override: dict[int, int] = {}  # canonical I -> certified rank (--certify)
        M = int(arch.input_channels)
        self.tree_bases: list[int] = []
        self.trees = []
        if st.thm7 is not None:
            # as bounds.theorem7: the lower bound at width min(M, least width of the branch)
            self.trees = list(st.thm7.trees)
            lw = getattr(st.thm7, "lower_widths", ()) or st.thm7.widths
            self.tree_bases = [min(M, int(r)) for r in lw]
        self.hybrid = st.hybrid
        self.hbase = min(M, int(st.hybrid_width)) if st.hybrid is not None else None
        # Theorem 7 / Claim 5 with widths per node and per edge (bounds.routed_lower): it
        # depends on the widths, so its values are cached per sweep point only
        self.routes = routes(st.circuit, INT) if rules == "all" else None
        self.name_routed = (
            "Claim 5 + Theorem 7, widths per edge"
            if arch.connections
            else "Theorem 7, widths per node"
        )
        self._routed: dict[int, int] = {}

    def pairs(self, I: int):
        hit = self.cache.get(I)
        if hit is None:
            tp = tuple(t.sibling_pairs(I & t.root) for t in self.trees)
            hp = self.hybrid.best_pairs(I) if self.hybrid is not None else None
            hit = (tp, hp)
            self.cache[I] = hit
        return hit

    def __call__(self, I: int) -> tuple[int, str]:
        tp, hp = self.pairs(I)
        best, src = 1, "nonzero output"
        for base, p in zip(self.tree_bases, tp, strict=True):
            v = base**p
            if v > best:
                best, src = v, "Theorem 7"
        if hp is not None:
            v = self.hbase ** hp[0]
            if v > best:
                best, src = v, "Claim 5 + Theorem 7"
        if self.routes is not None:
            v = self._routed.get(I)
            if v is None:
                v = int(routed_lower(self.routes, I, INT))
                self._routed[I] = v
            if v > best:
                best, src = v, self.name_routed
        if self.override:
            c = self.override.get(_canon(I, self.used))
            if c is not None and c > best:
                best, src = c, "certified (harness)"
        return best, src

    def witness(self, I: int):
        _, hp = self.pairs(I)
        if hp is None:
            return None, None
        return hp[0], self.hybrid.describe(hp[1])


# --------------------------------------------------------------------------- B's upper bounds
class UpperB:
    """c * upper_B(I; w) at one sweep point: B with input dimension M and every width symbol = w.

    Public for the paper suite (``checks.paper``), which reads B's tiling exponent off it.
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
        self._cache: dict[int, tuple | None] = {}
        shared = (
            {} if shared is None else shared
        )  # caches valid across sweep points (structure only)
        self._map_cache: dict[int, int] = shared.setdefault("map", {})
        self._tiling_cache: dict[int, tuple[int, ...]] = shared.setdefault("tiling", {})
        self._identity = all(q == p for p, q in enumerate(posmap) if q >= 0) and -1 not in posmap

    def arch_at(self, w: int) -> Architecture | None:
        """B at width w; None when w is not admissible (e.g. an odd width with a half exchange)."""
        if not self.syms:
            return self.template
        try:
            return self.template.substitute({s: sympy.Integer(w) for s in self.syms})
        except SpecError:
            return None

    def _evaluator(self, w: int):
        ev = self._cache.get(w, False)
        if ev is False:
            arch = self.arch_at(w)
            if arch is None:
                ev = None
            else:
                st = structure(arch)
                t7w = None
                if st.thm7 is not None and all(r is not None for r in st.thm7.widths):
                    t7w = tuple(int(r) for r in st.thm7.widths)
                ev = (st, Propagator(st.circuit, INT), t7w)
            if len(self._cache) > 48:
                self._cache.pop(next(iter(self._cache)))
            self._cache[w] = ev
        return ev

    def admissible(self, w: int) -> bool:
        return self._evaluator(w) is not None

    def map_I(self, I: int) -> int:
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
        st, prop, t7w = ev
        IB = self.map_I(I)
        if IB == 0 or IB & self.used_B == self.used_B:
            return self.copies  # B does not depend on the I side (or the J side): rank <= 1
        up = prop.output_bound(IB)
        if t7w is not None:
            # Theorem 7 upper (as analyzer.bounds.theorem7): sum over trees of r^min(|Θ(I)|, |Θ(J)|)
            exps = self._tiling_cache.get(IB)
            if exps is None:
                exps = tuple(min(t.tiling_counts(IB & t.root)) for t in st.thm7.trees)
                self._tiling_cache[IB] = exps
            up = min(up, sum(r**e for r, e in zip(t7w, exps, strict=True)))
        return self.copies * int(up)

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


def required_width(
    ub: UpperB, I: int, target: int, start: int = 1, saturation: int | None = None
) -> int | None:
    """Smallest admissible width w >= start with upper(I; w) >= target (monotone in w).

    Doubling, then bisection. ``None`` when even the saturation width (where every width term of
    the propagation bound exceeds the input caps, so the bound no longer grows) fails.
    """
    lo_w = ub.next_admissible(max(1, start))
    if lo_w is None:
        return None
    if ub.upper(I, lo_w) >= target:
        return lo_w
    if not ub.syms:
        return None  # B has no width to grow
    if saturation is not None:
        sat = ub.next_admissible(saturation)
        if sat is None or ub.upper(I, sat) < target:
            return None
    lo = lo_w  # fails
    hi = None
    step = max(1, lo)
    while hi is None:
        cand = ub.next_admissible(lo + step)
        if cand is None:
            return None
        if ub.upper(I, cand) >= target:
            hi = cand
        else:
            lo = cand
            step *= 2
            if saturation is not None and lo > 2 * saturation:
                return None
    # invariant: upper(lo) < target <= upper(hi), both admissible
    while hi - lo > 1:
        mid = (lo + hi) // 2
        m = ub.next_admissible(mid)
        if m is None or m >= hi:
            break
        if ub.upper(I, m) >= target:
            hi = m
        else:
            lo = m
    return hi


# --------------------------------------------------------------------------- partitions
def _canon(I: int, used: int) -> int:
    return min(I, used & ~I)


def _tree_split(tree, region: int = -1, stop: Iterable[int] = ()) -> int:
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


def _hybrid_split_choices(n_seg: int) -> list[tuple[int, ...]]:
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


def named_partitions(
    stA: Structure, B_trees_in_A: list, families: list[str] | None
) -> list[Partition]:
    """The partitions that make the gap visible, in reporting order (paper's sets first)."""
    from .partitions import family

    c = stA.circuit
    used = c.used_mask
    fams = ["paper", "hybrid", "odd-even", "nodes"] if families is None else list(families)
    out: list[Partition] = []
    for name in fams:
        if name == "hybrid":
            out += _hybrid_partitions(stA, B_trees_in_A)
        elif name == "nodes":
            for t in list(stA.trees) + list(B_trees_in_A):
                if t is None:
                    continue
                for node in sorted(t.nodes, key=lambda m: (-m.bit_count(), (m & -m).bit_length())):
                    node &= used
                    if node and node != used:
                        out.append(Partition(node, f"node of {t.branch}"))
        elif name == "search":
            continue
        else:
            try:
                out += family(name, c, stA.trees)
            except SpecError:
                if families is not None:
                    raise
    return out


def _hybrid_partitions(stA: Structure, B_trees_in_A: list) -> list[Partition]:
    """Pair-splitting partitions: for a tree, one leaf of every bottom sibling pair (the
    generalised odd-even); for a hybrid tree, the same with the tree chosen per segment
    (Corollary 8's index set is the hybrid tree taking T on its first half of blocks, T' on
    the second)."""
    used = stA.circuit.used_mask
    out: list[Partition] = []
    hs = stA.hybrid
    if hs is not None:
        leafsegs = [s for s in hs.segments if _tree_split(hs.trees[0], s.top, s.bottoms)]
        leafsegs.sort(key=lambda s: (s.top & -s.top).bit_length())
        for choice in _hybrid_split_choices(len(leafsegs)):
            I = 0
            for s, k in zip(leafsegs, choice, strict=True):
                I |= _tree_split(hs.trees[k], s.top, s.bottoms)
            names = ",".join(hs.trees[k].branch for k in choice)
            if I and I & used != used:
                out.append(Partition(I & used, f"pair split of hybrid ({names})"))
    for t in list(stA.trees) + list(B_trees_in_A):
        if t is None:
            continue
        I = _tree_split(t) & used
        if I and I != used:
            out.append(Partition(I, f"pair split of {t.branch}"))
    return out


def _all_masks(used: int):
    ps = positions_of(used)
    first, rest = ps[0], ps[1:]
    n = len(rest)
    for bits in range(1 << n):
        if bits == (1 << n) - 1:
            continue
        I = 1 << first
        for i, p in enumerate(rest):
            if (bits >> i) & 1:
                I |= 1 << p
        yield I


# --------------------------------------------------------------------------- one sweep point
class _Point:
    """State of the search at one sweep point: the running maximum of the required width."""

    def __init__(self, lowA: _LowerA, ub: UpperB, used: int, saturation: int, top: int):
        self.lowA, self.ub, self.used = lowA, ub, used
        self.saturation = saturation
        self.w_best = ub.next_admissible(1) or 1
        self.best_I: int | None = None
        self.infeasible: int | None = None
        self.seen: set[int] = set()
        self.req: dict[int, int | None] = {}  # exact requirements computed
        self.examined = 0
        self.top = top

    def consider(self, I: int, exact: bool = False) -> None:
        """Examine I; compute its exact requirement when it may exceed the running maximum."""
        key = _canon(I, self.used)
        if key in self.seen and not exact:
            return
        self.seen.add(key)
        self.examined += 1
        lam, _ = self.lowA(I)
        if not exact and self.ub.upper(I, self.w_best) >= lam:
            return  # this partition needs at most the running maximum
        w = self.req.get(key, 0)
        if w == 0:
            # when I fails at the running maximum, its requirement is above it: search from there
            start = self.w_best + 1 if not exact else 1
            if start > 1 and self.ub.upper(I, self.w_best) >= lam:
                start = 1
            w = required_width(self.ub, I, lam, start=start, saturation=self.saturation)
        self.record(I, w)

    def record(self, I: int, w: int | None) -> None:
        """Record I's exact requirement (None: no width of B reaches A's lower bound on I)."""
        self.req[_canon(I, self.used)] = w
        if w is None:
            if self.infeasible is None:
                self.infeasible = I
            return
        if w > self.w_best or (self.best_I is None and w >= self.w_best):
            self.w_best = w
            self.best_I = I

    def score(self, I: int) -> float:
        """Gap score at the running width: log lower_A / log upper_B (> 1 beats the maximum)."""
        lam, _ = self.lowA(I)
        if lam <= 1:
            return 0.0
        up = self.ub.upper(I, self.w_best)
        if up <= 1:
            return math.inf
        return math.log(lam) / math.log(up)


def _local_search(
    pt: _Point, starts: list[int], used: int, blocks: list[int], budget: int, seed: int
) -> None:
    """Coordinate ascent over blocks (every pattern of a block, the rest fixed), then single flips,
    on the gap score; first improvement; a few seeded random restarts; at most ``budget`` scores."""
    rng = random.Random(seed)
    pos = positions_of(used)
    evals = 0

    def ascend(I: int) -> int:
        nonlocal evals
        cur = pt.score(I)
        improved = True

        def step(J: int) -> bool:
            """Score J, move there if it improves; True when the budget is spent."""
            nonlocal evals, I, cur, improved
            evals += 1
            pt.consider(J)
            s = pt.score(J)
            if s > cur + 1e-12:
                I, cur, improved = J, s, True
            return evals >= budget

        while improved and evals < budget:
            improved = False
            for blk in blocks:
                bp = positions_of(blk)
                if len(bp) > 10:
                    continue
                base = I & ~blk
                for bits in range(1 << len(bp)):
                    J = base
                    for i, p in enumerate(bp):
                        if (bits >> i) & 1:
                            J |= 1 << p
                    if J == I or J == 0 or J == used:
                        continue
                    if step(J):
                        return I
            for p in pos:
                J = I ^ (1 << p)
                if J == 0 or J == used:
                    continue
                if step(J):
                    return I
        return I

    for I in starts:
        if evals >= budget:
            break
        ascend(I)
    while evals < budget:
        I = 0
        for p in pos:
            if rng.random() < 0.5:
                I |= 1 << p
        if I in (0, used):
            continue
        ascend(I)


def _blocks(stA: Structure, used: int) -> list[int]:
    mix = sorted(
        {m for sups in stA.mixture_nodes for m in sups}, key=lambda m: (m & -m).bit_length()
    )
    if mix and max(m.bit_count() for m in mix) <= 8:
        return mix
    ps = positions_of(used)
    size = 4
    return [mask_of(ps[i : i + size]) for i in range(0, len(ps), size)]


# --------------------------------------------------------------------------- fitting, verdict
def _lsq_slope(xs: list[float], ys: list[float]) -> float | None:
    if len(xs) < 2:
        return None
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    if sxx == 0:
        return None
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx


def verdict_for(
    exponent: float | None, width_exponent: float | None, modes: int
) -> tuple[str, str]:
    """The verdict rule (documented in docs/compare.md).

    * ``exponential in N``: the required width grows like ``s^q`` in A's sweep variable ``s``
      with ``q >= n/4`` (n used modes): the exponent is a fixed fraction of the number of
      modes, i.e. the width is ``(s^c)^N``. Deep-vs-deep exponents are bounded (Corollary 8:
      below 2); shallow-vs-deep ones are about n/2 (Theorem 7 on the odd-even partition).
    * ``none``: size exponent <= 1.05.
    * otherwise ``polynomial (degree ~p)``, p the size exponent.
    """
    if exponent is None:
        return (
            "undetermined",
            "fewer than two sweep points with a nontrivial lower bound on A: no exponent",
        )
    if width_exponent is not None and width_exponent >= EXPONENTIAL_FRACTION * modes:
        return (
            "exponential in N",
            f"required width ~ s^{width_exponent:.2f} with n = {modes} modes (exponent >= n/4): "
            f"exponential in N; size exponent {exponent:.2f}",
        )
    if exponent <= 1 + NONE_TOLERANCE:
        return "none", f"size exponent {exponent:.2f} ~ 1: no super-linear gap shown"
    return f"polynomial (degree ~{exponent:.2f})", f"B's size grows like size_A^{exponent:.2f}"


# --------------------------------------------------------------------------- main entry
def compare(
    A: Architecture,
    B: Architecture,
    sweep: tuple[str, list[int]] | None = None,
    values_A: Mapping[str, Any] | None = None,
    values_B: Mapping[str, Any] | None = None,
    partitions: Iterable[str | Partition] = (),
    families: list[str] | None = None,
    copies: int = 1,
    search: str = "auto",
    search_budget: int = 2000,
    seed: int = 0,
    top: int = 5,
    certify: bool = False,
    certifier: Callable | None = None,
    certify_max_k: int = 1024,
    symbolic: bool = True,
    lower_rules: str = "all",
) -> Comparison:
    """Lower bound on the width and size of B (or a sum of ``copies`` B's) that replicates A.

    Parameters
    ----------
    A, B : architectures (``load_spec``); B's input dimension is replaced by A's (same data).
    sweep : (symbol of A, values); default: A's only remaining symbol over 2, 4, 8, 16.
    values_A, values_B : fixed symbol values; B's remaining symbols are B's widths, all set to
        one integer w (a uniform width) and solved for.
    partitions, families : extra explicit partitions (A's positions) and the partition families
        (default: paper, hybrid, odd-even, nodes; ``search`` is always added unless
        ``search="none"``).
    copies : B is a sum of this many copies: c * upper_B (subadditivity), c * size_B.
    search : ``auto`` (exhaustive over every partition when A has <= 16 used modes, else local),
        ``exhaustive``, ``local`` or ``none``.
    certify : also certify A's lower bounds with ``certifier`` on the reported partitions; the
        larger of the symbolic and the certified lower bound is used (both bound the generic
        rank from below).
    certifier : required with ``certify``: a callable like ``verify.verify_architecture``
        (``certifier(arch, partitions=..., mode="exact", seed=..., max_k=...)``), injected so
        that the analyzer does not import the harness (ValueError when missing).
    lower_rules : ``all`` (default: every lower-bound rule of the analyzer, as ``analyze``) or
        ``paper`` (Theorem 7 and Claim 5 as the paper states them: uniform widths, r/2 on every
        hybrid tree; reproduces Corollary 8's numbers).

    Returns
    -------
    Comparison

    References
    ----------
    Claim 5, Theorem 7 and Corollary 8 (sec. 6) of Cohen, Tamari, Shashua, ICLR 2018.
    """
    if certify and certifier is None:
        raise ValueError("compare(certify=True) needs a certifier, e.g. verify.verify_architecture")
    if copies < 1:
        raise SpecError("--copies", "", f"copies must be >= 1, got {copies}")
    if search not in ("auto", "exhaustive", "local", "none"):
        raise SpecError(
            "--search", "", f"unknown search {search!r} (auto, exhaustive, local, none)"
        )
    vA = _int_values(values_A, A.source or A.name)
    vB = _int_values(values_B, B.source or B.name)
    A1 = A.substitute(vA) if vA else A
    B1 = B.substitute(vB) if vB else B
    notes: list[str] = []
    # --- sweep
    free_A = A1.symbol_names
    if sweep is None:
        if len(free_A) == 1:
            sweep = (free_A[0], [2, 4, 8, 16])
        elif not free_A:
            sweep = (None, [None])
        else:
            raise SpecError(
                A.source or A.name,
                "--sweep",
                f"A has symbols {', '.join(free_A)}: sweep one (--sweep r=2,4,8), --set the rest",
            )
    sym, svals = sweep
    if sym is not None:
        if sym not in free_A:
            raise SpecError(
                A.source or A.name,
                "--sweep",
                f"{sym!r} is not a symbol of A (A's symbols: {', '.join(free_A) or 'none'})",
            )
        rest = [s for s in free_A if s != sym]
        if rest:
            raise SpecError(
                A.source or A.name,
                "--set",
                f"A's symbol(s) {', '.join(rest)} need values (--set NAME=VALUE)",
            )
    if A1.pooling != "product":
        raise SpecError(
            A.source or A.name,
            "pooling",
            f"A uses {A1.pooling} pooling: no rank lower bound covers it, nothing to compare",
        )
    if B1.pooling != "product":
        raise SpecError(
            B.source or B.name,
            "pooling",
            f"B uses {B1.pooling} pooling: no rank upper bound covers it, nothing to compare",
        )

    # --- structure and position alignment (by time offset: position p of A is offset N_A - 1 - p)
    A_any = A1.substitute({sym: sympy.Integer(svals[0])}) if sym else A1
    stA0 = structure(A_any)
    cA = stA0.circuit
    used_A = cA.used_mask
    n_modes = used_A.bit_count()
    B_probe = replace(B1, input_channels=sympy.Integer(1))
    from .circuit import build_circuit
    from .trees import mode_tree

    cB = build_circuit(B_probe)
    posmap = []
    missing = []
    for p in range(cA.N):
        off = cA.N - 1 - p
        q = cB.N - 1 - off
        if 0 <= q < cB.N and (cB.used_mask >> q) & 1:
            posmap.append(q)
        else:
            posmap.append(-1)
            if (used_A >> p) & 1:
                missing.append(p)
    if missing:
        notes.append(
            f"B does not see A's position(s) {missing}: B's function cannot depend on them"
        )
    # B's trees, in A's positions (for the 'nodes' and pair-split families)
    inv = {q: p for p, q in enumerate(posmap) if q >= 0}
    B_trees_in_A = []
    for b in range(len(B_probe.branches)):
        t = mode_tree(cB, b)
        if t is None:
            continue
        B_trees_in_A.append(_remap_tree(t, inv, f"B:{t.branch}"))

    width_syms = sorted(B_probe.symbol_names)  # B's symbols once its input dimension is A's
    # --- named partitions (A's positions)
    explicit: list[Partition] = []
    from .partitions import parse_partition

    for p in partitions:
        explicit.append(parse_partition(p, cA) if isinstance(p, str) else p)
    named = explicit + named_partitions(stA0, B_trees_in_A, families)
    dedup: list[Partition] = []
    seen: set[int] = set()
    for p in named:
        k = _canon(p.I, used_A)
        if k not in seen:
            seen.add(k)
            dedup.append(p)
    named = dedup
    label_of = {_canon(p.I, used_A): p.label for p in named}
    mode = search
    if mode == "auto":
        mode = "exhaustive" if n_modes <= EXHAUSTIVE_MAX_MODES else "local"
    if mode == "exhaustive" and n_modes > 24:
        raise SpecError(
            "--search", "", f"exhaustive search over {n_modes} modes is too large (2^{n_modes - 1})"
        )

    pair_cache: dict = {}
    shared_B: dict = {}
    points: list[ComparePoint] = []
    for val in svals:
        Av = A1.substitute({sym: sympy.Integer(val)}) if sym else A1
        if not Av.is_concrete:
            raise SpecError(
                A.source or A.name, "--set", f"A's symbols {Av.symbol_names} need values"
            )
        stA = structure(Av)
        M = int(Av.input_channels)
        lowA = _LowerA(stA, pair_cache, rules=lower_rules)
        Bt = replace(B1, input_channels=sympy.Integer(M))
        ub = UpperB(Bt, width_syms, copies, posmap, cB.used_mask, shared_B)
        saturation = M**n_modes

        pt = _scan(lowA, ub, used_A, saturation, top, named, mode, stA, search_budget, seed)
        reported = _reported(pt, named, used_A, top)
        cert: dict[int, tuple[int | None, str]] = {}
        if certify:
            # certify the reported partitions, then scan again with the larger lower bounds
            cert = _certify(Av, reported, certifier, certify_max_k, seed, notes)
            for key, (c_rank, _) in cert.items():
                if c_rank is not None:
                    lowA.override[key] = c_rank
            pt = _scan(lowA, ub, used_A, saturation, top, named, mode, stA, search_budget, seed)
            keys = {_canon(I, used_A) for I in reported}
            reported += [
                I for I in _reported(pt, named, used_A, top) if _canon(I, used_A) not in keys
            ]
        rows = [_row(I, label_of.get(_canon(I, used_A), "search"), pt, stA, cert) for I in reported]
        wI = pt.best_I if pt.best_I is not None else reported[0]
        witness = _row(wI, label_of.get(_canon(wI, used_A), "search"), pt, stA, cert)
        unmatched = None
        if pt.infeasible is not None:
            unmatched = _row(
                pt.infeasible, label_of.get(_canon(pt.infeasible, used_A), "search"), pt, stA, cert
            )
        size_A = int(parameter_count(Av))
        matches = None
        if not width_syms:
            req = None
            matches = pt.infeasible is None
            size_B = copies * int(parameter_count(Bt))
            wv = {}
        else:
            req = pt.w_best
            wv = {s: req for s in width_syms}
            size_B = copies * int(parameter_count(ub.arch_at(req)))
        points.append(
            ComparePoint(
                value=val,
                values_A={k: int(v) for k, v in vA.items()} | ({sym: val} if sym else {}),
                input_channels=M,
                size_A=size_A,
                required_width=req,
                width_values=wv,
                size_B=size_B,
                witness=witness,
                rows=rows,
                examined=pt.examined,
                search=mode,
                matches=matches,
                unmatched=unmatched,
            )
        )

    # --- exponents over informative points (finite requirements, nontrivial lower bound on A)
    unbounded = any(p.unmatched is not None for p in points)
    fit = [p for p in points if p.informative and p.size_B]
    exponent = _lsq_slope([math.log(p.size_A) for p in fit], [math.log(p.size_B) for p in fit])
    wexp = None
    if sym is not None:
        wexp = _lsq_slope(
            [math.log(p.value) for p in fit], [math.log(p.required_width) for p in fit]
        )
    if not width_syms:
        ok = all(p.matches for p in points)
        verdict = "matches" if ok else "does not match"
        text = "B has no width symbol: checked as given; " + (
            "its upper bounds reach A's lower bounds on every partition examined"
            if ok
            else "some partition has A's lower bound above B's upper bound"
        )
        finite_verdict = verdict
    else:
        finite_verdict, text = verdict_for(exponent, wexp, n_modes)
        verdict = finite_verdict
        if unbounded:
            u = next(p for p in points if p.unmatched is not None)
            verdict = "unbounded"
            text = (
                f"B cannot replicate A at any width: on I = {_set(u.unmatched.I)} "
                f"A's lower bound is "
                f"{u.unmatched.lower_A} at {sym} = {u.value} while B's upper bound stays at "
                f"{u.unmatched.upper_B} for every width; on the partitions a finite width "
                "can match: "
                f"{finite_verdict} ({text})"
            )
    final = fit[-1] if fit else points[-1]
    witness = {"value": final.value, **final.witness.to_dict()}
    unmatched_w = None
    upoint = next((p for p in reversed(points) if p.unmatched is not None), None)
    if upoint is not None:
        unmatched_w = {"value": upoint.value, **upoint.unmatched.to_dict()}
    upper_sym = lower_sym = None
    if symbolic:
        lower_sym = (
            analyze(A1, partitions=[make_partition(final.witness.I, cA)])
            .partitions[0]
            .lower_symbolic
        )
        if width_syms:
            upper_sym = _upper_B_symbolic(
                B1, final.input_channels, final.witness.I, posmap, cB, notes, A1.symbol_names
            )
    skipped = [p.value for p in points if not p.informative]
    if skipped and sym is not None:
        notes.append(
            f"{sym} = {', '.join(map(str, skipped))}: A's lower bounds are all 1 there "
            "(e.g. Claim 5's "
            "r/2 = 1), so the point is left out of the fit"
        )
    return Comparison(
        A=A.name,
        A_source=A.source,
        B=B.name,
        B_source=B.source,
        sweep_symbol=sym,
        sweep_values=[v for v in svals if v is not None],
        values_A={k: _fmt(v) for k, v in vA.items()},
        values_B={k: _fmt(v) for k, v in vB.items()},
        width_symbols=width_syms,
        copies=copies,
        modes=n_modes,
        points=points,
        exponent=exponent,
        width_exponent=wexp,
        fit_values=[p.value for p in fit],
        verdict=verdict,
        verdict_text=text,
        finite_verdict=finite_verdict,
        witness=witness,
        unmatched_witness=unmatched_w,
        upper_B_symbolic=upper_sym,
        lower_A_symbolic=lower_sym,
        certified=certify,
        notes=notes,
    )


def _set(ps: list[int]) -> str:
    return "{" + ",".join(map(str, ps)) + "}"


def _scan(lowA, ub, used, saturation, top, named, mode, stA, budget, seed) -> _Point:
    """One sweep point: named partitions first (they win ties), then the search."""
    pt = _Point(lowA, ub, used, saturation, top)
    for p in named:
        pt.consider(p.I)
    if mode == "exhaustive":
        for I in _all_masks(used):
            pt.consider(I)
    elif mode == "local":
        starts = sorted((p.I for p in named), key=lambda I: -pt.score(I))[:3]
        _local_search(pt, starts, used, _blocks(stA, used), budget, seed)
    return pt


def _remap_tree(t, inv: dict[int, int], name: str):
    """A mode tree of B with masks in A's positions (positions A lacks are dropped)."""
    from .trees import ModeTree

    def m(mask: int) -> int:
        out = 0
        for q in positions_of(mask):
            p = inv.get(q)
            if p is not None:
                out |= 1 << p
        return out

    children = {m(n): tuple(m(c) for c in ch) for n, ch in t.children.items()}
    depth = {m(n): d for n, d in t.depth.items()}
    layer = {m(n): v for n, v in t.layer.items()}
    return ModeTree(name, m(t.root), children, depth, layer, t.binary)


def _reported(pt: _Point, named: list[Partition], used: int, top: int) -> list[int]:
    """Named partitions (first 12), then the ``top`` partitions with the largest requirement."""
    out = [p.I for p in named[:12]]
    keys = {_canon(I, used) for I in out}
    ranked = sorted(((w, k) for k, w in pt.req.items() if w is not None), key=lambda x: -x[0])
    if pt.infeasible is not None and _canon(pt.infeasible, used) not in keys:
        out.insert(0, pt.infeasible)
        keys.add(_canon(pt.infeasible, used))
    if pt.best_I is not None and _canon(pt.best_I, used) not in keys:
        out.insert(0, pt.best_I)
        keys.add(_canon(pt.best_I, used))
    for _, k in ranked[:top]:
        if k not in keys:
            keys.add(k)
            out.append(k)
    return out


def _row(I: int, label: str, pt: _Point, stA: Structure, cert: dict) -> CompareRow:
    used = pt.used
    key = _canon(I, used)
    lam, src = pt.lowA(I)  # includes certified ranks where larger (--certify)
    c_rank, c_status = cert.get(key, (None, None))
    w = pt.req.get(key, 0)
    if w == 0:
        w = required_width(pt.ub, I, lam, saturation=pt.saturation)
        pt.req[key] = w
    up = below = None
    if w is not None:
        up = pt.ub.upper(I, w)
        prev = pt.ub.prev_admissible(w - 1) if w > 1 else None
        below = pt.ub.upper(I, prev) if prev else None
    else:
        sat = pt.ub.next_admissible(pt.saturation)
        up = pt.ub.upper(I, sat) if sat else None
    pairs, hw = pt.lowA.witness(I)
    b = bound_partition(stA, Partition(I, label), INT, Propagator(stA.circuit, INT))
    return CompareRow(
        I=positions_of(I),
        label=label,
        lower_A=lam,
        lower_A_source=src,
        required_width=w,
        upper_B=up,
        upper_B_below=below,
        hybrid_pairs=pairs,
        hybrid_witness=hw,
        upper_A=b.upper,
        certified_A=c_rank,
        certified_status=c_status,
    )


def _certify(
    Av: Architecture, reported: list[int], certifier, max_k: int, seed: int, notes: list[str]
):
    parts = [Partition(I, "compare") for I in reported]
    res = certifier(Av, partitions=parts, mode="exact", seed=seed, max_k=max_k)
    out = {}
    used = build_used(Av)
    for p in res.partitions:
        I = mask_of(p.I)
        out[_canon(I, used)] = (p.certified_lower, p.status)
    note = (
        f"certified ranks (harness, seed {seed}, K <= {max_k}) used where larger than the "
        "symbolic bounds"
    )
    if note not in notes:
        notes.append(note)
    return out


def build_used(arch: Architecture) -> int:
    from .circuit import build_circuit

    return build_circuit(arch).used_mask


def _upper_B_symbolic(
    B1: Architecture,
    M: int,
    I_pos: list[int],
    posmap: list[int],
    cB,
    notes: list[str],
    avoid: Iterable[str] = (),
) -> str | None:
    """B's upper bound at the witness partition as a function of its width symbol(s), with its
    input dimension M (A's at that sweep point). B's symbols named like A's (``avoid``) are
    renamed ``NAME_B``."""
    avoid = set(avoid)
    IB = 0
    for p in I_pos:
        q = posmap[p]
        if q >= 0:
            IB |= 1 << q
    if IB == 0 or IB & cB.used_mask == cB.used_mask:
        return "1"
    try:
        Bs = replace(B1, input_channels=sympy.Integer(M))
        clash = {s: parse_expr(f"{s}_B") for s in Bs.symbol_names if s in avoid}
        if clash:  # B's width symbol named like A's: rename it NAME_B
            Bs = Bs.substitute(clash)
        return analyze(Bs, partitions=[Partition(IB, "witness")]).partitions[0].upper_symbolic
    except (SpecError, ExprError, ValueError) as exc:  # pragma: no cover - reporting only
        notes.append(f"no symbolic upper bound for B: {exc}")
        return None
