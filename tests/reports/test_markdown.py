"""Markdown rendering (reports/markdown.py): escaping, math, content."""

from __future__ import annotations

import html
import re

import pytest

from reports.markdown import escape

from .conftest import MALICIOUS

MarkdownIt = pytest.importorskip("markdown_it").MarkdownIt  # installed with rich


def _html(md: str) -> str:
    # CommonMark with tables and strikethrough, raw HTML enabled: the strictest setting for
    # an injection (a renderer that passes HTML through would execute a <script>)
    return MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"]).render(md)


def _text(h: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", h))


@pytest.mark.parametrize(
    "s",
    [
        MALICIOUS,
        "- item",
        "1. one",
        "# h",
        "a | b",
        "**bold** _it_ `code`",
        "[x](http://e.org)",
        "![i](x.png)",
        "<b>hi</b> &amp;",
        "~~s~~",
        "\\",
        "line\nbreak",
        "> quote",
    ],
)
def test_escape_renders_literally(s):
    h = _html("Name: " + escape(s) + "\n\n- " + escape(s) + "\n")
    assert "<script" not in h and "<b>" not in h and "<a " not in h and "<img" not in h
    assert "<strong>" not in h and "<em>" not in h and "<code>" not in h and "<del>" not in h
    assert "<h1>" not in h
    literal = " ".join(s.split())
    assert _text(h).count(literal) == 2, (s, h)


def test_escape_in_table_cell():
    md = "| a | b |\n|---|---|\n| " + escape(MALICIOUS) + " | x |\n"
    h = _html(md)
    assert h.count("<td>") == 2 and MALICIOUS in _text(h)


def test_malicious_names_in_report(malicious_report):
    md = malicious_report.markdown.read_text()
    h = _html(md)
    assert "<script" not in h
    text = _text(h)
    assert f"Expressivity report: {MALICIOUS}" in text
    assert f"Branch b {MALICIOUS}" in text
    assert f"desc {MALICIOUS}" in text
    # the only math in the file is ours: every "$" of the name is escaped
    assert MALICIOUS not in md and escape(MALICIOUS) in md


def test_paper_mixed_markdown(paper_mixed_report):
    md = paper_mixed_report.markdown.read_text()
    for heading in (
        "# Expressivity report: paper-mixed",
        "## Summary",
        "## Architecture",
        "## Figures",
        "## Rank bounds per partition",
        "## Comparison:",
        "## Reproducibility",
    ):
        assert heading in md
    # Claim 5 + Theorem 7 with per-edge widths on the paper's set: r^8 = 65536 at r = 4 (the 8
    # pairs sit inside the blocks); the trivial cap r^8 = 65536 too (docs/theory.md sec. 6.4)
    assert "65536 (Claim 5 + Theorem 7, widths per edge)" in md
    assert "$r^{8}$" in md and "65536 (propagation)" in md
    assert "upper bound $r^{8}$ $= 65536$" in md  # the summary's highlight
    assert "$16 r^{2}$ $= 256$" in md  # size 2 branches x 4 layers x k r r
    assert "![tree-0](figures/tree-0.png)" in md and "![hybrid](figures/hybrid.png)" in md
    assert "- command: `expressivity report builtin:paper-mixed --set r=4" in md
    h = _html(md)
    assert h.count("<table>") >= 4
