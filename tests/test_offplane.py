"""Off-plane (x0 > 0) SEP and LOCC lower bounds from measurement trees (analytics.offplane,
analytics.tree_certificates; docs/offplane.md).

Independent sources: the existing checked plane instruments (exact equality on the plane), the
closed-form chain value of formulation.md section 7 recomputed here in Fractions, kappa
(Theorem 1 upper bound on LOCC), the float checker on the flattened Kraus operators, certified
certified PPT bounds and the issue's quoted numbers.
"""
import copy
import json
import math
from fractions import Fraction as F

import pytest

from analytics.checks import check_instrument
from analytics.errors import SepgapError
from analytics.lower import sep_lower_bound
from analytics.locc import ProtocolError, projective_vidal_protocol, theorem2_protocol
from analytics.monotones import kappa
from analytics.offplane import (DEFAULT_LOCC_DEPTH, DEFAULT_SEP_DEPTH, OffPlaneError,
                                locc_lower_tree, sep_lower_tree)
from analytics.states import WClassState
from analytics.tree_certificates import (TreeCertificateError, TreeLeaf, TreeNode, TreeOutcome,
                                         evaluate_tree, flatten_tree,
                                         verify_tree_lower_certificate)

SYM = WClassState.from_components(F(1, 10), F(3, 10), F(3, 10), F(3, 10))


def mixed(x0, y=(F(1, 2), F(1, 4), F(1, 4))):
    """sqrt(x0)|000> + sqrt(1 - x0)|phi(y)> for a plane state y (default psi_{1/2})."""
    x0 = F(x0)
    return WClassState.from_components(x0, *((1 - x0) * v for v in y))


OFF_PLANE = [
    SYM,
    mixed(F(1, 100)),
    mixed(F(1, 20), (F(1, 2), F(3, 10), F(1, 5))),
    WClassState.from_components(F(3, 10), F(1, 5), F(1, 5), F(3, 10)),
    WClassState.from_components(F(1, 20), F(7, 10), F(1, 10), F(3, 20)),
    WClassState.from_components(F(1, 5), F(2, 5), F(2, 5), F(0)),      # two-party with vacuum
    WClassState.from_components(F(3, 5), F(1, 10), F(1, 5), F(1, 10)),
]

PLANE = [
    (F(1, 2), F(3, 10), F(1, 5)),
    (F(1, 3), F(1, 3), F(1, 3)),
    (F(3, 5), F(3, 10), F(1, 10)),
    (F(1, 2), F(1, 4), F(1, 4)),
    (F(1, 2), F(1, 2), F(0)),
    (F(4, 5), F(1, 5), F(0)),
    (F(1), F(0), F(0)),
]


@pytest.fixture(scope="module")
def sym_sep():
    return sep_lower_tree(SYM)


@pytest.fixture(scope="module")
def sym_locc():
    return locc_lower_tree(SYM)


# ---- the plane: reproduce the existing instruments exactly ---------------------------------------

@pytest.mark.parametrize("x", PLANE)
def test_plane_reproduces_existing_instruments(x):
    st = WClassState(*x)
    res = sep_lower_tree(st)
    assert res.depth == 0
    assert res.value == sep_lower_bound(st, method="tree").value  # exact equality of Fractions
    assert res.arithmetic == "exact-rational"
    st2, bound, pairs, arith = verify_tree_lower_certificate(res.certificate())
    assert (st2, bound) == (st, res.value) and sum(pairs.values()) == bound


@pytest.mark.parametrize("x", PLANE[:4])
def test_plane_locc_is_theorem2_and_kappa(x):
    st = WClassState(*x)
    res = locc_lower_tree(st, rounds=200)
    assert res.locc_lower == pytest.approx(float(theorem2_protocol(st, 200).locc_lower), abs=1e-12)
    assert res.locc_sup_lower == kappa(st)
    assert sum(res.locc_sup_pairs.values()) == kappa(st)


# ---- the issue's numbers -------------------------------------------------------------------------

def test_symmetric_state_beats_issue_numbers(sym_sep, sym_locc):
    # issue 11: SEP >= 0.618 with two steps, LOCC supremum >= 0.589; PPT = 0.650, kappa = 0.9
    assert sym_sep.value > F(618, 1000)
    assert sym_locc.locc_sup_lower >= F(589, 1000)
    assert sym_locc.locc_sup_kind == "tree+kappa"
    assert sym_locc.locc_lower > 0.4708  # the old projective+Vidal value
    assert sym_locc.locc_lower >= float(projective_vidal_protocol(SYM).locc_lower)
    assert sym_sep.value <= F(65, 100)  # below the quoted PPT bound 0.650 (certified below)


