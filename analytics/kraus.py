"""Instruments out: a lower-bound result's separable instrument as plain Kraus matrices.

One interface for every explicit SEP lower bound (the plane instruments of
:mod:`analytics.instruments`, the measurement trees of :mod:`analytics.offplane`, and any
later instrument): the result has a method ``kraus_operators()`` returning
:class:`KrausOperators` (the :class:`HasKrausOperators` protocol), and
:func:`kraus_operators` calls it. Builders of new instruments make their
:class:`KrausOperators` with :func:`from_product_factors`.

What is exported (floats; the proof of the bound stays the exact check or certificate):

* ``operators``: shape ``(n, 8, 8)``, complex128, ``K_i = A_i (x) B_i (x) C_i``, qubit order
  A, B, C, basis index ``4a + 2b + c``; ``sum_i K_i^dag K_i = I_8``.
* ``factors``: shape ``(n, 3, 2, 2)``, the per-party factors ``(A_i, B_i, C_i)``.
* ``labels``: the outcome of each operator: ``"AB"``, ``"AC"``, ``"BC"`` (the branch leaves
  that pair in ``|Psi+> = (|01> + |10>)/sqrt 2``) or ``"fail"``; ``names`` where each came from.

:meth:`KrausOperators.save` writes ``.npz`` (numpy) or ``.mat`` (scipy.io, for MATLAB and
QETLAB: ``kraus`` is a 1 x n cell of 8 x 8 matrices, as QETLAB's ``ApplyMap`` takes them).
"""
from __future__ import annotations

import contextlib
import os
import tempfile
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from .display import ShortRepr, show_number
from .errors import SepgapError

#: Outcome labels of an exported instrument.
LABELS = ("AB", "AC", "BC", "fail")
#: File formats :meth:`KrausOperators.save` writes, by suffix.
FORMATS = (".npz", ".mat")


class NoInstrumentError(SepgapError, ValueError):
    """The result has no explicit instrument to export (e.g. an LOCC supremum bound)."""


class ExportError(SepgapError, ValueError):
    """An instrument file cannot be written (bad name, suffix, folder)."""


@runtime_checkable
class HasKrausOperators(Protocol):
    """A lower-bound result whose separable instrument can be exported."""

    def kraus_operators(self) -> "KrausOperators": ...


@dataclass(frozen=True, eq=False, repr=False)
class KrausOperators(ShortRepr):
    """A separable instrument as float matrices (module docstring for shapes and conventions).

    ``kind`` is the lower bound's kind (``"eq7"``, ``"large_component"``, ``"trivial"``,
    ``"tree"``, ...), ``state`` the W-class state it is for (text ``(x0=..., xA=..., ...)``),
    ``value`` the proved success probability (exact when known).
    """

    operators: np.ndarray
    factors: np.ndarray
    labels: tuple
    names: tuple
    kind: str
    state: str = ""
    value: Fraction | float | None = None

    def __len__(self) -> int:
        return len(self.labels)

    def _summary(self) -> list:
        counts: dict = {}
        for lab in self.labels:
            counts[lab] = counts.get(lab, 0) + 1
        return [("kind", self.kind), ("operators", f"{len(self)} x 8x8"),
                ("labels", ", ".join(f"{k} x{v}" for k, v in counts.items())),
                ("value", show_number(self.value, ">=")), ("state", self.state)]

    def arrays(self) -> dict:
        """The arrays written to ``.npz``: ``operators``, ``factors``, ``labels``, ``names``,
        ``kind``, ``state``, ``value`` (exact string when exact)."""
        return {"operators": self.operators, "factors": self.factors,
                "labels": np.array(self.labels, dtype=str), "names": np.array(self.names, dtype=str),
                "kind": np.array(self.kind), "state": np.array(self.state),
                "value": np.array("" if self.value is None else str(self.value))}

    def matlab(self) -> dict:
        """The variables written to ``.mat``: ``kraus`` and ``factors_A/B/C`` (1 x n cells of
        matrices), ``operators`` (8 x 8 x n), ``labels``/``names`` (cells of strings),
        ``kind``, ``state``, ``value``."""
        n = len(self)

        def cell(items):
            c = np.empty((1, n), dtype=object)
            for i, it in enumerate(items):
                c[0, i] = it
            return c
        return {"kraus": cell(list(self.operators)),
                "operators": np.transpose(self.operators, (1, 2, 0)),
                "factors_A": cell(list(self.factors[:, 0])), "factors_B": cell(list(self.factors[:, 1])),
                "factors_C": cell(list(self.factors[:, 2])),
                "labels": cell(list(self.labels)), "names": cell(list(self.names)),
                "kind": self.kind, "state": self.state,
                "value": "" if self.value is None else str(self.value)}

    def save(self, path) -> Path:
        """Write to ``path`` (suffix ``.npz`` or ``.mat``) atomically (a temporary file in the
        same folder, then ``os.replace``). Raises :class:`ExportError` for an empty name, a
        folder, a missing folder or another suffix (checked by :func:`check_path` first)."""
        path = check_path(path)
        tmp = None
        try:
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                if path.suffix == ".npz":
                    np.savez(fh, **self.arrays())
                else:
                    import scipy.io
                    scipy.io.savemat(fh, self.matlab(), do_compression=True)
            os.replace(tmp, path)
            tmp = None
        except OSError as exc:
            raise ExportError(f"cannot write {path}: {exc.strerror or type(exc).__name__}") from None
        finally:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
        return path


