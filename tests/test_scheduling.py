"""Scheduling the check phase: the cost guess orders work, failed groups are retried.

A fake runner stands in for the worker pool so that the retry rules are checked on
outcomes alone (no processes, no clocks).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import pytest

from hwgrade.grader.sandbox import TaskOutcome
from hwgrade.grader.scheduling import answer_cost, longest_first, run_groups


@pytest.mark.parametrize(
    ("cheap", "dear"),
    [
        ("w", "u_1*w^2 + u_2*w + u_3"),
        ("u_1*w^2 + u_2*w + u_3", "sin(exp(exp(exp(3))) + 3)"),
        ("X^T*X*w", "10^10^10"),
        ("w^2", "factorial(factorial(100))"),
        (None, "w"),
        ("diag(hadamard(h_1, 1 - h_1))*g_1*x_1^T", "exp(exp(w)) + exp(exp(w))"),
    ],
    ids=["length", "nested-exp", "tower", "factorial", "missing", "matrix-vs-exp"],
)
def test_answer_cost_orders_the_hostile_first(cheap: Any, dear: Any) -> None:
    assert answer_cost(cheap) < answer_cost(dear)


@pytest.mark.parametrize("raw", ["x_1^T^T", "w^2^T", "(X^T X)^-1 X^T y"], ids=str)
def test_transposes_are_not_towers(raw: str) -> None:
    assert answer_cost(raw) < 1_000


def test_longest_first_is_stable() -> None:
    assert longest_first(["bb", "a", "c", "ddd"], len) == ["ddd", "bb", "a", "c"]


@dataclass(frozen=True)
class FakeGroup:
    """Members are labels; ``"hang"`` stops a group holding it, ``base`` is the shared work."""

    members: tuple[str, ...]
    shared: str = "ok"

    def size(self) -> int:
        return len(self.members)

    def alone(self, member: int) -> FakeGroup:
        return FakeGroup((self.members[member],), self.shared)

    def base(self) -> FakeGroup:
        return FakeGroup(("",), self.shared)


def run_fake(group: FakeGroup) -> list[str]:
    return [f"{group.shared}:{m}" for m in group.members]


class FakeRunner:
    """Runs in-process; a group whose shared work or a member is ``hang`` times out."""

    def __init__(self) -> None:
        self.calls: list[list[Any]] = []

    def map(
        self,
        fn: Callable[[Any], Any],
        items: Iterable[Any],
        on_done: Callable[[int, TaskOutcome], None] | None = None,
    ) -> list[TaskOutcome]:
        todo = list(items)
        self.calls.append(todo)
        out = []
        for item in todo:
            if item.shared == "hang" or "hang" in item.members:
                out.append(TaskOutcome(ok=False, error="too slow", timed_out=True))
            else:
                out.append(TaskOutcome(ok=True, value=fn(item)))
        return out


def values(outcomes: list[TaskOutcome]) -> list[Any]:
    return [o.value if o.ok else "timeout" for o in outcomes]


@pytest.mark.parametrize(
    ("group", "settled", "expected", "rounds"),
    [
        (FakeGroup(("a", "b")), False, ["ok:a", "ok:b"], 1),
        (FakeGroup(("hang",)), False, ["timeout"], 1),
        (FakeGroup(("a", "hang", "b")), False, ["ok:a", "timeout", "ok:b"], 3),
        (FakeGroup(("a", "hang"), "hang"), False, ["timeout", "timeout"], 2),
        (FakeGroup(("a", "hang")), True, ["ok:", "ok:"], 2),
    ],
    ids=["fine", "single-stopped", "one-member-hangs", "shared-work-hangs", "base-settles"],
)
def test_stopped_groups_are_retried_member_by_member(
    group: FakeGroup, settled: bool, expected: list[str], rounds: int
) -> None:
    runner = FakeRunner()
    planned: list[int] = []
    [outcomes] = run_groups(runner, run_fake, [group], lambda _: settled, on_planned=planned.append)
    assert values(outcomes) == expected
    assert len(runner.calls) == rounds
    assert sum(planned) == sum(len(c) for c in runner.calls[1:])
