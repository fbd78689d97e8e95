"""Party relabelling: a certificate for x, relabelled, certifies the permuted state with the same
bound (checked by the exact verifier); orbit reuse in sweeps keeps results independent of the
number of workers."""
import copy
import csv
from fractions import Fraction as F
from itertools import permutations

import pytest

from analytics import WClassState
from experiments.evaluate import TIMING_COLUMNS
from experiments.families import simplex_family
from experiments.sweep import make_chunks, run_sweep
from sdp import ppt_upper_bound, verify_certificate
from sdp.symmetry import inverse, permute_certificate, sorting_permutation

PERMS = ["".join(p) for p in permutations("ABC")]


@pytest.fixture(scope="module", params=[(F(3, 5), F(3, 10), F(1, 10)),
                                        (F(1, 10), F(2, 5), F(3, 10), F(1, 5)),
                                        (F(1, 2), F(1, 2), 0)],
                ids=["x0=0", "x0>0", "two-qubit"])
def certified(request):
    st = WClassState.from_sequence(request.param)
    res = ppt_upper_bound(st, certify=True)
    assert res.kind == "certified"
    return st, res


@pytest.mark.parametrize("perm", PERMS)
def test_relabelled_certificate_verifies_for_the_permuted_state(certified, perm):
    st, res = certified
    cert = permute_certificate(res.certificate, perm)
    ver = verify_certificate(cert)
    assert ver.valid, ver.reason
    assert ver.bound == res.certified
    want = st.permuted(perm).exact()
    assert [F(cert["state"][k]) for k in ("x0", "xA", "xB", "xC")] == [want.x0, want.xA, want.xB, want.xC]


def test_relabelling_is_not_a_free_pass(certified):
    st, res = certified
    cert = permute_certificate(res.certificate, "BCA")
    cert["state"] = copy.deepcopy(res.certificate["state"])  # claim it for the unpermuted state
    if st.permuted("BCA").exact() != st.exact():
        assert not verify_certificate(cert).valid


@pytest.mark.parametrize("perm", PERMS)
def test_inverse_and_sorting(perm):
    st = WClassState(F(1, 2), F(1, 3), F(1, 6))
    assert st.permuted(perm).permuted(inverse(perm)) == st
    q = st.permuted(perm)
    assert q.permuted(sorting_permutation(q.x)).x == (F(1, 2), F(1, 3), F(1, 6))


def test_chunks_end_on_orbit_boundaries():
    fam = simplex_family(6)
    keys = fam.orbit_keys()
    chunks = make_chunks(len(fam), 8, keys)
    assert [i for c in chunks for i in c] == list(range(len(fam)))
    for a, b in zip(chunks, chunks[1:]):
        assert keys[a[-1]] != keys[b[0]]


def _table(path):
    with open(path, newline="") as f:
        return [{k: v for k, v in r.items() if k not in TIMING_COLUMNS} for r in csv.DictReader(f)]


def test_orbit_reuse_gives_identical_rows_for_any_worker_count(tmp_path):
    runs = {}
    for workers in (1, 2):
        out = tmp_path / f"w{workers}"
        res = run_sweep(simplex_family(6), out, name="sx", workers=workers, quiet=True,
                        locc_rounds=None, plot=False)
        assert res.summary["uncertified"] == []
        runs[workers] = _table(out / "sx.csv")
    assert runs[1] == runs[2]
    notes = [r["sep_upper_note"] for r in runs[1]]
    assert any("relabelled" in (n or "") for n in notes)
