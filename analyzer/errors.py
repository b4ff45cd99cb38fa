"""The project's error types, in one leaf module (no imports from the rest of the project).

Exit-code contract of the command line (docs/limits.md): ``SpecError`` and its subclasses are
bad input or a refused size (exit 2); any other exception is an internal error (exit 3).
Library messages name options by their parameter names (``OptionError``); only
``LimitError``'s ``lift`` text names the command-line flag that lifts a limit.
"""

from __future__ import annotations

__all__ = ["SpecError", "OptionError", "ExprError", "LimitError"]


class SpecError(ValueError):
    """Bad input: names the source (file, builtin or option), the field and the problem."""

    def __init__(self, source: str, field: str, problem: str):
        self.source, self.field, self.problem = source, field, problem
        where = f"{source}: " if source else ""
        at = f"{field}: " if field else ""
        super().__init__(f"{where}{at}{problem}")


class OptionError(SpecError):
    """A bad value of an option of a library call, named by the parameter (``max_k``,
    ``values``, ``search``), never by a command-line flag: a front end names it its own way
    (the command line maps it to its flag, ``expressivity.options.FLAGS``).

    ``source`` optionally says where the value came from (a spec, a check of a suite).
    """

    def __init__(self, option: str, problem: str, source: str = ""):
        self.option = option
        super().__init__(source, option, problem)


class ExprError(ValueError):
    """A width expression that cannot be parsed or evaluated."""


class LimitError(SpecError):
    """A refused size: what was estimated, the limit, and the option that lifts it.

    Raised *before* the work starts (see :mod:`analyzer.limits`). ``option``: the library
    option whose value is refused, when one is (a front end names it its own way).
    """

    def __init__(self, source: str, what: str, value, limit, lift: str, option: str = ""):
        self.what, self.value, self.limit, self.lift = what, value, limit, lift
        self.option = option
        super().__init__(
            source, "", f"{what} is {value}, above the limit {limit} ({lift} lifts it)"
        )
