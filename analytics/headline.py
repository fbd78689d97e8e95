"""The headline of PRL 108, 240504: kappa increases on average under a separable operation.

An entanglement monotone :math:`\\mu` satisfies :math:`\\mu(\\rho) \\ge \\sum_\\lambda p_\\lambda
\\mu(\\rho_\\lambda)` under LOCC. For :math:`\\kappa` (Eq. 4, an LOCC monotone by Theorem 1) and
the separable instrument of Eq. (7) on :math:`\\psi_{1/2}`,

.. math::

    \\sum_\\lambda p_\\lambda\\,\\kappa(\\varphi_\\lambda) = 1 > \\tfrac78 = \\kappa(\\psi_{1/2}),

so that instrument is not LOCC, and the SEP--LOCC gap is :math:`1/8 = 12.5\\%`.

:func:`kappa_after_instrument` evaluates :math:`\\sum_\\lambda p_\\lambda \\kappa(\\varphi_\\lambda)` over
*all* outcomes (success and fail) of a checked, complete, separable instrument. Post-measurement
states are recognised as W-class in standard form (exactly, from the squares of the amplitudes,
for exact diagonal instruments; with :meth:`WClassState.from_vector` otherwise), or as
:math:`|\\Psi^+\\rangle_{ij}|\\chi\\rangle_k` (local-unitarily the W-class state with
:math:`x_i = x_j = 1/2`), or as product states (:math:`\\kappa = 0`).
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from .display import ShortRepr, show_number
from .checks import (SUPPORT, check_instrument, diagonal_branch, is_product_vector,
                     psi_plus_residual)
from .errors import InstrumentError, InvalidStateError
from .instruments import Instrument
from .plane import plane_lower_bound
from .monotones import kappa
from .states import PARTIES, WClassState, as_state, psi_s


@dataclass(frozen=True)
class BranchKappa:
    """One outcome: Kraus operator name, label, probability and :math:`\\kappa` of its state."""

    name: str
    label: str
    probability: Fraction | float
    kappa: Fraction | float
    state: WClassState | None  # None when the branch has probability 0 or is a product state


def _epr_state(label: str) -> WClassState:
    # |Psi+>_ij |chi>_k is LU-equivalent to x_i = x_j = 1/2, x_k = 0
    return WClassState(*(Fraction(1, 2) if p in label else Fraction(0) for p in PARTIES))


def _exact_branches(inst: Instrument, st: WClassState) -> list[BranchKappa]:
    out = []
    for op in inst:
        br = diagonal_branch(op, st)
        p = sum((sq for _, sq in br.values()), Fraction(0))
        if p == 0:
            out.append(BranchKappa(op.name, op.label, p, Fraction(0), None))
            continue
        # signs on the four support amplitudes are removable by local diag(1, -1) and a
        # global phase, so the squares alone give the W-class vector
        post = WClassState.from_components(*(br[bits][1] / p for bits, _ in SUPPORT))
        out.append(BranchKappa(op.name, op.label, p, kappa(post), post))
    return out


def _float_branches(inst: Instrument, st: WClassState, atol: float) -> list[BranchKappa]:
    phi = st.amplitudes().astype(complex)
    out = []
    for op in inst:
        v = op.to_matrix() @ phi
        p = float(np.vdot(v, v).real)
        if p <= atol:
            # kappa <= 1, so dropping this branch changes the average by at most p <= atol
            out.append(BranchKappa(op.name, op.label, p, 0.0, None))
            continue
        u = v / np.sqrt(p)
        try:
            post = WClassState.from_vector(u, atol=atol)
        except InvalidStateError:
            post = None
        if post is None and op.label != "fail" and psi_plus_residual(u, op.label)[0] <= atol:
            post = _epr_state(op.label)
        if post is not None:
            out.append(BranchKappa(op.name, op.label, p, float(kappa(post)), post))
        elif is_product_vector(u, atol):
            out.append(BranchKappa(op.name, op.label, p, 0.0, None))
        else:
            raise InstrumentError(
                f"{op.name}: post-measurement state is neither W-class in standard form, "
                "|Psi+> (x) |chi>, nor a product; kappa cannot be evaluated")
    return out


def branch_kappas(instrument: Instrument, state, atol: float = 1e-10) -> list[BranchKappa]:
    """Every outcome with :math:`p_\\lambda = \\|K_\\lambda|\\varphi\\rangle\\|^2` and
    :math:`\\kappa(\\varphi_\\lambda)`.

    The instrument must pass the completeness and product checks of
    :func:`analytics.checks.check_instrument` (labels are irrelevant here); otherwise
    :class:`InstrumentError`. Exact (Fractions) for exact states and exact diagonal instruments.
    """
    st = as_state(state)
    chk = check_instrument(instrument, st, atol=atol)
    if not (chk.complete and chk.product and chk.completion_nonnegative):
        raise InstrumentError("not a complete separable instrument: " + "; ".join(chk.reasons))
    if chk.exact:
        return _exact_branches(instrument, st)
    return _float_branches(instrument, st, atol)


def kappa_after_instrument(instrument: Instrument, state, atol: float = 1e-10) -> Fraction | float:
    """:math:`\\sum_\\lambda p_\\lambda\\,\\kappa(\\varphi_\\lambda)` over all outcomes (Theorem 1's
    right-hand side); LOCC instruments never exceed :math:`\\kappa(\\varphi)`."""
    branches = branch_kappas(instrument, state, atol)
    zero = Fraction(0) if all(isinstance(b.probability, Fraction) for b in branches) else 0.0
    return sum((b.probability * b.kappa for b in branches), zero)


@dataclass(frozen=True, repr=False)
class KappaIncrease(ShortRepr):
    """:math:`\\kappa` before and (averaged) after the best explicit separable instrument."""

    state: WClassState
    kind: str
    kappa_before: Fraction | float
    kappa_after: Fraction | float

    @property
    def increase(self) -> Fraction | float:
        return self.kappa_after - self.kappa_before

    def _summary(self) -> list:
        return [("kappa_before", show_number(self.kappa_before)),
                ("kappa_after", show_number(self.kappa_after)),
                ("increase", show_number(self.increase)), ("kind", self.kind),
                ("state", str(self.state))]


def kappa_increase(state) -> KappaIncrease:
    """Apply the plane instrument of :func:`analytics.plane.plane_lower_bound` and compare
    :math:`\\kappa`. Raises :class:`InstrumentError` when no explicit instrument applies
    (:math:`x_0 > 0`: the SEP lower bounds there are measurement trees and LP instruments)."""
    st = as_state(state)
    try:
        bound = plane_lower_bound(st)
    except InstrumentError:
        raise InstrumentError(f"no explicit separable instrument of product form for {st} "
                              f"(x0 > 0: the SEP lower bound is a measurement tree or an LP "
                              f"instrument)") from None
    return KappaIncrease(st, bound.kind, kappa(st), kappa_after_instrument(bound.instrument, st))


def headline() -> KappaIncrease:
    """The paper's example: :math:`\\psi_{1/2}`, Eq. (7); exactly ``kappa_after = 1 > 7/8``."""
    return kappa_increase(psi_s(Fraction(1, 2)))


__all__ = ["BranchKappa", "branch_kappas", "kappa_after_instrument", "KappaIncrease",
           "kappa_increase", "headline"]
