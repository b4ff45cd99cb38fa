"""Adaptive K: stopping rules, budgets, nested samples, the degree bound and epsilon.

Expected values come from the rules in docs/verify.md and hand-derived degrees, not from the
code's output.
"""

import numpy as np
import pytest

from analyzer import SpecError, load_spec, spec_from_dict
from analyzer.analysis import analyze, structure
from networks import PRIME
from verify import verify_architecture
from verify.harness import Budget, entry_degree
from verify.sampling import Sampler

from ..worked_table import WORKED_COLUMNS, partition_arg
from .test_bruteforce import SPECS

# depth-3 binary trees with random-product inputs (degree 1 each): a layer-1 unit has degree
# 2 * (1 + 1) = 4, layer 2: 2 * (1 + 4) = 10, layer 3: 2 * (1 + 10) = 22; exchanges keep it
D_DEPTH3 = 22


def test_entry_degree_by_hand():
    mix = structure(load_spec("builtin:worked-mix2")).circuit
    assert entry_degree(mix, {q: 1 for q in mix.used_positions}) == D_DEPTH3
    # template inputs (degree 0): 2 * 1 = 2, 2 * 3 = 6, 2 * 7 = 14
    assert entry_degree(mix, {}) == 14
    ro = structure(spec_from_dict(SPECS["readout"], source="r")).circuit
    assert entry_degree(ro, {q: 1 for q in ro.used_positions}, readout=True) == D_DEPTH3 + 1
    # kernel 3, dilations 1, 2 (overlapping), templates: 3 * (1 + 0) = 3, then 3 * (1 + 3) = 12
    tcn = spec_from_dict(
        {
            "name": "t",
            "input_channels": 2,
            "branches": [{"name": "a", "kernel": 3, "dilations": [1, 2], "channels": 2}],
        }
    )
    assert entry_degree(structure(tcn).circuit, {}) == 12


def test_tree_stops_at_the_upper_bound_with_epsilon_zero():
    res = verify_architecture(load_spec("builtin:worked-T"), partitions=["0,2,4,6"])
    (p,) = res.partitions
    # theory.md worked table: T on {0,2,4,6} has rank 16 = the upper bound
    assert p.certified_lower == 16 and p.stop == "upper" and p.epsilon == 0.0
    assert not p.capped and p.capped_by is None


def _not_attained():
    arch = load_spec("builtin:worked-mix2")
    an = analyze(arch, partitions=[partition_arg(c) for c in WORKED_COLUMNS])
    return arch, [pb for pb in an.partitions if pb.upper is not None]


def test_rank_below_k_and_epsilon_formula():
    arch, pbs = _not_attained()
    res = verify_architecture(arch, partitions=[",".join(map(str, pb.I)) for pb in pbs])
    below = [p for p in res.partitions if p.stop == "rank-below-K"]
    assert below, "worked-mix2 has partitions whose rank is below the propagation bound"
    for p in below:
        assert p.certified_lower < min(p.K) and p.certified_lower < p.upper
        assert p.degree == D_DEPTH3
        # docs/verify.md: a union bound over every step the caps allow: K_j = min(64 * 2^j,
        # upper + 8), each at most min(M^|I|, M^|J|) (M = 3, N = 8); epsilon = sum_j K_j D / p
        dims = min(3 ** len(p.I), 3 ** (8 - len(p.I)))
        ks, k = [], 64
        while True:
            ks.append(min(k, p.upper + 8, dims))
            if k >= p.upper + 8:
                break
            k *= 2
        assert p.epsilon == pytest.approx(sum(ks) * D_DEPTH3 / PRIME)
        assert "GF(p)" in p.epsilon_scope
    for p in res.partitions:
        if p.stop == "upper":
            assert p.epsilon == 0.0


def test_repeat_multiplies_epsilon():
    arch, pbs = _not_attained()
    parts = [",".join(map(str, pb.I)) for pb in pbs]
    one = verify_architecture(arch, partitions=parts, mode="exact")
    three = verify_architecture(arch, partitions=parts, mode="exact", repeat=3)
    for a, b in zip(one.partitions, three.partitions, strict=True):
        assert b.certified_lower >= a.certified_lower
        if a.stop == "rank-below-K":
            # each repeat at most (largest K the caps allow) * D / p, independently
            dims = min(3 ** len(a.I), 3 ** (8 - len(a.I)))
            kmax = min(a.upper + 8, dims)
            assert b.repeats == 3
            assert b.epsilon == pytest.approx(a.epsilon * (kmax * D_DEPTH3 / PRIME) ** 2)
            assert b.certified_lower == a.certified_lower  # the generic rank, found again