def test_certificate_roundtrip(sym_sep):
    cert = json.loads(json.dumps(sym_sep.certificate()))
    assert cert["kind"] == "sep_lower_bound" and cert["instrument"]["kind"] == "tree"
    assert cert["format"] == "sepgap-certificate" and cert["version"] == 1
    st, bound, pairs, arith = verify_tree_lower_certificate(cert)
    assert st == SYM and bound == sym_sep.value and arith == "exact-rational"
    assert pairs == sym_sep.pairs
    assert cert["bound"]["float_lower"] <= bound


# ---- an independent formula for a chain ----------------------------------------------------------

def _chain_value_closed_form(tree, st):
    """formulation.md sec. 7, unnormalised: outcome 1 -> (c1 x_k, a1 x_j) on the plane valued
    min(S, 2(S - max)); outcome 2 -> x0/a2, c2 x_k, a2 x_j, continued."""
    x0, x = st.x0, dict(zip("ABC", st.x))
    total = F(0)
    t = tree
    while isinstance(t, TreeNode):
        o1, o2 = t.outcomes
        a1, a2 = o1.sqrt_a ** 2, o2.sqrt_a ** 2
        assert o1.beta == -o1.sqrt_a  # b1 = -sqrt(a1 x0 / x_k)
        assert a1 + a2 == 1 and o1.c + o2.c == 1 - a1 * x0 / (a2 * x[t.party])
        y = {p: (o1.c if p == t.party else a1) * v for p, v in x.items()}
        s = sum(y.values())
        total += min(s, 2 * (s - max(y.values())))
        x0 = x0 / a2
        x = {p: (o2.c if p == t.party else a2) * v for p, v in x.items()}
        t = o2.child
    assert isinstance(t, TreeLeaf) and t.kind == "trivial"
    return total


@pytest.mark.parametrize("st", OFF_PLANE)
def test_tree_value_matches_closed_form(st):
    res = sep_lower_tree(st)
    assert res.depth >= 1
    assert res.value == _chain_value_closed_form(res.tree, st)
    assert abs(float(res.value) - res.search_value) <= 1e-6  # rationalisation loses ~nothing


# ---- orderings -----------------------------------------------------------------------------------

@pytest.mark.parametrize("st", OFF_PLANE)
def test_bounds_ordered(st):
    sep = sep_lower_tree(st)
    locc = locc_lower_tree(st, rounds=200)
    k = kappa(st)
    assert 0 <= locc.locc_lower <= float(locc.locc_sup_lower) + 1e-12
    assert locc.locc_sup_lower <= k
    assert float(sep.value) >= float(locc.locc_sup_lower) - 1e-12
    assert sep.value <= 1
    assert locc.locc_lower >= float(projective_vidal_protocol(st).locc_lower) - 1e-15
    assert sum(locc.locc_lower_pairs.values()) == pytest.approx(locc.locc_lower, abs=1e-12)
    assert sum(locc.locc_sup_pairs.values()) == pytest.approx(float(locc.locc_sup_lower), abs=1e-12)
    assert sep.p_AB + sep.p_AC + sep.p_BC == sep.value


# ---- continuity as x0 -> 0 -----------------------------------------------------------------------

@pytest.mark.parametrize("y", [(F(1, 2), F(1, 4), F(1, 4)), (F(1, 2), F(3, 10), F(1, 5)),
                               (F(7, 10), F(1, 5), F(1, 10))])
def test_continuity_to_the_plane(y):
    plane = WClassState(*y)
    sep0, k0 = sep_lower_bound(plane).value, kappa(plane)
    seps = [sep_lower_tree(mixed(x0, y)).value for x0 in (F(1, 10 ** 6), F(1, 10 ** 4), F(1, 100))]
    sups = [locc_lower_tree(mixed(x0, y)).locc_sup_lower for x0 in (F(1, 10 ** 6), F(1, 100))]
    assert abs(float(seps[0] - sep0)) <= 1e-2
    assert abs(float(sups[0] - k0)) <= 1e-2
    assert seps[0] <= sep0 and seps[0] >= seps[1] >= seps[2]  # monotone trend
    assert sups[0] >= sups[1]


# ---- tampering -----------------------------------------------------------------------------------

