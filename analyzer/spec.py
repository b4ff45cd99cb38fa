"""Architecture specs: the YAML/JSON format, its validation, and the resolved architecture.

The file format (documented in docs/spec-format.md) is parsed with pydantic (unknown keys are
errors) and turned into an immutable :class:`Architecture` whose widths are sympy expressions.
Every problem is raised as :class:`SpecError` naming the source, the field and the problem.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import sympy
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .builtins import get_builtin
from .errors import ExprError, SpecError
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
    model_config = ConfigDict(extra="forbid", strict=False)


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

    def substitute(self, values: Mapping[str, Any] | None) -> Architecture:
        """Replace symbols by values (ints or expressions); revalidates widths."""
        if not values:
            return self
        vals = {k: parse_expr(v) if not isinstance(v, sympy.Expr) else v for k, v in values.items()}
        known = {s.name for s in self.free_symbols}
        unknown = sorted(set(vals) - known)
        if unknown:
            have = ", ".join(sorted(known)) or "none"
            raise SpecError(
                self.source,
                "--set",
                f"unknown symbol(s) {', '.join(unknown)} (the spec's symbols: {have})",
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
def load_spec(ref: str | Path, values: Mapping[str, Any] | None = None) -> Architecture:
    """Load ``builtin:NAME`` or a YAML/JSON file; optionally substitute symbol values.

    Parsing and width checks only: ``analyzer.load_spec`` (analyzer/validate.py) adds the
    structural check with the circuit."""
    ref_s = str(ref)
    if ref_s.startswith("builtin:"):
        name = ref_s.split(":", 1)[1]
        data = get_builtin(name)
        arch = spec_from_dict(data, source=ref_s)
    else:
        path = Path(ref_s)
        if not path.exists():
            raise SpecError(ref_s, "", "no such file (builtins are written builtin:NAME)")
        if path.is_dir():
            raise SpecError(ref_s, "", "is a directory, expected a YAML or JSON spec file")
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise SpecError(ref_s, "", f"cannot read: {exc}") from None
        data = _parse_text(text, ref_s, json_first=path.suffix.lower() == ".json")
        arch = spec_from_dict(data, source=ref_s)
    return arch.substitute(values) if values else arch


def _parse_text(text: str, source: str, json_first: bool) -> Any:
    if json_first:
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise SpecError(
                source, "", f"malformed JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
            ) from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise SpecError(source, "", f"malformed YAML: {problem}{where}") from None


def _loc(loc: tuple) -> str:
    return ".".join(str(p) for p in loc)


def spec_from_dict(data: Any, source: str = "<dict>") -> Architecture:
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
        err = exc.errors()[0]
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown key"
        more = f" (and {len(exc.errors()) - 1} more problem(s))" if len(exc.errors()) > 1 else ""
        raise SpecError(source, _loc(err["loc"]), msg + more) from None
    return _resolve(model, source)


def _expr(value: Width, source: str, fld: str) -> sympy.Expr:
    try:
        return parse_expr(value)
    except ExprError as exc:
        raise SpecError(source, fld, str(exc)) from None


def _resolve(model: SpecModel, source: str) -> Architecture:
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
                    _expr(lm.channels, source, f"{where}.layers.{li}.channels"),
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
                    _expr(c, source, f"{where}.channels.{i}") for i, c in enumerate(bm.channels)
                ]
                for i, w in enumerate(widths):
                    _positive(w, source, f"{where}.channels.{i}", "width")
            else:
                widths = [_expr(bm.channels, source, f"{where}.channels")] * len(bm.dilations)
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
                _expr(cm.exchange, source, f"{where}.exchange") if cm.exchange is not None else None
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
        input_channels=_expr(model.input_channels, source, "input_channels"),
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
    for bi, b in enumerate(arch.branches):
        for li, ly in enumerate(b.layers):
            _positive(ly.width, src, f"branches.{bi}.layers.{li}.channels", "width")
    for ci, c in enumerate(arch.connections):
        where = f"connections.{ci}"
        l = c.after_layer
        widths = [arch.branch(bn).layers[l - 1].width for bn in c.branches]
        w0 = widths[0]
        for w in widths[1:]:
            if sympy.simplify(w - w0) != 0:
                raise SpecError(
                    src,
                    where,
                    f"joined units have unequal widths ({', '.join(str(x) for x in widths)}) "
                    f"after layer {l}",
                )
        if c.mode == "exchange":
            s = c.exchange if c.exchange is not None else w0 / 2
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
            if not (w0 - s).free_symbols and (w0 - s) < 0:
                raise SpecError(src, f"{where}.exchange", f"cannot exchange {s} of {w0} channels")
    if arch.output_channel and not arch.readout:
        for b in arch.branches:
            w = b.layers[-1].width
            if not w.free_symbols and arch.output_channel >= w:
                raise SpecError(
                    src,
                    "output_channel",
                    f"output channel {arch.output_channel} >= last-layer width {w} of {b.name!r}",
                )


def exchange_count(conn: Connection, width: sympy.Expr) -> sympy.Expr:
    """Channels exchanged by an exchange connection (default: half, eq. 4)."""
    return conn.exchange if conn.exchange is not None else width / 2
