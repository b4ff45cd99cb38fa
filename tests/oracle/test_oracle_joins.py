"""Oracle property tests aimed at the joint-span rule (docs/theory.md sec. 4.3): mixed networks
with several joins and narrow widths, where joined units share their past. Same check as
test_oracle_bounds.check_oracle (every bound against the exact rank of the full grid tensor),
on the strategy :func:`strategies.joined_architectures`. The default profile is derandomized;
``-m slow`` draws new examples on every run (``--hypothesis-seed`` to fix them) up to 16 used
positions.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from analyzer import analyze, spec_from_dict

from .oracle import generic_rank
from .strategies import (
    chained_architectures,
    joined_architectures,
    oracle_settings,
    subtree_partitions,
)
from .test_oracle_bounds import check_oracle, partitions_of

DEFAULT = oracle_settings(120, fixed=True)
LARGE = oracle_settings(200, fixed=False)


@DEFAULT
@given(arch=joined_architectures(), weights=st.sampled_from(["per-node", "shared"]), data=st.data())
def test_joined_networks_bounds_bracket_the_exact_rank(arch, weights, data):
    spec, _, used = arch
    parts = data.draw(partitions_of(used, count=4), label="partitions")
    check_oracle(spec, parts, weights)


@pytest.mark.slow
@LARGE
@given(
    arch=joined_architectures(max_depth=4, max_grid=65536, M_choices=(2,)),
    weights=st.sampled_from(["per-node", "shared"]),
    data=st.data(),
)
def test_joined_networks_bounds_bracket_the_exact_rank_large(arch, weights, data):
    spec, _, used = arch
    parts = data.draw(partitions_of(used, count=6), label="partitions")
    check_oracle(spec, parts, weights, max_k=data.draw(st.sampled_from([None, None, 4])))


CHAINED = oracle_settings(250, fixed=True)
CHAINED_LARGE = oracle_settings(400, fixed=False)
# the lower bounds are asserted with per-node weights only: those draw twice as often
WEIGHTS = st.sampled_from(["per-node", "per-node", "shared"])


@CHAINED
@given(arch=chained_architectures(), weights=WEIGHTS, data=st.data())
def test_joins_in_a_row_bounds_bracket_the_exact_rank(arch, weights, data):
    """Joins in a row on two or three trees (strategies.chained_spec_dicts), partitions aligned
    with the trees' nodes (strategies.subtree_partitions)."""
    spec, a, used = arch
    parts = data.draw(subtree_partitions(a, used, count=6), label="partitions")
    check_oracle(spec, parts, weights)


@pytest.mark.slow
@CHAINED_LARGE
@given(
    # N <= 10 (M = 2 or 3) or N <= 16 (four-layer trees, M = 2)
    arch=chained_architectures() | chained_architectures(max_n=16, max_grid=65536),
    weights=WEIGHTS,
    data=st.data(),
)
def test_joins_in_a_row_bounds_bracket_the_exact_rank_large(arch, weights, data):
    spec, a, used = arch
    parts = data.draw(subtree_partitions(a, used, count=8), label="partitions")
    check_oracle(spec, parts, weights, max_k=data.draw(st.sampled_from([None, None, 4])))


# ---------------------------------------------------------------- cases of bench/differential.py
def _br(name, dil, w):
    return {"name": name, "kernel": 2, "dilations": dil, "channels": w}


def _spec(name, M, branches, conns, readout=False):
    return {
        "name": name,
        "input_channels": M,
        "readout": readout,
        "branches": branches,
        "connections": conns,
    }


_SUM = {"mode": "sum"}
# joint spans (docs/theory.md sec. 4.3): the upper bound meets the exact rank
SPAN_TIGHT = [
    # one summed unit under both branches, then an exchange of their single channels: the two
    # outputs are proportional (the plain rules and shared reads gave 8)
    (
        _spec(
            "both-17",
            2,
            [_br("A", [1, 2, 4], [1, 1, 1]), _br("B", [1, 2, 4], [1, 1, 1])],
            [
                {"after_layer": 1, "branches": ["A", "B"], **_SUM},
                {"after_layer": 2, "branches": ["A", "B"], "exchange": 1},
            ],
        ),
        [0, 4, 5, 7],
    ),
    # different tap partitions above the summed layer-2 units: common refinement (was 4)
    (
        _spec(
            "sum-46",
            2,
            [_br("A", [1, 2, 4, 8], [1, 1, 2, 1]), _br("B", [1, 2, 8, 4], [1, 1, 1, 1])],
            [
                {"after_layer": 1, "branches": ["A", "B"], **_SUM},
                {"after_layer": 2, "branches": ["A", "B"], **_SUM},
            ],
        ),
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13],
    ),
]
# joint pair sources (sec. 6.6): the paper's regime (uniform even width, half exchanges), where
# the routed trees gave lower 1
PAIR_CASES = [
    (
        _spec(
            "exchange-220",
            2,
            [_br("A", [1, 2], [4, 4]), _br("B", [1, 2], [4, 4])],
            [{"after_layer": 1, "branches": ["A", "B"]}],
        ),
        [0, 1],
    ),
    (
        _spec(
            "exchange-190",
            4,
            [_br("A", [1, 2], [2, 2]), _br("B", [1, 2], [2, 2]), _br("C", [1, 2], [2, 2])],
            [{"after_layer": 1, "branches": ["C", "A"]}],
        ),
        [0, 1],
    ),
    (
        _spec(
            "exchange-350",
            4,
            [_br("A", [1, 2, 4], [2, 2, 2]), _br("B", [1, 2, 4], [2, 2, 2])],
            [
                {"after_layer": 1, "branches": ["A", "B"]},
                {"after_layer": 2, "branches": ["A", "B"]},
            ],
        ),
        [0, 1, 4, 5, 6, 7],
    ),
]


@pytest.mark.parametrize("spec,I", SPAN_TIGHT, ids=[c[0]["name"] for c in SPAN_TIGHT])
def test_joint_span_meets_the_rank(spec, I):
    check_oracle(spec, [I], "per-node")
    arch = spec_from_dict(spec)
    (pb,) = analyze(arch, partitions=[I]).partitions
    rank = generic_rank(arch, [I], "per-node")[tuple(I)][0]
    assert pb.upper == rank, f"upper {pb.upper} ({pb.upper_source}), generic rank {rank}"


@pytest.mark.parametrize("spec,I", PAIR_CASES, ids=[c[0]["name"] for c in PAIR_CASES])
def test_pair_sources_lift_the_lower_bound_above_one(spec, I):
    check_oracle(spec, [I], "per-node")
    arch = spec_from_dict(spec)
    (pb,) = analyze(arch, partitions=[I]).partitions
    rank = generic_rank(arch, [I], "per-node")[tuple(I)][0]
    assert 1 < pb.lower <= rank, f"lower {pb.lower} ({pb.lower_source}), generic rank {rank}"
    if len(I) == 2:  # the outputs added at the root: every branch gives one independent term
        assert pb.lower == rank == len(spec["branches"])
