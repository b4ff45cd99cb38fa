"""Numbers of any size: exact conversion, compact display and a lossless JSON form.

Bounds stay exact internally (Python integers or sympy expressions). This module is the one
place that turns them into text:

* :func:`show` -- compact display for terminals, Markdown, PDF and figures: small integers as
  they are, a huge power as ``2^2048`` (or ``b^e`` for a small base), any other huge integer as
  ``≈ 3.2e616``; expressions keep their symbols (``r**2048``) and have their huge integer
  constants shown the same way. ``show(x, exact=True)`` gives the exact text.
* :func:`to_decimal` / :func:`from_decimal` -- exact decimal text of an integer and back,
  independent of Python's int-to-str digit limit (``sys.set_int_max_str_digits``): the
  conversion is split into chunks of at most ``_CHUNK`` digits, well under the smallest limit
  Python accepts (640).
* :func:`to_json` / :func:`from_json` -- JSON numbers up to 2^53 (exact in every JSON reader),
  exact decimal strings above; :func:`log2` gives the size of a number for sorting and plots.
* :func:`expr_text` -- the exact ``sympy.sstr``-like text of an expression, safe for huge
  integer constants.

Pure: no I/O.
"""

from __future__ import annotations

import json
import math
import re
from functools import lru_cache
from json.encoder import encode_basestring_ascii as _encode_str

import sympy
from sympy.printing.str import StrPrinter

__all__ = [
    "JSON_EXACT_MAX",
    "SHOW_DIGITS",
    "to_decimal",
    "from_decimal",
    "to_json",
    "from_json",
    "jsonable",
    "json_text",
    "log2",
    "show",
    "show_int",
    "expr_text",
    "as_int",
]

JSON_EXACT_MAX = 2**53  # integers above this go to JSON as exact decimal strings
SHOW_DIGITS = 15  # integers with more digits are shown compactly (power or ≈ mantissa e exp)
_LONG_INT = re.compile(rf"(?<![\w.])\d{{{SHOW_DIGITS + 1},}}(?![\w.])")
_CHUNK = 500  # digits converted by one str()/int() call: below Python's smallest limit (640)
_SHOW_MAX = 10**SHOW_DIGITS  # below it show_int gives str(n), exact or not


# --------------------------------------------------------------------------- exact decimal text
@lru_cache(maxsize=64)
def _pow10(k: int) -> int:
    return 10**k


def to_decimal(n: int) -> str:
    """Exact decimal text of an integer, whatever ``sys.get_int_max_str_digits()`` says.

    Divide and conquer on powers of ten: every ``str`` call sees at most ``_CHUNK`` digits.
    """
    n = int(n)
    if n < 0:
        return "-" + to_decimal(-n)
    if n < _pow10(_CHUNK):
        return str(n)
    # split at 10^(CHUNK * 2^j), the largest such power not above n
    k = _CHUNK
    while _pow10(2 * k) <= n:
        k *= 2
    hi, lo = divmod(n, _pow10(k))
    return to_decimal(hi) + to_decimal(lo).rjust(k, "0")


def from_decimal(text: str) -> int:
    """The integer of an exact decimal text (inverse of :func:`to_decimal`), limit-free."""
    s = text.strip()
    neg = s.startswith("-")
    if neg or s.startswith("+"):
        s = s[1:]
    if not s or not s.isdigit() or not s.isascii():
        raise ValueError(f"not a decimal integer: {text[:40]!r}")
    v = _from_digits(s)
    return -v if neg else v


def _from_digits(s: str) -> int:
    if len(s) <= _CHUNK:
        return int(s)
    k = _CHUNK
    while 2 * k < len(s):
        k *= 2
    return _from_digits(s[:-k]) * _pow10(k) + _from_digits(s[-k:])


# --------------------------------------------------------------------------- JSON form
def as_int(x) -> int | None:
    """The Python integer of an int or an integer-valued sympy number; None otherwise."""
    if isinstance(x, bool):
        return None
    if isinstance(x, int):
        return x
    if isinstance(x, sympy.Integer):
        return int(x)
    if isinstance(x, sympy.Basic) and x.is_Integer:
        return int(x)
    return None


def to_json(n: int | None) -> int | str | None:
    """An int for ``|n| <= 2^53`` (exact in any JSON reader), else its exact decimal string."""
    if n is None:
        return None
    n = int(n)
    return n if -JSON_EXACT_MAX <= n <= JSON_EXACT_MAX else to_decimal(n)


def from_json(v) -> int | None:
    """Read what :func:`to_json` wrote (an int, a decimal string, or None)."""
    if v is None:
        return None
    if isinstance(v, bool):
        raise ValueError("a boolean is not a number")
    if isinstance(v, int):
        return v
    if isinstance(v, float):
        if v.is_integer():
            return int(v)
        raise ValueError(f"not an integer: {v}")
    return from_decimal(str(v))


