"""Spec validity as an explicit step: parse (analyzer/spec.py), then check the structure.

``analyzer.spec`` parses a spec and checks its schema and widths without building anything;
the structural checks (supports of joined units, overlaps) need the circuit, so they live one
layer up, here: ``validate`` builds the circuit once and raises ``SpecError`` on a structural
fault. ``load_spec`` and ``spec_from_dict`` are the two steps together: the names
``analyzer.load_spec`` and ``analyzer.spec_from_dict`` point here. Pure: the only I/O is
``load_spec`` reading the spec file.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from . import spec as _spec
from .circuit import build_circuit
from .errors import LimitError, SpecError
from .limits import DEFAULT_LIMITS, Limits
from .spec import Architecture

__all__ = ["load_spec", "spec_from_dict", "validate"]


def validate(arch: Architecture, limits: Limits | None = None) -> Architecture:
    """Check the structure of ``arch`` by building its circuit; return ``arch`` unchanged.

    A circuit above ``limits`` (default: ``DEFAULT_LIMITS``) is not built now: it is validated
    when analysed, under the caller's limits.
    """
    try:
        build_circuit(arch, limits)
    except LimitError:
        pass
    return arch


def spec_from_dict(
    data: Any, source: str = "<dict>", limits: Limits = DEFAULT_LIMITS
) -> Architecture:
    """``analyzer.spec.spec_from_dict`` followed by ``validate``."""
    return validate(_spec.spec_from_dict(data, source=source, limits=limits), limits)


def load_spec(
    ref: str | Path, values: Mapping[str, Any] | None = None, limits: Limits = DEFAULT_LIMITS
) -> Architecture:
    """``analyzer.spec.load_spec`` with the structural check.

    The structural check does not depend on the widths (supports of joined units, sizes of
    the circuit: kernels, dilations and connections only), so with ``values`` it is made on
    the substituted spec, whose circuit the analysis then reuses (``build_circuit`` caches it)
    instead of building the symbolic one too (issue 12). The errors are those of checking
    first and substituting second: when the substitution fails, a structural fault of the file
    is reported first.
    """
    arch = _spec.load_spec(ref, limits=limits)
    if not values:
        return validate(arch, limits)
    try:
        concrete = arch.substitute(values, limits)
    except SpecError:
        validate(arch, limits)
        raise
    return validate(concrete, limits)
