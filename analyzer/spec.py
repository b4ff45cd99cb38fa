"""Architecture specs: the YAML/JSON format, its validation, and the resolved architecture.

The file format (documented in docs/spec-format.md) is parsed with pydantic (unknown keys are
errors) and turned into an immutable :class:`Architecture` whose widths are sympy expressions.
Every problem is raised as :class:`SpecError` naming the source, the field and the problem.

Inputs are strict (docs/limits.md): only regular files are read, at most
``Limits.spec_bytes``; YAML goes through :class:`StrictLoader` (no duplicate keys, no tags
beyond the plain ones, no anchors/aliases, integers bounded in digits, nesting bounded), JSON
through the same checks; booleans are never numbers; widths must be positive integers for
every admissible value of their symbols.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import sympy
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .builtins import get_builtin
from .errors import ExprError, LimitError, OptionError, SpecError
from .limits import DEFAULT_LIMITS, Limits, check
from .symbols import parse_expr, substitute

__all__ = [
    "SpecError",
    "Layer",
    "Branch",
    "Connection",
    "Architecture",
    "load_spec",
    "spec_from_dict",
]

Width = int | str
MAX_REPEATED_LAYERS = 100_000  # layers a branch may get from 'repeat' (before any other check)


# --------------------------------------------------------------------------- file format
class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)  # no bool/float/str as int


class LayerModel(_Model):
    kernel: int = Field(2, ge=2)
    dilation: int = Field(..., ge=1)
    channels: Width


class BranchModel(_Model):
    name: str = Field(..., min_length=1)
    kernel: int = Field(2, ge=2)
    dilations: list[int] | None = None
    channels: Width | list[Width] | None = None
    layers: list[LayerModel] | None = None
    repeat: int = Field(1, ge=1)  # stacks: the layer list (and a channel list) repeated


class ConnectionModel(_Model):
    after_layer: int = Field(..., ge=1)
    branches: list[str] = Field(..., min_length=2)
    mode: Literal["exchange", "sum"] = "exchange"
    exchange: Width | None = None
    allow_overlap: bool = False


class CheckModel(_Model):
    """An optional regression check carried by a spec (used by ``expressivity regress``).

    ``partitions`` names families (comma-separated); ``name``, ``weights`` and ``claim5`` are
    optional: a label for reports, the harness's weight mode, and a Claim 5 output check.
    """

    name: str | None = None
    partition: list[int] | None = None
    partitions: str | None = None
    set: dict[str, int] = Field(default_factory=dict)
    expect_upper: int | None = None
    expect_lower: int | None = None
    expect_rank: int | None = None
    certify: bool = True
    weights: Literal["shared", "per-node"] = "shared"
    claim5: bool = False


class SpecModel(_Model):
    name: str = Field(..., min_length=1)
    input_channels: Width
    pooling: Literal["product", "relu", "max"] = "product"
    readout: bool = False
    output_channel: int = Field(0, ge=0)
    description: str | None = None
    branches: list[BranchModel] = Field(..., min_length=1)
    connections: list[ConnectionModel] = Field(default_factory=list)
    checks: list[CheckModel] = Field(default_factory=list)


# --------------------------------------------------------------------------- resolved form
@dataclass(frozen=True)
class Layer:
    kernel: int
    dilation: int
    width: sympy.Expr


@dataclass(frozen=True)
class Branch:
    name: str
    layers: tuple[Layer, ...]

    @property
    def depth(self) -> int:
        return len(self.layers)

    @property
    def receptive_field(self) -> int:
        return 1 + sum((ly.kernel - 1) * ly.dilation for ly in self.layers)


@dataclass(frozen=True)
class Connection:
    after_layer: int
    branches: tuple[str, ...]
    mode: str  # "exchange" | "sum"
    exchange: sympy.Expr | None  # channels exchanged (exchange mode); None in sum mode
    allow_overlap: bool = False
    default_half: bool = True


@dataclass(frozen=True)
class Architecture:
    """A validated architecture. Widths are sympy expressions (possibly symbolic)."""

    name: str
    input_channels: sympy.Expr
    branches: tuple[Branch, ...]
    connections: tuple[Connection, ...] = ()
    pooling: str = "product"
    readout: bool = False
    output_channel: int = 0
    source: str = ""
    description: str = ""
    checks: tuple[dict, ...] = field(default=(), compare=False)

    # ---- queries
    def branch(self, name: str) -> Branch:
        for b in self.branches:
            if b.name == name:
                return b
        raise KeyError(name)

    def join_width(self, conn: Connection) -> sympy.Expr:
        """The width of the units a connection joins: its first branch's width at layer
        ``after_layer`` (the joined widths are equal, checked when the spec is loaded)."""
        return self.branch(conn.branches[0]).layers[conn.after_layer - 1].width

    @property
    def receptive_field(self) -> int:
        return max(b.receptive_field for b in self.branches)

    @property
    def free_symbols(self) -> set[sympy.Symbol]:
        out = set(sympy.sympify(self.input_channels).free_symbols)
        for b in self.branches:
            for ly in b.layers:
                out |= ly.width.free_symbols
        for c in self.connections:
            if c.exchange is not None:
                out |= c.exchange.free_symbols
        return out

    @property
    def symbol_names(self) -> list[str]:
        return sorted(s.name for s in self.free_symbols)

    @property
    def is_concrete(self) -> bool:
        return not self.free_symbols

    def substitute(
        self, values: Mapping[str, Any] | None, limits: Limits = DEFAULT_LIMITS
    ) -> Architecture:
        """Replace symbols by values (ints or expressions); revalidates widths."""
        if not values:
            return self
        vals = {}
        for k, v in values.items():
            try:
                vals[k] = parse_expr(v, limits) if not isinstance(v, sympy.Expr) else v
            except LimitError as exc:
                raise LimitError(
                    self.source,
                    f"{k}: {exc.what}",
                    exc.value,
                    exc.limit,
                    exc.lift,
                    option="values",
                ) from None
            except ExprError as exc:
                raise OptionError("values", f"{k}: {exc}", self.source) from None
        known = {s.name for s in self.free_symbols}
        unknown = sorted(set(vals) - known)
        if unknown:
            have = ", ".join(sorted(known)) or "none"
            raise OptionError(
                "values",
                f"unknown symbol(s) {', '.join(unknown)} (the spec's symbols: {have})",
                self.source,
            )
        branches = tuple(
            replace(
                b, layers=tuple(replace(ly, width=substitute(ly.width, vals)) for ly in b.layers)
            )
            for b in self.branches
        )
        conns = tuple(
            replace(c, exchange=None if c.exchange is None else substitute(c.exchange, vals))
            for c in self.connections
        )
        arch = replace(
            self,
            input_channels=substitute(self.input_channels, vals),
            branches=branches,
            connections=conns,
        )
        _check_widths(arch)
        return arch


# --------------------------------------------------------------------------- loading
def load_spec(
    ref: str | Path,
    values: Mapping[str, Any] | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Architecture:
    """Load ``builtin:NAME`` or a YAML/JSON file; optionally substitute symbol values.

    Parsing and width checks only: ``analyzer.load_spec`` (analyzer/validate.py) adds the
    structural check with the circuit."""
    ref_s = str(ref)
    if ref_s.startswith("builtin:"):
        name = ref_s.split(":", 1)[1]
        data = get_builtin(name)
        arch = spec_from_dict(data, source=ref_s, limits=limits)
    else:
        text = read_spec_text(ref_s, limits)
        data = parse_spec_text(
            text, ref_s, json_first=Path(ref_s).suffix.lower() == ".json", limits=limits
        )
        arch = spec_from_dict(data, source=ref_s, limits=limits)
    return arch.substitute(values, limits) if values else arch


def read_spec_text(ref: str, limits: Limits = DEFAULT_LIMITS) -> str:
    """The text of a spec file: a regular file only (checked with ``os.stat`` before opening:
    no FIFO, device, socket or directory), at most ``limits.spec_bytes`` bytes, UTF-8."""
    try:
        st = os.stat(ref)
    except FileNotFoundError:
        raise SpecError(ref, "", "no such file (builtins are written builtin:NAME)") from None
    except (OSError, ValueError) as exc:
        raise SpecError(ref, "", f"cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    if stat.S_ISDIR(st.st_mode):
        raise SpecError(ref, "", "is a directory, expected a YAML or JSON spec file")
    if not stat.S_ISREG(st.st_mode):
        raise SpecError(
            ref,
            "",
            "is not a regular file (a device, FIFO or socket); expected a YAML or JSON spec file",
        )
    cap = limits.spec_bytes
    if cap is not None and st.st_size > cap:
        raise LimitError(ref, "the size of the spec file (bytes)", st.st_size, cap, "--allow-large")
    try:
        # O_NONBLOCK: a file swapped for a FIFO between stat and open cannot block the open
        fd = os.open(ref, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                raise SpecError(ref, "", "is not a regular file")
            raw = fh.read(-1 if cap is None else cap + 1)
    except OSError as exc:
        raise SpecError(ref, "", f"cannot read: {exc.strerror or exc}") from None
    if cap is not None and len(raw) > cap:
        raise LimitError(
            ref, "the size of the spec file (bytes)", f"more than {cap}", cap, "--allow-large"
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SpecError(ref, "", f"not UTF-8 text (byte {exc.start})") from None


class StrictLoader(yaml.SafeLoader):
    """PyYAML's safe loader, stricter: duplicate keys, tags other than the plain ones
    (``!!binary``, ``!!timestamp``, ``!!set``, ``!!python/...``, local tags), anchors and
    aliases are errors; integers are bounded in digits before conversion; nesting is bounded.

    Set ``limits`` (a :class:`Limits`) and ``source`` on the instance before loading.
    """

    limits: Limits = DEFAULT_LIMITS
    source: str = ""
    _depth: int = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            ev = self.peek_event()
            raise _yaml_error("anchors and aliases (*name) are not supported in specs", ev)
        ev = self.peek_event()
        if getattr(ev, "anchor", None) is not None:
            raise _yaml_error("anchors and aliases (&name) are not supported in specs", ev)
        self._depth += 1
        lim = self.limits.nesting
        if lim is not None and self._depth > lim:
            raise _yaml_error(f"nested deeper than {lim} levels (a fixed limit)", ev)
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            seen: set = set()
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=True)
                try:
                    dup = key in seen
                    seen.add(key)
                except TypeError:
                    raise _yaml_error("a mapping key must be a plain value", key_node) from None
                if dup:
                    raise _yaml_error(f"duplicate key {key!r}", key_node)
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_int(self, node):
        text = str(node.value).replace("_", "").lstrip("+-")
        lim = self.limits.int_digits
        if lim is not None and len(text.lstrip("0") or "0") > lim:
            raise LimitError(
                self.source,
                f"the number of digits of an integer {_mark(node)}",
                len(text),
                lim,
                "--allow-large",
            )
        return super().construct_yaml_int(node)

    def construct_yaml_float(self, node):
        if len(str(node.value)) > 64:
            raise _yaml_error("a number with more than 64 characters", node)
        return super().construct_yaml_float(node)

    def construct_not_allowed(self, node):
        if node.tag == "tag:yaml.org,2002:timestamp":
            raise _yaml_error("a date or time is not a spec value (quote it to make it text)", node)
        raise _yaml_error(f"the tag {node.tag} is not allowed in specs (plain values only)", node)


_PLAIN_TAGS = {f"tag:yaml.org,2002:{t}" for t in ("null", "bool", "str", "seq", "map")}
StrictLoader.yaml_constructors = {
    k: v for k, v in yaml.SafeLoader.yaml_constructors.items() if k in _PLAIN_TAGS
}
StrictLoader.add_constructor("tag:yaml.org,2002:int", StrictLoader.construct_yaml_int)
StrictLoader.add_constructor("tag:yaml.org,2002:float", StrictLoader.construct_yaml_float)
StrictLoader.add_constructor(None, StrictLoader.construct_not_allowed)


def _mark(node) -> str:
    m = getattr(node, "start_mark", None)
    return f"at line {m.line + 1}, column {m.column + 1}" if m is not None else ""


def _yaml_error(problem: str, node) -> yaml.MarkedYAMLError:
    return yaml.constructor.ConstructorError(None, None, problem, getattr(node, "start_mark", None))


def _json_depth(text: str, limit: int | None) -> None:
    """Refuse JSON nested deeper than ``limit`` before parsing (json.loads recurses)."""
    if limit is None:
        return
    depth = 0
    in_str = esc = False
    for i, ch in enumerate(text):
        if in_str:
            if esc:
                esc = False
            elif ch == "\\":
                esc = True
            elif ch == '"':
                in_str = False
        elif ch == '"':
            in_str = True
        elif ch in "[{":
            depth += 1
            if depth > limit:
                line = text.count("\n", 0, i) + 1
                raise ValueError(f"nested deeper than {limit} levels (a fixed limit; line {line})")
        elif ch in "]}":
            depth -= 1


def parse_spec_text(
    text: str, source: str, json_first: bool = False, limits: Limits = DEFAULT_LIMITS
) -> Any:
    """Parse a spec's text (JSON when ``json_first``, else YAML) with the strict rules."""
    if json_first:
        try:
            _json_depth(text, limits.nesting)
        except ValueError as exc:
            raise SpecError(source, "", f"malformed JSON: {exc}") from None

        def pairs(items):
            out = {}
            for k, v in items:
                if k in out:
                    raise SpecError(source, "", f"malformed JSON: duplicate key {k!r}")
                out[k] = v
            return out

        def parse_int(tok: str):
            lim = limits.int_digits
            if lim is not None and len(tok.lstrip("-").lstrip("0") or "0") > lim:
                raise LimitError(
                    source, "the number of digits of an integer", len(tok), lim, "--allow-large"
                )
            return int(tok)

        def parse_constant(tok: str):
            raise SpecError(source, "", f"malformed JSON: {tok} is not a number")

        try:
            return json.loads(
                text, object_pairs_hook=pairs, parse_int=parse_int, parse_constant=parse_constant
            )
        except json.JSONDecodeError as exc:
            raise SpecError(
                source, "", f"malformed JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
            ) from None
    loader = StrictLoader(text)
    loader.limits, loader.source = limits, source
    try:
        return loader.get_single_data()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise SpecError(source, "", f"malformed YAML: {problem}{where}") from None
    except LimitError:
        raise
    except (ValueError, TypeError, OverflowError) as exc:  # e.g. a constructor's int(...)
        raise SpecError(source, "", f"malformed YAML: {exc}") from None
    finally:
        loader.dispose()


