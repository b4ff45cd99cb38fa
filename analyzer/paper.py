"""The paper's constructions: group-swapped dilations and Corollary 8's index sets.

References
----------
Cohen, Tamari, Shashua, ICLR 2018, sec. 6: the baseline tree T (dilation 2^(l-1) in layer l),
the tree T' that reverses the dilations inside groups of k layers, mixture nodes at depth L-k,
and Corollary 8: individual networks (or sums of them) need at least (r/2)^(2/(1+2^(1-k)))
channels to replicate the mixed network of width r.

The formulas live in the leaf module ``analyzer.paper_formulas`` and Corollary 8's partition
family (``paper_partitions``) with the other families in ``analyzer.partitions``; this module
keeps the names importable from one place.
"""

from __future__ import annotations

from .paper_formulas import (
    baseline_dilations,
    corollary8_exponent,
    corollary8_index_set,
    group_swap_dilations,
)
from .partitions import paper_partitions

__all__ = [
    "baseline_dilations",
    "group_swap_dilations",
    "corollary8_index_set",
    "corollary8_exponent",
    "paper_partitions",
]
