"""Size limits: the one place that says how large an input or a computation may get.

Every command estimates its cost before it starts (positions, units, partitions, matrix memory,
digits of a number, nesting depth) and compares it with a :class:`Limits` value; above a limit
it raises :class:`~analyzer.errors.LimitError`, which the command line turns into exit code 2
with one line naming the quantity, the limit and the flag that lifts it. A notebook user passes
``Limits()`` (the defaults), a modified copy (``dataclasses.replace``) or ``Limits.unlimited()``.

Pure: no I/O.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from .errors import LimitError

__all__ = ["Limits", "DEFAULT_LIMITS", "check"]


@dataclass(frozen=True)
class Limits:
    """Upper limits on input and work sizes; ``None`` means no limit.

    Each field documents the option that lifts it on the command line.
    """

    # --- input files (lifted by --allow-large)
    spec_bytes: int | None = 1 << 20  # size of a spec file
    nesting: int | None = 64  # depth of nested YAML/JSON lists and mappings
    int_digits: int | None = 30  # decimal digits of an integer in a spec or --set value

    # --- work (lifted by --allow-large)
    partitions: int | None = 100_000  # partitions analysed or verified in one run
    # analysis (issue 12; estimated from the spec alone, before the circuit is built)
    units: int | None = 2_000_000  # units (layer outputs at one time) feeding the output
    circuit_bytes: int | None = 1 << 28  # support bitmasks: units x size of an N-bit int (256 MiB)
    partition_units: int | None = 400_000_000  # partitions x units: propagation work
    bound_digits: int | None = 1_000_000  # decimal digits of the largest bound (N log10 M)
    all_modes: int | None = 20  # used modes for the 'all' family (2^(n-1) - 1 partitions)

    # --- hardening (issue 9; lifted by --allow-large except ``nesting``, see Limits.large)
    expr_chars: int | None = 1000  # characters of one width expression or --set value
    degree: int | None = 32  # polynomial degree of a width expression (r**32)
    kernel: int | None = 64  # kernel size of a layer
    layers: int | None = 64  # layers of one branch
    branches: int | None = 16  # branches of a spec
    # N of a branch and each dilation: an arithmetic backstop; the cost of a large N is
    # estimated by ``units`` and ``circuit_bytes`` before the circuit is built
    receptive_field: int | None = 1 << 40
    verify_units: int | None = 1 << 24  # live units of the widest layer in one verify block
    verify_bytes: int | None = 4 << 30  # verify's estimated peak memory (K x K matrix, units)
    partition_family: int | None = 4096  # partitions of one family (-P all) in verify/report
    verify_partitions: int | None = 1024  # partitions certified in one verify/report run

    @classmethod
    def unlimited(cls) -> Limits:
        return cls(**{f.name: None for f in dataclasses.fields(cls)})

    @classmethod
    def large(cls) -> Limits:
        """The limits under ``--allow-large``: none, except ``nesting`` (deeper structures
        would exhaust Python's recursion stack; it is a limit of the parser, not a cost)."""
        return dataclasses.replace(cls.unlimited(), nesting=cls().nesting)


DEFAULT_LIMITS = Limits()


def check(
    limits: Limits,
    name: str,
    value: int,
    *,
    what: str,
    source: str = "",
    lift: str = "--allow-large",
    option: str = "",
) -> None:
    """Raise :class:`LimitError` when ``value`` exceeds ``limits.<name>`` (None: no limit);
    ``option``: the library option whose value is refused, if one is."""
    limit = getattr(limits, name)
    if limit is not None and value > limit:
        raise LimitError(source, what, value, limit, lift, option=option)
