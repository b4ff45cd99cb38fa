"""``expressivity regress SUITE``: run a suite (exit 0 all pass, 1 a failure, 2 bad input)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from analyzer.numbers import jsonable
from analyzer.spec import SpecError
from reports.safe_text import rich_text, visible

from .options import (
    REPORT_AT,
    STATE,
    AllowLargeOpt,
    FormatOpt,
    MaxKOpt,
    SeedOpt,
    SetOpt,
    check_format,
    check_seed,
    guarded,
    limits_for,
    parse_sets,
)

JunitOpt = Annotated[
    Path | None,
    typer.Option("--junit", help="Also write JUnit XML (testsuite/testcase/failure) to this file."),
]
SizeOpt = Annotated[
    str,
    typer.Option("--size", help="builtin:paper only: default (CI-sized) or large."),
]


def render(result, console: Console) -> None:
    t = Table(title=f"regression suite {rich_text(result.suite)}", title_justify="left")
    for col in ("status", "group", "check", "numbers"):
        t.add_column(col, overflow="fold")
    style = {"pass": "green", "fail": "bold red", "error": "bold red"}
    for c in result.checks:
        t.add_row(
            f"[{style[c.status]}]{c.status.upper()}[/]",
            rich_text(c.group),
            rich_text(c.name),
            rich_text(c.message),
        )
    console.print(t)
    n = result.counts()
    verdict = "all checks pass" if result.ok else f"{n['failed']} failed, {n['errors']} error(s)"
    console.print(
        f"{n['passed']}/{n['checks']} passed in {result.seconds:.1f} s: {verdict}", markup=False
    )


def register(app: typer.Typer) -> None:
    @app.command("regress")
    @guarded
    def regress_cmd(
        suite: str = typer.Argument(
            ..., help="builtin:paper, a spec file, or a directory of specs (with 'checks:')."
        ),
        junit: JunitOpt = None,
        fmt: FormatOpt = "table",
        set_: SetOpt = None,
        size: SizeOpt = "default",
        certify: bool = typer.Option(
            True, "--certify/--no-certify", help="Spec suites: certify ranks with the harness."
        ),
        seed: SeedOpt = 0,
        max_k: MaxKOpt = None,
        allow_large: AllowLargeOpt = False,
    ):
        """Check that the theory still matches what the networks do; exit 1 on any failure."""
        from checks import SuiteOptions, run_suite
        from reports.junit import to_junit

        check_format(fmt)
        check_seed(seed)
        limits = limits_for(allow_large)
        options = SuiteOptions(
            values=parse_sets(set_, limits),
            certify=certify,
            size=size,
            seed=seed,
            limits=limits,
            max_k=max_k,
        )
        result = run_suite(suite, options)
        if junit is not None:
            try:
                junit.write_text(to_junit(result), encoding="utf-8")
            except OSError as exc:
                raise SpecError("--junit", "", f"cannot write {junit}: {exc}") from None
        if fmt == "json":
            print(json.dumps(jsonable(result.to_dict()), indent=2))
        else:
            render(result, Console(highlight=False, width=max(Console().width, 120)))
        errors = [c for c in result.checks if c.error]
        if errors:  # a check that raised is a bug, not a failed theory check: exit 3, never 1
            first = errors[0]
            if STATE.debug:
                print(first.traceback, file=sys.stderr)
            print(
                visible(
                    f"internal error: {len(errors)} check(s) raised an exception, e.g. "
                    f"{first.group} / {first.name}: {first.message} ({REPORT_AT}; rerun with "
                    "--debug for the traceback)"
                )[:1000],
                file=sys.stderr,
            )
            raise typer.Exit(3)
        if not result.ok:
            raise typer.Exit(1)


__all__ = ["register", "render"]
