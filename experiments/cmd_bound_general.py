"""``sepgap bound --amplitudes A000 ... A111`` and ``--state-file FILE``: any three-qubit state.

Amplitudes are indexed ``4a + 2b + c`` (``A100`` is the 5th number) and read exactly in the
syntax of :mod:`analytics.gaussian` (``1/2``, ``0.6``, ``-3/5j``, ``1/2+1/2j``; write ``-1j``
or ``-j`` for minus i). A state file is JSON (a list of 8 amplitudes, numbers or strings in that
syntax or ``[re, im]`` pairs, or ``{"amplitudes": [...]}``) or a ``.npy`` vector. The squared
norm must be 1 (exactly for exact input, up to 1e-12 for floats) unless ``--normalise``.

A W-class state (whatever its phases and local bases) is routed to the W-class machinery for
its exactly LU-equivalent form ``x`` and printed like ``sepgap bound XA XB XC``, after its
canonical form; any other state gets the brackets of :func:`experiments.general.general_bracket`,
with the LOCC protocol it used (depth, nodes, the tree); ``--save-locc-cert FILE`` writes its
certificate (``locc_lower_bound_general``, re-checked by ``sepgap verify FILE``).
"""
from __future__ import annotations

import json
import sys

from analytics.errors import InvalidStateError, SepgapError
from analytics.general_locc_cert import general_locc_certificate, verify_general_locc_certificate
from analytics.general_locc_tree import tree_lines
from analytics.general_states import AmplitudeError, load_state_file, three_qubit_state

from .cli_args import parse_solver_options, state_from_args
from .general import canonical_keys, format_general, general_bracket, locc_lower_general, route
from .verifiers import verify_result


def add_amplitude_arguments(p) -> None:
    g = p.add_argument_group("any three-qubit state (instead of XA XB XC)")
    g.add_argument("--amplitudes", nargs="+", metavar="A",
                   help="the 8 amplitudes A000 A001 ... A111 (index 4a+2b+c), exact: 1/2, 0.6, "
                        "-3/5j, 1/2+1/2j")
    g.add_argument("--state-file", metavar="FILE",
                   help="the 8 amplitudes from a JSON list (numbers, strings like \"1/2+1/2j\", "
                        "or [re, im]) or a .npy vector")
    g.add_argument("--normalise", action="store_true",
                   help="divide the amplitudes by their norm (default: refuse a vector whose "
                        "squared norm is not 1)")


def general_input(args) -> tuple:
    """``(ThreeQubitState or None, WClassState or None)`` from the arguments (one line on error)."""
    given = [n for n, v in (("--amplitudes", args.amplitudes), ("--state-file", args.state_file))
             if v is not None]
    if len(given) == 2:
        raise SepgapError("give --amplitudes or --state-file, not both")
    if given:
        if args.XA is not None or args.x0 is not None:
            raise SepgapError(f"{given[0]} replaces XA XB XC and --x0: give one state")
        if args.amplitudes is not None:
            if len(args.amplitudes) != 8:
                raise AmplitudeError(f"--amplitudes: a three-qubit state has 8 amplitudes "
                                     f"(A000 ... A111, index 4a+2b+c), got {len(args.amplitudes)}")
            try:
                st = three_qubit_state(args.amplitudes, normalise=args.normalise)
            except AmplitudeError as exc:
                raise AmplitudeError(f"--amplitudes: {exc}") from None
        else:
            st = load_state_file(args.state_file, normalise=args.normalise)
        return route(st)
    if args.normalise:
        raise SepgapError("--normalise applies to --amplitudes or --state-file")
    missing = [n for n in ("XA", "XB", "XC") if getattr(args, n) is None]
    if missing:
        # argparse's own words and exit (status 2, one line), as when XA XB XC were required
        msg = f"the following arguments are required: {', '.join(missing)}"
        if len(missing) == 3:
            msg += " (or give a state by --amplitudes A000 ... A111 or --state-file FILE)"
        parser = getattr(args, "parser", None)
        if parser is not None:
            parser.error(msg)
        raise InvalidStateError(msg)
    return None, state_from_args(args)


def routed_keys(amp_state, w_state) -> dict:
    keys = canonical_keys(amp_state)
    keys["routed_to"] = "w_class"
    keys["w_form"] = str(w_state)
    return keys


