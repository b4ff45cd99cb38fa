"""analyzer.posy: the one-symbol fast arithmetic decides only true comparisons."""

from __future__ import annotations

import random
from fractions import Fraction

import sympy

from analyzer.posy import Posy, PosyArith

r = sympy.Symbol("r")


def rand_posy(ctx, rng):
    terms = {rng.randrange(0, 6): Fraction(rng.randrange(1, 9), rng.choice([1, 1, 2, 4]))}
    for _ in range(rng.randrange(0, 3)):
        terms[rng.randrange(0, 6)] = Fraction(rng.randrange(1, 9), rng.choice([1, 2]))
    return Posy(Posy._norm(terms), ctx)


def value(p: Posy, x) -> Fraction:
    return sum((c * Fraction(x) ** k for k, c in p.terms), Fraction(0))


def test_le_is_sound_and_exact_on_monomials():
    rng = random.Random(7)
    for rmin in (1, 2, 3):
        ctx = PosyArith(r, rmin, {r: rmin})
        for _ in range(400):
            a, b = rand_posy(ctx, rng), rand_posy(ctx, rng)
            holds = all(value(a, x) <= value(b, x) for x in range(rmin, rmin + 60))
            if ctx._posy_le(a, b):
                assert holds, (a, b, rmin)  # proved -> true (checked on many r >= r_min)
            if len(a.terms) == len(b.terms) == 1:
                # monomials: the test is exact (a sampled counterexample or a proof)
                assert ctx._posy_le(a, b) == (holds and (a.terms[0][0] <= b.terms[0][0]))


def test_min_falls_back_to_sympy_when_undecided():
    ctx = PosyArith(r, 1, {r: 1})
    a = ctx.lift(r**2)
    b = ctx.lift(5 * r)  # r^2 vs 5r: neither dominates on r >= 1
    m = ctx.min(a, b)
    assert isinstance(m, sympy.Min) and set(m.args) == {r**2, 5 * r}
    assert ctx.min(ctx.lift(r), ctx.lift(r**3)) == ctx.lift(r)
    assert sympy.sympify(ctx.lift(r) * Fraction(1, 2) + ctx.lift(r) / 1) == sympy.Rational(3, 2) * r
