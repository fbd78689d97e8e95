"""Families of states, sweeps (Fig. 1 of the paper), tables, plots and the `sepgap` CLI.

One call gives every number of a state: ``experiments.bracket(state) -> Bracket``
(:mod:`experiments.brackets`; the numbers of ``sepgap bound --json``).
"""
from .brackets import Bracket, bracket

__all__ = ["Bracket", "bracket"]
