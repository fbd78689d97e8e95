"""Fuzzing the verifiers (issue 12): mutate valid certificates of every kind one field at a time;
every mutant the verifier accepts must still prove a TRUE statement.

The truth oracle is independent of the verifier: the claim is re-derived from the verifier's
result (its :class:`analytics.claims.Claim`: left-hand side terms, relation, exact value, state)
and compared with the known optimum on the plane ``x0 = 0``: SEP = 1 when every
``x_k <= 1/2`` (e.g. psi_s for s in [1/3, 1/2]), SEP = 2 (1 - x_n1) when ``x_n1 >= 1/2``, SEP = 0
on product states, and LOCC_sup = kappa (Theorem 2). A weighted / partial / fidelity claim
``sum_k w_k q_k <= b`` must be at least what the explicit separable instruments (eq7,
large-component, trivial; exactly checked) reach, since each is a feasible instrument and
``F_k >= p_k`` for an instrument whose success branches are exactly Psi+.

The default run takes a few seconds per kind (derandomized); ``-m slow`` runs 10x more.
"""
import copy
import json
from fractions import Fraction as F

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs

from analytics import WClassState, kappa, psi_s
from analytics.certificates import gap_certificate, sep_lower_certificate, state_from_json
from analytics.checks import check_instrument
from analytics.errors import InstrumentError
from analytics.instruments import eq7_instrument, large_component_instrument, trivial_instrument
from experiments.cmd_verify import verify_result

STATES = {
    "psi_1/3": psi_s(F(1, 3)),
    "psi_1/2": psi_s(F(1, 2)),
    "psi_2/5": psi_s(F(2, 5)),
    "large": WClassState(F(3, 5), F(1, 5), F(1, 5)),
    "two-qubit": WClassState(F(3, 4), F(1, 4), F(0)),
    "product": WClassState(F(1), F(0), F(0)),
}


# ---- the oracle -----------------------------------------------------------------------------

def sep_optimum(st: WClassState):
    """The known optimal SEP probability for x0 = 0 (None elsewhere)."""
    if st.x0 != 0:
        return None
    nonzero = [v for v in st.x if v != 0]
    if len(nonzero) <= 1:
        return F(0)
    top = max(st.x)
    return F(1) if top <= F(1, 2) else 2 * (1 - top)


def instrument_pairs(st: WClassState) -> list:
    """Per-pair success probabilities of every explicit instrument that applies (checked)."""
    out = []
    for build in (eq7_instrument, large_component_instrument, lambda s: trivial_instrument(True)):
        try:
            inst = build(st)
        except InstrumentError:
            continue
        chk = check_instrument(inst, st, exact=True)
        if chk.ok:
            out.append({p: F(v) for p, v in chk.p_pairs.items()})
    return out


def claim_is_true(claim, st: WClassState) -> tuple[bool, str]:
    opt = sep_optimum(st)
    if claim.kind == "upper":
        reach = max(sum(w * pp[p] for p, w in claim.terms) for pp in instrument_pairs(st))
        if claim.value < reach:
            return False, f"{claim.exact()} but an explicit instrument reaches {reach}"
        all_unit = sorted(claim.terms) == [("AB", 1), ("AC", 1), ("BC", 1)]
        if all_unit and opt is not None and claim.value < opt:   # F_k = p_k on the optimum
            return False, f"{claim.exact()} but SEP = {opt}"
        return True, ""
    if opt is None:
        return claim.value <= 1, "no known optimum; checked <= 1 only"
    if claim.kind == "lower":
        return claim.value <= opt, f"{claim.exact()} but SEP = {opt}"
    if claim.kind == "gap":
        return claim.value <= opt - kappa(st), f"{claim.exact()} but SEP - kappa = {opt - kappa(st)}"
    return False, f"unknown claim kind {claim.kind}"


def check_mutant(cert) -> bool:
    """Verify ``cert``; if accepted, its re-derived claim must be true. Returns acceptance."""
    res = verify_result(cert)
    if not res.valid:
        return False
    claim = res.claim
    assert claim is not None
    assert claim.text() in res.line()          # the printed line is the claim
    assert cert["claim"] == claim.exact()      # and so is the file's claim field
    st = state_from_json(cert["state"])
    ok, why = claim_is_true(claim, st)
    assert ok, f"accepted mutant proves a false statement: {why}"
    return True


# ---- certificates to mutate ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def pool():
    from sdp import ppt_upper_bound, sep_upper_bound
    certs = {"ppt": [], "lower": [], "gap": []}
    for name in ("psi_1/2", "large", "product"):
        certs["ppt"].append(ppt_upper_bound(STATES[name], certify=True).certificate)
    certs["ppt"].append(sep_upper_bound(STATES["psi_1/3"]).certificate)          # trivial bound 1
    certs["ppt"].append(ppt_upper_bound(STATES["psi_1/2"], weights=(F(1, 2),) * 3, certify=True).certificate)
    certs["ppt"].append(ppt_upper_bound(STATES["psi_1/3"], pairs="AB", certify=True).certificate)
    certs["ppt"].append(ppt_upper_bound(STATES["large"], objective="fidelity", certify=True).certificate)
    for name in ("psi_1/2", "psi_2/5", "large", "two-qubit", "product"):
        certs["lower"].append(sep_lower_certificate(STATES[name], method="tree"))
    # a gap certificate is written only for a positive gap (two-qubit and product: gap 0)
    for name in ("psi_1/2", "psi_2/5", "large"):
        certs["gap"].append(gap_certificate(STATES[name], method="tree"))
    out = {}
    for kind, cs in certs.items():
        assert all(c is not None for c in cs)
        cs = [json.loads(json.dumps(c)) for c in cs]
        for c in cs:
            assert check_mutant(c), c["claim"]      # unmutated: valid and true
        out[kind] = [(c, _regions(c)) for c in cs]
    return out


