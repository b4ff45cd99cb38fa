"""Analyzer bound strings -> LaTeX / typst math trees (reports/mathexpr.py)."""

from __future__ import annotations

import pytest

from reports.mathexpr import parse_bound, to_latex, to_text, to_tree


@pytest.mark.parametrize(
    ("text", "latex"),
    [
        ("r**8/256", r"\frac{r^{8}}{256}"),
        ("Min(M, r)**2", r"\min\left(M, r\right)^{2}"),
        ("r**(3*N/8)", r"r^{\frac{3 N}{8}}"),
        ("16*r**2", r"16 r^{2}"),
        ("65536", "65536"),
    ],
)
def test_latex(text, latex):
    assert to_latex(text, ["M", "N", "r"]) == latex


def test_text_form():
    assert to_text("Min(M, r)**2") == "min(M, r)^2"
    assert to_text("r**8/256") == "r^8/256"


def test_tree_shapes():
    assert to_tree("r**8/256") == {
        "t": "frac",
        "n": {"t": "pow", "b": {"t": "sym", "v": "r"}, "e": {"t": "num", "v": "8"}},
        "d": {"t": "num", "v": "256"},
    }
    t = to_tree("Min(M, r)**2")
    assert t["t"] == "pow" and t["b"]["t"] == "fn" and t["b"]["v"] == "min"
    assert [a["v"] for a in t["b"]["args"]] == ["M", "r"]
    t = to_tree("2*M - r")
    assert t["t"] == "add" and [x["neg"] for x in t["terms"]] == [False, True]
    assert to_tree("r_B")["sub"] == "B"


@pytest.mark.parametrize("bad", ["not covered", "r.__class__", "__import__('os')", "", None])
def test_non_expressions_are_text(bad):
    assert parse_bound(bad) is None
    assert to_latex(bad) is None
    assert to_tree(bad)["t"] == "text"


def test_symbol_names_stay_symbols():
    # "beta" would be sympy's beta function under plain sympify
    assert to_latex("beta**2", ["beta"]) == r"\beta^{2}"
    assert to_tree("beta**2", ["beta"])["b"] == {"t": "sym", "v": "beta"}
