"""``sepgap locc XA XB XC [--x0 X0] [--rounds N] [--json] [--plot FILE]``: an explicit LOCC protocol.

For :math:`x_0 = 0` runs the protocol of the proof of Theorem 2 (PRL 108, 240504 (2012)) with a
Fortescue-Lo-type protocol of N rounds on its :math:`|W\\rangle` branch
(:func:`analytics.locc.theorem2_protocol`) and prints its success probability ``locc_lower``,
:math:`\\kappa` and the distance :math:`\\kappa -` ``locc_lower`` (> 0, shrinking as N grows). With
:math:`x_{n_3} = 0` it is Vidal's two-qubit protocol and equals :math:`\\kappa = 2x_{n_2}` exactly.

For :math:`x_0 > 0` no protocol reaching :math:`\\kappa` is known; the command reports the best
exact measurement tree of :func:`analytics.locc_tree.locc_tree_bound` (local two-outcome
measurements, both outcomes measured again, ending on the plane with the Theorem 2 protocol of N
rounds or on two-party slices with Vidal's protocol), prints the tree (depth, nodes, every
outcome and leaf), ``locc_sup_lower`` (the tree with kappa at its plane leaves, exact, rounded
down) and the rounds-versus-probability trade-off; ``--plot`` is refused.

JSON keys (``--json``): ``protocol, state{x0,xA,xB,xC}, locc_lower, kappa, gap, rounds, p_AB,
p_AC, p_BC, epsilon, fl_success, w_probability, measurements, exact, notes``, ``kappa_exact``
when :math:`\\kappa` is exact, ``epsilon_exact``, and ``plot`` (the plotted data) with ``--plot``.
For :math:`x_0 > 0`: ``protocol`` (``"tree+theorem2"``), ``state``, ``locc_lower``, ``p_AB``,
``p_AC``, ``p_BC``, ``kappa``, ``kappa_exact``, ``gap``, ``rounds``, ``locc_sup_lower``,
``locc_sup_lower_exact``, ``source`` (``"full"`` or ``"chain"``), ``tree_depth``, ``tree_nodes``,
``kappa_leaves``, ``vidal_leaves``, ``tradeoff`` (``[{rounds, locc_lower}]``), ``candidates``
(the exact value of each tree tried, rounded down), ``certificate`` (``locc_sup_lower_bound``,
re-checked by ``sepgap verify``), ``notes``.
"""
from __future__ import annotations

import json
import sys
from fractions import Fraction

from analytics.certificates import float_lower, float_upper
from analytics.claims import decimal_down
from analytics.errors import SepgapError
from analytics.locc import DEFAULT_ROUNDS, ProtocolError
from analytics.lower import locc_lower_bound, sep_lower_bound
from analytics.locc_tree import finite_pairs, locc_tree_bound, tree_lines
from .brackets import LOCC_FLOAT_MARGIN
from .cli_args import add_state_arguments, integer_arg, state_from_args  # noqa: F401


def _sep_value(state):
    """The explicit SEP value (the tree method: no LP budget is spent for a reference line)."""
    bound = sep_lower_bound(state, method="tree")
    if bound.value is None:
        return None, None, f"SEP line skipped: {bound.reason}"
    name = INSTRUMENT_NAMES.get(bound.kind, f"{bound.kind} instrument")
    return bound.value, f"checked separable instrument, {name}", \
        f"SEP value {float(bound.value):.12g} (instrument '{bound.kind}')"


#: How a figure names each kind of explicit SEP instrument (never the code name).
INSTRUMENT_NAMES = {"eq7": "Eq. (7)", "large_component": "Eq. (7) without the $n_2n_3$ outcome",
                    "tree": "measurement tree", "trivial": "trivial"}


def _fmt(v) -> str:
    if isinstance(v, Fraction) and v.denominator < 10 ** 6:
        return f"{v}  (= {float(v):.12g})"
    return f"{float(v):.12g}"


