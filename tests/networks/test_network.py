"""networks: evaluation agrees with a direct formula; backends; no cupy import."""

import os

import numpy as np
import pytest

from analyzer import spec_from_dict
from networks import PRIME, gpu_available, modmatmul, random_network

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

CUPY = pytest.param(
    "cupy",
    marks=[
        pytest.mark.gpu,
        pytest.mark.skipif(not gpu_available(), reason="no usable GPU/cupy here"),
    ],
)


def test_modmatmul_matches_python_integers():
    rng = np.random.default_rng(0)
    a = rng.integers(0, PRIME, size=(3, 300), dtype=np.int64)  # inner dim > 127: chunked
    b = rng.integers(0, PRIME, size=(300, 2), dtype=np.int64)
    got = modmatmul(np, a, b)
    want = [
        [sum(int(a[i, k]) * int(b[k, j]) for k in range(300)) % PRIME for j in range(2)]
        for i in range(3)
    ]
    assert got.tolist() == want


def test_two_layer_product_network_by_hand():
    """Dilations (1, 2), widths 1, M = 1: y = (a x3 * b x2)(c x1 * d x0)-style products, by hand."""
    spec = {
        "name": "tiny",
        "input_channels": 1,
        "branches": [{"name": "T", "dilations": [1, 2], "channels": 1}],
    }
    net = random_network(spec_from_dict(spec), "exact", "per-node", seed=0)
    x = np.array([[[2], [3], [5], [7]]], dtype=np.int64)  # positions 0..3
    c = net.circuit
    # find the units: layer-1 units over {2,3} (tau 0) and {0,1} (tau 2); layer 2 root
    w = {
        c.units[u].tau if c.units[u].layer == 1 else "root": net.weights[u]
        for u in c.prod_units[0].values()
    }
    a0, a1 = (
        int(w[0][0][0, 0]),
        int(w[0][1][0, 0]),
    )  # tau 0: taps read offsets 0, 1 = positions 3, 2
    b0, b1 = int(w[2][0][0, 0]), int(w[2][1][0, 0])  # tau 2: positions 1, 0
    r0, r1 = int(w["root"][0][0, 0]), int(w["root"][1][0, 0])
    h0 = (a0 * 7) * (a1 * 5)
    h2 = (b0 * 3) * (b1 * 2)
    want = (r0 * h0) * (r1 * h2) % PRIME
    assert int(net.evaluate_batch(x)[0]) == want


@pytest.mark.parametrize("backend", ["numpy", CUPY])
def test_backends_agree_exactly(backend):
    from networks import get_xp, to_numpy

    xp = get_xp(backend)
    spec = {
        "name": "mix",
        "input_channels": 3,
        "branches": [
            {"name": "T", "dilations": [1, 2, 4], "channels": 4},
            {"name": "Tp", "dilations": [2, 1, 4], "channels": 4},
        ],
        "connections": [{"after_layer": 2, "branches": ["T", "Tp"]}],
    }
    arch = spec_from_dict(spec)
    net = random_network(arch, "exact", "shared", seed=1)
    x = np.random.default_rng(2).integers(0, PRIME, size=(50, 8, 3), dtype=np.int64)
    ref = net.evaluate_batch(x, np)
    got = to_numpy(net.evaluate_batch(xp.asarray(x), xp))
    assert np.array_equal(ref, got)


def test_float_activations_stay_sane():
    spec = {
        "name": "deep",
        "input_channels": 4,
        "branches": [{"name": "T", "dilations": [1, 2, 4, 8, 16, 32], "channels": 8}],
    }
    net = random_network(spec_from_dict(spec), "float", "shared", seed=0)
    x = np.random.default_rng(0).standard_normal((2000, 64, 4))
    y = net.evaluate_batch(x)
    assert np.all(np.isfinite(y))
    assert 1e-3 < float(np.median(np.abs(y))) < 1e3