def check_path(path) -> Path:
    """``path`` as a :class:`~pathlib.Path` if an instrument file can be written there; else
    :class:`ExportError` in one line (empty, a folder, no such folder, suffix not .npz/.mat)."""
    if path is None or not str(path).strip():
        raise ExportError("empty file name: give a .npz or .mat file")
    p = Path(path)
    if p.is_dir():
        raise ExportError(f"{p}: is a directory (give a file name, e.g. {p / 'instrument.npz'})")
    if p.suffix.lower() not in FORMATS:
        raise ExportError(f"{p}: unknown format {p.suffix or '(no suffix)'!r}; use .npz (numpy) "
                          f"or .mat (MATLAB)")
    if not p.parent.is_dir():
        raise ExportError(f"{p}: folder {p.parent} does not exist")
    return p.with_suffix(p.suffix.lower())


def from_product_factors(factors, labels, names, kind: str, state="", value=None) -> KrausOperators:
    """Build :class:`KrausOperators` from per-party factors ``[(A, B, C), ...]`` (2x2 each).
    Raises :class:`NoInstrumentError` for no operators or an unknown label."""
    facs = np.array([[np.asarray(f, dtype=complex) for f in abc] for abc in factors], dtype=complex)
    if facs.ndim != 4 or facs.shape[1:] != (3, 2, 2) or len(facs) == 0:
        raise NoInstrumentError(f"expected n x 3 factors of 2x2, got shape {facs.shape}")
    labels, names = tuple(labels), tuple(names)
    bad = sorted({lab for lab in labels if lab not in LABELS})
    if bad or len(labels) != len(facs) or len(names) != len(facs):
        raise NoInstrumentError(f"one label ({'/'.join(LABELS)}) and one name per operator; "
                                f"bad labels {bad}, {len(labels)} labels, {len(names)} names, "
                                f"{len(facs)} operators")
    ops = np.array([np.kron(np.kron(a, b), c) for a, b, c in facs])
    return KrausOperators(ops, facs, labels, names, kind, str(state), value)


def kraus_operators(result) -> KrausOperators:
    """The exported instrument of any lower-bound result (``result.kraus_operators()``).
    Raises :class:`NoInstrumentError` if ``result`` has none."""
    if not isinstance(result, HasKrausOperators):
        raise NoInstrumentError(f"{type(result).__name__} has no separable instrument to export")
    return result.kraus_operators()


__all__ = ["KrausOperators", "HasKrausOperators", "NoInstrumentError", "ExportError",
           "kraus_operators", "from_product_factors", "check_path", "LABELS", "FORMATS"]
