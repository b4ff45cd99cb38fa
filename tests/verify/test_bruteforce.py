"""Independent check: whole grid tensor on all template sequences, exact rank by hand-written
Gaussian elimination mod p, against the harness's sampled certified rank."""

import itertools

import numpy as np
import pytest

from analyzer import spec_from_dict
from analyzer.analysis import structure
from networks import PRIME, random_network
from verify import verify_architecture


def rank_mod_p(rows: list[list[int]], p: int) -> int:
    """Row reduction over GF(p), written independently of python-flint."""
    A = [[x % p for x in r] for r in rows]
    rank, ncols = 0, len(A[0]) if A else 0
    for c in range(ncols):
        piv = next((i for i in range(rank, len(A)) if A[i][c]), None)
        if piv is None:
            continue
        A[rank], A[piv] = A[piv], A[rank]
        inv = pow(A[rank][c], p - 2, p)
        A[rank] = [(x * inv) % p for x in A[rank]]
        for i in range(len(A)):
            if i != rank and A[i][c]:
                f = A[i][c]
                A[i] = [(x - f * y) % p for x, y in zip(A[i], A[rank], strict=True)]
        rank += 1
    return rank


def grid_tensor(arch, weights: str, seed: int = 0):
    """Outputs on every one-hot sequence over the used positions: dict config -> value."""
    st = structure(arch)
    c = st.circuit
    used = c.used_positions
    M = int(arch.input_channels)
    configs = list(itertools.product(range(M), repeat=len(used)))
    x = np.zeros((len(configs), c.N, M), dtype=np.int64)
    for n, cfg in enumerate(configs):
        for q, d in zip(used, cfg, strict=True):
            x[n, q, d] = 1
    net = random_network(arch, "exact", weights, seed=seed)
    vals = net.evaluate_batch(x)
    return used, M, {cfg: int(v) for cfg, v in zip(configs, vals, strict=True)}


def matricization_rank(used, M, table, I) -> int:
    Ipos = [i for i, q in enumerate(used) if q in I]
    Jpos = [i for i, q in enumerate(used) if q not in I]
    rows = []
    for ci in itertools.product(range(M), repeat=len(Ipos)):
        row = []
        for cj in itertools.product(range(M), repeat=len(Jpos)):
            cfg = [0] * len(used)
            for i, d in zip(Ipos, ci, strict=True):
                cfg[i] = d
            for j, d in zip(Jpos, cj, strict=True):
                cfg[j] = d
            row.append(table[tuple(cfg)])
        rows.append(row)
    return rank_mod_p(rows, PRIME)


def br(name, dil, w=2, k=2):
    return {"name": name, "kernel": k, "dilations": dil, "channels": w}


SPECS = {
    "gapped": {"name": "gapped", "input_channels": 2, "branches": [br("T", [1, 4])]},
    "overlapping": {"name": "overlapping", "input_channels": 2, "branches": [br("T", [1, 2, 1])]},
    "kernel3": {"name": "kernel3", "input_channels": 2, "branches": [br("T", [1, 3], k=3)]},
    "exchange": {
        "name": "exchange",
        "input_channels": 2,
        "branches": [br("T", [1, 2, 4]), br("Tp", [2, 1, 4])],
        "connections": [{"after_layer": 2, "branches": ["T", "Tp"]}],
    },
    "exchange1of3": {
        "name": "exchange1of3",
        "input_channels": 2,
        "branches": [br("T", [1, 2, 4], w=3), br("Tp", [2, 1, 4], w=3)],
        "connections": [
            {"after_layer": 1, "branches": ["T", "Tp"], "exchange": 1, "allow_overlap": True}
        ],
    },
    "sum": {
        "name": "sum",
        "input_channels": 2,
        "branches": [br("T", [1, 2, 4]), br("Tp", [2, 1, 4])],
        "connections": [{"after_layer": 2, "branches": ["T", "Tp"], "mode": "sum"}],
    },
    "readout": {
        "name": "readout",
        "input_channels": 2,
        "readout": True,
        "branches": [br("T", [1, 2, 4], w=3)],
    },
}


def _partitions(used):
    n = len(used)
    out = [used[: n // 2], used[0::2], used[:1], [used[0], used[-1]]]
    rng = np.random.default_rng(1)
    for _ in range(3):
        k = int(rng.integers(1, n))
        out.append(sorted(rng.choice(used, size=k, replace=False).tolist()))
    return [sorted(set(p)) for p in out if 0 < len(set(p)) < n]


@pytest.mark.parametrize("weights", ["shared", "per-node"])
@pytest.mark.parametrize("name", sorted(SPECS))
def test_sampled_certified_rank_equals_full_rank(name, weights):
    arch = spec_from_dict(SPECS[name], source=name)
    used, M, table = grid_tensor(arch, weights)
    assert M ** len(used) <= 4096
    parts = _partitions(used)
    res = verify_architecture(
        arch, partitions=[",".join(map(str, p)) for p in parts], weights=weights, mode="exact"
    )
    assert len(res.partitions) >= 3
    for pv in res.partitions:
        full = matricization_rank(used, M, table, set(pv.I))
        assert pv.certified_lower == full, (name, pv.I)
        assert pv.certified_lower <= pv.upper
