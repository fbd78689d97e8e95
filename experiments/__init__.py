"""Families of states, sweeps (Fig. 1 of the paper), tables, plots and the `sepgap` CLI."""
