"""Verification by restriction (docs/verify.md, "Verification at scale").

Independent oracle: the whole grid tensor of a small network (every one-hot sequence, from
tests/verify/test_bruteforce.py), contracted by hand with fixed vectors on the positions
outside the window, ranked by hand-written elimination mod p. Checked: the restricted rank
never exceeds the full one, the analyzer's window bound is at least it, and the harness's
windowed certified rank equals it (generic vectors) and never exceeds the full one.
"""

import itertools
from pathlib import Path

import numpy as np
import pytest

from analyzer import load_spec, spec_from_dict
from analyzer.analysis import analyze, structure
from analyzer.window import window_bound
from networks import PRIME
from verify import verify_architecture
from verify.harness import _auto_window

from .test_bruteforce import SPECS, grid_tensor, matricization_rank, rank_mod_p

SPECDIR = Path(__file__).parent / "specs"


def restricted_rank(used, M, table, I, window, seed=5) -> int:
    """Rank of [A x_O v_O]_{I ∩ W}: outside positions contracted with random vectors mod p."""
    rng = np.random.default_rng(seed)
    out_pos = [q for q in used if q not in window]
    v = {q: [int(x) for x in rng.integers(1, PRIME, size=M)] for q in out_pos}
    Ipos = [q for q in used if q in window and q in I]
    Jpos = [q for q in used if q in window and q not in I]
    idx = {q: i for i, q in enumerate(used)}
    rows = []
    for ci in itertools.product(range(M), repeat=len(Ipos)):
        row = []
        for cj in itertools.product(range(M), repeat=len(Jpos)):
            total = 0
            for co in itertools.product(range(M), repeat=len(out_pos)):
                cfg = [0] * len(used)
                coef = 1
                for q, d in zip(Ipos, ci, strict=True):
                    cfg[idx[q]] = d
                for q, d in zip(Jpos, cj, strict=True):
                    cfg[idx[q]] = d
                for q, d in zip(out_pos, co, strict=True):
                    cfg[idx[q]] = d
                    coef = coef * v[q][d] % PRIME
                total = (total + coef * table[tuple(cfg)]) % PRIME
            row.append(total)
        rows.append(row)
    return rank_mod_p(rows, PRIME)


CASES = [
    ("exchange", [0, 2, 4, 6], [0, 1, 2, 3]),
    ("exchange", [0, 1, 4, 5], [2, 3, 4, 5]),
    ("sum", [0, 2, 4, 6], [0, 1, 2, 3, 4]),
    ("readout", [1, 3, 5, 7], [4, 5, 6, 7]),
    ("gapped", [0, 1], [0, 1]),
]


@pytest.mark.parametrize("name,I,window", CASES)
def test_restricted_rank_against_full_grid(name, I, window):
    arch = spec_from_dict(SPECS[name], source=name)
    used, M, table = grid_tensor(arch, "shared")
    I = [q for q in I if q in used]
    window = [q for q in window if q in used]
    full = matricization_rank(used, M, table, I)
    restricted = restricted_rank(used, M, table, I, window)
    assert restricted <= full  # a restriction never raises the rank
    c = structure(arch).circuit
    Imask = sum(1 << q for q in I)
    Wmask = sum(1 << q for q in window)
    assert window_bound(c, Imask, Wmask) >= restricted  # the window bound is an upper bound
    res = verify_architecture(arch, partitions=[",".join(map(str, I))], window=window, mode="exact")
    (p,) = res.partitions
    assert p.window == sorted(window)
    assert p.certified_lower == restricted  # generic fixed vectors: same rank w.h.p.
    assert p.certified_lower <= full
    assert p.status in ("exact", "not-attained") and res.ok


@pytest.mark.parametrize(
    "I,window", [([0, 1], [0, 1, 2, 3]), ([0, 2], [0, 1, 2, 3]), ([0, 2, 4, 6], [0, 1, 2, 3, 4, 5])]
)
def test_window_bound_on_a_tree_matches_the_full_grid(I, window):
    """worked-T (dilations 1, 2, 4; M = 3, r = 2): the window bound against the hand-contracted
    grid tensor; on this tree it is attained (as the propagation bound is on tree branches)."""
    arch = load_spec("builtin:worked-T")
    used, M, table = grid_tensor(arch, "shared")
    c = structure(arch).circuit
    b = window_bound(c, sum(1 << q for q in I), sum(1 << q for q in window))
    assert b == restricted_rank(used, M, table, I, window)
    assert b <= matricization_rank(used, M, table, I)


def test_window_bound_degenerate_cases():
    arch = load_spec("builtin:worked-T")
    c = structure(arch).circuit
    # nothing varies on the J side: the restricted tensor is a vector, rank <= 1
    assert window_bound(c, 0b1111, 0b1111) == 1
    # the whole used set as window: the propagation bound of the full partition
    full = analyze(arch, partitions=["0,2,4,6"]).partitions[0].upper
    assert window_bound(c, 0b01010101, c.used_mask) >= full


def test_overlapping_window_is_a_submatrix():
    arch = load_spec(str(SPECDIR / "tcn-small.yaml"))
    used, M, table = grid_tensor(arch, "shared")
    I = used[0::2]
    full = matricization_rank(used, M, table, I)
    res = verify_architecture(arch, partitions=[",".join(map(str, I))], window="1:5", mode="exact")
    (p,) = res.partitions
    assert p.window == [1, 2, 3, 4] and p.sampling == "template-subset"
    assert 1 <= p.certified_lower <= full
    assert p.certified_lower <= p.upper


def test_default_window_above_threshold_and_auto_placement():
    arch = load_spec(str(SPECDIR / "timit-small.yaml"))  # N = 32 used positions
    c = structure(arch).circuit
    odd = sum(1 << q for q in range(1, 32, 2))
    W = _auto_window(c, odd, 8)
    assert W.bit_count() == 8 and (W & odd).bit_count() == 4
    assert W == sum(1 << q for q in range(24, 32))  # the latest balanced window
    res = verify_architecture(arch, families=["odd-even"], window=8, mode="exact", max_k=64)
    (p,) = res.partitions
    assert len(p.window) == 8 and p.certified_lower <= p.upper
    assert p.certified_lower > 1
    # no window below the threshold (32 used positions <= WINDOW_ABOVE)
    res = verify_architecture(arch, families=["odd-even"], mode="exact", max_k=64)
    assert res.partitions[0].window is None


def test_bad_window_is_spec_error():
    from analyzer import SpecError

    arch = load_spec("builtin:worked-T")
    with pytest.raises(SpecError, match="window"):
        verify_architecture(arch, partitions=["0,1"], window="a:b")
    with pytest.raises(SpecError, match="window"):
        verify_architecture(arch, partitions=["0,1"], window=[99])
