"""Symbolic analyzer: architecture spec -> mode trees, mixture nodes, rank bounds, sizes.

Pure functions over the architecture (no I/O beyond ``load_spec``, no randomness).
"""

from .analysis import (
    Analysis,
    AnalyzeOptions,
    PartitionBounds,
    Structure,
    analyze,
    parameter_count,
    structure,
)
from .builtins import builtin_names
from .circuit import Circuit, build_circuit
from .partitions import Partition, family, make_partition, parse_partition
from .spec import Architecture, SpecError
from .symbols import ExprError, parse_expr, symbol
from .validate import load_spec, spec_from_dict, validate

__all__ = [
    "Analysis",
    "AnalyzeOptions",
    "Architecture",
    "Circuit",
    "ExprError",
    "Partition",
    "PartitionBounds",
    "SpecError",
    "Structure",
    "analyze",
    "build_circuit",
    "builtin_names",
    "family",
    "load_spec",
    "make_partition",
    "parameter_count",
    "parse_expr",
    "parse_partition",
    "spec_from_dict",
    "structure",
    "symbol",
    "validate",
]
