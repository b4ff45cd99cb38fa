"""Fast exact arithmetic for one-symbol bounds: posynomials ``sum_k c_k r^k`` (c_k > 0) and
mins of them.

With a single width symbol ``r`` (the paper's setting: M = r, widths r, exchanges r/2) every
quantity of the propagation bound, Theorem 7 and Claim 5 is built from posynomials in ``r``
by ``+``, ``*``, powers, ``min`` and ``max``. Doing that arithmetic on sympy objects costs tens
of microseconds per operation (and ~70 ms per comparison of nested ``Min``s); :class:`PosyArith`
does it on small immutable classes instead and produces the *same bounds* (exact values, no
loosening; the rules and their proofs: docs/analyze.md, "One symbol"):

* ``a <= b`` for all admissible ``r >= r_min`` is decided by sufficient conditions on
  ``f = b - a``: suffix sums at ``r_min`` (Abel summation), then the Taylor shift
  ``f(r_min + t)`` with nonnegative coefficients. For monomials the test is exact:
  ``c1 r^a <= c2 r^b`` iff ``a <= b`` and ``c1 <= c2 r_min^(b-a)``.
* An undecided ``min`` is a :class:`PMin`: a min of posynomials, closed under ``+``, ``*`` and
  powers by distributing (identities for values >= 0), keeping only arguments not proved
  ``>=`` another one (and, among monomials, not above the lower envelope of the others).
  ``min A <= min B`` is proved when every b in B has some a in A with ``a <= b``.
* An undecided ``max``, a difference or a min of more than ``PMIN_MAX_ITEMS`` arguments goes to
  the general sympy arithmetic (:class:`analyzer.bounds.Arith`), which keeps undecided
  comparisons as ``Min``/``Max``: never a guess. Results are therefore never looser than the
  sympy path's and never wrong.

Pure: no I/O.
"""

from __future__ import annotations

from fractions import Fraction

import sympy

from .bounds import Arith
from .spec import width_expressions

__all__ = ["Posy", "PosyArith", "posy_arith_for"]


class _Value:
    """Operations :class:`Posy` and :class:`PMin` share: division by a positive number stays a
    value of this arithmetic; any other division, and a number minus a value, go to sympy."""

    __slots__ = ()

    def __truediv__(self, other):
        if isinstance(other, (int, Fraction)) and other > 0:
            return self * (Fraction(1) / other)
        return self._sympy_() / sympy.sympify(other)

    def __rtruediv__(self, other):
        return sympy.sympify(other) / self._sympy_()

    def __rsub__(self, other):
        return sympy.sympify(other) - self._sympy_()


