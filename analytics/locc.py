"""Explicit LOCC protocols for random-pair EPR distillation from W-class states.

Every probability here is computed by the measurement simulator (:mod:`analytics.measurements`):
each protocol is a *policy* (which local measurement next, given the state and the outcomes so
far) and :func:`analytics.measurements.simulate` follows every branch to its final state. A
branch succeeds on pair ij when its final state is :math:`|\\Psi^+\\rangle_{ij}` (x0 = 0, two equal
components, third 0). The value of a protocol is a lower bound on the LOCC optimum; by Theorem 1
of Chitambar, Cui, Lo (PRL 108, 240504 (2012)) it never exceeds :math:`\\kappa(\\vec x)`.

Protocols
---------

**Vidal's two-qubit conversion** (G. Vidal, PRL 83, 1046 (1999)). A pure two-qubit state with
Schmidt coefficients :math:`\\lambda_1 \\ge \\lambda_2` becomes :math:`|\\Psi^+\\rangle` with optimal
probability :math:`\\min_l \\sum_{i\\ge l}\\lambda_i / \\sum_{i\\ge l}\\mu_i = \\min(1, 2\\lambda_2) = 2\\lambda_2`
(target :math:`\\mu = (1/2, 1/2)`). For :math:`\\sqrt{y}|10\\rangle + \\sqrt{z}|01\\rangle` (x0 = 0)
the Schmidt coefficients are y, z, and the party with the larger weight y measures
:math:`\\{\\mathrm{diag}(1, \\sqrt{z/y}),\\ \\mathrm{diag}(0, \\sqrt{1 - z/y})\\}`: outcome 1 leaves
equal weights (EPR) with probability 2z, outcome 2 a product state (:func:`vidal_measurement`).
With x0 > 0 the two-qubit state :math:`\\sqrt{x_0}|00\\rangle + \\sqrt{y}|10\\rangle + \\sqrt{z}|01\\rangle`
has :math:`\\lambda_1\\lambda_2 = yz`, :math:`\\lambda_1 + \\lambda_2 = 1`, so
:math:`2\\lambda_2 = 1 - \\sqrt{1 - 4yz}` (:func:`vidal_probability`; Schmidt-basis measurement, not in
the upper-triangular W-class form, checked against 8-dimensional state vectors in the tests).

**Fortescue-Lo-type protocol on** :math:`|W\\rangle` (:func:`fortescue_lo`). Source: B. Fortescue
and H.-K. Lo, PRL 98, 260501 (2007) and PRA 78, 012348 (2008), cited as [28], [29] in the paper.
The exact steps of their protocol could not be retrieved from the sources available to us (only
abstracts), so this is a protocol *in the same spirit*, derived here and evaluated with the
simulator: one round is a sweep in which A, B, C in turn make the weak measurement

.. math::

    M_{\\rm null} = \\mathrm{diag}(\\sqrt{1-\\epsilon},\\ 1), \\qquad
    M_{\\rm strong} = \\mathrm{diag}(\\sqrt{\\epsilon},\\ 0) \\qquad (a, c) = (1-\\epsilon, 1),\\ (\\epsilon, 0).

A strong outcome disentangles the measuring party (its qubit is :math:`|0\\rangle`) and leaves the
other two with their current weights: for A (first) and C (third) these are equal, an EPR pair;
for B they are :math:`1 : 1-\\epsilon` (A vs C), and Vidal's conversion gives EPR with probability
:math:`2(1-\\epsilon)/(2-\\epsilon)`. Three null outcomes multiply every weight by
:math:`1-\\epsilon` twice, i.e. return exactly to :math:`|W\\rangle` (checked exactly, in rationals,
by the simulator). After N rounds the remaining :math:`|W\\rangle` branch is finished by A measuring
in the computational basis (outcome :math:`|0\\rangle`: EPR on BC, probability 2/3). Per round
the simulator gives, for rational :math:`\\epsilon`, exact values of the return probability
:math:`q = (1-\\epsilon)^2`, the success :math:`s` and the failure :math:`f = \\epsilon^2/3`; since every
round starts from the same state, N rounds give
:math:`P_N = s\\,(1 - q^N)/(1-q) + q^N P_{\\rm finish}` (checked against the fully unrolled branch
tree, :func:`fortescue_lo_tree`). :math:`P_{N+1} - P_N = q^N(s - (1-q)P_{\\rm finish}) > 0` and
:math:`P_\\infty = s/(1-q) = 1 - \\epsilon/(3(2-\\epsilon))`. For a budget of N rounds
:math:`\\epsilon = 1/m` is chosen from a fixed grid (:data:`EPSILON_GRID`) to maximise
:math:`P_N`, so the result is non-decreasing in N and tends to 1.

**Theorem 2 protocol** (:func:`theorem2_protocol`; proof of Theorem 2 of the paper), for
:math:`x_0 = 0`, :math:`x_{n_1} \\ge x_{n_2} \\ge x_{n_3}`:

1. :math:`n_2` measures :math:`(a, c) = (x_{n_2}/x_{n_1}, 1), (1 - x_{n_2}/x_{n_1}, 0)`. Outcome 2
   disentangles :math:`n_2`; :math:`n_1, n_3` make Vidal's conversion (probability
   :math:`(1 - x_{n_2}/x_{n_1})\\,2x_{n_3}` overall).
2. On outcome 1, :math:`n_3` measures :math:`(a, c) = (x_{n_3}/x_{n_1}, 1), (1 - x_{n_3}/x_{n_1}, 0)`:
   outcome 2 is :math:`|\\Psi^+\\rangle_{n_1n_2}` (probability :math:`(1-x_{n_3}/x_{n_1})\\,2x_{n_2}`),
   outcome 1 is :math:`|W\\rangle` (probability :math:`3x_{n_2}x_{n_3}/x_{n_1}`).
3. Fortescue-Lo-type protocol on the :math:`|W\\rangle` branch.

Total :math:`\\kappa(\\vec x) - 3\\frac{x_{n_2}x_{n_3}}{x_{n_1}}(1 - P_N)`, approaching
:math:`\\kappa` from below. With :math:`x_{n_3} = 0` step 1 is Vidal's protocol and gives
:math:`2x_{n_2} = \\kappa` exactly.

**Projective + Vidal, for** :math:`x_0 > 0` (:func:`projective_vidal_protocol`): an honest lower
bound, not known to be optimal. One party k measures its qubit projectively in the basis
:math:`\\{\\cos\\theta|0\\rangle + \\sin\\theta|1\\rangle,\\ -\\sin\\theta|0\\rangle + \\cos\\theta|1\\rangle\\}`;
each branch is a pure two-qubit state of the other two parties, converted with Vidal's optimal
probability. k and θ are chosen numerically (grid plus refinement); any choice is a valid
protocol, so the value is a lower bound whatever the optimiser does. When some
:math:`x_k = 0` (a two-qubit state) it is Vidal's optimum, the exact LOCC value.
"""
from __future__ import annotations

