"""Checking one answer: read it, compare it, and turn the outcome into a verdict.

This is the seam between the answer language (:mod:`hwgrade.grader.answer.language`), the
equivalence engine (:mod:`hwgrade.grader.verify.equivalence`) and everything that reports
verdicts. Nothing here raises for a bad answer: every failure becomes an
:class:`AnswerResult` whose message says where and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hwgrade.grader.answer.echo import to_latex, to_plain
from hwgrade.grader.answer.language import ParsedAnswer, Syntax, read_answer
from hwgrade.grader.context import Context
from hwgrade.grader.errors import AnswerSyntaxError, ShapeError
from hwgrade.grader.memo import remembered
from hwgrade.grader.results import AnswerResult, Comparison, Equality, Verdict
from hwgrade.grader.values.tuples import array_hint
from hwgrade.grader.verify.equivalence import Settings, compare
from hwgrade.grader.verify.floatscreen import certainly_different

#: How a comparison outcome maps onto a verdict.
_VERDICT = {
    Equality.EQUAL: Verdict.CORRECT,
    Equality.NOT_EQUAL: Verdict.INCORRECT,
    Equality.UNKNOWN: Verdict.UNDECIDED,
}


@dataclass(frozen=True)
class Reading:
    """An answer after reading: either parsed, or the verdict explaining why not.

    Attributes:
        parsed: The parsed answer, or ``None`` when it could not be used.
        failure: The verdict for an unusable answer (``invalid`` or, for a shape
            error, ``incorrect``), else ``None``.
    """

    parsed: ParsedAnswer | None
    failure: AnswerResult | None = None


_OPERATORS = "+-*/^@"
#: Subscript digits are not part of the language (superscripts are); say how to type them.
_SUBSCRIPT_DIGITS = "₀₁₂₃₄₅₆₇₈₉"


def _advice(exc: AnswerSyntaxError, text: str, ctx: Context | None) -> str:
    """What to do about a parse error, for the mistakes students actually make.

    The parser says *what* it found; a student fixing a file also needs to know which
    edit makes it readable (close a bracket, finish a term, type a subscript with ``_``).
    """
    message = exc.message
    stripped = text.rstrip()
    if "ends too early" in message:
        for opening, closing in ("()", "[]"):
            missing = text.count(opening) - text.count(closing)
            if missing > 0:
                return f"a `{opening}` is never closed: add {missing} `{closing}`"
        if stripped and stripped[-1] in _OPERATORS:
            return f"nothing follows the final `{stripped[-1]}`: finish the term or delete it"
        return "the expression is incomplete"
    if message.startswith("unexpected `)`") or message.startswith("unexpected `]`"):
        return f"this `{exc.token}` has no matching opening bracket: delete it or add one"
    if message.startswith("unexpected `,`"):
        return "a comma separates list entries only: write one expression or a list `[a, b]`"
    if exc.token and exc.token[0] in _SUBSCRIPT_DIGITS:
        return "type subscripts with `_`, as in `u_1`"
    if message.startswith("unknown symbol") and "did you mean" not in message and ctx:
        names = sorted(ctx.by_name)
        if names:
            shown = ", ".join(names[:14]) + (", ..." if len(names) > 14 else "")
            return f"this problem's symbols are {shown}"
    return ""


def error_message(exc: AnswerSyntaxError, text: Any, ctx: Context | None = None) -> str:
    """A one-line message: where (column, token), why, and what to do about it."""
    where = ""
    if exc.position is not None and isinstance(text, str):
        where = f"at column {exc.position + 1}"
        if exc.token:
            where += f" (`{exc.token[:40]}`)"
        where += ": "
    elif exc.token:
        where = f"at `{exc.token[:40]}`: "
    advice = _advice(exc, text, ctx) if isinstance(text, str) else ""
    return f"{where}{exc.message}" + (f"; {advice}" if advice else "")


def read(text: Any, ctx: Context, syntax: Syntax = "auto", max_score: float = 1.0) -> Reading:
    """Parse an answer, converting every failure into a verdict instead of an exception."""
    try:
        return Reading(read_answer(text, ctx, syntax))
    except ShapeError as exc:
        return Reading(
            None, AnswerResult(Verdict.INCORRECT, 0.0, max_score, f"shape error: {exc.message}")
        )
    except AnswerSyntaxError as exc:
        return Reading(
            None, AnswerResult(Verdict.INVALID, 0.0, max_score, error_message(exc, text, ctx))
        )
    except RecursionError:
        return Reading(
            None, AnswerResult(Verdict.INVALID, 0.0, max_score, "the answer is nested too deeply")
        )
    except Exception as exc:
        reason = f"could not read the answer ({type(exc).__name__})"
        return Reading(None, AnswerResult(Verdict.INVALID, 0.0, max_score, reason))


@remembered(4096)
def echo_plain(value: Any) -> str:
    """The value in plain syntax; never raises (falls back to ``str``).

    Printed once per distinct value in a process: every graded part shows its
    reference, hundreds of times against the same SymPy object, and many typed answers
    (``X w - y``, ``X*w - y``) are one value; printing is a tenth of a check.
    """
    try:
        return to_plain(value)
    except Exception:
        return str(value)


@remembered(4096)
def _latex(value: Any) -> str:
    try:
        return to_latex(value)
    except Exception:
        return ""


def echo(value: Any) -> tuple[str, str]:
    """The value in plain syntax and LaTeX, remembered as :func:`echo_plain` is."""
    return echo_plain(value), _latex(value)


@remembered(1024)
def _read_once(text: str, ctx: Context) -> Reading:
    return read(text, ctx)


def read_written(text: Any, ctx: Context) -> Reading:
    """:func:`read` for instructor-written text (a spec's alternatives and known mistakes).

    That text is the same for every student, so it is read once per (text, context)
    rather than on every wrong answer. Student text never goes through this cache.
    """
    return _read_once(text, ctx) if isinstance(text, str) else read(text, ctx)


def _guarded_compare(
    reference: Any, answer: Any, ctx: Context, tolerance: float, orientation_free: bool
) -> Comparison:
    """:func:`compare` with a last guard: an engine failure is "cannot tell", not a crash."""
    try:
        return compare(
            reference, answer, ctx, tolerance=tolerance, orientation_free=orientation_free
        )
    except Exception as exc:
        return Comparison(Equality.UNKNOWN, f"the engine failed ({type(exc).__name__})", "error")


#: Comparisons remembered per process (a batch worker's lifetime).
_compared = remembered(4096)(_guarded_compare)


#: The outcome of a candidate that the float screen rules out (only "equal" is used).
_RULED_OUT = Comparison(
    Equality.NOT_EQUAL, "differs at a sampled point (floating point, error bounded)", "numeric"
)


def safe_compare(
    reference: Any,
    answer: Any,
    ctx: Context,
    *,
    tolerance: float,
    orientation_free: bool = True,
    equal_only: bool = False,
) -> Comparison:
    """:func:`compare` that never raises, each distinct question decided once per process.

    A comparison is a pure function of its inputs (the random points are seeded), and a
    batch worker meets the same question again and again: two spellings of one answer
    build the same value, and every wrong answer's group re-checks the same earlier
    answers and known mistakes. SymPy's equality is structural (``0.5`` is not ``1/2``,
    a 15-digit decimal is not a 30-digit one), so a remembered verdict is only reused
    for the very same value. Unhashable values are compared each time.

    ``equal_only`` is for a caller that uses nothing but an "equal" outcome (a known
    mistake, an alternative, a transpose): a pair the float screen
    (:mod:`~hwgrade.grader.verify.floatscreen`) proves different is then answered
    "not equal" without the full comparison, whose reason no one would read.
    """
    if equal_only and certainly_different(
        reference, answer, ctx, tolerance=tolerance, digits=Settings(tolerance).digits
    ):
        return _RULED_OUT
    return _compared(reference, answer, ctx, tolerance, orientation_free)


def verdict_of(comparison: Comparison) -> Verdict:
    """The contract's verdict for an engine outcome."""
    return _VERDICT[comparison.outcome]


