"""Float value iteration for LOCC measurement trees on W-class states (a search, not a proof).

Everything here works on *unnormalised* weights ``w = (z, wA, wB, wC)`` (``z`` the weight of
:math:`|000\\rangle`); every value is homogeneous of degree 1, :math:`V(t\\,w) = t\\,V(w)`.

**One node** (formulation.md, section 7). Party k measures two outcomes
:math:`M_i = [[s_i, \\beta_i r], [0, \\sqrt{c_i}]]`, :math:`r = \\sqrt{z/w_k}`, with
:math:`s_1^2 = a_1`, :math:`s_2^2 = a_2 = 1 - a_1`, :math:`\\beta_1 = -u s_1`,
:math:`\\beta_2 = u s_1^2/s_2` (so :math:`\\sum s_i\\beta_i = 0`), :math:`0 \\le u \\le 1`, and
:math:`c_1 + c_2 = 1 - u^2 a_1 z/(a_2 w_k) =: \\rho \\ge 0`, :math:`c_1 = v\\rho`. The branches are

.. math::

    w^{(1)} = (z a_1(1-u)^2,\\ c_1 w_k,\\ a_1 w_j), \\qquad
    w^{(2)} = (z (a_2 + u a_1)^2/a_2,\\ c_2 w_k,\\ a_2 w_j),

and their weights sum to the parent's. :math:`u = 1` puts outcome 1 on the plane (the chain of
:mod:`analytics.offplane`); :math:`v \\in \\{0, 1\\}` disentangles party k in one outcome (a
two-party slice with vacuum). Every other choice leaves both outcomes inside the tetrahedron,
where they may be measured again: a *full* tree.

**Leaves.** On the plane (:math:`z = 0`) the LOCC supremum is :math:`\\kappa` (Theorem 2); on a
two-party slice (one :math:`w_k = 0`) with vacuum the exact LOCC value is Vidal's
:math:`2\\lambda_{\\min} = S - \\sqrt{S^2 - 4w_iw_j}` (S the total weight); elsewhere a leaf does
nothing (value 0).

**Value iteration.** :math:`V_0` = the leaf value; :math:`V_{d}(x) = \\max(V_{d-1}(x),
\\max_{\\rm node} \\sum_i V_{d-1}(w^{(i)}))`, on the lattice of normalised states with step 1/N; the
ratio :math:`V_d/U` to the proved bound :math:`U = \\min(\\kappa, C)` of
:mod:`analytics.monotone_candidates` is interpolated linearly on the Kuhn triangulation of the
cumulative coordinates :math:`(x_A, x_A + x_B, x_A + x_B + x_C)` (every lattice simplex lies
inside the tetrahedron) and multiplied by U.
The node maximum is a random search over (k, a_1, u, v) with the boundary values u = 1 and
v = 0, 1 sampled on purpose. :math:`V_d` only guides :mod:`analytics.locc_tree`, which builds an
exact tree and proves its value in rational arithmetic; interpolation can over- or under-shoot.
"""
from __future__ import annotations

import functools
import itertools

import numpy as np

from .monotone_candidates import kappa_weights, min_kappa_cut, vidal_weights

#: Lattice steps per unit of the default value table.
DEFAULT_GRID = 24
#: Random node samples per lattice point and party in one value-iteration step.
DEFAULT_SAMPLES = 192


# ---- leaf values (unnormalised, vectorised over the last axis (z, wA, wB, wC)) --------------------

def leaf_weights(w: np.ndarray) -> tuple:
    """``(is_leaf, value)``: plane -> kappa, two-party slice -> Vidal, else (False, 0)."""
    plane = w[..., 0] == 0
    slice_ = (w[..., 1:] == 0).any(-1) & ~plane
    val = np.where(plane, kappa_weights(w), np.where(slice_, vidal_weights(w), 0.0))
    return plane | slice_, val


# ---- one node, vectorised ------------------------------------------------------------------------

def node_branches(w: np.ndarray, k: int, a1: np.ndarray, uu: np.ndarray, v: np.ndarray) -> tuple:
    """Branch weights of party k's node (k = 0, 1, 2 for A, B, C) on weights ``w`` (..., 4).

    ``uu`` in [0, 1] is scaled to the largest admissible u (:math:`\\rho \\ge 0`, u <= 1).
    Returns ``(w1, w2, u)``; rows where the node is undefined (w_k = 0) give zero branches.
    """
    z, wk = w[..., 0], w[..., 1 + k]
    a2 = 1.0 - a1
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(wk > 0, z / np.where(wk > 0, wk, 1.0), 0.0)
        umax = np.where(a1 * ratio > 0, np.sqrt(a2 / np.where(a1 * ratio > 0, a1 * ratio, 1.0)), 1.0)
        u = np.where(uu >= 1.0, np.minimum(1.0, umax), uu * np.minimum(1.0, umax))
        rho = np.maximum(1.0 - u * u * a1 * ratio / np.where(a2 > 0, a2, 1.0), 0.0)
        c1 = v * rho
        c2 = np.where(v >= 1.0, 0.0, rho - c1)
        w1 = w * a1[..., None]
        w1[..., 0] = z * a1 * (1.0 - u) ** 2
        w1[..., 1 + k] = c1 * wk
        w2 = w * a2[..., None]
        w2[..., 0] = np.where(a2 > 0, z * (a2 + u * a1) ** 2 / np.where(a2 > 0, a2, 1.0), 0.0)
        w2[..., 1 + k] = c2 * wk
    bad = ~(wk > 0)
    w1[bad] = 0.0
    w2[bad] = 0.0
    return w1, w2, u