import functools
import math
import numbers
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from .display import ShortRepr, show_number
from .errors import SepgapError
from .measurements import (
    BranchTree, KrausOutcome, LocalMeasurement, is_w_state, measure, simulate,
)
from .monotones import kappa
from .states import PAIRS, PARTIES, WClassState, as_state

#: Default Fortescue-Lo budget (rounds = sweeps A, B, C) used by the CLI and the sweep helper.
DEFAULT_ROUNDS = 1000

#: Largest accepted budget (beyond it the float composition q**N underflows to 0 anyway).
MAX_ROUNDS = 10 ** 12

#: Candidate weak-measurement strengths ε = 1/m, m on a geometric grid from 2 to about 1e9.
EPSILON_GRID = tuple(Fraction(1, m) for m in sorted({max(2, round(1.1 ** k)) for k in range(218)}))

#: The state |W> = (|100> + |010> + |001>)/sqrt(3), exact.
W_STATE = WClassState(Fraction(1, 3), Fraction(1, 3), Fraction(1, 3))


class ProtocolError(SepgapError, ValueError):
    """A protocol does not apply to the state, or a protocol parameter is invalid."""


# ---- parameters ---------------------------------------------------------------------------------

def _check_rounds(rounds) -> int:
    if isinstance(rounds, bool) or not isinstance(rounds, numbers.Integral):
        raise ProtocolError(f"rounds = {rounds!r} is not an integer")
    if rounds < 0:
        raise ProtocolError(f"rounds = {rounds} is negative")
    if rounds > MAX_ROUNDS:
        raise ProtocolError(f"rounds = {rounds} exceeds the supported maximum {MAX_ROUNDS}")
    return int(rounds)


