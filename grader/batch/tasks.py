"""What a worker process runs for the batch: one distinct answer, a group, a variant.

These are the batch's task functions, sent by reference to the local
:class:`~hwgrade.grader.batch.sandbox.WorkerPool` or to a Dask cluster
(:mod:`hwgrade.grader.batch.distributed`) alike, so they take one picklable argument
and find the problem set the worker was primed with. They are apart from the batch
loop (:mod:`hwgrade.grader.batch.loop`), which plans, schedules and fans verdicts out
in the parent.
"""

from __future__ import annotations

from hwgrade.grader.batch.planning import PartGroup, PartTask, VariantBundle
from hwgrade.grader.batch.reading import primed_problem_set
from hwgrade.grader.batch.sandbox import Limits, TaskOutcome
from hwgrade.grader.errors import HwgradeError
from hwgrade.grader.grading.parts import grade_part_each
from hwgrade.grader.results import SANDBOX, AnswerResult, Verdict
from hwgrade.grader.specs.solving import solve
from hwgrade.grader.specs.variants import variant_spec


def run_part_task(task: PartTask) -> AnswerResult:
    """Worker entry point: grade one distinct answer."""
    return run_part_group(PartGroup(task, (task.own,)))[0]


def run_part_group(group: PartGroup) -> list[AnswerResult]:
    """Worker entry point: grade one distinct answer for each member of its group."""
    task = group.task
    problem_set = primed_problem_set(task.problems)
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


def timeout_result(outcome: TaskOutcome, max_score: float, limits: Limits) -> AnswerResult:
    """The verdict for a task the sandbox had to stop: ``timeout``, with the reason.

    A check that did not complete decided nothing about the answer, so it is never
    ``invalid`` (which says the student's text could not be read): it is a resource
    limit — time, memory, or a worker that died twice on it, the second time alone
    (:meth:`WorkerPool._run_alone`). The resume cache never keeps it.
    """
    if outcome.timed_out:
        why = f"checking this answer took longer than {limits.seconds:g} s; simplify it and retry"
    elif outcome.crashed:
        why = (
            f"checking this answer stopped its worker process ({outcome.error}); "
            "it hit a resource limit: simplify it and retry"
        )
    elif "MemoryError" in outcome.error:
        why = "checking this answer ran out of its memory limit; simplify it and retry"
    else:
        why = f"the check could not finish ({outcome.error or 'the checker stopped'})"
    return AnswerResult(Verdict.TIMEOUT, 0.0, max_score, why, method=SANDBOX)


def run_variant_bundle(bundle: VariantBundle) -> list[list[AnswerResult]]:
    """Worker entry point: every group of one student's variant, the variant built once."""
    return [run_part_group(group) for group in bundle.groups]


__all__ = ["run_part_group", "run_part_task", "run_variant_bundle", "timeout_result"]
