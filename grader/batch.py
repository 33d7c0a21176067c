"""Grading many submission files: bounded, parallel, and deduplicated.

A class repeats itself: most students type one of a handful of answers per part. The
batch therefore grades each distinct (problem, part, answer) once, in worker processes
under the sandbox's time and memory limits, and fans the verdicts back out to every
file. Error carried forward needs the student's own earlier answers, but only for a
wrong answer, so each distinct answer is one group whose members are the distinct own
answers of the students who gave it (:mod:`hwgrade.grader.scheduling` orders and
retries the groups). Files are read in the same workers (:mod:`hwgrade.grader.reading`).
One hostile or broken file never stops the batch: every file ends with a
:class:`SubmissionResult`, graded or with the reason it could not be.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hwgrade.grader.errors import HwgradeError
from hwgrade.grader.grading import grade_part_each
from hwgrade.grader.problemset import ProblemSet, solve
from hwgrade.grader.reading import (
    LoadTask,
    _problem_set,
    collect_files,
    load_files,
    prime_problem_set,
    run_load_task,
    scope_from,
    scope_of,
)
from hwgrade.grader.results import GRADED, AnswerResult, PartResult, SubmissionResult, Verdict
from hwgrade.grader.sandbox import Limits, Runner, TaskOutcome, WorkerPool
from hwgrade.grader.scheduling import (
    SolvingReaders,
    answer_cost,
    checkers_after,
    longest_first,
    run_groups,
    solve_all,
)
from hwgrade.grader.submission import Submission
from hwgrade.grader.variants import variant_spec
from hwgrade.solver import without_self_checks

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
        variant: The problem variant the student is graded on (0: the spec's own numbers).
    """

    problems: str | None
    problem: str
    part: str
    raw: Any
    own: tuple[tuple[str, Any], ...] = ()
    variant: int = 0

    def key(self) -> str:
        """Identity of the task: equal keys give equal verdicts.

        The raw text is kept byte for byte (no whitespace folding): messages quote
        columns, and one student's verdict must never carry another's column numbers.
        """
        return json.dumps(
            [self.problem, self.part, self.raw, self.own, self.variant],
            sort_keys=True,
            default=str,
        )


#: A student's own answers to the parts a part carries forward from: ((part, raw), ...).
Own = tuple[tuple[str, Any], ...]


@dataclass(frozen=True)
class PartGroup:
    """One distinct answer and the distinct own earlier answers of the students who gave it.

    The answer is read and compared once; only a wrong answer to a part with an
    error-carried-forward rule is then re-judged for each member's own answers.

    Attributes:
        task: The answer (its ``own`` is unused).
        owns: One entry per member; ``()`` for students whose own answers do not matter.
        latex: Also print the answer in LaTeX (only the JSON outputs show it).
    """

    task: PartTask
    owns: tuple[Own, ...] = ((),)
    latex: bool = True

    def size(self) -> int:
        """How many members (verdicts) the group has."""
        return len(self.owns)

    def alone(self, member: int) -> PartGroup:
        """The group of one member (a stopped group is retried member by member)."""
        return PartGroup(self.task, (self.owns[member],), self.latex)

    def base(self) -> PartGroup:
        """The answer without anyone's own answers: the work every member shares."""
        return PartGroup(self.task, latex=self.latex)


def run_part_task(task: PartTask) -> AnswerResult:
    """Worker entry point: grade one distinct answer."""
    return run_part_group(PartGroup(task, (task.own,)))[0]


def run_part_group(group: PartGroup) -> list[AnswerResult]:
    """Worker entry point: grade one distinct answer for each member of its group."""
    task = group.task
    problem_set = _problem_set(task.problems)
    spec = problem_set.get(task.problem)
    if spec is None:
        found = AnswerResult(Verdict.INVALID, 0.0, 0.0, f"unknown problem `{task.problem}`")
        return [found] * len(group.owns)
    part = spec.part(task.part)
    if part is None:
        found = AnswerResult(Verdict.INVALID, 0.0, 0.0, f"unknown part `{task.part}`")
        return [found] * len(group.owns)
    try:
        spec = variant_spec(spec, task.variant)
        part = spec.part(task.part) or part
        solution = solve(spec)
    except HwgradeError as exc:  # the instructor's spec, not the student: say so
        why = f"could not build variant {task.variant} of `{task.problem}`: {exc.message}"
        return [AnswerResult(Verdict.INVALID, 0.0, part.points, why)] * len(group.owns)
    owns = [dict(own) for own in group.owns]
    return grade_part_each(spec, part, solution, task.raw, owns, latex=group.latex)


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


