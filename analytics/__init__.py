"""Exact, closed-form side of sepgap: W-class states, the monotones eta and kappa, explicit
separable instruments and LOCC protocols, and exact checks of all of them."""
from .errors import InstrumentError, InvalidStateError, SepgapError
from .monotones import eta, eta_array, kappa, kappa_array, kappa_psi
from .states import PAIRS, PARTIES, WClassState, as_state, parse_number, psi_s
from .instruments import (DenseKraus, DiagonalFactor, Instrument, ProductKraus, eq7_instrument,
                          large_component_instrument, trivial_instrument)
from .checks import InstrumentCheck, check_instrument
from .plane import SepLowerBound, plane_lower_bound
from .measurements import (BranchTree, InvalidMeasurementError, KrausOutcome, LocalMeasurement,
                           epr_pair, measure, measure_statevector, simulate)
from .locc import (FLResult, LOCCResult, ProtocolError, fortescue_lo, projective_vidal_protocol,
                   theorem2_locc_lower, theorem2_protocol)
from .tree_certificates import (TreeCertificateError, TreeLeaf, TreeNode, TreeOutcome,
                                evaluate_tree, flatten_tree, tree_certificate,
                                verify_tree_lower_certificate)
from .kraus import (ExportError, HasKrausOperators, KrausOperators, NoInstrumentError,
                    kraus_operators)
from .offplane import (DEFAULT_LOCC_DEPTH, DEFAULT_SEP_DEPTH, LOCCLowerTree, OffPlaneError,
                       SepLowerTree, locc_lower_tree, sep_lower_tree)
from .locc_tree import (LOCCTreeBound, LOCCTreeError, locc_tree_bound, locc_tree_certificate,
                        verify_locc_tree_certificate)
from .monotone_check import MonotoneCheckError, MonotoneViolation, find_monotone_violation
from .monotone_candidates import cut_monotone, cut_upper, min_kappa_cut
from .separable_lp import LPSolution, SeparableLPError, solve_separable_lp
from .lp_certificates import (LPCertificateError, LPLowerBound, exact_lp_instrument,
                              verify_lp_lower_certificate)
from .lower import locc_lower_bound, sep_lower_bound
from .headline import KappaIncrease, headline, kappa_after_instrument, kappa_increase

__all__ = [
    "SepgapError", "InvalidStateError", "InstrumentError",
    "WClassState", "as_state", "parse_number", "psi_s", "PARTIES", "PAIRS",
    "eta", "kappa", "kappa_psi", "eta_array", "kappa_array",
    "DiagonalFactor", "ProductKraus", "DenseKraus", "Instrument", "eq7_instrument",
    "large_component_instrument", "trivial_instrument", "SepLowerBound", "sep_lower_bound",
    "InstrumentCheck", "check_instrument",
    "KappaIncrease", "headline", "kappa_after_instrument", "kappa_increase",
    "InvalidMeasurementError", "KrausOutcome", "LocalMeasurement", "BranchTree", "measure",
    "measure_statevector", "simulate", "epr_pair",
    "ProtocolError", "FLResult", "LOCCResult", "fortescue_lo", "theorem2_protocol",
    "theorem2_locc_lower", "projective_vidal_protocol", "locc_lower_bound",
    "TreeCertificateError", "TreeLeaf", "TreeNode", "TreeOutcome", "evaluate_tree", "flatten_tree",
    "tree_certificate", "verify_tree_lower_certificate",
    "OffPlaneError", "SepLowerTree", "LOCCLowerTree", "sep_lower_tree", "locc_lower_tree",
    "DEFAULT_SEP_DEPTH", "DEFAULT_LOCC_DEPTH", "plane_lower_bound",
    "KrausOperators", "HasKrausOperators", "kraus_operators", "NoInstrumentError", "ExportError",
    "LPSolution", "SeparableLPError", "solve_separable_lp", "LPCertificateError", "LPLowerBound",
    "exact_lp_instrument", "verify_lp_lower_certificate",
    "LOCCTreeBound", "LOCCTreeError", "locc_tree_bound", "locc_tree_certificate",
    "verify_locc_tree_certificate", "MonotoneCheckError", "MonotoneViolation",
    "find_monotone_violation", "cut_monotone", "cut_upper", "min_kappa_cut",
]
