"""One exception hierarchy for hwgrade, each class carrying the exit code it maps to.

Grading a single answer never raises: it returns a verdict with a reason. These
exceptions are for everything around it (a spec that does not load, a submission that
cannot be read at all, a usage error), so that the CLI can turn any of them into one
clear line and the contract's exit code without knowing where it came from.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def did_you_mean(word: str, options: Iterable[str]) -> str:
    """A " (did you mean `x`?)" suffix for a misspelt ``word``, or "" when nothing is close.

    Every message about an unknown name (a part id, a setting) ends the same way, so a
    typo is fixed from the message alone.
    """
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f" (did you mean `{close[0]}`?)" if close else ""


class HwgradeError(Exception):
    """Base class of every error hwgrade raises on purpose.

    Attributes:
        exit_code: The process exit code the CLI uses for this error.
    """

    exit_code: int = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UsageError(HwgradeError):
    """The command line itself is wrong (unknown problem, bad option value)."""

    exit_code = 2


class AnswerSyntaxError(HwgradeError):
    """An answer could not be read: syntax, unknown name, forbidden construct, size bound.

    Attributes:
        position: 0-based column in the answer text where the problem was found, if known.
        token: The offending piece of text, if there is one.
    """

    exit_code = 2

    def __init__(self, message: str, position: int | None = None, token: str | None = None) -> None:
        super().__init__(message)
        self.position = position
        self.token = token


class AnswerLimitError(AnswerSyntaxError):
    """An answer exceeds a bound of the answer language (length, depth, number size)."""


class ShapeError(HwgradeError):
    """Two operands have incompatible shapes (a readable answer that is simply wrong)."""

    exit_code = 1


class SpecError(HwgradeError):
    """A problem spec is invalid; the message names the file, the field and the line."""

    exit_code = 1

    def __init__(
        self,
        message: str,
        path: str | None = None,
        field: str | None = None,
        line: int | None = None,
    ) -> None:
        where = ":".join(str(x) for x in (path, line) if x is not None)
        prefix = f"{where}: " if where else ""
        suffix = f" (field `{field}`)" if field else ""
        super().__init__(f"{prefix}{message}{suffix}")
        self.path = path
        self.field = field
        self.line = line


class SolverError(HwgradeError):
    """A solver failed to derive its reference answers from a spec's parameters."""

    exit_code = 1


class DeriveError(HwgradeError):
    """A derivation cannot be evaluated; turned into a :class:`SpecError` with its field.

    It is raised both by the derivation mini-language and by the reductions it calls, so
    it lives here rather than beside either of them.
    """


class SubmissionError(HwgradeError):
    """A submission file cannot be used at all (not YAML, empty, over the size limit)."""

    exit_code = 2


__all__ = [
    "AnswerLimitError",
    "AnswerSyntaxError",
    "DeriveError",
    "HwgradeError",
    "ShapeError",
    "SolverError",
    "SpecError",
    "SubmissionError",
    "UsageError",
    "did_you_mean",
]
