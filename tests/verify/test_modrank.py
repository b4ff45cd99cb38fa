"""Array-native exact rank mod p (verify.modrank) against python-flint, the independent route.

Expected ranks come from flint (nmod_mat.rank on Python lists, never through floats) or from
the construction (L @ R with L of full column rank and R of full row rank has rank exactly r).
"""

import array_api_strict as xps
import flint
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from networks import PRIME, gpu_available, modmatmul
from verify.modrank import _gemm, _sub_matmul, plan_for, rank_memory_bytes, rank_mod_p
from verify.ranks import ARRAY_MIN_SIZE, RANK_METHODS, choose_rank_method, exact_rank_mod_p

PRIMES = [PRIME, 2, 3, 5, 65521, 2**31 - 1]


def flint_rank(X, p: int) -> int:
    X = np.asarray(X)
    if X.size == 0:
        return 0
    return int(flint.nmod_mat((X.astype(np.int64) % p).tolist(), p).rank())


def full_rank_factors(rng, m, n, r, p):
    """L (m x r), R (r x n) with rank exactly r over GF(p): identity blocks in random rows/cols."""
    L = rng.integers(0, p, (m, r))
    L[rng.permutation(m)[:r]] = np.eye(r, dtype=np.int64)
    R = rng.integers(0, p, (r, n))
    R[:, rng.permutation(n)[:r]] = np.eye(r, dtype=np.int64)
    return L, R


def low_rank(rng, m, n, r, p):
    """A random m x n matrix of rank exactly r over GF(p) (entries reduced, int64 exact)."""
    L, R = full_rank_factors(rng, m, n, r, p)
    L, R = L.astype(object), R.astype(object)  # exact product for any p < 2^31
    return np.asarray((L @ R) % p, dtype=np.int64)


# -- random matrices of every shape ---------------------------------------------------------


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    m=st.integers(0, 40),
    n=st.integers(0, 40),
    p=st.sampled_from(PRIMES),
    block=st.integers(1, 12),
    seed=st.integers(0, 2**32 - 1),
    big=st.booleans(),
)
def test_random_matches_flint(m, n, p, block, seed, big):
    rng = np.random.default_rng(seed)
    X = rng.integers(-(2**62), 2**62, (m, n)) if big else rng.integers(0, 3, (m, n))
    assert rank_mod_p(X, p, block=block) == flint_rank(X, p)


@settings(max_examples=80, deadline=None)
@given(
    m=st.integers(1, 60),
    n=st.integers(1, 60),
    p=st.sampled_from(PRIMES),
    block=st.integers(1, 10),
    seed=st.integers(0, 2**32 - 1),
    data=st.data(),
)
def test_low_rank_products(m, n, p, block, seed, data):
    r = data.draw(st.integers(0, min(m, n)))
    X = low_rank(np.random.default_rng(seed), m, n, r, p)
    assert flint_rank(X, p) == r  # the construction, checked independently
    assert rank_mod_p(X, p, block=block) == r


@pytest.mark.parametrize("block", [1, 2, 3])
@pytest.mark.parametrize("p", [PRIME, 65521])
def test_generic_corank_one_squares(block, p):
    """n x n matrices B @ C of rank n - 1 with dense random factors (not low_rank's identity
    blocks): the last Schur complement is a single row, which must still be updated (a 2 x 2
    rank-1 matrix read as rank 2 went unnoticed by the random tests)."""
    rng = np.random.default_rng(block * 7 + p % 5)
    for n in range(2, 9):
        for _ in range(3):
            B = rng.integers(0, p, (n, n - 1)).astype(object)
            C = rng.integers(0, p, (n - 1, n)).astype(object)
            X = np.asarray((B @ C) % p, dtype=np.int64)
            want = flint_rank(X, p)
            assert want == n - 1  # generic factors: checked independently of the code
            assert rank_mod_p(X, p, block=block) == want, (n, block)


