"""The ``expressivity`` command line: thin commands over the Python API.

Exit codes: 0 success, 1 a check failed (violation / failed regression), 2 bad input.
"""

from __future__ import annotations

import json

import typer

from . import cmd_analyze, cmd_compare, cmd_regress, cmd_report, cmd_verify

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="What a dilated convolutional architecture can and cannot represent, with proofs.",
    pretty_exceptions_enable=False,
)

# one module per command; each adds its command(s) to the app
cmd_analyze.register(app)
cmd_compare.register(app)
cmd_regress.register(app)
cmd_verify.register(app)
cmd_report.register(app)


@app.command("builtins")
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


def main() -> None:  # console-script entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
