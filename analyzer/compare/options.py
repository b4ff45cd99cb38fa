"""What a comparison is asked to do: :class:`CompareOptions`, and the sweep's text form."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import OptionError
from ..partitions import Partition

__all__ = ["CompareOptions", "parse_sweep"]


@dataclass(frozen=True)
class CompareOptions:
    """The options of :func:`analyzer.compare.compare` (defaults: the CLI's).

    sweep : (symbol of A, values); default: A's only remaining symbol over 2, 4, 8, 16.
    values_A, values_B : fixed symbol values; B's remaining symbols are B's widths, all set to
        one integer w (a uniform width) and solved for.
    partitions, families : extra explicit partitions (A's positions: text ``"0,1,4,5"`` or a
        :class:`~analyzer.partitions.Partition`) and the partition families (default: paper,
        hybrid, odd-even, nodes).
    copies : B is a sum of this many copies: c * upper_B (subadditivity), c * size_B.
    search : ``auto`` (exhaustive over every partition when A has <= 16 used modes, else local),
        ``exhaustive``, ``local`` or ``none``; ``search_budget`` scores for the local search,
        seeded with ``seed``; ``top`` best partitions reported per sweep point.
    certify : also certify A's lower bounds (with the certifier passed to ``compare``) on the
        reported partitions, up to ``certify_max_k`` sampled rows and columns; the larger of
        the symbolic and the certified lower bound is used.
    symbolic : also give A's lower and B's upper bound at the final witness as expressions.
    lower_rules : ``all`` (every lower-bound rule of the analyzer, as ``analyze``) or ``paper``
        (Theorem 7 and Claim 5 as the paper states them: uniform widths, r/2 on every hybrid
        tree; reproduces Corollary 8's numbers).
    """

    sweep: tuple[str, list[int]] | None = None
    values_A: Mapping[str, Any] | None = None
    values_B: Mapping[str, Any] | None = None
    partitions: tuple[str | Partition, ...] = ()
    families: list[str] | None = None
    copies: int = 1
    search: str = "auto"
    search_budget: int = 2000
    seed: int = 0
    top: int = 5
    certify: bool = False
    certify_max_k: int = 1024
    symbolic: bool = True
    lower_rules: str = "all"


def parse_sweep(text: str) -> tuple[str, list[int]]:
    """``r=2,4,8,16`` -> (``r``, [2, 4, 8, 16]); OptionError (a SpecError) on bad input."""
    if "=" not in text:
        raise OptionError("sweep", f"expected NAME=V1,V2,..., got {text!r}")
    name, _, vals = text.partition("=")
    name = name.strip()
    if not name.isidentifier():
        raise OptionError("sweep", f"invalid symbol name {name!r}")
    out = []
    for v in vals.split(","):
        v = v.strip()
        if not v:
            continue
        try:
            x = int(v)
        except ValueError:
            raise OptionError("sweep", f"sweep values must be integers, got {v!r}") from None
        if x < 1:
            raise OptionError("sweep", f"sweep values must be >= 1, got {x}")
        out.append(x)
    if not out:
        raise OptionError("sweep", f"no values in {text!r}")
    return name, sorted(set(out))