def _leaves(obj, path=()):
    """Every path to a leaf, list element or dict key (for deletion) of a JSON object."""
    out = [path] if path else []
    if isinstance(obj, dict):
        for k, v in obj.items():
            out += _leaves(v, path + (k,))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            out += _leaves(v, path + (i,))
    return out


def _regions(cert) -> list:
    """Leaves grouped by top-level field, so the few claim fields are hit as often as the
    thousands of dual entries."""
    return [[p for p in _leaves(cert) if p[0] == k] for k in cert]


def _fraction_variants(q: F) -> list:
    return [q + F(1, 10 ** 6), q - F(1, 10 ** 6), q * 2, q / 2, F(0), F(1), F(1, 2), -q, q + 1]


def _variants(v) -> list:
    if isinstance(v, bool):
        return [not v, 1, "true"]
    if isinstance(v, int):
        return [v + 1, v - 1, 0, -v, 2 * v, float(v), str(v), True, None]
    if isinstance(v, float):
        import math
        return [math.nextafter(v, math.inf), math.nextafter(v, -math.inf), v + 1e-9, 0.0,
                int(v), str(v), None, -v]
    if isinstance(v, str):
        try:
            q = F(v)
        except (ValueError, ZeroDivisionError):
            return ["AB", "AC", "BC", "fail", "exact", "fidelity", "ppt", "w_class", "amplitudes",
                    "", v + " ", v.upper(), None, 0]
        return [str(x) if x.denominator != 1 else str(x.numerator) for x in _fraction_variants(q)] + \
               [float(q), f"{q.numerator * 3}/{q.denominator * 3}", None]
    return [None, 0, "x"]


def mutate(cert, path, choice: int):
    """One edit at ``path``: replace the value by a variant, delete it, or add a stray field."""
    c = copy.deepcopy(cert)
    parent = c
    for k in path[:-1]:
        parent = parent[k]
    key = path[-1]
    value = parent[key]
    options = _variants(value) if not isinstance(value, (dict, list)) else []
    options += ["__delete__", "__stray__", "__dup__"]
    op = options[choice % len(options)]
    if op == "__delete__":
        del parent[key]
    elif op == "__stray__":
        if isinstance(value, dict):
            value["note"] = 0.5
        elif isinstance(parent, dict):
            parent[str(key) + "_float"] = 0.5
        else:
            parent.append(copy.deepcopy(value))
    elif op == "__dup__":
        if isinstance(parent, list):
            parent.insert(key, copy.deepcopy(value))
        elif isinstance(value, list) and value:
            value.append(copy.deepcopy(value[0]))
        else:
            parent[key] = [value]
    else:
        parent[key] = op
    return c


def _fuzz(pool, kind, data):
    cert, regions = data.draw(hs.sampled_from(pool[kind]))
    region = data.draw(hs.sampled_from([r for r in regions if r]))
    path = data.draw(hs.sampled_from(region))
    choice = data.draw(hs.integers(0, 40))
    check_mutant(mutate(cert, path, choice))


SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                      HealthCheck.function_scoped_fixture,
                                                      HealthCheck.data_too_large])


@pytest.mark.parametrize("kind, n", [("ppt", 250), ("lower", 400), ("gap", 400)])
def test_accepted_mutants_prove_true_statements(pool, kind, n):
    @settings(max_examples=n, derandomize=True, **SETTINGS)
    @given(hs.data())
    def run(data):
        _fuzz(pool, kind, data)
    run()


@pytest.mark.slow
@pytest.mark.parametrize("kind, n", [("ppt", 3000), ("lower", 4000), ("gap", 4000)])
def test_accepted_mutants_prove_true_statements_long(pool, kind, n):
    @settings(max_examples=n, **SETTINGS)
    @given(hs.data())
    def run(data):
        _fuzz(pool, kind, data)
    run()


def test_exhaustive_claim_field_mutations(pool):
    """Every edit of every field a reader takes as the claim (all but the dual entries and
    the instrument's Kraus data), on every certificate: accepted only if still true."""
    accepted = 0
    for kind, certs in pool.items():
        for cert, _ in certs:
            for path in _leaves(cert):
                if path[0] in ("dual", "instrument") or (path[0] == "sep_lower" and len(path) > 1
                                                          and path[1] == "instrument"):
                    continue
                for choice in range(12):
                    accepted += check_mutant(mutate(cert, path, choice))
    # harmless edits exist (provenance, a fraction written as 3q/3q): the oracle saw some
    assert accepted > 0


@pytest.mark.parametrize("name", ["psi_1/2", "large"])
def test_oracle_rejects_the_old_overstated_claims(name):
    """Control: the oracle is not vacuous. Reading the weighted certificate (bound about 1/2)
    or a lower bound too high as statements about SEP is caught as false."""
    from analytics.claims import lower_claim, ppt_claim
    st = STATES[name]
    opt = sep_optimum(st)
    assert not claim_is_true(ppt_claim(("AB", "AC", "BC"), (1, 1, 1), opt / 2), st)[0]
    assert claim_is_true(ppt_claim(("AB", "AC", "BC"), (F(1, 2),) * 3, opt / 2), st)[0]
    assert not claim_is_true(lower_claim(("AB",), opt + F(1, 10 ** 9)), st)[0]
