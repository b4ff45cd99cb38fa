"""analyzer/spec.py: the spec format (YAML, JSON, dict), its defaults and every bad-input error."""

from __future__ import annotations

import json

import pytest
import sympy
import yaml

from analyzer import SpecError, load_spec, spec_from_dict
from analyzer.spec import exchange_count

MIXED = {
    "name": "mixed-T-Tp",
    "input_channels": 3,
    "branches": [
        {"name": "T", "kernel": 2, "dilations": [1, 2, 4], "channels": 2},
        {
            "name": "Tp",
            "layers": [
                {"kernel": 2, "dilation": 2, "channels": 2},
                {"kernel": 2, "dilation": 1, "channels": 2},
                {"kernel": 2, "dilation": 4, "channels": 2},
            ],
        },
    ],
    "connections": [{"after_layer": 2, "branches": ["T", "Tp"]}],
}


def with_(base: dict, path: str, value) -> dict:
    """A deep copy of ``base`` with the key at a dotted ``path`` set (value None deletes it)."""
    out = json.loads(json.dumps(base))
    keys = [int(k) if k.isdigit() else k for k in path.split(".")]
    node = out
    for k in keys[:-1]:
        node = node[k]
    if value is None:
        del node[keys[-1]]
    else:
        node[keys[-1]] = value
    return out


def write(tmp_path, name: str, data) -> str:
    p = tmp_path / name
    p.write_text(data if isinstance(data, str) else yaml.safe_dump(data), encoding="utf-8")
    return str(p)


# ------------------------------------------------------------------ the format
def test_yaml_json_and_dict_give_the_same_architecture(tmp_path):
    a = load_spec(write(tmp_path, "m.yaml", MIXED))
    b = load_spec(write(tmp_path, "m.json", json.dumps(MIXED)))
    c = spec_from_dict(MIXED)
    assert a.branches == b.branches == c.branches
    assert a.connections == b.connections == c.connections
    assert a.source.endswith("m.yaml") and c.source == "<dict>"


def test_defaults():
    spec = {
        "name": "x",
        "input_channels": 2,
        "branches": [{"name": "A", "dilations": [1, 2], "channels": 2}],
    }
    arch = spec_from_dict(spec)
    assert arch.pooling == "product" and arch.readout is False and arch.output_channel == 0
    assert [ly.kernel for ly in arch.branches[0].layers] == [2, 2]  # default kernel 2
    assert arch.connections == ()
    conn = spec_from_dict(MIXED).connections[0]
    assert conn.mode == "exchange" and conn.exchange is None and conn.default_half
    assert exchange_count(conn, sympy.Integer(2)) == 1  # half the channels (eq. 4)


def test_widths_int_symbol_expression_and_per_layer_list():
    spec = {
        "name": "x",
        "input_channels": "r",
        "branches": [{"name": "A", "dilations": [1, 2, 4], "channels": [2, "r", "2*r"]}],
    }
    arch = spec_from_dict(spec)
    r = sympy.Symbol("r", positive=True, integer=True)
    assert [ly.width for ly in arch.branches[0].layers] == [2, r, 2 * r]
    assert arch.symbol_names == ["r"] and not arch.is_concrete
    conc = arch.substitute({"r": 3})
    assert [ly.width for ly in conc.branches[0].layers] == [2, 3, 6] and conc.is_concrete
    assert conc.input_channels == 3


def test_extensions_exchange_count_and_sum():
    ex = with_(MIXED, "connections.0.exchange", 1)
    assert spec_from_dict(ex).connections[0].exchange == 1
    sm = with_(MIXED, "connections.0.mode", "sum")
    assert spec_from_dict(sm).connections[0].mode == "sum"


def test_builtins_load_and_substitute():
    arch = load_spec("builtin:paper-mixed", {"r": 4})
    assert arch.is_concrete and arch.receptive_field == 16
    assert [ly.dilation for ly in arch.branch("Tp").layers] == [2, 1, 8, 4]


