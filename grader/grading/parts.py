"""Grading a part: known mistakes, form rules, partial credit and error carried forward.

These sit on top of the plain equivalence check.

:func:`grade_part` is a pure function of (spec, part, solution, the student's raw
answers) and never raises; it is what worker processes run. The order of the checks is
the order an instructor would follow: can I read it, is it right, is it in the form
asked for, is it a mistake I know, is it right for the student's own earlier answer,
how many entries are right.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sympy

from hwgrade.grader.answer.language import ParsedAnswer
from hwgrade.grader.grading.carried import Earlier, carried_forward, substitute
from hwgrade.grader.grading.choices import grade_choice, grade_manual
from hwgrade.grader.grading.forms import is_expanded, is_factored
from hwgrade.grader.results import AnswerResult, Comparison, Equality, Verdict
from hwgrade.grader.specs.model import PartSpec, ProblemSpec
from hwgrade.grader.values import matrixops as mo
from hwgrade.grader.values.tuples import array_hint
from hwgrade.grader.verify.check import (
    echo,
    echo_plain,
    read,
    read_written,
    safe_compare,
)
from hwgrade.solver import Mistake, Solution


def _form_violation(part: PartSpec, parsed: ParsedAnswer, dims: tuple[str, ...]) -> str:
    """Why a right value is not in the form the part asks for ("" when it is)."""
    if part.allowed_symbols is not None:
        extra = sorted(parsed.names - set(part.allowed_symbols) - set(dims))
        if extra:
            allowed = ", ".join(part.allowed_symbols)
            used = ", ".join(f"`{x}`" for x in extra)
            return (
                f"the value is right, but this part asks for an answer in terms of {allowed} "
                f"only; you used {used}: substitute what "
                f"{'it stands' if len(extra) == 1 else 'they stand'} for and simplify"
            )
    value = parsed.value
    if part.form == "expanded" and isinstance(value, sympy.Expr) and not is_expanded(value):
        return (
            "the value is right, but this part asks for the expanded form: multiply out every "
            "product of sums"
        )
    if part.form == "factored" and isinstance(value, sympy.Expr) and not is_factored(value):
        return (
            "the value is right, but this part asks for the factored form: write it as a "
            "product of factors"
        )
    return ""


def _known_mistake(
    part: PartSpec, solution: Solution, spec: ProblemSpec, value: Any
) -> tuple[Mistake, Comparison] | None:
    """The first known mistake (solver-derived, then the spec's) that ``value`` matches."""
    candidates: list[Mistake] = list(solution.mistakes.get(part.id, ()))
    for i, written in enumerate(part.mistakes):
        reading = read_written(written.answer, spec.context)
        if reading.parsed is not None:
            candidates.append(
                Mistake(f"spec{i}", reading.parsed.value, written.message, written.credit)
            )
    for mistake in candidates:
        found = safe_compare(
            mistake.value, value, spec.context, tolerance=part.tolerance, equal_only=True
        )
        if found.outcome is Equality.EQUAL:
            return mistake, found
    return None


def _transposed(part: PartSpec, reference: Any, value: Any, ctx: Any) -> str | None:
    """Feedback for an answer that is the transpose of the reference, else ``None``.

    A row gradient for a column one, or a Jacobian in the other layout, is a defensible
    reading of a convention, not a wrong derivation: the student is told which
    convention the part asks for (the part's ``layout``, or the shape), never a bare
    "incorrect".
    """
    ref_shape, shape = mo.shape(reference), mo.shape(value)
    if ref_shape is None or shape is None or len(ref_shape) != 2 or len(shape) != 2:
        return None
    if [str(x) for x in shape] != [str(x) for x in reversed(ref_shape)]:
        return None
    try:
        flipped = mo.transpose(value)
    except Exception:
        return None
    found = safe_compare(reference, flipped, ctx, tolerance=part.tolerance, equal_only=True)
    if found.outcome is not Equality.EQUAL:
        return None
    credit = f" ({part.transposed_credit:.0%} of the points)" if part.transposed_credit else ""
    if part.layout:
        return f"this is the transpose of what is asked{credit}: {part.layout}"
    if str(ref_shape[1]) == "1":
        return f"row vector: the answer is asked as a column ({mo.show(ref_shape)}){credit}"
    if str(ref_shape[0]) == "1":
        return f"column vector: the answer is asked as a row ({mo.show(ref_shape)}){credit}"
    return f"this is the transpose of the expected matrix: mind the layout asked for{credit}"


def _entry_name(index: tuple[int, ...], shape: tuple[int, ...]) -> str:
    """``entry 4`` for vectors, ``row 2 col 1`` for matrices, ``(1, 2, 3)`` beyond (1-based)."""
    if len(index) == 2 and 1 in shape:
        return f"entry {index[0] + index[1] + 1}"
    if len(index) == 1:
        return f"entry {index[0] + 1}"
    if len(index) == 2:
        return f"row {index[0] + 1} col {index[1] + 1}"
    return "(" + ", ".join(str(i + 1) for i in index) + ")"


def _entry_credit(part: PartSpec, comparison: Comparison, reference: Any) -> tuple[float, str]:
    """Per-entry partial credit for arrays: the fraction of right entries, and which are wrong.

    Which entries are wrong is the most useful feedback an array answer can get (one slip
    in a 4 x 2 matrix is not eight mistakes), so the message names them, 1-based.
    """
    if not part.partial or not comparison.wrong_entries or comparison.method == "shape":
        return 0.0, ""
    shape = tuple(int(n) for n in getattr(reference, "shape", ()))
    total = 1
    for size in shape:
        total *= size
    if not shape or total <= 0:
        return 0.0, ""
    wrong = len(comparison.wrong_entries)
    names = [_entry_name(idx, shape) for idx in comparison.wrong_entries[:6]]
    listed = ", ".join(names) + ("" if wrong <= 6 else f" and {wrong - 6} more")
    fraction = max(0.0, (total - wrong) / total)
    return fraction, (
        f"{total - wrong} of {total} entries right (partial credit); "
        f"wrong: {listed}: recheck {'that entry' if wrong == 1 else 'those entries'}"
    )


def grade_part(
    spec: ProblemSpec,
    part: PartSpec,
    solution: Solution,
    raw: Any,
    own: Mapping[str, Any] | None = None,
) -> AnswerResult:
    """Grade one part. Never raises.

    Args:
        spec: The problem.
        part: The part being graded.
        solution: The solver's output for the problem.
        raw: The student's raw answer (``None`` when the part is missing).
        own: The student's raw answers to the other parts of this problem (for error
            carried forward).

    Returns:
        The verdict, points and messages.
    """
    return grade_part_each(spec, part, solution, raw, [own or {}])[0]


def unanswered(spec: ProblemSpec, part: PartSpec) -> AnswerResult:
    """The verdict of a part whose whole problem the student's file leaves out.

    The problem is still part of the assignment, so its points stay in the total (the
    same in ``check`` and ``grade``); nothing is read or solved for it.
    """
    if part.kind == "manual":
        return grade_manual(None, part.points)
    return AnswerResult(
        Verdict.MISSING,
        0.0,
        part.points,
        f"no answer: the file has no `{spec.id}` section"
        f" (`hwgrade template {spec.id}` lists its parts)",
    )


def grade_part_each(
    spec: ProblemSpec,
    part: PartSpec,
    solution: Solution,
    raw: Any,
    owns: Sequence[Mapping[str, Any]],
    *,
    latex: bool = True,
) -> list[AnswerResult]:
    """:func:`grade_part` of one answer for several students' own earlier answers.

    Equal to ``[grade_part(spec, part, solution, raw, own) for own in owns]``, but the
    answer is read, printed and compared once: the students' own answers matter only
    at the very end, for a wrong answer that may be right for their earlier ones. A
    batch uses this so that error carried forward needs no second pass. Never raises.

    ``latex=False`` leaves ``interpreted_latex`` empty: SymPy's LaTeX printer is a fifth
    of a check, and only the JSON outputs show it.
    """
    try:
        common = _grade_common(spec, part, solution, raw, latex)
    except Exception as exc:
        return [_internal_error(part, exc)] * len(owns)
    if isinstance(common, AnswerResult):
        return [common] * len(owns)
    results: list[AnswerResult] = []
    memo: dict[tuple[str, str], Earlier] = {}
    for own in owns:
        try:
            results.append(common.finish(spec, part, solution, own, memo))
        except Exception as exc:
            results.append(_internal_error(part, exc))
    return results


def _internal_error(part: PartSpec, exc: Exception) -> AnswerResult:
    return AnswerResult(
        Verdict.UNDECIDED,
        0.0,
        part.points,
        f"internal error while grading ({type(exc).__name__})",
    )


@dataclass(frozen=True)
class _Wrong:
    """A wrong answer whose verdict may still change with the student's own answers.

    Attributes:
        value: The answer, intermediate names substituted.
        mistake_credit: Credit of the known mistake it matches (``None``: none).
        base: The verdict when nothing is carried forward.
        notes: Notes appended to any message.
        plain: The answer in plain syntax.
        latex: The answer in LaTeX.
        reference: The reference in plain syntax.
    """

    value: Any
    mistake_credit: float | None
    base: AnswerResult
    notes: tuple[str, ...]
    plain: str
    latex: str
    reference: str

    def finish(
        self,
        spec: ProblemSpec,
        part: PartSpec,
        solution: Solution,
        own: Mapping[str, Any],
        memo: dict[tuple[str, str], Earlier] | None = None,
    ) -> AnswerResult:
        """The verdict for one student: carried forward if that earns more than the mistake.

        A known mistake explains the answer; but if the answer is also the right method
        applied to the student's own earlier (wrong) answer, that earns more and wins.
        """
        carried = carried_forward(part, solution, spec, self.value, own, memo)
        if carried is None or carried.score <= self.base.score:
            return self.base  # a known mistake or entry credit that earns as much wins
        text = "; ".join(x for x in (carried.message, *self.notes) if x)
        return AnswerResult(
            carried.verdict,
            round(carried.score, 6),
            part.points,
            text,
            self.plain,
            self.latex,
            self.reference,
            "carried-forward",
        )


def _grade_common(
    spec: ProblemSpec, part: PartSpec, solution: Solution, raw: Any, with_latex: bool = True
) -> AnswerResult | _Wrong:
    """Everything :func:`grade_part` decides without the student's other answers."""
    reference = solution.answers.get(part.id)
    show_reference = reference is not None and part.kind != "choice"
    ref_plain = echo_plain(reference) if show_reference else ""
    if part.kind == "manual":
        return grade_manual(raw, part.points)
    if raw is None or (isinstance(raw, str) and not raw.strip()) or raw == []:
        return AnswerResult(
            Verdict.MISSING,
            0.0,
            part.points,
            f'no answer: write one under "{part.id}" in your file',
            reference=ref_plain,
        )
    if part.kind == "choice":
        return grade_choice(part, reference, raw, solution)
    if isinstance(raw, dict):
        return AnswerResult(
            Verdict.INVALID,
            0.0,
            part.points,
            "this answer is a mapping (`key: value`), not an expression or a list: put the "
            'whole answer in quotes, e.g. "w (u_2 + w u_1)"',
            reference=ref_plain,
        )
    reading = read(raw, spec.context, "auto", part.points)
    if reading.parsed is None:
        assert reading.failure is not None
        return AnswerResult(
            reading.failure.verdict, 0.0, part.points, reading.failure.message, reference=ref_plain
        )
    parsed = reading.parsed
    if hint := array_hint(parsed.value, reference):  # `(a, b)` for a vector: say `[a, b]`
        return AnswerResult(Verdict.INVALID, 0.0, part.points, hint, reference=ref_plain)
    plain, latex = echo(parsed.value) if with_latex else (echo_plain(parsed.value), "")
    value = substitute(parsed.value, solution.definitions, spec.context)
    notes = list(parsed.notes)
    if value is not parsed.value and value != parsed.value:
        notes.append("intermediate names replaced by what they stand for")

    def result(verdict: Verdict, score: float, message: str, method: str = "") -> AnswerResult:
        text = "; ".join(x for x in (message, *notes) if x)
        return AnswerResult(
            verdict, round(score, 6), part.points, text, plain, latex, ref_plain, method
        )

    # A flat list has no orientation of its own, so it matches a row or a column; an
    # answer with a shape (a nested list, a matrix expression) must match the one asked.
    orientation_free = part.orientation is None or parsed.flat_list
    comparison = safe_compare(
        reference, value, spec.context, tolerance=part.tolerance, orientation_free=orientation_free
    )
    if comparison.outcome is not Equality.EQUAL:
        for alternative in part.alternatives:
            alt = read_written(alternative, spec.context)
            if alt.parsed is None:
                continue
            other = safe_compare(
                alt.parsed.value, value, spec.context, tolerance=part.tolerance, equal_only=True
            )
            if other.outcome is Equality.EQUAL:
                comparison = other
                break
    if comparison.outcome is Equality.EQUAL:
        violation = _form_violation(part, parsed, spec.context.dimensions)
        if violation:
            notes[:] = [n for n in notes if not n.startswith("intermediate names")]
            return result(Verdict.INCORRECT, 0.0, violation, comparison.method)
        return result(Verdict.CORRECT, part.points, "", comparison.method)
    if comparison.outcome is Equality.UNKNOWN:
        return result(Verdict.UNDECIDED, 0.0, comparison.reason, comparison.method)
    mistake = _known_mistake(part, solution, spec, value)
    flipped = None if mistake is not None else _transposed(part, reference, value, spec.context)
    if mistake is not None:
        known, _ = mistake
        base = result(Verdict.INCORRECT, part.points * known.credit, known.message, "known-mistake")
    elif flipped is not None:
        base = result(Verdict.INCORRECT, part.points * part.transposed_credit, flipped, "layout")
    else:
        fraction, entries = _entry_credit(part, comparison, reference)
        message = entries or comparison.reason
        if entries and "significant digits" in comparison.reason:  # say how many digits
            message += "; " + comparison.reason.rsplit("; ", 1)[-1]
        base = result(Verdict.INCORRECT, part.points * fraction, message, comparison.method)
    if part.id not in solution.carry_forward:
        return base
    credit = mistake[0].credit if mistake is not None else None
    return _Wrong(value, credit, base, tuple(notes), plain, latex, ref_plain)


__all__ = ["grade_part", "grade_part_each", "unanswered"]
