"""analyzer.pairsources: cost limits (the rule's soundness is in tests/oracle)."""

from __future__ import annotations

from analyzer import analyze, build_circuit, spec_from_dict
from analyzer.bounds import INT, Propagator
from analyzer.pairsources import MAX_ATOMS, copy_maps

WIDE = {
    "name": "wide",
    "input_channels": 2,
    "branches": [
        {"name": "A", "kernel": 2, "dilations": [1, 2, 4], "channels": 10**11},
        {"name": "B", "kernel": 2, "dilations": [2, 1, 4], "channels": 10**11},
    ],
    "connections": [{"after_layer": 2, "branches": ["A", "B"]}],
}


def test_no_copy_map_for_units_wider_than_the_limit():
    """A width of 10^11 once made copy_maps build a tuple per channel (MemoryError under
    `regress`, found by the fuzz test): wide units are left out of the rule."""
    c = build_circuit(spec_from_dict(WIDE, source="test"))
    width = Propagator(c, INT).width
    maps = copy_maps(c, width)
    assert all(int(width[v]) <= MAX_ATOMS for v in maps)
    assert any(u.kind == "input" for u in c.units if u.id in maps)  # M = 2 inputs still mapped


def test_wide_mixed_network_analyses():
    an = analyze(spec_from_dict(WIDE, source="test"), families=["odd-even", "halves"])
    assert an.partitions
    for pb in an.partitions:  # 8 used positions, M = 2: at most 2^min(|I|, |J|) (eq. 1)
        assert 1 <= pb.lower <= pb.upper <= 2 ** min(len(pb.I), 8 - len(pb.I))
