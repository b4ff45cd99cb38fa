"""The ``expressivity`` command line: thin commands over the Python API.

Exit codes (enforced by :func:`expressivity.options.guarded` around every command and by
:func:`main` around the whole app): 0 ran clean, 1 a violation or a failed check, 2 bad input
or a refused size (one line on stderr), 3 an internal error (one line; the traceback with
``expressivity --debug ...``).
"""

from __future__ import annotations

import gc
import json
import sys

import typer

from . import cmd_analyze, cmd_compare, cmd_regress, cmd_report, cmd_verify
from .options import STATE, fail, guarded

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="What a dilated convolutional architecture can and cannot represent, with proofs.",
    pretty_exceptions_enable=False,
)


@app.callback()
def _global_options(
    debug: bool = typer.Option(
        False, "--debug", help="Show the Python traceback of an error (exit codes unchanged)."
    ),
) -> None:
    """What a dilated convolutional architecture can and cannot represent, with proofs.

    Exit codes: 0 ran clean, 1 a violation or a failed check, 2 bad input or a refused size,
    3 internal error.
    """
    STATE.debug = debug


# one module per command; each adds its command(s) to the app
cmd_analyze.register(app)
cmd_compare.register(app)
cmd_regress.register(app)
cmd_verify.register(app)
cmd_report.register(app)


@app.command("builtins")
@guarded
def builtins_cmd(fmt: str = typer.Option("table", "--format", "-f", help="table or json")):
    """List the built-in specs (use them as builtin:NAME)."""
    from analyzer.builtins import BUILTINS

    if fmt == "json":
        print(
            json.dumps({k: v.get("description", "") for k, v in sorted(BUILTINS.items())}, indent=2)
        )
        return
    for k in sorted(BUILTINS):
        print(f"builtin:{k:28} {BUILTINS[k].get('description', '')}")


def main(argv: list[str] | None = None) -> None:  # console-script entry point
    """Run the app; an exception escaping it (outside any command) is exit 3, never 1."""
    args = sys.argv[1:] if argv is None else list(argv)
    if argv is None:  # the process's entry point (console script, python -m expressivity)
        # performance only (issue 12): the imports' objects (sympy's, about a million) live
        # until the process ends; frozen, no later garbage collection walks them again, nor
        # the one at exit (0.2 s of the 1 s of `analyze builtin:paper-timit --format json`).
        # The analysis allocates millions of small objects and few cycles: collections run
        # after 50,000 allocations instead of 700 (0.15 s on every node of a depth-14 tree)
        gc.freeze()
        gc.set_threshold(50_000, 20, 20)
    STATE.debug = "--debug" in args  # also for an error before the app's callback runs
    try:
        app(args=args)
    except SystemExit:
        raise
    except Exception as exc:  # noqa: BLE001 - the exit-code contract
        code = fail(exc).exit_code
        raise SystemExit(code) from None


if __name__ == "__main__":  # pragma: no cover
    main()
