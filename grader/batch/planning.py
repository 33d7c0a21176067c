"""Planning a batch: a class's answers deduplicated into the checks workers run.

A class repeats itself: most students type one of a handful of answers per part. Each
distinct (problem, part, variant, answer) becomes one :class:`PartGroup`, whose members
are the distinct "own earlier answers" of the students who gave it (error carried
forward needs them, but only for a wrong answer). With variants on, every student's
answers to a varying problem are distinct; :func:`bundle_by_variant` puts them in one
task, so that a worker builds the student's variant once rather than once per part.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hwgrade.grader.grading.submission import Submission
from hwgrade.grader.specs.problemset import ProblemSet
from hwgrade.grader.specs.solving import solve


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

    def member_key(self, member: int) -> str:
        """Identity of one member's check: equal keys give equal verdicts.

        The ``--resume`` cache keeps verdicts under it, so that a run interrupted half-way
        keeps every check it finished, not only the files it finished.
        """
        text = json.dumps([self.task.key(), self.owns[member], self.latex], default=str)
        return hashlib.sha256(text.encode()).hexdigest()


#: A file's row for one part: (problem, part, group index, member index, raw answer).
Row = tuple[str, str, int, int, Any]

#: The group and member index of a row whose whole problem the file leaves out: there is
#: nothing to check (every part is ``missing``), so no group is planned for it.
ABSENT = -1


def answer_identity(raw: Any) -> tuple[str, Any]:
    """A hashable identity of a raw answer, byte for byte (no whitespace folding).

    Messages quote columns, and one student's verdict must never carry another's column
    numbers, so only identical answers share a check. Strings and ``None`` are their
    own identity; lists and mappings are compared through their JSON text (tagged, so a
    list never equals the string that spells it).
    """
    if raw is None or isinstance(raw, str):
        return ("", raw)
    return ("tree", frozen_answer(raw))


def frozen_answer(raw: Any) -> Any:
    """A hashable copy of a YAML value: lists and mappings tagged, so none equals a string."""
    if isinstance(raw, list):
        return ("[", *(frozen_answer(item) for item in raw))
    if isinstance(raw, dict):
        return ("{", *sorted((str(k), frozen_answer(v)) for k, v in raw.items()))
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

    A problem of ``scope`` that a file leaves out altogether gets :data:`ABSENT` rows
    (every part ``missing``), and a problem nobody answers is not even solved.

    With variants on, a varying problem is graded against each student's own variant:
    the variant is part of an answer's identity there (and only there, so that the
    other problems still share their checks).
    """
    answered = {pid for sub in loaded if isinstance(sub, Submission) for pid in sub.answers}
    plan: list[tuple[str, bool, list[tuple[str, tuple[str, ...]]]]] = []
    for pid in scope:
        spec = problem_set.get(pid)
        assert spec is not None
        rules = solve(spec).carry_forward if pid in answered else {}
        by_part = [(p.id, rules[p.id].needs if p.id in rules else ()) for p in spec.parts]
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
                if pid not in sub.answers:  # the whole problem left out: no check needed
                    rows.extend((pid, part_id, ABSENT, ABSENT, None) for part_id, _ in parts)
                    continue
                answers = sub.answers[pid]
                v = variant if varies else 0
                for part_id, sources in parts:
                    raw = answers.get(part_id)
                    ident = (pid, part_id, v, answer_identity(raw))
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
                        own_id = tuple((s, answer_identity(r)) for s, r in own)
                    m = members[g].get(own_id)
                    if m is None:
                        m = members[g][own_id] = len(owns[g])
                        owns[g].append(own)
                    rows.append((pid, part_id, g, m, raw))
        per_file.append(rows)
    groups = [PartGroup(task, tuple(o), latex) for task, o in zip(tasks, owns, strict=True)]
    return groups, per_file


@dataclass(frozen=True)
class VariantBundle:
    """Every group of one student's variant of one problem, graded in one task.

    Building a variant (re-reading the spec with the drawn numbers, solving it, ruling
    out degenerate draws) costs more than checking an answer, and with variants on each
    student's answers to a varying problem are groups of their own. Sent part by part,
    the groups of one variant reach both workers, and each builds it.

    Attributes:
        indices: The positions of the groups in the batch's plan.
        groups: The groups themselves, in the same order.
    """

    indices: tuple[int, ...]
    groups: tuple[PartGroup, ...]


def bundle_by_variant(
    groups: Sequence[PartGroup], alone: Callable[[PartGroup], bool] = lambda group: False
) -> tuple[list[VariantBundle], list[int]]:
    """The groups of each (problem, variant > 0) with more than one group, and the rest.

    A group ``alone`` picks out (an answer that looks as if it may hang) stays with the
    rest: a bundle the sandbox stops is checked again group by group, so a hang inside
    a bundle would cost two time limits instead of one.
    """
    by_variant: dict[tuple[str, int], list[int]] = {}
    rest: list[int] = []
    for g, group in enumerate(groups):
        if group.task.variant and not alone(group):
            by_variant.setdefault((group.task.problem, group.task.variant), []).append(g)
        else:
            rest.append(g)
    bundles: list[VariantBundle] = []
    for members in by_variant.values():
        if len(members) == 1:
            rest.extend(members)
        else:
            bundles.append(VariantBundle(tuple(members), tuple(groups[g] for g in members)))
    return bundles, sorted(rest)


__all__ = [
    "ABSENT",
    "Own",
    "PartGroup",
    "PartTask",
    "Row",
    "VariantBundle",
    "answer_identity",
    "bundle_by_variant",
    "frozen_answer",
    "plan_tasks",
]
