"""Any three-qubit state: exact input, canonical form and class, W-class routing, the
one-measurement protocol (issue 19, items 1, 2 and 4)."""
import json
from fractions import Fraction as F

import numpy as np
import pytest

from analytics.canonical import (canonical_form, entanglement_class, hyperdeterminant,
                                 reduced_det, w_class_form)
from analytics.gaussian import GaussianRational as G
from analytics.gaussian import complex_str, parse_complex
from analytics.general_locc import check_measure_vidal, exact_value, measure_vidal_protocol
from analytics.general_states import AmplitudeError, load_state_file, three_qubit_state
from analytics.states import WClassState
from tests.cli_helpers import run_cli

# ---- exact complex syntax ---------------------------------------------------------------------


@pytest.mark.parametrize("text,re,im", [
    ("1/2+1/2j", F(1, 2), F(1, 2)), ("-3/5j", 0, F(-3, 5)), ("j", 0, 1), ("-j", 0, -1),
    ("0.25", F(1, 4), 0), ("1/2j", 0, F(1, 2)), ("1e-3-2e-1j", F(1, 1000), F(-1, 5)),
    ("1/2+j", F(1, 2), 1), ("-7", -7, 0)])
def test_parse_complex_exact(text, re, im):
    z = parse_complex(text)
    assert (z.re, z.im) == (F(re), F(im))
    assert parse_complex(complex_str(z)) == z  # the printed form reads back exactly


@pytest.mark.parametrize("text", ["nan", "inf", "1/0", "1+2", "abc", "1/2 + 1/2j", "", "j1",
                                  "1e99999j"])
def test_parse_complex_refuses(text):
    with pytest.raises(AmplitudeError.__mro__[1]):  # InvalidStateError
        parse_complex(text)


# ---- the state --------------------------------------------------------------------------------

def test_state_exact_and_floats_exact():
    st = three_qubit_state(["3/5", 0, 0, 0, 0, 0, 0, "4/5j"])
    assert st.exact_input and st.norm2 == 1 and st.psi[7] == G(0, F(4, 5))
    fl = three_qubit_state([0.6, 0, 0, 0, 0, 0, 0, 0.8j])
    assert not fl.exact_input and fl.psi[0] == G(F(0.6))  # the binary value, exactly
    assert fl.normalised == (fl.norm2 != 1)


@pytest.mark.parametrize("amps,why", [
    ([1, 0, 0], "8 amplitudes"), ([0] * 8, "zero vector"),
    ([float("nan")] + [0] * 7, "NaN"), (["1/2"] + [0] * 7, "squared norm 0.25"),
    ([1, 1, 0, 0, 0, 0, 0, 0], "squared norm 2"), ([complex(1, float("inf"))] + [0] * 7, "finite"),
    ([True] + [0] * 7, "not an amplitude")])
def test_state_refused(amps, why):
    with pytest.raises(AmplitudeError, match=why):
        three_qubit_state(amps)


def test_normalise_keeps_exact_values():
    st = three_qubit_state([1, 0, 0, 0, 0, 0, 0, 1], normalise=True)
    assert st.normalised and st.norm2 == 2 and st.psi[0] == G(1)


def test_state_files(tmp_path):
    (tmp_path / "a.json").write_text(json.dumps(["1/2", "1/2j", "1/2", 0, "-1/2", 0, 0, 0]))
    (tmp_path / "b.json").write_text(json.dumps({"amplitudes": [[0.6, 0], 0, 0, 0, 0, 0, 0,
                                                                [0, 0.8]]}))
    np.save(tmp_path / "c.npy", np.array([0.6, 0, 0, 0, 0, 0, 0, 0.8j]))
    assert load_state_file(tmp_path / "a.json").psi[1] == G(0, F(1, 2))
    assert load_state_file(tmp_path / "b.json").psi[7] == G(0, F(0.8))
    assert load_state_file(tmp_path / "c.npy").psi[7] == G(0, F(0.8))
    (tmp_path / "d.json").write_text(json.dumps({"amplitudes": [1] + [0] * 7, "extra": 1}))
    with pytest.raises(AmplitudeError, match="unknown field"):
        load_state_file(tmp_path / "d.json")
    (tmp_path / "e.json").write_text("[1, 0,")
    with pytest.raises(AmplitudeError, match="not valid JSON"):
        load_state_file(tmp_path / "e.json")
    with pytest.raises(AmplitudeError, match="no such state file"):
        load_state_file(tmp_path / "missing.json")


# ---- canonical form and class -----------------------------------------------------------------

def _random_state(rng, complex_=True):
    v = rng.normal(size=8) + (1j * rng.normal(size=8) if complex_ else 0)
    return v / np.linalg.norm(v)


def _random_unitary(rng):
    z = rng.normal(size=(2, 2)) + 1j * rng.normal(size=(2, 2))
    q, r = np.linalg.qr(z)
    return q * (np.diag(r) / abs(np.diag(r)))


def _local(psi, U):
    return np.einsum("ai,bj,ck,ijk->abc", *U, psi.reshape(2, 2, 2)).reshape(8)