def lower_value(v) -> Fraction:
    """A protocol's success probability as an exact lower bound: exact values as they are, a
    simulator's float lowered by the relative :data:`experiments.brackets.LOCC_FLOAT_MARGIN`
    (the same rule as the ``locc_lower`` column)."""
    q = Fraction(v)
    return q if isinstance(v, Fraction) else max(Fraction(0), q * (1 - LOCC_FLOAT_MARGIN))


def _low(v) -> str:
    """A lower bound printed rounded down (12 digits)."""
    return decimal_down(lower_value(v), 12)


def format_result(res) -> str:
    st = res.state
    lines = [f"state        x0 = {st.x0}, xA = {st.xA}, xB = {st.xB}, xC = {st.xC}"]
    if res.protocol == "theorem2":
        how = (f"Fortescue-Lo-type protocol on the |W> branch (probability "
               f"{float(res.w_probability):.6g}): N = {res.rounds} rounds, eps = {res.epsilon}, "
               f"P_FL = {float(res.fl_success):.12g}" if res.fl_success is not None
               else "no |W> branch")
        lines.append(f"protocol     Theorem 2 protocol ({res.notes[0]}); {how}")
    elif res.protocol == "projective+vidal":
        optimal = any(v == 0 for v in st.x)
        lines.append("protocol     projective measurement + Vidal (x0 > 0; "
                     + ("a two-qubit state: the LOCC optimum" if optimal
                        else "a lower bound, not known to be optimal")
                     + "; --rounds does not apply)")
    else:
        lines.append(f"protocol     measurement tree ({res.protocol}): local measurements that move "
                     f"the state onto the plane, then the Theorem 2 protocol with {res.rounds} "
                     "Fortescue-Lo rounds (x0 > 0; a lower bound, not known to be optimal)")
    low = (_fmt(res.locc_lower) if isinstance(res.locc_lower, Fraction)
           else f"{_low(res.locc_lower)}  (rounded down)")
    lines += [
        f"locc_lower   {low}",
        f"             p_AB = {_low(res.p_AB)}, p_AC = {_low(res.p_AC)}, p_BC = {_low(res.p_BC)}",
        f"kappa        {_fmt(res.kappa)}   "
        + ("LOCC supremum (Theorem 2)" if st.x0 == 0 else "upper bound on LOCC (Theorem 1)"),
        f"distance     kappa - locc_lower = {float(res.gap):.6g}",
    ]
    for note in res.notes[1 if res.protocol == "theorem2" else 0:]:
        lines.append(f"note         {note}")
    return "\n".join(lines)


def tree_report(state, rounds: int) -> tuple:
    """``(text, json dict)`` of the best LOCC tree at an off-plane state."""
    res = locc_tree_bound(state, rounds)
    pairs = finite_pairs(res.evaluation, rounds)
    st = res.state
    two_party = res.nodes == 0 and res.vidal_leaves == 1 and res.kappa_leaves == 0
    optimality = ("a two-party slice: Vidal's protocol, whose value 2 lambda_min is the exact LOCC "
                  "optimum (and the SEP optimum); the float value is rounded down" if two_party
                  else "x0 > 0: a lower bound, not known to be optimal")
    d = {"protocol": "tree+theorem2",
         "state": {"x0": float(st.x0), "xA": float(st.xA), "xB": float(st.xB), "xC": float(st.xC)},
         **res.as_dict(), "gap": float(res.kappa) - res.locc_lower,
         "p_AB": float_lower(lower_value(pairs["AB"])), "p_AC": float_lower(lower_value(pairs["AC"])),
         "p_BC": float_lower(lower_value(pairs["BC"])),
         "certificate": res.certificate(),
         "notes": [optimality if two_party else
                   "lower bounds only: no LOCC protocol reaching kappa is known for x0 > 0; "
                   "kappa and the certified PPT bound are upper bounds"]}
    # every float that is a bound, rounded in its direction (lower bounds down, kappa up)
    d["locc_lower"] = float_lower(lower_value(res.locc_lower))
    d["kappa"] = float_upper(res.kappa)
    d["tradeoff"] = [{"rounds": r, "locc_lower": float_lower(lower_value(v))}
                     for r, v in res.tradeoff]
    lines = [f"state        x0 = {st.x0}, xA = {st.xA}, xB = {st.xB}, xC = {st.xC}",
             f"protocol     measurement tree (tree+theorem2): {res.source} tree of depth "
             f"{res.depth} with {res.nodes} nodes ({res.kappa_leaves} plane leaves with the Theorem 2 "
             f"protocol, {rounds} Fortescue-Lo rounds; {res.vidal_leaves} two-party leaves with "
             f"Vidal's protocol); {optimality}",
             f"locc_lower   {_low(res.locc_lower)}",
             f"             p_AB = {_low(pairs['AB'])}, p_AC = {_low(pairs['AC'])}, "
             f"p_BC = {_low(pairs['BC'])}",
             f"locc_sup     >= {decimal_down(res.locc_sup_lower, 12)}   (the same tree with kappa "
             "at its plane leaves: exact, rounded down; certificate with --json)",
             f"kappa        {_fmt(res.kappa)}   upper bound on LOCC (Theorem 1)",
             f"distance     kappa - locc_lower = {float(res.kappa) - res.locc_lower:.6g}",
             "candidates   " + ", ".join(f"{k} {float(v):.6f}" for k, v in res.candidates.items()),
             "rounds vs probability (Fortescue-Lo rounds per plane leaf: locc_lower):",
             *(f"  {r:>9}: {_low(v)}" for r, v in res.tradeoff),
             "tree:",
             *("  " + ln for ln in tree_lines(res.tree, res.evaluation))]
    return "\n".join(lines), d


