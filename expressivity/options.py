"""Options shared by the CLI commands (defined once, used by every command) and input helpers."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Annotated

import typer

from analyzer.spec import SpecError
from analyzer.symbols import ExprError, parse_assignment

SetOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        help="Give a symbol a value, e.g. --set r=4 (repeatable; M=r substitutes an expression).",
    ),
]
PartitionOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--partition",
        "-p",
        help="Explicit I as comma-separated used positions, e.g. 0,1,4,5 (repeatable).",
    ),
]
PartitionsOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--partitions",
        "-P",
        help="Partition family: nodes | halves | odd-even | blocks:K | all | paper | "
        "representative (repeatable).",
    ),
]
FormatOpt = Annotated[str, typer.Option("--format", "-f", help="Output format: table or json.")]
AllowLargeOpt = Annotated[
    bool,
    typer.Option(
        "--allow-large",
        help="Lift the size limits of analyzer/limits.py (the run may take long or use much memory).",  # noqa: E501
    ),
]
ExactOpt = Annotated[
    bool,
    typer.Option(
        "--exact", help="Show numbers exactly (all digits) instead of 2^2048 / ≈ 3.2e616."
    ),
]
AllRowsOpt = Annotated[
    bool,
    typer.Option("--all-rows", help="One row per partition (no grouping of identical rows)."),
]


def parse_sets(items: list[str] | None) -> dict:
    out = {}
    for it in items or []:
        try:
            k, v = parse_assignment(it)
        except ExprError as exc:
            raise SpecError("--set", "", str(exc)) from None
        out[k] = v
    return out


def check_format(fmt: str, allowed=("table", "json")) -> str:
    if fmt not in allowed:
        raise SpecError(
            "--format", "", f"unknown format {fmt!r} (choose from {', '.join(allowed)})"
        )
    return fmt


def guarded(fn: Callable) -> Callable:
    """Turn bad input (SpecError, ExprError) into one message on stderr and exit code 2."""

    @wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (SpecError, ExprError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            raise typer.Exit(2) from None

    return wrapper


@contextmanager
def progress_bar(what: str = "certifying") -> Iterator[Callable[[int, int, str], None] | None]:
    """A rich progress bar on stderr for long runs: yields ``callback(done, total, label)``.

    Yields None when stderr is not a terminal (pipes, CI, tests), so output stays clean.
    """
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    cols = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*cols, console=Console(stderr=True), transient=True) as prog:
        task = prog.add_task(what, total=None)

        def callback(done: int, total: int, label: str) -> None:
            prog.update(task, completed=done, total=total, description=f"{what} {label}")

        yield callback
