"""theory.md section 5 as data: one named table of known cases for every implementation.

M = 3, all widths r = 2, k = 2, N = 8, paper output convention. Each row is a builtin spec;
each column is I written as its positions ("0145" = {0, 1, 4, 5}); the entry is the exact
generic rank of [A]_I, copied from ../shared/docs/theory.md (never from the code's output).
Shared and per-node weights agree (theory.md). Used by the analyzer tests (bounds bracket the
numbers; equal on the trees) and by the harness tests (certified ranks reproduce them).
"""

from __future__ import annotations

WORKED_COLUMNS: tuple[str, ...] = ("01", "0123", "02", "0145", "0246", "04", "012", "1256", "0356")

# builtin name -> (is a single tree, generic ranks in WORKED_COLUMNS order)
WORKED_TABLE: dict[str, tuple[bool, tuple[int, ...]]] = {
    "worked-T": (True, (2, 1, 4, 4, 16, 4, 2, 16, 16)),
    "worked-Tp": (True, (4, 1, 2, 16, 4, 4, 2, 16, 16)),
    "worked-Trev": (True, (4, 16, 4, 4, 1, 2, 8, 4, 16)),
    "worked-T-plus-Tp": (False, (6, 2, 6, 20, 20, 7, 4, 31, 31)),
    "worked-mix2": (False, (6, 2, 6, 34, 34, 9, 6, 49, 49)),
    "worked-mix2-sum": (False, (6, 2, 6, 36, 36, 9, 6, 49, 49)),
    "worked-T-plus-Trev": (False, (6, 17, 7, 8, 17, 6, 10, 20, 31)),
}


def column_positions(col: str) -> list[int]:
    """ "0145" -> [0, 1, 4, 5] (N = 8: every position is one digit)."""
    return [int(ch) for ch in col]


def partition_arg(col: str) -> str:
    """ "0145" -> "0,1,4,5" (the --partition syntax)."""
    return ",".join(col)
