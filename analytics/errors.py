"""Exception types shared by every layer; the CLI turns each into one line and exit status 2."""


class SepgapError(Exception):
    """Base class of every error sepgap raises on purpose (bad input, failed checks)."""


class InvalidStateError(SepgapError, ValueError):
    """The input does not describe a (W-class) three-qubit state; the message names the value."""


class InstrumentError(SepgapError):
    """An explicit instrument does not apply to a state, or failed its checks."""