def _loc(loc: tuple) -> str:
    return ".".join(str(p) for p in loc)


def spec_from_dict(
    data: Any, source: str = "<dict>", limits: Limits = DEFAULT_LIMITS
) -> Architecture:
    """Validate a spec given as a Python structure (the file's content) and resolve it.

    Schema and width checks only: ``analyzer.spec_from_dict`` (analyzer/validate.py) adds the
    structural check with the circuit."""
    if not isinstance(data, dict):
        raise SpecError(
            source, "", f"expected a mapping at the top level, got {type(data).__name__}"
        )
    try:
        model = SpecModel.model_validate(data)
    except ValidationError as exc:
        loc, msg, n = _first_problem(exc.errors())
        more = f" (and {n - 1} more problem(s))" if n > 1 else ""
        raise SpecError(source, _loc(loc), msg + more) from None
    return _resolve(model, source, limits)


_UNION_TAGS = {"int", "str", "list[union[int,str]]", "list[int]", "list[str]"}


def _show_input(x: Any) -> str:
    if isinstance(x, bool):
        return f"{str(x).lower()} (a boolean is not a number)"
    text = repr(x)
    return text if len(text) <= 60 else text[:60] + "..."


def _first_problem(errors: list[dict]) -> tuple[tuple, str, int]:
    """The first validation problem in plain words; union alternatives merged into one."""

    def clean(loc: tuple) -> tuple:
        return tuple(p for p in loc if not (isinstance(p, str) and p in _UNION_TAGS))

    first = errors[0]
    loc = clean(first["loc"])
    same = [e for e in errors if clean(e["loc"]) == loc]
    distinct = {clean(e["loc"]) for e in errors}
    if first["type"] == "extra_forbidden":
        msg = "unknown key"
    elif len(same) > 1 or loc != tuple(first["loc"]):
        msg = f"expected an integer or an expression, got {_show_input(first['input'])}"
    elif first["type"] in ("int_type", "bool_type", "string_type", "list_type", "dict_type"):
        want = {
            "int_type": "an integer",
            "bool_type": "true or false",
            "string_type": "text",
            "list_type": "a list",
            "dict_type": "a mapping",
        }[first["type"]]
        msg = f"expected {want}, got {_show_input(first['input'])}"
    else:
        msg = first["msg"]
    return loc, msg, len(distinct)


