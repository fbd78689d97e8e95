"""The brackets of one state: where SEP and LOCC lie, and the SEP - LOCC gap (one place).

Given kappa, the explicit SEP lower bound, the certified PPT bound and the LOCC lower bounds
(all exact where they are exact), the columns are

* ``locc_upper = min(kappa, cut, sep_upper)`` (LOCC <= kappa by Theorem 1; LOCC <= the cut
  monotone :math:`\\sum_k\\lambda_{\\min}(\\rho_k)`, :mod:`analytics.monotone_candidates` and
  docs/locc-monotones.md, rounded up exactly; LOCC <= SEP <= PPT), ``locc_upper_kind`` says which
  (``"kappa"``, ``"monotone:cut"``, ``"ppt"``);
* ``gap_lower = sep_lower - locc_upper``: a certified lower bound on ``SEP_opt - LOCC_sup``
  (positive: a certified SEP-LOCC gap);
* ``gap_upper = sep_upper - locc_sup_lower``: an upper bound on ``SEP_opt - LOCC_sup``;
* ``sep_width = sep_upper - sep_lower``, ``locc_width = locc_upper - locc_lower``.

Lower bounds are rounded down, upper bounds up (floats); ``*_exact`` strings where exact.
The LOCC side (:func:`locc_bounds`): on the plane the Theorem 2 protocol (``locc_lower``) and
kappa itself, the LOCC supremum (``locc_sup_lower``); off the plane the best exact measurement tree of
:func:`analytics.locc_tree.locc_tree_bound` (full trees by value iteration, or the chain of
:mod:`analytics.offplane` when better) with the Theorem 2 protocol (finite) or kappa (supremum)
at its plane leaves and Vidal's protocol at its two-party leaves.
"""
from __future__ import annotations

from fractions import Fraction
from functools import lru_cache

from analytics.certificates import float_lower, float_upper, frac_str
from analytics.monotones import kappa as kappa_of


def _exact(q) -> str | None:
    return None if q is None else frac_str(q)


@lru_cache(maxsize=64)
def _locc_tree(st, rounds: int):
    """One tree search gives both LOCC columns of a state (a row asks for each once): the best
    exact full tree (:func:`analytics.locc_tree.locc_tree_bound`, the chain among the candidates)."""
    from analytics.locc_tree import locc_tree_bound
    return locc_tree_bound(st, rounds=rounds)


def locc_sup_lower(st, rounds: int | None = None) -> tuple:
    """``(value, kind)``: a lower bound on the LOCC supremum: kappa itself for x0 = 0 (Theorem 2,
    exact), otherwise the best exact LOCC tree (kappa at its plane leaves, Vidal's protocol at its
    two-party leaves; its exact value rounded down to a float, kept as a Fraction; it does not
    depend on the rounds, which only pick the cached search to share with :func:`locc_lower`).
    The kind names the tree: ``"tree+kappa (full, depth 4, 12 nodes)"`` or ``(chain, ...)``."""
    if st.x0 == 0:
        return Fraction(kappa_of(st)), "kappa"
    from analytics.locc import DEFAULT_ROUNDS
    res = _locc_tree(st, DEFAULT_ROUNDS if rounds is None else rounds)
    return res.locc_sup_lower, res.locc_sup_kind


def locc_lower(st, rounds: int) -> tuple:
    """``(value, protocol, rounds or None)``: an explicit finite LOCC protocol's success
    probability (float, from the branch-tree simulator)."""
    if st.x0 == 0:
        from analytics.locc import theorem2_locc_lower
        lr = theorem2_locc_lower(st, rounds)
        return float(lr.locc_lower), lr.protocol, int(rounds)
    res = _locc_tree(st, int(rounds))
    return float(res.locc_lower), res.locc_lower_protocol, int(rounds)


def cut_bound(st) -> Fraction:
    """The exact upper bound on LOCC from the cut monotone (:func:`analytics.monotone_candidates.cut_upper`)."""
    from analytics.monotone_candidates import cut_upper
    return cut_upper(st)


def bracket_columns(k: Fraction, sep_lower, sep_upper, locc_sup, locc_low, cut=None) -> dict:
    """The bracket columns (module docstring) from exact kappa ``k``, exact ``sep_lower`` and
    certified ``sep_upper`` (Fractions or None), exact ``locc_sup``, float ``locc_low`` and the
    exact cut-monotone bound ``cut`` (:func:`cut_bound`, or None)."""
    row: dict = {}
    options = [(k, "kappa")] + ([] if cut is None else [(Fraction(cut), "monotone:cut")]) \
        + ([] if sep_upper is None else [(sep_upper, "ppt")])
    lu, lu_kind = min(options, key=lambda t: t[0])  # ties: the first listed (kappa)
    row["locc_upper"] = float_upper(lu)
    row["locc_upper_exact"] = _exact(lu)
    row["locc_upper_kind"] = lu_kind
    gl = None if sep_lower is None else sep_lower - lu
    row["gap_lower"] = None if gl is None else float_lower(gl)
    row["gap_lower_exact"] = _exact(gl)
    gu = None if sep_upper is None or locc_sup is None else sep_upper - locc_sup
    row["gap_upper"] = None if gu is None else float_upper(gu)
    row["gap_upper_exact"] = _exact(gu)
    sw = None if sep_upper is None or sep_lower is None else sep_upper - sep_lower
    row["sep_width"] = None if sw is None else float_upper(sw)
    row["locc_width"] = None if locc_low is None else float_upper(lu - Fraction(locc_low))
    return row


__all__ = ["locc_sup_lower", "locc_lower", "bracket_columns", "cut_bound"]
