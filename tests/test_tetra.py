"""`sepgap sweep tetra --steps M`: every W-class state of multiples of 1/M, orbit by orbit."""
import math
from fractions import Fraction as F
from itertools import permutations

import pytest

from analytics.limits import MAX_SWEEP_POINTS
from experiments.families import FamilyError, simplex_family, tetra_family, tetra_size
from experiments.sweep import run_sweep
from cli_helpers import run_cli  # noqa: E402


@pytest.mark.parametrize("m", [1, 2, 3, 5, 10])
def test_count_and_coverage(m):
    fam = tetra_family(m)
    assert len(fam) == tetra_size(m) == math.comb(m + 3, 3)  # 4-part compositions of m
    comps = [p.components() for p in fam.points]
    assert len(set(comps)) == len(comps)
    want = {(F(a, m), F(i, m), F(j, m), F(m - a - i - j, m))
            for a in range(m + 1) for i in range(m - a + 1) for j in range(m - a - i + 1)}
    assert set(comps) == want


@pytest.mark.parametrize("m", [2, 4, 6])
def test_orbits_are_contiguous_and_start_sorted(m):
    fam = tetra_family(m)
    keys = fam.orbit_keys()
    seen, prev = set(), None
    for p, k in zip(fam.points, keys):
        if k != prev:
            assert k not in seen  # an orbit is listed in one block
            seen.add(k)
            x = p.components()[1:]
            assert list(x) == sorted(x, reverse=True)  # the block starts with its representative
        prev = k
    for k in seen:  # each block holds every distinct permutation
        x0, rest = k[0], k[1:]
        block = {p.components() for p, kk in zip(fam.points, keys) if kk == k}
        assert block == {(x0,) + q for q in set(permutations(rest))}


def test_oversize_refused_before_listing():
    m = 1
    while tetra_size(m) <= MAX_SWEEP_POINTS:
        m *= 2
    with pytest.raises(FamilyError, match="at most"):
        tetra_family(m)
    with pytest.raises(FamilyError, match="at most"):
        tetra_family(10 ** 9)  # would be 1.7e26 states: refused arithmetically, at once


def test_cli_oversize_one_line(tmp_path):
    code, out, err = run_cli(["sweep", "tetra", "--steps", "100000", "--out", str(tmp_path)])
    assert code == 2 and err.count("\n") == 1 and "at most" in err and out == ""


def test_x0_zero_slice_equals_simplex(tmp_path):
    """The x0 = 0 slice of the tetrahedron is the simplex: same states, same exact columns."""
    tet = run_sweep(tetra_family(2), tmp_path / "t", quiet=True)
    sim = run_sweep(simplex_family(2), tmp_path / "s", quiet=True, plot=False)
    cols = ("xA_exact", "xB_exact", "xC_exact", "kappa_exact", "sep_lower_exact",
            "sep_upper_certified_exact", "gap_certified_exact")
    slice0 = [r for r in tet.rows if r["x0_exact"] == "0"]
    assert [[r[c] for c in cols] for r in slice0] == [[r[c] for c in cols] for r in sim.rows]
    assert len(tet.rows) == 10 and all(r["sep_upper_kind"] == "certified" for r in tet.rows)
    # x0 = 1: |000>, no entanglement at all
    last = tet.rows[-1]
    assert last["x0_exact"] == "1" and last["kappa_exact"] == "0"
    for name in ("tetra.png", "tetra.pdf", "tetra-sep_upper.png", "tetra-gap_lower.png",
                 "tetra-ppt_minus_kappa.png", "tetra-sep_lower.png", "tetra-sep_lower.pdf"):
        assert (tmp_path / "t" / name).stat().st_size > 0