def check_pair(
    reference: str,
    answer: str,
    ctx: Context,
    *,
    syntax: Syntax = "auto",
    tolerance: float = 1e-3,
) -> AnswerResult:
    """Decide whether ``answer`` is equivalent to ``reference`` (``hwgrade equiv``).

    The reference's syntax is always auto-detected; ``syntax`` applies to the answer.
    A reference that cannot be read is reported as ``invalid`` with a message that says
    so, distinct from an unreadable answer.
    """
    ref = read(reference, ctx, "auto")
    if ref.parsed is None:
        assert ref.failure is not None
        return AnswerResult(
            Verdict.INVALID,
            0.0,
            1.0,
            f"the reference cannot be read: {ref.failure.message}",
            reference=reference,
        )
    ref_plain = echo_plain(ref.parsed.value)
    got = read(answer, ctx, syntax)
    if got.parsed is None:
        assert got.failure is not None
        return AnswerResult(got.failure.verdict, 0.0, 1.0, got.failure.message, reference=ref_plain)
    if hint := array_hint(got.parsed.value, ref.parsed.value):  # `(a, b)` for a vector
        return AnswerResult(Verdict.INVALID, 0.0, 1.0, hint, reference=ref_plain)
    plain, latex = echo(got.parsed.value)
    comparison = safe_compare(ref.parsed.value, got.parsed.value, ctx, tolerance=tolerance)
    verdict = verdict_of(comparison)
    message = "; ".join(x for x in (comparison.reason, *got.parsed.notes) if x)
    return AnswerResult(
        verdict,
        1.0 if verdict is Verdict.CORRECT else 0.0,
        1.0,
        message,
        interpreted_as=plain,
        interpreted_latex=latex,
        reference=ref_plain,
        method=comparison.method,
    )


__all__ = [
    "Reading",
    "check_pair",
    "echo",
    "echo_plain",
    "error_message",
    "read",
    "read_written",
    "safe_compare",
    "verdict_of",
]
