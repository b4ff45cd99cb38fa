"""Symbolic bounds as data: analyzer strings -> sympy -> LaTeX, or a typesetting-neutral tree.

Works on the analyzer's expressions (sympy, or anything with ``_sympy_``, passed through) or
on strings it printed (``sympy.sstr``, e.g. ``"r**8/256"``, ``"Min(M, r)**2"``: the JSON
form, parsed back). The Markdown renderer uses :func:`to_latex` (sympy's LaTeX printer);
the PDF template receives :func:`to_tree`'s JSON tree and builds typst math from it with
typst functions (``math.attach``, ``math.frac``, ...), so no string is ever evaluated as
typst markup or code. Symbol names are identifiers (the spec parser allows nothing else);
anything that does not parse is rendered as literal text.
"""

from __future__ import annotations

import re

import sympy
from sympy.printing.latex import LatexPrinter

from analyzer.numbers import SHOW_DIGITS, from_decimal, show, show_int

__all__ = ["parse_bound", "to_latex", "to_tree", "to_text", "MathTree"]

MathTree = dict
# integer literals too long to show (and to parse under Python's int-to-str digit limit)
_LONG_INT = re.compile(rf"(?<![A-Za-z0-9_.])\d{{{SHOW_DIGITS + 1},}}(?![A-Za-z0-9_.])")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_FUNCS = {
    sympy.Min: "min",
    sympy.Max: "max",
    sympy.floor: "floor",
    sympy.ceiling: "ceil",
    sympy.log: "log",
}


def parse_bound(text: str | int | sympy.Expr | None, symbols: list[str] = ()) -> sympy.Expr | None:
    """The sympy expression of an analyzer bound (an expression is returned as it is; a string
    is parsed), or None when it is not one.

    Only the architecture's own symbol names (identifiers) are bound as symbols, so names
    like ``beta`` stay symbols instead of becoming sympy functions.
    """
    if text is None:
        return None
    if isinstance(text, sympy.Basic) or hasattr(text, "_sympy_"):  # sympy, or the analyzer's
        e = sympy.sympify(text)  # polynomial type (analyzer.posy.Posy)
        return e if isinstance(e, sympy.Expr) else None
    if isinstance(text, int):
        return sympy.Integer(text)
    s = str(text).strip()
    if not s or not re.fullmatch(r"[A-Za-z0-9_+\-*/(), ]*", s):
        return None
    bigs: dict[str, sympy.Integer] = {}  # long literals, converted exactly without the limit

    def _big(m: re.Match) -> str:
        name = f"_bigint{len(bigs)}"
        bigs[name] = sympy.Integer(from_decimal(m.group(0)))
        return name

    s = _LONG_INT.sub(_big, s)
    local = {n: sympy.Symbol(n) for n in symbols if _IDENT.fullmatch(n)}
    local.update(bigs)
    for name in (
        set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", s))
        - set(bigs)
        - {
            "Min",
            "Max",
            "floor",
            "ceiling",
            "log",
            "sqrt",
        }
    ):
        local.setdefault(name, sympy.Symbol(name))
    local.update(
        {
            "Min": sympy.Min,
            "Max": sympy.Max,
            "floor": sympy.floor,
            "ceiling": sympy.ceiling,
            "log": sympy.log,
            "sqrt": sympy.sqrt,
        }
    )
    try:
        e = sympy.parse_expr(
            s,
            local_dict=local,
            global_dict={
                "Integer": sympy.Integer,
                "Rational": sympy.Rational,
                "Float": sympy.Float,
                "Symbol": sympy.Symbol,
            },
        )
    except Exception:  # noqa: BLE001 - not an expression: rendered as text
        return None
    return e if isinstance(e, sympy.Expr) else None


def to_latex(text: str | int | sympy.Expr | None, symbols: list[str] = ()) -> str | None:
    """LaTeX (without dollars) of a bound, or None when the string is not an expression."""
    e = parse_bound(text, symbols)
    if e is None:
        return None
    out = _Latex().doprint(e)
    # the result only holds sympy's own commands and identifier names; never a dollar sign
    assert "$" not in out
    return out


def to_text(text: str | int | sympy.Expr | None, symbols: list[str] = ()) -> str:
    """A compact plain-text form (``min(M, r)^2``), for captions and alt text."""
    e = parse_bound(text, symbols)
    if e is None:
        return "" if text is None else str(text)
    return show(e).replace("**", "^").replace("Min(", "min(").replace("Max(", "max(")


