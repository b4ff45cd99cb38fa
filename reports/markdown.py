"""Render :class:`reports.model.ReportData` as Markdown (math as LaTeX ``$...$``).

Rendering only: every number and string comes from the data. Every user-controlled string
(spec name, source, description, branch names, notes, captions) goes through :func:`escape`
(:func:`reports.safe_text.markdown`), which neutralises Markdown syntax and HTML and makes
control and bidi characters visible, so it renders as literal text. Math is produced by
sympy's LaTeX printer from parsed expressions (never from raw user text).
"""

from __future__ import annotations

from collections.abc import Iterator

from analyzer.numbers import show

from . import safe_text
from .figures import FigureSpec
from .mathexpr import to_latex
from .model import PartitionRow, ReportData, fmt_int, fmt_positions

__all__ = ["escape", "render_markdown", "markdown_lines"]


def escape(text: object) -> str:
    """Literal text for Markdown (:func:`reports.safe_text.markdown`): no emphasis, links,
    HTML, math, tables or headings; control and bidi characters made visible."""
    return safe_text.markdown(text)


def _math(latex: str | None, fallback: str) -> str:
    return f"${latex}$" if latex is not None else escape(fallback)


def _cell(text: str) -> str:
    return escape(text) if text else "\\-"


def _table(header: list[str], rows: list[list[str]]) -> Iterator[str]:
    yield "| " + " | ".join(header) + " |"
    yield "|" + "|".join("---" for _ in header) + "|"
    for r in rows:
        yield "| " + " | ".join(r) + " |"


def _bound_cells(p: PartitionRow, side: str) -> tuple[str, str]:
    latex = getattr(p, f"{side}_latex")
    sym = _math(latex, getattr(p, f"{side}_symbolic"))
    num = getattr(p, side)
    src = getattr(p, f"{side}_source")
    return sym, (f"{fmt_int(num)} ({escape(src)})" if num is not None else f"\\- ({escape(src)})")