def _check_epsilon(epsilon) -> Fraction | float:
    if isinstance(epsilon, bool) or not isinstance(epsilon, numbers.Real):
        raise ProtocolError(f"epsilon = {epsilon!r} is not a real number")
    eps = Fraction(epsilon) if isinstance(epsilon, numbers.Rational) else float(epsilon)
    if isinstance(eps, float) and not math.isfinite(eps):
        raise ProtocolError(f"epsilon = {eps} is not finite")
    if not 0 < eps < 1:
        raise ProtocolError(f"epsilon = {eps} must satisfy 0 < epsilon < 1")
    return eps


def _pair(i: str, j: str) -> str:
    return "".join(sorted(i + j))


def _weights(st: WClassState) -> dict:
    return dict(zip(PARTIES, st.x))


# ---- Vidal ---------------------------------------------------------------------------------------

def _two_party(st: WClassState) -> tuple | None:
    """``(i, j)`` with :math:`x_i \\ge x_j > 0` if exactly two components are non-zero, else None."""
    w = _weights(st)
    nz = [p for p in PARTIES if w[p] != 0]
    if len(nz) != 2:
        return None
    i, j = nz
    return (i, j) if w[i] >= w[j] else (j, i)


def vidal_measurement(state) -> LocalMeasurement:
    """Vidal's optimal conversion of a two-party state with :math:`x_0 = 0` to :math:`|\\Psi^+\\rangle`.

    The party i with the larger weight measures :math:`(a, c) = (1, x_j/x_i)` (outcome
    ``'vidal-epr'``: equal weights) and :math:`(0, 1 - x_j/x_i)` (``'vidal-fail'``: product).
    Raises :class:`ProtocolError` unless x0 = 0 and exactly two components are non-zero.
    """
    st = as_state(state)
    pair = _two_party(st)
    if st.x0 != 0 or pair is None:
        raise ProtocolError(f"Vidal's conversion here needs x0 = 0 and exactly two non-zero "
                            f"components, got {st}")
    i, j = pair
    w = _weights(st)
    r = w[j] / w[i]
    return LocalMeasurement(i, (KrausOutcome(1, r, 0, "vidal-epr"),
                                KrausOutcome(0, 1 - r, 0, "vidal-fail")))


def vidal_probability(state) -> Fraction | float:
    """Vidal's optimal EPR probability :math:`2\\lambda_2` for a state with one of
    :math:`x_A, x_B, x_C` equal to 0 (a pure two-qubit state of the other two parties).

    :math:`\\sqrt{x_0}|00\\rangle + \\sqrt y|10\\rangle + \\sqrt z|01\\rangle` has
    :math:`\\lambda_1\\lambda_2 = yz` and :math:`\\lambda_1+\\lambda_2 = 1`, so
    :math:`2\\lambda_2 = 1 - \\sqrt{1-4yz}`; for :math:`x_0 = 0` that is :math:`2\\min(y, z)` (exact).
    Raises :class:`ProtocolError` when all three components are non-zero.
    """
    st = as_state(state)
    w = _weights(st)
    zeros = [p for p in PARTIES if w[p] == 0]
    if not zeros:
        raise ProtocolError(f"not a two-qubit state (all of xA, xB, xC non-zero): {st}")
    k = zeros[0]
    y, z = (w[p] for p in PARTIES if p != k)
    if st.x0 == 0:
        return 2 * min(y, z)
    yz = float(y) * float(z)
    disc = 1 - 4 * yz
    if disc < 0:  # impossible for a normalised state (y + z <= 1)
        raise ProtocolError(f"1 - 4 xy = {disc} < 0 for {st}: not a normalised state")
    # 1 - sqrt(1 - 4yz) written as 4yz / (1 + sqrt(1 - 4yz)): no cancellation for small yz
    return 4 * yz / (1 + math.sqrt(disc))


