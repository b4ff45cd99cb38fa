"""Rank bounds for a matricization [A]_I: propagation, Theorem 7, Claim 5 (docs/theory.md sec. 4-5)
and the routed-tree lower bound (docs/theory.md sec. 6: widths per node and per edge).

Every function here is pure. The same code runs on Python integers (concrete widths, fast) and
on sympy expressions (symbolic widths): an :class:`Arith` supplies min/+/*/** for either.

References
----------
Cohen, Tamari, Shashua, "Boosting Dilated Convolutional Networks with Mixed Tensor
Decompositions", ICLR 2018: Theorem 7 (tiling bounds), Claim 5 (hybrid trees), Def. 4 and 6.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import flint
import sympy

from .circuit import Circuit
from .pairsources import copy_maps, pair_sources
from .trees import HybridStructure, ModeTree

__all__ = [
    "Arith",
    "INT",
    "SYM",
    "symbol_minima",
    "Propagator",
    "UnitState",
    "theorem7",
    "Theorem7Info",
    "claim5_lower",
    "Routes",
    "routes",
    "routed_lower",
]


class Arith:
    """min / max / + / * / ** on one number type: Python ints, or sympy expressions.

    On expressions, ``min`` and ``max`` drop every argument that is provably not the
    extreme one: ``a <= b`` is proved when ``b - a``, with each symbol ``s`` written as
    ``s_min + t`` (``t >= 0``, ``s_min`` its least admissible value), expands to a polynomial in
    the ``t``'s with nonnegative coefficients (a sufficient condition). Undecided comparisons
    stay as ``Min``/``Max``: never a guess.
    """

    def __init__(self, symbolic: bool, minima: dict | None = None):
        self.symbolic = symbolic
        self.minima = dict(minima or {})
        self._cache: dict = {}

    def with_minima(self, minima: dict) -> Arith:
        return Arith(self.symbolic, minima)

    # -- comparisons on expressions
    def _points(self, symbols) -> list[dict]:
        """A few admissible symbol values, for cheap counterexamples (never for proofs)."""
        syms = sorted(symbols, key=str)
        base = {s: self.minima.get(s, 1) for s in syms}
        pts = [base, {s: v + 1 for s, v in base.items()}, {s: 3 * v + 5 for s, v in base.items()}]
        for k in range(len(syms)):  # one symbol large, the others small
            pts.append({s: (v + 40 if i == k else v) for i, (s, v) in enumerate(base.items())})
        return [{s: sympy.Integer(v) for s, v in p.items()} for p in pts]

    def _le(self, a, b) -> bool:
        """True if a <= b is proved for all admissible symbol values."""
        key = (a, b)
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        ok = self._prove_le(sympy.sympify(a), sympy.sympify(b))
        self._cache[key] = ok
        return ok

    @staticmethod
    def _spread(x):
        """Min(u, v)**k -> Min(u**k, v**k) and c*Min(u, v) -> Min(c*u, c*v) (all terms >= 0)."""
        kinds = (sympy.Min, sympy.Max)
        if isinstance(x, sympy.Pow) and isinstance(x.base, kinds) and x.exp.is_positive:
            return type(x.base)(*[y**x.exp for y in x.base.args], evaluate=False)
        if isinstance(x, sympy.Mul):
            mins = [f for f in x.args if isinstance(f, kinds)]
            if len(mins) == 1:
                rest = x / mins[0]
                if rest.is_nonnegative:
                    return type(mins[0])(*[rest * y for y in mins[0].args], evaluate=False)
        return x

    def _prove_le(self, a, b) -> bool:
        if a == b:
            return True
        pairs = [(a, b)]
        spread = (self._spread(a), self._spread(b))
        if spread != (a, b):
            pairs.append(spread)
        for x, y in pairs:  # sound structural rules for Min/Max on either side
            if isinstance(y, sympy.Min) and all(self._le(x, z) for z in y.args):
                return True
            if isinstance(x, sympy.Max) and all(self._le(z, y) for z in x.args):
                return True
            if isinstance(x, sympy.Min) and any(self._le(z, y) for z in x.args):
                return True
            if isinstance(y, sympy.Max) and any(self._le(x, z) for z in y.args):
                return True
        d = sympy.sympify(b - a)
        if d.is_nonnegative:
            return True
        if d.free_symbols:
            for pt in self._points(d.free_symbols):
                v = d.xreplace(pt)
                if v.is_number and v.is_negative:
                    return False  # a counterexample: a <= b does not hold there
        # every Min/Max here is a dimension or a rank, hence >= 1: treat each as an unknown u >= 1
        # (an independent variable: a sufficient condition, since the true values are among them)
        atoms = {m: 1 + sympy.Dummy(nonnegative=True) for m in d.atoms(sympy.Min, sympy.Max)}
        d = d.xreplace(atoms) if atoms else d
        subs = {
            s: self.minima.get(s, 1) + sympy.Dummy(nonnegative=True)
            for s in d.free_symbols
            if not isinstance(s, sympy.Dummy)
        }
        e = sympy.expand(d.xreplace(subs))
        if not e.free_symbols:
            return bool(e.is_nonnegative)
        try:
            poly = sympy.Poly(e, *sorted(e.free_symbols, key=str))
        except sympy.PolynomialError:
            return False
        return all(c >= 0 for c in poly.coeffs())

    def _reduce(self, xs, keep_small: bool):
        kind = sympy.Min if keep_small else sympy.Max
        flat: list = []
        for x in xs:
            x = sympy.sympify(x)
            for y in x.args if isinstance(x, kind) else (x,):
                if y not in flat:
                    flat.append(y)
        kept: list = []
        for x in flat:
            dominated = False
            for y in kept:
                if self._le(y, x) if keep_small else self._le(x, y):
                    dominated = True
                    break
            if dominated:
                continue
            kept = [y for y in kept if not (self._le(x, y) if keep_small else self._le(y, x))]
            kept.append(x)
        if len(kept) > 2:  # an argument may be dominated by the others together
            for x in list(kept):
                others = [y for y in kept if y is not x]
                group = kind(*others, evaluate=False)
                if self._le(group, x) if keep_small else self._le(x, group):
                    kept = others
        if len(kept) == 1:
            return kept[0]
        # the arguments are pairwise undecided: no need for sympy's own (slow) comparisons
        return kind(*kept, evaluate=False)

    def min(self, *xs):
        if self.symbolic:
            return self._reduce(xs, True)
        return min(xs)

    def max(self, *xs):
        if self.symbolic:
            return self._reduce(xs, False)
        return max(xs)

    def lift(self, x):
        if self.symbolic:
            return sympy.sympify(x)
        return int(x)

    def pow(self, base, e: int):
        return base**e

    def prod(self, xs):
        out = self.lift(1)
        for x in xs:
            out = out * x
        return out

    def sum(self, xs):
        out = self.lift(0)
        for x in xs:
            out = out + x
        return out


INT = Arith(False)
SYM = Arith(True)


def symbol_minima(arch) -> dict:
    """Least admissible value of each symbol: widths and exchange counts must be >= 1.

    From every such expression of the form ``c * s`` (one symbol) we get ``s >= ceil(1/c)``;
    e.g. a default half exchange ``r/2`` gives ``r >= 2``.
    """
    from .spec import width_expressions

    minima: dict = {}
    for e in width_expressions(arch):
        e = sympy.sympify(e)
        if len(e.free_symbols) != 1:
            continue
        (sym,) = e.free_symbols
        coeff = sympy.simplify(e / sym)
        if coeff.free_symbols or not coeff.is_positive:
            continue
        need = sympy.ceiling(1 / coeff)
        minima[sym] = max(int(need), minima.get(sym, 1))
    return minima


class UnitState(NamedTuple):
    """A unit's propagation state (docs/theory.md sec. 4.1; each an upper bound)."""

    L: object  # dimension of the span of the I-side column spaces of its channels
    R: object  # the same for J
    pi: object  # the largest rank of one channel
    rho: object  # the largest rank of any linear combination of its channels


