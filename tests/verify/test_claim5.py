"""Claim 5 as a check: the mixed network of width r realises hybrid trees of width r/2."""

import pytest

from analyzer import SpecError, load_spec
from analyzer.analysis import structure
from verify import claim5_check


@pytest.mark.parametrize(
    "ref,values",
    [
        ("builtin:paper-mixed", {"r": 4}),
        ("builtin:worked-mix2", None),
        ("builtin:worked-mix2-sum", None),
        ("builtin:groupswap-k2-mixed", {"r": 2}),
    ],
)
def test_claim5_passes(ref, values):
    res = claim5_check(load_spec(ref, values))
    assert res.ok and res.checked and all(c["equal"] for c in res.checked)


def test_claim5_covers_T_Tprime_and_all_hybrids_of_small_nets():
    arch = load_spec("builtin:worked-mix2")
    hs = structure(arch).hybrid
    # two mixture nodes ({0..3}, {4..7}) plus the root: 2^3 hybrid trees
    assert hs.count == 8
    res = claim5_check(arch)
    assert len(res.checked) == 8
    trees = {tuple(seg["tree"] for seg in c["hybrid"]) for c in res.checked}
    assert ("T", "T", "T") in trees and ("Tp", "Tp", "Tp") in trees


@pytest.mark.parametrize("corrupt", ["wrong-exchange", "wrong-copy"])
def test_claim5_fails_loudly_on_a_wrong_copy(corrupt):
    res = claim5_check(load_spec("builtin:paper-mixed", {"r": 4}), corrupt=corrupt)
    assert not res.ok
    assert any(c["mismatches"] > 0 for c in res.checked)


def test_claim5_refuses_non_mixed():
    with pytest.raises(SpecError, match="Claim 5"):
        claim5_check(load_spec("builtin:wavenet-overlapping"))