# ---- Fortescue-Lo-type protocol on |W> ---------------------------------------------------------

def fl_weak_measurement(party: str, epsilon) -> LocalMeasurement:
    """The weak measurement :math:`\\{\\mathrm{diag}(\\sqrt{1-\\epsilon}, 1),\\ \\mathrm{diag}(\\sqrt\\epsilon, 0)\\}`."""
    eps = _check_epsilon(epsilon)
    return LocalMeasurement(party, (KrausOutcome(1 - eps, 1, 0, "null"),
                                    KrausOutcome(eps, 0, 0, "strong")))


def fl_finish_measurement(party: str = "A") -> LocalMeasurement:
    """Computational-basis measurement ending the protocol: outcome ``'zero'`` disentangles ``party``."""
    return LocalMeasurement(party, (KrausOutcome(1, 0, 0, "zero"), KrausOutcome(0, 1, 0, "one")))


def _fl_policy(epsilon, rounds: int):
    """Policy of the unrolled protocol: ``rounds`` sweeps A, B, C, then the finishing measurement."""
    def policy(st: WClassState, hist: tuple):
        if hist and hist[-1].label in ("vidal-epr", "vidal-fail", "zero", "one"):
            return None
        if hist and hist[-1].label == "strong":
            return vidal_measurement(st) if _two_party(st) is not None and st.x0 == 0 else None
        done = len(hist)  # all previous steps were null outcomes
        if done < 3 * rounds:
            return fl_weak_measurement(PARTIES[done % 3], epsilon)
        return fl_finish_measurement("A")
    return policy


def fortescue_lo_tree(rounds: int, epsilon) -> BranchTree:
    """The fully unrolled branch tree of ``rounds`` rounds on :math:`|W\\rangle` (exact for rational ε)."""
    rounds = _check_rounds(rounds)
    eps = _check_epsilon(epsilon)
    start = W_STATE if isinstance(eps, Fraction) else WClassState(1 / 3, 1 / 3, 1 / 3)
    return simulate(start, _fl_policy(eps, rounds))


@dataclass(frozen=True)
class FLRound:
    """One round (sweep A, B, C) of the Fortescue-Lo-type protocol on :math:`|W\\rangle`, simulated.

    ``return_probability`` (q): all three outcomes null, the state is :math:`|W\\rangle` again.
    ``pairs``: EPR probabilities by pair within the round; ``fail``: failure within the round.
    """

    epsilon: Fraction | float
    tree: BranchTree
    return_probability: Fraction | float
    pairs: dict
    fail: Fraction | float


@functools.lru_cache(maxsize=None)
def fortescue_lo_round(epsilon) -> FLRound:
    """Simulate one round from :math:`|W\\rangle`; checks that the return branch is exactly |W>."""
    eps = _check_epsilon(epsilon)
    exact = isinstance(eps, Fraction)
    start = W_STATE if exact else WClassState.from_components(0.0, 1 / 3, 1 / 3, 1 / 3,
                                                              renormalise=True)

    def policy(st, hist):
        if hist and hist[-1].label in ("vidal-epr", "vidal-fail"):
            return None
        if hist and hist[-1].label == "strong":
            return vidal_measurement(st) if _two_party(st) is not None and st.x0 == 0 else None
        if len(hist) < 3:
            return fl_weak_measurement(PARTIES[len(hist)], eps)
        return None

    tree = simulate(start, policy)
    back = tree.leaves_where(lambda lf: len(lf.history) == 3
                             and all(h.label == "null" for h in lf.history))
    if len(back) != 1 or not is_w_state(back[0].state):
        raise ProtocolError(f"epsilon = {eps}: the all-null branch did not return to |W>")
    total = tree.total_probability()
    if (total != 1) if exact else abs(total - 1) > 1e-12:
        raise ProtocolError(f"epsilon = {eps}: branch probabilities sum to {total}, not 1")
    q = back[0].probability
    pairs = tree.pair_probabilities()
    fail = total - q - sum(pairs.values())
    return FLRound(eps, tree, q, pairs, fail)


