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
import sys  # noqa: E402

from analytics.errors import SepgapError  # noqa: E402

SUBCOMMANDS = ("bound", "verify", "fig1", "sweep", "robustness", "locc")


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2 (argparse prints usage first; keep it short)
        self.exit(2, f"sepgap: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="sepgap", description=__doc__.splitlines()[0])
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
        print(f"sepgap: error: {exc}", file=sys.stderr)
        return 2
    except (OSError, ValueError) as exc:
        print(f"sepgap: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("sepgap: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
