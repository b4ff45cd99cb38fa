"""Joint spans: an upper bound on the dimension of the I- (and J-) column space spanned by all
the channels of a SET of units, by recursion through joins and product units (docs/theory.md
sec. 4.3, "joint spans").

The propagation rules of :class:`analyzer.bounds.Propagator` bound each unit on its own; at a
join (exchange or sum) and at the sum of the branches' outputs they add the joined units'
bounds. When the joined units share their past (two branches reading one summed unit, or the
two halves of an exchange of the same two units, also several layers further up), their channel
spaces overlap and the sum over-counts. :func:`joint_span` bounds the span of the set itself:

* a set of units spans at most the sum of its members' own bounds (L, R);
* a join unit's channels lie in the span of its sources' channels (the product or input units
  at the bottom of its chain of joins): the set may be replaced by its sources;
* product units with the same tap supports T_1..T_k (disjoint) span at most
  ``prod_j min(M^|I ∩ T_j|, span(units they read at tap j))``: groups of such units add up;
* a set of product units of one support whose tap partitions differ is expanded to the
  common refinement P of those partitions (every member reaching P through product units),
  and spans at most ``prod_{b in P} span(units reached at block b)``;
* a pair of members may be spanned together and the other members added.

Pure, on integers (concrete widths); the structure of each set is planned once, the bounds are
memoised per partition, and per side for sets wholly in I or in J.
"""

from __future__ import annotations

__all__ = ["JointSpans"]

MAX_PAIRED = 6  # rule 5 (theory sec. 4.3) tries every pair of members of sets up to this size
MAX_REFINE = 64  # refinements of rule 4 before it is given up (a cost limit; still valid)