# ------------------------------------------------------------------ bad input (API)
BAD_DICTS = [
    # (what, spec, field named in the error, words in the problem)
    ("unknown top-level key", with_(MIXED, "colour", "red"), "colour", "unknown key"),
    (
        "unknown branch key",
        with_(MIXED, "branches.0.kernal", 2),
        "branches.0.kernal",
        "unknown key",
    ),
    (
        "unknown layer key",
        with_(MIXED, "branches.1.layers.0.dil", 2),
        "branches.1.layers.0.dil",
        "unknown key",
    ),
    (
        "kernel < 2",
        with_(MIXED, "branches.0.kernel", 1),
        "branches.0.kernel",
        "greater than or equal to 2",
    ),
    (
        "layer kernel < 2",
        with_(MIXED, "branches.1.layers.0.kernel", 1),
        "branches.1.layers.0.kernel",
        "greater than or equal to 2",
    ),
    (
        "dilation < 1",
        with_(MIXED, "branches.0.dilations", [0, 2, 4]),
        "branches.0.dilations.0",
        ">= 1",
    ),
    (
        "layer dilation < 1",
        with_(MIXED, "branches.1.layers.2.dilation", 0),
        "branches.1.layers.2.dilation",
        "greater than or equal to 1",
    ),
    ("width < 1", with_(MIXED, "branches.0.channels", 0), "branches.0.channels", ">= 1"),
    (
        "width < 1 in a list",
        with_(MIXED, "branches.0.channels", [2, 0, 2]),
        "branches.0.channels.1",
        ">= 1",
    ),
    (
        "layer width < 1",
        with_(MIXED, "branches.1.layers.1.channels", -1),
        "branches.1.layers.1.channels",
        ">= 1",
    ),
    ("input_channels < 1", with_(MIXED, "input_channels", 0), "input_channels", ">= 1"),
    (
        "unequal joined widths",
        with_(MIXED, "branches.0.channels", [2, 4, 2]),
        "connections.0",
        "unequal widths",
    ),
    (
        "odd width, half exchange",
        with_(
            with_(MIXED, "branches.0.channels", 3),
            "branches.1",
            {"name": "Tp", "dilations": [2, 1, 4], "channels": 3},
        ),
        "connections.0",
        "odd",
    ),
    (
        "exchange more than the width",
        with_(MIXED, "connections.0.exchange", 3),
        "connections.0.exchange",
        "cannot exchange",
    ),
    (
        "unknown branch",
        with_(MIXED, "connections.0.branches", ["T", "X"]),
        "connections.0.branches",
        "unknown branch 'X'",
    ),
    (
        "unknown layer",
        with_(MIXED, "connections.0.after_layer", 3),
        "connections.0.after_layer",
        "unknown layer 3",
    ),
    (
        "layer 0",
        with_(MIXED, "connections.0.after_layer", 0),
        "connections.0.after_layer",
        "greater than or equal to 1",
    ),
    (
        "supports differ",
        with_(MIXED, "connections.0.after_layer", 1),
        "connections.0",
        "not a mixture node",
    ),
    ("duplicate branch", with_(MIXED, "branches.1.name", "T"), "branches.1.name", "duplicate"),
    ("both forms", with_(MIXED, "branches.1.dilations", [2, 1, 4]), "branches.1", "not both"),
    (
        "no layers",
        with_(MIXED, "branches.0.dilations", []),
        "branches.0.dilations",
        "at least one layer",
    ),
    (
        "too few widths",
        with_(MIXED, "branches.0.channels", [2, 2]),
        "branches.0.channels",
        "2 widths for 3",
    ),
    (
        "sum with exchange",
        with_(with_(MIXED, "connections.0.mode", "sum"), "connections.0.exchange", 1),
        "connections.0.exchange",
        "only applies",
    ),
    (
        "unknown mode",
        with_(MIXED, "connections.0.mode", "concat"),
        "connections.0.mode",
        "exchange",
    ),
    ("unknown pooling", with_(MIXED, "pooling", "avg"), "pooling", "product"),
    (
        "function call in width",
        with_(MIXED, "input_channels", "exp(r)"),
        "input_channels",
        "function",
    ),
    ("missing name", with_(MIXED, "name", None), "name", "required"),
    ("no branches", with_(MIXED, "branches", []), "branches", "at least 1"),
]


@pytest.mark.parametrize(("what", "spec", "fld", "words"), BAD_DICTS, ids=[b[0] for b in BAD_DICTS])
def test_bad_spec_raises_spec_error_naming_the_field(what, spec, fld, words):
    with pytest.raises(SpecError) as ei:
        spec_from_dict(spec, source="my.yaml")
    err = ei.value
    assert err.source == "my.yaml"
    assert err.field == fld, str(err)
    assert words in err.problem, str(err)
    assert str(err).startswith("my.yaml: ")