class Propagator:
    """The propagation upper bound on a circuit, memoised per (unit, I ∩ support) (see state).

    State of a unit: (L, R, pi, rho): dimension of the span of the I-side column spaces of its
    channels, the same for J, the largest rank of one channel, the largest rank of any linear
    combination of channels (docs/theory.md sec. 4.1; all are valid upper bounds), as a
    :class:`UnitState`.
    """

    def __init__(self, circuit: Circuit, arith: Arith, values=None):
        self.c = circuit
        self.a = arith
        arch = circuit.arch
        # performance only (issue 12): symbolic widths go through the arithmetic's own lift, so
        # a fast arithmetic (analyzer.posy) gets its own number type; for SYM it is sympify
        conv = (lambda e: int(e)) if not arith.symbolic else arith.lift
        self.M = conv(arch.input_channels)
        self.width = [conv(u.width) for u in circuit.units]
        self.s = [conv(u.s) if u.s is not None else None for u in circuit.units]
        # performance only (issue 12): a unit's state depends on I ∩ support alone. Units wholly
        # in I or wholly in J have a state that depends only on that side, the same in every
        # partition: memoised by (unit, side), side 1 (in I) or 0 (in J), small keys. States of
        # units cut by I are memoised for the current I only, by unit (hashing an N-bit
        # I ∩ support costs microseconds per look-up, and such states are rarely met again by
        # another partition), so memory stays proportional to the circuit.
        self.memo: dict[tuple[int, int], UnitState] = {}
        self._mixed: dict[int, UnitState] = {}
        self._mixed_n: dict[int, int] = {}  # |I ∩ support| of the cut units, current I only
        self._mixed_I: int | None = None
        self.support = [u.support for u in circuit.units]
        self._caps: dict[int, object] = {}
        self.popcount_support = [u.support.bit_count() for u in circuit.units]
        # product units whose children's supports are disjoint: |I ∩ support| is the sum of
        # the children's (performance only, issue 12)
        pop = self.popcount_support
        self._disjoint = [
            u.kind == "prod" and sum(pop[c] for c in u.children) == pop[u.id] for u in circuit.units
        ]
        self._n_used = circuit.used_mask.bit_count()
        self._routes: Routes | None | bool = False
        self._src_cache: dict[int, frozenset] = {}
        self._plans: dict[tuple[int, ...], list] = {}
        self._plan_inputs: dict[tuple[int, ...], tuple[int, ...]] = {}
        self._spans = None  # analyzer.spans.JointSpans, built on first use

    def routes(self) -> Routes | None:
        """The circuit's routing table for :func:`routed_lower` (built once)."""
        if self._routes is False:
            self._routes = routes(self.c, self.a)
        return self._routes

    def _cap(self, k: int):
        # performance only (issue 12): M^k cached, it is asked for with the same k very often
        v = self._caps.get(k)
        if v is None:
            v = self._caps[k] = self.M**k
        return v

    def state(self, uid: int, I: int) -> UnitState:
        sup = self.support[uid]
        x = I & sup
        if not x:
            memo, key, nI = self.memo, (uid, 0), 0
        elif x == sup:
            memo, key, nI = self.memo, (uid, 1), self.popcount_support[uid]
        else:
            if I is not self._mixed_I and I != self._mixed_I:  # a new partition
                self._mixed = {}
                self._mixed_n = {}
                self._mixed_I = I
            memo, key, nI = self._mixed, uid, -1
        st = memo.get(key)
        if st is not None:
            return st
        u = self.c.units[uid]
        a = self.a
        if u.kind == "prod" and not a.symbolic:
            # performance only (issue 12): the product rule below on Python integers, with
            # min and products written out (a.min and a.prod are min and a product there);
            # a child wholly in I or in J is looked up in the memo here, without a call, and
            # |I ∩ support| is the sum over the children when their supports are disjoint
            # (no popcount of an N-bit integer)
            r = self.width[uid]
            pi = pL = pR = 1
            support, pure, pop = self.support, self.memo, self.popcount_support
            n_sum = 0
            for c in u.children:
                cs = support[c]
                cx = I & cs
                if not cx:
                    cst = pure.get((c, 0))
                elif cx == cs:
                    cst = pure.get((c, 1))
                    n_sum += pop[c]
                else:
                    cst = self.state(c, I)
                    n_sum += self._mixed_n[c]
                if cst is None:
                    cst = self.state(c, I)
                pL *= cst[0]
                pR *= cst[1]
                pi *= cst[3]
            if nI < 0:
                nI = n_sum if self._disjoint[uid] else x.bit_count()
                self._mixed_n[uid] = nI
            capI, capJ = self._cap(nI), self._cap(pop[uid] - nI)
            L = min(capI, pL, r * pi)
            R = min(capJ, pR, r * pi)
            pi = min(pi, L, R)
            L, R = min(L, r * pi), min(R, r * pi)
            st = UnitState(L, R, pi, min(L, R, r * pi))
            memo[key] = st
            return st
        if nI < 0:
            nI = self._mixed_n[uid] = x.bit_count()
        nJ = self.popcount_support[uid] - nI
        capI, capJ = self._cap(nI), self._cap(nJ)
        one = a.lift(1)
        if u.kind == "input":
            st = UnitState(self.M, one, one, one) if nI else UnitState(one, self.M, one, one)
        elif u.kind == "prod":
            r = self.width[uid]
            ch = [self.state(c, I) for c in u.children]
            pi = a.prod(x.rho for x in ch)
            L = a.min(capI, a.prod(x.L for x in ch), r * pi)
            R = a.min(capJ, a.prod(x.R for x in ch), r * pi)
            pi = a.min(pi, L, R)  # one channel's rank is at most L and R
            L, R = a.min(L, r * pi), a.min(R, r * pi)  # r channels of rank <= pi
            rho = a.min(L, R, r * pi)
            st = UnitState(L, R, pi, rho)
        elif u.kind == "exchange":
            r, s = self.width[uid], self.s[uid]
            A = self.state(u.children[0], I)  # contributes channels [0, s)
            B = self.state(u.children[1], I)  # contributes channels [s, r)
            n, m = s, r - s
            L = a.min(capI, _part(a, A.L, n, A.pi) + _part(a, B.L, m, B.pi))
            R = a.min(capJ, _part(a, A.R, n, A.pi) + _part(a, B.R, m, B.pi))
            gL, gR = self._shared_span(u.children, I)
            L, R = a.min(L, gL), a.min(R, gR)
            L, R = self._joint(u.children, I, L, R)
            rho = a.min(L, R, _part(a, A.rho, n, A.pi) + _part(a, B.rho, m, B.pi))
            pi = a.min(a.max(A.pi, B.pi), L, R)
            st = UnitState(L, R, pi, rho)
        elif u.kind == "sum":
            r = self.width[uid]
            ch = [self.state(c, I) for c in u.children]
            sum_pi = a.sum(x.pi for x in ch)
            L = a.min(capI, a.sum(x.L for x in ch), r * sum_pi)
            R = a.min(capJ, a.sum(x.R for x in ch), r * sum_pi)
            gL, gR = self._shared_span(u.children, I)
            L, R = a.min(L, gL), a.min(R, gR)
            L, R = self._joint(u.children, I, L, R)
            pi = a.min(sum_pi, L, R)  # one channel's rank is at most L and R
            L, R = a.min(L, r * pi), a.min(R, r * pi)  # r channels of rank <= pi
            rho = a.min(L, R, a.sum(x.rho for x in ch))
            st = UnitState(L, R, pi, rho)
        else:  # pragma: no cover - construction guarantees the kinds
            raise ValueError(f"unknown unit kind {u.kind!r}")
        memo[key] = st
        return st

    def _joint(self, units, I: int, L, R):
        """(L, R) lowered to the joint span of ``units`` (docs/theory.md sec. 4.3; integers)."""
        if self.a.symbolic:
            return L, R  # integer widths only (docs/theory.md sec. 4.3)
        if self._spans is None:
            from .spans import JointSpans

            self._spans = JointSpans(self)
        if not self._spans.shares_past(units):
            return L, R  # disjoint pasts: nothing to gain (speed only)
        gL, gR = self._spans.joint_span(units, I)
        return min(L, gL), min(R, gR)

    def _sources_of(self, v: int) -> frozenset:
        """The product and input units whose channels span unit ``v``'s (joins add or copy)."""
        hit = self._src_cache.get(v)
        if hit is None:
            u = self.c.units[v]
            if u.kind in ("input", "prod"):
                hit = frozenset((v,))
            else:
                hit = frozenset().union(*(self._sources_of(c) for c in u.children))
            self._src_cache[v] = hit
        return hit

    def _shared_span(self, units, I: int):
        """Dimensions of the joint I- and J-column spaces of ``units`` (one support).

        Their channels lie in the span of their source units' channels. A product unit's
        channel is a product over taps of a combination of the read unit's channels, whose
        column space lies in the sum of the column spaces of that unit's sources: so product
        units whose taps read units with the same sources share one space, of dimension at most
        prod_j min(cap_j, sum of L over the sources of tap j). Inputs count with their own L.
        docs/theory.md sec. 4.1 (shared reads); R alike.
        """
        a = self.a
        plan = self._plans.get(units)
        if plan is None:
            plan = self._plan(units)
            self._plans[units] = plan
        gL, gR = [], []
        for taps in plan:
            if taps is None:
                continue
            dL, dR = [], []
            for srcs, rd, sup in taps:
                nI = (I & sup).bit_count()
                nJ = sup.bit_count() - nI
                s_st = [self.state(y, I) for y in srcs]
                r_st = [self.state(y, I) for y in rd]
                if a.symbolic:
                    dL.append(
                        a.min(self._cap(nI), a.sum(x.L for x in s_st), a.sum(x.L for x in r_st))
                    )
                    dR.append(
                        a.min(self._cap(nJ), a.sum(x.R for x in s_st), a.sum(x.R for x in r_st))
                    )
                else:
                    dL.append(min(self.M**nI, sum(x.L for x in s_st), sum(x.L for x in r_st)))
                    dR.append(min(self.M**nJ, sum(x.R for x in s_st), sum(x.R for x in r_st)))
            gL.append(a.prod(dL))
            gR.append(a.prod(dR))
        for x in self._plan_inputs.get(units, ()):
            st = self.state(x, I)
            gL.append(st.L)
            gR.append(st.R)
        return a.sum(gL), a.sum(gR)

    def _plan(self, units: tuple[int, ...]) -> list:
        """Partition-independent part of :meth:`_shared_span`: the groups and their taps."""
        groups: dict = {}  # sources per tap -> per tap, the units read by the group's members
        inputs: list[int] = []
        for v in units:
            for x in sorted(self._sources_of(v)):
                ux = self.c.units[x]
                if ux.kind == "prod":
                    key = tuple(self._sources_of(c) for c in ux.children)
                    reads = groups.setdefault(key, [set() for _ in key])
                    for j, c in enumerate(ux.children):
                        reads[j].add(c)
                elif x not in inputs:
                    inputs.append(x)
        self._plan_inputs[units] = tuple(inputs)
        plan = []
        for key, reads in groups.items():
            taps = []
            for srcs, rd in zip(key, reads, strict=True):
                # the tap's space lives on the union of its sources' supports: with a join of
                # unequal supports (allow_overlap) they differ, and one source's support would
                # under-state the cap M^|I ∩ S| (found by the oracle tests)
                sup = 0
                for y in (*srcs, *rd):
                    sup |= self.c.units[y].support
                taps.append((tuple(sorted(srcs)), tuple(sorted(rd)), sup))
            plan.append(tuple(taps))
        return plan

    def output_bound(self, I: int):
        """Upper bound on rank [A]_I of the network output (sum of branch outputs)."""
        a = self.a
        used = self.c.used_mask
        nI = (I & used).bit_count()
        nJ = self._n_used - nI
        # read-out: any linear combination (rho); else one channel (pi)
        rd = self.c.arch.readout
        states = (self.state(o, I) for o in self.c.outputs)
        total = a.sum((st.rho if rd else st.pi) for st in states)
        outs = self.c.outputs
        if len(outs) > 1 and len({self.c.units[o].support for o in outs}) == 1:
            # the summed outputs lie in the branches' joint column space (and row space)
            gL, gR = self._shared_span(outs, I)
            total = a.min(total, gL, gR)
            gL, gR = self._joint(outs, I, gL, gR)
            total = a.min(total, gL, gR)
        return a.min(self._cap(nI), self._cap(nJ), total)


