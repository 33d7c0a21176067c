"""Error carried forward: credit for a right method applied to a student's own wrong answer.

A part whose rule names earlier parts (its sources) is re-derived from the student's own
answers to them; an answer consistent with that re-derivation earns the rule's credit
even though it differs from the reference. Nothing here raises for a bad answer.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from hwgrade.grader.context import Context
from hwgrade.grader.results import AnswerResult, Equality, Verdict
from hwgrade.grader.specs.model import PartSpec, ProblemSpec
from hwgrade.grader.verify.check import read, safe_compare
from hwgrade.solver import Solution


def substitute(value: Any, definitions: Mapping[str, Any], ctx: Context) -> Any:
    """Replace intermediate names (``q``, ``dy_dr``) by what they stand for, to a fixed point."""
    if not definitions:
        return value
    table = {ctx.sym(name): expr for name, expr in definitions.items() if ctx.lookup(name)}
    for _ in range(12):
        try:
            new = value.xreplace(table)
        except AttributeError:
            return value
        if new == value:
            return value
        value = new
    return value


#: An earlier answer once read: (value, whether it equals the reference), ``None`` if unreadable.
Earlier = tuple[Any, bool] | None


def _earlier(
    source: str,
    raw: Any,
    part: PartSpec,
    solution: Solution,
    spec: ProblemSpec,
    memo: dict[tuple[str, str], Earlier],
) -> Earlier:
    """Read one earlier answer and compare it with its reference, once per distinct text.

    Students who share a wrong answer mostly share their earlier answers too (often the
    right ones), so a batch judging one answer for many students reads each once.
    """
    key = (source, raw if isinstance(raw, str) else json.dumps(raw, default=str))
    if key in memo:
        return memo[key]
    found: Earlier = None
    reading = read(raw, spec.context)
    if reading.parsed is not None:
        value = substitute(reading.parsed.value, solution.definitions, spec.context)
        right = source not in solution.answers or (
            safe_compare(
                solution.answers[source],
                value,
                spec.context,
                tolerance=part.tolerance,
                equal_only=True,
            ).outcome
            is Equality.EQUAL
        )
        found = (value, right)
    memo[key] = found
    return found


def carried_forward(
    part: PartSpec,
    solution: Solution,
    spec: ProblemSpec,
    value: Any,
    own: Mapping[str, Any],
    memo: dict[tuple[str, str], Earlier] | None = None,
) -> AnswerResult | None:
    """Credit for a right method applied to the student's own (wrong) earlier answers.

    The result has the verdict ``carried_forward``: the answer is still wrong against
    the key, and reports must not show it as ``correct`` nor as a plain ``incorrect``
    with points. ``None`` when nothing carries forward: every source was right (then the
    answer is simply wrong), a source is unreadable, the answer does not follow from
    the sources, or the student answered a ``same_as`` part right (the answer then
    contradicts their own correct work).
    """
    rule = solution.carry_forward.get(part.id)
    if rule is None or any(source not in own for source in rule.sources):
        return None
    memo = {} if memo is None else memo
    for other in rule.same_as:  # the student's own right answer to the same quantity
        if other in own:
            earlier = _earlier(other, own[other], part, solution, spec, memo)
            if earlier is not None and earlier[1]:
                return None
    values: dict[str, Any] = {}
    right: list[bool] = []
    for source in rule.sources:
        earlier = _earlier(source, own[source], part, solution, spec, memo)
        if earlier is None:
            return None
        values[source], is_right = earlier
        right.append(is_right)
    if all(right):
        return None  # the earlier answers were right: nothing to carry forward
    try:
        follow_on = rule.derive(values)
    except Exception:
        return None
    found = safe_compare(follow_on, value, spec.context, tolerance=part.tolerance, equal_only=True)
    if found.outcome is not Equality.EQUAL:
        return None
    sources = ", ".join(f"`{source}`" for source in rule.sources)
    share = "full" if rule.credit >= 1 else f"{rule.credit:.0%} of the"
    message = (
        f"error carried forward: {rule.message} ({sources} is wrong, but this part is "
        f"consistent with it and earns {share} credit)"
    )
    return AnswerResult(
        Verdict.CARRIED_FORWARD, round(part.points * rule.credit, 6), part.points, message
    )


__all__ = ["Earlier", "carried_forward", "substitute"]
