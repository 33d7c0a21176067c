"""Tuples ``(a, b)``: kinds, the vector-part hint, entry-by-entry comparison, grading paths."""

from __future__ import annotations

from typing import Any

import pytest
import sympy

from hwgrade.grader.context import Context, parse_vars
from hwgrade.grader.grading.parts import grade_part
from hwgrade.grader.results import AnswerResult, Comparison, Equality, Verdict
from hwgrade.grader.specs.problemset import load_problem_set
from hwgrade.grader.specs.solving import solve
from hwgrade.grader.values.tuples import array_hint, compare_tuples, describe_kind, is_tuple
from hwgrade.grader.verify.check import check_pair

OPEN = Context(open=True)
MAT = parse_vars("X: n x d, y: n x 1")
TUP, M = sympy.Tuple, sympy.ImmutableMatrix


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        (TUP(1, 2), "a tuple of 2 entries"),
        (sympy.Integer(3), "a scalar"),
        (M([1, 2, 3]), "a 3x1 vector"),
        (M([[1, 2]]), "a 1x2 vector"),
        (M([[1, 2], [3, 4]]), "a 2x2 matrix"),
        (M([[5]]), "a scalar"),
        (MAT.sym("y"), "a n x 1 vector"),
        (MAT.sym("X"), "a n x d matrix"),
        ([1, 2], "a vector of 2 entries"),
        (sympy.ImmutableDenseNDimArray([[[1], [2]]]), "a 1x2x1 tensor"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_describe_kind(value: Any, kind: str) -> None:
    assert describe_kind(value) == kind


@pytest.mark.parametrize(
    ("answer", "reference", "says"),
    [
        (TUP(1, 2), M([1, 2]), "write a vector as `[a, b]`"),
        (TUP(1, 2), M([[1, 2]]), "write a vector as `[a, b]`"),
        (TUP(1, 2), MAT.sym("y"), "write a vector as `[a, b]`"),
        (TUP(1, 2, 3, 4), M([[1, 2], [3, 4]]), "write a matrix as nested lists"),
        (TUP(1, 2), sympy.Integer(1), ""),  # a scalar part: graded (a kind mismatch)
        (TUP(1, 2), M([[1]]), ""),  # 1x1 is a scalar
        (TUP(1, 2), TUP(1, 2), ""),
        (M([1, 2]), M([1, 2]), ""),
        (sympy.Integer(1), M([1, 2]), ""),
    ],
    ids=lambda v: str(v),
)
def test_array_hint(answer: Any, reference: Any, says: str) -> None:
    hint = array_hint(answer, reference)
    assert (says in hint) if says else hint == ""


def _entry(outcomes: dict[tuple[Any, Any], Equality]) -> Any:
    def compare_entry(r: Any, a: Any) -> Comparison:
        outcome = outcomes.get((r, a), Equality.EQUAL if r == a else Equality.NOT_EQUAL)
        method = "numeric-only" if outcome is Equality.EQUAL and r != a else "exact"
        return Comparison(outcome, f"{r} vs {a}", method)

    return compare_entry


def test_compare_tuples_combines_entries() -> None:
    same = compare_tuples(TUP(1, 2), TUP(1, 2), _entry({}))
    assert (same.outcome, same.method) == (Equality.EQUAL, "exact")
    weakest = compare_tuples(TUP(1, 2), TUP(1, 3), _entry({(2, 3): Equality.EQUAL}))
    assert (weakest.outcome, weakest.method) == (Equality.EQUAL, "numeric-only")
    unknown = compare_tuples(TUP(1, 2), TUP(1, 3), _entry({(2, 3): Equality.UNKNOWN}))
    assert unknown.outcome is Equality.UNKNOWN and "entry 2" in unknown.reason
    # one clear mismatch wins over an undecided entry, and every wrong entry is listed
    wrong = compare_tuples(TUP(1, 2, 3), TUP(0, 5, 9), _entry({(1, 0): Equality.UNKNOWN}))
    assert wrong.outcome is Equality.NOT_EQUAL and wrong.wrong_entries == ((1,), (2,))
    assert "entries 2, 3" in wrong.reason
    assert is_tuple(TUP(1, 2)) and not is_tuple((1, 2)) and not is_tuple(M([1, 2]))


# ------------------------------------------------------------------ the grading paths

PROBLEMS = load_problem_set()


def grade(problem: str, part_id: str, raw: Any) -> AnswerResult:
    spec = PROBLEMS.get(problem)
    assert spec is not None
    part = spec.part(part_id)
    assert part is not None
    return grade_part(spec, part, solve(spec), raw)


@pytest.mark.parametrize(
    ("problem", "part", "raw", "verdict", "says"),
    [
        # the right numbers in the wrong brackets: invalid, with the hint (never correct)
        ("normalization_stats", "mu_batch", "(5/2, 5/2)", Verdict.INVALID, "`[a, b]`"),
        ("normalization_stats", "mu_batch", "(2.5, 2.5)", Verdict.INVALID, "`[a, b]`"),
        (
            "normalization_stats",
            "mu_batch",
            r"\left( \frac52, \frac52 \right)",
            Verdict.INVALID,
            "`[a, b]`",
        ),
        ("normalization_stats", "mu_layer", "(1, 2)", Verdict.INVALID, "`[a, b]`"),
        ("gnn_attention", "h1_next", "(0, 4/5)", Verdict.INVALID, "`[a, b]`"),
        ("normalization_stats", "mu_instance", "(3, 8/3)", Verdict.INVALID, "nested lists"),
        ("min_norm_gd", "w_star", "(X, y)", Verdict.INVALID, "scalars"),
        ("normalization_stats", "mu_batch", "[5/2, 5/2]", Verdict.CORRECT, ""),
        # a scalar part: a kind mismatch, graded incorrect
        ("rnn_backprop", "b", "(3w^2 u_1, 2 w u_2 + u_3)", Verdict.INCORRECT, "a scalar"),
        ("staged_computation", "forward.q", "(3, 3)", Verdict.INCORRECT, "a tuple"),
        # a declared symbol before a tuple is never a product, so never correct
        ("rnn_backprop", "c.dy_dr", "w(w, 1)", Verdict.INVALID, "tuple"),
        ("rnn_backprop", "a.t", "u_3 + w(u_2, w u_1)", Verdict.INVALID, "tuple"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_tuples_on_problem_parts(
    problem: str, part: str, raw: str, verdict: Verdict, says: str
) -> None:
    result = grade(problem, part, raw)
    assert result.verdict is verdict, result.message
    assert says in result.message
    if verdict is not Verdict.CORRECT:
        assert result.score == 0


@pytest.mark.parametrize(
    ("reference", "answer", "verdict", "says"),
    [
        ("(1, 2)", "(1, 2)", Verdict.CORRECT, "matches"),
        (r"(1,\frac{9}{2})", "(1,4.5)", Verdict.CORRECT, "tolerance"),
        ("(7,6)", "(7, 6)", Verdict.CORRECT, ""),
        (r"(\tfrac{27}{8},\tfrac{15}{8})", "(0, 0)", Verdict.INCORRECT, "entries 1, 2"),
        ("(1, 2)", "(2, 1)", Verdict.INCORRECT, "entries 1, 2"),
        ("(1, 2)", "(1, 2, 3)", Verdict.INCORRECT, "3 entries"),
        ("(1, 2)", "[1, 2]", Verdict.INCORRECT, "write a tuple as `(a, b)`"),
        ("(1, 2)", "3", Verdict.INCORRECT, "a scalar"),
        ("[1, 2]", "(1, 2)", Verdict.INVALID, "write a vector as `[a, b]`"),
        ("[[1, 2], [3, 4]]", "(1, 2, 3, 4)", Verdict.INVALID, "nested lists"),
        ("max(a, b)", "max(b, a)", Verdict.CORRECT, ""),
        ("(a, b)", "max(a, b)", Verdict.INCORRECT, "a scalar"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_equiv_with_tuples(reference: str, answer: str, verdict: Verdict, says: str) -> None:
    result = check_pair(reference, answer, OPEN)
    assert result.verdict is verdict, result.message
    assert says in result.message
    if verdict is Verdict.CORRECT:
        assert result.interpreted_as == result.reference or "4.5" in result.interpreted_as