def test_geometric_growth_and_explicit_cap():
    res = verify_architecture(
        load_spec("builtin:paper-mixed", {"r": 4}),
        families=["odd-even"],
        max_k=256,
        mode="exact",
    )
    (p,) = res.partitions
    # the odd-even rank is at least (r/2)^8 = 256 (Claim 5 + Theorem 7): full rank at each K
    assert [s["K"] for s in p.steps] == [[64, 64], [128, 128], [256, 256]]
    assert [s["rank"] for s in p.steps] == [64, 128, 256]
    assert p.stop == "max-k" and p.capped_by == "max-k" and p.capped
    assert p.status == "capped" and p.epsilon is None


def test_memory_budget_caps_k():
    b = Budget(memory_bytes=56 * 100 * 100)  # sqrt(memory / 56 bytes per entry) = 100
    assert b.memory_k == 100
    res = verify_architecture(
        load_spec("builtin:paper-mixed", {"r": 4}),
        families=["odd-even"],
        budget=b,
        mode="exact",
    )
    (p,) = res.partitions
    assert [s["K"][0] for s in p.steps] == [64, 100]
    assert p.stop == "memory" and p.capped_by == "memory" and p.certified_lower == 100
    assert p.certified_text.startswith("at least 100")


def test_time_budget_stops_after_one_step():
    res = verify_architecture(
        load_spec("builtin:paper-mixed", {"r": 4}),
        families=["odd-even"],
        budget=Budget(seconds=1e-9),
        mode="exact",
    )
    (p,) = res.partitions
    assert len(p.steps) == 1 and p.stop == "time" and p.capped_by == "time"
    assert p.certified_lower == 64 and p.status == "capped"


def test_samples_are_nested():
    c = structure(load_spec("builtin:worked-mix2")).circuit
    s = Sampler(c, 0b01010101, 3, "exact", np.random.default_rng(1), PRIME, True)
    a = s.sample(5, 4)
    b = s.sample(9, 8)
    for q in a.rows:
        assert np.array_equal(b.rows[q][:5], a.rows[q])
    for q in a.cols:
        assert np.array_equal(b.cols[q][:4], a.cols[q])
    # template configurations: distinct, nested, all of them once K reaches M^n
    t = Sampler(c, 0b00000011, 3, "exact", np.random.default_rng(1), PRIME, False)
    x = t.sample(4, 4)
    y = t.sample(9, 4)
    assert y.Kr == 9 and all(np.array_equal(y.rows[q][:4], x.rows[q]) for q in x.rows)
    rows = {tuple(int(np.argmax(y.rows[q][i])) for q in sorted(y.rows)) for i in range(9)}
    assert len(rows) == 9


def test_budget_and_method_errors():
    arch = load_spec("builtin:worked-T")
    with pytest.raises(SpecError, match="rank_method"):
        verify_architecture(arch, partitions=["0,1"], rank_method="bogus")
    with pytest.raises(SpecError, match="repeat"):
        verify_architecture(arch, partitions=["0,1"], repeat=0)
    with pytest.raises(SpecError, match="growth"):
        verify_architecture(arch, partitions=["0,1"], budget=Budget(growth=1))
    res = verify_architecture(arch, partitions=["0,2,4,6"], rank_method="flint")
    assert res.partitions[0].certified_lower == 16


def test_all_zero_float_sample_of_a_product_network_is_called_underflow(monkeypatch):
    """Product pooling has no dead units: a float sample that is exactly 0 underflowed."""
    import verify.harness as harness

    orig = harness.sample_matrix

    def zero_floats(net, s, xp=np, **kw):
        X = orig(net, s, xp, **kw)
        return np.zeros_like(X) if net.arithmetic == "float" else X

    monkeypatch.setattr(harness, "sample_matrix", zero_floats)
    res = verify_architecture(load_spec("builtin:worked-T"), partitions=["0,2,4,6"])
    (p,) = res.partitions
    assert p.certified_lower == 16 and p.float_rank is None
    assert any("underflow" in w for w in p.warnings)
    assert not any("dead" in w or "differs" in w for w in p.warnings)


def test_progress_reports_each_k():
    labels = []
    verify_architecture(
        load_spec("builtin:paper-mixed", {"r": 4}),
        families=["odd-even"],
        max_k=256,
        mode="exact",
        progress=lambda done, total, label: labels.append(label),
    )
    assert [lab.split()[-2] for lab in labels if "K=" in lab] == ["K=64", "K=128", "K=256"]
    assert labels[-1] == "done"
