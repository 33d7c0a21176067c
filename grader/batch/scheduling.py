"""Scheduling the check phase: slowest-looking answers first, failed groups retried alone.

The check phase of a batch is bounded by its critical path, not by the sum of its
checks: an answer that runs into the time limit (``sin(exp(exp(exp(3))) + 3)`` hangs
SymPy for the whole 5 s) started last keeps the batch waiting 5 s after every other
check is done. Starting the answers that look expensive first (longest processing
time first, the classic bound for list scheduling) lets that wait overlap the rest.
The estimate only orders the work; it never decides a verdict or skips a check.

A group bundles one distinct answer with the distinct "own earlier answers" of the
students who gave it (error carried forward), so that the answer is read and compared
once. If a group with several members is stopped (time or memory limit), the stop may
be due to one student's own answers, so each member is run again alone: every student
ends with the verdict grading their file alone would give.

Start-up is parallel too: once the files are read, the reader workers solve the problems
the class answers and send the solutions back to the parent (:func:`solve_in_workers`),
which then forks the checkers (:func:`checkers_after`).
"""

from __future__ import annotations

import contextlib
import pickle
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, Self, TypeVar

import cloudpickle

from hwgrade.grader.batch.reading import problem_set_for
from hwgrade.grader.batch.sandbox import Runner, TaskOutcome, WorkerPool
from hwgrade.grader.specs.problemset import ProblemSet
from hwgrade.grader.specs.solving import is_solved, remember_solution, solve
from hwgrade.solver import without_self_checks

T = TypeVar("T")
G = TypeVar("G", bound="Group")

#: A power of a power (``10^10^10``, ``2**3**4``): the exponent is itself a power.
_TOWER = re.compile(r"(\^|\*\*)\s*[\w.{}()]+\s*(\^|\*\*)\s*(?![T⊤]\b)")
_TEXT_CAP = 20_000
#: An :func:`answer_cost` from which an answer looks as if it may hang SymPy.
SUSPECT_COST = 10_000


def answer_cost(raw: Any) -> int:
    """A cheap guess of how long checking ``raw`` takes (arbitrary units).

    Long answers and deeply nested ones cost more; nested exponentials, power towers
    and factorials can hang SymPy and are put in front of everything.
    """
    if raw is None:
        return 0
    text = raw if isinstance(raw, str) else repr(raw)
    text = text[:_TEXT_CAP]
    depth = deepest = 0
    for char in text:
        if char in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in ")]}":
            depth = max(0, depth - 1)
    cost = len(text) + 40 * deepest
    exps = text.count("exp")
    if exps >= 2 and deepest >= 2:
        cost += SUSPECT_COST * min(exps, 10)
    if _TOWER.search(text) or "factorial" in text or "!" in text:
        cost += SUSPECT_COST
    return cost


def looks_suspect(raw: Any) -> bool:
    """Whether an answer looks as if it may run into the time limit (a tower, a factorial)."""
    return answer_cost(raw) >= SUSPECT_COST


def longest_first(groups: Iterable[T], cost: Callable[[T], int]) -> list[T]:
    """``groups`` with the most expensive-looking first (stable for equal costs)."""
    return sorted(groups, key=cost, reverse=True)


class Group(Protocol):
    """What :func:`run_groups` needs of a group of tasks."""

    def size(self) -> int:
        """How many members (results) the group has."""
        ...

    def alone(self, member: int) -> Self:
        """The group made of that one member."""
        ...

    def base(self) -> Self:
        """The group's shared work alone (what every member starts with)."""
        ...


def _single(outcome: TaskOutcome) -> TaskOutcome:
    """The outcome of a one-member group, unwrapped from its one-element list."""
    if outcome.ok and isinstance(outcome.value, list) and len(outcome.value) == 1:
        return TaskOutcome(ok=True, value=outcome.value[0])
    if outcome.ok:
        return TaskOutcome(ok=False, error="the checker returned no result")
    return outcome


#: Called once per group member when its outcome is final: (group, member, outcome).
OnFinal = Callable[[int, int, TaskOutcome], None]


def _no_final(g: int, m: int, outcome: TaskOutcome) -> None:
    """The default :data:`OnFinal`: nobody is waiting for results as they come."""