@functools.lru_cache(maxsize=None)
def _finish_tree() -> BranchTree:
    return simulate(W_STATE, lambda st, hist: None if hist else fl_finish_measurement("A"))


@dataclass(frozen=True, repr=False)
class FLResult(ShortRepr):
    """Fortescue-Lo-type protocol on :math:`|W\\rangle` with a budget of ``rounds`` rounds.

    ``success`` = :math:`p_{AB} + p_{AC} + p_{BC}`; ``remaining`` = :math:`q^N`, the probability of
    still holding :math:`|W\\rangle` when the finishing measurement is made; ``measurements`` = local
    measurements on the longest branch (3N + 1).
    """

    rounds: int
    epsilon: Fraction | float
    success: Fraction | float
    p_AB: Fraction | float
    p_AC: Fraction | float
    p_BC: Fraction | float
    fail: Fraction | float
    remaining: Fraction | float
    measurements: int

    @property
    def pairs(self) -> dict:
        return {"AB": self.p_AB, "AC": self.p_AC, "BC": self.p_BC}

    def _summary(self) -> list:
        return [("success", show_number(self.success, ">=")), ("rounds", str(self.rounds)),
                ("epsilon", show_number(self.epsilon)), ("remaining", show_number(self.remaining))]


def _compose(rnd: FLRound, rounds: int, exact: bool) -> FLResult:
    """N rounds from the simulated single round and finishing step (every round starts at |W>)."""
    fin = _finish_tree().pair_probabilities()
    q = rnd.return_probability
    if exact and isinstance(q, Fraction):
        qn = q ** rounds
        geo = (1 - qn) / (1 - q)
        pairs = {p: rnd.pairs[p] * geo + qn * fin[p] for p in PAIRS}
        fail = rnd.fail * geo + qn * (1 - sum(fin.values()))
    else:
        one_minus_q = float(1 - q)
        log_q = math.log1p(-one_minus_q)
        qn = math.exp(rounds * log_q)
        geo = -math.expm1(rounds * log_q) / one_minus_q
        pairs = {p: float(rnd.pairs[p]) * geo + qn * float(fin[p]) for p in PAIRS}
        fail = float(rnd.fail) * geo + qn * float(1 - sum(fin.values()))
    success = sum(pairs.values()) if exact else math.fsum(pairs.values())
    return FLResult(rounds, rnd.epsilon, success, pairs["AB"], pairs["AC"], pairs["BC"], fail, qn,
                    3 * rounds + 1)


def fortescue_lo(rounds: int, epsilon=None, exact: bool = False) -> FLResult:
    """Fortescue-Lo-type protocol on :math:`|W\\rangle` with ``rounds`` rounds (see module docstring).

    ``epsilon`` None: the ε of :data:`EPSILON_GRID` maximising the success probability for this
    budget (so the result is non-decreasing in ``rounds``). ``exact=True`` (rational ε) returns
    Fractions; the default returns floats composed from the exact single-round values.
    """
    rounds = _check_rounds(rounds)
    if epsilon is not None:
        return _compose(fortescue_lo_round(_check_epsilon(epsilon)), rounds, exact)
    best = _best_epsilon(rounds)
    return _compose(fortescue_lo_round(best), rounds, exact)


@functools.lru_cache(maxsize=4096)
def _best_epsilon(rounds: int) -> Fraction:
    best, best_val = None, -1.0
    for eps in EPSILON_GRID:
        val = _compose(fortescue_lo_round(eps), rounds, False).success
        if val > best_val:
            best, best_val = eps, val
    return best


def fortescue_lo_rounds_for(target_loss) -> FLResult:
    """Smallest budget N with :math:`1 - P_N < ` ``target_loss`` (bisection; P_N is monotone)."""
    if isinstance(target_loss, bool) or not isinstance(target_loss, numbers.Real):
        raise ProtocolError(f"target_loss = {target_loss!r} is not a real number")
    t = float(target_loss)
    limit = 1 - float(EPSILON_GRID[-1]) / (3 * (2 - float(EPSILON_GRID[-1])))
    if not (math.isfinite(t) and 1 - limit < t < 1):
        raise ProtocolError(f"target_loss = {target_loss} must lie in ({1 - limit:.3g}, 1)")
    lo, hi = 0, 1
    while 1 - fortescue_lo(hi).success >= t:
        lo, hi = hi, hi * 2
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if 1 - fortescue_lo(mid).success < t:
            hi = mid
        else:
            lo = mid
    return fortescue_lo(hi if 1 - fortescue_lo(lo).success >= t else lo)