def _part(a: Arith, dim, count, pi):
    """Contribution of ``count`` channels of a unit: min(dim, count * pi); 0 if count == 0."""
    if not a.symbolic and count == 0:
        return 0
    return a.min(dim, count * pi)


# --------------------------------------------------------------------------- Theorem 7
@dataclass(frozen=True)
class Theorem7Info:
    """Where Theorem 7 applies: binary tree branches of depth >= 2, no connections.

    ``widths``: the uniform width r of layers 1..L-1 of each branch, or None where they differ
    (then Theorem 7 gives no upper bound). ``lower_widths``: the least width of layers 1..L-1
    of each branch (defaults to ``widths``); the lower bound is taken at that width, since
    zeroing the extra channels is a special choice of weights.
    """

    trees: tuple[ModeTree, ...]
    widths: tuple[sympy.Expr | None, ...]
    lower_widths: tuple[sympy.Expr, ...] = ()


def theorem7(info: Theorem7Info, M, I: int, arith: Arith):
    """Theorem 7 bounds for a single tree, or a sum of unconnected trees: (upper, lower).

    Upper: sum over branches of r^min(|Θ(I;T)|, |Θ(J;T)|) (Theorem 7 + subadditivity); None
    unless every branch has a uniform width.
    Lower: max over branches of min(M, r_min)^pairs(I;T), r_min the branch's least width of
    layers 1..L-1 (Theorem 7 at width min(M, r_min); a narrower width or zeroing the other
    branches is a special choice of weights, so the generic rank is at least it).
    """
    a = arith
    lower_widths = info.lower_widths or info.widths
    ups, lows = [], []
    for t, r, rlow in zip(info.trees, info.widths, lower_widths, strict=True):
        tI, tJ, pairs = t.theorem7_counts(I & t.root)  # tiling_counts and sibling_pairs
        if r is not None:
            ups.append(a.pow(a.lift(r), min(tI, tJ)))
        lows.append(a.pow(a.min(a.lift(M), a.lift(rlow)), pairs))
    upper = a.sum(ups) if len(ups) == len(info.trees) else None
    return upper, a.max(*lows) if len(lows) > 1 else lows[0]


