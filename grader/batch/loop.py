"""Grading many submission files: bounded, parallel, and deduplicated.

A class repeats itself: most students type one of a handful of answers per part. The
batch therefore grades each distinct (problem, part, answer) once, in worker processes
under the sandbox's time and memory limits, and fans the verdicts back out to every
file. Error carried forward needs the student's own earlier answers, but only for a
wrong answer, so each distinct answer is one group whose members are the distinct own
answers of the students who gave it (:mod:`hwgrade.grader.batch.scheduling` orders and
retries the groups). Files are read in the same workers (:mod:`hwgrade.grader.batch.reading`).
One hostile or broken file never stops the batch: every file ends with a
:class:`SubmissionResult`, graded or with the reason it could not be.
"""

from __future__ import annotations

import contextlib
import functools
import json
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Protocol

from hwgrade.grader.batch import tasks
from hwgrade.grader.batch.planning import (
    ABSENT,
    PartGroup,
    PartTask,
    bundle_by_variant,
    plan_tasks,
)
from hwgrade.grader.batch.reading import (
    LoadTask,
    collect_files,
    load_files,
    prime_problem_set,
    run_load_task,
)
from hwgrade.grader.batch.resume import CachedEntry, ResumeCache, file_digest
from hwgrade.grader.batch.sandbox import Faults, Limits, Runner, TaskOutcome, WorkerPool
from hwgrade.grader.batch.scheduling import (
    answer_cost,
    checkers_after,
    longest_first,
    looks_suspect,
    run_groups,
    solved_first,
)
from hwgrade.grader.grading.parts import unanswered
from hwgrade.grader.grading.submission import Submission
from hwgrade.grader.results import (
    GRADED,
    SANDBOX,
    AnswerResult,
    PartResult,
    SubmissionResult,
    Verdict,
)
from hwgrade.grader.specs.problemset import ProblemSet
from hwgrade.solver import without_self_checks

#: Progress callback: (steps done, steps in all); the total grows once files are read.
Progress = Callable[[int, int], None]


def _answer_text(raw: Any) -> str:
    """The raw answer as one line of text, for reports."""
    if raw is None:
        return ""
    if isinstance(raw, str):
        return raw
    return json.dumps(raw, ensure_ascii=False, default=str)


def _settles(result: Any) -> bool:
    """Whether a verdict without the student's own answers is final for every student.

    Only a wrong answer can earn credit carried forward from the student's own answers.
    """
    return not (isinstance(result, AnswerResult) and result.verdict is Verdict.INCORRECT)


#: Called once per (group, member) as soon as its verdict is final.
OnVerdict = Callable[[int, int, AnswerResult], None]


class CheckMemo(Protocol):
    """Verdicts of completed checks kept across runs (the ``--resume`` cache is one)."""

    def get_check(self, key: str) -> AnswerResult | None:
        """The verdict kept under :meth:`PartGroup.member_key`, if any."""
        ...

    def put_check(self, key: str, result: AnswerResult) -> None:
        """Keep the verdict of a check that completed."""
        ...


def _bundled(
    groups: Sequence[PartGroup],
    runner: Runner,
    on_done: Callable[[int, TaskOutcome], None] | None,
    on_verdict: OnVerdict,
) -> list[int]:
    """Check the groups that go in variant bundles; the groups still to check.

    A bundle the sandbox stopped (one answer in it hangs) gives nothing: its groups are
    checked again one by one with the others, so each ends as it would alone.
    """
    bundles, rest = bundle_by_variant(groups, lambda group: looks_suspect(group.task.raw))
    if not bundles:
        return rest
    order = longest_first(range(len(bundles)), lambda b: len(bundles[b].groups))

    def ended(i: int, outcome: TaskOutcome) -> None:
        bundle, value = bundles[order[i]], outcome.value
        fits = outcome.ok and isinstance(value, list) and len(value) == len(bundle.groups)
        if not fits or not all(
            isinstance(v, list) and len(v) == g.size()
            for v, g in zip(value, bundle.groups, strict=True)
        ):
            rest.extend(bundle.indices)
            return
        for g, results in zip(bundle.indices, value, strict=True):
            if on_done is not None:
                on_done(g, outcome)
            for m, result in enumerate(results):
                on_verdict(g, m, result)

    runner.map(tasks.run_variant_bundle, [bundles[b] for b in order], on_done=ended)
    return sorted(rest)