# ---- results -------------------------------------------------------------------------------------

@dataclass(frozen=True, repr=False)
class LOCCResult(ShortRepr):
    """Success probability of an explicit LOCC protocol, with :math:`\\kappa` for comparison.

    ``locc_lower`` = :math:`p_{AB} + p_{AC} + p_{BC}` of ``protocol`` (a lower bound on the LOCC
    optimum); ``kappa`` the upper bound of Theorem 1; ``rounds`` the Fortescue-Lo budget asked for;
    ``epsilon`` and ``fl_success`` describe the Fortescue-Lo part (None if not used);
    ``w_probability`` the probability of the :math:`|W\\rangle` branch it starts from;
    ``measurements`` the local measurements on the longest branch. Fractions when ``exact``.
    """

    protocol: str
    state: WClassState
    locc_lower: Fraction | float
    kappa: Fraction | float
    rounds: int
    p_AB: Fraction | float
    p_AC: Fraction | float
    p_BC: Fraction | float
    epsilon: Fraction | float | None = None
    fl_success: Fraction | float | None = None
    w_probability: Fraction | float = 0
    measurements: int = 0
    exact: bool = False
    notes: tuple = field(default_factory=tuple)

    @property
    def gap(self) -> Fraction | float:
        """:math:`\\kappa - ` ``locc_lower`` (>= 0 by Theorem 1)."""
        return self.kappa - self.locc_lower

    def _summary(self) -> list:
        return [("locc_lower", show_number(self.locc_lower, ">=")), ("protocol", self.protocol),
                ("kappa", show_number(self.kappa, "<=")), ("state", str(self.state)),
                ("rounds", str(self.rounds))]

    @property
    def pairs(self) -> dict:
        return {"AB": self.p_AB, "AC": self.p_AC, "BC": self.p_BC}

    def as_dict(self) -> dict:
        """JSON-ready: floats, plus exact strings for Fraction values."""
        def num(v):
            return None if v is None else float(v)
        st = self.state
        d = {
            "protocol": self.protocol,
            "state": {"x0": num(st.x0), "xA": num(st.xA), "xB": num(st.xB), "xC": num(st.xC)},
            "locc_lower": num(self.locc_lower), "kappa": num(self.kappa), "gap": num(self.gap),
            "rounds": self.rounds, "p_AB": num(self.p_AB), "p_AC": num(self.p_AC),
            "p_BC": num(self.p_BC), "epsilon": num(self.epsilon),
            "fl_success": num(self.fl_success), "w_probability": num(self.w_probability),
            "measurements": self.measurements, "exact": self.exact, "notes": list(self.notes),
        }
        if isinstance(self.kappa, Fraction):
            d["kappa_exact"] = str(self.kappa)
        if isinstance(self.epsilon, Fraction):
            d["epsilon_exact"] = str(self.epsilon)
        return d


# ---- Theorem 2 protocol --------------------------------------------------------------------------

def _theorem2_policy(n1: str, n2: str, n3: str):
    def step1(st):  # n2 measures (a, c) = (x_n2/x_n1, 1), (1 - x_n2/x_n1, 0)
        w = _weights(st)
        r = w[n2] / w[n1]
        return LocalMeasurement(n2, (KrausOutcome(r, 1, 0, "keep"), KrausOutcome(1 - r, 0, 0, "drop")))

    def step2(st):  # n3 measures (a, c) = (y_n3/y_n1, 1), (1 - y_n3/y_n1, 0)
        w = _weights(st)
        r = w[n3] / w[n1]
        return LocalMeasurement(n3, (KrausOutcome(r, 1, 0, "keep"), KrausOutcome(1 - r, 0, 0, "drop")))

    def policy(st: WClassState, hist: tuple):
        if not hist:
            w = _weights(st)
            if w[n2] == 0:  # product state: nothing to distil
                return None
            if w[n2] != w[n1]:
                return step1(st)
            return None if w[n3] == 0 or is_w_state(st) else step2(st)
        last = hist[-1]
        if last.label in ("vidal-epr", "vidal-fail"):
            return None
        if last.party == n2 and last.label == "drop":
            return vidal_measurement(st) if _two_party(st) is not None else None
        if last.party == n2 and last.label == "keep":
            return None if _weights(st)[n3] == 0 or is_w_state(st) else step2(st)
        return None  # after step 2: |W> (handed to Fortescue-Lo) or EPR (already a leaf)
    return policy


