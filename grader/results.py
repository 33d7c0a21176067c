"""Verdicts and the result of grading one answer: the one record every writer reads.

Every graded answer gets exactly one :class:`Verdict`. :class:`AnswerResult` is frozen
and has a single :meth:`AnswerResult.to_dict`, which the JSON, CSV, Gradescope and
terminal writers all use, so that the contract's field names live in one place.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class Verdict(str, enum.Enum):
    """The contract's verdicts (DESIGN.md, "Verdicts")."""

    CORRECT = "correct"
    INCORRECT = "incorrect"
    INVALID = "invalid"
    UNDECIDED = "undecided"
    TIMEOUT = "timeout"
    MISSING = "missing"

    def __str__(self) -> str:
        return self.value


class Equality(enum.Enum):
    """The equivalence engine's three-way answer, before it becomes a verdict."""

    EQUAL = "equal"
    NOT_EQUAL = "not_equal"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Comparison:
    """What the equivalence engine concluded about a (reference, answer) pair.

    Attributes:
        outcome: Equal, not equal, or cannot tell.
        reason: One sentence a student can read (e.g. "shapes differ: 5x1 vs 3x1").
        method: How it was decided: ``exact``, ``numeric``, ``symbolic``,
            ``numeric-only`` (agreement at every point without a symbolic proof),
            ``tolerance`` (decimals within the part's tolerance) or ``shape``.
        wrong_entries: For arrays, the flat indices of entries that differ.
    """

    outcome: Equality
    reason: str = ""
    method: str = ""
    wrong_entries: tuple[tuple[int, ...], ...] = ()


@dataclass(frozen=True)
class AnswerResult:
    """The outcome of grading one answer against one reference.

    Attributes:
        verdict: One of the contract's verdicts.
        score: Points earned (0 unless the verdict or partial credit says otherwise).
        max_score: Points available.
        message: Why: the parse error with its column, the mismatch, the known mistake.
        interpreted_as: The answer as it was read, in plain syntax ("" if unreadable).
        interpreted_latex: The same in LaTeX, for pretty display.
        reference: The reference answer in plain syntax.
        method: How equivalence was decided (see :class:`Comparison`).
        details: Extra facts for reports (wrong entries, the known mistake's id).
    """

    verdict: Verdict
    score: float = 0.0
    max_score: float = 1.0
    message: str = ""
    interpreted_as: str = ""
    interpreted_latex: str = ""
    reference: str = ""
    method: str = ""
    details: tuple[tuple[str, str], ...] = field(default=())

    @property
    def is_correct(self) -> bool:
        """Whether the verdict is ``correct`` (partial credit does not count)."""
        return self.verdict is Verdict.CORRECT

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of the contract; every writer builds on this."""
        out: dict[str, Any] = {
            "verdict": self.verdict.value,
            "score": self.score,
            "max_score": self.max_score,
            "message": self.message,
            "interpreted_as": self.interpreted_as,
            "interpreted_latex": self.interpreted_latex,
            "reference": self.reference,
            "method": self.method,
        }
        if self.details:
            out["details"] = dict(self.details)
        return out


__all__ = ["AnswerResult", "Comparison", "Equality", "Verdict"]