def claim5_lower(hs: HybridStructure, width, M, I: int, arith: Arith):
    """max over hybrid trees H of min(M, w)^pairs(I;H), w the hybrid width (Claim 5 + Theorem 7)."""
    pairs, choice = hs.best_pairs(I)
    a = arith
    return a.pow(a.min(a.lift(M), a.lift(width)), pairs), pairs, choice


# --------------------------------------------------------------------------- routed trees
# The lower bound of docs/theory.md sec. 6 ("routed trees"): Theorem 7's sibling construction on
# any tree that the circuit can carry, one product unit per node, with a width per edge. It
# covers single trees (any kernel, any widths: Theorem 7 at per-node widths), sums of trees,
# and mixed networks (Claim 5 with per-edge widths: r - s where a hybrid tree stays in a branch
# at an exchange, s where it crosses, r through a sum), with any number of branches and joins.


@dataclass(frozen=True)
class Routes:
    """Where each product unit's taps can take a signal from, and through how many channels.

    ``taps[u]``: per tap of product unit ``u``, the pairs ``(source, width)``: ``source`` is a
    product or input unit of the tap's support; ``width`` is the rank of the linear map from the
    source's channels to the channels the tap reads when every other source of that support is
    zero (exchanges and sums pass channels unchanged or add them). ``roots``: the branches'
    output units. ``readout``: the output is a linear combination of a root's channels.
    """

    taps: dict[int, tuple[tuple[tuple[int, object], ...], ...]]
    roots: tuple[int, ...]
    readout: bool
    support: tuple[int, ...]
    width: tuple[object, ...]
    M: object
    # product units whose taps all read input units (layer-1 units): see _leaf_pairs
    leafy: frozenset = frozenset()
    # unit read by a tap -> rank of the routing from all its sources at once
    joint: dict = field(default_factory=dict)
    reads: dict = field(default_factory=dict)  # product unit -> the unit each tap reads
    # read unit -> per channel the atom it copies (analyzer.pairsources; integer widths only)
    copies: dict = field(default_factory=dict)
    # sources of a tap -> their partition-independent shape for pair_sources (filled lazily)
    pair_plans: dict = field(default_factory=dict, compare=False, repr=False)
    # integer fast path (see _int_info): (unit, side) -> (side, inner, factor, g0) for units
    # wholly in I (side 1) or in J (side 0); ``mixed``: unit -> the same for the units cut by
    # the current I only (kept under key -1), cleared at the next partition
    memo: dict = field(default_factory=dict, compare=False, repr=False)
    mixed: dict = field(default_factory=dict, compare=False, repr=False)


