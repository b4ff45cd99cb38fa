"""The harness reproduces theory.md's worked table and behaves as documented."""

import numpy as np
import pytest

from analyzer import SpecError, load_spec, spec_from_dict
from verify import verify_architecture
from verify.harness import _status

from ..worked_table import WORKED_COLUMNS as COLUMNS
from ..worked_table import WORKED_TABLE, partition_arg

WORKED = {name: list(ranks) for name, (_, ranks) in WORKED_TABLE.items()}


# the worked table holds generic ranks: any seed (random weights and sampled inputs) must
# reproduce them (with probability ~1 - deg/p, Schwartz-Zippel)
@pytest.mark.parametrize("seed", [0, 11])
@pytest.mark.parametrize("weights", ["shared", "per-node"])
@pytest.mark.parametrize("name", sorted(WORKED))
def test_worked_table_certified_and_float(name, weights, seed):
    res = verify_architecture(
        load_spec(f"builtin:{name}"),
        partitions=[partition_arg(c) for c in COLUMNS],
        weights=weights,
        seed=seed,
    )
    assert res.seed == seed
    assert [p.certified_lower for p in res.partitions] == WORKED[name]
    assert [p.float_rank for p in res.partitions] == WORKED[name]
    assert res.ok
    for p in res.partitions:
        assert p.lower <= p.certified_lower <= p.upper
        assert p.status in ("exact", "not-attained")
        assert (p.status == "exact") == (p.certified_lower == p.upper)


def test_tree_rows_are_exact():
    for name in ("worked-T", "worked-Tp", "worked-Trev"):
        res = verify_architecture(
            load_spec(f"builtin:{name}"), partitions=[partition_arg(c) for c in COLUMNS]
        )
        assert all(p.status == "exact" for p in res.partitions)


def test_deterministic_given_seed():
    arch = load_spec("builtin:worked-mix2")
    a = verify_architecture(arch, families=["nodes"], seed=3).to_dict()
    b = verify_architecture(arch, families=["nodes"], seed=3).to_dict()
    c = verify_architecture(arch, families=["nodes"], seed=4).to_dict()
    for pa, pb, pc in zip(a["partitions"], b["partitions"], c["partitions"], strict=True):
        assert pa["certified_lower"] == pb["certified_lower"]
        assert pa["singular_values"] == pb["singular_values"]
        # another seed: other weights and inputs (other spectra), the same generic ranks
        assert pa["certified_lower"] == pc["certified_lower"]
        assert pa["singular_values"] != pc["singular_values"]


def test_cap_reads_at_least_k():
    res = verify_architecture(
        load_spec("builtin:paper-mixed", {"r": 4}), families=["odd-even"], max_k=64
    )
    (p,) = res.partitions
    # the odd-even rank of the mixed network is at least (r/2)^8 = 256 > 64 (Claim 5 + Theorem 7)
    assert p.K == [64, 64] and p.capped
    assert p.certified_lower == 64 and p.status == "capped"
    assert p.certified_text.startswith("at least 64")


def test_violation_when_bound_is_wrong(monkeypatch):
    """A deliberately lowered upper bound must be caught as a VIOLATION."""
    import analyzer.bounds as bounds

    monkeypatch.setattr(bounds.Propagator, "output_bound", lambda self, I: 1)
    res = verify_architecture(load_spec("builtin:worked-T"), partitions=["0,2,4,6"])
    (p,) = res.partitions
    assert p.status == "VIOLATION" and not res.ok and res.violations == 1
    assert p.epsilon is None  # no equality is claimed for a violation


def test_status_rules():
    assert _status(None, None, 3, 10, "shared") == "not-covered"
    assert _status(4, 1, 5, 12, "shared") == "VIOLATION"
    assert _status(4, 1, 4, 12, "shared") == "exact"
    assert _status(16, 4, 2, 24, "per-node") == "VIOLATION"
    assert _status(16, 4, 2, 24, "shared") == "below-lower"
    assert _status(100, 4, 10, 10, "shared") == "capped"
    assert _status(100, 4, 9, 10, "shared") == "not-attained"


def test_relu_is_float_only_and_not_covered():
    spec = {
        "name": "relu-net",
        "input_channels": 2,
        "pooling": "relu",
        "branches": [{"name": "T", "dilations": [1, 2], "channels": 2}],
    }
    arch = spec_from_dict(spec)
    res = verify_architecture(arch, partitions=["0,1"])
    (p,) = res.partitions
    assert p.status == "not-covered" and p.certified_lower is None and p.float_rank is not None
    with pytest.raises(SpecError, match="floating point only"):
        verify_architecture(arch, partitions=["0,1"], mode="exact")


def test_symbolic_spec_needs_values():
    with pytest.raises(SpecError, match="set r"):
        verify_architecture(load_spec("builtin:paper-T"))


def test_cupy_without_gpu_is_clear_error():
    from networks import gpu_available

    if gpu_available():
        pytest.skip("a GPU is present")
    with pytest.raises(SpecError, match="cupy"):
        verify_architecture(load_spec("builtin:worked-T"), backend="cupy")


def test_float32_runs():
    res = verify_architecture(
        load_spec("builtin:worked-T"), partitions=["0,2,4,6"], dtype="float32", mode="float"
    )
    (p,) = res.partitions
    assert p.certified_lower is None and p.float_rank == 16  # theory.md: T on 0246 has rank 16
    assert np.isfinite(p.float_tolerance)
