"""Verdicts and the result of grading one answer: the one record every writer reads.

Every graded answer gets exactly one :class:`Verdict`. :class:`AnswerResult` is frozen
and has a single :meth:`AnswerResult.to_dict`, which the JSON, CSV, Gradescope and
terminal writers all use, so that the contract's field names live in one place.
"""

from __future__ import annotations

import enum
import functools
from dataclasses import dataclass, field
from typing import Any


class Verdict(enum.StrEnum):
    """The contract's verdicts (DESIGN.md, "Verdicts")."""

    CORRECT = "correct"
    INCORRECT = "incorrect"
    #: Wrong against the key, right for the student's own earlier (wrong) answer: the
    #: points of the part's carry-forward rule (full or partial), never ``correct``.
    CARRIED_FORWARD = "carried_forward"
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
    def pending(self) -> bool:
        """Graded by hand and not in the score yet: no points either way, no pass or fail."""
        return self.method == MANUAL and self.max_score == 0

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

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AnswerResult:
        """Rebuild a result from :meth:`to_dict` (the ``--resume`` cache stores that form)."""
        return cls(
            Verdict(data["verdict"]),
            float(data["score"]),
            float(data["max_score"]),
            str(data.get("message", "")),
            str(data.get("interpreted_as", "")),
            str(data.get("interpreted_latex", "")),
            str(data.get("reference", "")),
            str(data.get("method", "")),
            tuple((str(k), str(v)) for k, v in dict(data.get("details") or {}).items()),
        )


@dataclass(frozen=True)
class PartResult:
    """One graded part of one submission.

    Attributes:
        problem: Problem id.
        part: Part id within the problem.
        result: The verdict, points and messages.
        answer: The student's raw answer as text ("" when missing), for reports.
    """

    problem: str
    part: str
    result: AnswerResult
    answer: str = ""

    @property
    def key(self) -> str:
        """``problem.part``: the CSV column name and the Gradescope test number."""
        return f"{self.problem}.{self.part}"

    def to_dict(self) -> dict[str, Any]:
        """The contract's per-part JSON object (``problem``, ``part`` + the verdict fields)."""
        return {"problem": self.problem, "part": self.part, "answer": self.answer} | (
            self.result.to_dict()
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PartResult:
        """Rebuild a part from :meth:`to_dict`."""
        return cls(
            str(data["problem"]),
            str(data["part"]),
            AnswerResult.from_dict(data),
            str(data.get("answer", "")),
        )


#: ``method`` of a free-text part a TA grades by hand (not in the automatic score).
MANUAL = "manual"

#: ``method`` of a verdict the sandbox imposed (a time or memory limit, a dead worker):
#: no check completed, so nothing about the answer was decided and nothing is cached.
SANDBOX = "sandbox"

#: ``status`` of a submission that was graded (otherwise the status is the reason it was not).
GRADED = "graded"


@dataclass(frozen=True)
class SubmissionResult:
    """The outcome of grading one submission file.

    Attributes:
        student: Student id (the file's ``student:`` or the file name).
        file: The file as given on the command line.
        status: ``graded``, or why the file could not be graded at all.
        parts: Every graded part, in problem and part order (empty if not graded).
        notes: File-level messages (unknown problem or part ids, ignored keys).
        max_possible: Points available when the file could not be graded (for the
            CSV's ``max_score``); otherwise the sum over ``parts``.
        variant: The problem variant the student was graded on (0: the specs' own numbers).
        student_id: The institution's id from the file's ``student_id:`` ("" if none).
    """

    student: str
    file: str
    status: str
    parts: tuple[PartResult, ...] = ()
    notes: tuple[str, ...] = ()
    max_possible: float = 0.0
    variant: int = 0
    student_id: str = ""

    @property
    def graded(self) -> bool:
        """Whether the file could be graded."""
        return self.status == GRADED

    @functools.cached_property
    def score(self) -> float:
        """Points earned over all parts."""
        return round(sum(p.result.score for p in self.parts), 6)

    @functools.cached_property
    def max_score(self) -> float:
        """Points available over all parts."""
        if not self.parts:
            return self.max_possible
        return round(sum(p.result.max_score for p in self.parts), 6)

    @property
    def percent(self) -> float:
        """Score as a percentage of the points available (0 when none are)."""
        return round(100.0 * self.score / self.max_score, 2) if self.max_score else 0.0

    @property
    def all_correct(self) -> bool:
        """Whether every part is correct (the ``check`` command's exit code 0)."""
        return self.graded and all(
            p.result.is_correct for p in self.parts if p.result.method != MANUAL
        )

    def to_dict(self) -> dict[str, Any]:
        """The contract's per-submission JSON object."""
        return {
            "student": self.student,
            "student_id": self.student_id,
            "file": self.file,
            "status": self.status,
            "score": self.score,
            "max_score": self.max_score,
            "percent": self.percent,
            "variant": self.variant,
            "notes": list(self.notes),
            "parts": [p.to_dict() for p in self.parts],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SubmissionResult:
        """Rebuild a submission from :meth:`to_dict`.

        ``max_possible`` is recovered from ``max_score`` (it is what an ungraded file
        reports), so a round trip gives an equal record.
        """
        parts = tuple(PartResult.from_dict(p) for p in data.get("parts", ()))
        return cls(
            str(data["student"]),
            str(data["file"]),
            str(data["status"]),
            parts,
            tuple(str(n) for n in data.get("notes", ())),
            float(data.get("max_possible", data.get("max_score", 0.0))),
            int(data.get("variant", 0)),
            str(data.get("student_id", "")),
        )


__all__ = [
    "GRADED",
    "MANUAL",
    "SANDBOX",
    "AnswerResult",
    "Comparison",
    "Equality",
    "PartResult",
    "SubmissionResult",
    "Verdict",
]
