"""The results of a comparison: one row per partition, one point per sweep value, the whole
comparison with its verdict (``to_dict``: the JSON of ``expressivity compare -f json``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["CompareRow", "ComparePoint", "Comparison"]


@dataclass
class CompareRow:
    """One partition at one sweep point."""

    I: list[int]
    label: str
    lower_A: int  # the lower bound used (max of symbolic and certified)
    lower_A_source: str
    required_width: int | None  # None: B cannot reach lower_A at any width
    upper_B: int | None  # c * B's upper bound at the required width
    upper_B_below: int | None  # c * B's upper bound at the next smaller admissible width
    hybrid_pairs: int | None = None
    hybrid_witness: list[dict] | None = None
    upper_A: int | None = None  # analyzer's upper bound on A's rank (reported rows)
    certified_A: int | None = None
    certified_status: str | None = None

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class ComparePoint:
    """One value of A's sweep symbol.

    ``required_width`` is the largest requirement over the partitions that some width of B can
    match; ``unmatched`` is a partition that no width matches (then B cannot replicate A at all).
    """

    value: int | None
    values_A: dict[str, int]
    input_channels: int
    size_A: int
    required_width: int | None  # None: no width suffices (or B is concrete and fails)
    width_values: dict[str, int]  # B's symbols at the required width
    size_B: int | None  # copies * parameter_count(B at the required width)
    witness: CompareRow
    rows: list[CompareRow]  # named partitions, then the search's best ones
    examined: int  # partitions examined
    search: str  # exhaustive | local | none
    matches: bool | None = None  # B concrete: does it pass every partition?
    unmatched: CompareRow | None = None  # a partition on which no width of B suffices

    @property
    def informative(self) -> bool:
        """The requirement comes from a nontrivial lower bound on A (> 1)."""
        return self.witness.lower_A > 1 and self.required_width is not None

    @property
    def ratio(self) -> float | None:
        if self.size_B is None:
            return None
        return self.size_B / self.size_A

    def to_dict(self) -> dict:
        return {
            "value": self.value,
            "values_A": self.values_A,
            "input_channels": self.input_channels,
            "size_A": self.size_A,
            "required_width": self.required_width,
            "width_values": self.width_values,
            "size_B": self.size_B,
            "size_ratio": self.ratio,
            "informative": self.informative,
            "matches": self.matches,
            "unmatched": None if self.unmatched is None else self.unmatched.to_dict(),
            "examined": self.examined,
            "search": self.search,
            "witness": self.witness.to_dict(),
            "rows": [r.to_dict() for r in self.rows],
        }


@dataclass
class Comparison:
    """A vs B over a sweep: requirements, growth exponent and verdict (``to_dict``: the JSON)."""

    A: str
    A_source: str
    B: str
    B_source: str
    sweep_symbol: str | None
    sweep_values: list[int]
    values_A: dict[str, str]
    values_B: dict[str, str]
    width_symbols: list[str]
    copies: int
    modes: int  # used positions of A
    points: list[ComparePoint]
    exponent: float | None  # least-squares slope of log size_B against log size_A
    # least-squares slope of log required width against log sweep value
    width_exponent: float | None
    fit_values: list[int]
    verdict: str
    verdict_text: str
    finite_verdict: str  # the verdict over the partitions a finite width matches
    witness: dict | None  # the partition (and hybrid tree) that sets the finite requirement
    unmatched_witness: dict | None  # a partition no width of B matches (verdict "unbounded")
    upper_B_symbolic: str | None  # B's upper bound at the final witness, a function of B's widths
    # A's lower bound at the final witness, a function of A's symbols
    lower_A_symbolic: str | None = None
    certified: bool = False
    notes: list[str] = field(default_factory=list)
    # the two bounds at the final witness as the analyzer's values (sympy expressions, analyzer
    # posynomials or ints; the ``*_symbolic`` texts are their JSON form), for typesetting
    lower_A_expr: Any = field(default=None, repr=False, compare=False)
    upper_B_expr: Any = field(default=None, repr=False, compare=False)

    @property
    def unbounded(self) -> bool:
        return self.unmatched_witness is not None

    def to_dict(self) -> dict:
        return {
            "A": {"name": self.A, "source": self.A_source, "values": self.values_A},
            "B": {
                "name": self.B,
                "source": self.B_source,
                "values": self.values_B,
                "width_symbols": self.width_symbols,
                "copies": self.copies,
            },
            "sweep": {"symbol": self.sweep_symbol, "values": self.sweep_values},
            "modes": self.modes,
            "certified": self.certified,
            "points": [p.to_dict() for p in self.points],
            "exponent": self.exponent,
            "width_exponent": self.width_exponent,
            "fit_values": self.fit_values,
            "verdict": self.verdict,
            "verdict_text": self.verdict_text,
            "finite_verdict": self.finite_verdict,
            "witness": self.witness,
            "unmatched_witness": self.unmatched_witness,
            "lower_A_symbolic": self.lower_A_symbolic,
            "upper_B_symbolic": self.upper_B_symbolic,
            "notes": self.notes,
        }
