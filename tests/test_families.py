"""State families: exact values, order, ids, errors."""
from fractions import Fraction as F

import pytest

from analytics import WClassState, psi_s
from experiments.families import (FamilyError, custom_family, grid_family, psi_family,
                                  simplex_family, vacuum_family)


def test_psi_family_exact_values():
    fam = psi_family("1/3", "1/2", 101)
    assert len(fam) == 101
    s = [p.params["s"] for p in fam.points]
    assert s[0] == F(1, 3) and s[-1] == F(1, 2) and s[50] == F(5, 12)
    assert all(isinstance(v, F) for v in s)
    assert fam.points[100].state == psi_s(F(1, 2))
    assert fam.points[7].id == "psi-0007"
    assert [p.index for p in fam.points] == list(range(101))


def test_psi_family_single_point_and_errors():
    assert len(psi_family("1/2", "1/2", 1)) == 1
    with pytest.raises(FamilyError, match="larger than"):
        psi_family("0.6", "0.5", 3)
    with pytest.raises(FamilyError, match="outside"):
        psi_family("0", "1.5", 3)
    with pytest.raises(FamilyError, match="outside"):
        psi_family("-1/10", "1/2", 3)
    with pytest.raises(FamilyError, match="at least 1"):
        psi_family("1/3", "1/2", 0)
    with pytest.raises(FamilyError, match="single value"):
        psi_family("1/3", "1/2", 1)
    with pytest.raises(FamilyError, match="--points 1"):
        psi_family("1/3", "1/3", 5)
    with pytest.raises(FamilyError, match="--smin"):
        psi_family("abc", "1/2", 3)


def test_simplex_family_covers_triangle_orbit_by_orbit():
    fam = simplex_family(4)
    xs = [p.state.x for p in fam.points]
    assert len(xs) == 15 == len(set(xs))
    assert all(sum(x) == 1 and p.state.x0 == 0 for x, p in zip(xs, fam.points))
    assert (F(1, 2), F(1, 4), F(1, 4)) in xs
    assert fam.orbit_reuse
    # each orbit under party permutations is listed together, its sorted representative first
    reps = [tuple(sorted(x, reverse=True)) for x in xs]
    seen = []
    for r in reps:
        if not seen or seen[-1] != r:
            assert r not in seen  # an orbit never reappears later
            seen.append(r)
    firsts = [x for i, x in enumerate(xs) if i == 0 or reps[i] != reps[i - 1]]
    assert all(x == tuple(sorted(x, reverse=True)) for x in firsts)
    with pytest.raises(FamilyError):
        simplex_family(0)


def test_vacuum_family():
    fam = vacuum_family(0, 1, 5)
    assert [p.state.x0 for p in fam.points] == [0, F(1, 4), F(1, 2), F(3, 4), 1]
    assert fam.points[1].state.x == (F(1, 4),) * 3
    assert fam.location(fam.points[2]) == "x0 = 1/2"


def test_grid_family_counts_and_options():
    assert len(grid_family(4)) == 35  # C(7, 3)
    fam = grid_family(4, sorted_only=True)
    assert all(p.state.xA >= p.state.xB >= p.state.xC for p in fam.points)
    sl = grid_family(2, x0_values=[0, F(1, 10), 1])
    x0s = sorted({p.state.x0 for p in sl.points})
    assert x0s == [0, F(1, 10), 1]
    assert sum(1 for p in sl.points if p.state.x0 == 1) == 1  # duplicates of |000> kept once
    assert WClassState.from_components(F(1, 10), F(9, 20), F(9, 20), 0) in [p.state for p in sl.points]
    with pytest.raises(FamilyError, match="outside"):
        grid_family(2, x0_values=[2])


def test_custom_family_forms():
    a = custom_family([(F(1, 2), F(1, 4), F(1, 4)), ("1/10", "2/5", "3/10", "1/5")])
    assert a.points[1].state.x0 == F(1, 10) and a.plot == "scatter"
    b = custom_family(lambda t: (t, (1 - t) / 2, (1 - t) / 2), params=[F(1, 3), F(1, 2)])
    assert b.param_names == ("t",) and b.plot == "line"
    assert b.points[1].state == psi_s(F(1, 2))
    c = custom_family(lambda: [WClassState(F(1, 3), F(1, 3), F(1, 3))])
    assert len(c) == 1
    with pytest.raises(FamilyError, match="state 0"):
        custom_family([(F(1, 2), F(1, 2), F(1, 2))])
    with pytest.raises(FamilyError, match="no states"):
        custom_family([])


def test_fingerprint_distinguishes_families():
    assert psi_family("1/3", "1/2", 3).fingerprint() == psi_family("1/3", "0.5", 3).fingerprint()
    assert psi_family("1/3", "1/2", 3).fingerprint() != psi_family("1/3", "1/2", 4).fingerprint()


@pytest.mark.parametrize("build, count", [
    (lambda: simplex_family(100000), "5,000,150,001"),
    (lambda: psi_family("1/3", "1/2", 100_000_000), "100,000,000"),
    (lambda: grid_family(1000), "167,668,501"),
    (lambda: grid_family(1000, ["0", "1/2", "1/3", "1/4"]), "2,006,004"),
    (lambda: vacuum_family(0, 1, 10**5000), "more than 10^300"),
])
def test_sizes_are_counted_before_listing(build, count):
    """Issue 12 item 6: `sweep simplex --steps 100000` grew to 12 GB before computing
    anything. The count is arithmetic (C(M+2, 2), C(M+3, 3), N), so refusing is instant."""
    import re
    import time

    from analytics.limits import MAX_SWEEP_POINTS, SizeError
    t0 = time.process_time()
    with pytest.raises(SizeError, match=re.escape(f"has {count} points; at most {MAX_SWEEP_POINTS:,}")):
        build()
    assert time.process_time() - t0 < 1.0  # generous: listing would take minutes


def test_largest_allowed_count_matches_listing():
    """The arithmetic counts equal the listed ones (so the guard refuses exactly what it says)."""
    from math import comb
    for m in (1, 2, 5, 9):
        assert len(simplex_family(m)) == comb(m + 2, 2)
        assert len(grid_family(m)) == comb(m + 3, 3)
        assert len(grid_family(m, ["1/7", "2/7"])) == 2 * comb(m + 2, 2)
