"""Reports: what an architecture can represent, what was verified, how it compares.

Results are data, rendering is separate:

* :func:`build_report` runs the analyzer (symbolic and at the given values), the harness
  (optional) and the comparison (optional) and returns a :class:`ReportData`;
  :func:`build_report_data` does the same from their JSON dicts (pure).
* :func:`reports.figures.make_figures` gives the figures as matplotlib objects,
  :meth:`ReportData.partition_table` the table; :func:`render_markdown` and
  :func:`render_pdf` write them out; :func:`write_report` does everything. Both take a
  :class:`ReportOptions` (what to run and write).

Deterministic given the seed: two runs give the same numbers (only the date and the elapsed
time in the reproducibility section differ).
"""

import importlib

# performance only (issue 12): the submodules are imported on first use of a name (PEP 562),
# so `from reports.safe_text import visible` (every CLI command) does not load the report
# builder, figures and PDF code
_WHERE = {
    "ComparisonInfo": "model",
    "FORMATS": "build",
    "FigureSpec": "figures",
    "MAX_DEFAULT_PARTITIONS": "build",
    "MissingDependency": "errors",
    "PartitionRow": "model",
    "ReportData": "model",
    "ReportError": "errors",
    "ReportFiles": "build",
    "ReportOptions": "build",
    "Reproducibility": "model",
    "build_report": "build",
    "build_report_data": "model",
    "check_dependencies": "build",
    "check_output_dir": "build",
    "comparison_from_dict": "model",
    "comparison_info": "model",
    "default_report_families": "build",
    "escape": "markdown",
    "make_figures": "figures",
    "parse_formats": "build",
    "plan_figures": "figures",
    "render_markdown": "markdown",
    "render_pdf": "pdf",
    "reproducibility_info": "model",
    "save_figures": "figures",
    "write_report": "build",
}


def __getattr__(name: str):
    mod = _WHERE.get(name)
    if mod is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{mod}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))


__all__ = [
    "FORMATS",
    "MAX_DEFAULT_PARTITIONS",
    "ComparisonInfo",
    "FigureSpec",
    "MissingDependency",
    "PartitionRow",
    "ReportData",
    "ReportError",
    "ReportFiles",
    "ReportOptions",
    "Reproducibility",
    "build_report",
    "build_report_data",
    "check_dependencies",
    "check_output_dir",
    "comparison_from_dict",
    "comparison_info",
    "default_report_families",
    "escape",
    "make_figures",
    "parse_formats",
    "plan_figures",
    "render_markdown",
    "render_pdf",
    "reproducibility_info",
    "save_figures",
    "write_report",
]