class JointSpans:
    """Joint I/J span bounds of unit sets on one circuit, reading a Propagator's states."""

    def __init__(self, prop):
        self.p = prop
        self.units = prop.c.units
        self.memo: dict = {}  # (frozenset, side) -> (L, R) for sets wholly in I (1) or J (0)
        self._mixed: dict = {}  # frozenset -> (L, R) for the current partition
        self._mixed_I: int | None = None
        self._src: dict[int, frozenset] = {}
        self._plans: dict[frozenset, tuple] = {}  # partition-independent structure per set
        self._sup: dict[frozenset, int] = {}
        self._shares: dict[frozenset, bool] = {}

    # ------------------------------------------------------------------ structure
    def sources(self, v: int) -> frozenset:
        hit = self._src.get(v)
        if hit is None:
            u = self.units[v]
            if u.kind in ("input", "prod"):
                hit = frozenset((v,))
            else:
                hit = frozenset().union(*(self.sources(c) for c in u.children))
            self._src[v] = hit
        return hit

    def _taps(self, v: int):
        """{tap support: child unit} of product unit v, or None when two taps overlap."""
        u = self.units[v]
        out: dict[int, int] = {}
        seen = 0
        for c in u.children:
            s = self.units[c].support
            if s & seen:
                return None
            seen |= s
            out[s] = c
        return out

    def _expand(self, S: frozenset, blocks: tuple[int, ...]):
        """{block: set of units reached at that block} such that span(S) lies in the tensor
        product of the blocks' spans; or None when some member cannot be expanded to them; or
        a tap support (an int) that cuts a block, by which the blocks can be refined."""
        out: dict[int, set] = {b: set() for b in blocks}
        stack = list(S)
        done: set[int] = set()
        while stack:
            v = stack.pop()
            if v in done:
                continue
            done.add(v)
            u = self.units[v]
            if u.support in out:
                out[u.support].add(v)
                continue
            if u.kind in ("exchange", "sum"):
                for x in self.sources(v):
                    if self.units[x].support != u.support:
                        return None  # a join of unequal supports: no common refinement
                    stack.append(x)
                continue
            if u.kind != "prod":
                return None
            taps = self._taps(v)
            if taps is None:
                return None
            for ts, c in taps.items():
                inside = [b for b in blocks if b & ts]
                if any(b & ~ts for b in inside):
                    return ts  # a block straddles two taps: refine by this tap
                stack.append(c)
        return {b: frozenset(x) for b, x in out.items()}

    # ------------------------------------------------------------------ plans
    def _plan(self, S: frozenset) -> tuple:
        """The partition-independent part of the bound of S (memoised per set).

        ``("one",)``: a single product or input unit (its own state is the bound);
        ``("src", sources)``: S holds join units, bound through the sources;
        ``("prod", inputs, groups, refined, pairs)``: product and input units; ``groups``: per
        group of equal tap supports its members and ``(tap support, units read there)``;
        ``refined``: ``(block, units reached)`` of the common refinement, or None; ``pairs``:
        the pairs of members for rule 5, or ().
        """
        plan = self._plans.get(S)
        if plan is not None:
            return plan
        units = self.units
        if len(S) == 1 and units[next(iter(S))].kind in ("input", "prod"):
            plan = ("one",)
        else:
            src = frozenset().union(*(self.sources(v) for v in S))
            if src != S:
                plan = ("src", src)
            else:
                plan = self._plan_prod(S)
        self._plans[S] = plan
        return plan

    def _plan_prod(self, S: frozenset) -> tuple:
        units = self.units
        inputs = tuple(v for v in S if units[v].kind == "input")
        by_taps: dict[tuple[int, ...], list[int]] = {}
        for v in S:
            if units[v].kind != "prod":
                continue
            taps = self._taps(v)
            if taps is None:
                return ("prod", inputs, None, None, ())
            by_taps.setdefault(tuple(sorted(taps)), []).append(v)
        groups = []
        for tsups, members in by_taps.items():
            reads = tuple((ts, frozenset(self._taps(v)[ts] for v in members)) for ts in tsups)
            groups.append((tuple(members), reads))
        refined = None
        sup = 0
        for v in S:
            sup |= units[v].support
        if len(by_taps) > 1 and not inputs and all(units[v].support == sup for v in S):
            blocks = _meet(list(by_taps))
            reached = self._expand(S, blocks)
            for _ in range(min(sup.bit_count(), MAX_REFINE)):  # each splits at least one block
                if not isinstance(reached, int):
                    break
                blocks = _meet([blocks, (reached, sup & ~reached)])
                reached = self._expand(S, blocks)
            if isinstance(reached, dict) and all(reached.values()):
                refined = tuple(reached.items())
        pairs: tuple = ()
        if 3 <= len(S) <= MAX_PAIRED:
            m = sorted(S)
            pairs = tuple((u, v) for i, u in enumerate(m) for v in m[i + 1 :])
        return ("prod", inputs, tuple(groups), refined, pairs)

    def shares_past(self, S) -> bool:
        """Whether two members of S have a common product or join unit below them (inputs not
        counted). Without one no rule here beats the sum of the members' own bounds, so the
        caller may skip the recursion (a matter of speed only: skipping a bound is valid)."""
        S = frozenset(S)
        hit = self._shares.get(S)
        if hit is None:
            owner: dict[int, int] = {}
            hit = False
            for m in S:
                stack = [m]
                seen: set[int] = set()
                while stack and not hit:
                    v = stack.pop()
                    if v in seen or self.units[v].kind == "input":
                        continue
                    seen.add(v)
                    o = owner.setdefault(v, m)
                    if o != m:
                        hit = True
                    stack.extend(self.units[v].children)
                if hit:
                    break
            self._shares[S] = hit
        return hit

    # ------------------------------------------------------------------ bounds
    def joint_span(self, S, I: int):
        """(L, R): bounds on the dimensions of the joint I- and J-column spaces of S's channels."""
        S = frozenset(S)
        sup = self._sup.get(S)
        if sup is None:
            sup = 0
            for v in S:
                sup |= self.units[v].support
            self._sup[S] = sup
        x = I & sup
        if not x:
            memo, key = self.memo, (S, 0)
        elif x == sup:
            memo, key = self.memo, (S, 1)
        else:
            if I is not self._mixed_I and I != self._mixed_I:
                self._mixed = {}
                self._mixed_I = I
            memo, key = self._mixed, S
        hit = memo.get(key)
        if hit is not None:
            return hit
        res = self._compute(S, sup, I)
        memo[key] = res
        return res

    def _compute(self, S: frozenset, sup: int, I: int):
        # integers only (Propagator._joint does not call it with symbolic widths)
        p = self.p
        cap = p._cap
        nI = (I & sup).bit_count()
        nJ = sup.bit_count() - nI
        own = {v: p.state(v, I) for v in S}
        totL = sum(s.L for s in own.values())
        totR = sum(s.R for s in own.values())
        L, R = min(cap(nI), totL), min(cap(nJ), totR)
        plan = self._plan(S)
        if plan[0] == "one":
            return L, R  # one unit: its own state already is the bound
        if plan[0] == "src":  # (rule 2) join units replaced by their sources
            gL, gR = self.joint_span(plan[1], I)
            return min(L, gL), min(R, gR)
        if not self.shares_past(S):
            return L, R  # disjoint pasts: the members' own bounds (speed only)
        _, inputs, groups, refined, pairs = plan
        if groups is not None:  # (rule 3) groups of equal tap supports
            gL = sum(own[v].L for v in inputs)
            gR = sum(own[v].R for v in inputs)
            for members, reads in groups:
                sL = sR = 1
                for ts, rd in reads:
                    tI = (I & ts).bit_count()
                    tL, tR = self.joint_span(rd, I)
                    sL *= min(cap(tI), tL)
                    sR *= min(cap(ts.bit_count() - tI), tR)
                gL += min(sL, sum(own[v].L for v in members))
                gR += min(sR, sum(own[v].R for v in members))
            L, R = min(L, gL), min(R, gR)
        if refined is not None:  # (rule 4) the common refinement of the tap partitions
            bL = bR = 1
            for b, F in refined:
                tI = (I & b).bit_count()
                fL, fR = self.joint_span(F, I)
                bL *= min(cap(tI), fL)
                bR *= min(cap(b.bit_count() - tI), fR)
            L, R = min(L, bL), min(R, bR)
        for u, v in pairs:  # (rule 5) a pair spanned together, every other member on its own
            pL, pR = self.joint_span((u, v), I)
            L = min(L, pL + totL - own[u].L - own[v].L)
            R = min(R, pR + totR - own[u].R - own[v].R)
        return L, R


def _meet(partitions: list[tuple[int, ...]]) -> tuple[int, ...]:
    """The common refinement of partitions (tuples of disjoint bitmasks) of one set."""
    blocks = list(partitions[0])
    for part in partitions[1:]:
        new = []
        for b in blocks:
            for c in part:
                x = b & c
                if x:
                    new.append(x)
        blocks = new
    return tuple(sorted(blocks))