def markdown_lines(data: ReportData, figures: list[FigureSpec] = ()) -> Iterator[str]:
    """The report as a stream of Markdown lines (join with newlines)."""
    yield f"# Expressivity report: {escape(data.name)}"
    yield ""
    yield f"Source: {escape(data.source)}" + (
        f"  \n{escape(data.description)}" if data.description else ""
    )
    yield ""
    # ---- summary
    v = data.violations
    yield "## Summary"
    yield ""
    if v:
        yield f"**{len(v)} VIOLATION(S)**: a certified rank contradicts a proved bound."
        yield ""
        yield from _table(
            ["I", "status", "certified", "lower", "upper"],
            [
                [
                    escape(fmt_positions(p.I)),
                    escape(p.status),
                    escape(p.display()["certified"]),
                    escape(fmt_int(p.lower)),
                    escape(fmt_int(p.upper)),
                ]
                for p in v
            ],
        )
        yield ""
    elif data.verified:
        yield escape(data.verdict_line())
        yield ""
    hl = data.highlight
    if hl is not None:
        val = (
            f" $= {fmt_int(hl.lower)}$"
            if hl.lower is not None and show(hl.lower_symbolic) != fmt_int(hl.lower)
            else ""
        )
        uval = (
            f" $= {fmt_int(hl.upper)}$"
            if hl.upper is not None and show(hl.upper_symbolic) != fmt_int(hl.upper)
            else ""
        )
        cert = f"; certified: {escape(hl.display()['certified'])}" if hl.verified else ""
        yield (
            f"Strongest lower bound: I = {escape(fmt_positions(hl.I))} ({escape(hl.label)}): rank "
            f"$\\geq$ {_math(hl.lower_latex, hl.lower_symbolic)}{val} ({escape(hl.lower_source)}), "
            f"upper bound {_math(hl.upper_latex, hl.upper_symbolic)}{uval}{cert}."
        )
        yield ""
    if data.comparison is not None:
        c = data.comparison
        exp = f" (fitted size exponent {c.exponent:.3f})" if c.exponent is not None else ""
        yield (
            f"Comparison with {escape(c.b_name)}: **{escape(c.verdict)}**{exp}; see "
            "the section Comparison."
        )
        yield ""
    counts = ", ".join(f"{escape(k)}: {n}" for k, n in sorted(data.status_counts().items()))
    yield f"Partitions: {len(data.partitions)} ({counts})."
    if data.omitted_partitions:
        yield (
            f"{data.omitted_partitions} further partition(s) of the default families were "
            "omitted (cap)."
        )
    if data.verification_note:
        yield ""
        yield f"Note: {escape(data.verification_note)}"
    yield ""
    # ---- architecture
    yield "## Architecture"
    yield ""
    yield f"- kind: {escape(data.kind)}; pooling: {escape(data.pooling)}" + (
        "; linear read-out (an extension)" if data.readout else ""
    )
    m = (
        f"$M = {data.input_channels_latex}$"
        if data.input_channels_latex is not None
        else f"M = {escape(data.input_channels)}"
    )
    if data.input_channels_value is not None:
        m += f" = {escape(data.input_channels_value)}"
    yield f"- input channels: {m}"
    if data.values:
        vals = ", ".join(f"{escape(k)} = {escape(x)}" for k, x in data.values.items())
        yield f"- values: {vals}"
    elif data.symbols:
        yield f"- symbols: {escape(', '.join(data.symbols))} (unset)"
    yield (
        f"- receptive field: $N = {data.receptive_field}$; used modes ({len(data.modes)}): "
        f"{escape(fmt_positions(data.modes))}"
    )
    params = _math(data.parameters_latex, data.parameters_symbolic)
    num = data.parameters_value
    if num is not None and data.parameters_symbolic != fmt_int(num):
        params += f" $= {fmt_int(num)}$"
    yield f"- parameters: {params}"
    yield ""
    for b in data.branches:
        yield f"### Branch {escape(b.name)}"
        yield ""
        yield f"{escape(b.kind)}, receptive field {b.receptive_field}" + (
            f", used modes {escape(fmt_positions(b.modes))}"
            if b.modes is not None
            else ", no mode tree"
        )
        yield ""
        yield from _table(
            ["layer", "kernel", "dilation", "width"],
            [
                [
                    str(i),
                    str(ly.kernel),
                    str(ly.dilation),
                    _math(ly.width_latex, ly.width)
                    + ("" if ly.width_value is None else f" = {escape(ly.width_value)}"),
                ]
                for i, ly in enumerate(b.layers, 1)
            ],
        )
        yield ""
    if data.connections:
        yield "### Connections and mixture nodes"
        yield ""
        for conn, mix in zip(data.connections, data.mixture_nodes, strict=False):
            if conn.get("mode") == "exchange":
                x = _math(to_latex(conn.get("exchange"), data.symbols), str(conn.get("exchange")))
                if conn.get("exchange_value") is not None:
                    x += f" = {escape(conn['exchange_value'])}"
                how = f"exchange {x} channels"
            else:
                how = "elementwise sum (an extension)"
            valid = (
                ""
                if conn.get("valid", True)
                else " (joins different supports: overlapping circuit)"
            )
            nodes = ", ".join(escape(fmt_positions(m)) for m in mix)
            yield (
                f"- after layer {conn['after_layer']}, branches "
                f"{escape(' + '.join(conn.get('branches', [])))}: {how}{valid}; "
                f"mixture nodes ({len(mix)}): {nodes}"
            )
        yield ""
    if data.hybrid_trees:
        h = data.hybrid_trees
        hw = _math(to_latex(h["width"], data.symbols), str(h["width"]))
        if h.get("width_value") is not None:
            hw += f" = {escape(h['width_value'])}"
        yield (
            f"Hybrid trees (Def. 4): {h['count']}, Claim 5 width {hw}; segments: "
            + ", ".join(escape(fmt_positions(s)) for s in h["segments"])
        )
        yield ""
    for n in data.notes:
        yield f"> Note: {escape(n)}"
        yield ""
    # ---- figures
    if figures:
        yield "## Figures"
        yield ""
        for f in figures:
            yield f"![{escape(f.key)}]({f.filename})"
            yield ""
            yield f"*{escape(f.caption)}*"
            yield ""
    # ---- partitions
    yield "## Rank bounds per partition"
    yield ""
    yield (
        "Rank of the matricization $[A]_I$ of the grid tensor for each partition $I \\mid J$ "
        "of the used modes. Symbolic bounds in the spec's symbols; numeric bounds at the values "
        "used, with the result they come from. *Certified*: exact rank over GF(p) of a sampled "
        "submatrix (a proof of a lower bound); *float*: SVD estimate."
    )
    yield ""
    header = [
        "#",
        "I",
        "tiling $\\Theta(I;T) \\mid \\Theta(J;T)$",
        "upper (symbolic)",
        "upper",
        "lower (symbolic)",
        "lower",
        "certified",
        "float",
        "status",
        "K, stop, error probability",
    ]
    rows = []
    for p in data.ordered_partitions():
        d = p.display()
        us, un = _bound_cells(p, "upper")
        ls, ln = _bound_cells(p, "lower")
        status = escape(d["status"])
        if p.is_violation:
            status = f"**{status}**"
        rows.append(
            [
                str(p.index),
                escape(d["I"]) + f" ({escape(p.label)})",
                _cell(d["tiling"]),
                us,
                un,
                ls,
                ln,
                escape(d["certified"]),
                escape(d["float"]),
                status,
                escape(d["certification"]),
            ]
        )
    yield from _table(header, rows)
    yield ""
    warns = [(p, w) for p in data.partitions for w in p.warnings]
    if warns:
        yield "Numerical warnings (never violations):"
        yield ""
        for p, w in warns:
            yield f"- I = {escape(fmt_positions(p.I))}: {escape(w)}"
        yield ""
    # ---- comparison
    c = data.comparison
    if c is not None:
        b = escape(c.b_name) + (f" (sum of {c.copies} copies)" if c.copies > 1 else "")
        yield f"## Comparison: {b} against {escape(c.a_name)}"
        yield ""
        yield (
            f"How large must {b} be to replicate {escape(c.a_name)}? For every partition, "
            f"{b}'s upper bound at its width must reach {escape(c.a_name)}'s lower bound "
            "(docs/theory.md sec. 8); the smallest passing width bounds the size it needs from "
            "below."
        )
        yield ""
        yield f"Verdict: **{escape(c.verdict)}**: {escape(c.verdict_text)}"
        if c.exponent is not None:
            yield ""
            yield (
                f"Fitted exponent $p = {c.exponent:.3f}$: (size of {b}) $\\sim$ (size of "
                f"{escape(c.a_name)})$^p$"
                + (
                    f"; width exponent {c.width_exponent:.3f}"
                    if c.width_exponent is not None
                    else ""
                )
            )
        yield ""
        if c.witness_text():
            yield f"Witness: {escape(c.witness_text())}"
            yield ""
        if c.lower_a_symbolic is not None or c.upper_b_symbolic is not None:
            yield (
                f"At the witness: lower bound of {escape(c.a_name)} "
                f"{_math(c.lower_a_latex, c.lower_a_symbolic or '-')}, upper bound of "
                f"{escape(c.b_name)} {_math(c.upper_b_latex, c.upper_b_symbolic or '-')}."
            )
            yield ""
        sym = escape(c.symbol or "value")
        yield from _table(
            [
                sym,
                f"size of {escape(c.a_name)}",
                f"width of {escape(c.b_name)}",
                f"size of {b}",
                "ratio",
                "deciding partition",
            ],
            [[escape(x) for x in r.values()] for r in c.table()],
        )
        yield ""
        for n in c.notes:
            yield f"> Note: {escape(n)}"
            yield ""
    # ---- reproducibility
    r = data.reproducibility
    if r is not None:
        yield "## Reproducibility"
        yield ""
        yield f"- command: `{_code(r.command)}`"
        for k in ("seed", "prime", "backend", "weights", "mode", "max_k"):
            val = getattr(r, k)
            if val is not None:
                yield f"- {k.replace('_', '-')}: {escape(val)}"
        yield f"- versions: {escape(', '.join(f'{k} {x}' for k, x in r.versions.items()))}"
        yield (
            f"- python {escape(r.python)} on {escape(r.platform)} ({escape(r.machine)}), "
            f"{r.cpu_count} CPU(s)"
        )
        yield f"- date: {escape(r.date)}"
        if r.elapsed_seconds is not None:
            yield f"- elapsed: {r.elapsed_seconds:.2f} s"
        yield ""


def _code(s: str) -> str:
    """Inline code can't be escaped with backslashes: drop backticks and newlines instead."""
    return safe_text.visible(" ".join(str(s).replace("`", "'").split()))


def render_markdown(data: ReportData, figures: list[FigureSpec] = ()) -> str:
    """The report as one Markdown string (figures referenced by relative path)."""
    return "\n".join(markdown_lines(data, figures)).rstrip() + "\n"