def run_groups(
    runner: Runner,
    fn: Callable[[G], list[Any]],
    groups: Sequence[G],
    settles: Callable[[Any], bool],
    on_done: Callable[[int, TaskOutcome], None] | None = None,
    on_planned: Callable[[int], None] | None = None,
    on_final: OnFinal = _no_final,
) -> list[list[TaskOutcome]]:
    """Run every group; one outcome per member, in the groups' order.

    A stopped group of several members is retried in two steps: its shared work alone
    (if that is stopped too, or its result ``settles`` the verdict whatever the
    members' own answers are, every member gets that outcome), then each member alone.
    So a hang in the shared work costs one more time limit, not one per member.

    Args:
        runner: Where tasks run.
        fn: Worker entry point: a group in, one result per member out.
        groups: The groups, in the order they should start.
        settles: Whether a result of the shared work alone is every member's result.
        on_done: Progress callback, once per task run.
        on_planned: Called with the number of retries before they start (progress).
        on_final: Called once per member as soon as its outcome is final (a group that
            ran through at once, as it ends; a retried one, after its retry), so that
            a caller can keep what is finished if the run is interrupted.

    Returns:
        Per group, per member: the outcome (``ok`` with that member's result as value,
        or how the sandbox stopped it).
    """
    results: list[list[TaskOutcome]] = [[] for _ in groups]
    failed: list[int] = []

    def first_round(g: int, outcome: TaskOutcome) -> None:
        if on_done is not None:
            on_done(g, outcome)
        n = groups[g].size()
        value = outcome.value
        if outcome.ok and isinstance(value, list) and len(value) == n:
            results[g] = [TaskOutcome(ok=True, value=v) for v in value]
        else:
            if outcome.ok:  # a malformed reply: report it like a failure of the task
                outcome = TaskOutcome(ok=False, error="the checker returned no result")
            results[g] = [outcome] * n
            if n > 1:
                failed.append(g)
                return  # not final: retried below
        for m, member in enumerate(results[g]):
            on_final(g, m, member)

    if groups:
        runner.map(fn, list(groups), on_done=first_round)
    failed.sort()
    retry = _retry(runner, fn, [groups[g].base() for g in failed], on_done, on_planned)
    members: list[tuple[int, int]] = []
    for g, outcome in zip(failed, retry, strict=True):
        if not outcome.ok or settles(outcome.value):
            results[g] = [outcome] * groups[g].size()
            for m in range(groups[g].size()):
                on_final(g, m, outcome)
        else:
            members.extend((g, m) for m in range(groups[g].size()))
    alone = _retry(runner, fn, [groups[g].alone(m) for g, m in members], on_done, on_planned)
    for (g, m), outcome in zip(members, alone, strict=True):
        results[g][m] = outcome
        on_final(g, m, outcome)
    return results


def _retry(
    runner: Runner,
    fn: Callable[[G], list[Any]],
    singles: list[G],
    on_done: Callable[[int, TaskOutcome], None] | None,
    on_planned: Callable[[int], None] | None,
) -> list[TaskOutcome]:
    """Run one-member groups (a retry round); unwrapped outcomes."""
    if not singles:
        return []
    if on_planned is not None:
        on_planned(len(singles))
    return [_single(o) for o in runner.map(fn, singles, on_done=on_done)]


def solve_all(problem_set: ProblemSet, ids: Iterable[str] | None = None) -> None:
    """Run the solvers of ``ids`` (default: every problem), raising a solver's error.

    Solutions are kept per process, so worker processes forked afterwards inherit them.
    """
    for spec in problem_set.problems:
        if ids is None or spec.id in ids:
            solve(spec)


@dataclass(frozen=True)
class SolveTask:
    """One problem to solve in a worker."""

    problems: str | None
    problem: str


def run_solve_task(task: SolveTask) -> bytes:
    """Worker entry point: solve one problem and send the solution back, pickled by value.

    A solution holds the follow-on rules of error carried forward as closures, which
    plain pickle cannot send; cloudpickle sends them by value. Only the parent reads
    these bytes, and only from its own worker.
    """
    spec = problem_set_for(task.problems).get(task.problem)
    if spec is None:
        raise KeyError(task.problem)
    with without_self_checks():
        return bytes(cloudpickle.dumps(solve(spec)))


def solve_in_workers(
    pool: Runner, problem_set: ProblemSet, problems: str | None, ids: Sequence[str]
) -> None:
    """Solve the problems ``ids`` in the pool's workers, one task each, and keep the solutions.

    Solving is the symbolic part of start-up, so it is spread over the workers that
    have just read the files; the solutions come back pickled by value
    (:func:`run_solve_task`). A problem a worker could not solve (an error, its time
    limit) is left for :func:`solve_all`, which raises its error as it would without
    workers.
    """
    specs = [spec for spec in problem_set.problems if spec.id in ids and not is_solved(spec)]
    tasks = [SolveTask(problems, spec.id) for spec in specs]
    for spec, outcome in zip(specs, pool.map(run_solve_task, tasks) if tasks else [], strict=True):
        if outcome.ok and isinstance(outcome.value, bytes):
            with contextlib.suppress(Exception):  # unreadable: solved again in this process
                remember_solution(spec, pickle.loads(outcome.value))


@contextlib.contextmanager
def solved_first(runner: Runner, problem_set: ProblemSet, scope: Sequence[str]) -> Iterator[Runner]:
    """``runner`` itself, once this process has solved the scope (a runner it does not fork).

    Planning needs the solutions here; a solver's error surfaces before any check.
    """
    solve_all(problem_set, scope)
    yield runner


@contextlib.contextmanager
def checkers_after(
    readers: WorkerPool,
    problem_set: ProblemSet,
    problems: str | None,
    workers: int,
    scope: Sequence[str],
) -> Iterator[Runner]:
    """Solve the problems the class answers, close the readers and fork the checkers.

    The files are read first, so that only the problems they answer are solved (a
    course folder holds a whole semester; ``hwgrade check`` one student's file): in the
    readers when there are several workers and problems to share, else here. The
    checkers are forked afterwards and inherit every solution.
    """
    if workers > 1 and len(scope) > 1:
        solve_in_workers(readers, problem_set, problems, scope)
    readers.close()
    solve_all(problem_set, scope)
    with WorkerPool(workers, readers.limits, faults=readers.faults) as pool:
        yield pool


__all__ = [
    "SUSPECT_COST",
    "Group",
    "OnFinal",
    "SolveTask",
    "answer_cost",
    "checkers_after",
    "longest_first",
    "looks_suspect",
    "run_groups",
    "run_solve_task",
    "solve_all",
    "solve_in_workers",
    "solved_first",
]
