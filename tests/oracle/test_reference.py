"""The evaluator the oracle relies on (``networks.Network``, walking ``analyzer.circuit``) against
a plain per-position implementation of theory.md sec. 1-2 (``oracle.reference_output``), on
random (not one-hot) inputs, exact arithmetic mod p; and the oracle's own grid tensor against
theory.md's worked table."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analyzer import build_circuit, load_spec, spec_from_dict
from networks import random_network

from ..worked_table import WORKED_COLUMNS, WORKED_TABLE, column_positions
from .oracle import generic_rank, receptive_positions, reference_output, used_positions
from .strategies import architectures


def _agree(spec_or_arch, weights: str, seed: int, n: int = 3) -> None:
    arch = spec_from_dict(spec_or_arch) if isinstance(spec_or_arch, dict) else spec_or_arch
    net = random_network(arch, "exact", weights, seed=seed)
    N = receptive_positions(arch)
    assert N == net.circuit.N
    x = np.random.default_rng(seed).integers(0, net.p, size=(n, N, int(arch.input_channels)))
    got = [int(v) for v in np.asarray(net.evaluate_batch(x))]
    want = [reference_output(net, xi.tolist()) for xi in x]
    assert got == want, (arch.name, weights)


@settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(
    arch=architectures(), weights=st.sampled_from(["shared", "per-node"]), seed=st.integers(0, 9)
)
def test_evaluator_matches_the_per_position_reference(arch, weights, seed):
    spec, a, used = arch
    _agree(a, weights, seed)
    assert used_positions(a) == used


@pytest.mark.parametrize(
    "name", ["worked-mix2", "worked-mix2-sum", "worked-T-plus-Trev", "wavenet-overlapping"]
)
@pytest.mark.parametrize("weights", ["shared", "per-node"])
def test_evaluator_matches_reference_on_builtins(name, weights):
    _agree(load_spec("builtin:" + name), weights, seed=4)


def test_reference_detects_a_wrong_exchange():
    """The reference is not vacuous: exchanging the wrong channels changes the output."""
    spec = {
        "name": "x",
        "input_channels": 2,
        "branches": [
            {"name": "A", "kernel": 2, "dilations": [1, 2], "channels": [3, 1]},
            {"name": "B", "kernel": 2, "dilations": [1, 2], "channels": [3, 1]},
        ],
        "connections": [{"after_layer": 1, "branches": ["A", "B"], "exchange": 1}],
    }
    arch = spec_from_dict(spec)
    wrong = spec_from_dict({**spec, "connections": [{**spec["connections"][0], "exchange": 2}]})
    net = random_network(arch, "exact", "shared", seed=1)
    net_wrong = random_network(wrong, "exact", "shared", seed=1)  # same weights
    x = np.random.default_rng(0).integers(0, net.p, size=(4, 2)).tolist()
    assert reference_output(net, x) != reference_output(net_wrong, x)


@pytest.mark.parametrize("name", sorted(WORKED_TABLE))
def test_oracle_reproduces_the_worked_table(name):
    """theory.md sec. 5 (an independent implementation's numbers) from the full grid tensor."""
    arch = load_spec("builtin:" + name)
    parts = [column_positions(c) for c in WORKED_COLUMNS]
    assert used_positions(arch) == list(range(8))
    for weights in ("shared", "per-node"):
        gen = generic_rank(arch, parts, weights)
        got = tuple(gen[tuple(p)][0] for p in parts)
        assert got == WORKED_TABLE[name][1], weights


# Three branches with two exchanges after the same layer: the second exchange hands branch B's
# whole (already exchanged) unit to A, so some inputs of the layer-1 units are read by no output.
def _ly(d: int, w: int) -> dict:
    return {"kernel": 2, "dilation": d, "channels": w}


UNREAD = {
    "name": "unread",
    "input_channels": 2,
    "readout": False,
    "branches": [
        {"name": "A", "layers": [_ly(4, 2), _ly(2, 2), _ly(1, 1)]},
        {"name": "B", "layers": [_ly(1, 2), _ly(2, 2), _ly(4, 3)]},
        {"name": "C", "layers": [_ly(2, 2), _ly(1, 1), _ly(4, 3)]},
    ],
    "connections": [
        {"after_layer": 1, "branches": ["B", "C"], "exchange": 1, "allow_overlap": True},
        {"after_layer": 1, "branches": ["A", "B"], "exchange": 2, "allow_overlap": True},
    ],
}


def test_used_positions_are_the_positions_the_output_depends_on():
    """used_positions (channel by channel) against perturbation of the reference output: a
    position is used iff changing its input vector changes the output (random weights, random
    inputs; 'iff' w.h.p. over both). The analyzer may keep more (a constant mode), never less."""
    arch = spec_from_dict(UNREAD, source="test")
    N = receptive_positions(arch)
    net = random_network(arch, "exact", "per-node", seed=3)
    rng = random.Random(0)
    dep = set()
    for _ in range(60):
        x = [[rng.randrange(97) for _ in range(2)] for _ in range(N)]
        base = reference_output(net, x)
        for q in range(N):
            y = [row[:] for row in x]
            y[q] = [rng.randrange(97) for _ in range(2)]
            if reference_output(net, y) != base:
                dep.add(q)
    assert used_positions(arch) == sorted(dep)
    assert len(dep) < N  # the case this test is about: an input nobody reads
    assert dep <= set(build_circuit(arch).used_positions)