def theorem2_protocol(state, rounds: int = DEFAULT_ROUNDS, epsilon=None,
                      exact: bool = False) -> LOCCResult:
    """The protocol in the proof of Theorem 2 (module docstring), for :math:`x_0 = 0`.

    The first two steps and Vidal's conversion are simulated (exactly for exact states); the
    :math:`|W\\rangle` branch continues with :func:`fortescue_lo` (``rounds``, ``epsilon``;
    ``exact=True`` with rational ε keeps everything in Fractions). Raises :class:`ProtocolError`
    for :math:`x_0 > 0` (the protocol needs :math:`x_0 = 0`; see :func:`analytics.lower.locc_lower_bound`).
    """
    st = as_state(state)
    rounds = _check_rounds(rounds)
    if st.x0 != 0:
        raise ProtocolError(f"the Theorem 2 protocol needs x0 = 0, got x0 = {st.x0}")
    (_, _, _), (n1, n2, n3) = st.sorted()
    tree = simulate(st, _theorem2_policy(n1, n2, n3))
    w_leaves = tree.leaves_where(lambda lf: lf.pair is None and is_w_state(lf.state))
    p_w = sum((lf.probability for lf in w_leaves), Fraction(0) if st.is_exact else 0.0)
    top = tree.pair_probabilities()
    notes = [f"n1={n1}, n2={n2}, n3={n3}"]
    fl = None
    if w_leaves:
        fl = fortescue_lo(rounds, epsilon, exact=exact)
    all_exact = st.is_exact and (fl is None or isinstance(fl.success, Fraction))
    if fl is None:
        pairs = dict(top)
    elif all_exact:
        pairs = {p: top[p] + p_w * fl.pairs[p] for p in PAIRS}
    else:
        pairs = {p: float(top[p]) + float(p_w) * float(fl.pairs[p]) for p in PAIRS}
    total = sum(pairs.values()) if all_exact else math.fsum(float(v) for v in pairs.values())
    k = kappa(st)  # exact for exact states, even when the protocol value is a float
    if not all_exact:
        p_w = float(p_w)
    if fl is None:
        notes.append("no |W> branch: Fortescue-Lo not needed"
                     + (" (x_n3 = 0: Vidal's two-qubit protocol, exact)" if st.sorted()[0][2] == 0 else ""))
    depth = tree.depth + (fl.measurements if fl is not None else 0)
    return LOCCResult("theorem2", st, total, k, rounds, pairs["AB"], pairs["AC"], pairs["BC"],
                      fl.epsilon if fl else None, fl.success if fl else None, p_w, depth,
                      all_exact, tuple(notes))


def theorem2_locc_lower(state, rounds: int = DEFAULT_ROUNDS) -> LOCCResult:
    """Sweep helper: :func:`theorem2_protocol` with float output; its ``locc_lower`` is the column.

    Raises :class:`ProtocolError` for :math:`x_0 > 0` (use :func:`analytics.lower.locc_lower_bound` there).
    """
    return theorem2_protocol(state, rounds)


# ---- x0 > 0: projective measurement + Vidal ----------------------------------------------------

def _projective(party: str, theta: float) -> LocalMeasurement:
    """Kraus :math:`|0\\rangle\\langle v|`, :math:`|0\\rangle\\langle v_\\perp|` with
    :math:`v = (\\cos\\theta, \\sin\\theta)`, :math:`v_\\perp = (-\\sin\\theta, \\cos\\theta)`, each
    times a sign making the diagonal entry non-negative (upper-triangular form, c = 0)."""
    c, s = math.cos(theta), math.sin(theta)
    sc = 1.0 if c >= 0 else -1.0
    ss = 1.0 if -s >= 0 else -1.0
    return LocalMeasurement(party, (KrausOutcome(c * c, 0.0, sc * s, "v"),
                                    KrausOutcome(s * s, 0.0, ss * c, "v_perp")))


