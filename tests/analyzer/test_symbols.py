"""analyzer/symbols.py: safe parsing of width expressions, substitution, integer conversion."""

from __future__ import annotations

import pytest
import sympy

from analyzer.symbols import (
    ExprError,
    is_concrete,
    parse_assignment,
    parse_expr,
    substitute,
    symbol,
    to_int,
)

r, q = symbol("r"), symbol("q")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (4, 4),
        ("4", 4),
        ("r", r),
        ("2*r", 2 * r),
        ("r^2", r**2),
        ("r**2 + 1", r**2 + 1),
        ("(r + q)/2", (r + q) / 2),
        (" r ", r),
    ],
)
def test_parse_expr(text, expected):
    assert parse_expr(text) == expected


def test_symbols_are_positive_integers():
    e = parse_expr("r")
    assert e.is_positive and e.is_integer


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("exp(r)", "function calls"),
        ("r; import os", "unexpected character"),
        ("", "empty"),
        ("__import__(1)", "function calls"),
        ("r/0", "division by zero"),
        ("I", "reserved"),
        ("pi", "reserved"),
        ("2 *", "cannot parse"),
        ("1/0", "cannot parse"),
        ("r.real", "unexpected character"),
    ],
)
def test_parse_expr_rejects(text, words):
    with pytest.raises(ExprError, match=words):
        parse_expr(text)


@pytest.mark.parametrize("value", [True, 2.5, None, [1]])
def test_parse_expr_rejects_non_numbers(value):
    with pytest.raises(ExprError):
        parse_expr(value)


def test_to_int_and_concrete():
    assert to_int(parse_expr("6/2")) == 3
    assert is_concrete(parse_expr("3")) and not is_concrete(r)
    with pytest.raises(ExprError, match="needs a value for r"):
        to_int(2 * r, "width")
    with pytest.raises(ExprError, match="not an integer"):
        to_int(sympy.Rational(3, 2))


def test_parse_assignment():
    assert parse_assignment("r=4") == ("r", 4)
    assert parse_assignment("M = 2*r") == ("M", 2 * r)
    for bad in ("r", "1r=3", "r=", "r=exp(2)"):
        with pytest.raises(ExprError):
            parse_assignment(bad)


def test_substitute_by_name():
    assert substitute(r * q + 1, {"r": 2}) == 2 * q + 1
    assert substitute(r, {}) == r
    assert substitute(r, {"x": 3}) == r
