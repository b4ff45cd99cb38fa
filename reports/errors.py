"""Errors of report generation: one clear message each (the CLI prints it and exits 2)."""

from __future__ import annotations

__all__ = ["ReportError", "MissingDependency"]


class ReportError(Exception):
    """A report cannot be produced (bad format, unwritable directory, failed typesetting)."""


class MissingDependency(ReportError):
    """An optional library is not importable; the message names the pip command that fixes it."""

    def __init__(self, package: str, fix: str, purpose: str = ""):
        self.package, self.fix = package, fix
        why = f" (needed for {purpose})" if purpose else ""
        super().__init__(f"{package} is not installed{why}; install it with: {fix}")