def test_canonical_form_reproduces_state_and_invariants():
    rng = np.random.default_rng(7)
    for _ in range(20):
        psi = _random_state(rng)
        c = canonical_form(psi)
        assert np.allclose(_local(psi, c.unitaries), c.vector(), atol=1e-9)
        for U in c.unitaries:
            assert np.allclose(U @ U.conj().T, np.eye(2), atol=1e-12)
        assert all(x >= 0 for x in c.l) and -np.pi <= c.phi <= np.pi
        # 3-tangle two ways: 4 |Det psi| (exact invariant) and 4 l0^2 l4^2 (canonical form)
        assert c.cls.tangle == pytest.approx(4 * c.l[0] ** 2 * c.l[4] ** 2, abs=1e-9)
        # local unitaries change neither the canonical coefficients nor phi
        c2 = canonical_form(_local(psi, [_random_unitary(rng) for _ in range(3)]))
        assert np.allclose(c.l, c2.l, atol=1e-7) and c.phi == pytest.approx(c2.phi, abs=1e-7)


def _rational_unitary(a, b, phase):
    """An exact unitary from a Pythagorean pair (a^2 + b^2 = 1) and a phase in {1, i, -1, -i}."""
    return [[G(a), G(-b) * phase], [G(b), G(a) * phase]]


def _apply_exact(psi, party, U):
    out = [G(0)] * 8
    k = "ABC".index(party)
    for i in range(8):
        bit = (i >> (2 - k)) & 1
        for nb in (0, 1):
            j = i ^ ((bit ^ nb) << (2 - k))
            out[j] = out[j] + U[nb][bit] * psi[i]
    return out


def test_w_class_form_exact_after_exact_local_unitaries():
    # sqrt(x0)|000> + ... with rational amplitudes, phases, then exact local rotations
    base = [F(1, 2), F(1, 2), F(1, 2), 0, F(1, 2), 0, 0, 0]  # x0 = xA = xB = xC = 1/4
    psi = [G(a) for a in base]
    psi[1] = psi[1] * G(0, 1)                       # one amplitude times i
    psi = _apply_exact(psi, "A", _rational_unitary(F(3, 5), F(4, 5), G(0, 1)))
    psi = _apply_exact(psi, "C", _rational_unitary(F(5, 13), F(12, 13), G(-1)))
    st = three_qubit_state(psi)
    cls = entanglement_class(st)
    assert cls.name == "W" and cls.exact and cls.tangle_sq == 0
    assert w_class_form(st) == WClassState(F(1, 4), F(1, 4), F(1, 4), x0=F(1, 4))


@pytest.mark.parametrize("amps,name,pair", [
    (["3/5", 0, 0, 0, 0, 0, 0, "4/5j"], "GHZ", None),
    ([0, "3/5", "4/5j", 0, 0, 0, 0, 0], "biseparable", "BC"),
    ([0, 0, 0, 0, "3/5", 0, 0, "4/5"], "biseparable", "BC"),
    (["3/5", 0, 0, "4/5", 0, 0, 0, 0], "biseparable", "BC"),
    (["3/5", 0, "4/5", 0, 0, 0, 0, 0], "product", None),
    (["1/2", "1/2", "1/2", 0, "1/2j", 0, 0, 0], "W", None),
    (["9/25", "12/25j", "12/25", "16/25j", 0, 0, 0, 0], "product", None)])
def test_classes_exact(amps, name, pair):
    cls = entanglement_class(amps)
    assert (cls.name, cls.pair, cls.exact) == (name, pair, True)


def test_float_w_state_is_w_within_tolerance():
    r = 3 ** -0.5
    w = np.zeros(8, complex)
    w[[0, 3, 5]] = r, 1j * r, r          # |000>, |011>, |101>: W-class in a flipped basis
    w = _local(w, [np.array([[0, 1], [1, 0]]), np.eye(2), np.eye(2)])
    cls = entanglement_class(w)
    assert cls.name == "W"
    x = w_class_form(w)
    assert float(x.x0) + float(x.xA) + float(x.xB) + float(x.xC) == pytest.approx(1)


def test_invariants_exact_values():
    ghz = [G(F(3, 5))] + [G(0)] * 6 + [G(0, F(4, 5))]
    assert hyperdeterminant(ghz) == G(F(-144, 625))       # a000^2 a111^2
    assert reduced_det(ghz, "A") == F(144, 625)


# ---- the one-measurement protocol -------------------------------------------------------------

def test_ghz_gives_one_by_locc():
    g = np.zeros(8)
    g[0] = g[7] = 2 ** -0.5
    res = measure_vidal_protocol(g, optimise=False)
    assert res.value == 1 and res.checked


@pytest.mark.parametrize("a,b", [(F(3, 5), G(0, F(4, 5))), (F(12, 13), G(0, F(5, 13))),
                                 (F(1), G(0))])