def test_overlap_override_labels_the_network_overlapping():
    from analyzer import analyze

    spec = with_(with_(MIXED, "connections.0.after_layer", 1), "connections.0.allow_overlap", True)
    arch = spec_from_dict(spec)
    d = analyze(arch, families=["halves"]).to_dict()
    assert d["kind"] == "overlapping"
    assert d["connections"][0]["valid"] is False
    assert any("overlapping" in n for n in d["notes"])
    assert d["hybrid_trees"] is None


def test_top_level_not_a_mapping(tmp_path):
    with pytest.raises(SpecError, match="expected a mapping"):
        load_spec(write(tmp_path, "list.yaml", "- 1\n- 2\n"))


def test_malformed_yaml_and_json_files(tmp_path):
    with pytest.raises(SpecError) as ei:
        load_spec(write(tmp_path, "bad.yaml", "name: [a\n"))
    assert ei.value.source.endswith("bad.yaml") and "malformed YAML" in ei.value.problem
    assert "line" in ei.value.problem
    with pytest.raises(SpecError) as ei:
        load_spec(write(tmp_path, "bad.json", '{"name": "x",}'))
    assert ei.value.source.endswith("bad.json") and "malformed JSON" in ei.value.problem


def test_missing_file_directory_and_unknown_builtin(tmp_path):
    with pytest.raises(SpecError, match="no such file"):
        load_spec(str(tmp_path / "nope.yaml"))
    with pytest.raises(SpecError, match="directory"):
        load_spec(str(tmp_path))
    with pytest.raises(SpecError, match="unknown builtin"):
        load_spec("builtin:nope")


def test_substitute_errors():
    arch = load_spec("builtin:paper-mixed")
    with pytest.raises(SpecError) as ei:
        arch.substitute({"q": 3})
    assert ei.value.field == "values"  # the option, not a CLI flag
    assert "unknown symbol" in ei.value.problem
    with pytest.raises(SpecError, match="odd"):
        arch.substitute({"r": 3})
    with pytest.raises(SpecError, match=">= 1"):
        arch.substitute({"r": 0})


def test_validity_is_an_explicit_step_after_parsing(tmp_path):
    # analyzer.spec parses (schema, widths) without building the circuit; analyzer.validate
    # adds the structural check; analyzer.spec_from_dict / load_spec do both
    import analyzer.spec as spec_mod
    from analyzer import validate

    bad = with_(MIXED, "connections.0.after_layer", 1)  # joined supports differ
    arch = spec_mod.spec_from_dict(bad)  # parses: the fault is structural
    with pytest.raises(SpecError, match="not a mixture node"):
        validate(arch)
    with pytest.raises(SpecError, match="not a mixture node"):
        spec_from_dict(bad)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(bad), encoding="utf-8")
    assert spec_mod.load_spec(path).name == arch.name
    with pytest.raises(SpecError, match="not a mixture node"):
        load_spec(path)
    ok = spec_from_dict(MIXED)
    assert validate(ok) is ok


def test_join_width_and_exchange_split():
    """The width at a join is the joined layer's (worked-mix2: r = 2 after layer 2); an exchange
    splits it into s exchanged and w - s kept channels (eq. 4: s = w/2 unless 'exchange: N')."""
    from analyzer.spec import exchange_split

    arch = load_spec("builtin:worked-mix2")
    (conn,) = arch.connections
    assert arch.join_width(conn) == 2 and exchange_split(conn, arch.join_width(conn)) == (1, 1)
    sym = load_spec("builtin:paper-mixed")
    w = sym.join_width(sym.connections[0])  # paper-mixed: every width is r
    assert str(w) == "r"
    s, kept = exchange_split(sym.connections[0], w)
    assert sympy.simplify(s - w / 2) == 0 and sympy.simplify(kept - w / 2) == 0
    three = spec_from_dict(
        {
            "name": "x",
            "input_channels": 2,
            "branches": [
                {"name": "A", "kernel": 2, "dilations": [1, 2], "channels": 5},
                {"name": "B", "kernel": 2, "dilations": [1, 2], "channels": 5},
            ],
            "connections": [{"after_layer": 1, "branches": ["A", "B"], "exchange": 3}],
        }
    )
    c = three.connections[0]
    assert three.join_width(c) == 5 and exchange_split(c, 5) == (3, 2)
