"""Exceptions raised by cdpcore. Every error carries the engine's message."""


class Error(Exception):
    """Base class of every cdpcore error."""


class InvalidArgumentError(Error, ValueError):
    """A bad argument or bad input (mapping, plan, options, file content)."""


class NotFoundError(Error, FileNotFoundError):
    """A file or object that does not exist."""


class IOError(Error, OSError):  # noqa: A001 - mirrors the engine's status name
    """A file that cannot be read or written."""


class UnsupportedError(Error, NotImplementedError):
    """A feature this version does not provide."""


class PrivacyError(Error, PermissionError):
    """A refusal by the privacy rules: targeting on a sensitive attribute without a recorded
    justification, a scope that may not see something, a spent noise budget."""


TYPES = {
    "PrivacyError": PrivacyError,
    "Error": Error,
    "InvalidArgumentError": InvalidArgumentError,
    "NotFoundError": NotFoundError,
    "IOError": IOError,
    "UnsupportedError": UnsupportedError,
}
