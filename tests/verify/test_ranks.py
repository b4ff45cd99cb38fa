"""verify/ranks.py: the floating rank estimate (its documented rule) and the exact-rank routes.

Expected ranks come from the construction (B @ C with B, C generic of inner dimension r has
rank r), from a Gaussian elimination over GF(p) in plain Python (test_bruteforce.rank_mod_p),
or from the definition of the rule (FLOAT_RULE), never from the code under test.
"""

from __future__ import annotations

import numpy as np
import pytest

from verify.ranks import exact_rank_mod_p, float_rank

from .test_bruteforce import rank_mod_p as gf_rank  # row reduction over GF(p), plain Python


@pytest.mark.parametrize("method", ["flint", "array", "auto"])
@pytest.mark.parametrize("p", [2, 3, 7, 65521])
def test_exact_rank_is_the_rank_over_gf_p(method, p):
    rng = np.random.default_rng(p)
    for _ in range(12):
        m, n, r = rng.integers(1, 9), rng.integers(1, 9), rng.integers(0, 6)
        X = rng.integers(-50, 50, (m, r)) @ rng.integers(-50, 50, (r, n))
        X[rng.integers(0, m)] = 0  # a zero row
        assert exact_rank_mod_p(X, p, method=method) == gf_rank(X.tolist(), p)
    assert exact_rank_mod_p(np.zeros((0, 3), dtype=np.int64), p, method=method) == 0


def generic(rng, m, n, r, dtype=np.float64):
    return (rng.standard_normal((m, r)) @ rng.standard_normal((r, n))).astype(dtype)


def test_float_rank_of_generic_products_is_the_inner_dimension():
    rng = np.random.default_rng(0)
    for m, n, r in [(6, 9, 0), (6, 9, 1), (6, 9, 4), (9, 6, 6), (7, 7, 7), (1, 5, 1), (5, 1, 1)]:
        got = float_rank(generic(rng, m, n, r))
        assert got.rank == r, (m, n, r)
        # the rule: singular values of the equilibrated matrix above sigma_max * max(m, n) * eps
        want = got.singular_values[0] * max(m, n) * np.finfo(float).eps if r else 0.0
        assert got.tol == pytest.approx(want, rel=1e-12, abs=0.0)  # (approx's abs: 1e-12)
        assert got.rank == int((got.singular_values > got.tol).sum())


def test_float_rank_equilibrates_rows_and_columns():
    """Rows or columns of very different scales, and zero rows/columns, keep the rank: the
    rule works on the matrix scaled to unit row and column norms."""
    rng = np.random.default_rng(1)
    X = generic(rng, 8, 10, 5)
    scaled = X * np.logspace(0, -14, 8)[:, None]  # rows down to 1e-14: rank 5 still
    assert float_rank(scaled).rank == 5
    assert float_rank(X * np.logspace(0, -14, 10)[None, :]).rank == 5
    Z = np.zeros((10, 12))
    Z[1:9, 2:12] = X  # zero rows and columns (never divided by their zero norm)
    got = float_rank(Z)
    assert got.rank == 5 and np.all(np.isfinite(got.singular_values))
    assert float_rank(np.zeros((3, 4))).rank == 0


def test_float_rank_tolerance_uses_the_matrix_dtype():
    """A rank-3 product computed in float32 carries float32 rounding (about 1e-7 relative):
    counted as rank with float64's eps, ignored with float32's (the rule)."""
    rng = np.random.default_rng(2)
    B = rng.standard_normal((40, 3)).astype(np.float32)
    C = rng.standard_normal((3, 40)).astype(np.float32)
    X32 = B @ C
    assert X32.dtype == np.float32
    assert float_rank(X32).rank == 3
    # the same rounded values read as float64 data: the float64 rule sees the rounding noise
    assert float_rank(X32.astype(np.float64)).rank > 3
    # integer matrices: float64's eps
    assert float_rank(np.array([[1, 2], [2, 4], [3, 6]])).rank == 1
    assert float_rank(np.array([[1, 2], [3, 4]])).rank == 2


def test_float_rank_empty_and_non_finite():
    """No singular value is reported for an empty or a non-finite matrix (the report lists
    them, and the harness reads a leading 0 as an underflowed sample)."""
    for X, rank in [
        (np.zeros((0, 4)), 0),
        (np.zeros((3, 0)), 0),
        (np.array([[1.0, np.inf], [0.0, 1.0]]), -1),
        (np.array([[1.0, np.nan]]), -1),
    ]:
        got = float_rank(X)
        assert got.rank == rank and got.singular_values.size == 0


def test_one_by_one_and_non_numpy_inputs():
    """The smallest matrices have their rank (a 1 x 1 nonzero entry: 1); the flint route takes
    any array of the array API (converted to NumPy first), as the array route does."""
    import array_api_strict as xps

    for method in ("flint", "array", "auto"):
        assert exact_rank_mod_p(np.array([[5]]), 7, method=method) == 1
        assert exact_rank_mod_p(np.array([[14]]), 7, method=method) == 0
        X = xps.asarray(np.array([[1, 2], [3, 4]], dtype=np.int64))
        assert exact_rank_mod_p(X, 7, method=method) == 2
        assert exact_rank_mod_p(X, 2, method=method) == 1
    assert float_rank(np.array([[3.0]])).rank == 1
    assert float_rank(np.array([[0.0]])).rank == 0


def test_auto_route_follows_the_documented_rule():
    """choose_rank_method: the array route for NumPy matrices whose SMALLER dimension reaches
    ARRAY_MIN_SIZE, for every prime 2 <= p < 2^31 (p = 2 included); flint otherwise."""
    from verify.ranks import ARRAY_MIN_SIZE, choose_rank_method

    wide = np.broadcast_to(np.int64(0), (10, 4 * ARRAY_MIN_SIZE))
    tall = np.broadcast_to(np.int64(0), (4 * ARRAY_MIN_SIZE, ARRAY_MIN_SIZE - 1))
    square = np.broadcast_to(np.int64(0), (ARRAY_MIN_SIZE, ARRAY_MIN_SIZE))
    assert choose_rank_method(wide, 7) == choose_rank_method(tall, 7) == "flint"
    for p in (2, 3, 2**31 - 1):
        assert choose_rank_method(square, p) == "array", p