def run(args) -> int:
    state = state_from_args(args)
    if args.plot is not None:
        from experiments.locc_plot import check_output_path
        check_output_path(args.plot)
        if state.x0 != 0:
            raise ProtocolError(f"--plot draws the Theorem 2 protocol against its rounds and "
                                f"needs x0 = 0 (got x0 = {state.x0}); for x0 > 0 the rounds "
                                "enter only at the plane leaves of the measurement tree: without "
                                "--plot, sepgap locc prints its rounds-versus-probability table")
    if state.x0 != 0:
        text, report = tree_report(state, args.rounds)
        print(json.dumps(report, indent=2) if args.json else text)
        return 0
    res = locc_lower_bound(state, args.rounds)
    report = res.as_dict()
    extra, figure_error = [], None
    if args.plot is not None:
        from experiments.locc_plot import plot_locc_vs_rounds
        from experiments.style import failure_line
        sep, label, note = _sep_value(state)
        try:
            data = plot_locc_vs_rounds(state, args.rounds, args.plot, sep,
                                       **({"sep_label": label} if label else {}))
        except SepgapError:
            raise
        except Exception as exc:  # the user's environment broke the figure: numbers first
            figure_error = failure_line(exc, f"--plot {args.plot}")
            report["plot"] = {"file": None, "error": figure_error}
        else:
            report["plot"] = dict(data, file=args.plot, note=note)
            extra = [f"plot         {args.plot} ({note})"]
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print("\n".join([format_result(res), *extra]))
    if figure_error:
        print(f"sepgap: error: {figure_error}", file=sys.stderr)
        return 1
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "locc", help="success probability of an explicit LOCC protocol, with kappa",
        description="Explicit LOCC protocol for random-pair EPR distillation from one W-class "
                    "state: the Theorem 2 protocol (x0 = 0) with N Fortescue-Lo-type rounds, "
                    "its success probability, kappa and their distance. Numbers are exact: "
                    "1/2, 0.25, 2.5e-1.")
    # read '-1/10', '-1e-3' as numbers (so the state check names the negative value)
    add_state_arguments(p)
    p.add_argument("--rounds", type=integer_arg, default=DEFAULT_ROUNDS, metavar="N",
                   help=f"Fortescue-Lo budget: rounds of weak measurements by A, B, C "
                        f"(default {DEFAULT_ROUNDS})")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    p.add_argument("--plot", default=None, metavar="FILE",
                   help="write success probability against rounds (png, pdf, svg, eps, ps)")
    p.set_defaults(func=run)