def _first_node(cert):
    return cert["instrument"]["root"]


def _tamper_cases():
    def number(c):
        _first_node(c)["outcomes"][0]["c"] = str(F(_first_node(c)["outcomes"][0]["c"]) + F(1, 10 ** 6))

    def sqrt_a(c):
        o = _first_node(c)["outcomes"][1]
        o["sqrt_a"] = str(F(o["sqrt_a"]) * F(999999, 1000000))

    def beta_sign(c):
        o = _first_node(c)["outcomes"][0]
        o["beta"] = str(-F(o["beta"]))

    def both_beta_signs(c):  # keeps completeness; the plane branch gets |000> back
        for o in _first_node(c)["outcomes"]:
            o["beta"] = str(-F(o["beta"]))

    def probability(c):
        o = _first_node(c)["outcomes"][0]
        o["probability"] = str(F(o["probability"]) + F(1, 10 ** 9))

    def leaf_value(c):
        leaf = _first_node(c)["outcomes"][0]["child"]
        leaf["value"] = str(F(leaf["value"]) * F(101, 100))

    def bound(c):
        c["bound"]["exact"] = str(F(c["bound"]["exact"]) + F(1, 10 ** 12))

    def p_pair(c):
        c["p_pairs"]["AB"] = str(F(c["p_pairs"]["AB"]) + F(1, 10 ** 12))

    def dropped_node(c):  # the root's continuation replaced by its grandchild
        o2 = _first_node(c)["outcomes"][1]
        o2["child"] = o2["child"]["outcomes"][1]["child"]

    def dropped_root(c):
        c["instrument"]["root"] = _first_node(c)["outcomes"][1]["child"]

    def leaf_kind(c):
        _first_node(c)["outcomes"][0]["child"]["leaf"] = "eq7" \
            if _first_node(c)["outcomes"][0]["child"]["leaf"] != "eq7" else "large_component"

    def party(c):
        n = _first_node(c)
        n["party"] = "B" if n["party"] != "B" else "C"

    def state(c):
        c["state"]["x0"], c["state"]["xA"] = "1/20", "7/20"

    def arithmetic(c):
        c["arithmetic"] = "float"

    def float_lower(c):
        c["bound"]["float_lower"] = 0.7

    def malformed(c):
        _first_node(c)["outcomes"][0]["c"] = "nan"

    return [number, sqrt_a, beta_sign, both_beta_signs, probability, leaf_value, bound, p_pair,
            dropped_node, dropped_root, leaf_kind, party, state, arithmetic, float_lower, malformed]


@pytest.mark.parametrize("tamper", _tamper_cases(), ids=lambda f: f.__name__)
def test_tampered_certificate_rejected(sym_sep, tamper):
    assert sym_sep.depth >= 3  # dropped_node needs two nodes below the root
    cert = copy.deepcopy(sym_sep.certificate())
    tamper(cert)
    with pytest.raises(TreeCertificateError):
        verify_tree_lower_certificate(cert)


def test_negative_amplitude_rejected():
    # completeness holds (sum s*beta = 0), but the branch-2 |000> amplitude t - s^2/t < 0
    s, t = F(4, 5), F(3, 5)
    st = WClassState.from_components(F(1, 100), F(33, 100), F(33, 100), F(33, 100))
    beta1, beta2 = s, -s * s / t
    room = 1 - (beta1 ** 2 + beta2 ** 2) * st.x0 / st.xA
    node = TreeNode("A", (TreeOutcome(s, beta1, F(0), TreeLeaf("trivial")),
                          TreeOutcome(t, beta2, room, TreeLeaf("trivial"))))
    with pytest.raises(TreeCertificateError, match="negative"):
        evaluate_tree(node, st)


def test_incomplete_node_rejected():
    node = TreeNode("A", (TreeOutcome(F(3, 5), F(0), F(1, 2), TreeLeaf("trivial")),
                          TreeOutcome(F(4, 5), F(0), F(1, 3), TreeLeaf("trivial"))))
    with pytest.raises(TreeCertificateError, match="not 1"):
        evaluate_tree(node, SYM)


@pytest.mark.parametrize("bad", [None, [], "x", {"format": "sepgap-certificate"}])
def test_garbage_certificate_rejected(bad):
    with pytest.raises(SepgapError):
        verify_tree_lower_certificate(bad)


# ---- float cross-check of the flattened instrument ----------------------------------------------

