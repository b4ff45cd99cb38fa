"""analyzer.posy: the one-symbol fast arithmetic decides only true comparisons.

Every decision rule (docs/analyze.md, "One symbol") is checked three ways: cases where it must
answer True (an inequality proved by hand), cases where it must not (a counterexample, or an
inequality true on the integers that the rule cannot prove), and a Hypothesis property: when it
answers "a <= b", then a <= b holds at many admissible points (integers and fractions >= r_min,
and large values). Values are evaluated here with exact Fractions, independently of the rules.
"""

from __future__ import annotations

import random
from fractions import Fraction

import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analyzer.posy import PMIN_MAX_ITEMS, PMin, Posy, PosyArith, _above, _taylor_nonneg

r = sympy.Symbol("r")

PROPS = settings(
    max_examples=200, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)


def rand_posy(ctx, rng):
    terms = {rng.randrange(0, 6): Fraction(rng.randrange(1, 9), rng.choice([1, 1, 2, 4]))}
    for _ in range(rng.randrange(0, 3)):
        terms[rng.randrange(0, 6)] = Fraction(rng.randrange(1, 9), rng.choice([1, 2]))
    return Posy(Posy._norm(terms), ctx)


def value(p, x) -> Fraction:
    """Exact value at r = x of a Posy, a PMin (the least of its items) or a number."""
    if isinstance(p, PMin):
        return min(value(q, x) for q in p.items)
    if isinstance(p, Posy):
        return sum((c * Fraction(x) ** k for k, c in p.terms), Fraction(0))
    return Fraction(p)


def points(rmin: int) -> list[Fraction]:
    """Admissible points: integers and fractions from r_min on, and a few large values."""
    pts = [Fraction(rmin) + Fraction(i, 3) for i in range(0, 45)]
    return pts + [Fraction(10**k) + rmin for k in range(2, 7)] + [Fraction(7919, 3) + rmin]


def posy(ctx, terms: dict) -> Posy:
    return Posy(Posy._norm({k: Fraction(c) for k, c in terms.items()}), ctx)


# --------------------------------------------------------------------------- strategies
coeffs = st.fractions(min_value=Fraction(1, 8), max_value=64, max_denominator=8)
posy_terms = st.dictionaries(st.integers(0, 7), coeffs, min_size=1, max_size=4)
monomial_terms = st.dictionaries(st.integers(0, 12), coeffs, min_size=1, max_size=1)
rmins = st.integers(1, 4)


# --------------------------------------------------------------------------- Posy <= Posy
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


def test_taylor_shift_proves_what_suffix_sums_cannot():
    ctx = PosyArith(r, 1, {r: 1})
    # 2r <= r^2 + 1 for all real r (r^2 - 2r + 1 = (r - 1)^2): suffix sums at r_min = 1 are
    # 1, 1 - 2 < 0 (undecided there), the Taylor shift r = 1 + t gives t^2 (proved)
    assert ctx._posy_le(posy(ctx, {1: 2}), posy(ctx, {2: 1, 0: 1}))
    # 3r^2 <= r^3 + 3r + 1 on r >= 1: the difference is (r - 1)^3 + 2 >= 2; suffix sums are
    # 1, 1 - 3 < 0 (undecided there), the shift r = 1 + t gives t^3 + 2 (proved)
    assert ctx._posy_le(posy(ctx, {2: 3}), posy(ctx, {3: 1, 1: 3, 0: 1}))


def test_le_refuses_false_and_unprovable():
    ctx = PosyArith(r, 1, {r: 1})
    # 5r <= r^2 + 1 fails at r = 3 (15 > 10): never proved
    assert not ctx._posy_le(posy(ctx, {1: 5}), posy(ctx, {2: 1, 0: 1}))
    # 3r <= r^2 + 2 holds at every integer r >= 1 ((r - 1)(r - 2) >= 0) but not at r = 3/2:
    # the rule proves for all real r >= r_min, so it must not accept this one
    assert not ctx._posy_le(posy(ctx, {1: 3}), posy(ctx, {2: 1, 0: 2}))
    # a higher degree on the left is eventually larger
    assert not ctx._posy_le(posy(ctx, {3: Fraction(1, 100)}), posy(ctx, {2: 100, 0: 100}))
    # monomials: 4 <= r^2 needs r >= 2, refused at r_min = 1, proved at r_min = 2
    assert not ctx._posy_le(posy(ctx, {0: 4}), posy(ctx, {2: 1}))
    ctx2 = PosyArith(r, 2, {r: 2})
    assert ctx2._posy_le(posy(ctx2, {0: 4}), posy(ctx2, {2: 1}))


