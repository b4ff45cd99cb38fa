"""Upper bounds for a restricted grid tensor: the inputs outside a window W held fixed.

Verification at scale (docs/verify.md, "Verification at scale") fixes every used position
outside W to one input (the same for all rows and columns) and samples the matricization
I ∩ W | J ∩ W of what remains. Its rank is bounded by two valid upper bounds, the least of
which is reported:

* the analyzer's bound for the full partition I | J (the restricted matrix is
  ``(1 ⊗ v_{O∩I})^T [A]_I (1 ⊗ v_{O∩J})`` for multilinear networks, a submatrix of ``[A]_I``
  otherwise: either way its rank is at most rank ``[A]_I``);
* :func:`window_bound`: the propagation bound of docs/theory.md sec. 4.1 run on the restricted
  circuit, where an input held fixed is a constant unit. A constant unit's channels are
  constant functions of (x_{I∩W}, x_{J∩W}): every channel is a multiple of the all-ones
  matrix, so ``L = R = pi = rho = 1`` is a valid state, and every rule of the propagation
  bound applies to it unchanged (they only use the states of the children and the caps).
  The caps count window positions only: ``cap_I(u) = M^|I ∩ W ∩ S_u|``, ``cap_J`` alike.

Pure; a thin subclass of :class:`~analyzer.bounds.Propagator` that changes no rule: it only
gives fixed inputs (and units reading nothing else) the constant state and leaves the fixed
positions out of the caps.
"""

from __future__ import annotations

from .bounds import INT, Arith, Propagator, UnitState
from .circuit import Circuit

__all__ = ["FixedInputPropagator", "window_bound"]


class FixedInputPropagator(Propagator):
    """The propagation bound with the positions in ``fixed`` (a mask) held constant."""

    def __init__(self, circuit: Circuit, arith: Arith, fixed: int):
        super().__init__(circuit, arith)
        self.fixed = fixed
        # caps count only the positions that vary (inside the window)
        self.popcount_support = [(u.support & ~fixed).bit_count() for u in circuit.units]

    def state(self, uid: int, I: int) -> UnitState:
        u = self.c.units[uid]
        if u.support & ~self.fixed == 0:  # reads fixed inputs only: a constant unit
            one = self.a.lift(1)
            return UnitState(one, one, one, one)
        return super().state(uid, I & ~self.fixed)

    def output_bound(self, I: int):
        a = self.a
        free = self.c.used_mask & ~self.fixed
        nI = (I & free).bit_count()
        nJ = free.bit_count() - nI
        rd = self.c.arch.readout  # as Propagator.output_bound: rho with a read-out, else pi
        states = (self.state(o, I) for o in self.c.outputs)
        total = a.sum((st.rho if rd else st.pi) for st in states)
        return a.min(self._cap(nI), self._cap(nJ), total)


def window_bound(circuit: Circuit, I: int, window: int, arith: Arith = INT):
    """Upper bound on the rank of [A restricted]_{I ∩ W}: positions outside ``window`` fixed."""
    fixed = circuit.used_mask & ~window
    return FixedInputPropagator(circuit, arith, fixed).output_bound(I & window)
