"""Joint pair sources: a lower-bound rule for several pair nodes added up at one tap or at the
network output (docs/theory.md sec. 6.6). Integer widths only.

The routed-tree bound (analyzer.bounds.routed_lower) keeps one source per support; its joint
leaf pairs (sec. 6.3) keep several layer-1 sources of one mixed tap. This rule keeps several
sources x_1..x_q of one mixed tap (or the branches' output units, whose outputs are added) when
each x is a *pair node with pure taps only* whose taps read inputs, layer-1 units, or chains of
exchanges of layer-1 units. Every channel of such a unit copies one *atom*: a one-hot input
value, or one channel of a layer-1 unit. Per-node weights make the live atoms of one support
distinct product basis vectors (at most M^|S| of them), every used channel of an x the product
of one atom per tap, and the terms added at the tap or output have pairwise distinct I-tuples
and pairwise distinct J-tuples of atoms: a sum of rank-one terms with independent left and
independent right factors, whose rank is the number of terms. The count is found greedily (any
assignment found is a valid construction, so the greedy count is a valid lower bound).
"""

from __future__ import annotations

import itertools

__all__ = ["copy_maps", "pair_sources"]

MAX_TUPLES = 4096  # tuples examined per term (a cost limit; stopping early stays valid)
MAX_ATOMS = 4096  # widest unit given a copy map (a cost limit: a unit left out only drops
# candidates of this lower-bound rule, which stays valid; widths may be 10^11)


def copy_maps(circuit, width) -> dict[int, tuple | None]:
    """{unit read by a tap: per channel, the atom it copies (or None: zero)}, where defined.

    Defined for input units (channel i copies atom (input, i)), layer-1 product units (channel
    d copies atom (unit, d)) and chains of exchanges whose sources are layer-1 units. Any other
    read unit (a deeper product unit, a chain with a sum, a unit wider than ``MAX_ATOMS``) is
    left out.
    """
    units = circuit.units
    leafy = {
        u.id
        for u in units
        if u.kind == "prod" and all(units[c].kind == "input" for c in u.children)
    }
    out: dict[int, tuple | None] = {}

    def walk(v: int):
        if v in out:
            return out[v]
        u = units[v]
        res = None
        if int(width[v]) > MAX_ATOMS:
            res = None
        elif u.kind == "input" or v in leafy:
            res = tuple((v, i) for i in range(int(width[v])))
        elif u.kind == "exchange":
            a, b = (walk(c) for c in u.children)
            if a is not None and b is not None:
                s = int(u.s)
                res = a[:s] + b[s:]
        out[v] = res
        return res

    for u in units:
        if u.kind == "prod":
            for c in u.children:
                walk(c)
    return {k: v for k, v in out.items() if v is not None}


def _shape(rt, xs: tuple[int, ...]):
    """Partition-independent part of :func:`pair_sources`: per source, its taps as
    ``(support, sorted atoms)``; None when the sources cannot all be used."""
    if len(xs) < 2 or not rt.copies:
        return None
    shape = None
    out = []
    for x in xs:
        reads = rt.reads.get(x)
        if reads is None:
            return None
        sups = tuple(rt.support[v] for v in reads)
        if shape is None:
            shape = sups
        elif sups != shape:
            return None
        taps = []
        for v, sup in zip(reads, sups, strict=True):
            atoms = rt.copies.get(v)
            if atoms is None:
                return None
            taps.append((sup, sorted(set(atoms))))
        out.append(taps)
    return out


def pair_sources(rt, sources, I: int) -> int | None:
    """Rank reachable by adding terms of the pair nodes ``sources``: [(unit, at most n terms)].

    None when the rule does not apply (fewer than two sources, a source that is not a pair node
    with pure taps only, sources with different tap supports, a tap read unit without atoms).
    """
    xs = tuple(x for x, _ in sources)
    plans = rt.pair_plans
    if xs in plans:
        shape = plans[xs]
    else:
        shape = plans[xs] = _shape(rt, xs)
    if shape is None:
        return None
    M = int(rt.M)
    per_src = []
    for (_, n), taps in zip(sources, shape, strict=True):
        if n <= 0:
            return None
        I_taps, J_taps = [], []
        for sup, atoms in taps:
            x_I = I & sup
            if x_I == sup:
                I_taps.append((sup, atoms))
            elif not x_I:
                J_taps.append((sup, atoms))
            else:
                return None  # a mixed tap: not a pure pair node
        if not I_taps or not J_taps:
            return None
        per_src.append((n, I_taps, J_taps))
    live: dict[int, set] = {}  # support -> live atoms

    def budget(sup: int) -> int:
        return M ** sup.bit_count()

    def pick(taps, used: set):
        """A fresh tuple of atoms (one per tap) within the live budgets, or None."""
        lists = []
        for sup, atoms in taps:
            lv = live.get(sup, set())
            lists.append([a for a in atoms if a in lv] + [a for a in atoms if a not in lv])
        for k, tup in enumerate(itertools.product(*lists)):
            if k >= MAX_TUPLES:
                return None
            if tup in used:
                continue
            need: dict[int, set] = {}
            for (sup, _), a in zip(taps, tup, strict=True):
                if a not in live.get(sup, set()):
                    need.setdefault(sup, set()).add(a)
            if all(len(live.get(s, set())) + len(new) <= budget(s) for s, new in need.items()):
                return tup, need
        return None

    usedI: set = set()
    usedJ: set = set()
    count = 0
    for n, I_taps, J_taps in per_src:
        for _ in range(n):
            pi = pick(I_taps, usedI)
            if pi is None:
                break
            # commit the I atoms before choosing J (they live on other supports, disjoint)
            for s, new in pi[1].items():
                live.setdefault(s, set()).update(new)
            pj = pick(J_taps, usedJ)
            if pj is None:
                break
            for s, new in pj[1].items():
                live.setdefault(s, set()).update(new)
            usedI.add(pi[0])
            usedJ.add(pj[0])
            count += 1
    return count
