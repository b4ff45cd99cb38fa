"""Width expressions: safe parsing of user strings into sympy expressions, and substitution.

Widths and the input dimension may be integers, symbols (``r``) or expressions (``2*r``).
User strings never reach ``eval``: a small recursive-descent parser builds the expression and
checks every operation's size (digits, degree, nesting; :class:`~analyzer.limits.Limits`)
before sympy computes it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

import sympy

from .errors import ExprError
from .limits import DEFAULT_LIMITS, Limits, check

__all__ = ["parse_expr", "symbol", "to_int", "is_concrete", "parse_assignment", "ExprError"]

_TOKEN = re.compile(
    r"\s*(?:(?P<num>[0-9]+)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<op>\*\*|[-+*/^()]))"
)
_RESERVED = {"I", "E", "S", "N", "O", "Q", "pi", "oo", "zoo", "nan"}


def symbol(name: str) -> sympy.Symbol:
    """The project's width symbol: a positive integer."""
    return sympy.Symbol(name, positive=True, integer=True)


def parse_expr(value: int | str | sympy.Expr, limits: Limits = DEFAULT_LIMITS) -> sympy.Expr:
    """Parse an int, a numeric string or an arithmetic expression in symbols.

    Only integers, identifiers, ``+ - * / ** ^`` and parentheses are accepted; an identifier
    may not be called (``f(x)``). Identifiers become positive integer symbols. Sizes are
    checked *before* sympy evaluates anything (``limits``: ``expr_chars``, ``nesting``,
    ``int_digits`` for every number and every intermediate coefficient, ``degree`` for the
    polynomial degree): ``9**9**9`` or ``r^(10^9)`` are refused at once with
    :class:`~analyzer.errors.LimitError`. An exponent must be a constant integer.
    """
    if isinstance(value, bool):
        raise ExprError(f"expected a number or an expression, got {value!r}")
    if isinstance(value, int):
        _check_digits(_int_digits(value), limits, "an integer")
        return sympy.Integer(value)
    if isinstance(value, sympy.Expr):
        return value
    if not isinstance(value, str):
        raise ExprError(f"expected a number or an expression, got {value!r}")
    text = value.strip()
    if not text:
        raise ExprError("empty expression")
    check(limits, "expr_chars", len(text), what="the length of an expression (characters)")
    tokens: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise ExprError(f"unexpected character {text[pos]!r} in expression {text!r}")
        pos = m.end()
        kind = m.lastgroup
        tok = m.group(kind)
        if kind == "num":
            _check_digits(len(tok.lstrip("0") or "0"), limits, f"the number in {text!r}")
        elif kind == "name" and tok in _RESERVED:
            raise ExprError(f"{tok!r} is reserved; choose another symbol name")
        tokens.append((kind, "**" if tok == "^" else tok))
    val = _Parser(tokens, text, limits).parse()
    expr = sympy.sympify(val.expr)
    if expr.has(sympy.zoo, sympy.oo, sympy.nan):  # sympy divides by zero without raising
        raise ExprError(f"cannot parse expression {text!r}: division by zero")
    return expr


def _int_digits(n: int) -> int:
    """Decimal digits of ``|n|`` (at most one too many; no conversion to text)."""
    return max(1, int(abs(n).bit_length() * 0.30103) + 1)


def _check_digits(digits: int, limits: Limits, what: str) -> None:
    check(limits, "int_digits", digits, what=f"the number of decimal digits of {what}")


@dataclass(frozen=True)
class _Val:
    """A parsed sub-expression with cheap upper estimates of its size."""

    expr: sympy.Expr
    digits: int  # decimal digits of the largest coefficient (an upper estimate)
    degree: int  # polynomial degree (an upper estimate)


