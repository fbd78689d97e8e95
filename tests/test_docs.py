"""Executed documentation: every example in README.md and docs/*.md is run and compared.

Sybil (a well-kept doc-testing library) reads the Markdown: its fenced-code-block lexer finds
the examples, its documents and regions carry them; this module only says how to run one and
how to compare. The conventions (also in docs/development.md):

* a ```` ```console ```` block: every line starting with ``$ sepgap`` is a command, run
  in-process (``experiments.cli.main``) in a temporary folder shared by the document's
  commands; the lines after it, up to the next ``$``, are what it prints (stdout, then stderr);
  a shown ``echo $?``-free block is compared line by line.
* a ```` ```python ```` block is run (each block on its own: it must import what it uses), in
  the same temporary folder; if the next block is a ```` ```text ```` block (only blank lines or
  a line ``Output:`` between), it is what the block prints.
* ``<!-- docs-test: slow -->`` right before a block: run only by ``make test-all``;
  ``<!-- docs-test: skip REASON -->``: not run (only for examples that need outside
  infrastructure, e.g. a SLURM cluster); the reason is required.

Comparison (:func:`compare`): text exactly (trailing spaces ignored); numbers exactly, except
**solver digits**, which may differ by :data:`SOLVER_TOL` (relative, at least absolute): a
decimal with 6 or more digits after the point, a number in exponent notation, or a fraction
with a denominator of 7 or more digits (an exact certified bound from a rounded dual point).
A short fraction (``7/8``), an integer or a decimal with few digits must match exactly.
"""
from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
from fractions import Fraction
from pathlib import Path

import pytest
from sybil import Document, Region
from sybil.parsers.markdown.lexers import FencedCodeBlockLexer

from tests.cli_helpers import run_cli

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md"] + sorted((ROOT / "docs").rglob("*.md"))
#: Solver digits may differ by this much (relative to max(1, |value|)).
SOLVER_TOL = 1e-6

_LEXER = FencedCodeBlockLexer(language=r"console|python|text")
_DIRECTIVE = re.compile(r"<!--\s*docs-test:\s*(slow|skip)\b([^>]*)-->\s*$")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?(?:/\d+)?")


# ---- comparison -------------------------------------------------------------------------------

def _is_solver_digits(token: str) -> bool:
    if "e" in token.lower():
        return True
    if "/" in token:
        return len(token.split("/")[1]) >= 7
    return "." in token and len(token.split(".")[1]) >= 6


def compare(expected: str, actual: str) -> str | None:
    """None if ``actual`` shows what ``expected`` shows (module docstring), else a message."""
    exp_lines = [ln.rstrip() for ln in expected.rstrip("\n").splitlines()]
    act_lines = [ln.rstrip() for ln in actual.rstrip("\n").splitlines()]
    if len(exp_lines) != len(act_lines):
        return (f"{len(exp_lines)} lines shown, {len(act_lines)} printed:\n--- shown\n"
                f"{expected}\n--- printed\n{actual}")
    for i, (e, a) in enumerate(zip(exp_lines, act_lines), 1):
        e_text, a_text = _NUMBER.split(e), _NUMBER.split(a)
        e_nums, a_nums = _NUMBER.findall(e), _NUMBER.findall(a)
        ok = e_text == a_text and len(e_nums) == len(a_nums)
        if ok:
            for x, y in zip(e_nums, a_nums):
                if x == y:
                    continue
                if not (_is_solver_digits(x) and _is_solver_digits(y)):
                    ok = False
                    break
                fx, fy = Fraction(x), Fraction(y)
                if abs(fx - fy) > Fraction(SOLVER_TOL) * max(1, abs(fx)):
                    ok = False
                    break
        if not ok:
            return f"line {i} differs:\n  shown:   {e}\n  printed: {a}"
    return None


# ---- running ------------------------------------------------------------------------------------

@contextlib.contextmanager
def _cwd(path: Path):
    old = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


def run_console(block: str, workdir: Path) -> str | None:
    """Run the ``$ sepgap ...`` commands of a console block; None if all print what is shown."""
    commands: list = []
    for line in block.splitlines():
        if line.startswith("$ "):
            commands.append([line[2:], []])
        elif commands:
            commands[-1][1].append(line)
    if not commands:
        return "console block without a '$ sepgap' command"
    for cmd, shown in commands:
        argv = shlex.split(cmd)
        if argv[0] != "sepgap":
            return f"only sepgap commands are run, got {cmd!r}"
        with _cwd(workdir):
            code, out, err = run_cli(argv[1:])
        problem = compare("\n".join(shown), out + err)
        if problem:
            return f"$ {cmd} (exit {code})\n{problem}"
    return None


