"""Exact, closed-form side of sepgap: W-class states, the monotones eta and kappa, explicit
separable instruments and LOCC protocols, and exact checks of all of them."""
from .errors import InstrumentError, InvalidStateError, SepgapError
from .monotones import eta, eta_array, kappa, kappa_array, kappa_psi
from .states import PAIRS, PARTIES, WClassState, as_state, parse_number, psi_s
from .instruments import (DenseKraus, DiagonalFactor, Instrument, ProductKraus, SepLowerBound,
                          eq7_instrument, large_component_instrument, sep_lower_bound,
                          trivial_instrument)
from .checks import InstrumentCheck, check_instrument
from .headline import KappaIncrease, headline, kappa_after_instrument, kappa_increase

__all__ = [
    "SepgapError", "InvalidStateError", "InstrumentError",
    "WClassState", "as_state", "parse_number", "psi_s", "PARTIES", "PAIRS",
    "eta", "kappa", "kappa_psi", "eta_array", "kappa_array",
    "DiagonalFactor", "ProductKraus", "DenseKraus", "Instrument", "eq7_instrument",
    "large_component_instrument", "trivial_instrument", "SepLowerBound", "sep_lower_bound",
    "InstrumentCheck", "check_instrument",
    "KappaIncrease", "headline", "kappa_after_instrument", "kappa_increase",
]
