"""Grading many submission files: bounded, parallel, and deduplicated.

A class repeats itself: most students type one of a handful of answers per part. The
batch therefore grades each distinct (problem, part, answer) once, in worker processes
under the sandbox's time and memory limits, and fans the verdicts back out to every
file. One hostile or broken file never stops the batch: every file ends with a
:class:`SubmissionResult`, graded or with the reason it could not be.
"""

from __future__ import annotations

import glob
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from hwgrade.grader.errors import SubmissionError, UsageError
from hwgrade.grader.grading import grade_part
from hwgrade.grader.problemset import ProblemSet, load_problem_set, solve
from hwgrade.grader.results import GRADED, AnswerResult, PartResult, SubmissionResult, Verdict
from hwgrade.grader.sandbox import Limits, TaskOutcome, WorkerPool
from hwgrade.grader.submission import Submission, load_submission

#: File endings picked up when a folder is given.
SUBMISSION_SUFFIXES = (".yaml", ".yml")


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
        """Identity of the task: equal keys give equal verdicts."""
        return json.dumps(
            [self.problem, self.part, self.raw, self.own], sort_keys=True, default=str
        )


@lru_cache(maxsize=4)
def _problem_set(option: str | None) -> ProblemSet:
    """The problem set a worker grades against (loaded once per process)."""
    return load_problem_set(option)


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
    if only:
        unknown = [p for p in only if problem_set.get(p) is None]
        if unknown:
            raise UsageError(f"unknown problem `{unknown[0]}`")
        return list(only)
    seen = {pid for sub in submissions for pid in sub.answers}
    return [spec.id for spec in problem_set.problems if spec.id in seen]


def grade_files(
    files: Sequence[Path],
    problem_set: ProblemSet,
    *,
    problems_option: str | None = None,
    workers: int = 1,
    limits: Limits | None = None,
    only: Sequence[str] = (),
    on_progress: Callable[[int, int], None] | None = None,
) -> list[SubmissionResult]:
    """Grade every file; each one gets a result, whatever it holds.

    Args:
        files: Submission files.
        problem_set: The problems to grade against.
        problems_option: The ``--problems`` value, passed to workers.
        workers: Worker processes (0 grades in this process without time limits).
        limits: Time and memory bound per distinct answer.
        only: Restrict grading to these problem ids.
        on_progress: Called with (distinct answers done, distinct answers in all).

    Returns:
        One result per file, in the order of ``files``.
    """
    limits = limits or Limits()
    by_id = {spec.id: spec for spec in problem_set.problems}
    loaded: list[Submission | tuple[Path, str]] = []
    for path in files:
        try:
            loaded.append(load_submission(path, by_id, display=str(path)))
        except SubmissionError as exc:
            loaded.append((path, exc.message))
        except Exception as exc:
            loaded.append((path, f"could not be read ({type(exc).__name__})"))
    good = [s for s in loaded if isinstance(s, Submission)]
    scope = scope_of(good, problem_set, only)
    max_possible = sum(p.points for pid in scope for p in by_id[pid].parts if p.kind != "manual")

    tasks: dict[str, PartTask] = {}
    per_file: list[list[tuple[str, str, str, Any]]] = []
    for sub in loaded:
        rows: list[tuple[str, str, str, Any]] = []
        if isinstance(sub, Submission):
            for pid in scope:
                spec = by_id[pid]
                answers = sub.answers.get(pid, {})
                solution = solve(spec)
                for part in spec.parts:
                    raw = answers.get(part.id)
                    rule = solution.carry_forward.get(part.id)
                    own = (
                        tuple((s, answers[s]) for s in rule.sources if s in answers) if rule else ()
                    )
                    task = PartTask(problems_option, pid, part.id, raw, own)
                    key = task.key()
                    tasks.setdefault(key, task)
                    rows.append((pid, part.id, key, raw))
        per_file.append(rows)

    keys = list(tasks)
    verdicts: dict[str, AnswerResult] = {}
    total = len(keys)

    finished = [0]

    def done(index: int, outcome: TaskOutcome) -> None:
        finished[0] += 1
        if on_progress is not None:
            on_progress(finished[0], total)

    if keys:
        items = [tasks[k] for k in keys]
        with WorkerPool(workers, limits) as pool:
            outcomes = pool.map(run_part_task, items, on_done=done)
        for key, task, outcome in zip(keys, items, outcomes, strict=True):
            spec_part = by_id[task.problem].part(task.part)
            points = spec_part.points if spec_part is not None else 0.0
            if outcome.ok and isinstance(outcome.value, AnswerResult):
                verdicts[key] = outcome.value
            else:
                verdicts[key] = _timeout_result(outcome, points, limits)
    elif on_progress is not None:
        on_progress(0, 0)

    results: list[SubmissionResult] = []
    for sub, rows in zip(loaded, per_file, strict=True):
        if not isinstance(sub, Submission):
            path, reason = sub
            results.append(
                SubmissionResult(path.stem, str(path), reason, max_possible=max_possible)
            )
            continue
        parts = tuple(
            PartResult(pid, part_id, verdicts[key], _answer_text(raw))
            for pid, part_id, key, raw in rows
        )
        results.append(
            SubmissionResult(sub.student, sub.file, GRADED, parts, sub.notes, max_possible)
        )
    return results


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


__all__ = ["PartTask", "check_file", "collect_files", "grade_files", "run_part_task", "scope_of"]
