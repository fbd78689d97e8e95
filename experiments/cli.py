"""The `sepgap` command line.

Each subcommand lives in its own module ``experiments/cmd_<name>.py`` exposing
``register(subparsers)``; the module's handler returns an exit status. Every error sepgap raises
on purpose (:class:`analytics.errors.SepgapError`), and bad files, end in one line on stderr and
exit status 2, never a traceback.
"""
from __future__ import annotations

import os

# The SDPs here are many tiny dense blocks: multi-threaded BLAS only adds contention (measured
# 100x slower eigendecompositions on a busy 2-core machine). Set before numpy is imported;
# an explicit setting in the environment wins.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import importlib  # noqa: E402
import re  # noqa: E402
import sys  # noqa: E402

from analytics.errors import SepgapError  # noqa: E402

SUBCOMMANDS = ("bound", "verify", "fig1", "sweep", "robustness", "locc")


_LONG_WORD = re.compile(r"\S{121,}")


def error_line(message) -> str:
    """One error line: every word longer than 120 characters (a 5000-character file name, a
    300-digit number) shortened to its start and end with its length."""
    def short(m):
        w, tail = m.group(0), ""
        while w and w[-1] in ":,;)'\"":
            w, tail = w[:-1], w[-1] + tail
        return f"{w[:50]}...{w[-30:]} ({len(w)} characters){tail}"
    return _LONG_WORD.sub(short, " ".join(str(message).split()))


def _os_error(exc: OSError) -> str:
    """``name: reason`` for an OSError (never Python's ``[Errno 36] ...`` form)."""
    why = exc.strerror or type(exc).__name__
    return f"{exc.filename}: {why}" if exc.filename is not None else why


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2 (argparse prints usage first; keep it short)
        self.exit(2, f"sepgap: error: {error_line(message)}\n")


DESCRIPTION = """\
Certified bounds on how well separable operations (SEP) and LOCC turn a three-qubit
W-class state sqrt(x0)|000> + sqrt(xA)|100> + sqrt(xB)|010> + sqrt(xC)|001> into an EPR
pair shared by some pair of parties (Chitambar, Cui, Lo, PRL 108, 240504 (2012)).
Every number says what it is: analytic (kappa, eta), an explicit checked SEP instrument or
LOCC protocol (lower bounds), or a PPT relaxation with an exact dual certificate (upper
bound); `sepgap verify` re-checks saved certificates and sweeps. States are read exactly:
1/2, 0.25, 2.5e-1."""

EPILOG = """\
examples:
  sepgap bound 1/2 1/4 1/4              kappa, SEP and LOCC brackets for one state
  sepgap bound 3/10 3/10 3/10 --x0 1/10  a state with vacuum weight x0
  sepgap locc 1/2 1/4 1/4 --rounds 100   an explicit LOCC protocol
  sepgap fig1                            the paper's Fig. 1, certified
  sepgap robustness                      the 12.5% gap against a vacuum admixture
  sepgap sweep psi|simplex|vacuum|grid|tetra ...
  sepgap verify FILE|DIR                 re-check certificates and saved results
Run `sepgap COMMAND --help` for a command's options."""


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="sepgap", description=DESCRIPTION, epilog=EPILOG,
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    try:
        from importlib.metadata import version
        ver = version("sepgap")
    except Exception:  # not installed (running from a checkout)
        ver = "unknown"
    parser.add_argument("--version", action="version", version=f"sepgap {ver}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for name in SUBCOMMANDS:
        try:
            mod = importlib.import_module(f"experiments.cmd_{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"experiments.cmd_{name}":
                raise
            continue  # subcommand not built yet
        mod.register(sub)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except BrokenPipeError:  # e.g. `sepgap ... | head`: the reader left, nothing to report
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except SepgapError as exc:
        print(f"sepgap: error: {error_line(exc)}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"sepgap: error: {error_line(_os_error(exc))}", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"sepgap: error: {error_line(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("sepgap: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