def _expr(value: Width, source: str, fld: str, limits: Limits = DEFAULT_LIMITS) -> sympy.Expr:
    try:
        return parse_expr(value, limits)
    except LimitError as exc:
        raise LimitError(source, f"{fld}: {exc.what}", exc.value, exc.limit, exc.lift) from None
    except ExprError as exc:
        raise SpecError(source, fld, str(exc)) from None


def _check_sizes(model: SpecModel, source: str, limits: Limits) -> None:
    """Integers and counts of the structure, bounded before anything is built."""

    def lim(name: str, value: int, what: str) -> None:
        check(limits, name, value, what=what, source=source)

    lim("branches", len(model.branches), "the number of branches")
    for bi, bm in enumerate(model.branches):
        where = f"branches.{bi}"
        if bm.layers is not None:
            ks = [lm.kernel for lm in bm.layers]
            ds = [lm.dilation for lm in bm.layers]
        else:
            ds = list(bm.dilations or [])
            ks = [bm.kernel] * len(ds)
        lim("layers", len(ds), f"{where}: the number of layers")
        for i, k in enumerate(ks):
            lim("kernel", k, f"{where}: the kernel of layer {i + 1}")
        for i, d in enumerate(ds):
            # the receptive field bounds every dilation: refuse a huge one before summing
            lim("receptive_field", d, f"{where}: the dilation of layer {i + 1}")
        n = 1 + sum((k - 1) * d for k, d in zip(ks, ds, strict=True) if k >= 1 and d >= 1)
        lim("receptive_field", n, f"{where}: the receptive field N")
    for ci, cm in enumerate(model.connections):
        lim("layers", cm.after_layer, f"connections.{ci}.after_layer")
    lim("receptive_field", model.output_channel, "output_channel")