@pytest.mark.parametrize("st", OFF_PLANE[:5])
def test_flattened_float_crosscheck(st):
    res = sep_lower_tree(st)
    inst = flatten_tree(res.tree, st)
    fst = WClassState.from_components(*(float(v) for v in (st.x0, st.xA, st.xB, st.xC)),
                                      renormalise=True)
    chk = check_instrument(inst, fst, exact=False, atol=1e-9)
    assert chk.ok, chk.reasons
    assert chk.total == pytest.approx(float(res.value), abs=1e-9)
    for p in ("AB", "AC", "BC"):
        assert chk.p_pairs[p] == pytest.approx(float(res.pairs[p]), abs=1e-9)
    assert all(op.label in ("AB", "AC", "BC", "fail") for op in inst)


# ---- arguments -----------------------------------------------------------------------------------

@pytest.mark.parametrize("depth", [-1, 7, 1.5, "2", True])
def test_bad_depth(depth):
    with pytest.raises(OffPlaneError):
        sep_lower_tree(SYM, depth=depth)
    with pytest.raises(OffPlaneError):
        locc_lower_tree(SYM, depth=depth)


@pytest.mark.parametrize("rounds", [-1, -3, 2.5, "10"])
def test_bad_rounds(rounds):
    with pytest.raises(ProtocolError):
        locc_lower_tree(SYM, rounds=rounds)


def test_defaults_documented():
    assert DEFAULT_SEP_DEPTH >= 3 and DEFAULT_LOCC_DEPTH >= 2


def test_product_state_with_vacuum():
    st = WClassState.from_components(F(1, 2), F(1, 2), F(0), F(0))
    assert sep_lower_tree(st).value == 0
    res = locc_lower_tree(st)
    assert res.locc_lower == 0 and res.locc_sup_lower == 0


def test_float_state_accepted():
    st = WClassState.from_components(0.1, 0.3, 0.3, 0.3, renormalise=True)  # binary sum != 1
    assert st.normalised
    res = sep_lower_tree(st)
    assert float(res.value) > 0.618
    assert verify_tree_lower_certificate(res.certificate())[1] == res.value


# ---- certified PPT bounds ----------------------------------------------------------------------

@pytest.mark.parametrize("st", [SYM, WClassState.from_components(F(1, 20), F(1, 2), F(3, 10),
                                                                 F(3, 20)),
                                mixed(F(1, 10 ** 4)), mixed(F(1, 100)),
                                WClassState.from_components(F(1, 2), F(1, 10), F(3, 10), F(1, 10)),
                                WClassState.from_components(F(1, 50), F(49, 100), F(49, 100), 0)])
def test_lower_bounds_below_certified_ppt(st):
    from sdp import ppt_upper_bound
    ppt = ppt_upper_bound(st, certify=True).certified
    assert ppt is not None
    sep = sep_lower_tree(st)
    locc = locc_lower_tree(st)
    assert sep.value <= ppt
    assert locc.locc_sup_lower <= ppt and locc.locc_lower <= float(ppt)
    assert math.isfinite(float(ppt))


@pytest.mark.parametrize("leaf", ["sep", "kappa"])
def test_search_never_worse_with_depth(leaf):
    from analytics.offplane import search_chain
    st = mixed(F(1, 10 ** 4))
    found, values = None, []
    for d in (1, 2, 3):
        found = search_chain(st, d, leaf, warm=found)
        values.append(found.value)
    assert values[0] <= values[1] <= values[2]


@pytest.mark.parametrize("st, kind", [(SYM, "tree"), (WClassState(F(1, 2), F(3, 10), F(1, 5)), "eq7"),
                                      (WClassState(F(4, 5), F(1, 5), F(0)), "large_component")])
def test_as_dict(st, kind):
    sep = sep_lower_tree(st).as_dict()
    locc = locc_lower_tree(st, rounds=100).as_dict()
    json.dumps(sep), json.dumps(locc)
    assert sep["sep_lower_kind"] == kind and sep["sep_lower_arithmetic"] == "exact-rational"
    assert F(sep["sep_lower"]) <= F(sep["sep_lower_exact"])  # rounded down
    assert sum(F(sep[f"sep_p_{p}_exact"]) for p in ("AB", "AC", "BC")) == F(sep["sep_lower_exact"])
    assert F(locc["locc_sup_lower"]) <= F(locc["locc_sup_lower_exact"]) <= F(locc["kappa_exact"])
    assert locc["locc_lower"] <= locc["locc_sup_lower"] + 1e-12