MAX_ROUTE_WIDTH = 1024  # widest unit for which routes() builds its integer route matrices


def routes(circuit: Circuit, arith: Arith) -> Routes | None:
    """The routing table of a circuit; None where the routed-tree bound does not apply.

    It applies to product pooling, branches without overlapping offsets and connections joining
    units of equal supports (mixture nodes), with integer widths up to ``MAX_ROUTE_WIDTH`` (a
    cost limit; docs/limits.md). With symbolic widths, a tap that reads through two
    or more joins in a row gets no source (width 0, a weaker but valid choice).
    """
    arch = circuit.arch
    if (
        arch.pooling != "product"
        or any(k == "overlapping" for k in circuit.kinds)
        or not circuit.valid_connections
    ):
        return None
    units = circuit.units
    conv = (lambda e: sympy.sympify(e)) if arith.symbolic else (lambda e: int(e))
    width = tuple(conv(u.width) for u in units)
    if not arith.symbolic and max(width) > MAX_ROUTE_WIDTH:
        # a cost limit: the route matrices are width x width integer lists (widths may be
        # 10^11); without the table the routed-tree lower bound is not offered, which is valid
        return None
    cache: dict[int, dict[int, object]] = {}
    # performance only (issue 12): the route matrices of a read unit depend only on its join
    # chain's *shape* (kinds, widths, exchange splits, and which leaves are the same source),
    # so units of equal shape get the same ranks up to renaming the sources: computed once
    by_shape: dict[tuple, tuple[dict[int, object], object]] = {}

    def shaped(v: int) -> tuple[dict[int, object], object, list[int]]:
        labels: dict[int, int] = {}
        shape = _shape(units, v, width, labels)
        hit = by_shape.get(shape)
        if hit is None:
            srcs = _sources(circuit, v, width, arith)
            hit = ({labels[x]: w for x, w in srcs.items()}, _joint_rank(circuit, v, width, arith))
            by_shape[shape] = hit
        return hit[0], hit[1], list(labels)

    def sources(v: int) -> dict[int, object]:
        hit = cache.get(v)
        if hit is None:
            if arith.symbolic or units[v].kind in ("input", "prod"):
                hit = _sources(circuit, v, width, arith)
            else:
                by_label, _, leaves = shaped(v)
                # the same keys in the same order as _sources (the order of its matrices)
                hit = {}
                for x in _source_order(units, v):
                    w = by_label.get(leaves.index(x))
                    if w is not None:
                        hit[x] = w
            cache[v] = hit
        return hit

    def joint_rank(v: int):
        if arith.symbolic or units[v].kind in ("input", "prod"):
            return _joint_rank(circuit, v, width, arith)
        return shaped(v)[1]

    taps = {}
    joint: dict[int, object] = {}  # read unit -> rank of its routing from all sources at once
    for u in units:
        if u.kind == "prod":
            taps[u.id] = tuple(tuple(sources(c).items()) for c in u.children)
            for c in u.children:
                if c not in joint:
                    joint[c] = joint_rank(c)
    leafy = frozenset(
        u.id
        for u in units
        if u.kind == "prod" and all(units[c].kind == "input" for c in u.children)
    )
    return Routes(
        taps,
        tuple(circuit.outputs),
        bool(arch.readout),
        tuple(u.support for u in units),
        width,
        conv(arch.input_channels),
        leafy,
        joint,
        {u.id: u.children for u in units if u.kind == "prod"},
        {} if arith.symbolic else copy_maps(circuit, width),
    )


