"""Grading many submission files: bounded, parallel, and deduplicated.

A class repeats itself: most students type one of a handful of answers per part. The
batch therefore grades each distinct (problem, part, answer) once, in worker processes
under the sandbox's time and memory limits, and fans the verdicts back out to every
file. Reading the files is parallel too (the safe YAML reader is pure Python and is the
largest cost after grading), and it runs under the same limits, so a file built to
stall the reader costs its time limit, not the batch. One hostile or broken file never
stops the batch: every file ends with a :class:`SubmissionResult`, graded or with the
reason it could not be.
"""

from __future__ import annotations

import glob
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hwgrade.grader.errors import SubmissionError, UsageError
from hwgrade.grader.grading import grade_part
from hwgrade.grader.problemset import ProblemSet, load_problem_set, solve
from hwgrade.grader.results import GRADED, AnswerResult, PartResult, SubmissionResult, Verdict
from hwgrade.grader.sandbox import Limits, Runner, TaskOutcome, WorkerPool
from hwgrade.grader.submission import Submission, load_submission

#: File endings picked up when a folder is given.
SUBMISSION_SUFFIXES = (".yaml", ".yml")

#: Progress callback: (steps done, steps in all); the total grows once files are read.
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class PartTask:
    """One distinct answer to check; small and picklable so workers can receive it.

    Attributes:
        problems: The ``--problems`` option, so a worker loads the same problem set.
        problem: Problem id.
        part: Part id.
        raw: The raw answer (``None`` if missing).
        own: The student's raw answers to the parts this one carries forward from.
    """

    problems: str | None
    problem: str
    part: str
    raw: Any
    own: tuple[tuple[str, Any], ...] = ()

    def key(self) -> str:
        """Identity of the task: equal keys give equal verdicts.

        The raw text is kept byte for byte (no whitespace folding): messages quote
        columns, and one student's verdict must never carry another's column numbers.
        """
        return json.dumps(
            [self.problem, self.part, self.raw, self.own], sort_keys=True, default=str
        )


@dataclass(frozen=True)
class LoadTask:
    """One submission file to read in a worker."""

    problems: str | None
    path: str


#: Problem sets handed over by the parent before its workers fork, by ``--problems``.
_PRIMED: dict[str | None, ProblemSet] = {}


def prime_problem_set(option: str | None, problem_set: ProblemSet) -> None:
    """Make forked workers reuse the parent's loaded (and solved) problem set.

    Without it every worker re-reads the specs and re-runs the solvers (about a second
    per worker); forked workers inherit this table and the solver cache for free.
    """
    _PRIMED[option] = problem_set


def _problem_set(option: str | None) -> ProblemSet:
    """The problem set a worker grades against (loaded once per process)."""
    found = _PRIMED.get(option)
    if found is None:
        found = _PRIMED[option] = load_problem_set(option)
    return found


def run_part_task(task: PartTask) -> AnswerResult:
    """Worker entry point: grade one distinct answer."""
    problem_set = _problem_set(task.problems)
    spec = problem_set.get(task.problem)
    if spec is None:
        return AnswerResult(Verdict.INVALID, 0.0, 0.0, f"unknown problem `{task.problem}`")
    part = spec.part(task.part)
    if part is None:
        return AnswerResult(Verdict.INVALID, 0.0, 0.0, f"unknown part `{task.part}`")
    return grade_part(spec, part, solve(spec), task.raw, dict(task.own))


def run_load_task(task: LoadTask) -> Submission | str:
    """Worker entry point: read one file; the reason as a string when it is unusable."""
    by_id = {spec.id: spec for spec in _problem_set(task.problems).problems}
    try:
        return load_submission(Path(task.path), by_id, display=task.path)
    except SubmissionError as exc:  # the row already names the file: drop it from the reason
        message = exc.message
        if message.startswith(task.path):
            message = message[len(task.path) :].lstrip(",: ") or message
        return message
    except Exception as exc:
        return f"could not be read ({type(exc).__name__})"


def collect_files(paths: Iterable[str]) -> list[Path]:
    """Expand files, folders (recursively, ``*.yaml``/``*.yml``) and globs, in a stable order.

    Raises:
        UsageError: A path matches nothing.
    """
    found: list[Path] = []
    for item in paths:
        path = Path(item)
        if path.is_dir():
            found.extend(
                sorted(
                    p
                    for p in path.rglob("*")
                    if p.is_file() and p.suffix.lower() in SUBMISSION_SUFFIXES
                )
            )
        elif path.exists():
            found.append(path)
        else:
            matches = sorted(Path(m) for m in glob.glob(item, recursive=True))
            if not matches:
                raise UsageError(f"no such file or folder: {item}")
            found.extend(m for m in matches if m.is_file())
    unique: dict[Path, None] = {}
    for path in found:
        unique.setdefault(path, None)
    return list(unique)


