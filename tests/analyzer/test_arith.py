"""The symbolic comparison engine of the bounds (analyzer.bounds.Arith) against evaluation.

``Arith.min`` and ``Arith.max`` drop an argument only when ``a <= b`` is *proved* for every
admissible symbol value (docs/theory.md, the bounds' arithmetic): a wrong proof would make a
``min`` keep a larger argument (a lower bound too large, a routed width overstated) or a ``max``
a smaller one (an exchange's pi understated), an invalid bound that no small integer case
shows. The oracle here is plain evaluation: every comparison the engine claims, and every
reduced ``min``/``max``, is checked at symbol values far beyond the few points the engine
samples for counterexamples (up to 10^6).
"""

from __future__ import annotations

import itertools

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.bounds import Arith

r, q = sympy.symbols("r q", positive=True, integer=True)
VALUES = (1, 2, 3, 7, 45, 100, 1000, 10**6)


@st.composite
def expressions(draw, depth: int = 3):
    if depth == 0 or draw(st.integers(0, 3)) == 0:
        kind = draw(st.sampled_from(["r", "q", "const", "const"]))
        if kind == "const":
            return sympy.Integer(draw(st.sampled_from([1, 2, 3, 5, 8, 48, 50, 99, 120, 4096])))
        return r if kind == "r" else q
    op = draw(st.sampled_from(["+", "*", "min", "max", "pow", "-c"]))
    a = draw(expressions(depth - 1))
    if op == "pow":
        return a ** draw(st.integers(2, 3))
    if op == "-c":  # r - 1 and the like: widths minus an exchange count
        return a + draw(st.sampled_from([-1, -2]))
    b = draw(expressions(depth - 1))
    if op == "+":
        return a + b
    if op == "*":
        return a * b
    return (sympy.Min if op == "min" else sympy.Max)(a, b, evaluate=False)


MINIMA = st.sampled_from([{}, {r: 2}, {r: 3, q: 2}])


def _points(minima: dict):
    lo_r, lo_q = minima.get(r, 1), minima.get(q, 1)
    for vr, vq in itertools.product(VALUES, VALUES):
        if vr >= lo_r and vq >= lo_q:
            yield {r: sympy.Integer(vr), q: sympy.Integer(vq)}


def _at(e, pt) -> int:
    """The value of an expression of Add, Mul, Pow, Min, Max, integers and symbols, by plain
    recursion (not sympy's evaluation, the engine's own arithmetic)."""
    if e.is_Integer:
        return int(e)
    if e.is_Symbol:
        return pt[e]
    args = [_at(x, pt) for x in e.args]
    if e.is_Add:
        return sum(args)
    if e.is_Mul:
        out = 1
        for x in args:
            out *= x
        return out
    if e.is_Pow:
        return args[0] ** args[1]
    if isinstance(e, sympy.Min):
        return min(args)
    if isinstance(e, sympy.Max):
        return max(args)
    raise AssertionError(f"unexpected {e!r}")


def _admissible(e, minima) -> bool:
    """Every subexpression is >= 1 at the admissible points (the engine's Min/Max atoms are
    dimensions and ranks, hence >= 1: the domain it reasons about)."""
    pts = list(_points(minima))
    return all(_at(x, pt) >= 1 for x in sympy.preorder_traversal(e) for pt in pts)


@settings(max_examples=120, deadline=None, derandomize=True)
@given(a=expressions(), b=expressions(), minima=MINIMA)
def test_a_proved_comparison_holds_everywhere(a, b, minima):
    if not (_admissible(a, minima) and _admissible(b, minima)):
        return
    if Arith(True, minima)._le(a, b):
        for pt in _points(minima):
            assert _at(a, pt) <= _at(b, pt), (a, b, pt)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(xs=st.lists(expressions(), min_size=2, max_size=4), minima=MINIMA)
def test_min_and_max_keep_the_value(xs, minima):
    if not all(_admissible(x, minima) for x in xs):
        return
    ar = Arith(True, minima)
    lo, hi = ar.min(*xs), ar.max(*xs)
    for pt in _points(minima):
        vals = [_at(x, pt) for x in xs]
        assert _at(lo, pt) == min(vals), (xs, lo, pt)
        assert _at(hi, pt) == max(vals), (xs, hi, pt)


def test_symbol_minima_from_the_widths():
    """Every width is >= 1 (docs/theory.md): r/2 >= 1 needs r >= 2; a width like r**2 or 3*q
    asks nothing beyond >= 1 (least value 1), and such a width is skipped, not an error."""
    from analyzer import spec_from_dict
    from analyzer.bounds import symbol_minima

    def minima(widths, M=2) -> dict:
        spec = {
            "name": "m",
            "input_channels": M,
            "branches": [{"name": "A", "kernel": 2, "dilations": [1, 2], "channels": widths}],
        }
        return {s.name: v for s, v in symbol_minima(spec_from_dict(spec)).items()}

    assert minima(["r**2", "r/2"], M="r**2") == {"r": 2}
    assert minima(["3*q", "r**2"]).get("q", 1) == 1
    assert minima(["r/3", "q"]) == {"r": 3, "q": 1}
    assert minima(["r**2 - r + 1", "q"]).get("r", 1) == 1  # not c * r: no constraint


# b - a = (x - 2)^2 + (q - 1)^2 + 10 (x - 2)(q - 1) is >= 0 at every point the engine samples
# for counterexamples (x = 1 there gives 1 + t^2 - 10 t with t = q - 1 in {0, 40}), but -23 at
# x = 1, q = 5: a <= b is false, so no proof may exist. x is a symbol r (least value 1) or a
# Min atom that can be 1, Min(r, q): a rule assuming r >= 2, or a Min/Max atom >= 2, would
# "prove" it (its expansion in x - 2 >= 0 and q - 1 >= 0 has nonnegative coefficients).
@pytest.mark.parametrize("x", [r, sympy.Min(r, q, evaluate=False)], ids=["symbol", "min-atom"])
def test_no_proof_of_a_comparison_false_between_the_sampled_points(x):
    a = 14 * x + 22 * q
    b = x**2 + 10 * x * q + q**2 + 25
    pt = {r: sympy.Integer(1), q: sympy.Integer(5)}
    assert _at(a, pt) == 124 and _at(b, pt) == 101  # a > b there
    ar = Arith(True, {})
    assert not ar._le(a, b)
    assert _at(ar.min(a, b), pt) == 101 and _at(ar.max(a, b), pt) == 124
