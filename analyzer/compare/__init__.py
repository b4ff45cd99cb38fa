"""Expressive efficiency (paper sec. 6): how large must architecture B be to replicate A?

Pure: works on architectures and the analyzer's bounds only (no I/O, no randomness except the
seeded local search); certified ranks come in through an injected ``certifier`` callable.

For each value of A's sweep symbol, and for every partition ``I`` of the used positions in a
set that makes the gap visible (nodes of every tree, odd-even, Corollary 8's index sets, the
pair-splitting partitions of the trees and hybrid trees, and a search), the rank of A's grid
tensor is at least ``lower_A(I)`` (Claim 5 + Theorem 7, or Theorem 7). B reads the same data
(its input dimension is set to A's), so if B with widths ``w`` realizes A's function then
``c * upper_B(I; w) >= lower_A(I)`` for every I (``c`` copies of B summed: subadditivity).
The smallest integer ``w`` passing every partition is a *lower bound on the width B needs*;
B's size there (``analyzer.parameter_count``, times ``c``) is a lower bound on the size B needs.

Modules: ``options`` (:class:`CompareOptions`, :func:`parse_sweep`), ``results`` (the result
dataclasses), ``evaluators`` (A's lower and B's upper bound on integers, through
:mod:`analyzer.bounds`), ``width`` (the width solver), ``families`` (the named partitions),
``search`` (exhaustive or local search at one sweep point), ``verdict`` (fit and verdict),
``core`` (:func:`compare`, the steps in order).

References
----------
Cohen, Tamari, Shashua, ICLR 2018: Claim 5, Theorem 7, Corollary 8 (sec. 6); docs/theory.md sec. 8.
"""

from __future__ import annotations

from .core import compare
from .evaluators import LowerA, UpperB
from .options import CompareOptions, parse_sweep
from .results import ComparePoint, CompareRow, Comparison
from .search import EXHAUSTIVE_MAX_MODES
from .verdict import EXPONENTIAL_FRACTION, verdict_for
from .width import required_width

__all__ = [
    "Comparison",
    "ComparePoint",
    "CompareRow",
    "CompareOptions",
    "compare",
    "required_width",
    "parse_sweep",
    "verdict_for",
    "EXHAUSTIVE_MAX_MODES",
    "EXPONENTIAL_FRACTION",
    "LowerA",
    "UpperB",
]