def _shape(units, v: int, width, labels: dict[int, int]) -> tuple:
    """The join chain above read unit ``v`` with its sources numbered by first occurrence.

    Everything :func:`_route_matrices` uses: kinds, widths, exchange splits and which leaves
    are the same source. Two units of equal shape have the same route matrices, the sources
    renamed by their labels (``labels``: source unit -> label, filled in here).
    """
    u = units[v]
    if u.kind in ("input", "prod"):
        lab = labels.get(v)
        if lab is None:
            lab = labels[v] = len(labels)
        return (lab, width[v])
    s = int(u.s) if u.kind == "exchange" else None
    return (u.kind, width[v], s, tuple(_shape(units, c, width, labels) for c in u.children))


def _source_order(units, v: int) -> list[int]:
    """The sources of ``v`` in the order of :func:`_route_matrices`' keys."""
    u = units[v]
    if u.kind in ("input", "prod"):
        return [v]
    return list(set().union(*(_source_order(units, c) for c in u.children)))


def _joint_rank(circuit: Circuit, v: int, width, arith: Arith):
    """Rank of the map from all sources' channels together to the channels of unit ``v``."""
    u = circuit.units[v]
    if u.kind in ("input", "prod"):
        return width[v]
    if arith.symbolic:
        kids = [circuit.units[c] for c in u.children]
        return width[v] if all(k.kind in ("input", "prod") for k in kids) else 0
    mats = _route_matrices(circuit, v, width)
    R = [sum(row, []) for row in zip(*(mats[x] for x in sorted(mats)), strict=True)]
    return _rank(R)


def _rank(R: list[list[int]]) -> int:
    """Exact rank of an integer matrix (a list of rows); 0 for an empty one."""
    return int(flint.fmpz_mat(R).rank()) if R and R[0] else 0


def _leaf_pairs(rt: Routes, tap, I: int, a: Arith, read: int | None = None):
    """Several layer-1 sources read together (docs/theory.md sec. 6.3, joint leaf pairs).

    When a mixed tap reads two or more sources that are all layer-1 units (every tap an input),
    the parent's linear form adds up to ``w_x`` rank-one products from each source ``x``, and
    per-node first-layer weights can make all their I-factors (and all their J-factors)
    distinct product basis vectors: rank ``min(sum_x min(w_x, r_x), M^|S∩I|, M^|S∩J|)``.
    On a pure tap (reading unit ``read``) the same choice gives ``min(sum_x min(w_x, r_x),
    j, M^|S|)`` independent channels (the tap's *out*), ``j`` the rank of the routing from all
    sources at once into ``read``'s channels. None when the rule does not apply.
    """
    if len(tap) < 2 or any(x not in rt.leafy for x, _ in tap):
        return None
    sup = rt.support[tap[0][0]]
    nI = (sup & I).bit_count()
    nJ = sup.bit_count() - nI
    total = a.sum(a.min(w, rt.width[x]) for x, w in tap)
    if nI == 0 or nJ == 0:
        # a pure tap: the parent sees the read unit's channels, the image of all the sources'
        # channels together, independent vectors of a space of dimension M^|S|
        if read is None:
            return None
        return a.min(total, rt.joint.get(read, 0), rt.M ** (nI + nJ))
    return a.min(total, rt.M**nI, rt.M**nJ)