def _verdicts(
    groups: Sequence[PartGroup],
    problem_set: ProblemSet,
    runner: Runner,
    limits: Limits,
    on_done: Callable[[int, TaskOutcome], None] | None,
    on_planned: Callable[[int], None] | None,
    on_verdict: OnVerdict,
) -> None:
    """Check every group; ``on_verdict`` gets each member's verdict as soon as it is final.

    A task the sandbox stopped becomes ``timeout`` with its reason. Groups start
    slowest-looking first, so that an answer running into the time limit overlaps the
    other checks instead of trailing them. With variants on, the groups of one
    student's variant of a problem go first, bundled (:func:`bundle_by_variant`).
    """
    rest = _bundled(groups, runner, on_done, on_verdict)
    order = longest_first(rest, lambda g: answer_cost(groups[g].task.raw))

    def final(i: int, m: int, outcome: TaskOutcome) -> None:
        g = order[i]
        if outcome.ok and isinstance(outcome.value, AnswerResult):
            on_verdict(g, m, outcome.value)
            return
        spec = problem_set.get(groups[g].task.problem)
        part = spec.part(groups[g].task.part) if spec is not None else None
        on_verdict(g, m, tasks.timeout_result(outcome, part.points if part else 0.0, limits))

    run_groups(
        runner,
        tasks.run_part_group,
        [groups[g] for g in order],
        _settles,
        on_done=on_done,
        on_planned=on_planned,
        on_final=final,
    )


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
    on_file: Callable[[int, SubmissionResult], None] | None = None,
    memo: CheckMemo | None = None,
    latex: bool = True,
) -> list[SubmissionResult]:
    """Grade already-read submissions: each distinct answer once, fanned back out.

    ``on_file(index, result)`` is called for each file as soon as its last answer is
    checked (files with nothing to check first), so a caller can keep finished files
    when the run is interrupted (the ``--resume`` cache does). ``memo`` holds verdicts
    of checks that completed in an earlier run; a group all of whose members it knows
    is not checked again, and every check that completes now is added to it.
    """
    max_possible = _max_possible(problem_set, scope)
    groups, per_file = plan_tasks(loaded, problem_set, scope, problems_option, latex=latex)
    known: dict[int, list[AnswerResult]] = {}
    # Each member's key is hashed once: looked up here, and its verdict kept under it.
    keys: list[list[str]] = []
    if memo is not None:  # (a cache with no entry yet is falsy: it has a length)
        keys = [[group.member_key(m) for m in range(group.size())] for group in groups]
        for g, group_keys in enumerate(keys):
            found = [memo.get_check(key) for key in group_keys]
            if found and all(r is not None for r in found):
                known[g] = [r for r in found if r is not None]
    todo = [g for g in range(len(groups)) if g not in known]
    if on_planned is not None:
        on_planned(len(todo))
    verdicts: dict[tuple[int, int], AnswerResult] = {}
    # Rows of one (group, member) share one answer and one verdict: share one PartResult
    # (frozen) instead of building tens of thousands of equal ones.
    shared: dict[tuple[int, int], PartResult] = {}
    absent: dict[tuple[str, str], PartResult] = {}
    results: list[SubmissionResult | None] = [None] * len(loaded)

    def build(i: int) -> SubmissionResult:
        sub = loaded[i]
        if not isinstance(sub, Submission):
            path, reason = sub
            return SubmissionResult(path.stem, str(path), reason, (), (), max_possible)
        variant = problem_set.variants.variant_of(sub.student)
        if not _answers_any(sub, scope):
            why = _answers_nothing(problem_set, scope)
            notes = sub.notes
            return SubmissionResult(
                sub.student, sub.file, why, (), notes, max_possible, variant, sub.student_id
            )
        parts = []
        for pid, part_id, g, m, raw in per_file[i]:
            if g == ABSENT:
                found = absent.get((pid, part_id))
                if found is None:
                    found = absent[pid, part_id] = _absent_part(problem_set, pid, part_id)
            else:
                found = shared.get((g, m))  # a group is one raw answer: (g, m) says it all
                if found is None:
                    answer = verdicts[g, m]
                    found = shared[g, m] = PartResult(pid, part_id, answer, _answer_text(raw))
            parts.append(found)
        return SubmissionResult(
            sub.student,
            sub.file,
            GRADED,
            tuple(parts),
            sub.notes,
            max_possible,
            variant,
            sub.student_id,
        )

    def finished(i: int) -> None:
        result = results[i] = build(i)
        if on_file is not None:
            on_file(i, result)

    waiting = [0] * len(loaded)
    who: dict[tuple[int, int], list[int]] = {}
    for i, rows in enumerate(per_file):
        needs = {(g, m) for _, _, g, m, _ in rows if g != ABSENT}
        if _answers_any(loaded[i], scope):
            waiting[i] = len(needs)
            for key in needs:
                who.setdefault(key, []).append(i)
    for i in range(len(loaded)):
        if not waiting[i]:
            finished(i)  # unreadable, answers nothing, or nothing left to check

    def on_verdict(g: int, m: int, result: AnswerResult) -> None:
        verdicts[g, m] = result
        for i in who.get((g, m), ()):
            waiting[i] -= 1
            if not waiting[i]:
                finished(i)

    for g, members in known.items():
        for m, result in enumerate(members):
            on_verdict(g, m, result)

    def checked(j: int, m: int, result: AnswerResult) -> None:
        g = todo[j]
        if memo is not None and result.method != SANDBOX:  # only a completed check
            memo.put_check(keys[g][m], result)
        on_verdict(g, m, result)

    _verdicts([groups[g] for g in todo], problem_set, runner, limits, on_done, on_planned, checked)
    missing = [i for i, r in enumerate(results) if r is None]
    assert not missing, f"files left without a result: {missing}"  # every (g, m) is final
    return [r for r in results if r is not None]


