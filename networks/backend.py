"""Array backends: NumPy (always) and CuPy (optional). The only module that imports cupy.

Functions elsewhere take the array module ``xp`` explicitly; there is no global switch.
"""

from __future__ import annotations

import numpy as np

__all__ = ["BackendError", "get_xp", "to_numpy", "BACKENDS", "gpu_available"]

BACKENDS = ("numpy", "cupy")


class BackendError(RuntimeError):
    """The requested backend cannot be used here (message says how to fix it)."""


def get_xp(name: str = "numpy"):
    """The array module for ``name``; for cupy, checks that a GPU answers a tiny operation."""
    if name == "numpy":
        return np
    if name != "cupy":
        raise BackendError(f"unknown backend {name!r} (choose from {', '.join(BACKENDS)})")
    try:
        import cupy  # noqa: PLC0415 - optional dependency, imported only on request
    except ImportError:
        raise BackendError(
            "the cupy backend needs CuPy and a CUDA GPU: pip install 'expressivity[gpu]'"
        ) from None
    try:
        cupy.asnumpy(cupy.arange(3, dtype=cupy.int64).sum())
    except Exception as exc:  # no driver / no device: cudaErrorInsufficientDriver etc.
        raise BackendError(
            f"the cupy backend found no usable GPU ({type(exc).__name__}: {exc})"
        ) from None
    return cupy


def gpu_available() -> bool:
    try:
        get_xp("cupy")
        return True
    except BackendError:
        return False


def to_numpy(a) -> np.ndarray:
    """A NumPy copy of a NumPy or CuPy array."""
    if isinstance(a, np.ndarray):
        return a
    get = getattr(a, "get", None)
    if get is not None:
        return get()
    return np.asarray(a)