def _sources(circuit: Circuit, v: int, width, arith: Arith) -> dict[int, object]:
    """{source unit: routed width} for the unit ``v`` a tap reads."""
    u = circuit.units[v]
    if u.kind in ("input", "prod"):
        return {v: width[v]}
    if arith.symbolic:
        kids = [circuit.units[c] for c in u.children]
        if any(k.kind not in ("input", "prod") for k in kids):
            return {}  # a chain of joins: no closed form here (valid: width 0)
        r = width[v]
        if u.kind == "sum":
            return {c: r for c in u.children}
        other, own = u.children
        if other == own:
            return {own: r}
        s = sympy.sympify(u.s)
        return {other: s, own: r - s}
    mats = _route_matrices(circuit, v, width)
    out = {}
    for x, R in mats.items():
        rk = _rank(R)
        if rk:
            out[x] = rk
    return out


def _route_matrices(circuit: Circuit, v: int, width) -> dict[int, list[list[int]]]:
    """{source: integer matrix (width of v) x (width of source)}: v's channels from the source's.

    Matrices are lists of rows of Python integers (exact; no NumPy needed by the analyzer)."""
    u = circuit.units[v]
    if u.kind in ("input", "prod"):
        n = width[v]
        return {v: [[int(i == j) for j in range(n)] for i in range(n)]}
    parts = [_route_matrices(circuit, c, width) for c in u.children]
    r = width[v]
    out: dict[int, list[list[int]]] = {}
    for x in set().union(*parts):
        R = [[0] * width[x] for _ in range(r)]
        if u.kind == "sum":
            for p in parts:
                if x in p:
                    _add_rows(R, p[x], 0, r)
        else:  # exchange: channels [0, s) from children[0], [s, r) from children[1]
            s = int(u.s)
            if x in parts[0]:
                _add_rows(R, parts[0][x], 0, s)
            if x in parts[1]:
                _add_rows(R, parts[1][x], s, r)
        out[x] = R
    return out


def _add_rows(R: list[list[int]], P: list[list[int]], lo: int, hi: int) -> None:
    """R[lo:hi] += P[lo:hi] (rows of equal length), in place."""
    for i in range(lo, hi):
        R[i] = [a + b for a, b in zip(R[i], P[i], strict=True)]


def routed_lower(rt: Routes, I: int, arith: Arith):
    """max over routed trees of the product of the pair-node ranks (docs/theory.md sec. 6).

    A *pair node* is a product unit with a tap fully in I and a tap fully in J. Its factor is
    ``min(r_u, w_up, prod of the I taps' outs, prod of the J taps' outs)``, where ``w_up`` is
    the width of the edge to its parent (1 at a root without read-out, the root width with
    one), and the *out* of a pure tap is the number of independent channels it can deliver:
    ``min(w, inner(source))`` with ``inner(input) = M`` and ``inner(u) = min(r_u, prod of its
    taps' outs)``. Each tap picks its source independently; the maximum is exact.
    Returns at least 1 (a generic network's output is not zero).
    """
    if not arith.symbolic:
        return _routed_lower_int(rt, I)
    a = arith
    one, zero = a.lift(1), a.lift(0)
    J_all = ~I
    inner_memo: dict[int, object] = {}
    val_memo: dict[tuple[int, object], object] = {}

    def side(u: int) -> int:  # 1: pure I, 2: pure J, 0: mixed
        sup = rt.support[u]
        if sup & J_all == 0:
            return 1
        if sup & I == 0:
            return 2
        return 0

    def nonzero(w) -> bool:
        return (w != 0) if not a.symbolic else not sympy.sympify(w).is_zero

    def inner(u: int):
        hit = inner_memo.get(u)
        if hit is None:
            if u not in rt.taps:
                hit = rt.M
            else:
                pairs = zip(rt.taps[u], rt.reads[u], strict=True)
                hit = a.min(rt.width[u], a.prod(out(t, rd) for t, rd in pairs))
            inner_memo[u] = hit
        return hit

    def out(tap, read):
        cands = [a.min(w, inner(x)) for x, w in tap if nonzero(w)]
        joint = _leaf_pairs(rt, tap, I, a, read)
        if joint is not None:
            cands.append(joint)
        if not cands:
            return zero
        return a.max(*cands) if len(cands) > 1 else cands[0]

    def best_mixed(tap):
        cands = []
        for x, w in tap:
            if not nonzero(w):
                continue
            v = val(x, w)
            if a.symbolic:
                v = v * a.min(one, w)  # an edge of width 0 carries nothing
            cands.append(v)
        joint = _leaf_pairs(rt, tap, I, a)
        if joint is not None:
            cands.append(joint)
        if not cands:
            return zero
        return a.max(*cands) if len(cands) > 1 else cands[0]

    def val(u: int, w_up):
        key = (u, w_up)
        hit = val_memo.get(key)
        if hit is not None:
            return hit
        taps = rt.taps[u]
        outs_I, outs_J, mixed = [], [], []
        for t, rd in zip(taps, rt.reads[u], strict=True):
            sd = side(t[0][0]) if t else 0
            if not t:
                val_memo[key] = zero
                return zero
            (outs_I if sd == 1 else outs_J if sd == 2 else mixed).append((t, rd))
        factor = a.prod(best_mixed(t) for t, _ in mixed)
        pure = [out(t, rd) for t, rd in outs_I + outs_J]
        if outs_I and outs_J:
            g = a.min(
                rt.width[u],
                w_up,
                a.prod(out(t, rd) for t, rd in outs_I),
                a.prod(out(t, rd) for t, rd in outs_J),
            )
            hit = factor * g
        else:
            hit = factor * a.prod(a.min(one, p) for p in pure)
        val_memo[key] = hit
        return hit

    cands = []
    for o in rt.roots:
        if side(o) != 0:
            continue
        w_up = rt.width[o] if rt.readout else one
        cands.append(val(o, w_up))
    best = a.max(one, *cands) if cands else one
    return best