@pytest.mark.parametrize("shape", [(0, 0), (0, 5), (5, 0), (1, 1), (1, 37), (37, 1), (3, 90)])
@pytest.mark.parametrize("p", [PRIME, 3])
def test_degenerate_shapes(shape, p):
    rng = np.random.default_rng(1)
    X = rng.integers(1, p, shape)
    assert rank_mod_p(X, p) == flint_rank(X, p) == (min(shape) if min(shape) else 0)
    assert rank_mod_p(np.zeros(shape, dtype=np.int64), p) == 0


@pytest.mark.parametrize("p", [PRIME, 2, 3, 5, 2**31 - 1])
@pytest.mark.parametrize("m,n", [(150, 150), (260, 90), (90, 260)])
def test_medium_random_and_low_rank(p, m, n):
    # Large enough for float64 GEMMs with many inner terms (not just the int64 route).
    rng = np.random.default_rng(m * n + p % 97)
    X = rng.integers(0, p, (m, n))
    assert rank_mod_p(X, p) == flint_rank(X, p)
    r = min(m, n) // 2 + 3
    Y = low_rank(rng, m, n, r, p)
    assert rank_mod_p(Y, p) == r == flint_rank(Y, p)


@pytest.mark.parametrize(
    "m,n,r",
    [
        (512, 512, 512),
        (700, 300, 300),
        (300, 700, 300),
        (600, 600, 97),
        (3000, 70, 70),
        (3000, 17, 17),
        (3000, 16, 16),
        (20, 3000, 20),
        (1, 3000, 1),
    ],
)
def test_working_memory_within_stated_bound(m, n, r):
    import tracemalloc

    rng = np.random.default_rng(m + n)
    L, R = full_rank_factors(rng, m, n, r, PRIME)
    X = modmatmul(np, L, R)
    tracemalloc.start()
    try:
        assert rank_mod_p(X) == r
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak <= rank_memory_bytes(m, n)


def test_leaf_wider_than_lazy_steps():
    # a 150-column leaf for PRIME passes plan.lazy_steps = 128 updates: the panel is reduced
    plan = plan_for(PRIME)
    assert plan.lazy_steps == 128
    rng = np.random.default_rng(8)
    X = rng.integers(0, PRIME, (200, 150))
    X[:, 140:] = X[:, :10]  # dependent columns after the reduction point
    assert rank_mod_p(X, block=150) == flint_rank(X, PRIME) == 140


def test_numpy_row_blocked_gemm():
    # mid-size products run in row blocks on NumPy: the same exact result as one call
    rng = np.random.default_rng(4)
    a = rng.integers(-(2**20), 2**20, (3001, 10)).astype(np.float64)
    b = rng.integers(-(2**20), 2**20, (10, 21)).astype(np.float64)
    assert np.array_equal(_gemm(np, a, b), a @ b)


def test_large_enough_for_row_blocks():
    rng = np.random.default_rng(6)
    X = rng.integers(0, PRIME, (520, 520))
    assert rank_mod_p(X) == flint_rank(X, PRIME) == 520
    L, R = full_rank_factors(rng, 520, 500, 301, PRIME)
    Y = modmatmul(np, L, R)  # exact int64 product mod PRIME (networks.modular)
    assert rank_mod_p(Y) == 301


# -- structured matrices --------------------------------------------------------------------