def _resolve(model: SpecModel, source: str, limits: Limits = DEFAULT_LIMITS) -> Architecture:
    _check_sizes(model, source, limits)
    branches: list[Branch] = []
    seen: set[str] = set()
    for bi, bm in enumerate(model.branches):
        where = f"branches.{bi}"
        if bm.name in seen:
            raise SpecError(source, f"{where}.name", f"duplicate branch name {bm.name!r}")
        seen.add(bm.name)
        if bm.layers is not None:
            if bm.dilations is not None or bm.channels is not None:
                raise SpecError(
                    source, where, "give either 'layers' or 'dilations'+'channels', not both"
                )
            if not bm.layers:
                raise SpecError(source, f"{where}.layers", "a branch needs at least one layer")
            layers = tuple(
                Layer(
                    lm.kernel,
                    lm.dilation,
                    _expr(lm.channels, source, f"{where}.layers.{li}.channels", limits),
                )
                for li, lm in enumerate(bm.layers)
            )
        else:
            if bm.dilations is None or bm.channels is None:
                raise SpecError(
                    source, where, "needs 'dilations' and 'channels' (or an explicit 'layers' list)"
                )
            if not bm.dilations:
                raise SpecError(source, f"{where}.dilations", "a branch needs at least one layer")
            for di, d in enumerate(bm.dilations):
                if d < 1:
                    raise SpecError(
                        source, f"{where}.dilations.{di}", f"dilation must be >= 1, got {d}"
                    )
            if isinstance(bm.channels, list):
                if len(bm.channels) != len(bm.dilations):
                    raise SpecError(
                        source,
                        f"{where}.channels",
                        f"{len(bm.channels)} widths for {len(bm.dilations)} layers",
                    )
                widths = [
                    _expr(c, source, f"{where}.channels.{i}", limits)
                    for i, c in enumerate(bm.channels)
                ]
                for i, w in enumerate(widths):
                    _positive(w, source, f"{where}.channels.{i}", "width")
            else:
                widths = [_expr(bm.channels, source, f"{where}.channels", limits)] * len(
                    bm.dilations
                )
                _positive(widths[0], source, f"{where}.channels", "width")
            layers = tuple(
                Layer(bm.kernel, d, w) for d, w in zip(bm.dilations, widths, strict=True)
            )
        if bm.repeat > 1:  # stacks (WaveNet's 1..512 three times): the whole layer list again
            if len(layers) * bm.repeat > MAX_REPEATED_LAYERS:
                raise SpecError(
                    source,
                    f"{where}.repeat",
                    f"{bm.repeat} x {len(layers)} layers: at most {MAX_REPEATED_LAYERS} layers "
                    "per branch from 'repeat'",
                )
            layers = layers * bm.repeat
        branches.append(Branch(bm.name, layers))

    conns: list[Connection] = []
    names = {b.name: b for b in branches}
    for ci, cm in enumerate(model.connections):
        where = f"connections.{ci}"
        for bn in cm.branches:
            if bn not in names:
                raise SpecError(
                    source,
                    f"{where}.branches",
                    f"unknown branch {bn!r} (branches: {', '.join(names)})",
                )
        if len(set(cm.branches)) != len(cm.branches):
            raise SpecError(source, f"{where}.branches", "a branch is listed twice")
        if cm.mode == "exchange" and len(cm.branches) != 2:
            raise SpecError(source, f"{where}.branches", "an exchange joins exactly two branches")
        for bn in cm.branches:
            depth = names[bn].depth
            if cm.after_layer >= depth:
                raise SpecError(
                    source,
                    f"{where}.after_layer",
                    f"unknown layer {cm.after_layer} for a connection into branch {bn!r}: it has "
                    f"layers 1..{depth} "
                    f"and a connection must come after layer 1..{depth - 1} (not after the output "
                    "layer)",
                )
        if cm.mode == "sum" and cm.exchange is not None:
            raise SpecError(
                source, f"{where}.exchange", "'exchange' only applies to mode: exchange"
            )
        exch = None
        if cm.mode == "exchange":
            exch = (
                _expr(cm.exchange, source, f"{where}.exchange", limits)
                if cm.exchange is not None
                else None
            )
        conns.append(
            Connection(
                after_layer=cm.after_layer,
                branches=tuple(cm.branches),
                mode=cm.mode,
                exchange=exch,
                allow_overlap=cm.allow_overlap,
                default_half=cm.exchange is None,
            )
        )
    arch = Architecture(
        name=model.name,
        input_channels=_expr(model.input_channels, source, "input_channels", limits),
        branches=tuple(branches),
        connections=tuple(conns),
        pooling=model.pooling,
        readout=model.readout,
        output_channel=model.output_channel,
        source=source,
        description=model.description or "",
        checks=tuple(c.model_dump() for c in model.checks),
    )
    _check_widths(arch)
    # structural validation (supports of joined units) is the explicit next step, with the
    # circuit: analyzer.validate.validate (analyzer.load_spec and analyzer.spec_from_dict do both)
    return arch