def _projective_value(st: WClassState, party: str, theta: float) -> tuple:
    meas = _projective(party, theta)
    pairs = {p: 0.0 for p in PAIRS}
    for br in measure(st, meas):
        post = br.state
        zero_party = [p for p in PARTIES if _weights(post)[p] == 0]
        if not zero_party:
            raise ProtocolError(f"projective measurement by {party} left three parties entangled")
        others = [p for p in PARTIES if p != party]
        pairs[_pair(*others)] += float(br.probability) * float(vidal_probability(post))
    return math.fsum(pairs.values()), pairs


def projective_vidal_protocol(state, grid: int = 61) -> LOCCResult:
    """Lower bound for any W-class state (meant for :math:`x_0 > 0`; see module docstring).

    For each party k, θ runs over ``grid`` points of :math:`[0, \\pi)` plus the angle that removes
    the :math:`|000\\rangle` amplitude in one branch, then the best point is refined by golden-section
    search. Every evaluated (k, θ) is a complete LOCC protocol computed with the simulator
    (:func:`measure`) and :func:`vidal_probability`.
    """
    st = as_state(state)
    if isinstance(grid, bool) or not isinstance(grid, numbers.Integral) or grid < 2:
        raise ProtocolError(f"grid = {grid!r} must be an integer >= 2")
    fst = WClassState.from_components(*(float(v) for v in (st.x0, st.xA, st.xB, st.xC)),
                                      renormalise=True)  # a float copy for the simulator
    best = (-1.0, None, None, None)
    for k in PARTIES:
        xk = float(_weights(fst)[k])
        thetas = list(np.linspace(0.0, math.pi, int(grid), endpoint=False))
        thetas.append(math.atan2(math.sqrt(float(fst.x0)), -math.sqrt(xk)) % math.pi)
        vals = [(_projective_value(fst, k, t)[0], t) for t in thetas]
        v, t = max(vals)
        step = math.pi / grid
        lo, hi = t - step, t + step
        g = (math.sqrt(5) - 1) / 2
        for _ in range(40):
            m1, m2 = hi - g * (hi - lo), lo + g * (hi - lo)
            if _projective_value(fst, k, m1)[0] >= _projective_value(fst, k, m2)[0]:
                hi = m2
            else:
                lo = m1
        tr = (lo + hi) / 2
        vr, pr = _projective_value(fst, k, tr)
        if vr < v:
            tr = t
            vr, pr = _projective_value(fst, k, t)
        if vr > best[0]:
            best = (vr, k, tr, pr)
    val, k, theta, pairs = best
    how = (f"party {k} measures projectively at theta = {theta:.6g} rad; Vidal's conversion "
           "on each two-qubit branch")
    if any(v == 0 for v in st.x):  # one party is |0>: a two-qubit pure state, Vidal is optimal
        notes = (how, "a two-qubit state: Vidal's value 2*lambda_min is the exact LOCC optimum "
                      "(here kappa is only an upper bound)")
    else:
        notes = (how, "lower bound only: not known to be optimal for x0 > 0; kappa is an upper bound")
    return LOCCResult("projective+vidal", st, val, kappa(st), 0, pairs["AB"], pairs["AC"],
                      pairs["BC"], None, None, 0.0, 2, False, notes)


__all__ = [
    "DEFAULT_ROUNDS", "MAX_ROUNDS", "EPSILON_GRID", "W_STATE", "ProtocolError", "vidal_measurement",
    "vidal_probability", "fl_weak_measurement", "fl_finish_measurement", "fortescue_lo_tree",
    "FLRound", "fortescue_lo_round", "FLResult", "fortescue_lo", "fortescue_lo_rounds_for",
    "LOCCResult", "theorem2_protocol", "theorem2_locc_lower", "projective_vidal_protocol",
]