def _int_info(rt: Routes, u: int, I: int) -> tuple:
    """(side, inner, factor, g0) of unit ``u`` on integers, a function of (u, I ∩ support).

    side: 1 pure I, 2 pure J, 0 mixed. Pure units: ``inner``. Mixed units: the value towards a
    parent edge of width w is ``factor * min(g0, w)`` for a pair node, ``factor`` when ``g0`` is
    None (the same quantities as :func:`routed_lower`'s symbolic path).
    """
    sup = rt.support[u]
    Ii = I & sup
    # performance only (issue 12): as Propagator.state, small keys (no N-bit hashing)
    if not Ii:
        memo, key, side = rt.memo, (u, 0), 2
    elif Ii == sup:
        memo, key, side = rt.memo, (u, 1), 1
    else:
        memo, key, side = rt.mixed, u, 0
        cur = memo.get(-1)
        if cur is not I and cur != I:  # a new partition
            memo.clear()
            memo[-1] = I
    hit = memo.get(key)
    if hit is not None:
        return hit
    taps = rt.taps.get(u)
    if taps is None:  # an input
        res = (side, rt.M, 0, None)
    elif side:
        p = 1
        for tap, rd in zip(taps, rt.reads[u], strict=True):
            p *= _int_out(rt, tap, I, rd)
        res = (side, min(rt.width[u], p), 0, None)
    else:
        factor, pI, pJ, hasI, hasJ = 1, 1, 1, False, False
        for tap, rd in zip(taps, rt.reads[u], strict=True):
            if not tap:
                factor = 0
                continue
            tsup = rt.support[tap[0][0]]
            tI = I & tsup
            if tI and tI != tsup:  # a mixed tap: the best source
                best = 0
                for x, w in tap:
                    _, _, f, g0 = _int_info(rt, x, I)
                    v = f * (min(g0, w) if g0 is not None else 1)
                    best = max(best, v)
                joint = _leaf_pairs(rt, tap, I, INT) if len(tap) > 1 else None
                if joint is not None:
                    best = max(best, joint)
                # several pair-node sources at once (docs/theory.md sec. 6.6)
                joint = pair_sources(rt, [(x, min(w, rt.width[x])) for x, w in tap], I)
                if joint is not None:
                    best = max(best, joint)
                factor *= best
            else:
                o = None
                if len(tap) == 1:
                    # performance only (issue 12): one source, of the tap's own support, wholly
                    # on the tap's side: its memoised state without a call (_int_out's value)
                    x, w = tap[0]
                    hit = rt.memo.get((x, 1 if tI else 0))
                    if hit is not None:
                        o = min(w, hit[1])
                if o is None:
                    o = _int_out(rt, tap, I, rd)
                if tI:
                    pI, hasI = pI * o, True
                else:
                    pJ, hasJ = pJ * o, True
        if hasI and hasJ:
            res = (0, 0, factor, min(rt.width[u], pI, pJ))
        else:
            res = (0, 0, factor * min(1, pI * pJ), None)
    memo[key] = res
    return res


def _int_out(rt: Routes, tap, I: int, read: int) -> int:
    """Independent channels a pure tap can deliver (the symbolic path's ``out``)."""
    if len(tap) == 1:  # performance only (issue 12): no generator, no joint leaf pairs
        x, w = tap[0]
        return min(w, _int_info(rt, x, I)[1])
    o = max((min(w, _int_info(rt, x, I)[1]) for x, w in tap), default=0)
    joint = _leaf_pairs(rt, tap, I, INT, read)
    return o if joint is None else max(o, joint)


def _routed_lower_int(rt: Routes, I: int) -> int:
    best = 1
    for o in rt.roots:
        side, _, f, g0 = _int_info(rt, o, I)
        if side:
            continue
        w_up = rt.width[o] if rt.readout else 1
        best = max(best, f * (min(g0, w_up) if g0 is not None else 1))
    if len({rt.support[o] for o in rt.roots}) == 1:  # the outputs are added (sec. 6.6)
        n = [(o, rt.width[o] if rt.readout else 1) for o in dict.fromkeys(rt.roots)]
        joint = pair_sources(rt, n, I)
        if joint is not None:
            best = max(best, joint)
    return best
