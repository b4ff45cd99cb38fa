"""Theory vs practice: certified ranks of sampled matricizations against the analyzer's bounds.

For each partition I | J: sample a K_r x K_c submatrix of [A]_I (``verify.sampling``) from a
network with seeded random weights (``networks``), compute its exact rank over GF(p) (a
certified lower bound on the generic rank) and a floating rank (an estimate), and compare with
the analyzer's interval.

**Adaptive K** (docs/verify.md): K starts small (:attr:`Budget.k_start`) and doubles; the
samples are nested (each step keeps the rows and columns of the previous one). A run stops
when the certified rank falls below K (``stop = "rank-below-K"``: the exact rank of this
instance, up to the stated error probability ``epsilon``), meets the analyzer's upper bound
(``"upper"``), reaches the largest possible rank M^min(|I|,|J|) (``"dimension"``), or when a
budget runs out (``"max-k"``, ``"memory"``, ``"time"``: then ``capped`` and "at least K").

**Windows**: above :data:`WINDOW_ABOVE` used positions (or on request) the positions outside
a window are held fixed (``verify.sampling``) and the upper bound is that of the restricted
tensor (``analyzer.window``).

Status per partition:

* ``exact``: certified lower == analyzer upper (the generic rank is known exactly);
* ``not-attained``: certified lower < analyzer upper;
* ``capped``: a budget stopped K below the upper bound and the sample was of full rank K:
  the certified result is "at least K";
* ``VIOLATION``: certified lower > analyzer upper, or (per-node weights) certified lower below a
  lower bound the analyzer proved while K was large enough to see it;
* ``below-lower``: with shared weights, certified lower below the analyzer's lower bound
  (those lower bounds are proved for per-node weights; paper footnote 7 says sharing makes
  little difference, so this is reported, not counted as a violation);
* ``not-covered``: relu/max pooling: no bounds to compare with.

A floating estimate that disagrees with the exact rank is a numerical warning, never a violation.
"""

from __future__ import annotations

import inspect
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace

import numpy as np

from analyzer import analyze
from analyzer.analysis import Analysis, structure
from analyzer.circuit import Circuit, fmt_mask, mask_of, positions_of
from analyzer.errors import OptionError
from analyzer.partitions import families_for
from analyzer.spec import Architecture, SpecError
from analyzer.window import window_bound
from networks import PRIME, get_xp, random_network, to_numpy
from networks.backend import BackendError

from .ranks import FLOAT_RULE, exact_rank_mod_p, float_rank
from .sampling import Sampler

__all__ = [
    "VerifyOptions",
    "Budget",
    "DEFAULT_MAX_K",
    "OVERSAMPLE",
    "PartitionVerification",
    "RANK_METHODS",
    "STOP_REASONS",
    "VerifyResult",
    "WINDOW_ABOVE",
    "entry_degree",
    "verify_architecture",
    "sample_matrix",
    "STATUSES",
]

DEFAULT_MAX_K = 1024  # K of a float-only run (an SVD of 1024 x 1024 takes ~0.3 s on 2 cores)
FLOAT_MAX_K = 1024  # the float estimate of an exact+float run uses at most this K
OVERSAMPLE = 8
CHUNK_BYTES = 1 << 21  # one unit's value on one row chunk of the sampled matrix (2 MiB)
MAX_SINGULAR_VALUES = 4096
WINDOW_ABOVE = 64  # more used positions than this: verify a window by default
STATUSES = ("exact", "not-attained", "capped", "VIOLATION", "below-lower", "not-covered")
STOP_REASONS = ("rank-below-K", "upper", "dimension", "max-k", "memory", "time")
BUDGET_STOPS = ("max-k", "memory", "time")
RANK_METHODS = ("auto", "flint", "array")