class Posy(_Value):
    """``sum_k c_k r^k`` with rational c_k >= 0 (``terms``: sorted (k, c) pairs, k >= 0)."""

    __slots__ = ("terms", "ctx", "_hash")

    def __init__(self, terms, ctx: PosyArith):
        self.terms = terms
        self.ctx = ctx
        self._hash = None

    # -- construction (coefficients are ints where possible: Fractions are slow)
    @staticmethod
    def _norm(d: dict) -> tuple:
        return tuple(sorted((k, _c(c)) for k, c in d.items() if c != 0))

    # -- arithmetic (with Posy, ints, Fractions; anything else goes to sympy)
    def _coerce(self, other):
        if isinstance(other, Posy):
            return other
        if isinstance(other, PMin):
            return None
        if isinstance(other, (int, Fraction)):
            return Posy(((0, _c(other)),) if other else (), self.ctx)
        return self.ctx.from_sympy(other)

    def __add__(self, other):
        if isinstance(other, PMin):
            return other + self
        o = self._coerce(other)
        if o is None:
            return self._sympy_() + other
        d = dict(self.terms)
        for k, c in o.terms:
            d[k] = d.get(k, 0) + c
        return Posy(self._norm(d), self.ctx)

    __radd__ = __add__

    def __mul__(self, other):
        if isinstance(other, PMin):
            return other * self
        o = self._coerce(other)
        if o is None:
            return self._sympy_() * other
        if len(self.terms) == 1 and len(o.terms) == 1:
            (a, c), (b, e) = self.terms[0], o.terms[0]
            return Posy(((a + b, _c(c * e)),), self.ctx)
        d: dict = {}
        for a, c in self.terms:
            for b, e in o.terms:
                d[a + b] = d.get(a + b, 0) + c * e
        return Posy(self._norm(d), self.ctx)

    __rmul__ = __mul__

    def __sub__(self, other):
        o = self._coerce(other)
        if o is not None:
            d = dict(self.terms)
            for k, c in o.terms:
                d[k] = d.get(k, 0) - c
            if all(c >= 0 for c in d.values()):
                return Posy(self._norm(d), self.ctx)
        return self._sympy_() - sympy.sympify(other)

    def __pow__(self, e):
        if not isinstance(e, int) or e < 0:
            return self._sympy_() ** e
        if len(self.terms) == 1:
            k, c = self.terms[0]
            return Posy(((k * e, _c(c**e)),), self.ctx)
        out = Posy(((0, 1),), self.ctx)
        base = self
        while e:
            if e & 1:
                out = out * base
            base = base * base
            e >>= 1
        return out

    def __eq__(self, other):
        if isinstance(other, Posy):
            return self.terms == other.terms
        o = self._coerce(other) if isinstance(other, (int, Fraction)) else None
        return o is not None and o.terms == self.terms

    def __hash__(self):
        if self._hash is None:
            self._hash = hash(self.terms)
        return self._hash

    def _sympy_(self):
        r = self.ctx.sym
        return sympy.Add(*[sympy.Rational(c) * r**k for k, c in self.terms])

    def __repr__(self):
        return f"Posy({sympy.sstr(self._sympy_())})"


def _c(c):
    """A coefficient as an int when it is one (int arithmetic is much faster than Fraction)."""
    if type(c) is Fraction and c.denominator == 1:
        return c.numerator
    return c


class PMin(_Value):
    """``min(p_1, ..., p_n)`` of posynomials, n >= 2, none proved <= another (an antichain).

    Closed under ``+``, ``*``, ``**`` (nonnegative int) and ``min``: with every value >= 0,
    ``min(a, b) + c = min(a + c, b + c)``, ``min(a, b) * c = min(a c, b c)`` and
    ``min(a, b)^k = min(a^k, b^k)`` are identities, so distributing changes no value; pruning
    drops only arguments proved to be >= another one. ``items``: sorted by their terms
    (a canonical order). Built by :meth:`PosyArith.min_of`; anything else goes to sympy.
    """

    __slots__ = ("items", "ctx", "_hash")

    def __init__(self, items: tuple[Posy, ...], ctx: PosyArith):
        self.items = items
        self.ctx = ctx
        self._hash = None

    def _others(self, other):
        """The posynomials of ``other`` (a Posy, PMin, int or Fraction), None otherwise."""
        if isinstance(other, PMin):
            return other.items
        if isinstance(other, Posy):
            return (other,)
        if isinstance(other, (int, Fraction)) and other >= 0:
            return (self.ctx.lift(other) if isinstance(other, int) else self.ctx.lift_q(other),)
        return None

    def __add__(self, other):
        ys = self._others(other)
        if ys is None:
            return self._sympy_() + sympy.sympify(other)
        return self.ctx.min_of([x + y for x in self.items for y in ys], self, other, "+")

    __radd__ = __add__

    def __mul__(self, other):
        ys = self._others(other)
        if ys is None:
            return self._sympy_() * sympy.sympify(other)
        return self.ctx.min_of([x * y for x in self.items for y in ys], self, other, "*")

    __rmul__ = __mul__

    def __pow__(self, e):
        if not isinstance(e, int) or e < 0:
            return self._sympy_() ** e
        if e == 0:
            return self.ctx.lift(1)
        return self.ctx.min_of([x**e for x in self.items])

    def __sub__(self, other):
        return self._sympy_() - sympy.sympify(other)

    def __eq__(self, other):
        return isinstance(other, PMin) and self.items == other.items

    def __hash__(self):
        if self._hash is None:
            self._hash = hash(("min", self.items))
        return self._hash

    def _sympy_(self):
        return sympy.Min(*[x._sympy_() for x in self.items], evaluate=False)

    def __repr__(self):
        return f"PMin({sympy.sstr(self._sympy_())})"


