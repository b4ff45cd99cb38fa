"""The growth of B's requirement over the sweep and the verdict (rule in docs/compare.md)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..circuit import fmt_positions
from .results import ComparePoint

__all__ = [
    "EXPONENTIAL_FRACTION",
    "NONE_TOLERANCE",
    "Verdict",
    "verdict_for",
    "judge",
]

EXPONENTIAL_FRACTION = 0.25  # "exponential in N" when the width exponent >= n / 4 (see verdict_for)
NONE_TOLERANCE = 0.05  # "none" when the size exponent is <= 1 + this


@dataclass(frozen=True)
class Verdict:
    """The fit over the informative points and what it says."""

    fit: list[ComparePoint]  # the points fitted: finite requirement, lower bound on A > 1
    exponent: float | None  # slope of log size_B against log size_A
    width_exponent: float | None  # slope of log required width against log sweep value
    verdict: str
    text: str
    finite_verdict: str  # the verdict over the partitions a finite width matches


def _lsq_slope(xs: list[float], ys: list[float]) -> float | None:
    if len(xs) < 2:
        return None
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    if sxx == 0:
        return None
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx


def verdict_for(
    exponent: float | None, width_exponent: float | None, modes: int
) -> tuple[str, str]:
    """The verdict rule (documented in docs/compare.md).

    * ``exponential in N``: the required width grows like ``s^q`` in A's sweep variable ``s``
      with ``q >= n/4`` (n used modes): the exponent is a fixed fraction of the number of
      modes, i.e. the width is ``(s^c)^N``. Deep-vs-deep exponents are bounded (Corollary 8:
      below 2); shallow-vs-deep ones are about n/2 (Theorem 7 on the odd-even partition).
    * ``none``: size exponent <= 1.05.
    * otherwise ``polynomial (degree ~p)``, p the size exponent.
    """
    if exponent is None:
        return (
            "undetermined",
            "fewer than two sweep points with a nontrivial lower bound on A: no exponent",
        )
    if width_exponent is not None and width_exponent >= EXPONENTIAL_FRACTION * modes:
        return (
            "exponential in N",
            f"required width ~ s^{width_exponent:.2f} with n = {modes} modes (exponent >= n/4): "
            f"exponential in N; size exponent {exponent:.2f}",
        )
    if exponent <= 1 + NONE_TOLERANCE:
        return "none", f"size exponent {exponent:.2f} ~ 1: no super-linear gap shown"
    return f"polynomial (degree ~{exponent:.2f})", f"B's size grows like size_A^{exponent:.2f}"


def judge(
    points: list[ComparePoint], sweep_symbol: str | None, has_widths: bool, modes: int
) -> Verdict:
    """Fit the informative points and state the verdict: ``matches`` / ``does not match`` when
    B has no width, else :func:`verdict_for`, turned ``unbounded`` when some partition is
    matched by no width of B."""
    fit = [p for p in points if p.informative and p.size_B]
    exponent = _lsq_slope([math.log(p.size_A) for p in fit], [math.log(p.size_B) for p in fit])
    width_exponent = None
    if sweep_symbol is not None:
        width_exponent = _lsq_slope(
            [math.log(p.value) for p in fit], [math.log(p.required_width) for p in fit]
        )
    if not has_widths:
        ok = all(p.matches for p in points)
        verdict = "matches" if ok else "does not match"
        text = "B has no width symbol: checked as given; " + (
            "its upper bounds reach A's lower bounds on every partition examined"
            if ok
            else "some partition has A's lower bound above B's upper bound"
        )
        return Verdict(fit, exponent, width_exponent, verdict, text, verdict)
    finite_verdict, text = verdict_for(exponent, width_exponent, modes)
    verdict = finite_verdict
    unmatched = next((p for p in points if p.unmatched is not None), None)
    if unmatched is not None:
        row = unmatched.unmatched
        verdict = "unbounded"
        text = (
            f"B cannot replicate A at any width: on I = {fmt_positions(row.I)} "
            f"A's lower bound is "
            f"{row.lower_A} at {sweep_symbol} = {unmatched.value} while B's upper bound stays at "
            f"{row.upper_B} for every width; on the partitions a finite width "
            "can match: "
            f"{finite_verdict} ({text})"
        )
    return Verdict(fit, exponent, width_exponent, verdict, text, finite_verdict)
