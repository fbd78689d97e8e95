"""Results several test modules look at, computed once per session (a tree search takes about a
second; the default suite is on a time budget)."""
from fractions import Fraction as F
from functools import lru_cache

from analytics import WClassState, sep_lower_bound

#: The off-plane state of the README and the docs: (x0; xA, xB, xC) = (1/100; 1/2, 3/10, 19/100).
OFF = WClassState.from_components(F(1, 100), F(1, 2), F(3, 10), F(19, 100))


@lru_cache(maxsize=None)
def off_plane_lower_bound():
    """:func:`analytics.sep_lower_bound` of :data:`OFF` with the tree method (a measurement
    tree; the default ``auto`` also runs the LP search, up to 20 s)."""
    return sep_lower_bound(OFF, method="tree")