def _answers_any(sub: Submission | tuple[Path, str], scope: Sequence[str]) -> bool:
    """Whether a file was read and answers at least one problem of the assignment."""
    return isinstance(sub, Submission) and any(pid in sub.answers for pid in scope)


def _absent_part(problem_set: ProblemSet, pid: str, part_id: str) -> PartResult:
    """The ``missing`` part of a problem the file leaves out (see :func:`unanswered`)."""
    spec = problem_set.get(pid)
    part = spec.part(part_id) if spec is not None else None
    assert spec is not None and part is not None  # rows come from the specs' own parts
    return PartResult(pid, part_id, unanswered(spec, part))


def _answers_nothing(problem_set: ProblemSet, scope: Sequence[str]) -> str:
    """The status of a file that answers no problem of the assignment.

    Such a file is most often the wrong file (another course's, an empty template of
    another problem): it cannot be graded, in ``check`` (exit 2) as in ``grade``.
    """
    if len(scope) < len(problem_set.problems):
        return f"the file answers none of the assignment's problems ({', '.join(scope)})"
    return "the file answers none of the assignment's problems (see `hwgrade list`)"


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
    faults: Faults | None = None,
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
        cache: A :class:`~hwgrade.grader.batch.resume.ResumeCache` (``--resume``): files it
            knows (same path, content and scope) keep their cached result; the others
            are graded and stored; it is saved at the end.
        latex: Fill ``interpreted_latex`` (SymPy's LaTeX printer is about a fifth of a
            check; only the JSON outputs show it, so a caller writing none can skip it).
        faults: Counts of worker deaths and retried tasks, added to by the local pools
            (the run's summary reports them).

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
            faults=faults if faults is not None else Faults(),
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
    faults: Faults,
) -> list[SubmissionResult]:
    """:func:`grade_files` once its defaults are filled in."""
    prime_problem_set(problems_option, problem_set)
    counter = Counter(len(files), on_progress)  # one step per file read or cache hit
    common = (files, problem_set, problems_option)
    if runner is None and workers > 0:  # readers first, then the checkers (with solutions)
        with WorkerPool(workers, limits, faults=faults) as readers:
            checkers = functools.partial(
                checkers_after, readers, problem_set, problems_option, workers
            )
            return grade_all(
                *common, readers, limits, only, counter, cache, checkers=checkers, latex=latex
            )
    with contextlib.ExitStack() as stack:
        if runner is None:  # workers == 0: read and check in this process
            runner = stack.enter_context(WorkerPool(0, limits, faults=faults))
        checks = functools.partial(solved_first, runner, problem_set)
        return grade_all(
            *common, runner, limits, only, counter, cache, checkers=checks, latex=latex
        )


def _lookup(
    cache: ResumeCache | None, files: Sequence[Path], latex: bool
) -> tuple[list[str | None], list[CachedEntry | None]]:
    """Content hash and cached entry of every file (all ``None`` without a cache)."""
    if cache is None:
        return [None] * len(files), [None] * len(files)
    digests = [file_digest(f) for f in files]
    return digests, [cache.get(f, d, latex=latex) for f, d in zip(files, digests, strict=True)]


class Counter:
    """Turns per-task callbacks of both phases into one (done, total) progress stream."""

    def __init__(self, total: int, report: Progress | None) -> None:
        self.done, self.total, self.report = 0, total, report
        if report is not None:
            report(0, total)

    def step(self, index: int, outcome: TaskOutcome) -> None:
        """One task (file read, answer check or cache hit) ended."""
        self.done += 1
        if self.report is not None:
            self.report(self.done, self.total)

    def grow(self, more: int) -> None:
        """The files are read: ``more`` distinct answers are left to check."""
        self.total += more
        if self.report is not None:
            self.report(self.done, self.total)