def test_mod_matches_python_remainder():
    from networks.modular import mod

    x = np.array([0, 1, PRIME - 1, PRIME, -1, -PRIME - 5, 2**62, -(2**62), 2**57 + 3])
    assert mod(x, PRIME).tolist() == [int(v) % PRIME for v in x.tolist()]


PLANAR_CASES = [
    (os.path.join(ROOT, "bench", "specs", "mixed16.yaml"), {"r": 2}, "shared"),
    ("builtin:paper-mixed", {"r": 4}, "per-node"),
    ("builtin:worked-mix2-sum", {}, "shared"),  # sum connections
    (
        {
            "name": "ro",
            "input_channels": 5,
            "readout": True,
            "branches": [{"name": "T", "kernel": 3, "dilations": [1, 3], "channels": 4}],
        },
        {},
        "shared",
    ),
]


@pytest.mark.parametrize("spec,values,weights", PLANAR_CASES)
def test_planar_and_channel_last_layouts_agree(spec, values, weights):
    """The channel-by-channel evaluation (narrow exact networks) and the int64-matmul one give
    the same residues, with broadcast row/column inputs and with units known beforehand."""
    from analyzer import load_spec

    arch = spec_from_dict(spec) if isinstance(spec, dict) else load_spec(spec, values)
    net = random_network(arch, "exact", weights, seed=3)
    assert net.planar_ok
    c = net.circuit
    M = int(arch.input_channels)
    rng = np.random.default_rng(1)
    pos = c.used_positions
    half = set(pos[::2])
    leaves = {q: rng.integers(0, PRIME, size=(7, 1, M) if q in half else (1, 5, M)) for q in pos}
    a = np.broadcast_to(net.evaluate(leaves, np, planar=True), (7, 5))
    b = np.broadcast_to(net.evaluate(leaves, np, planar=False), (7, 5))
    assert np.array_equal(a, b) and a.dtype == np.int64 and 0 <= a.min() and a.max() < PRIME
    fixed = {q: rng.integers(0, PRIME, size=(1, 1, M)) for q in pos[: len(pos) // 2]}
    known = net.constant_units(fixed, np)
    assert known
    rest = {q: v for q, v in leaves.items() if q not in fixed}
    a = np.broadcast_to(net.evaluate(rest, np, known=known, planar=True), (7, 5))
    b = np.broadcast_to(net.evaluate({**rest, **fixed}, np, planar=False), (7, 5))
    assert np.array_equal(a, b)


def test_planar_only_for_narrow_product_networks():
    from networks.network import PLANAR_MAX_WIDTH

    def arch(r, pooling="product"):
        return spec_from_dict(
            {
                "name": "w",
                "input_channels": 2,
                "pooling": pooling,
                "branches": [{"name": "T", "dilations": [1, 2], "channels": r}],
            }
        )

    assert random_network(arch(PLANAR_MAX_WIDTH), "exact").planar_ok
    assert not random_network(arch(PLANAR_MAX_WIDTH + 1), "exact").planar_ok
    assert random_network(arch(2), "float").planar_ok
    assert not random_network(arch(2, "relu"), "float").planar_ok


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_planar_float_agrees_with_channel_last(dtype):
    from analyzer import load_spec

    arch = load_spec("builtin:paper-mixed", {"r": 4})
    net = random_network(arch, "float", "shared", seed=2, dtype=dtype)
    assert net.planar_ok
    rng = np.random.default_rng(4)
    pos = net.circuit.used_positions
    leaves = {q: rng.standard_normal((6, 1, 4) if q % 2 else (1, 5, 4)).astype(dtype) for q in pos}
    a = np.broadcast_to(net.evaluate(leaves, np, planar=True), (6, 5))
    b = np.broadcast_to(net.evaluate(leaves, np, planar=False), (6, 5))
    assert a.dtype == b.dtype == np.dtype(dtype)
    tol = 1e-4 if dtype == "float32" else 1e-12
    assert np.allclose(a, b, rtol=tol, atol=0) and np.abs(b).max() > 0