@dataclass(frozen=True)
class Budget:
    """How far the adaptive K may grow (per partition). Defaults are the library's defaults.

    * ``k_start``: first K; ``growth``: factor between steps;
    * ``max_k``: explicit cap on K (None: no explicit cap);
    * ``memory_bytes``: the K x K matrix and the exact rank's working copies, estimated at
      ``bytes_per_entry`` bytes per entry, must fit: K <= sqrt(memory_bytes / bytes_per_entry).
      56 = the int64 matrix (8) + the previous step's matrix while a step is built (2) + the
      exact rank's working memory (array route: 5 float64 copies = 40,
      ``verify.modrank.rank_memory_bytes``; flint: a Python list of ints, about 40, and its
      own matrix, 8). Measured peak at K = 8192: about 40 bytes per entry;
    * ``seconds``: per partition; a step is not started when its predicted time (evaluation
      ~ K^2, rank ~ K^3, from the previous step) would pass it.
    """

    k_start: int = 64
    growth: int = 2
    max_k: int | None = None
    memory_bytes: int = 2 << 30
    seconds: float = 10.0
    bytes_per_entry: int = 56

    @property
    def memory_k(self) -> int:
        return max(1, math.isqrt(self.memory_bytes // self.bytes_per_entry))

    @property
    def k_cap(self) -> int:
        """The largest K any step may use (explicit cap and memory; time only stops earlier)."""
        return min(self.memory_k, self.max_k) if self.max_k else self.memory_k

    def validate(self) -> None:
        if self.k_start < 1:
            raise OptionError("k_start", f"must be >= 1, got {self.k_start}")
        if self.growth < 2:
            raise OptionError("growth", f"must be >= 2, got {self.growth}")
        if self.max_k is not None and self.max_k < 1:
            raise OptionError("max_k", f"must be >= 1, got {self.max_k}")
        if self.memory_bytes < 1 or self.seconds <= 0:
            raise OptionError("budgets", "budgets must be positive")


@dataclass
class PartitionVerification:
    I: list[int]
    label: str
    upper: int | None
    lower: int | None
    upper_symbolic: str
    lower_symbolic: str
    upper_source: str
    lower_source: str
    K: list[int]
    capped: bool
    certified_lower: int | None
    certified_text: str
    float_rank: int | None
    float_tolerance: float | None
    singular_values: list[float]
    status: str
    warnings: list[str] = field(default_factory=list)
    eval_seconds: float = 0.0
    rank_seconds: float = 0.0
    sampling: str = ""
    stop: str | None = None  # one of STOP_REASONS (exact mode)
    capped_by: str | None = None  # max-k | memory | time when a budget stopped K
    epsilon: float | None = None  # P(generic rank > certified) bound (docs/verify.md)
    epsilon_scope: str = ""  # what the epsilon statement is about
    degree: int | None = None  # degree bound D of the sampled entries
    steps: list[dict] = field(default_factory=list)  # per K step: K, rank, seconds
    repeats: int = 1
    window: list[int] | None = None  # positions that vary (None: all used positions)
    float_K: list[int] | None = None

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class VerifyResult:
    name: str
    source: str
    seed: int
    prime: int
    backend: str
    weights: str
    mode: str
    max_k: int | None
    dtype: str
    values: dict
    partitions: list[PartitionVerification]
    elapsed_seconds: float
    float_rule: str = FLOAT_RULE
    notes: list[str] = field(default_factory=list)
    analysis: Analysis | None = field(default=None, repr=False)
    budget: Budget = field(default_factory=Budget)
    repeat: int = 1
    rank_method: str = "auto"

    @property
    def violations(self) -> int:
        return sum(p.status == "VIOLATION" for p in self.partitions)

    @property
    def ok(self) -> bool:
        return self.violations == 0

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "source": self.source,
            "seed": self.seed,
            "prime": self.prime,
            "backend": self.backend,
            "weights": self.weights,
            "mode": self.mode,
            "max_k": self.max_k,
            "budget": asdict(self.budget),
            "repeat": self.repeat,
            "rank_method": self.rank_method,
            "dtype": self.dtype,
            "values": {k: str(v) for k, v in self.values.items()},
            "float_rule": self.float_rule,
            "elapsed_seconds": self.elapsed_seconds,
            "violations": self.violations,
            "notes": self.notes,
            "partitions": [p.to_dict() for p in self.partitions],
        }


# --------------------------------------------------------------------------- evaluation
def sample_matrix(net, sample, xp=np, rows=None, cols=None, known=None) -> np.ndarray:
    """Evaluate the sampled matrix (rows ``rows[0]:rows[1]``, columns alike), in row chunks.

    A chunk has as many rows as keep one unit's value (rows x columns x widest layer, 8 bytes
    per entry) within :data:`CHUNK_BYTES`: small enough for the elementwise modular work to run
    in cache (measured 1.4-2.5x faster than 1 GiB chunks, bench/results/verify-2026-11-30.md),
    and memory stays below CHUNK_BYTES times the number of units alive at once (at most the
    widest layer's units + 2) plus the matrix itself.
    ``known``: values of units that read fixed inputs only
    (:meth:`networks.Network.constant_units`), computed once by the caller.
    """
    r0, r1 = rows if rows is not None else (0, sample.Kr)
    c0, c1 = cols if cols is not None else (0, sample.Kc)
    if r1 <= r0 or c1 <= c0:
        return np.zeros((max(0, r1 - r0), max(0, c1 - c0)), dtype=np.int64)
    c = net.circuit
    width = max(int(u.width) for u in c.units)
    per_row = max(1, (c1 - c0) * width * 8)
    step = max(1, CHUNK_BYTES // per_row)
    parts = []
    for a in range(r0, r1, step):
        b = min(r1, a + step)
        leaves = sample.leaves(a, b, c0, c1)
        out = net.evaluate(leaves, xp, known=known)
        out = xp.broadcast_to(out, (b - a, c1 - c0))
        parts.append(to_numpy(out))
    return np.concatenate(parts, axis=0)


def entry_degree(circuit: Circuit, input_degree: dict[int, int], readout: bool = False) -> int:
    """Total degree of the output as a polynomial in weights and input coefficients.

    ``input_degree[pos]``: degree of the input at ``pos`` in the random variables (1 for a
    random vector, 0 for a fixed template). A product unit is a product over taps of
    (weight matrix) x (child): degree sum_j (1 + deg child_j); exchanges and sums take the
    largest degree of their children; a read-out adds 1; the output (sum of branches) the
    largest. Shared weights appearing in several units only lower the true degree.
    """
    deg: list[int] = []
    for u in circuit.units:
        if u.kind == "input":
            deg.append(input_degree.get(u.pos, 0))
        elif u.kind == "prod":
            deg.append(sum(1 + deg[ch] for ch in u.children))
        else:
            deg.append(max(deg[ch] for ch in u.children))
    return max(deg[o] for o in circuit.outputs) + (1 if readout else 0)


def _status(upper, lower, cert, Kmin, weights, sampling: str = "random-product") -> str:
    """Status of one partition (module docstring). A certified rank below the lower bound is
    evidence against it only when the sample reaches the rank of [A]_I: random product inputs
    (rank min(K, rank) w.h.p.) or all templates; a random subset of templates may miss it."""
    if upper is None:
        return "not-covered"
    if cert is None:
        return "not-attained"
    if cert > upper:
        return "VIOLATION"
    if cert == upper:
        return "exact"
    if lower is not None and cert < lower and Kmin >= lower and sampling != "template-subset":
        return "VIOLATION" if weights == "per-node" else "below-lower"
    if Kmin < upper and cert == Kmin:
        return "capped"
    return "not-attained"


def _rank_function(method: str) -> Callable:
    """``X, p -> rank`` for the requested method (``verify.ranks.exact_rank_mod_p``).

    Looked up at call time, so tests may replace this module's ``exact_rank_mod_p``.
    """
    if method not in RANK_METHODS:
        raise OptionError(
            "rank_method",
            f"unknown method {method!r} (choose from {', '.join(RANK_METHODS)})",
        )
    if method == "auto":
        return lambda X, p: exact_rank_mod_p(X, p)
    if "method" in inspect.signature(exact_rank_mod_p).parameters:
        return lambda X, p: exact_rank_mod_p(X, p, method=method)
    if method == "array":
        raise OptionError(
            "rank_method", "the array-native exact rank is not available in this version"
        )
    return lambda X, p: exact_rank_mod_p(X, p)


def _window_mask(c: Circuit, I: int, window, M: int, k_cap: int) -> int | None:
    """The window (a mask of used positions) for partition I, or None for no window.

    ``window``: None (default: a window only above WINDOW_ABOVE used positions), ``"none"``,
    ``"auto"``, an int (the window size), ``"a:b"`` (positions a..b-1) or positions.
    """
    used = c.used_mask
    n_used = used.bit_count()
    if window is None:
        if n_used <= WINDOW_ABOVE:
            return None
        window = "auto"
    if window == "none":
        return None
    if isinstance(window, str) and ":" in window:
        a, _, b = window.partition(":")
        try:
            lo, hi = int(a), int(b)
        except ValueError:
            raise OptionError(
                "window", f"expected START:END, SIZE or positions, got {window!r}"
            ) from None
        mask = sum(1 << q for q in range(lo, hi)) & used
    elif isinstance(window, str) and window != "auto":
        try:
            items = [int(x) for x in window.split(",") if x.strip()]
        except ValueError:
            raise OptionError(
                "window", f"expected START:END, SIZE or positions, got {window!r}"
            ) from None
        if len(items) == 1 and "," not in window:
            return _auto_window(c, I, items[0])
        mask = sum(1 << q for q in items) & used
    elif isinstance(window, int) and not isinstance(window, bool):
        return _auto_window(c, I, window)
    elif window == "auto":
        # large enough that min(M^|I ∩ W|, M^|J ∩ W|) can reach the K cap when W is balanced
        size = max(8, 2 * math.ceil(math.log(max(k_cap, 2), max(M, 2))))
        return _auto_window(c, I, size)
    else:
        mask = sum(1 << int(q) for q in window) & used
    if mask == 0:
        raise OptionError("window", "the window contains no used position")
    return mask


def _auto_window(c: Circuit, I: int, size: int) -> int:
    """``size`` consecutive used positions maximising min(|I ∩ W|, |J ∩ W|) (the latest wins)."""
    if size < 1:
        raise OptionError("window", f"the window size must be >= 1, got {size}")
    pos = positions_of(c.used_mask)
    if size >= len(pos):
        return c.used_mask
    inI = [(I >> q) & 1 for q in pos]
    pre = [0]
    for b in inI:
        pre.append(pre[-1] + b)
    best, best_start = -1, 0
    for s in range(len(pos) - size + 1):
        ni = pre[s + size] - pre[s]
        score = min(ni, size - ni)
        if score >= best:
            best, best_start = score, s
    return sum(1 << q for q in pos[best_start : best_start + size])


# --------------------------------------------------------------------------- adaptive K
@dataclass
class _Certified:
    cert: int
    Kr: int
    Kc: int
    stop: str
    steps: list[dict]
    eval_s: float
    rank_s: float
    method: str


def _k_sequence(budget: Budget, target: int) -> list[int]:
    """The K of every step the budget's caps allow (time may only stop the run earlier)."""
    cap = min(budget.k_cap, target)
    ks = [min(budget.k_start, cap)]
    while ks[-1] < cap:
        ks.append(min(ks[-1] * budget.growth, cap))
    return ks


def _certify(net, sampler, upper, budget, rank, xp, progress_label, known) -> _Certified:
    """Grow K until a stopping rule holds (module docstring); nested samples."""
    target = (upper + OVERSAMPLE) if upper is not None else budget.k_cap
    dims = min(sampler.max_r, sampler.max_c)
    ks = _k_sequence(budget, target)
    t_start = time.perf_counter()
    X = np.zeros((0, 0), dtype=np.int64)
    steps: list[dict] = []
    eval_s = rank_s = 0.0
    Kr = Kc = 0
    cert = 0
    stop = ""
    method = ""
    for j, K in enumerate(ks):
        s = sampler.sample(K, K)
        method = s.method
        te = time.perf_counter()
        Xn = np.zeros((s.Kr, s.Kc), dtype=np.int64)
        Xn[:Kr, :Kc] = X
        Xn[:Kr, Kc:] = sample_matrix(net, s, xp, rows=(0, Kr), cols=(Kc, s.Kc), known=known)
        Xn[Kr:, :] = sample_matrix(net, s, xp, rows=(Kr, s.Kr), cols=(0, s.Kc), known=known)
        t_ev = time.perf_counter() - te
        new_entries = s.Kr * s.Kc - Kr * Kc
        X, Kr, Kc = Xn, s.Kr, s.Kc
        tr = time.perf_counter()
        cert = int(rank(X, sampler.p))
        t_rk = time.perf_counter() - tr
        eval_s += t_ev
        rank_s += t_rk
        steps.append({"K": [Kr, Kc], "rank": cert, "eval_seconds": t_ev, "rank_seconds": t_rk})
        if progress_label:
            progress_label(f"K={min(Kr, Kc)} rank={cert}")
        Kmin = min(Kr, Kc)
        if upper is not None and cert >= upper:
            stop = "upper"
            break
        if cert < Kmin:
            stop = "rank-below-K"
            break
        if Kmin >= dims:
            stop = "dimension"
            break
        if j + 1 == len(ks):  # the caps allow no larger K
            if budget.max_k is not None and budget.max_k <= budget.memory_k:
                stop = "max-k"
            else:
                stop = "memory"
            break
        nxt = min(ks[j + 1], sampler.max_r), min(ks[j + 1], sampler.max_c)
        grow = max(nxt[0] * nxt[1] / max(1, Kr * Kc), 1.0)
        per_entry = t_ev / max(1, new_entries)
        predicted = per_entry * (nxt[0] * nxt[1] - Kr * Kc) + t_rk * grow**1.5
        if time.perf_counter() - t_start + predicted > budget.seconds:
            stop = "time"
            break
    return _Certified(cert, Kr, Kc, stop, steps, eval_s, rank_s, method)


def _epsilon(stop, cert, Kmin, ks_cap: list[int], degree, p, repeats, upper=None):
    """The error probability of docs/verify.md ("Error probability") for one partition."""
    if stop == "upper" and upper is not None and cert > upper:
        return None, "none: the certified rank exceeds the upper bound (a violation)"
    if stop in ("upper", "dimension"):
        return 0.0, "exact: the certified value equals an upper bound"
    if stop != "rank-below-K":
        return None, "none: a budget stopped K; the result is a lower bound only"
    one = sum(ks_cap) * degree / p
    more = (ks_cap[-1] * degree / p) ** (repeats - 1) if repeats > 1 else 1.0
    return min(1.0, one * more), "rank over GF(p)"


# --------------------------------------------------------------------------- entry point
@dataclass(frozen=True)
class VerifyOptions:
    """How a verification runs (defaults: the ``verify`` command's); the fields are described
    under :func:`verify_architecture`. The command line builds one from its flags."""

    mode: str = "both"
    weights: str = "shared"
    seed: int = 0
    max_k: int | None = None
    backend: str = "numpy"
    oversample: int = OVERSAMPLE
    dtype: str = "float64"
    values: dict | None = None
    budget: Budget | None = None
    repeat: int = 1
    window: int | str | Sequence[int] | None = None
    rank_method: str = "auto"


def verify_architecture(
    arch: Architecture,
    partitions=(),
    families=(),
    options: VerifyOptions | None = None,
    *,
    progress: Callable[[int, int, str], None] | None = None,
    **fields,
) -> VerifyResult:
    """Certify ranks of grid-tensor matricizations and hold them against the analyzer's bounds.

    ``options``: a :class:`VerifyOptions` (default ``VerifyOptions()``); keyword arguments
    named like its fields override it (``verify_architecture(arch, mode="exact", seed=3)``).

    Parameters
    ----------
    arch : a concrete architecture (every width a number; ``values`` may supply them).
    partitions, families : as for :func:`analyzer.analyze` (default:
        :func:`analyzer.partitions.families_for`: ``nodes``, ``representative`` above a size,
        halves and odd-even without a mode tree).
    mode : ``exact`` (certified ranks mod p), ``float`` (SVD estimates) or ``both``.
    weights : ``shared`` (a real convolution) or ``per-node`` (the paper's decomposition).
    max_k : explicit cap on K (overrides ``budget.max_k``); float-only runs use
        ``max_k`` or :data:`DEFAULT_MAX_K`.
    budget : :class:`Budget` (adaptive K: first K, growth, memory and time budgets).
    repeat : independent repetitions (fresh weights and samples) when the rank fell below K;
        the certified value is their largest rank and epsilon shrinks (docs/verify.md).
    window : positions that vary (the others are held fixed): None (automatic above
        :data:`WINDOW_ABOVE` used positions), ``"none"``, a size, ``"a:b"`` or positions.
    rank_method : ``auto``, ``flint`` or ``array`` (exact rank mod p, ``verify.ranks``).
    backend : ``numpy`` or ``cupy`` (same code, another array module).
    progress : optional callback ``progress(done, total, label)``.

    References
    ----------
    docs/theory.md sec. 7 (certification); docs/verify.md (adaptive K, error probability, windows).
    """
    t0 = time.perf_counter()
    o = replace(options or VerifyOptions(), **fields)
    mode, weights, seed, max_k, backend = o.mode, o.weights, o.seed, o.max_k, o.backend
    oversample, dtype, values, budget = o.oversample, o.dtype, o.values, o.budget
    repeat, window, rank_method = o.repeat, o.window, o.rank_method
    if mode not in ("exact", "float", "both"):
        raise OptionError("mode", f"unknown mode {mode!r} (choose from exact, float, both)")
    if dtype not in ("float64", "float32"):
        raise OptionError("dtype", f"unknown dtype {dtype!r} (float64 or float32)")
    budget = budget or Budget()
    if max_k is not None:
        budget = Budget(**{**asdict(budget), "max_k": int(max_k)})
    budget.validate()
    if repeat < 1:
        raise OptionError("repeat", f"must be >= 1, got {repeat}")
    rank = _rank_function(rank_method)
    if values:
        arch = arch.substitute(values)
    if not arch.is_concrete:
        names = ", ".join(arch.symbol_names)
        raise OptionError(
            "values",
            f"verification needs numbers: set {names} (e.g. {arch.symbol_names[0]}=4)",
            arch.source,
        )
    try:
        xp = get_xp(backend)
    except BackendError as exc:
        raise OptionError("backend", str(exc)) from None
    notes: list[str] = []
    do_exact = mode in ("exact", "both")
    do_float = mode in ("float", "both")
    if arch.pooling != "product" and do_exact:
        if mode == "exact":
            raise SpecError(
                arch.source,
                "pooling",
                f"'{arch.pooling}' pooling runs in floating point only: use the float mode",
            )
        do_exact = False
        notes.append(f"'{arch.pooling}' pooling: floating point only, no certified ranks")
    if weights == "per-node":
        notes.append(
            "per-node weights: every tree node has its own weights (the paper's decomposition)"
        )
    st = structure(arch)
    fams = families_for(st.circuit, st.trees, partitions, families)
    an = analyze(arch, partitions=list(partitions), families=fams)
    c = an.structure.circuit
    multilinear = c.multilinear
    if not multilinear:
        notes.append(
            "the output is not multilinear in the inputs (overlapping circuit or relu/max): rows "
            "and columns are template configurations, a submatrix of [A]_I"
        )
    M = int(arch.input_channels)
    nets_exact = (
        [random_network(arch, "exact", weights, seed=seed)]
        + [random_network(arch, "exact", weights, seed=[seed, 11, i]) for i in range(1, repeat)]
        if do_exact
        else []
    )
    net_float = (
        random_network(arch, "float", weights, seed=seed + 1, dtype=dtype) if do_float else None
    )
    fdtype = np.float32 if dtype == "float32" else np.float64
    templates = None
    if arch.pooling != "product":
        templates = np.random.default_rng([seed, 8]).standard_normal((M, M))
        notes.append(
            "relu/max pooling: templates are M seeded random Gaussian vectors (not the standard "
            "basis)"
        )
    float_k = min(max_k or DEFAULT_MAX_K, DEFAULT_MAX_K if not do_exact else FLOAT_MAX_K)
    results: list[PartitionVerification] = []
    total = len(an.partitions)
    windowed = False
    for idx, pb in enumerate(an.partitions):
        Ilabel = fmt_mask(mask_of(pb.I))  # progress label only
        if progress:
            progress(idx, total, Ilabel)
        I = sum(1 << q for q in pb.I)
        W = _window_mask(c, I, window, M, budget.k_cap)
        upper, lower = pb.upper, pb.lower
        upper_symbolic, lower_symbolic = pb.upper_symbolic, pb.lower_symbolic
        upper_source, lower_source = pb.upper_source, pb.lower_source
        if W is not None and W != c.used_mask:
            windowed = True
            if upper is not None:
                wb = int(window_bound(c, I, W))
                if wb < upper:
                    upper, upper_source = wb, "propagation on the window (outside inputs fixed)"
                else:
                    upper_source = f"{upper_source} (of the full partition)"
                upper_symbolic = str(upper)
            lower, lower_symbolic = None, ""
            lower_source = "none: the analyzer's lower bounds are about the full tensor"
        else:
            W = None
        warnings: list[str] = []
        cert = fr = ftol = None
        svals: list[float] = []
        t_eval = t_rank = 0.0
        Kr = Kc = 0
        method = ""
        stop = capped_by = None
        eps, scope, degree = None, "", None
        steps: list[dict] = []
        float_K = None
        reps = 1
        if nets_exact:
            cr = None
            for i, net in enumerate(nets_exact):
                rng = np.random.default_rng([seed, 2, idx] if i == 0 else [seed, 12, idx, i])
                sampler = Sampler(c, I, M, "exact", rng, PRIME, multilinear, window=W)
                known = net.constant_units(
                    {q: v[None, None, :] for q, v in sampler.fixed.items()}, xp
                )
                if i == 0:

                    def lab(text, _I=Ilabel, _idx=idx):
                        if progress:
                            progress(_idx, total, f"{_I} {text}")

                    cr = _certify(net, sampler, upper, budget, rank, xp, lab, known)
                    t_eval, t_rank = cr.eval_s, cr.rank_s
                    if cr.stop != "rank-below-K":
                        break
                    fixed_budget = Budget(
                        k_start=min(cr.Kr, cr.Kc), max_k=min(cr.Kr, cr.Kc), seconds=float("inf")
                    )
                    continue
                if progress:
                    progress(idx, total, f"{Ilabel} repeat {i + 1}/{repeat}")
                rep = _certify(net, sampler, upper, fixed_budget, rank, xp, None, known)
                t_eval += rep.eval_s
                t_rank += rep.rank_s
                reps += 1
                cr.steps += [{**st, "repeat": i + 1} for st in rep.steps]
                if rep.cert > cr.cert:
                    warnings.append(
                        f"repeat {i + 1} found rank {rep.cert} > {cr.cert} (the first sample was "
                        "unlucky); the larger value is reported"
                    )
                    cr.cert = rep.cert
            assert cr is not None
            cert, Kr, Kc, method, steps = cr.cert, cr.Kr, cr.Kc, cr.method, cr.steps
            stop = cr.stop
            if stop == "rank-below-K" and cert >= min(Kr, Kc):
                stop = "max-k"  # a repeat reached K: no equality claim, "at least K"
            if upper is not None and cert >= upper:
                stop = "upper"
            capped_by = stop if stop in BUDGET_STOPS else None
            in_deg = {q: (1 if multilinear else 0) for q in sampler.Ipos + sampler.Jpos}
            in_deg.update({q: (1 if multilinear else 0) for q in sampler.Opos})
            degree = entry_degree(c, in_deg, bool(arch.readout))
            target = (upper + OVERSAMPLE) if upper is not None else budget.k_cap
            ks = [min(k, sampler.max_r, sampler.max_c) for k in _k_sequence(budget, target)]
            eps, scope = _epsilon(stop, cert, min(Kr, Kc), ks, degree, PRIME, reps, upper)
            if eps is not None and stop == "rank-below-K":
                if method == "template-subset":
                    scope = "generic rank of the sampled submatrix (template configurations)"
                elif W is not None:
                    scope = "generic rank of the restricted tensor (outside inputs random)"
                else:
                    scope = "generic rank of [A]_I"
                scope += ", assuming its rank over GF(p) equals its rank over Q"
        if net_float is not None:
            rng = np.random.default_rng([seed, 3, idx])
            fs = Sampler(
                c,
                I,
                M,
                "float",
                rng,
                PRIME,
                multilinear,
                dtype=fdtype,
                templates=templates,
                window=W,
            )
            if nets_exact:
                fK = min(Kr, Kc, float_k)
                fKr, fKc = min(Kr, fK), min(Kc, fK)
            else:
                fK = min((upper + oversample) if upper is not None else float_k, float_k)
                fKr = fKc = fK
            s = fs.sample(fKr, fKc)
            float_K = [s.Kr, s.Kc]
            if not nets_exact:
                Kr, Kc, method = s.Kr, s.Kc, s.method
            known = net_float.constant_units(s.fixed_leaves(), xp)
            te = time.perf_counter()
            X = sample_matrix(net_float, s, xp, known=known)
            t_eval += time.perf_counter() - te
            tr = time.perf_counter()
            f = float_rank(X)
            t_rank += time.perf_counter() - tr
            if f.rank < 0:
                warnings.append("floating evaluation overflowed (non-finite values): no estimate")
            else:
                fr, ftol = f.rank, f.tol
                svals = [float(v) for v in f.singular_values[:MAX_SINGULAR_VALUES]]
            underflow = False
            if fr == 0 and f.singular_values.size and f.singular_values[0] == 0:
                if arch.pooling == "product":
                    # a product of nonzero random factors is nonzero: every entry underflowed
                    underflow = True
                    warnings.append(
                        "floating-point underflow: every entry of the float sample is 0 (products "
                        f"of degree up to {degree or '?'} fall below the smallest {dtype}); no "
                        "estimate; the certified rank is unaffected"
                    )
                else:
                    warnings.append(
                        "the sampled matrix is zero: the output vanishes on every sampled input "
                        "(a dead relu/max output unit; try another seed)"
                    )
            if underflow:
                fr = None
            if cert is not None and fr is not None and fr != cert:
                if float_K != [Kr, Kc] and fr == min(float_K):
                    pass  # the float sample is smaller: full rank there is consistent
                else:
                    warnings.append(
                        f"float estimate {fr} differs from the certified rank {cert} "
                        "(numerical, not a violation)"
                    )
        Kmin = min(Kr, Kc)
        capped = capped_by is not None if nets_exact else (upper is not None and Kmin < upper)
        status = _status(upper, lower, cert, Kmin, weights, method)
        if cert is None:
            text = "not computed (float only)" if do_float else "-"
        elif capped and cert == Kmin:
            text = f"at least {cert} (K capped at {Kmin} by {capped_by or 'max-k'} < upper {upper})"
        else:
            text = f"{cert}"
        if status == "below-lower":
            warnings.append(
                f"certified {cert} is below the analyzer's lower bound {lower} "
                f"({lower_source}), "
                "which is proved for per-node weights: a weight-sharing effect"
            )
        results.append(
            PartitionVerification(
                I=pb.I,
                label=pb.label,
                upper=upper,
                lower=lower,
                upper_symbolic=upper_symbolic,
                lower_symbolic=lower_symbolic,
                upper_source=upper_source,
                lower_source=lower_source,
                K=[Kr, Kc],
                capped=capped,
                certified_lower=cert,
                certified_text=text,
                float_rank=fr,
                float_tolerance=ftol,
                singular_values=svals,
                status=status,
                warnings=warnings,
                eval_seconds=t_eval,
                rank_seconds=t_rank,
                sampling=method,
                stop=stop,
                capped_by=capped_by,
                epsilon=eps,
                epsilon_scope=scope,
                degree=degree,
                steps=steps,
                repeats=reps,
                window=positions_of(W) if W is not None else None,
                float_K=float_K,
            )
        )
    if windowed:
        notes.append(
            "windowed: positions outside each partition's window hold one fixed random input; "
            "certified ranks are lower bounds for the full partition, upper bounds are those of "
            "the restricted tensor (docs/verify.md, Verification at scale)"
        )
    if progress:
        progress(total, total, "done")
    return VerifyResult(
        name=arch.name,
        source=arch.source,
        seed=seed,
        prime=PRIME,
        backend=backend,
        weights=weights,
        mode=mode,
        max_k=budget.max_k,
        dtype=dtype,
        values=dict(values or {}),
        partitions=results,
        elapsed_seconds=time.perf_counter() - t0,
        notes=notes + an.structure.notes,
        analysis=an,
        budget=budget,
        repeat=repeat,
        rank_method=rank_method,
    )