class _Parser:
    """Recursive descent over the tokens; each operation is size-checked before it runs.

    Grammar: ``sum := prod (('+'|'-') prod)*``, ``prod := unary (('*'|'/') unary)*``,
    ``unary := ('+'|'-') unary | power``, ``power := atom ('**' unary)?`` (right-associative,
    binding tighter than a leading minus, as in Python), ``atom := NUMBER | NAME | '(' sum ')'``.
    """

    def __init__(self, tokens: list[tuple[str, str]], text: str, limits: Limits):
        self.toks, self.text, self.limits, self.i, self.depth = tokens, text, limits, 0, 0

    def _peek(self) -> str | None:
        return self.toks[self.i][1] if self.i < len(self.toks) else None

    def _fail(self, why: str) -> ExprError:
        return ExprError(f"cannot parse expression {self.text!r}: {why}")

    def parse(self) -> _Val:
        v = self._sum()
        if self.i != len(self.toks):
            raise self._fail(f"unexpected {self.toks[self.i][1]!r}")
        return v

    def _enter(self) -> None:
        self.depth += 1
        check(self.limits, "nesting", self.depth, what="the nesting depth of an expression")

    def _sum(self) -> _Val:
        self._enter()
        v = self._prod()
        while self._peek() in ("+", "-"):
            op = self.toks[self.i][1]
            self.i += 1
            w = self._prod()
            d, g = self._size(max(v.digits, w.digits) + 1, max(v.degree, w.degree))
            v = _Val(self._e(op, v, w), d, g)
        self.depth -= 1
        return v

    def _prod(self) -> _Val:
        v = self._unary()
        while self._peek() in ("*", "/"):
            op = self.toks[self.i][1]
            self.i += 1
            w = self._unary()
            d, g = self._size(v.digits + w.digits, v.degree + w.degree)
            if op == "/" and w.expr == 0:
                raise self._fail("division by zero")
            v = _Val(v.expr * w.expr if op == "*" else v.expr / w.expr, d, g)
        return v

    def _unary(self) -> _Val:
        if self._peek() in ("+", "-"):
            op = self.toks[self.i][1]
            self.i += 1
            self._enter()
            v = self._unary()
            self.depth -= 1
            return _Val(-v.expr, v.digits, v.degree) if op == "-" else v
        return self._power()

    def _power(self) -> _Val:
        base = self._atom()
        if self._peek() != "**":
            return base
        self.i += 1
        self._enter()
        exp = self._unary()
        self.depth -= 1
        e = exp.expr
        if e.free_symbols or not e.is_integer:
            raise self._fail(f"an exponent must be a constant integer, got {e}")
        n = abs(int(e))
        b = base.expr
        if b.free_symbols:
            g = n * base.degree
            check(self.limits, "degree", g, what=f"the degree of {b}**{e} in {self.text!r}")
            d = n * base.digits
        elif b in (0, 1, -1):
            d = 1
            if b == 0 and e < 0:
                raise self._fail("division by zero")
        else:
            p, q = sympy.fraction(b)
            d = int(n * math.log10(max(abs(int(p)), abs(int(q))))) + 1
        self._size(d, 0)
        return _Val(b**e, d, n * base.degree)

    def _atom(self) -> _Val:
        if self.i >= len(self.toks):
            raise self._fail("unexpected end")
        kind, tok = self.toks[self.i]
        self.i += 1
        if kind == "num":
            return _Val(sympy.Integer(int(tok)), len(tok.lstrip("0") or "0"), 0)
        if kind == "name":
            if self._peek() == "(":
                raise ExprError(f"function calls are not allowed in expression {self.text!r}")
            return _Val(symbol(tok), 1, 1)
        if tok == "(":
            self._enter()
            v = self._sum()
            self.depth -= 1
            if self._peek() != ")":
                raise self._fail("missing ')'")
            self.i += 1
            return v
        raise self._fail(f"unexpected {tok!r}")

    def _size(self, digits: int, degree: int) -> tuple[int, int]:
        where = f"an intermediate value of {self.text!r}"
        _check_digits(digits, self.limits, where)
        check(self.limits, "degree", degree, what=f"the degree of {self.text!r}")
        return digits, degree

    @staticmethod
    def _e(op: str, v: _Val, w: _Val) -> sympy.Expr:
        return v.expr + w.expr if op == "+" else v.expr - w.expr


def is_concrete(expr: sympy.Expr) -> bool:
    return not sympy.sympify(expr).free_symbols


def to_int(expr: sympy.Expr, what: str = "value") -> int:
    """An integer from a concrete expression; ExprError if symbols remain or not integral."""
    expr = sympy.sympify(expr)
    if expr.free_symbols:
        names = ", ".join(sorted(str(s) for s in expr.free_symbols))
        raise ExprError(
            f"{what} = {expr} needs a value for {names} (give {names.split(',')[0]} a value)"
        )
    if not expr.is_integer:
        raise ExprError(f"{what} = {expr} is not an integer")
    return int(expr)


def parse_assignment(text: str, limits: Limits = DEFAULT_LIMITS) -> tuple[str, sympy.Expr]:
    """Parse ``name=value`` (value an int or an expression in other symbols)."""
    if "=" not in text:
        raise ExprError(f"expected NAME=VALUE, got {text!r}")
    name, _, val = text.partition("=")
    name = name.strip()
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise ExprError(f"invalid symbol name {name!r} in {text!r}")
    return name, parse_expr(val, limits)


def substitute(expr: sympy.Expr, values: Mapping[str, sympy.Expr | int]) -> sympy.Expr:
    """Substitute values given by symbol name."""
    expr = sympy.sympify(expr)
    if not values:
        return expr
    subs = {}
    for s in expr.free_symbols:
        if s.name in values:
            subs[s] = sympy.sympify(values[s.name])
    return expr.xreplace(subs) if subs else expr
