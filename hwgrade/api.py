"""hwgrade as a library: read an answer, compare two, grade a part, a file or a class.

Each function is a thin, documented door into one stage of the pipeline (the modules
under :mod:`hwgrade.grader` stay free to change); ``import hwgrade`` gives all of them.
The rules are the command line's: student text is never evaluated as code, grading
never raises for a bad answer (it returns a verdict with a reason), and every check of
untrusted text has a time bound unless the caller asks to run it in this process.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from hwgrade.grader.answer.language import ParsedAnswer, Syntax
from hwgrade.grader.answer.language import read_answer as _read_answer
from hwgrade.grader.batch.loop import check_file
from hwgrade.grader.batch.loop import grade_files as _grade_files
from hwgrade.grader.batch.pairs import Pair, judge, run_pair
from hwgrade.grader.batch.sandbox import Limits
from hwgrade.grader.context import Context, parse_vars
from hwgrade.grader.errors import HwgradeError, UsageError
from hwgrade.grader.grading.parts import grade_part as _grade_part
from hwgrade.grader.results import AnswerResult, PartResult, SubmissionResult, Verdict
from hwgrade.grader.specs.model import ProblemSpec
from hwgrade.grader.specs.problemset import ProblemSet
from hwgrade.grader.specs.problemset import load_problem_set as _load_problem_set
from hwgrade.grader.specs.solving import solve
from hwgrade.grader.specs.validation import validate_spec

#: The default time limit of one check, in seconds (the command line's ``--timeout``).
TIMEOUT = 5.0


def _context(vars: str | Context | None) -> Context:
    if isinstance(vars, Context):
        return vars
    return parse_vars(vars) if vars and vars.strip() else Context(open=True)


def read_answer(
    text: str | list[Any], *, vars: str | Context | None = None, syntax: Syntax = "auto"
) -> ParsedAnswer:
    """Read an answer into SymPy, exactly as a student's answer is read.

    Args:
        text: Plain math syntax or LaTeX (or a nested list of entries).
        vars: The symbols, as ``hwgrade equiv --vars`` takes them (``"X: n x d, w"``);
            ``None`` lets every name be a scalar.
        syntax: ``"plain"``, ``"latex"`` or ``"auto"``.

    Returns:
        The answer as read: ``.value`` (a SymPy object), ``.notes`` (how ambiguous input
        was read) and what the echo needs.

    Raises:
        AnswerSyntaxError: the text cannot be read (the message says where and why).
        ShapeError: it reads, but its shapes do not fit (``X + w`` for a matrix X).
        UsageError: ``vars`` cannot be read.
    """
    return _read_answer(text, _context(vars), syntax)


def compare(
    reference: str,
    answer: str,
    *,
    vars: str | None = None,
    syntax: Syntax = "auto",
    tolerance: float = 1e-3,
    timeout: float | None = TIMEOUT,
) -> AnswerResult:
    """Is ``answer`` equivalent to ``reference``? The verdict ``hwgrade equiv`` gives.

    Args:
        reference: The reference (its syntax is detected).
        answer: The answer to judge, in ``syntax``.
        vars: The symbols, as for :func:`read_answer`.
        syntax: The answer's syntax.
        tolerance: The relative tolerance for decimals in the answer.
        timeout: Seconds the check may take, in a child process with a memory limit
            (for untrusted text); ``None`` checks in this process, unbounded in time.

    Returns:
        The result: ``.verdict`` (:class:`Verdict`), ``.message`` (why),
        ``.interpreted_as`` (the answer as read). Never raises for a bad answer.
    """
    pair = Pair(reference, answer, syntax, vars or "", tolerance)
    if timeout is None:
        return run_pair(pair)
    return judge(pair, Limits(seconds=timeout))


def load_problem_set(
    folder: str | Path | None = None, *, variants: bool | None = None
) -> ProblemSet:
    """The problems to grade: a course folder (its specs and solvers) or the built-in set.

    Args:
        folder: The folder of spec files; ``None`` resolves it as the command line does
            (``$HWGRADE_PROBLEMS``, a ``hwgrade.toml`` found upwards, else built in).
        variants: Give each student a variant (``None``: the course's setting decides).

    Raises:
        SpecError: a spec does not load (naming the file, field and line).
        UsageError: the folder is missing, or two specs share an id.
    """
    return _load_problem_set(None if folder is None else str(folder), variants)


def grade_part(
    problem: ProblemSpec,
    part_id: str,
    answer: Any,
    *,
    earlier: Mapping[str, Any] | None = None,
) -> AnswerResult:
    """Grade one answer to one part of a problem, in this process.

    Args:
        problem: A problem of a set (``load_problem_set().get("rnn_backprop")``).
        part_id: The part's id.
        answer: The student's answer (text, or a list for a vector or matrix).
        earlier: The student's own answers to the problem's other parts, by part id,
            for error carried forward.

    Returns:
        The verdict, score and feedback; never raises for a bad answer.

    Raises:
        UsageError: the problem has no part ``part_id``.
        SolverError: the problem's solver fails (the instructor's code, not the answer).
    """
    part = problem.part(part_id)
    if part is None:
        known = ", ".join(p.id for p in problem.parts)
        raise UsageError(f"`{problem.id}` has no part `{part_id}` (its parts: {known})")
    return _grade_part(problem, part, solve(problem), answer, dict(earlier or {}))


def _option(problem_set: ProblemSet) -> str | None:
    """How worker processes find the set again (``None``: the built-in one)."""
    return None if problem_set.builtin else str(problem_set.root)


def grade_submission(
    path: str | Path,
    problem_set: ProblemSet | None = None,
    *,
    workers: int = 1,
    timeout: float = TIMEOUT,
) -> SubmissionResult:
    """Grade one student's submission file as ``hwgrade check`` does.

    Args:
        path: The submission YAML file.
        problem_set: The problems (default: :func:`load_problem_set`'s).
        workers: Worker processes (0 checks in this process, with no time limit).
        timeout: Seconds per distinct answer.

    Returns:
        The file's result: every part's verdict, the total, and the file's notes. A file
        that cannot be read is a result with the reason, not an exception.
    """
    problems = problem_set or load_problem_set()
    return check_file(
        Path(path),
        problems,
        problems_option=_option(problems),
        workers=workers,
        limits=Limits(seconds=timeout),
    )


def grade_files(
    paths: Sequence[str | Path],
    problem_set: ProblemSet | None = None,
    *,
    workers: int = 1,
    timeout: float = TIMEOUT,
) -> list[SubmissionResult]:
    """Grade a class's submission files as ``hwgrade grade`` does, one result per file.

    Each distinct answer is checked once, in worker processes under the time limit, and
    one hostile or broken file never stops the others.

    Args:
        paths: The submission files.
        problem_set: The problems (default: :func:`load_problem_set`'s).
        workers: Worker processes (0 checks in this process, with no time limit).
        timeout: Seconds per distinct answer.

    Returns:
        One result per file, in the order given.
    """
    problems = problem_set or load_problem_set()
    return _grade_files(
        [Path(p) for p in paths],
        problems,
        problems_option=_option(problems),
        workers=workers,
        limits=Limits(seconds=timeout),
    )


__all__ = [
    "TIMEOUT",
    "AnswerResult",
    "HwgradeError",
    "ParsedAnswer",
    "PartResult",
    "ProblemSet",
    "ProblemSpec",
    "SubmissionResult",
    "Verdict",
    "compare",
    "grade_files",
    "grade_part",
    "grade_submission",
    "load_problem_set",
    "read_answer",
    "validate_spec",
]
