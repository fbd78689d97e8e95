"""Argument helpers shared by the subcommands (one state given as XA XB XC [--x0 X0];
solver options as KEY=VALUE)."""
from __future__ import annotations

import math
import re

from analytics.errors import InvalidStateError, SepgapError
from analytics.limits import MAX_NUMBER_CHARS
from analytics.states import WClassState, as_number, parse_number


def short_path(path, limit: int = 80) -> str:
    """A file name for an error line: whole up to ``limit`` characters, else its start and end
    with the length (a 5000-character name is never echoed whole)."""
    text = str(path)
    if len(text) <= limit:
        return text
    return f"{text[:40]}...{text[-30:]} ({len(text)} characters)"


def accept_negative_numbers(p) -> None:
    """argparse takes '-1/10', '-1e-3' or '-inf' for an option and then reports a missing
    argument; read every '-<digit>', '-.<digit>', '-inf', '-infinity' or '-nan' (any case) as
    a number instead, so the range or state check names the value."""
    p._negative_number_matcher = re.compile(r"^-(\.?\d|j$|inf(inity)?$|nan$)", re.IGNORECASE)


def integer_arg(text: str) -> int:
    """argparse ``type`` for counts (``--points``, ``--steps``, ``--workers``, ...): read exactly
    through :func:`parse_number` (so ``1e3`` is 1000 and a 100,000-digit number is refused by
    the size guard without being echoed); the value must be an integer. Range checks (>= 1)
    are the caller's, so their messages name the option."""
    import argparse

    try:
        q = parse_number(text)
    except SepgapError as exc:  # argparse would echo the whole text for a ValueError
        raise argparse.ArgumentTypeError(str(exc).removeprefix("number: ")) from None
    if q.denominator != 1:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}")
    return int(q)


def add_solver_arguments(p) -> None:
    """--solver (SCS default, or CLARABEL) and repeatable --solver-option KEY=VALUE."""
    # validated by the API (one message for every caller: "unknown solver ...")
    p.add_argument("--solver", default="auto", metavar="NAME",
                   help="first SDP solver: auto (default: CLARABEL), CLARABEL or SCS; the other "
                        "one is the fallback when the first is inaccurate or its certificate loose")
    p.add_argument("--solver-option", action="append", default=[], metavar="KEY=VALUE",
                   help="solver setting passed through, repeatable, e.g. max_iters=20000")


def seconds_arg(text: str) -> float:
    """argparse ``type`` for ``--lower-budget``: seconds, read exactly (``1e1``, ``15/2``), a
    finite number in [0, 86400]."""
    import argparse

    try:
        q = parse_number(text)
    except SepgapError as exc:
        raise argparse.ArgumentTypeError(str(exc).removeprefix("number: ")) from None
    if not 0 <= q <= 86400:
        raise argparse.ArgumentTypeError(f"{text!r} seconds is outside [0, 86400]")
    return float(q)


def add_lower_arguments(p) -> None:
    """``--lower auto|tree|lp`` and ``--lower-budget SECONDS`` (analytics.lower.sep_lower_bound)."""
    from analytics.separable_lp import DEFAULT_BUDGET
    p.add_argument("--lower", default="auto", choices=("auto", "tree", "lp"),
                   help="SEP lower bound off the plane: the measurement tree, the LP over product "
                        "Kraus operators (certified, slower), or auto: the better of both "
                        "(default). On the plane the exact plane instruments are used.")
    p.add_argument("--lower-budget", type=seconds_arg, default=DEFAULT_BUDGET, metavar="SECONDS",
                   help=f"time budget of the LP per state (default {DEFAULT_BUDGET:g}; the tree "
                        "search and the exact rounding add 1-2 s); 0 with auto: the tree only")


def add_state_arguments(p, optional: bool = False) -> None:
    """Positional XA XB XC and --x0, read exactly (1/2, 0.25, 2.5e-1); ``optional``: the three
    may be left out (the command then takes the state another way, e.g. --amplitudes)."""
    accept_negative_numbers(p)
    for name, ket in (("XA", "|100>"), ("XB", "|010>"), ("XC", "|001>")):
        p.add_argument(name, nargs="?" if optional else None,
                       help=f"weight of {ket}, e.g. 1/2 or 0.25 (read exactly)")
    p.add_argument("--x0", default=None, metavar="X0",
                   help="weight of |000>; if given, x0 + XA + XB + XC must equal 1 "
                        "(default: 1 - XA - XB - XC)")


def state_from_args(args) -> WClassState:
    """Parse XA XB XC (and --x0) exactly; errors name the argument and the value."""
    # the one entrance of every state (analytics.states.as_number / WClassState), names as typed
    vals = {name: as_number(getattr(args, name), name)
            for name in ("XA", "XB", "XC", "x0") if getattr(args, name) is not None}
    return WClassState(vals["XA"], vals["XB"], vals["XC"], x0=vals.get("x0"))


class SolverOptionError(SepgapError, ValueError):
    """A --solver-option is not KEY=VALUE."""


def _option_value(key: str, text: str):
    if len(text) > MAX_NUMBER_CHARS:
        raise SolverOptionError(f"--solver-option {key}: value of {len(text)} characters is too "
                                f"long (at most {MAX_NUMBER_CHARS})")
    low = text.strip().lower()
    if low in ("true", "false"):
        return low == "true"
    try:
        return int(text)
    except ValueError:
        pass
    try:
        v = float(text)
    except ValueError:
        return text
    if not math.isfinite(v):
        raise SolverOptionError(f"--solver-option {key}={text}: not a finite number")
    return v


def parse_solver_options(items) -> dict:
    """``["max_iters=20000", "eps_abs=1e-7"]`` -> ``{"max_iters": 20000, "eps_abs": 1e-07}``
    (true/false become booleans, numbers numbers, anything else stays a string)."""
    out = {}
    for item in items or ():
        key, sep, val = item.partition("=")
        if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key.strip()):
            shown = item if len(item) <= 60 else item[:60] + "..."
            raise SolverOptionError(f"--solver-option {shown!r}: expected KEY=VALUE, e.g. max_iters=20000")
        out[key.strip()] = _option_value(key.strip(), val)
    return out
