"""Scheduling the check phase: the cost guess orders work, failed groups are retried.

A fake runner stands in for the worker pool so that the retry rules are checked on
outcomes alone (no processes, no clocks).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import pytest
from inlinerunner import InlineRunner

from hwgrade.grader.batch.sandbox import Faults, TaskOutcome
from hwgrade.grader.batch.scheduling import answer_cost, longest_first, run_groups


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
    runner = InlineRunner(lambda g: g.shared == "hang" or "hang" in g.members)
    planned: list[int] = []
    [outcomes] = run_groups(runner, run_fake, [group], lambda _: settled, on_planned=planned.append)
    assert values(outcomes) == expected
    assert len(runner.calls) == rounds
    assert sum(planned) == sum(len(c) for c in runner.calls[1:])


# --- solving in the reader workers ---------------------------------------------------------


import sympy  # noqa: E402

from hwgrade.grader.batch.reading import prime_problem_set  # noqa: E402
from hwgrade.grader.batch.sandbox import Limits, WorkerPool  # noqa: E402
from hwgrade.grader.batch.scheduling import SolveTask, checkers_after, solve_in_workers  # noqa: E402
from hwgrade.grader.specs import solving as solving_module  # noqa: E402
from hwgrade.grader.specs.problemset import load_problem_set  # noqa: E402
from hwgrade.grader.specs.solving import solution_key, solve_spec  # noqa: E402


def test_the_workers_solve_what_they_are_given_and_the_parent_keeps_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    problem_set = load_problem_set(None)
    prime_problem_set(None, problem_set)
    monkeypatch.setattr(solving_module, "_SOLVED", {})  # the parent has solved nothing
    with WorkerPool(2, Limits(seconds=60)) as pool:
        solve_in_workers(pool, problem_set, None, ["rnn_backprop", "dropout_ridge"])
        partly = set(solving_module._SOLVED)
        solve_in_workers(pool, problem_set, None, problem_set.ids)
    solved = dict(solving_module._SOLVED)
    by_id = {spec.id: solution_key(spec) for spec in problem_set.problems}
    assert partly == {by_id["rnn_backprop"], by_id["dropout_ridge"]}
    assert set(solved) == set(by_id.values())
    for spec in problem_set.problems:
        mine, theirs = solve_spec(spec), solved[solution_key(spec)]
        assert dict(theirs.answers) == dict(mine.answers), spec.id
        assert set(theirs.carry_forward) == set(mine.carry_forward), spec.id
    # The follow-on rules (closures) survive the trip: same reference for the same input.
    rnn = problem_set.get("rnn_backprop")
    assert rnn is not None
    w, u_1 = rnn.context.sym("w"), rnn.context.sym("u_1")
    own = {"a.y": w**2 * u_1}
    theirs_b = solved[solution_key(rnn)].carry_forward["b"].derive(own)
    assert sympy.expand(theirs_b - solve_spec(rnn).carry_forward["b"].derive(own)) == 0
    assert sympy.expand(theirs_b - 2 * w * u_1) == 0


class FailingPool:
    """A pool whose solve tasks all fail (and whose reading works in-process)."""

    limits = Limits(seconds=5)
    faults = Faults()

    def map(
        self,
        fn: Callable[[Any], Any],
        items: Iterable[Any],
        on_done: Callable[[int, TaskOutcome], None] | None = None,
    ) -> list[TaskOutcome]:
        out = []
        for item in items:
            if isinstance(item, SolveTask):
                out.append(TaskOutcome(ok=False, error="killed", crashed=True))
            else:
                out.append(TaskOutcome(ok=True, value=fn(item)))
        return out

    def close(self) -> None:
        pass


def test_what_the_readers_could_not_solve_is_solved_before_checking(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    problem_set = load_problem_set(None)
    prime_problem_set(None, problem_set)
    monkeypatch.setattr(solving_module, "_SOLVED", {})
    scope = ["rnn_backprop", "gnn_attention"]
    with checkers_after(FailingPool(), problem_set, None, 2, scope) as checkers:  # type: ignore[arg-type]
        assert {key[0] for key in solving_module._SOLVED} == set(scope)  # only the scope
        [outcome] = checkers.map(len, ["abc"])
        assert outcome.ok and outcome.value == 3