def _positive(expr: sympy.Expr, source: str, fld: str, what: str) -> None:
    if expr.free_symbols:
        if expr.is_positive is False:
            raise SpecError(source, fld, f"{what} must be >= 1, got {expr}")
        return
    if not expr.is_integer:
        raise SpecError(source, fld, f"{what} must be an integer, got {expr}")
    if expr < 1:
        raise SpecError(source, fld, f"{what} must be >= 1, got {expr}")


def _check_widths(arch: Architecture) -> None:
    src = arch.source
    _positive(arch.input_channels, src, "input_channels", "input_channels")
    items: list[tuple[str, str, sympy.Expr, int]] = [
        ("input_channels", "input_channels", arch.input_channels, 1)
    ]
    for bi, b in enumerate(arch.branches):
        for li, ly in enumerate(b.layers):
            fld = f"branches.{bi}.layers.{li}.channels"
            _positive(ly.width, src, fld, "width")
            items.append((fld, "width", ly.width, 1))
    for ci, c in enumerate(arch.connections):
        where = f"connections.{ci}"
        l = c.after_layer
        widths = [arch.branch(bn).layers[l - 1].width for bn in c.branches]
        w0 = widths[0]
        for w in widths[1:]:
            # equal expressions first: sympy's subtraction of symbols imports its tensor
            # modules (0.1 s) on first use (issue 12, the CLI's start-up)
            if w != w0 and sympy.simplify(w - w0) != 0:
                raise SpecError(
                    src,
                    where,
                    f"joined units have unequal widths ({', '.join(str(x) for x in widths)}) "
                    f"after layer {l}",
                )
        if c.mode == "exchange":
            s = exchange_count(c, w0)
            if not s.free_symbols:
                if not s.is_integer:
                    raise SpecError(
                        src,
                        where,
                        f"width {w0} is odd: the default exchange of half the channels needs an "
                        "even width "
                        "(set 'exchange: N' to exchange N channels)",
                    )
            _positive(s, src, f"{where}.exchange", "exchanged channels")
            # r - r/2 is r/2: written so, as sympy's first subtraction of symbols costs 0.1 s
            # of lazy imports (issue 12, the CLI's start-up); the same expression either way
            kept = s if c.exchange is None and w0.is_Symbol else w0 - s
            if not kept.free_symbols and kept < 0:
                raise SpecError(src, f"{where}.exchange", f"cannot exchange {s} of {w0} channels")
            half = " (half the width: set 'exchange: N' to choose)" if c.exchange is None else ""
            items.append((f"{where}.exchange", f"the exchanged channels{half}", s, 1))
            items.append((f"{where}.exchange", f"the width {w0} minus the exchanged", kept, 0))
    if arch.output_channel and not arch.readout:
        for b in arch.branches:
            w = b.layers[-1].width
            if not w.free_symbols and arch.output_channel >= w:
                raise SpecError(
                    src,
                    "output_channel",
                    f"output channel {arch.output_channel} >= last-layer width {w} of {b.name!r}",
                )
    symbolic = tuple((f, w, e, m) for f, w, e, m in items if e.free_symbols)
    if symbolic:
        problem = _admissible(tuple((e, m) for _, _, e, m in symbolic))
        if problem is not None:
            i, text = problem
            fld, what, e, _ = symbolic[i]
            raise SpecError(src, fld, f"{what} = {e} {text}")