def _timeout_result(outcome: TaskOutcome, max_score: float, limits: Limits) -> AnswerResult:
    """The verdict for a task the sandbox had to stop."""
    if outcome.timed_out:
        return AnswerResult(
            Verdict.TIMEOUT,
            0.0,
            max_score,
            f"checking this answer took longer than {limits.seconds:g} s; simplify it and retry",
        )
    reason = outcome.error or "the checker stopped"
    if outcome.crashed:
        reason = f"the checker process was stopped ({reason}); the answer is too large to check"
    return AnswerResult(Verdict.INVALID, 0.0, max_score, reason)


def _load_reason(outcome: TaskOutcome, limits: Limits) -> str:
    """The status of a file whose reader the sandbox had to stop."""
    if outcome.timed_out:
        return f"could not be read (reading it took longer than {limits.seconds:g} s)"
    return f"could not be read ({outcome.error or 'the reader stopped'})"


def _answer_text(raw: Any) -> str:
    """The raw answer as one line of text, for reports."""
    if raw is None:
        return ""
    if isinstance(raw, str):
        return raw
    return json.dumps(raw, ensure_ascii=False, default=str)


def scope_of(
    submissions: Sequence[Submission], problem_set: ProblemSet, only: Sequence[str] = ()
) -> list[str]:
    """Which problems are graded: ``only`` if given, else every problem any file answers."""
    return scope_from({pid for sub in submissions for pid in sub.answers}, problem_set, only)


def scope_from(answered: set[str], problem_set: ProblemSet, only: Sequence[str] = ()) -> list[str]:
    """:func:`scope_of` from the set of answered problem ids (cached files keep theirs)."""
    if only:
        unknown = [p for p in only if problem_set.get(p) is None]
        if unknown:
            raise UsageError(f"unknown problem `{unknown[0]}`")
        return list(only)
    return [spec.id for spec in problem_set.problems if spec.id in answered]


def load_files(
    files: Sequence[Path],
    runner: Runner,
    limits: Limits,
    problems_option: str | None,
    on_done: Callable[[int, TaskOutcome], None] | None = None,
) -> list[Submission | tuple[Path, str]]:
    """Read every file through ``runner``; unusable ones become ``(path, reason)``."""
    tasks = [LoadTask(problems_option, str(path)) for path in files]
    outcomes = runner.map(run_load_task, tasks, on_done=on_done)
    loaded: list[Submission | tuple[Path, str]] = []
    for path, outcome in zip(files, outcomes, strict=True):
        if outcome.ok and isinstance(outcome.value, Submission):
            loaded.append(outcome.value)
        elif outcome.ok and isinstance(outcome.value, str):
            loaded.append((path, outcome.value))
        else:
            loaded.append((path, _load_reason(outcome, limits)))
    return loaded


#: A file's row for one part: (problem, part, task key, task with own answers, raw answer).
Row = tuple[str, str, str, "PartTask | None", Any]


def plan_tasks(
    loaded: Sequence[Submission | tuple[Path, str]],
    problem_set: ProblemSet,
    scope: Sequence[str],
    problems_option: str | None,
) -> tuple[dict[str, PartTask], list[list[Row]]]:
    """The distinct tasks (without the student's own earlier answers), and per-file rows.

    A part with an error-carried-forward rule depends on the student's own answers to
    its sources, which would make nearly every such task distinct. But those answers
    are consulted only for an answer that is wrong and not a known mistake, so the
    task is planned without them and the row keeps the full task for that case.
    """
    tasks: dict[str, PartTask] = {}
    per_file: list[list[Row]] = []
    for sub in loaded:
        rows: list[Row] = []
        if isinstance(sub, Submission):
            for pid in scope:
                spec = problem_set.get(pid)
                assert spec is not None
                answers = sub.answers.get(pid, {})
                rules = solve(spec).carry_forward
                for part in spec.parts:
                    raw = answers.get(part.id)
                    sources = rules[part.id].sources if part.id in rules else ()
                    own = tuple((s, answers[s]) for s in sources if s in answers)
                    task = PartTask(problems_option, pid, part.id, raw)
                    key = task.key()
                    tasks.setdefault(key, task)
                    full = PartTask(problems_option, pid, part.id, raw, own) if own else None
                    rows.append((pid, part.id, key, full, raw))
        per_file.append(rows)
    return tasks, per_file


def _needs_own(result: AnswerResult) -> bool:
    """Whether the student's own earlier answers could change this verdict."""
    return result.verdict is Verdict.INCORRECT and result.method != "known-mistake"


def _run_tasks(
    tasks: dict[str, PartTask],
    problem_set: ProblemSet,
    runner: Runner,
    limits: Limits,
    on_done: Callable[[int, TaskOutcome], None] | None,
) -> dict[str, AnswerResult]:
    """Verdict per task key; a task the sandbox stopped becomes timeout / invalid."""
    items = list(tasks.values())
    outcomes = runner.map(run_part_task, items, on_done=on_done) if items else []
    verdicts: dict[str, AnswerResult] = {}
    for key, task, outcome in zip(tasks, items, outcomes, strict=True):
        if outcome.ok and isinstance(outcome.value, AnswerResult):
            verdicts[key] = outcome.value
        else:
            spec = problem_set.get(task.problem)
            part = spec.part(task.part) if spec is not None else None
            verdicts[key] = _timeout_result(outcome, part.points if part else 0.0, limits)
    return verdicts