#: A file's row for one part: (problem, part, group index, member index, raw answer).
Row = tuple[str, str, int, int, Any]


def _identity(raw: Any) -> tuple[str, Any]:
    """A hashable identity of a raw answer, byte for byte (no whitespace folding).

    Messages quote columns, and one student's verdict must never carry another's column
    numbers, so only identical answers share a check. Strings and ``None`` are their
    own identity; lists and mappings are compared through their JSON text (tagged, so a
    list never equals the string that spells it).
    """
    if raw is None or isinstance(raw, str):
        return ("", raw)
    return ("tree", _frozen(raw))


def _frozen(raw: Any) -> Any:
    """A hashable copy of a YAML value: lists and mappings tagged, so none equals a string."""
    if isinstance(raw, list):
        return ("[", *(_frozen(item) for item in raw))
    if isinstance(raw, dict):
        return ("{", *sorted((str(k), _frozen(v)) for k, v in raw.items()))
    if raw is None or isinstance(raw, str):
        return raw
    return ("?", type(raw).__name__, repr(raw))


def plan_tasks(
    loaded: Sequence[Submission | tuple[Path, str]],
    problem_set: ProblemSet,
    scope: Sequence[str],
    problems_option: str | None,
    *,
    latex: bool = True,
) -> tuple[list[PartGroup], list[list[Row]]]:
    """The distinct answers as groups, the slowest-looking first, and per-file rows.

    A part with an error-carried-forward rule depends on the student's own answers to
    its sources, which would make nearly every such task distinct. But those answers
    are consulted only for a wrong answer, so each distinct answer is one group, read
    and compared once, whose members are the distinct own answers of the students who
    gave it; only a wrong answer is re-judged per member.

    With variants on, a varying problem is graded against each student's own variant:
    the variant is part of an answer's identity there (and only there, so that the
    other problems still share their checks).
    """
    plan: list[tuple[str, bool, list[tuple[str, tuple[str, ...]]]]] = []
    for pid in scope:
        spec = problem_set.get(pid)
        assert spec is not None
        rules = solve(spec).carry_forward
        by_part = [(p.id, rules[p.id].sources if p.id in rules else ()) for p in spec.parts]
        plan.append((pid, spec.variation is not None, by_part))
    found: dict[tuple[str, str, int, tuple[str, Any]], int] = {}
    tasks: list[PartTask] = []
    members: list[dict[Any, int]] = []
    owns: list[list[Own]] = []
    per_file: list[list[Row]] = []
    for sub in loaded:
        rows: list[Row] = []
        if isinstance(sub, Submission):
            variant = problem_set.variants.variant_of(sub.student)
            for pid, varies, parts in plan:
                answers = sub.answers.get(pid, {})
                v = variant if varies else 0
                for part_id, sources in parts:
                    raw = answers.get(part_id)
                    ident = (pid, part_id, v, _identity(raw))
                    g = found.get(ident)
                    if g is None:
                        g = found[ident] = len(tasks)
                        tasks.append(PartTask(problems_option, pid, part_id, raw, variant=v))
                        members.append({})
                        owns.append([])
                    own: Own = ()
                    own_id: tuple[tuple[str, tuple[str, Any]], ...] = ()
                    if sources:
                        own = tuple((s, answers[s]) for s in sources if s in answers)
                        own_id = tuple((s, _identity(r)) for s, r in own)
                    m = members[g].get(own_id)
                    if m is None:
                        m = members[g][own_id] = len(owns[g])
                        owns[g].append(own)
                    rows.append((pid, part_id, g, m, raw))
        per_file.append(rows)
    groups = [PartGroup(task, tuple(o), latex) for task, o in zip(tasks, owns, strict=True)]
    return groups, per_file


def _settles(result: Any) -> bool:
    """Whether a verdict without the student's own answers is final for every student.

    Only a wrong answer can earn credit carried forward from the student's own answers.
    """
    return not (isinstance(result, AnswerResult) and result.verdict is Verdict.INCORRECT)


