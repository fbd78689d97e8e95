"""Convex relaxations of the optimal SEP probability (upper bounds) and their certificates.

Nothing here imports an SDP solver at import time: solvers load when a relaxation is solved,
so :func:`verify_certificate` runs without one.
"""
from .certificate import CertificateError, VerificationResult, verify_certificate, verify_file
from .engine import CLARABEL_DEFAULTS, SCS_DEFAULTS, SOLVERS, SolverError
from .bounds import ppt_upper_bound, sep_upper_bound, trivial_upper_bound
from .ppt import PPTBound, SolveFailed, solve_ppt
from .relaxation import RelaxationSpec

__all__ = [
    "ppt_upper_bound", "sep_upper_bound", "solve_ppt", "trivial_upper_bound", "PPTBound", "SolveFailed", "SolverError", "RelaxationSpec",
    "SOLVERS", "SCS_DEFAULTS", "CLARABEL_DEFAULTS",
    "verify_certificate", "verify_file", "VerificationResult", "CertificateError",
]
