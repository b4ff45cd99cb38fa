"""ReportData from the analysis / verification / comparison dicts (reports/model.py): pure."""

from __future__ import annotations

import json

from analyzer import analyze, load_spec
from reports import build_report_data
from reports.model import fmt_int, fmt_positions

# theory.md sec. 5, row T (M = 3, r = 2, dilations 1, 2, 4): generic ranks
WORKED_T = {"0,1": 2, "0,1,2,3": 1, "0,2": 4, "0,2,4,6": 16}


def _worked_t():
    arch = load_spec("builtin:worked-T")
    return analyze(arch, partitions=list(WORKED_T), with_tilings=True).to_dict()


def _verification(analysis: dict, certified: dict[str, int], status: dict[str, str]) -> dict:
    parts = []
    for p in analysis["partitions"]:
        key = ",".join(map(str, p["I"]))
        parts.append(
            {
                "I": p["I"],
                "label": p["label"],
                "upper": p["upper"],
                "lower": p["lower"],
                "upper_symbolic": p["upper_symbolic"],
                "lower_symbolic": p["lower_symbolic"],
                "upper_source": p["upper_source"],
                "lower_source": p["lower_source"],
                "K": [24, 24],
                "capped": False,
                "certified_lower": certified[key],
                "certified_text": str(certified[key]),
                "float_rank": certified[key],
                "float_tolerance": 1e-12,
                "singular_values": [1.0] * certified[key] + [1e-16],
                "status": status[key],
                "warnings": [],
            }
        )
    return {
        "seed": 7,
        "prime": 2**31 - 1,
        "backend": "numpy",
        "weights": "shared",
        "mode": "both",
        "max_k": 1024,
        "violations": 1,
        "partitions": parts,
    }


def test_rows_carry_theory_numbers():
    data = build_report_data(_worked_t())
    ups = {",".join(map(str, p.I)): p.upper for p in data.partitions}
    assert ups == WORKED_T
    assert data.receptive_field == 8 and data.modes == list(range(8))
    # size = sum_l k r_l r_{l-1} = 2*2*3 + 2*2*2 + 2*2*2
    assert data.parameters_value == 28
    row = next(p for p in data.partitions if p.I == [0, 2])
    # Theorem 7 tiling of I = {0,2} under T = (1,2,4): {0} {2} | {1} {3} {4..7}
    assert row.tilings["T"]["I"] == [[0], [2]]
    assert row.display()["status"] == "bounds meet"  # Theorem 7's bounds coincide here


def test_violations_listed_first_and_counted():
    a = _worked_t()
    cert = dict(WORKED_T)
    cert["0,2,4,6"] = 17  # above the proved upper bound 16: a violation
    status = {k: "exact" for k in WORKED_T}
    status["0,2,4,6"] = "VIOLATION"
    data = build_report_data(a, _verification(a, cert, status))
    assert [p.I for p in data.violations] == [[0, 2, 4, 6]]
    assert data.ordered_partitions()[0].I == [0, 2, 4, 6]
    assert data.partition_table()[0]["status"] == "VIOLATION"
    assert data.status_counts() == {"exact": 3, "VIOLATION": 1}
    assert data.verification["seed"] == 7


def test_verification_matched_up_to_complement():
    a = _worked_t()
    v = _verification(a, dict(WORKED_T), {k: "exact" for k in WORKED_T})
    for p in v["partitions"]:  # the harness may report J instead of I
        p["I"] = [m for m in range(8) if m not in p["I"]]
    data = build_report_data(a, v)
    assert all(
        p.verified and p.certified_lower == WORKED_T[",".join(map(str, p.I))]
        for p in data.partitions
    )


def test_symbolic_and_numeric_columns():
    arch = load_spec("builtin:paper-mixed")
    I = "0,2,4,6,8,9,12,13"
    sym = analyze(arch, partitions=[I], with_tilings=True).to_dict()
    num = analyze(arch, partitions=[I], values={"r": 4}, with_tilings=True).to_dict()
    data = build_report_data(num, symbolic=sym)
    (row,) = data.partitions
    # Claim 5 + Theorem 7 with per-edge widths: 8 pairs of width r = 4 (docs/theory.md sec. 6.4)
    assert row.lower == 4**8
    assert row.lower_latex == r"r^{8}"
    assert row.upper == 4**8  # the trivial cap M^|I| = M^|J| with M = r = 4
    assert data.parameters_value == 16 * 4**2 and data.parameters_symbolic == "16*r**2"
    assert data.input_channels == "r" and data.input_channels_value == "4"
    assert data.connections[0]["exchange"] == "r/2" and data.connections[0]["exchange_value"] == "2"
    assert data.highlight is row


