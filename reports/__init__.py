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

from .build import (
    FORMATS,
    MAX_DEFAULT_PARTITIONS,
    ReportFiles,
    ReportOptions,
    build_report,
    check_dependencies,
    check_output_dir,
    default_report_families,
    parse_formats,
    write_report,
)
from .errors import MissingDependency, ReportError
from .figures import FigureSpec, make_figures, plan_figures, save_figures
from .markdown import escape, render_markdown
from .model import (
    ComparisonInfo,
    PartitionRow,
    ReportData,
    Reproducibility,
    build_report_data,
    comparison_from_dict,
    reproducibility_info,
)
from .pdf import render_pdf

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
