"""Any three-qubit pure state, given by its 8 amplitudes, exactly.

Amplitudes are indexed ``4a + 2b + c`` (party A most significant: index 4 is ``|100>``). Each is
read exactly (:func:`analytics.gaussian.gaussian`): strings in the syntax ``1/2+1/2j``, ints,
Fractions, and floats/complex numbers (a float is a binary rational, read as such).

Normalisation (one place: :func:`three_qubit_state`):

* exact input (every amplitude given as an int, Fraction or string) must have squared norm
  exactly 1;
* float input whose squared norm is within :data:`FLOAT_NORM_TOL` of 1 is taken as normalised
  up to rounding (``normalised=True`` is recorded; the exact binary values are kept and every
  relaxation divides by the exact squared norm, see :attr:`ThreeQubitState.norm2`);
* anything else is refused with one line, unless ``normalise=True`` (``--normalise``): the state
  is then ``psi / |psi|`` (kept as ``psi`` and its exact squared norm; nothing is rounded);
* the zero vector, NaN and infinities are always refused.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import numpy as np

from .errors import InvalidStateError
from .gaussian import GaussianRational, complex_str, gaussian

#: Largest ``| |psi|^2 - 1 |`` of a float vector that counts as rounding.
FLOAT_NORM_TOL = 1e-12

#: Largest state file read (bytes): a state is 8 numbers.
MAX_STATE_FILE_BYTES = 1_000_000


class AmplitudeError(InvalidStateError):
    """8 amplitudes that do not describe a usable state (wrong length, NaN, zero, unnormalised)."""


@dataclass(frozen=True)
class ThreeQubitState:
    """A pure three-qubit state ``psi / |psi|`` with exact amplitudes ``psi``.

    Attributes
    ----------
    psi: 8 :class:`GaussianRational`, index ``4a + 2b + c``.
    exact_input: True if every amplitude was given exactly (no float).
    normalised: True if ``|psi|^2 != 1`` was accepted (float rounding, or ``normalise=True``).
    """

    psi: tuple
    exact_input: bool = True
    normalised: bool = field(default=False, compare=False)

    @property
    def norm2(self) -> Fraction:
        """``|psi|^2``, exact."""
        return sum((a.abs2() for a in self.psi), Fraction(0))

    @property
    def is_real(self) -> bool:
        return all(a.im == 0 for a in self.psi)

    def vector(self) -> np.ndarray:
        """The normalised state as a complex numpy vector (8,)."""
        m = max(max(abs(a.re), abs(a.im)) for a in self.psi)
        # divide exactly by the largest part first: |v|^2 of 1e-200 entries underflows
        v = np.array([complex(float(a.re / m), float(a.im / m)) for a in self.psi])
        return v / np.linalg.norm(v)

    def tensor(self) -> list:
        """``t[a][b][c]`` = amplitude of ``|abc>`` (GaussianRationals, not normalised)."""
        return [[[self.psi[4 * a + 2 * b + c] for c in (0, 1)] for b in (0, 1)] for a in (0, 1)]

    def strings(self) -> list:
        """The 8 exact amplitudes as text (``1/2+1/2j``)."""
        return [complex_str(a) for a in self.psi]

    def __str__(self) -> str:
        s = "[" + ", ".join(self.strings()) + "]"
        return s if len(s) <= 200 else s[:197] + "...]"


def three_qubit_state(amplitudes, normalise: bool = False) -> ThreeQubitState:
    """The state of 8 amplitudes (module docstring); :class:`AmplitudeError` names what is wrong."""
    if isinstance(amplitudes, ThreeQubitState):
        return amplitudes
    if isinstance(amplitudes, np.ndarray):
        if amplitudes.ndim != 1:
            raise AmplitudeError(f"a state is a vector of 8 amplitudes, got an array of shape "
                                 f"{amplitudes.shape}")
        vals = list(amplitudes)
    else:
        try:
            vals = list(amplitudes)
        except TypeError:
            raise AmplitudeError(f"a state is 8 amplitudes, got {type(amplitudes).__name__}") from None
    if len(vals) != 8:
        raise AmplitudeError(f"a three-qubit state has 8 amplitudes (index 4a + 2b + c), got "
                             f"{len(vals)}")
    psi = []
    exact = True
    for i, v in enumerate(vals):
        if isinstance(v, (float, complex, np.floating, np.complexfloating)):
            exact = False
        try:
            psi.append(gaussian(v))
        except InvalidStateError as exc:
            raise AmplitudeError(f"amplitude {i} (|{i >> 2}{(i >> 1) & 1}{i & 1}>): {exc}") from None
    st = ThreeQubitState(tuple(psi), exact)
    n2 = st.norm2
    if n2 == 0:
        raise AmplitudeError("the zero vector is not a state")
    if n2 != 1:
        if normalise:
            return ThreeQubitState(tuple(psi), exact, True)
        if not exact and abs(n2 - 1) <= Fraction(FLOAT_NORM_TOL):
            return ThreeQubitState(tuple(psi), exact, True)
        off = float(n2 - 1)
        shown = f"{float(n2):.12g}" if abs(off) >= 1e-9 else f"1 {'+' if off > 0 else '-'} {abs(off):.3g}"
        raise AmplitudeError(f"the amplitudes have squared norm {shown}, not 1 "
                             "(pass --normalise / normalise=True to divide by the norm)")
    return st


def _json_amplitude(v, i: int):
    """A JSON amplitude: a number, a string (``"1/2+1/2j"``) or ``[re, im]``."""
    if isinstance(v, list):
        if len(v) != 2:
            raise AmplitudeError(f"amplitude {i}: [re, im] needs 2 numbers, got {len(v)}")
        re, im = (gaussian(x) for x in v)
        if re.im or im.im:
            raise AmplitudeError(f"amplitude {i}: the parts of [re, im] must be real")
        return GaussianRational(re.re, im.re) if all(not isinstance(x, float) for x in v) \
            else complex(float(re.re), float(im.re))
    if isinstance(v, (bool, dict)) or v is None:
        raise AmplitudeError(f"amplitude {i}: {v!r} is not a number")
    return v


def _read_file(p: Path, what: str, max_bytes: int, hint: str) -> tuple:
    """``(numpy array, None)`` for a ``.npy`` file, ``(None, parsed JSON)`` otherwise; every
    failure (folder, missing, too large, unreadable, not numeric, not JSON) is one
    :class:`AmplitudeError` naming ``what`` the file should be. The caller checks the shape."""
    if p.is_dir():
        raise AmplitudeError(f"{p} is a folder, not a {what}")
    if not p.is_file():
        raise AmplitudeError(f"no such {what}: {p}")
    size = p.stat().st_size
    if size > max_bytes:
        raise AmplitudeError(f"{p} is too large for a {what} ({size} bytes; at most {max_bytes})")
    if p.suffix.lower() == ".npy":
        try:
            arr = np.load(p, allow_pickle=False)
        except (ValueError, OSError, EOFError) as exc:
            raise AmplitudeError(f"{p} is not a readable .npy array ({exc})") from None
        if arr.dtype.kind not in "iufc":
            raise AmplitudeError(f"{p}: array of {arr.dtype} is not numeric")
        return arr, None
    try:
        return None, json.loads(p.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise AmplitudeError(f"{p} is not valid JSON ({exc.msg} at line {exc.lineno}); "
                             f"{hint}") from None
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise AmplitudeError(f"{p} is not a usable JSON {what}") from None
    except OSError as exc:
        raise AmplitudeError(f"cannot read {p}: {exc.strerror or exc}") from None


def load_state_file(path, normalise: bool = False) -> ThreeQubitState:
    """A state from ``path``: ``.npy`` (a vector of 8 real or complex numbers) or JSON (a list
    of 8 amplitudes, or an object with key ``"amplitudes"``; each amplitude a number, a string
    like ``"1/2+1/2j"`` (exact) or ``[re, im]``). Every failure is one :class:`AmplitudeError`."""
    p = Path(path)
    arr, doc = _read_file(p, "state file", MAX_STATE_FILE_BYTES, "give a .npy vector or JSON")
    if arr is not None:
        if arr.ndim != 1:
            raise AmplitudeError(f"{p}: expected a vector of 8 amplitudes, got shape {arr.shape}")
        vals = [int(a) if arr.dtype.kind in "iu" else a.item() for a in arr]
        return _from_values(vals, normalise, p)
    if isinstance(doc, dict):
        unknown = sorted(set(doc) - {"amplitudes", "name", "note"})
        if unknown:
            raise AmplitudeError(f"{p}: unknown field(s) {', '.join(map(repr, unknown))} "
                                 "(expected 'amplitudes', optional 'name', 'note')")
        if "amplitudes" not in doc:
            raise AmplitudeError(f"{p}: missing field 'amplitudes'")
        doc = doc["amplitudes"]
    if not isinstance(doc, list):
        raise AmplitudeError(f"{p}: expected a list of 8 amplitudes")
    return _from_values([_json_amplitude(v, i) for i, v in enumerate(doc)], normalise, p)


#: Largest file of states (``sepgap sweep states --state-file``) and most states in it.
MAX_STATES_FILE_BYTES = 20_000_000
MAX_STATES = 10_000


def load_states_file(path, normalise: bool = False) -> list:
    """``[(name or None, ThreeQubitState)]`` from a file of states: ``.npy`` (an array of shape
    ``(n, 8)``, real or complex) or JSON (a list of states, each a list of 8 amplitudes as in
    :func:`load_state_file` or an object ``{"amplitudes": [...], "name": ..., "note": ...}``).
    At most :data:`MAX_STATES` states. Every failure is one :class:`AmplitudeError` naming the
    state (``state 3``)."""
    p = Path(path)
    arr, docs = _read_file(p, "file of states", MAX_STATES_FILE_BYTES,
                           "give a JSON list of states or a .npy array (n, 8)")
    if arr is not None:
        if arr.ndim != 2 or arr.shape[1] != 8 or arr.shape[0] == 0:
            raise AmplitudeError(f"{p}: expected an array of shape (n, 8) (one state per row), "
                                 f"got shape {arr.shape}")
        docs = [[int(a) if arr.dtype.kind in "iu" else a.item() for a in r] for r in arr]
    elif not isinstance(docs, list) or not docs:
        raise AmplitudeError(f"{p}: expected a non-empty JSON list of states")
    if len(docs) > MAX_STATES:
        raise AmplitudeError(f"{p}: {len(docs)} states; at most {MAX_STATES} in one file")
    out = []
    for i, doc in enumerate(docs):
        name = None
        if isinstance(doc, dict):
            unknown = sorted(set(doc) - {"amplitudes", "name", "note"})
            if unknown:
                raise AmplitudeError(f"{p}: state {i}: unknown field(s) "
                                     f"{', '.join(map(repr, unknown))}")
            if "amplitudes" not in doc:
                raise AmplitudeError(f"{p}: state {i}: missing field 'amplitudes'")
            name = doc.get("name")
            if name is not None and not isinstance(name, str):
                raise AmplitudeError(f"{p}: state {i}: 'name' must be a string")
            doc = doc["amplitudes"]
        if not isinstance(doc, list):
            raise AmplitudeError(f"{p}: state {i}: expected a list of 8 amplitudes")
        try:
            vals = [_json_amplitude(v, j) for j, v in enumerate(doc)]
            out.append((name, three_qubit_state(vals, normalise)))
        except AmplitudeError as exc:
            raise AmplitudeError(f"{p}: state {i}: {exc}") from None
    return out


def _from_values(vals, normalise, p) -> ThreeQubitState:
    try:
        return three_qubit_state(vals, normalise)
    except AmplitudeError as exc:
        raise AmplitudeError(f"{p}: {exc}") from None


__all__ = ["AmplitudeError", "ThreeQubitState", "three_qubit_state", "load_state_file",
           "load_states_file", "MAX_STATES",
           "FLOAT_NORM_TOL"]