def test_to_dict_is_json_and_volatile_fields_drop():
    from reports import reproducibility_info

    repro = reproducibility_info(command="x", seed=3, elapsed_seconds=1.5)
    data = build_report_data(_worked_t(), reproducibility=repro)
    d = data.to_dict(volatile=False)
    json.dumps(d, allow_nan=False)
    assert "date" not in d["reproducibility"] and "elapsed_seconds" not in d["reproducibility"]
    assert d["reproducibility"]["seed"] == 3
    assert "numpy" in d["reproducibility"]["versions"]


def test_formatting_helpers():
    assert fmt_positions([0, 1, 2, 3, 8, 9, 12]) == "{0..3,8,9,12}"
    assert fmt_positions([]) == "{}"
    assert fmt_int(4**8) == "65536"
    assert fmt_int(2**64) == "2^64"  # analyzer.numbers: a power shown as a power
    assert fmt_int(2**64 + 1) == "≈ 1.8e19"


def test_typed_analysis_gives_the_same_report_as_its_json():
    """build_report_data takes the Analysis objects (bounds typeset from the analyzer's own
    expressions) or their to_dict() (strings parsed back): the same report either way."""
    arch = load_spec("builtin:paper-mixed")
    sym = analyze(arch, families=["nodes", "odd-even"], with_tilings=True)
    assert len(sym.partitions) > 30
    num = analyze(arch, values={"r": 4}, partitions=["0,2,4,6,8,9,12,13"], with_tilings=True)
    for a, s in ((sym, sym), (num, analyze(arch, partitions=["0,2,4,6,8,9,12,13"]))):
        typed = build_report_data(a, symbolic=s).to_dict(volatile=False)
        parsed = build_report_data(a.to_dict(), symbolic=s.to_dict()).to_dict(volatile=False)
        assert typed == parsed
    row = build_report_data(sym).partitions[-1]  # odd-even: (r/2)^8 by Claim 5 at least
    assert row.lower_latex and "r" in row.lower_latex  # a symbolic bound, typeset


def test_typed_comparison_and_highlight_parse_no_text(monkeypatch):
    """A Comparison object's bounds at the witness, and the symbolic rows' lower bounds that
    pick the highlight, are typeset from the analyzer's values: no string is parsed back, and
    the result equals the JSON path's (which parses the texts)."""
    from analyzer.compare import compare
    from reports import mathexpr, model

    arch = load_spec("builtin:paper-mixed")
    cmp = compare(arch, load_spec("builtin:paper-T"), sweep=("r", [2, 4]), search="none")
    assert cmp.lower_A_expr is not None and cmp.upper_B_expr is not None
    sym = analyze(arch, families=["halves", "odd-even"])
    from_json = build_report_data(sym.to_dict(), None, cmp.to_dict())
    best = from_json.highlight
    assert best is not None and best.lower is None
    real = mathexpr.parse_bound

    def parse_no_text(text, symbols=()):
        assert not isinstance(text, str), f"parsed {text!r}"
        return real(text, symbols)

    typed = build_report_data(sym, None, cmp)
    monkeypatch.setattr(mathexpr, "parse_bound", parse_no_text)
    monkeypatch.setattr(model, "parse_bound", parse_no_text)
    info = model.comparison_info(cmp)
    assert info == from_json.comparison
    assert model.highlight(typed) is typed.partitions[best.index]
    assert typed.partitions[best.index].lower_expr is not None
    assert typed.comparison == from_json.comparison


def test_report_from_the_objects_parses_no_text(monkeypatch):
    """Given the Analysis objects, build_report_data and its tables typeset every bound, width,
    M and the parameter count from the analyzer's values (no text is parsed back), and the
    result equals the JSON path's. Widths are expressions here (2r, r + 1, M = r)."""
    from analyzer import spec_from_dict
    from reports import mathexpr, model

    spec = {
        "name": "x",
        "input_channels": "r",
        "readout": True,
        "branches": [
            {"name": "A", "kernel": 2, "dilations": [1, 2, 4], "channels": ["2*r", "r", "r+1"]}
        ],
    }
    a = analyze(spec_from_dict(spec), families=["halves", "odd-even"])
    plain = build_report_data(a.to_dict()).to_dict(volatile=False)
    real = mathexpr.parse_bound

    def parse_no_text(text, symbols=()):
        assert not isinstance(text, str), f"parsed {text!r}"
        return real(text, symbols)

    monkeypatch.setattr(mathexpr, "parse_bound", parse_no_text)
    monkeypatch.setattr(model, "parse_bound", parse_no_text)
    typed = build_report_data(a)
    assert typed.to_dict(volatile=False) == plain
    assert typed.branches[0].layers[0].width_latex == "2 r"  # 2r, typeset
    assert typed.parameters_math is not None and typed.input_channels_latex == "r"
