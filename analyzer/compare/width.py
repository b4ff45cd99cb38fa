"""The width solver: the least width of B whose upper bound on a partition reaches a target."""

from __future__ import annotations

from .evaluators import UpperB

__all__ = ["required_width"]


def required_width(
    upper_b: UpperB, I: int, target: int, start: int = 1, saturation: int | None = None
) -> int | None:
    """Smallest admissible width w >= start with upper(I; w) >= target (monotone in w).

    Doubling, then bisection. ``None`` when even the saturation width (where every width term of
    the propagation bound exceeds the input caps, so the bound no longer grows) fails.
    """
    first = upper_b.next_admissible(max(1, start))
    if first is None:
        return None
    if upper_b.upper(I, first) >= target:
        return first
    if not upper_b.syms:
        return None  # B has no width to grow
    if saturation is not None:
        sat = upper_b.next_admissible(saturation)
        if sat is None or upper_b.upper(I, sat) < target:
            return None
    lo = first  # fails
    hi = None
    step = max(1, lo)
    while hi is None:
        cand = upper_b.next_admissible(lo + step)
        if cand is None:
            return None
        if upper_b.upper(I, cand) >= target:
            hi = cand
        else:
            lo = cand
            step *= 2
            if saturation is not None and lo > 2 * saturation:
                return None
    # invariant: upper(lo) < target <= upper(hi), both admissible
    while hi - lo > 1:
        mid = upper_b.next_admissible((lo + hi) // 2)
        if mid is None or mid >= hi:
            break
        if upper_b.upper(I, mid) >= target:
            hi = mid
        else:
            lo = mid
    return hi
