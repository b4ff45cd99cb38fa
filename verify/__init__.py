"""Verification harness: certified exact ranks (mod p) and floating estimates vs the analyzer.

The "practice" half of theory vs practice. Works on arrays (NumPy, or CuPy via ``backend``).
"""

from .claim5 import CORRUPTIONS, Claim5Result, claim5_check, hybrid_children
from .harness import (
    DEFAULT_MAX_K,
    OVERSAMPLE,
    STATUSES,
    STOP_REASONS,
    Budget,
    PartitionVerification,
    VerifyOptions,
    VerifyResult,
    sample_matrix,
    verify_architecture,
)
from .ranks import FLOAT_RULE, exact_rank_mod_p, float_rank
from .sampling import Sample, Sampler, sample_partition

__all__ = [
    "Budget",
    "CORRUPTIONS",
    "Claim5Result",
    "DEFAULT_MAX_K",
    "FLOAT_RULE",
    "OVERSAMPLE",
    "PartitionVerification",
    "STATUSES",
    "STOP_REASONS",
    "Sample",
    "Sampler",
    "VerifyResult",
    "claim5_check",
    "exact_rank_mod_p",
    "float_rank",
    "hybrid_children",
    "sample_matrix",
    "sample_partition",
    "verify_architecture",
    "VerifyOptions",
]