def structured(p):
    rng = np.random.default_rng(7)
    half = (p - 1) // 2
    out = {}
    out["identity"] = (np.eye(70, dtype=np.int64), 70)
    out["p-1 everywhere"] = (np.full((130, 120), p - 1, dtype=np.int64), 1)
    # (p - 1) J + I = I - J mod p: rank n unless n = 1 mod p
    n = 130
    B = np.full((n, n), p - 1, dtype=np.int64) + np.eye(n, dtype=np.int64)
    out["I - J"] = (B, n if n % p != 1 else n - 1)
    extreme = rng.choice(np.array([half, -half, p - 1, half + 1], dtype=np.int64), (200, 200))
    out["extreme residues"] = (extreme, None)
    rows = rng.integers(0, p, (20, 90))
    out["repeated rows"] = (rows[rng.integers(0, 20, 100)], None)
    Z = rng.integers(0, p, (80, 80))
    Z[:50, :50] = 0
    out["zero block"] = (Z, None)
    # rank-deficient leading block: the first 40 columns all copies of one column, so the
    # leading panels have rank 1 and pivots must be found further right
    L = rng.integers(0, p, (100, 100))
    L[:, :40] = L[:, :1]
    out["deficient leading block"] = (L, None)
    # leading rows zero and leading columns zero: pivots far from the top-left corner
    D = low_rank(rng, 90, 90, 30, p)
    D[:45] = 0
    D[:, :45] = 0
    out["zero leading rows and columns"] = (D, None)
    return out


@pytest.mark.parametrize("p", [PRIME, 3, 5, 2])
@pytest.mark.parametrize("name", list(structured(5)))
def test_structured(name, p):
    X, want = structured(p)[name]
    ref = flint_rank(X, p)
    if want is not None:
        assert ref == want
    assert rank_mod_p(X, p) == ref
    assert rank_mod_p(X, p, block=3) == ref
    assert rank_mod_p(X.T, p) == ref


def test_entries_reduced_first():
    # any int64 values, negative ones included: the same residues, the same rank
    rng = np.random.default_rng(3)
    X = rng.integers(0, PRIME, (40, 30))
    shift = rng.integers(-(2**30), 2**30, X.shape) * PRIME
    assert rank_mod_p(X + shift) == rank_mod_p(X) == flint_rank(X, PRIME)
    assert rank_mod_p(np.array([[PRIME, 2 * PRIME], [-PRIME, 0]])) == 0
    assert rank_mod_p(X.astype(np.int32) % 1000, 5) == flint_rank(X % 1000, 5)
    assert rank_mod_p(X.astype(np.uint64), 5) == flint_rank(X, 5)


def test_near_maximal_residues_at_the_largest_prime():
    """p = 2^31 - 1 and products of factors with entries p - 1, p - 2, p - 3 (rank <= 7): the
    leaf's coefficient products come near (p - 1)^2 = 2^62, so the int64 shortcut must stop at
    r (p - 1)^2 < 2^63 (3 pivots take the exact float path). The ranks are flint's."""
    p = 2**31 - 1
    for seed in (7, 27, 37):
        rng = np.random.default_rng(seed)
        L = p - 1 - rng.integers(0, 3, (13, 7))
        R = p - 1 - rng.integers(0, 3, (7, 13))
        X = np.array((np.array(L, dtype=object) @ np.array(R, dtype=object)) % p, dtype=np.int64)
        want = flint_rank(X, p)
        for block in (2, 3, 4, 5):
            assert rank_mod_p(X, p, block=block) == want, (seed, block)


