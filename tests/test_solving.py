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


@pytest.mark.parametrize("problem", ["gnn_attention", "normalization_stats"])
def test_derived_steps_are_printed_only_when_a_key_reads_them(problem, monkeypatch):
    """Grading never shows steps: solving a variant prints none, a key prints them all."""
    import pickle

    import hwgrade.grader.specs.solving as solving
    from hwgrade.grader.answer.echo import to_latex, to_plain
    from hwgrade.grader.specs.solving import solve_spec

    printed = []

    def counted(value):
        printed.append(value)
        return to_plain(value)

    monkeypatch.setattr(solving, "to_plain", counted)
    spec = load_problem_set().get(problem)
    solution = solve_spec(spec)
    assert printed == []
    derived = [p for p in spec.parts if isinstance(p.reference, str) and p.kind != "choice"]
    assert derived
    for part in derived:  # the final step, against the answer printed here
        *_, final = solution.steps[part.id]
        value = solution.answers[part.id]
        assert final.text == f"{part.id} = {part.reference} = {to_plain(value)}"
        assert final.latex == to_latex(value)
    assert printed  # printed on reading, each shared definition once
    assert len(printed) == len({id(v) for v in printed})
    again = pickle.loads(pickle.dumps(solution))  # the key cache keeps it pickled
    assert dict(again.steps) == dict(solution.steps) and again == solution


def test_printed_steps_keep_the_solvers_own_and_replace_them_by_derivations():
    """A spec mixing a solver and derivations: the key shows both, a derivation winning."""
    import sympy

    from hwgrade.grader.specs.solving import PrintedSteps
    from hwgrade.solver import Step

    base = {"a": (Step("by hand"),), "b": (Step("the solver's b"),)}
    shared = ("q = 2 x = ", sympy.Symbol("x") * 2, "q = ")
    recipes = {"b": (shared, ("b = q + 1 = ", sympy.Symbol("x") * 2 + 1, "")), "c": (shared,)}
    steps = PrintedSteps(recipes, base)
    assert list(steps) == ["a", "b", "c"] and len(steps) == 3
    assert steps["a"] == (Step("by hand"),)
    assert steps["b"] == (Step("q = 2 x = 2*x", "q = 2 x"), Step("b = q + 1 = 2*x + 1", "2 x + 1"))
    assert steps["c"][0] is steps["b"][0]  # a shared definition is printed once
    assert steps.get("d", ()) == ()
