"""``expressivity report``: a Markdown and PDF report (analysis, verification, comparison)."""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from analyzer import SpecError
from reports.safe_text import visible

from .options import (
    AllowLargeOpt,
    BackendOpt,
    CopiesOpt,
    MaxKOpt,
    ModeOpt,
    PartitionOpt,
    PartitionsOpt,
    SearchOpt,
    SeedOpt,
    SetOpt,
    SpecArg,
    SweepOpt,
    WeightsOpt,
    check_seed,
    guarded,
    limits_for,
    parse_sets,
    progress_bar,
)


def register(app: typer.Typer) -> None:
    @app.command("report")
    @guarded
    def report_cmd(
        spec: SpecArg,
        compare: str | None = typer.Option(
            None, "--compare", help="Architecture B: how large must B be to replicate SPEC?"
        ),
        set_: SetOpt = None,
        partition: PartitionOpt = None,
        partitions: PartitionsOpt = None,
        verify: bool | None = typer.Option(
            None,
            "--verify/--no-verify",
            help="Certify ranks with the harness (default: when every symbol has a value).",
        ),
        fmt: str = typer.Option("md,pdf", "--format", "-f", help="Comma-separated: md, pdf."),
        out: str = typer.Option("report", "--out", "-o", help="Output directory."),
        seed: SeedOpt = 0,
        weights: WeightsOpt = "shared",
        backend: BackendOpt = "numpy",
        mode: ModeOpt = "both",
        max_k: MaxKOpt = None,
        sweep: SweepOpt = None,
        copies: CopiesOpt = 1,
        search: SearchOpt = "auto",
        allow_large: AllowLargeOpt = False,
    ):
        """Write OUT/report.md, OUT/report.pdf, OUT/report.json and OUT/figures/*.png.

        Exit code 0: report written; 1: written, but verification found a violation;
        2: bad input (spec, options, unwritable directory, missing optional dependency).
        """
        # not at the top: `expressivity analyze` needs no harness (NumPy)
        from checks.guards import check_all_family, check_verify_cost, check_verify_partitions
        from reports import ReportError, ReportOptions, write_report

        if weights not in ("shared", "per-node"):
            raise SpecError("--weights", "", f"unknown weights mode {weights!r} (shared, per-node)")
        if backend not in ("numpy", "cupy"):
            raise SpecError("--backend", "", f"unknown backend {backend!r} (numpy, cupy)")
        check_seed(seed)
        limits = limits_for(allow_large)
        values = parse_sets(set_, limits)
        # validate and size everything before any file or directory is created
        from analyzer import load_spec

        arch = load_spec(spec, limits=limits)
        concrete = arch.substitute(values, limits) if values else arch
        check_all_family(arch, partitions, limits)
        if verify is not False:
            check_verify_partitions(arch, partition, partitions, limits, source="report")
            check_verify_cost(concrete, max_k, weights, mode, limits, source="report")
        err = Console(stderr=True, highlight=False)
        try:
            options = ReportOptions(
                formats=fmt,
                compare=compare,
                values=values,
                partitions=tuple(partition or ()),
                families=partitions or None,
                verify=verify,
                seed=seed,
                weights=weights,
                backend=backend,
                mode=mode,
                max_k=max_k,
                sweep=sweep,
                copies=copies,
                search=search,
                limits=limits,
            )
            with progress_bar() as cb:
                files = write_report(spec, out, options, progress=cb)
        except ReportError as exc:
            print(f"error: {exc}", file=sys.stderr)
            raise typer.Exit(2) from None
        data = files.data
        for line in data.summary_lines():
            print(visible(line))
        for path in (files.markdown, files.pdf):
            if path is not None:
                print(visible(f"wrote {path}"))
        if data.verification_note:
            err.print(visible(f"note: {data.verification_note}"), markup=False)
        if data.violations:
            n = len(data.violations)
            err.print(f"VIOLATION: {n} partition(s); see the report", markup=False)
            raise typer.Exit(1)


__all__ = ["register"]
