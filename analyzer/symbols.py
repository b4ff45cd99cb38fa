"""Width expressions: safe parsing of user strings into sympy expressions, and substitution.

Widths and the input dimension may be integers, symbols (``r``) or expressions (``2*r``).
User strings never reach ``eval``: they are tokenised against a small grammar first.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import sympy

from .errors import ExprError

__all__ = ["parse_expr", "symbol", "to_int", "is_concrete", "parse_assignment", "ExprError"]

_TOKEN = re.compile(r"\s*(?:(?P<num>\d+)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<op>\*\*|[-+*/^()]))")
_RESERVED = {"I", "E", "S", "N", "O", "Q", "pi", "oo", "zoo", "nan"}


def symbol(name: str) -> sympy.Symbol:
    """The project's width symbol: a positive integer."""
    return sympy.Symbol(name, positive=True, integer=True)


def parse_expr(value: int | str | sympy.Expr) -> sympy.Expr:
    """Parse an int, a numeric string or an arithmetic expression in symbols.

    Only integers, identifiers, ``+ - * / ** ^`` and parentheses are accepted; an identifier
    may not be called (``f(x)``). Identifiers become positive integer symbols.
    """
    if isinstance(value, bool):
        raise ExprError(f"expected a number or an expression, got {value!r}")
    if isinstance(value, int):
        return sympy.Integer(value)
    if isinstance(value, sympy.Expr):
        return value
    if not isinstance(value, str):
        raise ExprError(f"expected a number or an expression, got {value!r}")
    text = value.strip()
    if not text:
        raise ExprError("empty expression")
    pos = 0
    pieces: list[str] = []
    names: dict[str, sympy.Symbol] = {}
    prev_name = False
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise ExprError(f"unexpected character {text[pos]!r} in expression {text!r}")
        pos = m.end()
        if m.group("num"):
            pieces.append(f"Integer({m.group('num')})")
            prev_name = False
        elif m.group("name"):
            name = m.group("name")
            if name in _RESERVED:
                raise ExprError(f"{name!r} is reserved; choose another symbol name")
            names[name] = symbol(name)
            pieces.append(f"__s_{name}")
            prev_name = True
        else:
            op = m.group("op")
            if op == "(" and prev_name:
                raise ExprError(f"function calls are not allowed in expression {text!r}")
            pieces.append("**" if op == "^" else op)
            prev_name = False
    ns = {"Integer": sympy.Integer, "__builtins__": {}}
    ns.update({f"__s_{k}": v for k, v in names.items()})
    try:
        expr = eval(" ".join(pieces), ns)  # noqa: S307 - tokens validated above
    except Exception as exc:  # syntax errors, division by zero
        raise ExprError(f"cannot parse expression {text!r}: {exc}") from None
    expr = sympy.sympify(expr)
    if expr.has(sympy.zoo, sympy.oo, sympy.nan):  # sympy divides by zero without raising
        raise ExprError(f"cannot parse expression {text!r}: division by zero")
    return expr


def is_concrete(expr: sympy.Expr) -> bool:
    return not sympy.sympify(expr).free_symbols


def to_int(expr: sympy.Expr, what: str = "value") -> int:
    """An integer from a concrete expression; ExprError if symbols remain or not integral."""
    expr = sympy.sympify(expr)
    if expr.free_symbols:
        names = ", ".join(sorted(str(s) for s in expr.free_symbols))
        raise ExprError(
            f"{what} = {expr} needs a value for {names} (use --set {names.split(',')[0]}=...)"
        )
    if not expr.is_integer:
        raise ExprError(f"{what} = {expr} is not an integer")
    return int(expr)


def parse_assignment(text: str) -> tuple[str, sympy.Expr]:
    """Parse ``name=value`` (value an int or an expression in other symbols)."""
    if "=" not in text:
        raise ExprError(f"expected NAME=VALUE, got {text!r}")
    name, _, val = text.partition("=")
    name = name.strip()
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise ExprError(f"invalid symbol name {name!r} in {text!r}")
    return name, parse_expr(val)


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
