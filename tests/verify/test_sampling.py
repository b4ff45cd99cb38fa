"""verify/sampling.py: the random streams of a sample (the rest is covered through the harness,
tests/verify/test_adaptive.py, test_window.py and tests/networks/test_strict.py)."""

from __future__ import annotations

import numpy as np

from analyzer import load_spec
from analyzer.analysis import structure
from networks import PRIME
from verify.sampling import Sampler


def test_rows_columns_and_fixed_inputs_use_independent_streams():
    """The docstring's promise (and Schwartz-Zippel's premise): the random inputs of the rows,
    of the columns and of the fixed positions are independent draws: no two of them repeat
    one another (with one shared stream, position 0's rows would equal position 4's columns).
    Each stream is still reproducible from the seed."""
    c = structure(load_spec("builtin:worked-T")).circuit  # positions 0..7
    window = 0b00111100  # positions 2..5: 0, 1, 6, 7 get fixed inputs
    for seed in range(5):
        s = Sampler(
            c, 0b00001111, 3, "exact", np.random.default_rng(seed), PRIME, True, window=window
        )
        a = s.sample(6, 6)
        draws = [a.rows[q] for q in sorted(a.rows)] + [a.cols[q] for q in sorted(a.cols)]
        draws += [v[None, :] for v in a.fixed.values()]
        firsts = [tuple(d[0].tolist()) for d in draws]
        assert len(set(firsts)) == len(firsts), seed  # M = 3 entries mod p: no repeats
        again = Sampler(
            c, 0b00001111, 3, "exact", np.random.default_rng(seed), PRIME, True, window=window
        ).sample(6, 6)
        assert all(np.array_equal(again.rows[q], a.rows[q]) for q in a.rows)
        assert all(np.array_equal(again.fixed[q], a.fixed[q]) for q in a.fixed)