# sample values of each symbol for the admissibility check (with the residues of the
# denominators, see _admissible); a large value catches a polynomial that turns negative
_SAMPLES = {1: 64, 2: 24, 3: 12, 4: 8}
_LARGE = (1000, 10**6)


@lru_cache(maxsize=4096)
def _admissible(items: tuple[tuple[sympy.Expr, int], ...]) -> tuple[int, str] | None:
    """Check that symbolic widths are integers >= their minimum at every admissible point.

    A point (positive integer values of the symbols) is admissible when every item is an
    integer there (e.g. ``r/2`` makes odd ``r`` inadmissible). Refused: an item that is never
    an integer (``r - 1/2``, a half exchange of ``2*r + 1``), items never integers together,
    and an item below its minimum at an admissible point (``r - 1`` at ``r = 1``). Checked
    exactly over all residues of the denominators up to 64 per symbol, plus large values;
    once values are set (``--set``) the concrete check is exact. Returns (item, problem).
    """
    syms = sorted(set().union(*(e.free_symbols for e, _ in items)), key=lambda x: x.name)
    fns = []
    dens = 1
    for e, _ in items:
        num, den = sympy.fraction(sympy.cancel(sympy.together(e)))
        try:
            # integer coefficients: num = PN / cn, den = PD / cd, so e = (PN * cd) / (PD * cn)
            cn, pn = sympy.Poly(num, *syms, domain="QQ").clear_denoms(convert=True)
            cd, pd = sympy.Poly(den, *syms, domain="QQ").clear_denoms(convert=True)
            pn, pd = pn * int(cd), pd * int(cn)
        except (sympy.PolynomialError, TypeError, ValueError):
            return None  # not a rational function of the symbols: left to the concrete check
        if not all(c.is_Integer for c in pn.coeffs() + pd.coeffs()):
            return None
        tn = [(tuple(m), int(c)) for m, c in pn.terms()]
        td = [(tuple(m), int(c)) for m, c in pd.terms()]
        fns.append((tn, td))
        if pd.is_ground:
            dens = dens * abs(int(pd.as_expr())) // math.gcd(dens, abs(int(pd.as_expr())))
    per = _SAMPLES.get(len(syms), 3)
    vals = sorted(set(range(1, per + 1)) | {dens, 2 * dens, dens + 1} | set(_LARGE))
    if len(syms) > 1:
        vals = vals[: per + 3]

    def ev(terms, point) -> int:
        tot = 0
        for mono, c in terms:
            t = c
            for v, k in zip(point, mono, strict=True):
                if k:
                    t *= v**k
            tot += t
        return tot

    ever_int = [False] * len(items)
    admissible_seen = False
    first_bad: tuple[int, str] | None = None
    for point in itertools.product(vals, repeat=len(syms)):
        values = []
        for i, (tn, td) in enumerate(fns):
            n, d = ev(tn, point), ev(td, point)
            if d != 0 and n % d == 0:
                ever_int[i] = True
                values.append(n // d)
            else:
                values.append(None)
        if any(v is None for v in values):
            continue
        admissible_seen = True
        for i, v in enumerate(values):
            if v < items[i][1] and first_bad is None:
                at = ", ".join(f"{s} = {x}" for s, x in zip(syms, point, strict=True))
                first_bad = (i, f"is {v} at {at}, below {items[i][1]}")
    for i, ok in enumerate(ever_int):
        if not ok:
            names = ", ".join(s.name for s in items[i][0].free_symbols)
            return i, f"is never an integer (for positive integers {names})"
    if not admissible_seen:
        return 0, "and the other widths are never integers together"
    return first_bad


def exchange_count(conn: Connection, width: sympy.Expr) -> sympy.Expr:
    """Channels exchanged by an exchange connection (default: half, eq. 4)."""
    return conn.exchange if conn.exchange is not None else width / 2


def exchange_split(conn: Connection, width: sympy.Expr) -> tuple[sympy.Expr, sympy.Expr]:
    """An exchange's two channel counts at a join of this width: exchanged s and kept w - s."""
    s = exchange_count(conn, width)
    return s, width - s


def width_expressions(arch: Architecture) -> list[sympy.Expr]:
    """Every expression that must be a positive integer: M, each layer's width, and for each
    exchange the exchanged count s and the kept count w - s."""
    exprs = [arch.input_channels] + [ly.width for b in arch.branches for ly in b.layers]
    for conn in arch.connections:
        if conn.mode == "exchange":
            exprs += exchange_split(conn, arch.join_width(conn))
    return exprs