def grade_all(
    files: Sequence[Path],
    problem_set: ProblemSet,
    problems_option: str | None,
    runner: Runner,
    limits: Limits,
    only: Sequence[str],
    counter: Counter,
    cache: ResumeCache | None,
    *,
    checkers: Callable[[Sequence[str]], AbstractContextManager[Runner]],
    latex: bool = True,
) -> list[SubmissionResult]:
    """Read, plan and grade; with a cache, only the files it does not already know.

    The batch's scope is the assignment (:meth:`ProblemSet.assignment_ids`), the same
    for every file; a cached file graded under another assignment is read and graded
    again so that its row has the same columns as the others.

    ``runner`` reads; ``checkers(problems)`` provides the runner for the checks with
    those problems solved: the assignment's problems that some file to grade answers
    (the others need no check, only ``missing`` parts). The local batch
    solves it in its readers and forks its checkers after
    (:func:`~hwgrade.grader.batch.scheduling.checkers_after`), other runners check themselves
    (:func:`~hwgrade.grader.batch.scheduling.solved_first`).
    """
    digests, hits = _lookup(cache, files, latex)
    todo = [i for i, hit in enumerate(hits) if hit is None]
    loaded: dict[int, Submission | tuple[Path, str]] = dict(
        zip(
            todo,
            load_files([files[i] for i in todo], runner, limits, problems_option, counter.step),
            strict=True,
        )
    )
    scope = problem_set.assignment_ids(only)
    stale = [i for i, hit in enumerate(hits) if hit is not None and list(hit.scope) != scope]
    if stale:  # graded under another assignment: these files need their new parts
        again = load_files([files[i] for i in stale], runner, limits, problems_option, counter.step)
        loaded.update(zip(stale, again, strict=True))
    answered = {pid for s in loaded.values() if isinstance(s, Submission) for pid in s.answers}
    order = sorted(loaded)

    def remember(k: int, result: SubmissionResult) -> None:
        """Keep a finished file in the cache (saved every few seconds, and at the end)."""
        if cache is not None:
            i = order[k]
            answers = getattr(loaded[i], "answers", None)
            cache.put(files[i], digests[i], sorted(answers or ()), scope, result, latex=latex)
            cache.checkpoint()

    try:
        with checkers([pid for pid in scope if pid in answered]) as checker:
            graded = grade_loaded(
                [loaded[i] for i in order],
                problem_set,
                scope,
                checker,
                limits,
                problems_option=problems_option,
                on_done=counter.step,
                on_planned=counter.grow,
                on_file=remember,
                memo=cache,
                latex=latex,
            )
    finally:  # interrupted (Ctrl-C) or not: what finished is kept for the next run
        if cache is not None:
            cache.hits = len(files) - len(loaded)
            cache.try_save()
    results: dict[int, SubmissionResult] = dict(zip(order, graded, strict=True))
    for i, hit in enumerate(hits):
        if i not in results and hit is not None:
            results[i] = hit.result
            counter.step(i, TaskOutcome(ok=True))
    return [results[i] for i in range(len(files))]


def check_file(
    path: Path,
    problem_set: ProblemSet,
    *,
    problems_option: str | None = None,
    workers: int = 1,
    limits: Limits | None = None,
    only: Sequence[str] = (),
    cache: ResumeCache | None = None,
    latex: bool = True,
) -> SubmissionResult:
    """Grade one student's file (``hwgrade check``) exactly as ``grade`` grades it.

    It is a batch of one, on the same assignment (every problem of the set, narrowed by
    ``only`` or the course's ``assignment``), so a student sees the grade the TA's run
    gives: a problem the file leaves out is ``missing`` and counts in the total. A file
    that answers none of the assignment's problems cannot be graded; its status says
    so, together with the file's notes (which name the unknown ids). With a ``cache``
    (see :func:`grade_files`) a file checked before unchanged is not graded again, and
    an edited one re-runs only the checks of answers that changed. Without ``latex``
    the answers are not printed in LaTeX (``interpreted_latex`` stays empty): only
    the JSON shows it, and printing it is a tenth of checking a file.
    """
    [result] = grade_files(
        [path],
        problem_set,
        problems_option=problems_option,
        workers=workers,
        limits=limits,
        only=only,
        cache=cache,
        latex=latex,
    )
    return result


__all__ = [
    "CheckMemo",
    "Counter",
    "LoadTask",
    "PartGroup",
    "PartTask",
    "check_file",
    "collect_files",
    "grade_all",
    "grade_files",
    "grade_loaded",
    "load_files",
    "plan_tasks",
    "prime_problem_set",
    "run_load_task",
]
