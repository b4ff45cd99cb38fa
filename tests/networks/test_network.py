"""networks: evaluation agrees with a direct formula; backends; no cupy import."""


import numpy as np
import pytest

from analyzer import spec_from_dict
from networks import PRIME, gpu_available, modmatmul, random_network

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