def grade_loaded(
    loaded: Sequence[Submission | tuple[Path, str]],
    problem_set: ProblemSet,
    scope: Sequence[str],
    runner: Runner,
    limits: Limits,
    *,
    problems_option: str | None = None,
    on_done: Callable[[int, TaskOutcome], None] | None = None,
    on_planned: Callable[[int], None] | None = None,
) -> list[SubmissionResult]:
    """Grade already-read submissions: each distinct answer once, fanned back out."""
    max_possible = _max_possible(problem_set, scope)
    tasks, per_file = plan_tasks(loaded, problem_set, scope, problems_option)
    if on_planned is not None:
        on_planned(len(tasks))
    verdicts = _run_tasks(tasks, problem_set, runner, limits, on_done)
    follow: dict[str, PartTask] = {}  # wrong answers to carry-forward parts, with own answers
    for rows in per_file:
        for _, _, key, full, _ in rows:
            if full is not None and _needs_own(verdicts[key]):
                follow.setdefault(full.key(), full)
    if follow:
        if on_planned is not None:
            on_planned(len(follow))
        verdicts.update(_run_tasks(follow, problem_set, runner, limits, on_done))
    results: list[SubmissionResult] = []
    for sub, rows in zip(loaded, per_file, strict=True):
        if not isinstance(sub, Submission):
            path, reason = sub
            results.append(SubmissionResult(path.stem, str(path), reason, (), (), max_possible))
            continue
        parts = tuple(
            PartResult(p, q, verdicts[f.key() if f and f.key() in follow else k], _answer_text(r))
            for p, q, k, f, r in rows
        )
        results.append(
            SubmissionResult(sub.student, sub.file, GRADED, parts, sub.notes, max_possible)
        )
    return results


def _max_possible(problem_set: ProblemSet, scope: Sequence[str]) -> float:
    """Points available over ``scope`` (manual parts are not in the automatic score)."""
    total = 0.0
    for pid in scope:
        spec = problem_set.get(pid)
        if spec is not None:
            total += sum(p.points for p in spec.parts if p.kind != "manual")
    return total


def grade_files(
    files: Sequence[Path],
    problem_set: ProblemSet,
    *,
    problems_option: str | None = None,
    workers: int = 1,
    limits: Limits | None = None,
    only: Sequence[str] = (),
    on_progress: Progress | None = None,
    runner: Runner | None = None,
    cache: Any = None,
) -> list[SubmissionResult]:
    """Grade every file; each one gets a result, whatever it holds.

    Args:
        files: Submission files.
        problem_set: The problems to grade against.
        problems_option: The ``--problems`` value, passed to workers.
        workers: Worker processes (0 grades in this process without time limits).
        limits: Time and memory bound per file read and per distinct answer.
        only: Restrict grading to these problem ids.
        on_progress: Called with (steps done, steps in all): one step per file read and
            one per distinct answer; the total grows once the files are read.
        runner: Run tasks there (e.g. a Dask cluster) instead of a local worker pool.
        cache: A :class:`~hwgrade.grader.resume.ResumeCache` (``--resume``): files it
            knows (same path, content and scope) keep their cached result; the others
            are graded and stored; it is saved at the end.

    Returns:
        One result per file, in the order of ``files``.
    """
    limits = limits or Limits()
    for spec in problem_set.problems:
        solve(spec)  # before the workers fork, so that they inherit the solutions
    prime_problem_set(problems_option, problem_set)
    from hwgrade.grader.resume import Counter, grade_all  # resume builds on this module

    counter = Counter(len(files), on_progress)  # one step per file read or cache hit
    if runner is None:
        with WorkerPool(workers, limits) as pool:
            return grade_all(
                files, problem_set, problems_option, pool, limits, only, counter, cache
            )
    return grade_all(files, problem_set, problems_option, runner, limits, only, counter, cache)


def check_file(
    path: Path,
    problem_set: ProblemSet,
    *,
    problems_option: str | None = None,
    workers: int = 1,
    limits: Limits | None = None,
) -> SubmissionResult:
    """Grade one student's file (``hwgrade check``): only the problems it answers.

    A file that answers none of the known problems cannot be graded; its status says
    so, together with the file's notes (which name the unknown ids).
    """
    [result] = grade_files(
        [path], problem_set, problems_option=problems_option, workers=workers, limits=limits
    )
    if result.graded and not result.parts:
        reason = "the file answers none of the known problems (see `hwgrade list`)"
        return SubmissionResult(result.student, result.file, reason, (), result.notes)
    return result


__all__ = [
    "LoadTask",
    "PartTask",
    "check_file",
    "collect_files",
    "grade_files",
    "grade_loaded",
    "load_files",
    "plan_tasks",
    "prime_problem_set",
    "run_load_task",
    "run_part_task",
    "scope_from",
    "scope_of",
]
