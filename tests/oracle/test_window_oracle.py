"""Oracle property test of the window bound (analyzer/window.py, docs/verify.md "Verification
at scale"): random small networks, random windows W and partitions I | J.

The oracle is independent of ``analyzer.window`` and ``verify``: it evaluates the network
(``networks.Network.evaluate_batch``, checked against a plain per-position recursion in
test_reference.py) on every one-hot sequence over the window's positions, with each used
position outside W held at one fixed input (a random vector mod p, or a one-hot template: the
bound must hold for any fixed input), and takes the exact rank over GF(p) of the restricted
matricization [A']_{I ∩ W} with python-flint. Two weight instances (seeds 0, 1) and two fixed
inputs per instance; the largest rank is the generic restricted rank.

Checked: that rank <= ``window_bound`` (an upper bound for every weight choice and every fixed
input); the restricted rank never exceeds the full grid tensor's rank for the same weights
(multilinear networks with template inputs outside W: [A']_{I∩W} is a submatrix of [A]_I);
and the degenerate windows where one side is empty give rank <= window bound == 1 (the cap
M^0); on a single tree branch the bound equals the generic restricted rank (measured, as
the propagation bound's tightness on trees). The harness's windowed certified rank never
exceeds the window bound, nor the oracle's generic restricted rank (multilinear networks).
"""

from __future__ import annotations

import itertools

import flint
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analyzer import build_circuit, spec_from_dict
from analyzer.window import window_bound
from networks import random_network
from verify import verify_architecture

from .oracle import grid_tensor, is_tree, matricization_rank, receptive_positions, used_positions
from .strategies import architectures, oracle_settings

WINDOW = oracle_settings(300, fixed=True)


def restricted_rank(net, window: list[int], I: list[int], fixed: dict[int, list[int]]) -> int:
    """rank over GF(p) of the restricted grid tensor's matricization I ∩ W | J ∩ W.

    Rows: one-hot inputs on I ∩ W; columns: one-hot inputs on J ∩ W; every used position q
    outside W gets the input vector ``fixed[q]`` in every entry."""
    arch = net.arch
    M = int(arch.input_channels)
    N = receptive_positions(arch)
    WI = [q for q in window if q in I]
    WJ = [q for q in window if q not in I]
    rows = list(itertools.product(range(M), repeat=len(WI)))
    cols = list(itertools.product(range(M), repeat=len(WJ)))
    x = np.zeros((len(rows), len(cols), N, M), dtype=np.int64)
    for q, v in fixed.items():
        x[:, :, q, :] = np.asarray(v, dtype=np.int64)
    for i, q in enumerate(WI):
        for a, cfg in enumerate(rows):
            x[a, :, q, cfg[i]] = 1
    for j, q in enumerate(WJ):
        for b, cfg in enumerate(cols):
            x[:, b, q, cfg[j]] = 1
    vals = np.asarray(net.evaluate_batch(x.reshape(-1, N, M))) % net.p
    mat = vals.reshape(len(rows), len(cols))
    return int(flint.nmod_mat(mat.tolist(), net.p).rank())


def _fixed_inputs(outside: list[int], M: int, p: int, rng, template: bool) -> dict:
    if template:  # one-hot inputs: a template configuration of the outside positions
        return {
            q: [int(d == c) for d in range(M)]
            for q, c in zip(outside, rng.integers(0, M, size=len(outside)), strict=True)
        }
    return {q: [int(v) for v in rng.integers(1, p, size=M)] for q in outside}


def check_window(spec: dict, I: list[int], window: list[int], weights: str) -> None:
    arch = spec_from_dict(spec, source="window-oracle")
    c = build_circuit(arch)
    # the analyzer may keep a position the output does not read (a constant mode), never drop one
    assert set(used_positions(arch)) <= set(c.used_positions)
    used = c.used_positions
    Imask = sum(1 << q for q in I)
    Wmask = sum(1 << q for q in window)
    bound = window_bound(c, Imask, Wmask)
    M = int(arch.input_channels)
    outside = [q for q in used if q not in window]
    ranks = []
    for seed in (0, 1):
        net = random_network(arch, "exact", weights, seed=seed)
        rng = np.random.default_rng(100 + seed)
        for template in (False, True):
            fixed = _fixed_inputs(outside, M, net.p, rng, template)
            r = restricted_rank(net, window, I, fixed)
            where = (
                f"{spec} I={I} W={window} weights={weights} seed={seed} "
                f"template={template} bound={bound} rank={r}"
            )
            assert r <= bound, f"UNSOUND window bound: {where}"
            if template and c.multilinear:
                # one-hot inputs outside W pick a submatrix of [A]_I (same weights)
                g_used, _, A = grid_tensor(net)
                assert r <= matricization_rank(g_used, A, I, net.p), where
            ranks.append(r)
    if len(arch.branches) == 1 and is_tree(arch.branches[0]):
        # a single tree branch: the window bound equals the generic restricted rank (as the
        # propagation bound does on the full grid, theory.md sec. 3; measured while writing
        # this test on 96 of 96 random single-tree cases). A tightness check, not soundness:
        # it kills a rule made looser (a cap counting the fixed positions, a dropped term)
        assert bound == max(ranks), f"window bound {bound} != generic rank {ranks}: {spec}"
    nI = sum(q in I for q in window)
    if nI == 0 or nI == len(window):
        assert bound == 1, f"one side of the window is empty: cap M^0 = 1, got {bound}"
    if not 0 < len(I) < len(used):
        return  # the harness takes proper partitions of the used positions only
    # the harness's windowed run (seed 0): generic fixed vectors on multilinear networks, so
    # its certified rank is at most the generic restricted rank (template inputs otherwise,
    # another restriction: only the bound is compared there)
    res = verify_architecture(
        arch, partitions=[",".join(map(str, I))], window=window, weights=weights, mode="exact"
    )
    (pv,) = res.partitions
    where = f"{spec} I={I} W={window} weights={weights} certified={pv.certified_lower}"
    assert pv.certified_lower <= bound, f"certified above the window bound: {where}"
    if c.multilinear:
        assert pv.certified_lower <= max(ranks), f"certified above the rank: {where} {ranks}"


@st.composite
def window_cases(draw, max_n: int = 9, max_grid: int = 6561):
    """(spec, I, W, weights): W has >= 2 positions; I ∩ W and J ∩ W are both non-empty except
    in about one case of eight (the degenerate windows)."""
    spec, arch, used = draw(architectures(max_n=max_n, max_grid=max_grid))
    n = len(used)
    wbits = draw(st.integers(1, 2**n - 1), label="window bits")
    window = [q for i, q in enumerate(used) if (wbits >> i) & 1]
    if len(window) < 2:
        window = used[:2]
    outside = [q for q in used if q not in window]
    if draw(st.integers(0, 7)) == 0:  # one side of the window empty
        inside = window if draw(st.booleans()) else []
    else:
        k = draw(st.integers(1, 2 ** len(window) - 2), label="I ∩ W bits")
        inside = [q for i, q in enumerate(window) if (k >> i) & 1]
    rest = draw(st.lists(st.sampled_from(outside), unique=True)) if outside else []
    I = sorted(inside + rest)
    weights = draw(st.sampled_from(["per-node", "shared"]))
    return spec, I, window, weights


@WINDOW
@given(case=window_cases())
def test_window_bound_above_the_exact_restricted_rank(case):
    check_window(*case)


@pytest.mark.slow
@oracle_settings(2000, fixed=False)
@given(case=window_cases(max_n=10, max_grid=59049))
def test_window_bound_above_the_exact_restricted_rank_large(case):
    check_window(*case)