# A min of more posynomials than this is not distributed further: the operation is done on
# sympy expressions instead (the same value, kept unexpanded; slower, never looser). It bounds
# the work of one operation: a product of two mins has at most PMIN_MAX_ITEMS^2 candidates.
PMIN_MAX_ITEMS = 64


class PosyArith(Arith):
    """:class:`Arith` on :class:`Posy` values and mins of them (:class:`PMin`), falling back
    to sympy for anything else (a ``Max`` that stays undecided, a difference)."""

    def __init__(self, sym: sympy.Symbol, minimum: int, minima: dict):
        super().__init__(True, minima)
        self.sym = sym
        self.rmin = max(1, int(minimum))
        self._pow_cache: dict[int, int] = {}
        self._ints: dict[int, Posy] = {}
        # performance only: sympy expressions lifted before (the routing tables hand the same
        # few widths to min and max hundreds of thousands of times; sympy.Poly costs ~0.2 ms)
        self._lifted: dict = {}
        self._le_cache: dict = {}

    def with_minima(self, minima: dict) -> Arith:  # the general path keeps its own minima
        return Arith(True, minima)

    def _rpow(self, k: int) -> int:
        v = self._pow_cache.get(k)
        if v is None:
            v = self._pow_cache[k] = self.rmin**k
        return v

    def from_sympy(self, x) -> Posy | None:
        """The posynomial of a sympy expression (or number), None when it is not one."""
        x = sympy.sympify(x)
        if x.is_Number:
            if not x.is_Rational or x < 0:
                return None
            return Posy(((0, _c(Fraction(int(x.p), int(x.q)))),) if x != 0 else (), self)
        if x.free_symbols - {self.sym}:
            return None
        try:
            poly = sympy.Poly(x, self.sym)
        except sympy.PolynomialError:
            return None
        d = {}
        for (k,), c in poly.terms():
            if not c.is_Rational or c < 0:
                return None
            d[int(k)] = _c(Fraction(int(c.p), int(c.q)))
        return Posy(Posy._norm(d), self)

    def lift_q(self, q: Fraction) -> Posy:
        return Posy(((0, _c(q)),) if q else (), self)

    def lift(self, x):
        if isinstance(x, (Posy, PMin)):
            return x
        if isinstance(x, int) and x >= 0:
            p = self._ints.get(x)
            if p is None:
                p = Posy(((0, x),) if x else (), self)
                if x < 64:
                    self._ints[x] = p
            return p
        if isinstance(x, sympy.Basic):
            p = self._lifted.get(x)
            if p is None:
                q = self.from_sympy(x)
                p = self._lifted[x] = q if q is not None else x
            return p
        p = self.from_sympy(x)
        return p if p is not None else sympy.sympify(x)

    # -- deciding a <= b on r >= r_min (sufficient conditions: True only when proved)
    def _at_min(self, a: Posy):
        """The value of ``a`` at r = r_min (a necessary condition: a <= b needs a(r_min) <=
        b(r_min))."""
        return sum(c * self._rpow(k) for k, c in a.terms)

    def _posy_le(self, a: Posy, b: Posy) -> bool:
        """Sufficient condition for a <= b on r >= r_min: suffix sums, then the Taylor shift
        (exact for monomials; docs/analyze.md, "One symbol")."""
        if a.terms == b.terms:
            return True
        ta, tb = a.terms, b.terms
        if not ta:
            return True
        if not tb:
            return False  # a has a positive coefficient: a > 0 = b
        if len(ta) == 1 and len(tb) == 1:  # monomials: c1 r^i <= c2 r^j iff (exact)
            (i, c1), (j, c2) = ta[0], tb[0]
            if i > j:
                return False  # c1 > 0: c1 r^i / (c2 r^j) grows without bound
            return c1 <= c2 or c1 <= c2 * self._rpow(j - i)
        if ta[-1][0] > tb[-1][0]:
            return False  # a has the higher degree: a > b for large r (a refutation)
        d = dict(tb)
        for k, c in ta:
            d[k] = d.get(k, 0) - c
        s = 0
        for k in sorted(d, reverse=True):
            s += d[k] * self._rpow(k)
            if s < 0:
                break
        else:
            return True
        return _taylor_nonneg(d, self.rmin)

    def _items(self, x):
        if isinstance(x, Posy):
            return (x,)
        if isinstance(x, PMin):
            return x.items
        return None

    def _fast_le(self, a, b) -> bool | None:
        """a <= b for Posy / PMin operands (None: other types). ``min A <= min B`` when every
        b in B has some a in A with a <= b (then min A <= a <= b for each b)."""
        xa, xb = self._items(a), self._items(b)
        if xa is None or xb is None:
            return None
        key = (a, b)
        hit = self._le_cache.get(key)
        if hit is None:
            hit = all(any(self._posy_le(x, y) for x in xa) for y in xb)
            self._le_cache[key] = hit
        return hit

    def _le(self, a, b) -> bool:
        a = self.lift(a) if isinstance(a, int) else a
        b = self.lift(b) if isinstance(b, int) else b
        hit = self._fast_le(a, b)
        if hit is not None:
            return hit  # decided here (the sympy rules prove nothing more on posynomials)
        return super()._le(sympy.sympify(a), sympy.sympify(b))

    def min_of(self, cands, x=None, y=None, op=None):
        """The min of posynomials ``cands``: one Posy, or a PMin of those not proved >= another.

        Above ``PMIN_MAX_ITEMS`` arguments kept, ``x op y`` is done on sympy expressions
        instead (``op``: "+" or "*"; without it, the Min of those kept is sympy's)."""
        uniq = {}
        for p in cands:
            if not p.terms:
                return p  # 0 <= everything
            uniq.setdefault(p.terms, p)
        ps = list(uniq.values())
        if len(ps) == 1:
            return ps[0]
        if all(len(p.terms) == 1 for p in ps):
            kept = self._monomial_front(ps)
        else:
            kept = self._front(ps)
        if len(kept) == 1:
            return kept[0]
        if len(kept) > PMIN_MAX_ITEMS:
            return _sympy_op(x, y, op, kept)
        kept.sort(key=lambda p: p.terms)
        return PMin(tuple(kept), self)

    def _monomial_front(self, ps: list[Posy]) -> list[Posy]:
        """Monomials c r^k not proved >= another: ``c r^i <= c' r^j`` on r >= r_min iff
        ``i <= j`` and ``c r_min^i <= c' r_min^j`` (the exact monomial rule), so after sorting
        by degree a monomial is kept iff its value at r_min is below every lower-degree one's."""
        rows = sorted(
            ((p.terms[0][0], p.terms[0][1] * self._rpow(p.terms[0][0])), i)
            for i, p in enumerate(ps)
        )
        kept, best = [], None
        for (_, v), i in rows:
            if best is None or v < best:
                kept.append(ps[i])
                best = v
        # then the lower envelope: a monomial never below the min of two others is dropped
        hull: list[tuple[int, object, Posy]] = []
        for p in kept:  # increasing degree
            k3, c3 = p.terms[0]
            while len(hull) >= 2 and _above(hull[-2][:2], hull[-1][:2], (k3, c3)):
                hull.pop()
            hull.append((k3, c3, p))
        return [p for _, _, p in hull]

    def _front(self, ps: list[Posy]) -> list[Posy]:
        """The posynomials not proved >= another one (pairwise :meth:`_posy_le`)."""
        # a <= b needs a(r_min) <= b(r_min): only earlier (or equal-valued) ones can dominate
        rows = sorted(((self._at_min(p), i, p) for i, p in enumerate(ps)), key=lambda t: t[:2])
        kept: list[tuple] = []
        for v, _, p in rows:
            if any(self._posy_le(q, p) for _, q in kept):
                continue
            kept = [(w, q) for w, q in kept if not (w == v and self._posy_le(p, q))]
            kept.append((v, p))
        return [p for _, p in kept]

    def _pick(self, xs, keep_small: bool):
        xs = [self.lift(x) for x in xs]
        if keep_small and all(type(x) is Posy for x in xs):
            # the common case, one argument <= all the others: a linear scan decides it
            best = xs[0]
            for x in xs[1:]:
                if self._posy_le(x, best):
                    best = x
                elif not self._posy_le(best, x):
                    break
            else:
                return best
        if keep_small and all(isinstance(x, (Posy, PMin)) for x in xs):
            return self.min_of([p for x in xs for p in self._items(x)])
        if all(isinstance(x, (Posy, PMin)) for x in xs):
            # max: drop the arguments proved <= another one; an undecided Max goes to sympy
            kept: list = []
            for x in xs:
                if any(self._fast_le(x, y) for y in kept):
                    continue
                kept = [y for y in kept if not self._fast_le(y, x)]
                kept.append(x)
            if len(kept) == 1:
                return kept[0]
            return sympy.Max(*[sympy.sympify(x) for x in kept], evaluate=False)
        # not posynomials: the general sympy arithmetic decides or keeps Min/Max
        return self._reduce([sympy.sympify(x) for x in xs], keep_small)

    def min(self, *xs):
        return self._pick(xs, True)

    def max(self, *xs):
        return self._pick(xs, False)


