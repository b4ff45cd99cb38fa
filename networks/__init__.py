"""Networks: the architectures' actual computations on NumPy or CuPy arrays (same code).

Importing this package never imports cupy (see :mod:`networks.backend`).
"""

from .backend import BACKENDS, BackendError, get_xp, gpu_available, to_numpy
from .modular import PRIME, modmatmul
from .network import ARITHMETICS, WEIGHT_MODES, Network, random_network
from .tree_decomposition import TreeDecomposition, random_tree_decomposition

__all__ = [
    "ARITHMETICS",
    "BACKENDS",
    "BackendError",
    "Network",
    "PRIME",
    "TreeDecomposition",
    "WEIGHT_MODES",
    "get_xp",
    "gpu_available",
    "modmatmul",
    "random_network",
    "random_tree_decomposition",
    "to_numpy",
]
