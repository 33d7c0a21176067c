"""Planning a batch: which answers share a check, and which go together to one worker."""

from __future__ import annotations

from typing import Any

import pytest
from inlinerunner import InlineRunner

from hwgrade.grader.batch.planning import PartGroup, PartTask, VariantBundle, bundle_by_variant
from hwgrade.grader.batch.sandbox import Limits
from hwgrade.grader.results import AnswerResult, Verdict

TOWER = "sin(exp(exp(exp(w))))"  # looks as if it may hang (scheduling.looks_suspect)


def group(problem: str, part: str, variant: int, raw: str = "w") -> PartGroup:
    return PartGroup(PartTask(None, problem, part, raw, variant=variant))


def test_groups_of_one_variant_are_bundled_and_the_rest_left_alone() -> None:
    groups = [
        group("rnn", "a", 7),
        group("rnn", "b", 7),
        group("rnn", "a", 8),  # the only group of variant 8: nothing to share
        group("rnn", "a", 0),
        group("gnn", "a", 7),
        group("gnn", "b", 7),
        group("rnn", "c", 7),
    ]
    bundles, rest = bundle_by_variant(groups)
    assert sorted(b.indices for b in bundles) == [(0, 1, 6), (4, 5)]
    for bundle in bundles:
        assert bundle.groups == tuple(groups[g] for g in bundle.indices)
    assert rest == [2, 3]


def test_groups_picked_out_stay_alone() -> None:
    groups = [group("rnn", "a", 7), group("rnn", "b", 7, TOWER), group("rnn", "c", 7)]
    bundles, rest = bundle_by_variant(groups, lambda g: g.task.raw == TOWER)
    assert [b.indices for b in bundles] == [(0, 2)] and rest == [1]


def test_without_variants_nothing_is_bundled() -> None:
    groups = [group("rnn", p, 0) for p in "abc"]
    assert bundle_by_variant(groups) == ([], [0, 1, 2])


def hangs(item: Any) -> bool:
    """A bundle or group holding the answer ``hang`` or the tower (the sandbox stops it)."""
    groups = item.groups if isinstance(item, VariantBundle) else (item,)
    return any(g.task.raw in ("hang", TOWER) for g in groups)


def _verdicts(groups: list[Any], runner: Any, on_done: Any = None) -> dict[int, list[Any]]:
    """Every group's verdicts, as ``batch._verdicts`` reports them one by one."""
    found: dict[int, dict[int, Any]] = {}

    def keep(g: int, m: int, result: Any) -> None:
        assert m not in found.setdefault(g, {}), "a verdict reported twice"
        found[g][m] = result

    from hwgrade.grader.batch import loop as batch
    from hwgrade.grader.specs.problemset import load_problem_set

    batch._verdicts(groups, load_problem_set(None), runner, Limits(), on_done, None, keep)
    return {g: [members[m] for m in sorted(members)] for g, members in found.items()}


@pytest.mark.parametrize("hang", [False, True], ids=["bundled", "bundle-stopped"])
def test_a_stopped_bundle_is_checked_group_by_group(
    hang: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hwgrade.grader.batch import tasks

    def fake_group(g: PartGroup) -> list[AnswerResult]:
        return [AnswerResult(Verdict.CORRECT, 1.0, 1.0, f"{g.task.part}@{g.task.variant}")]

    monkeypatch.setattr(tasks, "run_part_group", fake_group)
    groups = [
        group("rnn_backprop", "a.y", 5),
        group("rnn_backprop", "b", 5, "hang" if hang else "w"),
        group("rnn_backprop", "a.y", 0),
    ]
    runner = InlineRunner(hangs)
    counted: list[int] = []
    verdicts = _verdicts(groups, runner, lambda g, _: counted.append(g))
    assert verdicts[0][0].message == "a.y@5" and verdicts[2][0].message == "a.y@0"
    if hang:
        assert verdicts[1][0].verdict is Verdict.TIMEOUT
        assert [type(x).__name__ for x in runner.calls[1]] == ["PartGroup"] * 3
    else:
        assert verdicts[1][0].message == "b@5"
        assert len(runner.calls[1]) == 1  # only the unbundled group is left
    assert len(counted) == 3  # each group counted once for the progress bar


def test_a_suspect_answer_costs_one_time_limit_not_two(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tower is never bundled, so the sandbox stops it once, and the bundle runs."""
    from hwgrade.grader.batch import tasks

    def fake_group(g: PartGroup) -> list[AnswerResult]:
        return [AnswerResult(Verdict.CORRECT, 1.0, 1.0, f"{g.task.part}@{g.task.variant}")]

    monkeypatch.setattr(tasks, "run_part_group", fake_group)
    groups = [
        group("rnn_backprop", "a.y", 5),
        group("rnn_backprop", "b", 5, TOWER),
        group("rnn_backprop", "a.t", 5),
    ]
    runner = InlineRunner(hangs)
    verdicts = _verdicts(groups, runner)
    assert [v[0].message for v in (verdicts[0], verdicts[2])] == ["a.y@5", "a.t@5"]
    assert verdicts[1][0].verdict is Verdict.TIMEOUT
    stopped = [x for call in runner.calls for x in call if TOWER in repr(x)]
    assert len(stopped) == 1 and isinstance(stopped[0], PartGroup)
