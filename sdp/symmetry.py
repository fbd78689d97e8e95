"""Party relabelling of certificates: one SDP serves all six permutations of a state.

The PPT relaxation is invariant under relabelling the parties (tested): if ``{W_p, Z_{k,p},
t_k}`` is a dual certificate for ``x``, relabelling every index by the permutation gives one
for the permuted state, with the same bound. :func:`permute_certificate` does the relabelling
on the certificate data alone; the caller re-verifies the result exactly, so a mistake here
could only cost a fallback solve, never a wrong bound.

Permutations are written like :meth:`analytics.states.WClassState.permuted`: ``perm = "BCA"``
means new party A is old party B, new B is old C, new C is old A.
"""
from __future__ import annotations

import copy
from fractions import Fraction
from functools import lru_cache

from analytics.claims import ppt_claim

from . import structure as st


def _old_of(perm: str) -> dict:
    """new party -> old party."""
    return dict(zip(st.PARTIES, perm))


def _new_of(perm: str) -> dict:
    """old party -> new party."""
    return {old: new for new, old in zip(st.PARTIES, perm)}


def new_pair(pair: str, perm: str) -> str:
    n = _new_of(perm)
    return "".join(sorted(n[p] for p in pair))


@lru_cache(maxsize=None)
def input_map(perm: str) -> tuple:
    """``m[old_index] = new_index`` for the 8 input basis states."""
    old = _old_of(perm)
    out = [0] * 8
    for i in range(8):
        bits_old = dict(zip(st.PARTIES, ((i >> 2) & 1, (i >> 1) & 1, i & 1)))
        bits_new = tuple(bits_old[old[p]] for p in st.PARTIES)
        out[i] = st.input_index(bits_new)
    return tuple(out)


@lru_cache(maxsize=None)
def choi_map(pair: str, perm: str) -> tuple:
    """``m[old_label_index] = new_label_index`` from the Choi space of ``pair`` to that of the
    relabelled pair."""
    old = _old_of(perm)
    npair = new_pair(pair, perm)
    pos = {lab: i for i, lab in enumerate(st.choi_labels(npair))}
    out = []
    for ins, outs in st.choi_labels(pair):
        ins_old = dict(zip(st.PARTIES, ins))
        outs_old = dict(zip([p for p in st.PARTIES if p in pair], outs))
        ins_new = tuple(ins_old[old[p]] for p in st.PARTIES)
        outs_new = tuple(outs_old[old[p]] for p in st.PARTIES if p in npair)
        out.append(pos[(ins_new, outs_new)])
    return tuple(out)


def _relabel_entries(entries, m) -> list:
    out = []
    for i, j, v in entries:
        a, b = m[i], m[j]
        out.append([min(a, b), max(a, b), v])
    return sorted(out)


def permute_certificate(cert: dict, perm: str) -> dict:
    """The certificate ``cert`` (kind ``ppt_upper_bound``, W-class state) relabelled by ``perm``."""
    if sorted(perm) != list(st.PARTIES):
        raise ValueError(f"not a permutation of ABC: {perm!r}")
    c = copy.deepcopy(cert)
    old = _old_of(perm)
    s = cert["state"]
    c["state"] = {"type": "w_class", "x0": s["x0"],
                  **{f"x{p}": s[f"x{old[p]}"] for p in st.PARTIES}}
    idx = {p: i for i, p in enumerate(st.PARTIES)}
    fr = cert["frame"]
    m8 = input_map(perm)
    v_new = [None] * 8
    for i, val in enumerate(fr["v"]):
        v_new[m8[i]] = val
    c["frame"]["v"] = v_new
    for key in ("alpha_sq", "beta_sq"):
        c["frame"][key] = [fr[key][idx[old[p]]] for p in st.PARTIES]
    rel = cert["relaxation"]
    pw = {new_pair(k, perm): w for k, w in zip(rel["pairs"], rel["weights"])}
    c["relaxation"]["pairs"] = [k for k in st.PAIRS if k in pw]
    c["relaxation"]["weights"] = [pw[k] for k in c["relaxation"]["pairs"]]
    n = _new_of(perm)
    dual = cert["dual"]
    c["dual"]["W"] = {("id" if part == "id" else n[part]): _relabel_entries(e, m8)
                      for part, e in dual["W"].items()}
    c["dual"]["Z"] = {new_pair(k, perm): {n[p]: _relabel_entries(e, choi_map(k, perm))
                                          for p, e in per.items()}
                      for k, per in dual["Z"].items()}
    c["dual"]["t"] = {new_pair(k, perm): t for k, t in dual["t"].items()}
    c.setdefault("provenance", {})["relabelled_from"] = {"state": s, "permutation": perm}
    # the claim names the pairs and weights, which were renamed (analytics.claims decides the text)
    rel = c["relaxation"]
    c["claim"] = ppt_claim(rel["pairs"], [Fraction(w) for w in rel["weights"]],
                           Fraction(c["bound"]["exact"]), rel["objective"]).exact()
    return c


def sorting_permutation(x: tuple) -> str:
    """``perm`` with ``state.permuted(perm)`` sorted as xA >= xB >= xC (ties keep A, B, C)."""
    order = sorted(range(3), key=lambda i: -x[i])
    return "".join(st.PARTIES[i] for i in order)


def inverse(perm: str) -> str:
    """The permutation undoing ``perm``."""
    n = _new_of(perm)
    return "".join(n[p] for p in st.PARTIES)