def test_generalised_ghz_one_measurement_exact(a, b):
    st = three_qubit_state([a, 0, 0, 0, 0, 0, 0, b])
    want = 2 * min(a * a, b.abs2())
    res = measure_vidal_protocol(st)
    assert res.value == want and res.checked   # exact, and no basis found above it


def test_protocol_value_matches_simulation_on_random_states():
    rng = np.random.default_rng(3)
    for _ in range(2):
        psi = _random_state(rng)
        res = measure_vidal_protocol(psi)
        st = three_qubit_state(psi)
        check_measure_vidal(st, res)          # raises if the explicit protocol disagrees
        assert 0 < res.value <= 1
        assert exact_value(st, res.party, res.u) == res.value


def test_w_state_one_measurement_is_two_thirds():
    w = np.zeros(8)
    w[[1, 2, 4]] = 3 ** -0.5
    assert float(measure_vidal_protocol(w).value) == pytest.approx(2 / 3, abs=1e-12)


# ---- command line -----------------------------------------------------------------------------

@pytest.mark.parametrize("args,msg", [
    (["--amplitudes", "1", "0", "0"], "8 amplitudes"),
    (["--amplitudes"] + ["0"] * 8, "zero vector"),
    (["--amplitudes", "nan"] + ["0"] * 7, "not a complex number"),
    (["--amplitudes", "1/2"] + ["0"] * 7, "squared norm 0.25"),
    (["--amplitudes", "1", "1"] + ["0"] * 6, "squared norm 2"),
    (["1/2", "1/4", "1/4", "--amplitudes", "1"] + ["0"] * 7, "replaces XA XB XC"),
    ([], "required: XA, XB, XC (or give a state by --amplitudes"),
    (["--state-file", "/nonexistent/state.json"], "no such state file")])
def test_cli_bad_input_one_line_exit_2(args, msg):
    rc, out, err = run_cli(["bound", *args])
    assert rc == 2 and out == ""
    assert msg in err and err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.slow
def test_cli_w_class_with_phases_routes_to_w_engine():
    """A W-class state with one amplitude times i (and an A-basis flip) gets exactly the W
    engine's numbers for its W-class form."""
    rc, out, _ = run_cli(["bound", "--amplitudes", "1/2", "1/2j", "1/2", "0", "-1/2", "0", "0",
                          "0", "--json", "--locc-rounds", "10", "--lower", "tree"])
    assert rc == 0
    routed = json.loads(out)
    rc, out, _ = run_cli(["bound", "1/4", "1/4", "1/4", "--x0", "1/4", "--json",
                          "--locc-rounds", "10", "--lower", "tree"])
    direct = json.loads(out)
    assert routed["routed_to"] == "w_class" and routed["class"] == "W" and routed["class_exact"]
    assert routed["sep_upper_kind"] == "certified"
    assert routed["sep_upper_certified_exact"] == direct["sep_upper_certified_exact"]
    for key in ("kappa_exact", "sep_lower_exact", "locc_upper_exact", "gap_upper_exact"):
        assert routed[key] == direct[key]


def test_cli_general_state_no_sdp_from_file(tmp_path):
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"amplitudes": ["3/5", 0, 0, 0, 0, 0, 0, "4/5j"], "name": "ghz"}))
    rc, out, err = run_cli(["bound", "--state-file", str(path), "--no-sdp", "--json",
                            "--lower", "tree"])
    assert rc == 0 and err == ""
    rep = json.loads(out)
    assert rep["class"] == "GHZ" and rep["locc_lower_exact"] == "18/25"
    assert rep["sep_lower_exact"] == "18/25" and rep["sep_upper"] is None
    # no PPT bound: locc_upper is the cut monotone, 3 min(|a|^2, |b|^2) = 27/25 (rounded up)
    assert rep["locc_upper_kind"] == "monotone:cut"
    assert F(27, 25) <= F(rep["locc_upper_exact"]) < F(27, 25) + F(1, 10 ** 30)
    assert rep["locc_one_measurement_exact"] == "18/25" and rep["locc_tree_depth"] == 0
    assert rep["canonical_l"] == pytest.approx([0.8, 0, 0, 0, 0.6])


def test_extreme_magnitudes_scale_out():
    """Amplitudes of 1e-200 (squares underflow in floats): class, canonical form and the
    protocol value are those of the same state at scale 1."""
    small = three_qubit_state(["1e-200", "1e-200j", 0, 0, "1e-200", 0, 0, 0], normalise=True)
    unit = three_qubit_state(["1", "1j", 0, 0, "1", 0, 0, 0], normalise=True)
    assert entanglement_class(small).name == entanglement_class(unit).name == "biseparable"
    assert np.allclose(canonical_form(small).l, canonical_form(unit).l)
    # both rigorous (square roots rounded up at 64 bits relative to their size)
    assert abs(measure_vidal_protocol(small, optimise=False).value
               - measure_vidal_protocol(unit, optimise=False).value) < 1e-15
    c = canonical_form(three_qubit_state([1, 0, 0, 0, 0, 0, 0, "1e-300j"], normalise=True))
    assert np.all(np.isfinite(c.l)) and c.l[0] == pytest.approx(1)