def test_uint64_entries_above_int64_reduced_first():
    """Unsigned entries at or above 2^63 are reduced mod p before any int64 view: a rank-3
    matrix mod p, each entry shifted by a multiple of p near 2^63 (and 2^64 - 1), keeps rank 3
    (flint on the residues)."""
    rng = np.random.default_rng(5)
    for p in (PRIME, 65521, 5):
        L, R = rng.integers(0, p, (12, 3)), rng.integers(0, p, (3, 9))
        X = (L @ R) % p  # rank <= 3 mod p
        big = np.uint64((2**64 - 1) // p * p)  # the largest multiple of p below 2^64
        U = (
            X.astype(np.uint64)
            + big
            - np.uint64(p) * rng.integers(0, 2**20, X.shape).astype(np.uint64)
        )
        assert int(U.min()) >= 2**63  # every entry above the int64 range
        assert rank_mod_p(U, p) == flint_rank(X, p) <= 3


# -- the exactness argument, checked on the kernel --------------------------------------------


@pytest.mark.parametrize("p", [PRIME, 2**31 - 1, 65521, 3])
@pytest.mark.parametrize("inner", [None, 1, 7])
def test_sub_matmul_exact_at_extremes(p, inner):
    """A - N @ B mod p with all operands at +-half (the largest centered residues)."""
    plan = plan_for(p)
    if inner is not None:  # short chunks: exercises the chunk loop on small operands
        plan = type(plan)(**{**plan.__dict__, "inner": inner, "int_inner": 0})
    half = plan.half
    rng = np.random.default_rng(p % 1000)
    k = 40
    A = rng.choice(np.array([-half, half]), (30, 20))
    N = rng.choice(np.array([-half, half, half - 1]), (30, k))
    B = rng.choice(np.array([-half, half, 1 - half]), (k, 20))
    got = _sub_matmul(np, *(x.astype(np.float64) for x in (A, N, B)), plan)
    ref = (A.astype(object) - N.astype(object) @ B.astype(object)) % p
    assert np.all(np.abs(got) <= half)
    assert np.array_equal(got.astype(np.int64) % p, ref.astype(np.int64))


@pytest.mark.parametrize("p", [PRIME, 3, 2, 2**31 - 1, 1_000_003])
def test_plan_invariants(p):
    plan = plan_for(p)
    plan.check()
    assert plan.inner * plan.half * plan.digit_bound <= 2**50
    if p == PRIME:
        assert (plan.limbs, plan.shift, plan.digit_bound, plan.inner) == (2, 14, 2**13, 1024)
    if p < 2**20:
        assert plan.limbs == 1


@pytest.mark.parametrize("p", [0, 1, 4, 9, 2**31 + 11, 2**61 - 1, -3])
def test_unsupported_p(p):
    with pytest.raises(ValueError, match="primes 2 <= p < 2\\*\\*31"):
        rank_mod_p(np.eye(3, dtype=np.int64), p)


def test_bad_inputs():
    with pytest.raises(ValueError, match="integer"):
        rank_mod_p(np.eye(3), PRIME)
    with pytest.raises(ValueError, match="2-D"):
        rank_mod_p(np.zeros((2, 2, 2), dtype=np.int64), PRIME)
    with pytest.raises(ValueError, match="block"):
        rank_mod_p(np.eye(3, dtype=np.int64), PRIME, block=0)


# -- the strict namespace: no NumPy-only call on the path CuPy takes --------------------------


@pytest.mark.parametrize("p", [PRIME, 3, 2**31 - 1])
def test_strict_namespace(p):
    rng = np.random.default_rng(11)
    cases = [
        rng.integers(0, p, (70, 50)),
        rng.integers(0, p, (150, 140)),  # wide products: the digits share one GEMM
        low_rank(rng, 60, 80, 25, p),
        structured(p)["deficient leading block"][0],
        np.zeros((4, 6), dtype=np.int64),
        np.zeros((0, 3), dtype=np.int64),
    ]
    for X in cases:
        S = xps.asarray(X)
        assert rank_mod_p(S, p) == flint_rank(X, p)
        assert rank_mod_p(S, p, block=2) == flint_rank(X, p)
    # the namespace is taken from the input, and also accepted explicitly
    assert rank_mod_p(xps.asarray(cases[0]), p, xp=xps) == flint_rank(cases[0], p)


@pytest.mark.gpu
@pytest.mark.skipif(not gpu_available(), reason="no usable GPU/cupy here")
def test_cupy_matches_numpy():
    import cupy

    rng = np.random.default_rng(5)
    for X in (rng.integers(0, PRIME, (300, 257)), low_rank(rng, 300, 300, 123, PRIME)):
        assert rank_mod_p(cupy.asarray(X)) == rank_mod_p(X) == flint_rank(X, PRIME)


# -- the dispatcher ---------------------------------------------------------------------------


def test_dispatcher_methods_agree():
    rng = np.random.default_rng(2)
    X = low_rank(rng, 50, 70, 33, PRIME)
    ranks = {m: exact_rank_mod_p(X, PRIME, method=m) for m in RANK_METHODS}
    assert ranks == {"auto": 33, "flint": 33, "array": 33}
    assert exact_rank_mod_p(X, PRIME) == 33  # today's two-argument call


def test_dispatcher_unknown_method():
    with pytest.raises(ValueError, match="auto, flint, array"):
        exact_rank_mod_p(np.eye(2, dtype=np.int64), PRIME, method="gauss")


def test_auto_choice():
    small = np.zeros((10, 10), dtype=np.int64)
    large = np.broadcast_to(np.int64(0), (ARRAY_MIN_SIZE, ARRAY_MIN_SIZE + 5))
    assert choose_rank_method(small, PRIME) == "flint"
    assert choose_rank_method(large, PRIME) == "array"
    assert choose_rank_method(large, 2**61 - 1) == "flint"  # beyond the array route's primes
    assert choose_rank_method(xps.asarray(small), PRIME) == "array"  # non-NumPy stays put
    # flint handles primes the array route refuses
    assert exact_rank_mod_p(np.eye(3, dtype=np.int64), 2**61 - 1) == 3


# -- bench/gpu_checks.py: its rank table without a GPU ----------------------------------------


def test_gpu_checks_rank_table_runs_on_numpy():
    import bench.gpu_checks as gc

    lines, ok = gc.rank_scaling(np, [64, 96])
    assert ok
    rows = [ln for ln in lines if ln.startswith("| 64 ") or ln.startswith("| 96 ")]
    assert len(rows) == 4 and all("flint" in r for r in rows)


@pytest.mark.skipif(gpu_available(), reason="a GPU is present: the script takes the GPU path")
def test_gpu_checks_script_without_gpu(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parents[2] / "bench" / "gpu_checks.py"
    out = tmp_path / "gpu.md"
    run = [sys.executable, str(script), "--rank-only", "--rank-k", "48"]
    refused = subprocess.run(run, capture_output=True, text=True)
    assert refused.returncode == 3 and "no usable GPU" in refused.stdout
    dry = subprocess.run(run + ["--allow-cpu", "--out", str(out)], capture_output=True, text=True)
    assert dry.returncode == 0, dry.stdout + dry.stderr
    text = out.read_text()
    assert "| 48 | random | 48 | 48 | flint 48 |" in text and "overall: PASS" in text


@pytest.mark.slow
def test_inner_dimension_chunked_end_to_end():
    # n = 2200: the top-level products have 1088 > plan.inner = 1024 inner terms (two chunks)
    rng = np.random.default_rng(12)
    X = rng.integers(0, PRIME, (2200, 2200))
    X[:, 2000:] = X[:, :200]  # rank 2000
    assert plan_for(PRIME).inner < 1088
    assert rank_mod_p(X) == flint_rank(X, PRIME) == 2000


def test_docstring_examples():
    import doctest

    import verify.modrank

    result = doctest.testmod(verify.modrank)
    assert result.attempted >= 3 and result.failed == 0


def test_host_conversions_are_one_scalar_per_column(monkeypatch):
    """Under the strict namespace, count every array -> Python scalar conversion: at most one
    per column of the shorter side (the pivot values), plus shape reads (not conversions)."""
    Array = type(xps.asarray(0))
    calls = {"n": 0}
    for name in ("__int__", "__index__", "__float__", "__bool__", "__complex__"):
        orig = getattr(Array, name)

        def counted(self, _orig=orig):
            calls["n"] += 1
            return _orig(self)

        monkeypatch.setattr(Array, name, counted)
    rng = np.random.default_rng(13)
    X = low_rank(rng, 90, 70, 41, PRIME)
    assert rank_mod_p(xps.asarray(X)) == 41
    assert 0 < calls["n"] <= 70
    assert not hasattr(Array, "tolist")
