"""Render :class:`reports.model.ReportData` as PDF with typst (no TeX, no network).

The template ``reports/templates/report.typ`` reads *all* data from one JSON string passed as
``sys_inputs["data"]`` (``json(bytes(sys.inputs.at("data")))``), so user strings are typst
string values rendered as text, never markup. Figures are PNGs inside the compile root (the
report's output directory). Bundled fonts only (``ignore_system_fonts``) and no document date,
so the same data gives the same PDF.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

from .errors import MissingDependency, ReportError
from .figures import FigureSpec
from .mathexpr import to_tree
from .model import ReportData, fmt_positions
from .safe_text import visible

__all__ = ["render_pdf", "pdf_payload", "template_source"]


def template_source() -> bytes:
    return (resources.files("reports") / "templates" / "report.typ").read_bytes()


def _typst():
    try:
        import typst
    except ImportError:
        raise MissingDependency("typst", "pip install typst", "the PDF report") from None
    return typst


def pdf_payload(data: ReportData, figures: list[FigureSpec] = ()) -> dict:
    """The JSON the template reads: the report data plus a few display strings."""
    d = data.to_dict()
    d["figure_files"] = [
        {"filename": f.filename, "caption": f.caption, "kind": f.kind} for f in figures
    ]
    d["table_modes"] = fmt_positions(data.modes)
    d["mixture_text"] = [[fmt_positions(n) for n in conn] for conn in data.mixture_nodes]
    d["hybrid_segments_text"] = (
        [fmt_positions(s) for s in data.hybrid_trees["segments"]] if data.hybrid_trees else []
    )
    d["exchange_math"] = [
        None if c.get("exchange") is None else to_tree(c["exchange"], data.symbols)
        for c in data.connections
    ]
    d["hybrid_width_math"] = (
        to_tree(data.hybrid_trees["width"], data.symbols) if data.hybrid_trees else None
    )
    d["witness_text"] = data.comparison.witness_text() if data.comparison is not None else None
    return _visible_strings(d)


def _visible_strings(x):
    """Every string of the payload with control/bidi characters made visible (the template
    shows strings as data, never as markup; this keeps invisible characters out of the PDF)."""
    if isinstance(x, str):
        return visible(x)
    if isinstance(x, dict):
        return {k: _visible_strings(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_visible_strings(v) for v in x]
    return x


def render_pdf(
    data: ReportData,
    out_dir: str | Path,
    figures: list[FigureSpec] = (),
    filename: str = "report.pdf",
) -> Path:
    """Compile the report to ``out_dir/filename``; figures must already be under ``out_dir``."""
    typst = _typst()
    out = Path(out_dir)
    payload = json.dumps(pdf_payload(data, figures), sort_keys=True, allow_nan=False, default=str)
    target = out / filename
    try:
        typst.compile(
            template_source(),
            output=str(target),
            root=str(out),
            sys_inputs={"data": payload},
            ignore_system_fonts=True,
        )
    except Exception as exc:  # typst raises its own error type (TypstError)
        raise ReportError(f"typst could not compile the PDF report: {exc}") from None
    return target
