"""checks.paper: the paper suite passes, and each item FAILS when theory or code is
broken; its JUnit rendering (reports.junit) parses and counts.

Expected numbers come from the paper and theory.md (its worked table), never from the code.
"""

from __future__ import annotations

import functools
import xml.etree.ElementTree as ET

import pytest

import verify
from analyzer.spec import SpecError
from analyzer.trees import ModeTree
from checks import PAPER_GROUPS, format_failures, paper_suite, run_suite
from checks import paper as paper_module
from reports.junit import to_junit


@pytest.fixture(scope="module")
def paper_result():
    return paper_suite()


# --------------------------------------------------------------------------- the suite passes
def test_paper_suite_passes(paper_result):
    assert paper_result.ok, format_failures(paper_result)
    assert {c.group for c in paper_result.checks} == set(PAPER_GROUPS)
    assert paper_result.counts()["checks"] == len(paper_result.checks) >= 30


def test_paper_suite_numbers_follow_the_paper(paper_result):
    by = {c.name: c for c in paper_result.checks}
    t = by["paper-T r=2: certified rank r^6 on the example's I"]
    assert t.numbers["certified"] == 2**6
    m = by["paper-mixed r=4: certified rank >= (r/2)^8 on the example's I"]
    assert m.numbers["certified"] >= (4 // 2) ** 8
    k4 = by["k=4: T against groupswap-k4-mixed"]
    assert k4.numbers["derived_exponent"] == "16/9"  # 2 / (1 + 2^(1-4))
    assert [x["required_width"] for x in k4.numbers["points"] if x["r"] == 128][0] > 1500
    k1 = by["k=1: T against groupswap-k1-mixed"]
    assert k1.numbers["derived_exponent"] == "1"
    d = by["shallow CP vs deep baseline: width 2^(N/2) for growing N"]
    assert [x["required_width"] for x in d.numbers["points"]] == [
        2 ** (N // 2) for N in (8, 16, 32)
    ]


def _failing(result, group):
    return [c for c in result.checks if c.group == group and not c.ok]


# --------------------------------------------------------------------------- broken -> fails
def test_claim5_fails_with_a_wrong_exchange(monkeypatch):
    monkeypatch.setattr(
        verify, "claim5_check", functools.partial(verify.claim5_check, corrupt="wrong-exchange")
    )
    res = paper_suite(groups=["claim5"])
    assert not res.ok
    bad = _failing(res, "claim5")
    assert bad and all(c.numbers["mismatches"] > 0 for c in bad)
    assert "outputs differ" in bad[0].message


def test_claim5_fails_with_a_wrong_copy(monkeypatch):
    monkeypatch.setattr(
        verify, "claim5_check", functools.partial(verify.claim5_check, corrupt="wrong-copy")
    )
    assert not paper_suite(groups=["claim5"]).ok


def test_theorem7_fails_with_a_wrong_tiling(monkeypatch):
    # analyzer.bounds.theorem7 takes the tiling counts and sibling pairs from one walk
    orig = ModeTree.theorem7_counts

    def wrong(self, I):  # one tiling node too few on each side
        tI, tJ, pairs = orig(self, I)
        return max(tI - 1, 0), max(tJ - 1, 0), pairs

    monkeypatch.setattr(ModeTree, "theorem7_counts", wrong)
    res = paper_suite(groups=["theorem7"])
    bad = _failing(res, "theorem7")
    assert bad
    out = bad[0].numbers["outside"][0]
    assert out["certified"] > out["theorem7_upper"]


def test_n16_example_fails_with_wrong_sibling_pairs(monkeypatch):
    orig = ModeTree.sibling_pairs
    monkeypatch.setattr(ModeTree, "sibling_pairs", lambda self, *a, **k: orig(self, *a, **k) + 1)
    res = paper_suite(groups=["n16-example"])
    names = {c.name for c in _failing(res, "n16-example")}
    assert any("symbolic" in n for n in names)


def test_n16_example_fails_with_a_wrong_index_set(monkeypatch):
    monkeypatch.setattr(paper_module, "PAPER_I", (0, 1, 2, 3, 4, 5, 6, 7))
    res = paper_suite(groups=["n16-example"])
    assert len(_failing(res, "n16-example")) >= 4


def test_corollary8_fails_with_a_wrong_index_set(monkeypatch):
    from analyzer import paper

    def odd_even(L, k):  # every block takes the pattern P1: no T'-favourable block
        return list(range(0, 2**L, 2))

    monkeypatch.setattr(paper, "corollary8_index_set", odd_even)
    res = paper_suite(groups=["corollary8"])
    bad = _failing(res, "corollary8")
    assert {c.numbers["k"] for c in bad} >= {2, 3, 4}


def test_corollary8_fails_with_a_wrong_tiling(monkeypatch):
    """One tiling node too few: Theorem 7's upper bound on B drops below the true rank."""
    orig = ModeTree.theorem7_counts  # tiling counts and sibling pairs from one walk

    def wrong(self, I):  # one tiling node too few on each side
        tI, tJ, pairs = orig(self, I)
        return max(tI - 1, 0), max(tJ - 1, 0), pairs

    monkeypatch.setattr(ModeTree, "theorem7_counts", wrong)
    res = paper_suite(groups=["corollary8"])
    bad = _failing(res, "corollary8")
    assert bad and any(c.numbers["derived_exponent"] != c.numbers["formula_exponent"] for c in bad)


def test_depth_fails_with_wrong_pairs(monkeypatch):
    orig = ModeTree.sibling_pairs
    monkeypatch.setattr(
        ModeTree, "sibling_pairs", lambda self, *a, **k: max(orig(self, *a, **k) - 1, 0)
    )
    orig7 = ModeTree.theorem7_counts  # the bounds take the pairs from Theorem 7's one walk

    def wrong(self, I):
        tI, tJ, pairs = orig7(self, I)
        return tI, tJ, max(pairs - 1, 0)

    monkeypatch.setattr(ModeTree, "theorem7_counts", wrong)
    res = paper_suite(groups=["depth"])
    bad = _failing(res, "depth")
    assert any("r^(N/2) on odd-even" in c.name for c in bad)


def test_depth_fails_without_the_readout(monkeypatch):
    from analyzer import spec_from_dict

    def no_readout(N):  # a CP without its linear read-out is rank 1: never matches
        return spec_from_dict(
            {
                "name": "cp",
                "input_channels": "M",
                "branches": [
                    {"name": "cp", "layers": [{"kernel": N, "dilation": 1, "channels": "w"}]}
                ],
            }
        )

    monkeypatch.setattr(paper_module, "shallow_spec", no_readout)
    assert _failing(paper_suite(groups=["depth"]), "depth")


def test_weight_sharing_fails_when_per_node_weights_differ(monkeypatch):
    import verify.harness as harness

    orig = harness.random_network

    def broken(arch, arithmetic, weights, **kw):  # per-node networks silently at width 1
        if weights == "per-node":
            arch = arch.substitute({}) if arch.is_concrete else arch
            from dataclasses import replace

            import sympy

            arch = replace(
                arch,
                branches=tuple(
                    replace(b, layers=tuple(replace(ly, width=sympy.Integer(1)) for ly in b.layers))
                    for b in arch.branches
                ),
            )
        return orig(arch, arithmetic, weights, **kw)

    monkeypatch.setattr(harness, "random_network", broken)
    res = paper_suite(groups=["weight-sharing"])
    bad = _failing(res, "weight-sharing")
    assert bad and bad[0].numbers["differ"]


def test_a_crashing_check_is_an_error_not_a_crash(monkeypatch):
    def boom(*a, **k):
        raise RuntimeError("harness exploded")

    monkeypatch.setattr(verify, "claim5_check", boom)
    res = paper_suite(groups=["claim5"])
    assert not res.ok and all(c.error and c.status == "error" for c in res.checks)
    assert "harness exploded" in res.checks[0].message


def test_unknown_group_and_suite_are_bad_input():
    with pytest.raises(SpecError):
        paper_suite(groups=["nope"])
    with pytest.raises(SpecError):
        run_suite("builtin:nope")
    with pytest.raises(SpecError):
        run_suite("builtin:paper", size="huge")


# --------------------------------------------------------------------------- JUnit
def test_junit_parses_and_counts(paper_result, monkeypatch):
    root = ET.fromstring(to_junit(paper_result))
    assert root.tag == "testsuites"
    ts = root.find("testsuite")
    assert int(ts.get("tests")) == len(paper_result.checks)
    assert int(ts.get("failures")) == 0
    assert len(ts.findall("testcase")) == len(paper_result.checks)
    # a failing suite: <failure message=...> with the numbers in its text
    monkeypatch.setattr(paper_module, "PAPER_I", (0, 1, 2, 3, 4, 5, 6, 7))
    bad = paper_suite(groups=["n16-example"])
    root = ET.fromstring(to_junit(bad))
    fails = root.findall(".//testcase/failure")
    assert len(fails) == int(root.get("failures")) == len(bad.failures)
    assert fails[0].get("message") and "numbers:" in fails[0].text
    assert fails[0].get("type") == "RegressionFailure"


@pytest.mark.slow
def test_paper_suite_large():
    res = paper_suite(size="large")
    assert res.ok, format_failures(res)