def jsonable(x):
    """A copy of a JSON-ready structure with every int above 2^53 as its exact decimal string.

    ``json.dumps`` converts ints with ``str``, which refuses huge values under Python's digit
    limit; apply this before dumping any structure that may hold a bound.
    """
    if isinstance(x, dict):
        return {k: jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [jsonable(v) for v in x]
    if isinstance(x, int) and not isinstance(x, bool):
        return to_json(x)
    return x


def json_text(x, indent: int = 2) -> str:
    """``json.dumps(jsonable(x), indent=indent)``: the same text, built faster (issue 12).

    Python's C JSON encoder is used only without ``indent``; with it every value costs a few
    generator steps. Here a list of plain integers up to 2^53 (positions: most of a large
    analysis) is joined in one step, and every other value is written by the rules of
    ``json.dumps`` (its own string encoder, ``float.__repr__``, NaN and Infinity, the key
    conversions), in one pass that also does :func:`jsonable`'s conversion of big integers.
    """
    return _json(x, "\n", " " * indent)


def _json(o, nl: str, step: str) -> str:
    if isinstance(o, str):
        return _encode_str(o)
    if o is None or isinstance(o, (bool, float)):
        return _key_text(o)  # json.dumps writes these as it writes them as keys
    if isinstance(o, int):
        v = to_json(o)
        return _encode_str(v) if isinstance(v, str) else int.__repr__(v)
    inner = nl + step
    if isinstance(o, (list, tuple)):
        if not o:
            return "[]"
        if all(type(v) is int and -JSON_EXACT_MAX <= v <= JSON_EXACT_MAX for v in o):
            body = ("," + inner).join(map(int.__repr__, o))
        else:
            body = ("," + inner).join([_json(v, inner, step) for v in o])
        return "[" + inner + body + nl + "]"
    if isinstance(o, dict):
        if not o:
            return "{}"
        body = ("," + inner).join(
            [_encode_str(_key_text(k)) + ": " + _json(v, inner, step) for k, v in o.items()]
        )
        return "{" + inner + body + nl + "}"
    return json.dumps(o)  # not JSON-serializable: json's own TypeError


def _float_text(o: float) -> str:
    if o != o:
        return "NaN"
    if o == math.inf:
        return "Infinity"
    if o == -math.inf:
        return "-Infinity"
    return float.__repr__(o)


def _key_text(k) -> str:
    """A dict key as ``json.dumps`` converts it (str, float, bool, None, int)."""
    if isinstance(k, str):
        return k
    if isinstance(k, float):
        return _float_text(k)
    if k is True:
        return "true"
    if k is False:
        return "false"
    if k is None:
        return "null"
    if isinstance(k, int):
        return int.__repr__(k)
    raise TypeError(f"keys must be str, int, float, bool or None, not {k.__class__.__name__}")


def log2(n) -> float | None:
    """log2 of a positive integer (of any size; float precision); None for n <= 0 or None."""
    if n is None:
        return None
    n = int(n)
    if n <= 0:
        return None
    b = n.bit_length()
    if b <= 1000:
        return math.log2(n)
    shift = b - 64
    return math.log2(n >> shift) + shift


# --------------------------------------------------------------------------- compact display
def _exact_power(n: int) -> tuple[int, int] | None:
    """(b, e) with n = b^e, e >= 2, for a base 2..1024 (smallest base found first); else None."""
    if n < 4:
        return None
    if n & (n - 1) == 0:
        return 2, n.bit_length() - 1
    lg = log2(n)
    for b in range(3, 1025):
        if b & (b - 1) == 0:
            continue  # a power of two is handled above
        e = round(lg / math.log2(b))
        if e >= 2 and b**e == n:
            return b, e
    return None


def show_int(n: int, exact: bool = False) -> str:
    """A compact text for an integer: ``12345``, ``2^2048``, ``7^300`` or ``≈ 3.2e616``."""
    n = int(n)
    if exact:
        return to_decimal(n)
    if n < 0:
        return "-" + show_int(-n)
    if n < _pow10(SHOW_DIGITS):
        return str(n)
    pw = _exact_power(n)
    if pw is not None:
        return f"{pw[0]}^{pw[1]}"
    l10 = log2(n) * math.log10(2)
    e = math.floor(l10)
    m = 10 ** (l10 - e)
    if round(m, 1) >= 10:
        m, e = m / 10, e + 1
    return f"≈ {m:.1f}e{e}"


class _Printer(StrPrinter):
    """``sympy.sstr`` with integers converted by this module (no digit limit; compact or not)."""

    def __init__(self, exact: bool):
        super().__init__({"order": None})
        self._exact = exact

    def _print_Integer(self, expr):
        return show_int(int(expr), exact=self._exact)

    def _print_Rational(self, expr):
        return f"{show_int(int(expr.p), self._exact)}/{show_int(int(expr.q), self._exact)}"


_EXACT = _Printer(True)
_COMPACT = _Printer(False)


def expr_text(x) -> str:
    """Exact text of a number or expression (``sympy.sstr`` style), free of the digit limit."""
    n = as_int(x)
    if n is not None:
        return to_decimal(n)
    if isinstance(x, str):
        return x
    return _EXACT.doprint(sympy.sympify(x))


def show(x, exact: bool = False) -> str:
    """Compact display of a bound: an int, a sympy expression, a JSON value or a text.

    Texts are returned as they are, except an exact decimal text of a huge integer, which is
    shown compactly like the integer itself. ``None`` shows as ``-``.
    """
    if x is None:
        return "-"
    if type(x) is int and 0 <= x < _SHOW_MAX:
        return str(x)  # performance only (issue 12): show_int's text, exact or not
    if isinstance(x, str):
        s = x.strip()
        if s.lstrip("-").isdigit() and s.isascii():
            return show_int(from_decimal(s), exact)
        if exact:
            return x
        # an exact expression text: its long integer literals shown compactly
        return _LONG_INT.sub(lambda m: show_int(from_decimal(m.group(0))), x)
    n = as_int(x)
    if n is not None:
        return show_int(n, exact)
    if isinstance(x, float):
        return f"{x:g}"
    return (_EXACT if exact else _COMPACT).doprint(sympy.sympify(x))
