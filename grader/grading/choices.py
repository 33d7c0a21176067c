"""Parts that are not a formula: multiple choice, and free text left to a TA.

These never reach the answer language or the equivalence engine: a choice is a set of
option labels compared as a set (with the solver's known wrong picks for feedback), and
a free-text part is recorded for a human. Keeping them apart from
:mod:`hwgrade.grader.grading.parts` keeps that module about mathematical answers.
"""

from __future__ import annotations

from typing import Any

from hwgrade.grader.results import MANUAL, AnswerResult, Verdict
from hwgrade.grader.specs.model import PartSpec
from hwgrade.solver import Solution


def _choice_labels(raw: Any) -> frozenset[str] | None:
    """The option labels a student picked (``"b"``, ``"a, c"`` or ``[a, c]``)."""
    items: list[Any] = raw if isinstance(raw, list) else str(raw).replace(";", ",").split(",")
    labels = [str(x).strip().strip("()").lower() for x in items]
    if any(not label for label in labels):
        return None
    return frozenset(labels)


def grade_manual(raw: Any, points: float = 0.0) -> AnswerResult:
    """Free-text parts: recorded for a TA, never scored automatically.

    The verdict stays honest (``undecided``, or ``missing`` when blank) and the part
    carries no automatic points (``max_score`` 0, method ``manual``), so it neither helps
    nor hurts the automatic total until a TA's score sheet gives it its points
    (:mod:`hwgrade.grader.output.manualsheet`). The points it is worth travel in ``details``
    (``hand_points``) so that the student's view can say what is at stake.
    """
    text = raw if isinstance(raw, str) else "" if raw is None else str(raw)
    details = (("hand_points", f"{points:g}"),)
    if not text.strip():
        return AnswerResult(
            Verdict.MISSING,
            0.0,
            0.0,
            "no answer given (graded by hand)",
            method=MANUAL,
            details=details,
        )
    return AnswerResult(
        Verdict.UNDECIDED,
        0.0,
        0.0,
        "graded by hand: not in the automatic score",
        interpreted_as=text.strip()[:2000],
        method=MANUAL,
        details=details,
    )


def select_all_credit(picked: frozenset[str], want: frozenset[str]) -> float:
    """The fraction a select-all pick earns: right picks minus wrong picks, over the right.

    ``max(0, right - wrong) / len(want)``. It is monotone — one more right option never
    earns less, one more wrong option never earns more — so a student is never better
    off leaving out an option they believe is right, and ticking everything earns only
    what the right options outnumber the wrong by. A solver's known wrong picks give
    feedback, not credit, so that no pick can earn more than the rule says.
    """
    if not want:
        return 1.0 if not picked else 0.0
    right, wrong = len(picked & want), len(picked - want)
    return max(0, right - wrong) / len(want)


def grade_choice(part: PartSpec, reference: Any, raw: Any, solution: Solution) -> AnswerResult:
    """Single-answer and select-all choice parts (with the solver's known wrong picks)."""
    picked = _choice_labels(raw)
    options = {label.lower() for label, _ in part.choices}
    shown = ", ".join(sorted(picked)) if picked else ""
    if picked is None or not picked:
        return AnswerResult(Verdict.INVALID, 0.0, part.points, "no option picked")
    unknown = sorted(picked - options)
    if unknown:
        valid = ", ".join(sorted(options))
        return AnswerResult(
            Verdict.INVALID,
            0.0,
            part.points,
            f"unknown option `{unknown[0]}` (options: {valid})",
            interpreted_as=shown,
        )
    if not part.multiple and len(picked) > 1:
        return AnswerResult(
            Verdict.INVALID, 0.0, part.points, "pick one option only", interpreted_as=shown
        )
    want = frozenset(
        str(x).lower() for x in (reference if isinstance(reference, tuple) else (reference,))
    )
    ref_text = ", ".join(sorted(want))
    if picked == want:
        return AnswerResult(
            Verdict.CORRECT, part.points, part.points, "", interpreted_as=shown, reference=ref_text
        )
    fraction = select_all_credit(picked, want) if part.multiple else 0.0
    tally = f"{len(picked & want)} of {len(want)} right options picked, {len(picked - want)} wrong"
    for mistake in solution.mistakes.get(part.id, ()):
        labels = mistake.value if isinstance(mistake.value, tuple) else (mistake.value,)
        if picked == frozenset(str(x).lower() for x in labels):
            credit = fraction if part.multiple else mistake.credit
            return AnswerResult(
                Verdict.INCORRECT,
                round(part.points * credit, 6),
                part.points,
                f"{mistake.message} ({tally})" if part.multiple else mistake.message,
                interpreted_as=shown,
                reference=ref_text,
                method="known-mistake",
            )
    message = "not the right choice" if not part.multiple else tally
    return AnswerResult(
        Verdict.INCORRECT,
        round(part.points * fraction, 6),
        part.points,
        message,
        interpreted_as=shown,
        reference=ref_text,
    )


__all__ = ["grade_choice", "grade_manual", "select_all_credit"]
