"""analyzer.numbers: exact decimal text without the digit limit, compact display, JSON form."""

from __future__ import annotations

import json
import sys

import pytest
import sympy

from analyzer.numbers import (
    expr_text,
    from_decimal,
    from_json,
    jsonable,
    log2,
    show,
    show_int,
    to_decimal,
    to_json,
)


@pytest.fixture
def default_digit_limit():
    """Python's default int-to-str limit (4300 digits), whatever the session set."""
    old = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(4300)
    yield
    sys.set_int_max_str_digits(old)


def test_ten_thousand_digits_round_trip_under_the_default_limit(default_digit_limit):
    n = 7**11835 + 12345  # 10,002 digits: str(n) itself is refused under the limit
    with pytest.raises(ValueError):
        str(n)
    s = to_decimal(n)
    assert len(s) == 10002 and s.endswith(str((7**11835 + 12345) % 10**9).rjust(9, "0"))
    assert from_decimal(s) == n
    assert to_decimal(-n) == "-" + s
    # independent check of the digits: n mod 10^k and the leading digits from a float log
    assert int(s[-300:]) == n % 10**300
    assert s.startswith(str(10 ** (11835 * sympy.log(7, 10).evalf(30) % 1))[:2].replace(".", ""))


def test_small_limit_is_respected_too():
    old = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(640)  # the smallest value Python accepts
    try:
        n = 3**5000
        assert from_decimal(to_decimal(n)) == n
        assert show(to_decimal(n)) == "3^5000"
    finally:
        sys.set_int_max_str_digits(old)


def test_compact_display():
    assert show_int(12345) == "12345"
    assert show_int(2**2048) == "2^2048"
    assert show_int(32**2048) == "2^10240"  # = 32^2048, shown with the smallest base
    assert show_int(3**300) == "3^300"
    assert show_int(2**2048 + 1) == "≈ 3.2e616"  # 2^2048 = 3.23e616
    assert show_int(10**20 + 7) == "≈ 1.0e20"
    assert show_int(2**2048 + 1, exact=True) == to_decimal(2**2048 + 1)
    r = sympy.Symbol("r")
    assert show(r**2048) == "r**2048"
    assert show(2**5000 * r) == "2^5000*r"
    assert show(None) == "-"
    # a text holding a huge literal (an exact JSON expression) is shown compactly
    assert show(f"Min({to_decimal(2**3000)}, r)") == "Min(2^3000, r)"


def test_exact_expression_text_has_every_digit(default_digit_limit):
    r = sympy.Symbol("r")
    x = 5**9000 * r  # 6291 digits: sympy.sstr would hit the limit
    t = expr_text(x)
    assert t == to_decimal(5**9000) + "*r"
    assert expr_text(5**9000) == to_decimal(5**9000)


def test_json_form_round_trip(default_digit_limit):
    for n in (0, 1, 2**53, -(2**53), 2**53 + 1, 32**2048, 7**11835):
        v = to_json(n)
        assert isinstance(v, int) == (abs(n) <= 2**53)
        text = json.dumps(jsonable({"upper": n, "xs": [n, True]}))
        back = json.loads(text)
        assert from_json(back["upper"]) == n and back["xs"][1] is True
    assert from_json(None) is None
    with pytest.raises(ValueError):
        from_json("12a")


def test_log2():
    assert log2(2**10240) == 10240.0
    assert log2(1) == 0.0 and log2(0) is None and log2(None) is None
    assert abs(log2(3**5000) - 5000 * 1.584962500721156) < 1e-6


def test_json_consumers_read_big_values(default_digit_limit):
    """analyze JSON (through a real JSON text) -> report model and Markdown, compactly."""
    from analyzer import analyze, load_spec
    from reports.markdown import markdown_lines
    from reports.model import build_report_data

    arch = load_spec("builtin:paper-timit")
    a = analyze(arch, families=["odd-even"], values={"r": 32})
    d = json.loads(json.dumps(jsonable(a.to_dict())))
    p = d["partitions"][0]
    assert p["upper"] == to_decimal(32**2048) and p["upper_log2"] == 10240.0
    # routed lower bound (docs/theory.md sec. 6): under T the 2048 layer-1 units pair an even
    # with an odd position (leaf pairs); their edges to layer 2 stay inside the branch (the first
    # exchange is after layer 2), width r = 32 = M: 32^2048, equal to the upper bound (Claim 5's
    # uniform width r/2 alone gives 16^2048)
    assert from_json(p["lower"]) == 32**2048
    assert d["hybrid_trees"]["count"] == to_decimal(2**1365)
    data = build_report_data(d)  # symbolic columns: the exact decimal texts of the values
    row = data.partitions[0]
    assert row.upper == 32**2048 and row.lower == 32**2048
    assert data.hybrid_trees["count"] == "2^1365"
    assert row.display()["upper"] == "2^10240"
    text = "\n".join(markdown_lines(data))
    assert "2^10240" in text and to_decimal(32**2048) not in text
    json.dumps(data.to_dict())  # the PDF payload: no int beyond the digit limit