@PROPS
@given(posy_terms, posy_terms, rmins)
def test_posy_le_property(ta, tb, rmin):
    ctx = PosyArith(r, rmin, {r: rmin})
    a, b = posy(ctx, ta), posy(ctx, tb)
    if ctx._posy_le(a, b):
        for x in points(rmin):
            assert value(a, x) <= value(b, x), (a, b, rmin, x)


def test_taylor_shift_matches_sympy_expansion():
    """``_taylor_nonneg`` against sympy's expansion of f(r_min + t) (an independent
    computation of the same coefficients)."""
    t = sympy.Symbol("t")
    rng = random.Random(1)
    for _ in range(300):
        d = {k: rng.randint(-5, 5) for k in range(rng.randint(1, 6))}
        a = rng.randint(1, 4)
        f = sum(c * r**k for k, c in d.items())
        e = sympy.Poly(sympy.expand(f.subs(r, a + t)), t)
        assert _taylor_nonneg(d, a) == all(c >= 0 for c in e.all_coeffs()), (d, a)


# --------------------------------------------------------------------------- mins (PMin)
def test_min_keeps_undecided_as_pmin():
    ctx = PosyArith(r, 1, {r: 1})
    a = ctx.lift(r**2)
    b = ctx.lift(5 * r)  # r^2 vs 5r: neither dominates on r >= 1
    m = ctx.min(a, b)
    assert isinstance(m, PMin)
    assert sympy.sympify(m) == sympy.Min(r**2, 5 * r)
    assert ctx.min(ctx.lift(r), ctx.lift(r**3)) == ctx.lift(r)
    assert sympy.sympify(ctx.lift(r) * Fraction(1, 2) + ctx.lift(r) / 1) == sympy.Rational(3, 2) * r
    # arithmetic distributes over the min: min(r^2, 5r) * r + 1 = min(r^3 + 1, 5r^2 + 1)
    assert sympy.sympify(m * ctx.lift(r) + 1) == sympy.Min(r**3 + 1, 5 * r**2 + 1)
    # an undecided max leaves the fast type (sympy keeps it)
    assert isinstance(ctx.max(a, b), sympy.Max)


def test_envelope_drops_only_monomials_never_below_the_others():
    # 729 r >= min(19683, r^3) for every r > 0 (they meet at r = 27, where 729 r = 27^3):
    # min(27, r)^3 expanded is min(19683, 729 r, 27 r^2, r^3) = min(19683, r^3)
    assert _above((0, 19683), (1, 729), (3, 1))
    ctx = PosyArith(r, 1, {r: 1})
    m = ctx.min(ctx.lift(27), ctx.lift(r)) ** 3
    assert sympy.sympify(m) == sympy.Min(19683, r**3)
    m3 = ctx.min(ctx.lift(27), ctx.lift(r))
    assert sympy.sympify(m3 * m3 * m3) == sympy.Min(19683, r**3)  # same value, same form
    # 5r and 8r are below min(100, r^2) at r = 10 (50, 80 < 100): kept
    assert not _above((0, 100), (1, 5), (2, 1))
    assert not _above((0, 100), (1, 8), (2, 1))
    assert _above((0, 100), (1, 10), (2, 1))  # 10 r >= min(100, r^2): equal at r = 10
    assert sympy.sympify(ctx.min(ctx.lift(100), ctx.lift(5 * r), ctx.lift(r**2))) == sympy.Min(
        100, 5 * r, r**2
    )


def test_pmin_le_rule():
    ctx = PosyArith(r, 1, {r: 1})
    m = ctx.min(ctx.lift(4), ctx.lift(r))
    assert ctx._le(m, ctx.min(ctx.lift(5), ctx.lift(r + 1)))  # 4 <= 5, r <= r + 1
    assert ctx._le(m, ctx.lift(r)) and ctx._le(m, 4)
    assert not ctx._le(ctx.lift(r), m)  # false at r = 5
    assert not ctx._le(ctx.lift(3), m)  # false at r = 1
    # min(8, r^2) <= min(4, r) is false at r = 3 (8 > 3): not proved
    assert not ctx._le(ctx.min(ctx.lift(8), ctx.lift(r**2)), ctx.min(ctx.lift(4), ctx.lift(r)))