def _sympy_op(x, y, op, cands):
    """``x op y`` on sympy expressions (the same value as the distributed min ``cands``)."""
    if op == "+":
        return sympy.sympify(x) + sympy.sympify(y)
    if op == "*":
        return sympy.sympify(x) * sympy.sympify(y)
    return sympy.Min(*[p._sympy_() for p in cands], evaluate=False)


def _above(m1, m2, m3) -> bool:
    """``c2 r^k2 >= min(c1 r^k1, c3 r^k3)`` for every r > 0 (``mi = (ki, ci)``, k1 < k2 < k3,
    ci > 0): iff ``c2^(k3-k1) >= c1^(k3-k2) c3^(k2-k1)`` (docs/analyze.md, "One symbol")."""
    (k1, c1), (k2, c2), (k3, c3) = m1, m2, m3
    return c2 ** (k3 - k1) >= c1 ** (k3 - k2) * c3 ** (k2 - k1)


def _taylor_nonneg(d: dict, rmin: int) -> bool:
    """True when ``f(r) = sum_k d[k] r^k`` has ``f(r_min + t)`` with coefficients >= 0 in t
    (then ``f(r) >= 0`` for all r >= r_min: a polynomial in t >= 0 with nonnegative
    coefficients). Exact rational arithmetic (Horner's scheme, repeated synthetic division)."""
    n = max((k for k, c in d.items() if c), default=0)
    cs = [d.get(k, 0) for k in range(n + 1)]  # cs[k]: coefficient of r^k
    if cs[n] < 0:
        return False  # the leading coefficient of f(r_min + t) is f's own (and f -> -inf)
    # Taylor shift: after step i, cs[i] is the coefficient of t^i
    for i in range(n + 1):
        for k in range(n - 1, i - 1, -1):
            cs[k] += rmin * cs[k + 1]
        if cs[i] < 0:
            return False
    return True


def posy_arith_for(arch, minima: dict) -> PosyArith | None:
    """A :class:`PosyArith` when the architecture has exactly one symbol and every width,
    exchange count and M is a posynomial in it; otherwise None (use the sympy arithmetic)."""
    syms = arch.free_symbols
    if len(syms) != 1:
        return None
    (sym,) = syms
    ctx = PosyArith(sym, minima.get(sym, 1), minima)
    for e in width_expressions(arch):
        p = ctx.from_sympy(e)
        if p is None or not p.terms:
            return None
    return ctx