# --------------------------------------------------------------------------- typst tree
def to_tree(text: str | int | sympy.Expr | None, symbols: list[str] = ()) -> MathTree:
    """A JSON tree for the PDF template.

    Nodes: ``num`` (v), ``sym`` (v, optional sub), ``add`` (terms: [{neg, a}]), ``mul`` (fs),
    ``frac`` (n, d), ``pow`` (b, e), ``sqrt`` (a), ``fn`` (v in min/max/floor/ceil/log,
    args), ``paren`` (a), ``neg`` (a), ``text`` (v: literal text).
    """
    e = parse_bound(text, symbols)
    if e is None:
        return {"t": "text", "v": "" if text is None else str(text)}
    return _tree(e)


class _Latex(LatexPrinter):
    """sympy's LaTeX printer with huge integers shown compactly (``2^{2048}``, ``≈ 3.2e616``)."""

    def _print_Integer(self, expr):
        t = show_int(abs(int(expr)))
        if "^" in t:
            b, e = t.split("^")
            t = f"{b}^{{{e}}}"
        elif t.startswith("≈"):
            m, e = t[1:].strip().split("e")
            t = f"\\approx {m} \\cdot 10^{{{e}}}"
        return t if expr >= 0 else "-" + t


def _num(n: int) -> MathTree:
    if n < 0:
        return {"t": "neg", "a": _num(-n)}
    t = show_int(n)
    if "^" in t:
        b, e = t.split("^")
        return {"t": "pow", "b": {"t": "num", "v": b}, "e": {"t": "num", "v": e}}
    if t.startswith("≈"):
        return {"t": "text", "v": t}
    return {"t": "num", "v": t}


def _needs_paren_base(e: sympy.Expr) -> bool:
    if isinstance(e, (sympy.Add, sympy.Mul, sympy.Pow)):
        return True
    if isinstance(e, sympy.Rational) and not isinstance(e, sympy.Integer):
        return True
    return bool(e.is_number and e.is_negative)


def _tree(e: sympy.Expr) -> MathTree:
    if isinstance(e, sympy.Integer):
        return _num(int(e))
    if isinstance(e, sympy.Rational):
        t = {"t": "frac", "n": _num(abs(e.p)), "d": _num(e.q)}
        return {"t": "neg", "a": t} if e.p < 0 else t
    if isinstance(e, sympy.Symbol):
        name = e.name
        if not _IDENT.fullmatch(name):
            return {"t": "text", "v": name}
        base, _, sub = name.partition("_")
        node = {"t": "sym", "v": base or name}
        if sub and base:
            node["sub"] = sub
        return node
    if isinstance(e, sympy.Add):
        terms = []
        for term in e.as_ordered_terms():
            c, rest = term.as_coeff_Mul()
            neg = bool(c.is_negative)
            if neg:
                term = -term
            terms.append({"neg": neg, "a": _tree(term)})
        return {"t": "add", "terms": terms}
    if isinstance(e, sympy.Mul):
        c, rest = e.as_coeff_Mul()
        if c.is_negative:
            return {"t": "neg", "a": _tree(-e)}
        n, d = sympy.fraction(e)
        if d != 1:
            return {"t": "frac", "n": _tree(n), "d": _tree(d)}
        fs = []
        for f in e.as_ordered_factors():
            t = _tree(f)
            fs.append({"t": "paren", "a": t} if isinstance(f, sympy.Add) else t)
        return {"t": "mul", "fs": fs}
    if isinstance(e, sympy.Pow):
        b, x = e.args
        if x == sympy.Rational(1, 2):
            return {"t": "sqrt", "a": _tree(b)}
        if x.is_number and x.is_negative:
            return {"t": "frac", "n": _num(1), "d": _tree(b ** (-x))}
        bt = _tree(b)
        if _needs_paren_base(b):
            bt = {"t": "paren", "a": bt}
        return {"t": "pow", "b": bt, "e": _tree(x)}
    for cls, name in _FUNCS.items():
        if isinstance(e, cls):
            args = list(e.args)
            if name in ("min", "max"):
                args = sorted(args, key=sympy.default_sort_key)
            return {"t": "fn", "v": name, "args": [_tree(a) for a in args]}
    return {"t": "text", "v": show(e)}