@PROPS
@given(st.lists(st.integers(0, 12), min_size=3, max_size=3, unique=True), coeffs, coeffs, coeffs)
def test_above_property(ks, c1, c2, c3):
    """When ``_above`` drops the middle monomial, it is >= the min of the other two at every
    point tried, in particular where those two cross (the kink of their min)."""
    k1, k2, k3 = sorted(ks)
    if not _above((k1, c1), (k2, c2), (k3, c3)):
        return
    x13 = float(c1 / c3) ** (1 / (k3 - k1))
    near = [Fraction(x13).limit_denominator(10**6) + Fraction(d, 10**4) for d in (-1, 0, 1)]
    for x in points(1) + [Fraction(1, 7), Fraction(1, 2)] + [x for x in near if x > 0]:
        assert c2 * x**k2 >= min(c1 * x**k1, c3 * x**k3), (ks, c1, c2, c3, x)


def _pmin(ctx, terms_list):
    return ctx.min_of([posy(ctx, t) for t in terms_list])


@PROPS
@given(st.lists(posy_terms, min_size=1, max_size=6), rmins)
def test_min_of_keeps_the_value(terms_list, rmin):
    """Pruning (pairwise proofs, the monomial envelope) never changes the min's value."""
    ctx = PosyArith(r, rmin, {r: rmin})
    cands = [posy(ctx, t) for t in terms_list]
    m = ctx.min_of(cands)
    for x in points(rmin):
        assert value(m, x) == min(value(p, x) for p in cands), (cands, m, x)


@PROPS
@given(st.lists(monomial_terms, min_size=1, max_size=8), rmins)
def test_min_of_monomials_keeps_the_value(terms_list, rmin):
    ctx = PosyArith(r, rmin, {r: rmin})
    cands = [posy(ctx, t) for t in terms_list]
    m = ctx.min_of(cands)
    # also where two monomials cross (c_i r^k_i = c_j r^k_j), where the envelope has its kinks
    cross = []
    for (ki, ci), (kj, cj) in ((p.terms[0], q.terms[0]) for p in cands for q in cands):
        if ki < kj:
            x = float(ci / cj) ** (1 / (kj - ki))
            cross += [Fraction(x).limit_denominator(1000) + d for d in (0, Fraction(1, 1000))]
    for x in points(rmin) + [x for x in cross if x >= rmin]:
        assert value(m, x) == min(value(p, x) for p in cands), (cands, m, x)


@PROPS
@given(
    st.lists(posy_terms, min_size=1, max_size=3),
    st.lists(posy_terms, min_size=1, max_size=3),
    st.integers(0, 3),
    rmins,
)
def test_pmin_arithmetic_and_le(la, lb, k, rmin):
    """+, *, ** of mins are the values' sums, products, powers; a proved <= holds."""
    ctx = PosyArith(r, rmin, {r: rmin})
    A, B = _pmin(ctx, la), _pmin(ctx, lb)
    S, P, Q = A + B, A * B, A**k
    for x in points(rmin)[::5]:
        a, b = value(A, x), value(B, x)
        assert value(S, x) == a + b
        assert value(P, x) == a * b
        assert value(Q, x) == a**k
    if ctx._le(A, B):
        for x in points(rmin):
            assert value(A, x) <= value(B, x), (A, B, x)
    if ctx._le(B, A):
        for x in points(rmin):
            assert value(B, x) <= value(A, x), (A, B, x)


def test_large_mins_go_to_sympy_with_the_same_value():
    """Above PMIN_MAX_ITEMS arguments the min is kept as sympy's (unexpanded), same value."""
    ctx = PosyArith(r, 1, {r: 1})
    # 2^((n-k)^2) r^k, k < n: values at r = 1 decreasing in k and log-coefficients strictly
    # convex in k, so every one is on the lower envelope (none is redundant)
    n = PMIN_MAX_ITEMS + 6
    mons = [posy(ctx, {k: 2 ** ((n - k) ** 2)}) for k in range(n)]
    big = ctx.min_of(mons)
    assert isinstance(big, sympy.Min) and len(big.args) == len(mons)
    # two mins of 40 whose log-coefficient slopes are odd, resp. even: their product's
    # log-coefficients (an infimal convolution) are strictly convex on 79 exponents
    A = ctx.min_of([posy(ctx, {k: 2 ** ((40 - k) ** 2)}) for k in range(40)])
    B = ctx.min_of([posy(ctx, {k: 2 ** ((40 - k) * (41 - k))}) for k in range(40)])
    assert isinstance(A, PMin) and isinstance(B, PMin) and len(A.items) == len(B.items) == 40
    prod = A * B
    assert isinstance(prod, sympy.Expr)
    for x in (1, 2, Fraction(5, 2), 1000):
        assert sympy.Rational(prod.subs(r, x)) == value(A, x) * value(B, x)
    assert isinstance(ctx.min_of(list(A.items) + list(B.items)), PMin)  # under the limit
