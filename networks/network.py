"""The networks an architecture describes: weights and evaluation, on any array module.

Works purely at the level of arrays: one implementation, parameterised by ``xp`` (numpy or
cupy). Two arithmetics: ``exact`` (int64 residues modulo :data:`networks.modular.PRIME`) and
``float`` (float64 by default, float32 selectable).

Evaluation walks the circuit of :mod:`analyzer.circuit` (the same graph the analyzer bounds),
so theory and practice are about the same computation. Input arrays may have any leading
shape that broadcasts: the harness passes rows of the matricization as ``(K_r, 1, M)`` and
columns as ``(1, K_c, M)`` and gets the ``K_r x K_c`` matrix directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from analyzer.circuit import Circuit, build_circuit
from analyzer.errors import OptionError
from analyzer.spec import Architecture, SpecError

from .modular import PRIME, mod, modmatmul

__all__ = ["Network", "random_network", "WEIGHT_MODES", "ARITHMETICS"]

WEIGHT_MODES = ("shared", "per-node")
# product-pooling networks whose inputs and layers are at most this wide evaluate channel by
# channel (``Network._evaluate_planar``); wider ones use matmul on (..., r) arrays
PLANAR_MAX_WIDTH = 16
ARITHMETICS = ("exact", "float")


@dataclass
class Network:
    """A network with concrete weights.

    ``weights[key]`` is a list (one per tap) of ``(r_in, r_out)`` matrices (right-multiplied);
    ``key`` is ``(branch, layer)`` for shared weights (a real convolution) or the unit id for
    per-node weights (the paper's decomposition, footnote 7). ``readout[b]`` is the read-out
    vector of branch ``b`` when the architecture has one (an extension).
    """

    circuit: Circuit
    arithmetic: str
    weights_mode: str
    weights: dict
    readout: dict = field(default_factory=dict)
    p: int = PRIME
    dtype: str = "float64"

    @property
    def arch(self) -> Architecture:
        return self.circuit.arch

    def _last_use(self) -> list[int]:
        """Per unit, the id of its last live reader (computed once per network)."""
        cached = self.__dict__.get("_last_use_cache")
        if cached is None:
            cached = self.__dict__["_last_use_cache"] = _last_use(self.circuit, self._dead())
        return cached

    def _dead(self) -> frozenset[int]:
        """Units no output reads (computed once per network): a join of unequal supports
        (``allow_overlap``) makes every joined branch compute the offsets its partners need,
        and some of those units, with their inputs, feed nothing. They are not evaluated (their
        inputs may lie outside the used positions, which the callers supply)."""
        cached = self.__dict__.get("_dead_cache")
        if cached is None:
            cached = self.__dict__["_dead_cache"] = _dead_units(self.circuit)
        return cached

    def key(self, uid: int):
        u = self.circuit.units[uid]
        return (u.branch, u.layer) if self.weights_mode == "shared" else uid

    # ------------------------------------------------------------------ evaluation
    def evaluate(self, leaves: dict, xp=np, hook=None, known: dict | None = None, planar=None):
        """Output values for input arrays ``leaves[pos]`` of shape (..., M); returns shape (...).

        ``hook(uid, unit, value) -> value``, if given, sees (and may replace) every unit's value
        (units no output reads are not evaluated, see :meth:`_dead`).
        ``known`` maps unit ids to values computed before (:meth:`constant_units`): those units
        are not recomputed (nor their inputs read).
        ``planar``: evaluate channel by channel (:meth:`_evaluate_planar`; None: automatically
        for product-pooling networks whose layers are at most :data:`PLANAR_MAX_WIDTH` wide,
        without a hook). Both layouts compute the same residues (float: up to rounding).
        """
        c = self.circuit
        if planar is None:
            planar = hook is None and self.planar_ok
        if planar:
            return self._evaluate_planar(leaves, xp, known or {})
        vals = self._walk(leaves, xp, hook, known or {}, set(c.outputs))
        exact = self.arithmetic == "exact"
        p = self.p
        y = self.arch.output_channel
        out = None
        for b, o in enumerate(c.outputs):
            v = vals[o]
            if self.arch.readout:
                w = xp.asarray(self.readout[b])
                t = modmatmul(xp, v, w[:, None], p)[..., 0] if exact else xp.matmul(v, w)
            else:
                t = v[..., y]
            out = t if out is None else (mod(out + t, p) if exact else out + t)
        return out

    @property
    def planar_ok(self) -> bool:
        """Product pooling (exact or float) and every layer at most :data:`PLANAR_MAX_WIDTH` wide
        (and M too)."""
        if self.arithmetic != "exact" and self.arch.pooling != "product":
            return False
        widths = [int(self.arch.input_channels)] + [int(u.width) for u in self.circuit.units]
        return max(widths) <= PLANAR_MAX_WIDTH

    def _evaluate_planar(self, leaves: dict, xp, known: dict):
        """Evaluation (exact, or float with product pooling) with each unit held as a list of
        channel planes (arrays of shape (...)): a linear map is r_in * r_out scalar
        multiply-adds on contiguous planes (exact: each product of residues < 2^56, at most 16
        summed, so < 2^63) and one reduction per output channel (exact only); an exchange is a
        list splice. For narrow layers this avoids int64 ``matmul``
        on (..., r) arrays (no BLAS for integers): measured 1.9-2.5x faster for r = 2, 4 and
        1.1-1.2x for r = 8, 16 (sampled matrices of mixed16, 2 cores, 2026-11-30).
        """
        c = self.circuit
        units = c.units
        p = self.p
        exact = self.arithmetic == "exact"

        def red(x):
            return mod(x, p) if exact else x

        last_use = self._last_use()
        keep = set(c.outputs) | set(known)
        vals: dict[int, list] = {
            uid: [v[..., i] for i in range(v.shape[-1])] for uid, v in known.items()
        }
        ints: dict = {}

        def lin(x: list, uid: int, j: int) -> list:
            k = self.key(uid)
            if k not in ints:
                ints[k] = [np.asarray(w).tolist() for w in self.weights[k]]  # Python scalars
            w = ints[k][j]
            out = []
            for o in range(len(w[0])):
                t = x[0] * w[0][o]
                for i in range(1, len(x)):
                    t = t + x[i] * w[i][o]
                out.append(red(t))
            return out

        dead = self._dead()
        for i, u in enumerate(units):
            if i in vals or i in dead:
                continue
            if u.kind == "input":
                leaf = xp.asarray(leaves[u.pos])
                v = [leaf[..., d] for d in range(leaf.shape[-1])]
            elif u.kind == "prod":
                v = lin(vals[u.children[0]], i, 0)
                for j, ch in enumerate(u.children[1:], start=1):
                    t = lin(vals[ch], i, j)
                    v = [red(a * b) for a, b in zip(v, t, strict=True)]
            elif u.kind == "exchange":
                s = int(u.s)
                v = vals[u.children[0]][:s] + vals[u.children[1]][s:]
            elif u.kind == "sum":
                v = vals[u.children[0]]
                for ch in u.children[1:]:
                    v = [red(a + b) for a, b in zip(v, vals[ch], strict=True)]
            else:  # pragma: no cover
                raise ValueError(u.kind)
            vals[i] = v
            for ch in set(u.children):
                if last_use[ch] == i and ch not in keep:
                    del vals[ch]
        y = self.arch.output_channel
        out = None
        for b, o in enumerate(c.outputs):
            v = vals[o]
            if self.arch.readout:
                w = np.asarray(self.readout[b]).tolist()
                t = v[0] * w[0]
                for ch in range(1, len(v)):
                    t = t + v[ch] * w[ch]
                t = red(t)
            else:
                t = v[y]
            out = t if out is None else red(out + t)
        return out

    def constant_units(self, fixed: dict, xp=np) -> dict:
        """Values of the units that read only the positions in ``fixed`` (pos -> input array).

        Computed once (a window's outside positions are the same for every row and column);
        pass the result to :meth:`evaluate` as ``known``. Values keep their (1, 1, width) shape.
        """
        mask = 0
        for pos in fixed:
            mask |= 1 << pos
        c = self.circuit
        dead = self._dead()  # read by no output: not evaluated (see _dead)
        inside = {u.id for u in c.units if u.support & ~mask == 0 and u.id not in dead}
        if not inside:
            return {}
        # every other unit is marked known (None) and never read: ``inside`` is closed under
        # children, since a child's support is contained in its parent's
        skip = {u.id: None for u in c.units if u.id not in inside}
        vals = self._walk(dict(fixed), xp, None, skip, inside)
        return {uid: vals[uid] for uid in inside}

    def _walk(self, leaves: dict, xp, hook, known: dict, keep: set) -> dict:
        """Unit values (those in ``keep`` survive; others are freed after their last use)."""
        c = self.circuit
        units = c.units
        exact = self.arithmetic == "exact"
        p = self.p
        pool = self.arch.pooling
        last_use = self._last_use()
        keep = set(keep) | set(known)
        vals: dict[int, object] = dict(known)
        cache_w: dict = {}

        def W(uid, j):
            k = self.key(uid)
            if k not in cache_w:
                cache_w[k] = [xp.asarray(w) for w in self.weights[k]]
            return cache_w[k][j]

        dead = self._dead()
        for i, u in enumerate(units):
            if i in known or i in dead:
                continue
            if u.kind == "input":
                v = xp.asarray(leaves[u.pos])
            elif u.kind == "prod":
                lins = []
                for j, ch in enumerate(u.children):
                    x = vals[ch]
                    if exact:
                        lins.append(modmatmul(xp, x, W(i, j), p))
                    else:
                        lins.append(xp.matmul(x, W(i, j)))
                if exact or pool == "product":
                    v = lins[0]
                    for t in lins[1:]:
                        v = mod(v * t, p) if exact else v * t
                elif pool == "relu":
                    v = lins[0]
                    for t in lins[1:]:
                        v = v + t
                    v = xp.maximum(v, 0)
                elif pool == "max":
                    v = lins[0]
                    for t in lins[1:]:
                        v = xp.maximum(v, t)
                else:  # pragma: no cover - validated by the spec model
                    raise ValueError(f"unknown pooling {pool!r}")
            elif u.kind == "exchange":
                a, b = vals[u.children[0]], vals[u.children[1]]
                s = int(u.s)
                shape = _broadcast_shapes(a.shape, b.shape)
                a = xp.broadcast_to(a, shape)
                b = xp.broadcast_to(b, shape)
                v = _concat(xp)([a[..., :s], b[..., s:]], axis=-1)
            elif u.kind == "sum":
                v = vals[u.children[0]]
                for ch in u.children[1:]:
                    v = mod(v + vals[ch], p) if exact else v + vals[ch]
            else:  # pragma: no cover
                raise ValueError(u.kind)
            if hook is not None:
                v = hook(i, u, v)
            vals[i] = v
            for ch in set(u.children):  # a unit may be joined twice (e.g. two sums at a layer)
                if last_use[ch] == i and ch not in keep:
                    del vals[ch]
        return vals

    def evaluate_batch(self, x, xp=np):
        """Outputs for a batch of input sequences ``x`` of shape (B, N, M) (position axis 1)."""
        leaves = {pos: x[:, pos, :] for pos in self.circuit.used_positions}
        return self.evaluate(leaves, xp)


def _concat(xp):
    """``concat`` (array API, NumPy >= 2) or ``concatenate`` (older NumPy, CuPy)."""
    f = getattr(xp, "concat", None)
    return f if f is not None else xp.concatenate


def _broadcast_shapes(a: tuple, b: tuple) -> tuple:
    """numpy.broadcast_shapes on plain tuples (not every array module has it)."""
    n = max(len(a), len(b))
    a, b = (1,) * (n - len(a)) + tuple(a), (1,) * (n - len(b)) + tuple(b)
    return tuple(y if x == 1 else x for x, y in zip(a, b, strict=True))


def _last_use(c: Circuit, dead: frozenset[int]) -> list[int]:
    last = [-1] * len(c.units)
    for i, u in enumerate(c.units):
        if i in dead:
            continue
        for ch in u.children:
            last[ch] = i
    return last


def _dead_units(c: Circuit) -> frozenset[int]:
    """The units from which no output can be reached (children come before their readers)."""
    live = set(c.outputs)
    for i in range(len(c.units) - 1, -1, -1):
        if i in live:
            live.update(c.units[i].children)
    return frozenset(range(len(c.units))) - live


def _int(x, what: str, arch: Architecture) -> int:
    x = x if isinstance(x, int) else x
    if getattr(x, "free_symbols", None):
        names = ", ".join(sorted(str(s) for s in x.free_symbols))
        raise OptionError(
            "values",
            f"building a network needs numbers: set {names} (e.g. {names.split(',')[0]}=4)",
            arch.source,
        )
    return int(x)


def random_network(
    arch: Architecture,
    arithmetic: str = "exact",
    weights: str = "shared",
    seed: int = 0,
    dtype: str = "float64",
    p: int = PRIME,
) -> Network:
    """A network with seeded random weights.

    Exact: uniform residues in [0, p). Float: N(0, 1/fan_in) entries (each linear form of
    unit-variance inputs has unit variance), then a calibration pass on 256 standard-normal
    input sequences rescales each weight group (a layer of a branch, or a node with per-node
    weights) by a positive constant so that the median |activation| of its units is 1 (for
    relu/max: the root mean square). A
    product of many unit-variance factors has unit mean square but a median that decays
    exponentially with depth; the calibration removes that drift. Scaling by positive
    constants never changes a rank.
    """
    if arithmetic not in ARITHMETICS:
        raise OptionError("arithmetic", f"unknown arithmetic {arithmetic!r}")
    if weights not in WEIGHT_MODES:
        raise OptionError(
            "weights",
            f"unknown weights mode {weights!r} (choose from {', '.join(WEIGHT_MODES)})",
        )
    if arithmetic == "exact" and arch.pooling != "product":
        raise SpecError(
            arch.source,
            "pooling",
            f"'{arch.pooling}' pooling runs in floating point only (no exact mode)",
        )
    c = build_circuit(arch)
    M = _int(arch.input_channels, "input_channels", arch)
    rng = np.random.default_rng(seed)
    fdt = np.float32 if dtype == "float32" else np.float64

    def draw(shape):
        if arithmetic == "exact":
            return rng.integers(0, p, size=shape, dtype=np.int64)
        return (rng.standard_normal(shape) / np.sqrt(shape[0])).astype(fdt)

    W: dict = {}
    for u in c.units:
        if u.kind != "prod":
            continue
        key = (u.branch, u.layer) if weights == "shared" else u.id
        if key in W:
            continue
        br = arch.branches[u.branch]
        ly = br.layers[u.layer - 1]
        r_in = M if u.layer == 1 else _int(br.layers[u.layer - 2].width, "width", arch)
        r_out = _int(ly.width, "width", arch)
        W[key] = [draw((r_in, r_out)) for _ in range(ly.kernel)]
    readout = {}
    if arch.readout:
        for b, br in enumerate(arch.branches):
            readout[b] = draw((_int(br.layers[-1].width, "width", arch),))
    net = Network(c, arithmetic, weights, W, readout, p, dtype)
    if arithmetic == "float":
        calibrate(net, np.random.default_rng([seed, 7]))
    return net


def calibrate(net: Network, rng, batch: int = 256) -> None:
    """Rescale float weights so that each unit's median |activation| is 1 (in place)."""
    c = net.circuit
    M = int(net.arch.input_channels)
    fdt = np.float32 if net.dtype == "float32" else np.float64
    x = rng.standard_normal((batch, c.N, M)).astype(fdt)
    factors: dict = {}
    pool = net.arch.pooling

    def hook(uid, u, v):
        if u.kind != "prod":
            return v
        key = net.key(uid)
        if key not in factors:
            # product: the median (products are heavy-tailed); relu/max: the root mean square
            # (a relu output is 0 about half the time, so its median is near 0)
            med = (
                float(np.median(np.abs(v))) if pool == "product" else float(np.sqrt(np.mean(v**2)))
            )
            factors[key] = 1.0 / med if med > 0 and np.isfinite(med) else 1.0
        return v * fdt(factors[key])

    net.evaluate({pos: x[:, pos, :] for pos in c.used_positions}, np, hook=hook)
    for key, f in factors.items():
        k = len(net.weights[key])
        per_tap = (
            f ** (1.0 / k) if pool == "product" else f
        )  # product: k factors; relu/max: degree 1
        net.weights[key] = [(w * per_tap).astype(fdt) for w in net.weights[key]]
