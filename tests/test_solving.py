"""Solving a spec: once per process, self-checks on by default and off while grading."""

import pytest

from hwgrade.grader.context import Context
from hwgrade.grader.specs.model import PartSpec, ProblemSpec
from hwgrade.grader.specs.problemset import load_problem_set
from hwgrade.grader.specs.solving import check_solution, solve
from hwgrade.solver import Solution


def test_solve_is_cached():
    spec = load_problem_set().get("dropout_ridge")
    assert solve(spec) is solve(spec)


@pytest.mark.parametrize(
    ("problem", "module", "check"),
    [
        ("dropout_ridge", "dropout_ridge", "_check_instance"),
        ("min_norm_gd", "min_norm_gd", "_check_instance"),
        ("vector_rnn_bptt", "vector_rnn_bptt", "check_against_sympy"),
        ("sigmoid_sum_gradients", "sigmoid_sum_gradients", "_check_equal"),
    ],
    ids=["dropout", "min-norm", "vector-rnn", "sigmoid-sum"],
)
def test_self_checks_run_by_default_and_are_skipped_when_grading(
    problem, module, check, monkeypatch
):
    """A failing self-check stops a solve, except inside ``without_self_checks``.

    The answers are the same either way: a self-check only vouches for them.
    """
    import importlib

    from hwgrade.grader.errors import SolverError
    from hwgrade.grader.specs.solving import solve_spec
    from hwgrade.solver import self_checks, without_self_checks

    spec = load_problem_set().get(problem)
    trusted = solve_spec(spec)

    def broken(*args, **kwargs):
        raise SolverError(f"{problem}: self-check failed")

    monkeypatch.setattr(importlib.import_module(f"hwgrade.solver.{module}"), check, broken)
    assert self_checks()
    with pytest.raises(SolverError, match="self-check failed"):
        solve_spec(spec)
    with without_self_checks():
        assert not self_checks()
        skipped = solve_spec(spec)
    assert self_checks()
    assert dict(skipped.answers) == dict(trusted.answers)


def test_grading_a_class_skips_the_self_checks(tmp_path, monkeypatch):
    from hwgrade.grader.batch.loop import grade_files
    from hwgrade.solver import dropout_ridge

    def broken(*args, **kwargs):
        raise AssertionError("a self-check ran while grading")

    monkeypatch.setattr(dropout_ridge, "_check_instance", broken)
    monkeypatch.setattr("hwgrade.grader.specs.solving._SOLVED", {})  # solve afresh
    answer = tmp_path / "s.yaml"
    answer.write_text('student: s\nanswers:\n  dropout_ridge:\n    regularizer: "1"\n')
    [result] = grade_files([answer], load_problem_set(), workers=0)
    assert result.graded and [p.part for p in result.parts if p.answer] == ["regularizer"]


def _spec(*parts: PartSpec) -> ProblemSpec:
    return ProblemSpec("p", "P", "A problem.", Context(open=True), {}, "some_solver", parts)


@pytest.mark.parametrize(
    ("parts", "answers", "says"),
    [
        ((PartSpec("a", "a?"),), {"a": 1}, []),
        (
            (PartSpec("a", "a?"),),
            {},
            ["solver `some_solver` gives no reference answer for part `a`"],
        ),
        ((PartSpec("a", "a?"),), {"a": 1, "b": 2}, ["answers part `b`, which no part declares"]),
        ((PartSpec("m", "Why?", kind="manual"),), {}, []),  # manual parts need no answer
        (
            (PartSpec("c", "Pick", kind="choice", choices=(("a", "A"), ("b", "B"))),),
            {"c": ("a", "z")},
            ["the reference option(s) ['z'] of part `c` are not among its choices"],
        ),
    ],
    ids=["complete", "missing", "undeclared", "manual", "unknown-option"],
)
def test_check_solution(parts, answers, says):
    found = [e.message for e in check_solution(_spec(*parts), Solution(answers))]
    assert len(found) == len(says)
    for message, expected in zip(found, says, strict=True):
        assert expected in message
