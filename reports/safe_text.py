"""Inert text: every user-provided string passes through here before it is shown.

A leaf module (imports nothing from the project), one function per destination:

* :func:`visible` - control, bidi and other invisible format characters (ESC, NUL, U+202E,
  zero-width joiners, ...) made visible as ``\\x1b`` / ``U+202E``, so nothing reaches a
  terminal or a file raw. Every other function applies it first.
* :func:`rich_text` - for Rich (tables, ``console.print`` with markup): ``[`` cannot open a
  tag (``rich.markup.escape``).
* :func:`mathtext` - for matplotlib labels and titles (``usetex`` off): ``$`` is escaped, so
  mathtext never parses user text.
* :func:`markdown` - literal Markdown (no emphasis, links, HTML, math, tables, headings).

Typst needs no function here: user strings reach the template as data (``sys.inputs``, JSON),
never as markup.
"""

from __future__ import annotations

import html
import re
import unicodedata

__all__ = ["visible", "rich_text", "mathtext", "markdown"]

# Unicode categories shown as code points: Cc (controls, NUL, ESC, DEL, C1), Cf (format: bidi
# overrides and isolates, zero-width characters, BOM), Cs (surrogates), Co (private use),
# Cn (unassigned), Zl/Zp (line and paragraph separators).
_HIDDEN = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
_KEEP = {"\n", "\t"}  # shown as-is where a caller allows them (see ``keep_newlines``)


def _show(ch: str) -> str:
    o = ord(ch)
    if o < 0x100:
        return f"\\x{o:02x}"
    return f"U+{o:04X}"


def visible(text: object, keep_newlines: bool = False) -> str:
    """``text`` with every control/bidi/invisible format character replaced by its escape.

    ``"a\\x1b[31mb"`` -> ``"a\\\\x1b[31mb"`` (a literal backslash, x, 1, b), ``"\\u202e"`` ->
    ``"U+202E"``. Newlines and tabs are kept only with ``keep_newlines``.
    """
    s = str(text)
    out = []
    for ch in s:
        if ch in _KEEP and keep_newlines:
            out.append(ch)
        elif unicodedata.category(ch) in _HIDDEN:
            out.append(_show(ch))
        else:
            out.append(ch)
    return "".join(out)


def rich_text(text: object) -> str:
    """Text for a Rich renderable with markup on: visible, and ``[`` escaped."""
    from rich.markup import escape

    return escape(visible(text))


def mathtext(text: object) -> str:
    """Text for a matplotlib title/label (mathtext on, ``usetex`` off): every ``$`` escaped.

    matplotlib parses a string as math when it has unescaped dollar signs (their count minus
    the count of ``\\$`` is even and positive); with every ``$`` written ``\\$`` that count is
    0, and the display turns each ``\\$`` back into ``$`` (backslashes outside math are
    literal), so the user's text is shown exactly.
    """
    return visible(text).replace("$", r"\$")


# Characters with inline meaning anywhere (emphasis, code, links, images, tables, math,
# strikethrough, HTML entities/tags); CommonMark lets any ASCII punctuation be backslash-escaped.
_INLINE = set("\\`*_{}[]()#!|$~")
_LEADING = re.compile(r"^(\s*)([-+=>]|\d+[.)])")  # would start a list/quote/heading in a block


def markdown(text: object) -> str:
    """Literal text for Markdown: no emphasis, links, HTML, math, tables or headings.

    Control and bidi characters are made visible (:func:`visible`); newlines collapse to
    spaces (a string cannot start a block); inline punctuation is backslash-escaped; ``<``,
    ``>`` and ``&`` become HTML entities; a leading ``-``, ``+``, ``=``, ``>`` or ``1.`` is
    escaped too.
    """
    s = visible(" ".join(str(text).split()))
    out = []
    for ch in s:
        if ch in _INLINE:
            out.append("\\" + ch)
        elif ch in "<>&":
            out.append(html.escape(ch))
        else:
            out.append(ch)
    res = "".join(out)
    m = _LEADING.match(res)
    if m:
        lead = m.group(2)
        res = (
            m.group(1)
            + (lead[:-1] + "\\" + lead[-1] if len(lead) > 1 else "\\" + lead)
            + res[m.end() :]
        )
    return res
