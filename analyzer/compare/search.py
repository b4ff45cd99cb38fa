"""The search at one sweep point: the running maximum of B's required width over the named
partitions, then over every partition (exhaustive) or a seeded local search on the gap score.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from ..analysis import Structure
from ..circuit import mask_of, positions_of
from ..partitions import Partition, all_masks, canonical
from .evaluators import LowerA, UpperB
from .width import required_width

__all__ = [
    "SEARCH_MODES",
    "EXHAUSTIVE_MAX_MODES",
    "EXHAUSTIVE_LIMIT_MODES",
    "SearchSettings",
    "PointBounds",
    "SearchState",
    "scan",
    "reported_partitions",
    "resolve_mode",
]

SEARCH_MODES = ("auto", "exhaustive", "local", "none")
EXHAUSTIVE_MAX_MODES = 16  # search = "auto": every partition up to complement when n <= 16
EXHAUSTIVE_LIMIT_MODES = 24  # search = "exhaustive" is refused above this many modes
NAMED_REPORTED = 12  # named partitions reported per sweep point


@dataclass(frozen=True)
class SearchSettings:
    """How to search: ``mode`` (exhaustive, local or none), the number of best partitions
    reported (``top``), and the local search's score budget and seed."""

    mode: str
    top: int = 5
    budget: int = 2000
    seed: int = 0


@dataclass(frozen=True)
class PointBounds:
    """The two sides at one sweep point: A's lower bound, B's upper bound, A's structure and
    used positions, and the saturation width (above it B's bound no longer grows)."""

    lower_a: LowerA
    upper_b: UpperB
    structure_a: Structure
    used: int
    saturation: int


def resolve_mode(search: str, modes: int) -> str:
    """``auto``: exhaustive up to :data:`EXHAUSTIVE_MAX_MODES` used modes, local above."""
    if search == "auto":
        return "exhaustive" if modes <= EXHAUSTIVE_MAX_MODES else "local"
    return search


class SearchState:
    """State of the search at one sweep point: the running maximum of the required width."""

    def __init__(self, bounds: PointBounds):
        self.bounds = bounds
        self.lower_a, self.upper_b, self.used = bounds.lower_a, bounds.upper_b, bounds.used
        self.saturation = bounds.saturation
        self.w_best = self.upper_b.next_admissible(1) or 1
        self.best_I: int | None = None
        self.infeasible: int | None = None
        self.seen: set[int] = set()
        self.req: dict[int, int | None] = {}  # exact requirements computed (canonical I)
        self.examined = 0

    def consider(self, I: int, exact: bool = False) -> None:
        """Examine I; compute its exact requirement when it may exceed the running maximum."""
        key = canonical(I, self.used)
        if key in self.seen and not exact:
            return
        self.seen.add(key)
        self.examined += 1
        lam, _ = self.lower_a(I)
        if not exact and self.upper_b.upper(I, self.w_best) >= lam:
            return  # this partition needs at most the running maximum
        w = self.req.get(key, 0)
        if w == 0:
            # when I fails at the running maximum, its requirement is above it: search from there
            start = self.w_best + 1 if not exact else 1
            if start > 1 and self.upper_b.upper(I, self.w_best) >= lam:
                start = 1
            w = required_width(self.upper_b, I, lam, start=start, saturation=self.saturation)
        self.record(I, w)

    def record(self, I: int, w: int | None) -> None:
        """Record I's exact requirement (None: no width of B reaches A's lower bound on I)."""
        self.req[canonical(I, self.used)] = w
        if w is None:
            if self.infeasible is None:
                self.infeasible = I
            return
        if w > self.w_best or (self.best_I is None and w >= self.w_best):
            self.w_best = w
            self.best_I = I

    def requirement(self, I: int) -> int | None:
        """I's exact requirement (computed now if the search did not)."""
        key = canonical(I, self.used)
        w = self.req.get(key, 0)
        if w == 0:
            lam, _ = self.lower_a(I)
            w = required_width(self.upper_b, I, lam, saturation=self.saturation)
            self.req[key] = w
        return w

    def score(self, I: int) -> float:
        """Gap score at the running width: log lower_A / log upper_B (> 1 beats the maximum)."""
        lam, _ = self.lower_a(I)
        if lam <= 1:
            return 0.0
        up = self.upper_b.upper(I, self.w_best)
        if up <= 1:
            return math.inf
        return math.log(lam) / math.log(up)


def scan(bounds: PointBounds, named: list[Partition], settings: SearchSettings) -> SearchState:
    """One sweep point: named partitions first (they win ties), then the search."""
    state = SearchState(bounds)
    for p in named:
        state.consider(p.I)
    if settings.mode == "exhaustive":
        for I in all_masks(bounds.used):
            state.consider(I)
    elif settings.mode == "local":
        starts = sorted((p.I for p in named), key=lambda I: -state.score(I))[:3]
        blocks = _blocks(bounds.structure_a, bounds.used)
        _local_search(state, starts, blocks, settings.budget, settings.seed)
    return state


def reported_partitions(state: SearchState, named: list[Partition], top: int) -> list[int]:
    """Named partitions (the first 12), then the ``top`` partitions with the largest
    requirement; the best and the infeasible partition first where they are not named."""
    used = state.used
    out = [p.I for p in named[:NAMED_REPORTED]]
    keys = {canonical(I, used) for I in out}
    ranked = sorted(((w, k) for k, w in state.req.items() if w is not None), key=lambda x: -x[0])
    if state.infeasible is not None and canonical(state.infeasible, used) not in keys:
        out.insert(0, state.infeasible)
        keys.add(canonical(state.infeasible, used))
    if state.best_I is not None and canonical(state.best_I, used) not in keys:
        out.insert(0, state.best_I)
        keys.add(canonical(state.best_I, used))
    for _, k in ranked[:top]:
        if k not in keys:
            keys.add(k)
            out.append(k)
    return out


def _local_search(
    state: SearchState, starts: list[int], blocks: list[int], budget: int, seed: int
) -> None:
    """Coordinate ascent over blocks (every pattern of a block, the rest fixed), then single flips,
    on the gap score; first improvement; a few seeded random restarts; at most ``budget`` scores."""
    used = state.used
    rng = random.Random(seed)
    pos = positions_of(used)
    evals = 0

    def ascend(I: int) -> int:
        nonlocal evals
        cur = state.score(I)
        improved = True

        def step(J: int) -> bool:
            """Score J, move there if it improves; True when the budget is spent."""
            nonlocal evals, I, cur, improved
            evals += 1
            state.consider(J)
            s = state.score(J)
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


def _blocks(st_a: Structure, used: int) -> list[int]:
    """The local search's blocks: the mixture nodes when they are small, else runs of 4."""
    mix = sorted(
        {m for sups in st_a.mixture_nodes for m in sups}, key=lambda m: (m & -m).bit_length()
    )
    if mix and max(m.bit_count() for m in mix) <= 8:
        return mix
    ps = positions_of(used)
    size = 4
    return [mask_of(ps[i : i + size]) for i in range(0, len(ps), size)]