def run_python(code: str, shown: str | None, workdir: Path, where: str) -> str | None:
    buf = io.StringIO()
    with _cwd(workdir), contextlib.redirect_stdout(buf):
        exec(compile(code, where, "exec"), {"__name__": "__docs__"})
    if shown is None:
        return None
    return compare(shown, buf.getvalue())


# ---- collecting ----------------------------------------------------------------------------------

def _blocks(path: Path):
    """``(line, language, source, directive, next_text)`` of every console/python block."""
    doc = Document(path.read_text(encoding="utf-8"), str(path))
    regions = sorted(_LEXER(doc), key=lambda r: r.start)
    out = []
    for i, reg in enumerate(regions):
        lang = reg.lexemes["language"]
        if lang == "text":
            continue
        before = doc.text[:reg.start].rstrip("\n").rsplit("\n", 1)[-1]
        m = _DIRECTIVE.search(before)
        directive = (m.group(1), m.group(2).strip()) if m else None
        shown = None
        if lang == "python" and i + 1 < len(regions) and regions[i + 1].lexemes["language"] == "text":
            gap = doc.text[reg.end:regions[i + 1].start].strip()
            if gap in ("", "Output:"):
                shown = str(regions[i + 1].lexemes["source"])
        line = doc.text.count("\n", 0, reg.start) + 1
        out.append((line, lang, str(reg.lexemes["source"]), directive, shown))
    return out


def _cases():
    cases = []
    for path in DOCS:
        rel = path.relative_to(ROOT)
        for line, lang, source, directive, shown in _blocks(path):
            marks = []
            if directive and directive[0] == "slow":
                marks.append(pytest.mark.slow)
            if directive and directive[0] == "skip":
                marks.append(pytest.mark.skip(reason=f"docs-test: skip {directive[1]}"))
            cases.append(pytest.param(path, line, lang, source, shown, marks=marks,
                                      id=f"{rel}:{line}"))
    return cases


_WORKDIRS: dict = {}


@pytest.fixture
def workdir(request, tmp_path_factory):
    path = request.node.callspec.params["path"]
    if path not in _WORKDIRS:
        _WORKDIRS[path] = tmp_path_factory.mktemp(path.stem)
    return _WORKDIRS[path]


@pytest.mark.parametrize("path,line,lang,source,shown", _cases())
def test_documented_example(path, line, lang, source, shown, workdir):
    where = f"{path.relative_to(ROOT)}:{line}"
    if lang == "console":
        problem = run_console(source, workdir)
    else:
        problem = run_python(source, shown, workdir, where)
    assert problem is None, f"{where}: {problem}"


def test_every_shown_command_and_python_example_is_executed():
    """No ``$ sepgap`` line outside a console block, no Python example in another fence, and
    every skip says why."""
    fence = re.compile(r"^```([^\n]*)\n(.*?)^```", re.M | re.S)
    for path in DOCS:
        text = path.read_text(encoding="utf-8")
        for m in fence.finditer(text):
            info, body = m.group(1).strip(), m.group(2)
            if info not in ("console", "python"):
                assert not re.search(r"^\$ sepgap", body, re.M), \
                    f"{path.name}: a shown command outside a console block: {body[:80]!r}"
                assert info in ("", "text"), f"{path.name}: fence {info!r} is not run"
        for m in _DIRECTIVE.finditer(text):
            if m.group(1) == "skip":
                assert m.group(2).strip(), f"{path.name}: docs-test: skip needs a reason"
        # indented example output is not allowed either: show it in a console block
        assert not re.search(r"^    \$ sepgap", text, re.M), f"{path.name}: indented '$ sepgap'"


def test_compare_tolerates_solver_digits_only():
    assert compare("SEP <= 0.80000003 (exact 4398046626673/5497558138880)",
                   "SEP <= 0.80000001 (exact 5497558182599/6871947673600)") is None
    assert compare("kappa 7/8", "kappa 7/9") is not None           # exact values exactly
    assert compare("width 0.0175", "width 0.0176") is not None     # few digits exactly
    assert compare("x 0.88885256", "x 0.88895256") is not None     # beyond the tolerance
    assert compare("a\nb", "a") is not None
    assert compare("valid: SEP", "invalid: SEP") is not None


def test_readme_links_resolve():
    """The README is read on GitHub, outside the site build: its relative links must exist."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    links = re.findall(r"\]\(((?!https?:)[^)#\s]+)", text)
    assert links
    missing = [link for link in links if not (ROOT / link).exists()]
    assert not missing, missing