def _verdicts(
    groups: Sequence[PartGroup],
    problem_set: ProblemSet,
    runner: Runner,
    limits: Limits,
    on_done: Callable[[int, TaskOutcome], None] | None,
    on_planned: Callable[[int], None] | None,
) -> list[list[AnswerResult]]:
    """Verdict per group and member; a task the sandbox stopped becomes timeout / invalid.

    Groups start slowest-looking first, so that an answer running into the time limit
    overlaps the other checks instead of trailing them.
    """
    order = longest_first(range(len(groups)), lambda g: answer_cost(groups[g].task.raw))
    outcomes = run_groups(
        runner,
        run_part_group,
        [groups[g] for g in order],
        _settles,
        on_done=on_done,
        on_planned=on_planned,
    )
    verdicts: list[list[AnswerResult]] = [[] for _ in groups]
    for g, member_outcomes in zip(order, outcomes, strict=True):
        task = groups[g].task
        row: list[AnswerResult] = []
        for outcome in member_outcomes:
            if outcome.ok and isinstance(outcome.value, AnswerResult):
                row.append(outcome.value)
            else:
                spec = problem_set.get(task.problem)
                part = spec.part(task.part) if spec is not None else None
                row.append(_timeout_result(outcome, part.points if part else 0.0, limits))
        verdicts[g] = row
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
    latex: bool = True,
) -> list[SubmissionResult]:
    """Grade already-read submissions: each distinct answer once, fanned back out."""
    max_possible = _max_possible(problem_set, scope)
    groups, per_file = plan_tasks(loaded, problem_set, scope, problems_option, latex=latex)
    if on_planned is not None:
        on_planned(len(groups))
    verdicts = _verdicts(groups, problem_set, runner, limits, on_done, on_planned)
    # Rows of one (group, member) share one answer and one verdict: share one PartResult
    # (frozen) instead of building tens of thousands of equal ones.
    shared: dict[tuple[int, int], PartResult] = {}
    results: list[SubmissionResult] = []
    for sub, rows in zip(loaded, per_file, strict=True):
        if not isinstance(sub, Submission):
            path, reason = sub
            results.append(SubmissionResult(path.stem, str(path), reason, (), (), max_possible))
            continue
        parts = []
        for pid, part_id, g, m, raw in rows:
            found = shared.get((g, m))  # a group is one raw answer: (g, m) says it all
            if found is None:
                found = shared[g, m] = PartResult(pid, part_id, verdicts[g][m], _answer_text(raw))
            parts.append(found)
        variant = problem_set.variants.variant_of(sub.student)
        results.append(
            SubmissionResult(
                sub.student, sub.file, GRADED, tuple(parts), sub.notes, max_possible, variant
            )
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
    latex: bool = True,
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
        latex: Fill ``interpreted_latex`` (SymPy's LaTeX printer is about a fifth of a
            check; only the JSON outputs show it, so a caller writing none can skip it).

    Returns:
        One result per file, in the order of ``files``.
    """
    with without_self_checks():  # they vouch for the solvers' mathematics, not the class
        return _grade_files(
            files,
            problem_set,
            problems_option=problems_option,
            workers=workers,
            limits=limits or Limits(),
            only=only,
            on_progress=on_progress,
            runner=runner,
            cache=cache,
            latex=latex,
        )


def _grade_files(
    files: Sequence[Path],
    problem_set: ProblemSet,
    *,
    problems_option: str | None,
    workers: int,
    limits: Limits,
    only: Sequence[str],
    on_progress: Progress | None,
    runner: Runner | None,
    cache: Any,
    latex: bool,
) -> list[SubmissionResult]:
    """:func:`grade_files` once its defaults are filled in."""
    prime_problem_set(problems_option, problem_set)
    from hwgrade.grader.resume import Counter, grade_all  # resume builds on this module

    counter = Counter(len(files), on_progress)  # one step per file read or cache hit
    common = (files, problem_set, problems_option)
    if runner is None and workers > 0 and len(files) > 1:
        with WorkerPool(workers, limits) as readers:
            solving = SolvingReaders(readers, problem_set, problems_option)
            checkers = functools.partial(checkers_after, readers, problem_set, workers)
            return grade_all(
                *common, solving, limits, only, counter, cache, checkers=checkers, latex=latex
            )
    solve_all(problem_set)  # before the workers fork, so that they inherit the solutions
    if runner is None:
        with WorkerPool(workers, limits) as pool:
            return grade_all(*common, pool, limits, only, counter, cache, latex=latex)
    return grade_all(*common, runner, limits, only, counter, cache, latex=latex)


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
    "PartGroup",
    "PartTask",
    "check_file",
    "collect_files",
    "grade_files",
    "grade_loaded",
    "load_files",
    "plan_tasks",
    "prime_problem_set",
    "run_load_task",
    "run_part_group",
    "run_part_task",
    "scope_from",
    "scope_of",
]