def sample_parameters(n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` rows (a1, uu, v): uniform, with a third of uu at 1 (outcome 1 on the plane) and a
    third of v at 0 or 1 (party k disentangled in one outcome), a1 partly log-uniform (weak)."""
    p = rng.random((n, 3))
    p[: n // 4, 0] = 10.0 ** rng.uniform(-4, 0, n // 4)
    p[rng.random(n) < 1 / 3, 1] = 1.0
    r = rng.random(n)
    p[r < 1 / 6, 2] = 0.0
    p[(r >= 1 / 6) & (r < 1 / 3), 2] = 1.0
    p[:, 0] = np.clip(p[:, 0], 1e-9, 1 - 1e-9)
    return p


# ---- the value table -----------------------------------------------------------------------------

class ValueTable:
    """Values :math:`V_0..V_{depth}` on the lattice of step 1/``grid`` (module docstring).

    ``values[d]`` holds the ratio :math:`V_d/U` with the proved upper bound
    :math:`U = \\min(\\kappa, C)` (:func:`analytics.monotone_candidates.min_kappa_cut`; 1 on the
    plane and the two-party slices), shape ``(grid+1,)*3`` indexed by the cumulative lattice
    coordinates; entries outside the tetrahedron are 0 and never get a positive interpolation
    weight. Interpolating the ratio and multiplying by U follows U's steep parts (near the plane
    and near :math:`x_k = 1/2`) that linear interpolation of V itself overshoots.
    """

    def __init__(self, grid: int, depth: int, samples: int = DEFAULT_SAMPLES, seed: int = 0):
        self.grid, self.depth = int(grid), int(depth)
        n = self.grid
        pts = [(i0, a, b, n - i0 - a - b) for i0 in range(n + 1) for a in range(n + 1 - i0)
               for b in range(n + 1 - i0 - a)]
        idx = np.array(pts)
        srt = idx[(idx[:, 1] >= idx[:, 2]) & (idx[:, 2] >= idx[:, 3])]
        self._sorted = srt
        w = srt / n
        is_leaf, leaf = leaf_weights(w)
        upper = min_kappa_cut(w)
        pos = upper > 0
        v = np.zeros((n + 1,) * 3)
        self._put(v, srt, np.where(pos, leaf / np.where(pos, upper, 1.0), 0.0))
        self.values = [v]
        rng = np.random.default_rng(seed)
        inner = ~is_leaf
        for d in range(1, self.depth + 1):
            prev = self.values[-1]
            best = self.lookup_lattice(prev, srt) * upper
            params = sample_parameters(samples, rng)
            for k in range(3):
                g = self.node_gain(w[inner], k, params, d - 1)
                best[inner] = np.maximum(best[inner], g.max(1))
            nxt = prev.copy()
            self._put(nxt, srt, np.where(pos, np.minimum(best / np.where(pos, upper, 1.0), 1.0), 0.0))
            self.values.append(nxt)

    @staticmethod
    def _cum(idx: np.ndarray) -> tuple:
        return idx[..., 1], idx[..., 1] + idx[..., 2], idx[..., 1] + idx[..., 2] + idx[..., 3]

    def _put(self, v: np.ndarray, srt: np.ndarray, vals: np.ndarray) -> None:
        for perm in itertools.permutations(range(3)):
            p = srt.copy()
            p[:, 1:] = srt[:, 1:][:, perm]
            v[self._cum(p)] = vals

    def lookup_lattice(self, v: np.ndarray, idx: np.ndarray) -> np.ndarray:
        return v[self._cum(idx)].copy()

    def interpolate(self, w: np.ndarray, level: int | None = None) -> np.ndarray:
        """Interpolated :math:`V_{level}` at unnormalised weights ``w`` (..., 4) (degree 1): the
        interpolated ratio times :math:`U(w)`."""
        v = self.values[self.depth if level is None else level]
        n = self.grid
        shape = w.shape[:-1]
        w = w.reshape(-1, 4)
        s = w.sum(-1)
        safe = np.where(s > 0, s, 1.0)
        x = w / safe[:, None]
        t = np.stack([x[:, 1], x[:, 1] + x[:, 2], x[:, 1] + x[:, 2] + x[:, 3]], -1) * n
        t = np.clip(t, 0.0, n)
        base = np.minimum(np.floor(t), n - 1).astype(int)
        f = t - base
        order = np.argsort(-f, axis=1, kind="stable")
        fs = np.take_along_axis(f, order, 1)
        cur = base.copy()
        rows = np.arange(len(w))
        out = (1 - fs[:, 0]) * v[cur[:, 0], cur[:, 1], cur[:, 2]]
        wts = (fs[:, 0] - fs[:, 1], fs[:, 1] - fs[:, 2], fs[:, 2])
        for step in range(3):
            cur[rows, order[:, step]] += 1
            out = out + wts[step] * v[cur[:, 0], cur[:, 1], cur[:, 2]]
        return (out * min_kappa_cut(w)).reshape(shape)

    def value(self, w: np.ndarray, level: int) -> np.ndarray:
        """:math:`V_{level}` at weights ``w``: exact leaf values on the plane and two-party
        slices, interpolation inside."""
        is_leaf, leaf = leaf_weights(w)
        if level == 0:  # V_0 is 0 inside: never interpolate it
            return np.where(is_leaf, leaf, 0.0)
        inner = self.interpolate(w, level)
        return np.where(is_leaf, leaf, inner)

    def node_gain(self, w: np.ndarray, k: int, params: np.ndarray, level: int) -> np.ndarray:
        """:math:`\\sum_i V_{level}(w^{(i)})` for every point (rows of ``w``) and every parameter
        row; shape (points, params)."""
        m, q = w.shape[0], params.shape[0]
        ww = np.broadcast_to(w[:, None, :], (m, q, 4)).copy()
        a1 = np.broadcast_to(params[None, :, 0], (m, q))
        uu = np.broadcast_to(params[None, :, 1], (m, q))
        vv = np.broadcast_to(params[None, :, 2], (m, q))
        w1, w2, _ = node_branches(ww, k, a1, uu, vv)
        g = self.value(w1, level) + self.value(w2, level)
        return np.where(ww[..., 1 + k] > 0, g, -1.0)


@functools.lru_cache(maxsize=4)
def value_table(grid: int = DEFAULT_GRID, depth: int = 4, samples: int = DEFAULT_SAMPLES,
                seed: int = 0) -> ValueTable:
    """The cached :class:`ValueTable` (state-independent: built once per process)."""
    return ValueTable(grid, depth, samples, seed)


# ---- the best node at one state ------------------------------------------------------------------

def best_node(table: ValueTable, w: np.ndarray, level: int, samples: int = 600, rounds: int = 6,
              local: int = 200, seed: int = 0, party: int | None = None) -> tuple:
    """Best node at the (float) weights ``w`` (shape (4,)) against :math:`V_{level}`:
    ``(gain, k, (a1, uu, v))``. All parties at once: ``samples`` random rows per party, then
    ``rounds`` rounds of ``local`` random rows in a box around the best row of each party,
    the box shrinking by 4 each round (one vectorised evaluation per round). Only ``party`` if
    given. The snapped boundary values (uu = 1, v in {0, 1}) of the first stage are kept when
    they win (the local rows are clipped to the box [0, 1])."""
    rng = np.random.default_rng(seed)
    ks = [k for k in range(3) if w[1 + k] > 0 and (party is None or k == party)]
    if not ks:
        return (-1.0, None, None)
    best_p, best_f = {}, {}
    for k in ks:
        params = sample_parameters(samples, rng)
        g = table.node_gain(w[None, :], k, params, level)[0]
        i = int(g.argmax())
        best_p[k], best_f[k] = params[i].copy(), float(g[i])
    h = 0.1
    for _ in range(rounds):
        for k in ks:
            cand = best_p[k][None, :] + h * rng.uniform(-1, 1, (local, 3))
            keep = rng.random((local, 2)) < 0.25  # keep the best row's (possibly snapped) uu, v
            cand[keep[:, 0], 1] = best_p[k][1]
            cand[keep[:, 1], 2] = best_p[k][2]
            cand = np.clip(cand, 0.0, 1.0)
            cand[:, 0] = np.clip(cand[:, 0], 1e-9, 1 - 1e-9)
            g = table.node_gain(w[None, :], k, cand, level)[0]
            i = int(g.argmax())
            if g[i] > best_f[k]:
                best_p[k], best_f[k] = cand[i].copy(), float(g[i])
        h /= 4
    k = max(ks, key=lambda q: best_f[q])
    return best_f[k], k, tuple(float(t) for t in best_p[k])


__all__ = ["DEFAULT_GRID", "DEFAULT_SAMPLES", "leaf_weights",
           "node_branches", "sample_parameters", "ValueTable", "value_table", "best_node"]
