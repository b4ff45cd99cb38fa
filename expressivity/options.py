"""Options shared by the CLI commands (defined once, used by every command), input helpers and
the exit-code contract (:func:`guarded`, the one place that turns exceptions into exit codes).

Exit codes (README "Exit codes", docs/limits.md): 0 ran clean; 1 a violation or a failed check
(raised by the commands as ``typer.Exit(1)``); 2 bad input or a refused size
(:class:`~analyzer.errors.SpecError`, :class:`~analyzer.errors.ExprError`,
:class:`~analyzer.errors.LimitError`, :class:`reports.errors.ReportError`, and click's usage
errors); 3 an internal error (any other exception). One line on stderr; the traceback only with
the global ``--debug`` flag.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Annotated

import typer

from analyzer.errors import ExprError, LimitError, OptionError, SpecError
from analyzer.limits import DEFAULT_LIMITS, Limits
from analyzer.symbols import parse_assignment
from reports.safe_text import visible

REPORT_AT = "please report it: see README.md, 'Exit codes'"

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
        help="Lift the size limits of analyzer/limits.py (the run may take long or use much "
        "memory).",
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
SpecArg = Annotated[str, typer.Argument(help="Spec file (YAML/JSON) or builtin:NAME.")]
SeedOpt = Annotated[
    int, typer.Option("--seed", help="Seed of the random weights and samples, and of searches.")
]
WeightsOpt = Annotated[
    str,
    typer.Option(
        "--weights", help="shared (a convolution) or per-node (the paper's decomposition)."
    ),
]
BackendOpt = Annotated[str, typer.Option("--backend", help="numpy or cupy (GPU).")]
ModeOpt = Annotated[
    str,
    typer.Option("--mode", help="exact (certified, mod p), float (SVD estimate) or both."),
]
MaxKOpt = Annotated[
    int | None,
    typer.Option(
        "--max-k",
        help="Cap on K, the sampled rows/columns (verify, regress: none by default, K grows "
        "within the memory/time budgets; compare: with --certify).",
    ),
]
# the comparison's options (compare, and report --compare)
SweepOpt = Annotated[
    str | None,
    typer.Option(
        "--sweep",
        help="A's symbol and its values, e.g. r=2,4,8,16 (default: A's only symbol over 2,4,8,16).",
    ),
]
CopiesOpt = Annotated[
    int,
    typer.Option(
        "--copies", help="B is a sum of this many copies (Corollary 8: 'or a summation thereof')."
    ),
]
SearchOpt = Annotated[
    str,
    typer.Option(
        "--search",
        help="Gap search: auto (exhaustive up to 16 used modes, else local), exhaustive, "
        "local, none.",
    ),
]
SEED_MAX = 2**32 - 1

# the flag of each library option named in an OptionError (default: --name-with-dashes)
FLAGS = {
    "values": "--set",
    "values_A": "--set",
    "values_B": "--set-b",
    "partitions": "--partition",
    "families": "--partitions",
    "memory_bytes": "--memory",
    "budgets": "--memory/--seconds",
    "arithmetic": "--mode",
}


def flag_of(option: str) -> str:
    """The command-line flag of a library option (``max_k`` -> ``--max-k``)."""
    return FLAGS.get(option, "--" + option.replace("_", "-"))


def message(exc: BaseException) -> str:
    """The text of an exception with the library's option names turned into flags."""
    option = getattr(exc, "option", "")
    if option and isinstance(exc, (OptionError, LimitError)):
        where = f"{exc.source}: " if exc.source else ""
        return f"{where}{flag_of(option)}: {exc.problem}"
    return str(exc)


class _State:
    """Global flags of one invocation (set by the app's callback in cli.py)."""

    debug: bool = False


STATE = _State()


def limits_for(allow_large: bool) -> Limits:
    """The limits of a run: the defaults, or (``--allow-large``) :meth:`Limits.large`."""
    return Limits.large() if allow_large else DEFAULT_LIMITS


def check_seed(seed: int, option: str = "--seed") -> int:
    if not 0 <= seed <= SEED_MAX:
        raise SpecError(option, "", f"a seed must be an integer in 0..2**32-1, got {seed}")
    return seed


def parse_sets(items: list[str] | None, limits: Limits = DEFAULT_LIMITS) -> dict:
    out = {}
    for it in items or []:
        try:
            k, v = parse_assignment(it, limits)
        except LimitError as exc:
            raise LimitError("--set", exc.what, exc.value, exc.limit, exc.lift) from None
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


def exit_code_for(exc: BaseException) -> int:
    """The exit code of an exception escaping a command: 2 bad input / refused size, 3 else."""
    from reports.errors import ReportError

    if isinstance(exc, (SpecError, ExprError, ReportError)):
        return 2
    return 3


def error_line(exc: BaseException) -> str:
    """The one line printed on stderr for an exception (control characters made visible)."""
    if exit_code_for(exc) == 2:
        text = f"error: {message(exc)}"
    else:
        what = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        if len(what) > 300:
            what = what[:300] + " ..."
        text = f"internal error: {what} ({REPORT_AT}; rerun with --debug for the traceback)"
    return visible(" ".join(text.split()))


def fail(exc: BaseException) -> typer.Exit:
    """Print the contract's line for ``exc`` (and the traceback with --debug); the Exit to raise."""
    if STATE.debug:
        traceback.print_exception(exc, file=sys.stderr)
    print(error_line(exc), file=sys.stderr)
    return typer.Exit(exit_code_for(exc))


def _typer_errors() -> tuple[type[BaseException], ...]:
    """typer's own exceptions, which carry their exit codes: Exit, Abort and click's
    ClickException. Found through typer, not by importing click: typer >= 0.29 ships its own
    copy of click (``typer._click``) and no longer installs click, whose exceptions it does
    not raise; older versions re-export click's."""
    click_error = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")
    return (typer.Exit, typer.Abort, click_error)


def guarded(fn: Callable) -> Callable:
    """The exit-code contract around a command: typer's and click's own exceptions pass;
    bad input becomes exit 2, anything else exit 3 (one line on stderr, no traceback)."""
    passthrough = _typer_errors()

    @wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except passthrough:
            raise
        except KeyboardInterrupt:
            print("interrupted", file=sys.stderr)
            raise typer.Exit(130) from None
        except Exception as exc:  # noqa: BLE001 - the contract: every other exception is exit 3
            raise fail(exc) from None

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
