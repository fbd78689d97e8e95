"""Exact, closed-form side of sepgap: W-class states, the monotones eta and kappa, explicit
separable instruments and LOCC protocols, and exact checks of all of them."""
from .errors import InstrumentError, InvalidStateError, SepgapError
from .monotones import eta, eta_array, kappa, kappa_array, kappa_psi
from .states import PAIRS, PARTIES, WClassState, as_state, parse_number, psi_s

__all__ = [
    "SepgapError", "InvalidStateError", "InstrumentError",
    "WClassState", "as_state", "parse_number", "psi_s", "PARTIES", "PAIRS",
    "eta", "kappa", "kappa_psi", "eta_array", "kappa_array",
]
