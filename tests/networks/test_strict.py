"""The evaluator and the sampled-matrix evaluation under ``array_api_strict``.

array_api_strict exposes only the array API standard (no NumPy-only functions, no implicit
conversions): a NumPy-only call in the code that CuPy also runs would fail here. Results must
equal NumPy's bit for bit (exact) or to rounding (float).
"""

import numpy as np
import pytest

from analyzer import load_spec
from analyzer.analysis import analyze
from networks import PRIME, random_network
from verify.harness import sample_matrix
from verify.sampling import Sampler

xps = pytest.importorskip("array_api_strict")

CASES = [
    ("builtin:paper-mixed", {"r": 2}, "odd-even", None),
    ("builtin:worked-mix2-sum", {}, "halves", None),
    ("builtin:worked-T", {}, "odd-even", 0b00111100),  # a window: outside inputs fixed
]


@pytest.mark.parametrize("spec,values,family,window", CASES)
@pytest.mark.parametrize("arithmetic", ["exact", "exact-channel-last", "float"])
def test_sampled_matrix_under_strict_namespace(
    spec, values, family, window, arithmetic, monkeypatch
):
    if arithmetic == "exact-channel-last":  # narrow exact networks default to planar
        import networks.network

        monkeypatch.setattr(networks.network, "PLANAR_MAX_WIDTH", 0)
        arithmetic = "exact"
    arch = load_spec(spec, values)
    an = analyze(arch, families=[family])
    c = an.structure.circuit
    I = sum(1 << q for q in an.partitions[0].I)
    net = random_network(arch, arithmetic, "shared", seed=0)
    M = int(arch.input_channels)
    s = Sampler(c, I, M, arithmetic, np.random.default_rng(0), PRIME, True, window=window)
    s = s.sample(40, 30)
    known_np = net.constant_units(s.fixed_leaves(), np)
    known_st = net.constant_units(s.fixed_leaves(), xps)
    assert set(known_np) == set(known_st)
    if window is not None:
        assert known_np  # some units read fixed inputs only
    a = sample_matrix(net, s, np, known=known_np)
    b = sample_matrix(net, s, xps, known=known_st)
    assert a.shape == b.shape == (s.Kr, s.Kc) and a.size > 1
    if arithmetic == "exact":
        assert np.array_equal(a, b)
    else:
        assert np.allclose(a, b, rtol=1e-12, atol=0)


def test_readout_and_relu_under_strict_namespace():
    from analyzer import spec_from_dict

    for spec in (
        {
            "name": "ro",
            "input_channels": 2,
            "readout": True,
            "branches": [{"name": "T", "kernel": 2, "dilations": [1, 2], "channels": 3}],
        },
        {
            "name": "relu",
            "input_channels": 2,
            "pooling": "relu",
            "branches": [{"name": "T", "kernel": 2, "dilations": [1, 2], "channels": 3}],
        },
    ):
        arch = spec_from_dict(spec)
        net = random_network(arch, "float", "shared", seed=1)
        x = np.random.default_rng(2).standard_normal((7, 4, 2))
        a = net.evaluate_batch(x, np)
        b = net.evaluate_batch(xps.asarray(x), xps)
        assert np.allclose(a, np.asarray(b), rtol=1e-12, atol=0)


def test_constant_units_change_nothing_and_are_skipped():
    """Units reading fixed inputs only, computed once, give the same matrix as recomputing them
    per chunk; and the evaluator does not recompute them (a hook sees only the others)."""
    arch = load_spec("builtin:paper-mixed", {"r": 2})
    an = analyze(arch, families=["odd-even"])
    c = an.structure.circuit
    I = sum(1 << q for q in an.partitions[0].I)
    window = 0b0000000011110000
    net = random_network(arch, "exact", "shared", seed=3)
    s = Sampler(c, I, 2, "exact", np.random.default_rng(4), PRIME, True, window=window)
    s = s.sample(9, 7)
    known = net.constant_units(s.fixed_leaves(), np)
    fixed_mask = c.used_mask & ~window
    assert set(known) == {u.id for u in c.units if u.support & ~fixed_mask == 0}
    assert np.array_equal(
        sample_matrix(net, s, np, known=known), sample_matrix(net, s, np, known=None)
    )
    seen = []
    net.evaluate(s.leaves(0, 9), np, hook=lambda i, u, v: seen.append(i) or v, known=known)
    assert seen and not set(seen) & set(known)
