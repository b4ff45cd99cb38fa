"""Fast exact arithmetic for one-symbol bounds: posynomials ``sum_k c_k r^k`` (c_k > 0).

With a single width symbol ``r`` (the paper's setting: M = r, widths r, exchanges r/2) every
quantity of the propagation bound, Theorem 7 and Claim 5 is a sum of monomials in ``r`` with
positive rational coefficients, as long as each ``min``/``max`` can be decided. Doing that
arithmetic on sympy objects costs tens of microseconds per operation and most of the memory
of a large symbolic analysis; :class:`PosyArith` does it on a small immutable class instead
and produces the *same bounds* (exact values, no loosening):

* ``a <= b`` for all admissible ``r >= r_min`` is decided by a sufficient condition: with
  ``f = b - a = sum_j c_j r^j``, every suffix sum ``S_k = sum_{j >= k} c_j r_min^j`` is
  ``>= 0``. Proof (Abel summation, ``r = r_min s`` with ``s >= 1``):
  ``f(r) = S_{k0} s^{k0} + sum_{k > k0} S_k (s^k - s^{k-1}) >= 0``. For monomials this is
  exact: ``c1 r^a <= c2 r^b`` iff ``c1 <= c2 r_min^(b-a)`` (``a <= b``).
* Whenever a comparison is not decided this way, the operands are handed to the general
  sympy arithmetic (:class:`analyzer.bounds.Arith`), which keeps undecided comparisons as
  ``Min``/``Max``: never a guess. Results are therefore never looser than the sympy path's
  and never wrong.

Pure: no I/O.
"""

from __future__ import annotations

from fractions import Fraction

import sympy

from .bounds import Arith
from .spec import width_expressions

__all__ = ["Posy", "PosyArith", "posy_arith_for"]


class Posy:
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
        if isinstance(other, (int, Fraction)):
            return Posy(((0, _c(other)),) if other else (), self.ctx)
        return self.ctx.from_sympy(other)

    def __add__(self, other):
        o = self._coerce(other)
        if o is None:
            return self._sympy_() + other
        d = dict(self.terms)
        for k, c in o.terms:
            d[k] = d.get(k, 0) + c
        return Posy(self._norm(d), self.ctx)

    __radd__ = __add__

    def __mul__(self, other):
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

    def __truediv__(self, other):
        if isinstance(other, (int, Fraction)) and other > 0:
            return self * (Fraction(1) / other)
        return self._sympy_() / sympy.sympify(other)

    def __rtruediv__(self, other):
        return sympy.sympify(other) / self._sympy_()

    def __rsub__(self, other):
        return sympy.sympify(other) - self._sympy_()

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


class PosyArith(Arith):
    """:class:`Arith` on :class:`Posy` values, falling back to sympy when undecided."""

    def __init__(self, sym: sympy.Symbol, minimum: int, minima: dict):
        super().__init__(True, minima)
        self.sym = sym
        self.rmin = max(1, int(minimum))
        self._pow_cache: dict[int, int] = {}
        self._ints: dict[int, Posy] = {}

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

    def lift(self, x):
        if isinstance(x, Posy):
            return x
        if isinstance(x, int) and x >= 0:
            p = self._ints.get(x)
            if p is None:
                p = Posy(((0, x),) if x else (), self)
                if x < 64:
                    self._ints[x] = p
            return p
        p = self.from_sympy(x)
        return p if p is not None else sympy.sympify(x)

    def _posy_le(self, a: Posy, b: Posy) -> bool:
        """Sufficient condition for a <= b on r >= r_min (suffix sums; exact for monomials)."""
        if a.terms == b.terms:
            return True
        ta, tb = a.terms, b.terms
        if len(ta) == 1 and len(tb) == 1:  # monomials: c1 r^i <= c2 r^j iff (exact)
            (i, c1), (j, c2) = ta[0], tb[0]
            if i > j:
                return c1 == 0
            return c1 <= c2 or c1 <= c2 * self._rpow(j - i)
        if not ta:
            return True
        d = dict(tb)
        for k, c in a.terms:
            d[k] = d.get(k, 0) - c
        s = 0
        for k in sorted(d, reverse=True):
            s += d[k] * self._rpow(k)
            if s < 0:
                return False
        return True

    def _le(self, a, b) -> bool:
        if isinstance(a, Posy) and isinstance(b, Posy):
            if self._posy_le(a, b):
                return True
        return super()._le(sympy.sympify(a), sympy.sympify(b))

    def _pick(self, xs, keep_small: bool):
        xs = [self.lift(x) if not isinstance(x, Posy) else x for x in xs]
        if all(isinstance(x, Posy) for x in xs):
            best = xs[0]
            for x in xs[1:]:
                if keep_small:
                    if self._posy_le(x, best):
                        best = x
                    elif not self._posy_le(best, x):
                        break
                else:
                    if self._posy_le(best, x):
                        best = x
                    elif not self._posy_le(x, best):
                        break
            else:
                return best
        # undecided (or not posynomials): the general sympy arithmetic decides or keeps Min/Max
        return self._reduce([sympy.sympify(x) for x in xs], keep_small)

    def min(self, *xs):
        return self._pick(xs, True)

    def max(self, *xs):
        return self._pick(xs, False)


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