def format_routed(report: dict) -> str:
    l0, l1, l2, l3, l4 = report["canonical_l"]
    return "\n".join([
        f"input       psi = [{', '.join(report['amplitudes_exact'])}]"
        + ("  (divided by its norm)" if report["normalised"] else ""),
        f"class       {report['class_text']}",
        f"canonical   l0 = {l0:.9g}, l1 = {l1:.9g}, l2 = {l2:.9g}, l3 = {l3:.9g}, l4 = {l4:.9g}, "
        f"phi = {report['canonical_phi']:.9g}",
        f"routed      W-class machinery for the local-unitarily equivalent {report['w_form']}"
        + (" (exact)" if report["class_exact"] else " (float form)"),
    ])


def run_general(state, args, write_json_atomic) -> int:
    """Print the brackets of a non-W-class state; ``write_json_atomic(path, obj)`` saves files."""
    for flag, val in (("--no-shortcut", args.no_shortcut), ("--locc-rounds", args.locc_rounds)):
        if val:
            raise SepgapError(f"{flag} applies to W-class states only; this state is "
                              f"{canonical_keys(state)['class_text']}")
    certify = not args.no_certify
    proto = locc_lower_general(state)
    rep, res, lower = general_bracket(state, pairs=args.pairs,
                                      objective="fidelity" if args.fidelity else "exact",
                                      solver=args.solver,
                                      solver_options=parse_solver_options(args.solver_option),
                                      certify=certify, sdp=not args.no_sdp, locc=proto,
                                      lower=args.lower, lower_budget=args.lower_budget)
    lower_line = _save_lower_general(lower, rep, args.save_lower_cert, write_json_atomic)
    rep["locc_tree"] = tree_lines(proto.tree, proto.evaluation)
    if getattr(args, "save_locc_cert", None):
        cert = general_locc_certificate(proto.state, proto.tree, proto.evaluation)
        check = verify_general_locc_certificate(cert)
        if not check.valid:  # never expected: the protocol was checked
            raise SepgapError(f"--save-locc-cert: the certificate does not verify: {check.reason}")
        write_json_atomic(args.save_locc_cert, cert)
        rep["locc_certificate_file"] = str(args.save_locc_cert)
    if args.save_cert:
        if res.certificate is None:
            raise SepgapError(f"no certificate to save: {res.certification_error or res.status}")
        write_json_atomic(args.save_cert, res.certificate)
        rep["sep_upper_certificate_file"] = str(args.save_cert)
    if rep["sep_upper_kind"] not in ("certified", "none"):
        print(f"sepgap: WARNING: SDP bound is {rep['sep_upper_kind']} (status "
              f"{rep['sep_upper_status']}); it is not a certified bound", file=sys.stderr)
    if args.json:
        print(json.dumps(rep, indent=2))
    else:
        text = format_general(rep)
        if rep["locc_tree_nodes"]:
            text += "\nLOCC tree\n" + "\n".join("  " + ln for ln in rep["locc_tree"])
        if "sep_upper_certificate_file" in rep:
            text += f"\ncertificate {rep['sep_upper_certificate_file']} (check: sepgap verify FILE)"
        if "locc_certificate_file" in rep:
            text += (f"\nLOCC cert   {rep['locc_certificate_file']} (check: sepgap verify FILE)")
        if lower_line:
            text += "\n" + lower_line
        print(text)
    return 0


def _save_lower_general(lower, rep: dict, path, write_json_atomic) -> str:
    """Write the ``sep_lower_bound`` certificate of the ``lp_general`` instrument of
    :func:`analytics.lower.sep_lower_bound` to ``path`` (checked by the verifier first) and
    return the printed line, which states the certificate's own claim (it can be below the
    report's ``sep_lower`` when the LOCC protocol is better); '' without ``path``."""
    if not path:
        return ""
    if lower.kind != "lp_general":
        raise SepgapError(f"--save-lower-cert: the SEP lower bound of --lower "
                          f"{rep['sep_lower_method']} is the {lower.kind}, which has no "
                          "lower-bound certificate here (--save-locc-cert writes the LOCC "
                          "protocol's); use --lower lp, or auto where the LP is better")
    cert = lower.instrument.certificate()
    res = verify_result(cert)
    if not res.valid:  # pragma: no cover - a certificate sepgap wrote always verifies
        raise SepgapError(f"--save-lower-cert: the certificate does not verify: {res.line()}")
    write_json_atomic(path, cert)
    rep["lower_certificate_file"] = str(path)
    rep["lower_certificate_claim"] = res.claim.exact()
    return f"lower cert. {path}: {res.claim.text()} (check: sepgap verify FILE)"


__all__ = ["add_amplitude_arguments", "general_input", "routed_keys", "format_routed",
           "run_general"]
