"""Built-in architecture specs (``builtin:NAME``), as plain spec dictionaries."""

from __future__ import annotations

import copy

from .errors import SpecError
from .paper_formulas import baseline_dilations, group_swap_dilations

__all__ = ["get_builtin", "builtin_names", "BUILTINS"]


def _branch(name, dilations, channels="r"):
    return {"name": name, "kernel": 2, "dilations": list(dilations), "channels": channels}


def _paper(name, branches, connections=(), M="r", desc=""):
    return {
        "name": name,
        "input_channels": M,
        "description": desc,
        "branches": branches,
        "connections": list(connections),
    }


def _worked(name, dils, connections=(), desc=""):
    branches = [_branch(n, d, 2) for n, d in dils]
    return {
        "name": name,
        "input_channels": 3,
        "description": desc,
        "branches": branches,
        "connections": list(connections),
    }


def _groupswap(k: int):
    L = max(4, 2 * k)
    T, Tp = baseline_dilations(L), group_swap_dilations(L, k)
    N = 2**L
    d = f"Corollary 8 family: N = {N}, groups of k = {k} layers swapped, mixture nodes at depth L-k"
    return {
        f"groupswap-k{k}-T": _paper(
            f"groupswap-k{k}-T", [_branch("T", T)], desc=d + " (baseline T)"
        ),
        f"groupswap-k{k}-Tp": _paper(
            f"groupswap-k{k}-Tp", [_branch("Tp", Tp)], desc=d + " (group-swapped T')"
        ),
        f"groupswap-k{k}-mixed": _paper(
            f"groupswap-k{k}-mixed",
            [_branch("T", T), _branch("Tp", Tp)],
            [{"after_layer": k, "branches": ["T", "Tp"]}],
            desc=d + " (mixed)",
        ),
    }


BUILTINS: dict[str, dict] = {
    "paper-T": _paper(
        "paper-T",
        [_branch("T", [1, 2, 4, 8])],
        desc="the paper's baseline network, N = 16, width r, M = r",
    ),
    "paper-Tp": _paper(
        "paper-Tp",
        [_branch("Tp", [2, 1, 8, 4])],
        desc="the paper's even/odd-swapped network (groups of 2), N = 16",
    ),
    "paper-mixed": _paper(
        "paper-mixed",
        [_branch("T", [1, 2, 4, 8]), _branch("Tp", [2, 1, 8, 4])],
        [{"after_layer": 2, "branches": ["T", "Tp"]}],
        desc="the paper's mixed network: T and T' exchanging half their channels at the shared "
        "even layer",
    ),
    "worked-T": _worked("worked-T", [("T", [1, 2, 4])], desc="docs/theory.md worked table: T"),
    "worked-Tp": _worked("worked-Tp", [("Tp", [2, 1, 4])], desc="docs/theory.md worked table: T'"),
    "worked-Trev": _worked(
        "worked-Trev", [("Trev", [4, 2, 1])], desc="docs/theory.md worked table: Trev"
    ),
    "worked-T-plus-Tp": _worked(
        "worked-T-plus-Tp",
        [("T", [1, 2, 4]), ("Tp", [2, 1, 4])],
        desc="docs/theory.md worked table: T+T' (outputs summed)",
    ),
    "worked-mix2": _worked(
        "worked-mix2",
        [("T", [1, 2, 4]), ("Tp", [2, 1, 4])],
        [{"after_layer": 2, "branches": ["T", "Tp"]}],
        desc="docs/theory.md worked table: mix2 (half exchange after layer 2)",
    ),
    "worked-mix2-sum": _worked(
        "worked-mix2-sum",
        [("T", [1, 2, 4]), ("Tp", [2, 1, 4])],
        [{"after_layer": 2, "branches": ["T", "Tp"], "mode": "sum"}],
        desc="docs/theory.md worked table: mix2-sum (elementwise sum after layer 2)",
    ),
    "worked-T-plus-Trev": _worked(
        "worked-T-plus-Trev",
        [("T", [1, 2, 4]), ("Trev", [4, 2, 1])],
        desc="docs/theory.md worked table: T+Trev",
    ),
    "wavenet-gapped": {
        "name": "wavenet-gapped",
        "input_channels": 2,
        "description": "WaveNet-like gapped tree: kernel 2, dilations 1, 4, 16 (8 of 22 positions "
        "used)",
        "branches": [_branch("main", [1, 4, 16], 2)],
    },
    "wavenet-overlapping": {
        "name": "wavenet-overlapping",
        "input_channels": 2,
        "description": "WaveNet-like repeated stack 1,2,4,1,2,4 (overlapping receptive fields)",
        "branches": [_branch("main", [1, 2, 4, 1, 2, 4], 2)],
    },
}
for _k in (1, 2, 3, 4):
    BUILTINS.update(_groupswap(_k))


# --------------------------------------------------------------------------- real-scale networks
def _timit():
    """The paper's experiment network (sec. 7): N = 4096, T and T', mixing at even layers."""
    L = 12
    T, Tp = baseline_dilations(L), group_swap_dilations(L, 2)
    return _paper(
        "paper-timit",
        [_branch("T", T), _branch("Tp", Tp)],
        [{"after_layer": l, "branches": ["T", "Tp"]} for l in range(2, L, 2)],
        desc="the paper's experiment network (sec. 7): two branches of 12 layers, kernel 2, "
        "N = 4096, T (dilations 1..2048) and T' (groups of 2 swapped), 32 channels as r, half "
        "the channels exchanged after every even layer 2..10; product pooling and M = r (the "
        "setting of Theorem 7; the experiment itself used ReLU and 256-dim one-hot inputs)",
    )


def _stack(name, kernel, dilations, repeat, desc):
    return {
        "name": name,
        "input_channels": "r",
        "description": desc,
        "branches": [
            {
                "name": "main",
                "kernel": kernel,
                "dilations": list(dilations),
                "channels": "r",
                "repeat": repeat,
            }
        ],
    }


BUILTINS["paper-timit"] = _timit()
BUILTINS["wavenet"] = _stack(
    "wavenet",
    2,
    [2**i for i in range(10)],
    3,
    "WaveNet (van den Oord et al. 2016): kernel 2, dilations 1, 2, ..., 512 in 3 stacks, "
    "N = 3070, overlapping; width r, M = r",
)
BUILTINS["tcn"] = _stack(
    "tcn",
    3,
    [1, 2, 4, 8],
    1,
    "TCN (Bai et al. 2018) style: kernel 3, dilations 1, 2, 4, 8, N = 31, overlapping; width r",
)
BUILTINS["bytenet"] = _stack(
    "bytenet",
    3,
    [1, 2, 4, 8, 16],
    2,
    "ByteNet (Kalchbrenner et al. 2016) style: kernel 3, dilations 1..16 twice, N = 125, "
    "overlapping; width r",
)


def builtin_names() -> list[str]:
    return sorted(BUILTINS)


def get_builtin(name: str) -> dict:
    if name not in BUILTINS:
        raise SpecError(
            f"builtin:{name}", "", f"unknown builtin (available: {', '.join(builtin_names())})"
        )
    return copy.deepcopy(BUILTINS[name])
