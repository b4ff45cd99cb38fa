"""Reports built once per test session (they take a few seconds each)."""

from __future__ import annotations

import pytest

MALICIOUS = "#panic() *x* <script>alert(1)</script> $x$ ]"

# the paper's N = 16 index set (theory.md sec. 4) and two nodes of T
COR8_I = "0,2,4,6,8,9,12,13"
PAPER_PARTS = [COR8_I, "0,1,2,3", "0,1"]


def malicious_spec() -> dict:
    return {
        "name": MALICIOUS,
        "input_channels": 2,
        "description": "desc " + MALICIOUS,
        "branches": [{"name": "b " + MALICIOUS, "kernel": 2, "dilations": [1, 2], "channels": 2}],
    }


@pytest.fixture(scope="session")
def paper_mixed_report(tmp_path_factory):
    """builtin:paper-mixed at r = 4, compared with builtin:paper-T over r = 4, 8."""
    from reports import write_report

    out = tmp_path_factory.mktemp("paper-mixed")
    return write_report(
        "builtin:paper-mixed",
        out,
        values={"r": 4},
        partitions=PAPER_PARTS,
        compare="builtin:paper-T",
        sweep="r=4,8",
        max_k=300,
        seed=0,
    )


@pytest.fixture(scope="session")
def wavenet_report(tmp_path_factory):
    """builtin:wavenet-overlapping with its default partitions (halves, odd-even)."""
    from reports import write_report

    out = tmp_path_factory.mktemp("wavenet")
    return write_report("builtin:wavenet-overlapping", out, seed=0)


@pytest.fixture(scope="session")
def malicious_report(tmp_path_factory):
    from analyzer import spec_from_dict
    from reports import write_report

    out = tmp_path_factory.mktemp("malicious")
    arch = spec_from_dict(malicious_spec(), source="evil.yaml")
    return write_report(arch, out, seed=0)
