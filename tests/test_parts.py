"""Grading one part against the real built-in problems: every behaviour of ``grade_part``.

Tables are built from the problem set and the solvers themselves (known mistakes, carry
forward rules), so a new problem or a new derived mistake is tested without editing
this file; a problem without any derived mistake fails ``test_every_problem_has_...``.
"""

from __future__ import annotations

from typing import Any

import pytest

from hwgrade.grader.grading.parts import grade_part, grade_part_each
from hwgrade.grader.results import AnswerResult, Verdict
from hwgrade.grader.specs.model import ProblemSpec
from hwgrade.grader.specs.problemset import load_problem_set
from hwgrade.grader.specs.solving import solve
from hwgrade.grader.verify.check import echo

PROBLEMS = load_problem_set()


def spec_of(problem: str) -> ProblemSpec:
    spec = PROBLEMS.get(problem)
    assert spec is not None, problem
    return spec


def grade(problem: str, part_id: str, raw: Any, own: dict[str, Any] | None = None) -> AnswerResult:
    spec = spec_of(problem)
    part = spec.part(part_id)
    assert part is not None, part_id
    return grade_part(spec, part, solve(spec), raw, own)


def _as_answer(value: Any) -> Any:
    """A solver value as a student would hand it in (plain text; choices as labels)."""
    if isinstance(value, tuple):
        return ", ".join(str(x) for x in value)
    return echo(value)[0]


# ---------------------------------------------------------------- right answers


CORRECT = [
    ("rnn_backprop", "a.t", "u_3 + w u_2 + w^2 u_1"),
    ("rnn_backprop", "a.t", "u_3 + w(u_2 + w u_1)"),
    ("rnn_backprop", "a.y", "w(u_3 + w(u_2 + w u_1))"),
    ("rnn_backprop", "b", "3w^2 u_1 + 2 w u_2 + u_3"),
    ("rnn_backprop", "b", r"3 w^{2} u_{1} + 2 w u_{2} + u_{3}"),
    ("rnn_backprop", "c.dy_dr", "w^2"),
    ("rnn_backprop", "c.dy_ds", "dy_dt"),
    ("rnn_backprop", "c.dy_dp", "dy_dq * w"),
    ("rnn_backprop", "d.total", "u_3 + 2w u_2 + 3w^2 u_1"),
    ("normalization_stats", "mu_batch", ["5/2", "2.5"]),
    ("normalization_stats", "var_batch", ["1.0833", "1.4167"]),
    ("normalization_stats", "mu_layer", ["17/6", "8/3", "5/2", "2"]),
    ("dropout_ridge", "expected_loss", "norm(y - pXw)^2 + p(1-p) w^T Gamma^2 w"),
    ("dropout_ridge", "regularizer", "p(1-p) w^T diag(diag(X^T X)) w"),
    ("dropout_ridge", "w_star", "(p X^T X + (1-p) Gamma^2)^-1 X^T y"),
    ("min_norm_gd", "grad", "2 X^T (X w - y)"),
    ("min_norm_gd", "w_star", "X^T (X X^T)^-1 y"),
    ("min_norm_gd", "row_space", "a - 2 eta (X X^T a - y)"),
    ("pca_autoencoder", "grad_W1", "-2/n W_2^T (X - W_2 W_1 X) X^T"),
    ("pca_autoencoder", "stationary", "A, B, D"),
    ("gnn_attention", "edges", "12"),
    ("gnn_attention", "update_rule", "A"),
]


@pytest.mark.parametrize(
    ("problem", "part", "raw"), CORRECT, ids=[f"{p}.{q}:{r}" for p, q, r in CORRECT]
)
def test_correct_and_alternative_forms(problem: str, part: str, raw: Any) -> None:
    result = grade(problem, part, raw)
    assert result.verdict is Verdict.CORRECT, result.message
    assert result.score == result.max_score
    assert result.interpreted_as  # the student sees how it was read


def _key_rows() -> list[tuple[str, str, Any]]:
    return [
        (spec.id, part.id, _as_answer(solve(spec).answers[part.id]))
        for spec in PROBLEMS.problems
        for part in spec.parts
        if part.kind != "manual"
    ]


KEY_ROWS = _key_rows()


@pytest.mark.parametrize(
    ("problem", "part", "raw"), KEY_ROWS, ids=[f"{p}.{q}" for p, q, _ in KEY_ROWS]
)
def test_the_solvers_own_values_are_correct(problem: str, part: str, raw: Any) -> None:
    assert grade(problem, part, raw).verdict is Verdict.CORRECT


# ---------------------------------------------------------------- known mistakes


def _derived_mistakes() -> list[tuple[str, str, Any, str, float]]:
    rows = []
    for spec in PROBLEMS.problems:
        solution = solve(spec)
        for part_id, mistakes in solution.mistakes.items():
            for mistake in mistakes:
                rows.append(
                    (spec.id, part_id, _as_answer(mistake.value), mistake.message, mistake.credit)
                )
    return rows


DERIVED = _derived_mistakes()


def test_every_problem_has_a_derived_mistake() -> None:
    auto_graded = {
        spec.id for spec in PROBLEMS.problems if any(p.kind != "manual" for p in spec.parts)
    }
    assert {row[0] for row in DERIVED} == auto_graded


@pytest.mark.parametrize(
    ("problem", "part", "raw", "message", "credit"),
    DERIVED,
    ids=[f"{p}.{q}:{r}" for p, q, r, _, _ in DERIVED],
)
def test_solver_derived_mistake_gives_its_feedback(
    problem: str, part: str, raw: Any, message: str, credit: float
) -> None:
    result = grade(problem, part, raw)
    assert result.verdict is Verdict.INCORRECT
    assert message in result.message
    spec = spec_of(problem)
    if spec.part(part).multiple:  # type: ignore[union-attr]
        # select-all: a known pick gives feedback; the credit is right minus wrong over right
        want = set(solve(spec).answers[part])
        picked = {label.strip() for label in raw.split(",")}
        credit = max(0, len(picked & want) - len(picked - want)) / len(want)
    assert result.score == pytest.approx(result.max_score * credit)


def test_derived_mistake_on_rnn_total_earns_half() -> None:
    result = grade("rnn_backprop", "d.total", "2 w u_2 + 3 w^2 u_1")
    assert (result.score, result.max_score) == (0.5, 1.0)
    assert "u_3 term is missing" in result.message


def test_spec_listed_mistake_in_a_course_spec(tmp_path) -> None:
    """The built-in specs derive all their mistakes; a literal one still gives feedback."""
    from hwgrade.grader.batch.planning import PartTask
    from hwgrade.grader.batch.tasks import run_part_task

    (tmp_path / "lit.yaml").write_text(
        "id: lit\ntitle: t\nstatement: s\nsymbols: {x: scalar}\nparts:\n"
        "  - id: d\n    prompt: d/dx of x^3\n    points: 2\n    reference: diff(x^3, x)\n"
        "    mistakes:\n      - {answer: 3 x, message: the power drops by one, credit: 0.25}\n",
        encoding="utf-8",
    )
    result = run_part_task(PartTask(str(tmp_path), "lit", "d", "x*3"))
    assert result.verdict is Verdict.INCORRECT and "power drops by one" in result.message
    assert (result.score, result.max_score) == (0.5, 2.0)


# ---------------------------------------------------------------- carried forward

WRONG_Y = "w^2 u_1 + w u_2 + u_3"  # one factor w short
OWN_DERIVATIVE = "2 w u_1 + u_2"  # d/dw of WRONG_Y


@pytest.mark.parametrize(
    ("own_y", "b", "verdict", "score", "says"),
    [
        (WRONG_Y, OWN_DERIVATIVE, Verdict.CARRIED_FORWARD, 2.0, "error carried forward"),
        ("w^3 u_1 + w u_3", "3 w^2 u_1 + u_3", Verdict.CARRIED_FORWARD, 2.0, "`a.y` is wrong"),
        (WRONG_Y, "2 w u_1", Verdict.INCORRECT, 0.0, "your answer is"),
        ("w^3 u_1 + w^2 u_2 + w u_3", OWN_DERIVATIVE, Verdict.INCORRECT, 0.0, "your answer"),
        (WRONG_Y, "3 w^2 u_1 + 2 w u_2 + u_3", Verdict.CORRECT, 2.0, ""),
        ("w u_1 +", OWN_DERIVATIVE, Verdict.INCORRECT, 0.0, ""),
    ],
    ids=[
        "own-y-missing-w",
        "own-y-missing-term",
        "wrong-for-both",
        "y-right-b-wrong",
        "b-right-anyway",
        "unreadable-y",
    ],
)
def test_error_carried_forward_on_rnn(
    own_y: str, b: str, verdict: Verdict, score: float, says: str
) -> None:
    result = grade("rnn_backprop", "b", b, {"a.y": own_y})
    assert result.verdict is verdict
    assert result.score == score
    assert says in result.message


def test_carried_forward_beats_a_zero_credit_known_mistake() -> None:
    # dy_dq taken as w instead of w^2; dy_dp = dy_dq * w is then w^2: a known mistake
    # on its own, but consistent with the student's own dy_dq, which is worth more.
    result = grade("rnn_backprop", "c.dy_dp", "w^2", {"c.dy_dq": "w"})
    assert result.score == 1.0 and "carried forward" in result.message
    assert result.verdict is Verdict.CARRIED_FORWARD


# The three edge terms of the 3-step RNN, each with its u's index shifted: wrong edges
# whose sum is not dy/dw (the reference sum is 3 w^2 u_1 + 2 w u_2 + u_3).
WRONG_EDGES = {"d.edge1": "w^2 u_2", "d.edge2": "w u_3", "d.edge3": "u_1"}
RIGHT_B = "3 w^2 u_1 + 2 w u_2 + u_3"


@pytest.mark.parametrize(
    ("b", "verdict", "score"),
    [
        (None, Verdict.CARRIED_FORWARD, 1.0),  # no (b): the sum of own edges carries
        ("2 w u_1", Verdict.CARRIED_FORWARD, 1.0),  # a wrong (b) contradicts nothing
        ("w^2 u_2 + w u_3 + u_1", Verdict.CARRIED_FORWARD, 1.0),  # (b) wrong the same way
        (RIGHT_B, Verdict.INCORRECT, 0.0),  # (b) right: the wrong total contradicts it
        ("3 w^2 u_1 + 2 w u_2 +", Verdict.CARRIED_FORWARD, 1.0),  # unreadable (b)
    ],
    ids=["no-b", "wrong-b", "b-wrong-alike", "right-b", "unreadable-b"],
)
def test_total_of_wrong_edges_contradicting_a_right_b_earns_nothing(
    b: str | None, verdict: Verdict, score: float
) -> None:
    own: dict[str, Any] = dict(WRONG_EDGES) | ({"b": b} if b is not None else {})
    total = "w^2 u_2 + w u_3 + u_1"  # the sum of the student's own wrong edges
    result = grade("rnn_backprop", "d.total", total, own)
    assert (result.verdict, result.score) == (verdict, score), result.message
    if verdict is Verdict.INCORRECT:
        assert "carried forward" not in result.message
    alone = grade("rnn_backprop", "c.dy_dp", "w^2")
    assert alone.score == 0.0 and "skipped" in alone.message


@pytest.mark.parametrize(
    ("part_id", "raw"),
    [
        ("c.dy_dp", "w^2"),
        ("c.dy_dp", "w^3"),
        ("c.dy_dp", "u_1 +"),
        ("b", OWN_DERIVATIVE),
        ("b", "2 w u_1"),
        ("b", None),
        ("d.total", "w^2 u_2 + w u_3 + u_1"),
    ],
    ids=[
        "known-mistake",
        "right",
        "unreadable",
        "carried",
        "wrong-for-all",
        "missing",
        "total-same-as-b",
    ],
)
def test_grading_many_students_at_once_matches_one_by_one(part_id: str, raw: Any) -> None:
    """The batch judges one answer for many students' own answers in one call."""
    spec = spec_of("rnn_backprop")
    part = spec.part(part_id)
    assert part is not None
    owns: list[dict[str, Any]] = [
        {},
        {"c.dy_dq": "w"},
        {"c.dy_dq": "w^2"},
        {"c.dy_dq": "w +"},
        {"a.y": WRONG_Y},
        {"a.y": "u_1 w^3 + u_2 w^2 + u_3 w"},
        {"a.y": WRONG_Y},
        WRONG_EDGES | {"b": RIGHT_B},
        WRONG_EDGES,
    ]
    each = grade_part_each(spec, part, solve(spec), raw, owns)
    assert each == [grade_part(spec, part, solve(spec), raw, own) for own in owns]


# ---------------------------------------------------------------- form rules


@pytest.mark.parametrize(
    ("part", "raw", "verdict", "says"),
    [
        ("a.t", "u_3 + s", Verdict.INCORRECT, "you used `s`"),
        ("a.y", "w t", Verdict.INCORRECT, "in terms of w, u_1, u_2, u_3 only"),
        ("b", "3 w^2 p + 2 w u_2 + u_3", Verdict.INCORRECT, "substitute what"),
        ("c.dy_dr", "w dy_ds", Verdict.CORRECT, ""),
        ("c.dy_dp", "w dy_dq", Verdict.CORRECT, ""),
    ],
    ids=["t-uses-s", "y-uses-t", "b-uses-two", "dy_dr-may-use-dy_ds", "dy_dp-may-use-dy_dq"],
)
def test_allowed_symbols_on_rnn(part: str, raw: str, verdict: Verdict, says: str) -> None:
    result = grade("rnn_backprop", part, raw)
    assert result.verdict is verdict, result.message
    assert says in result.message
    if verdict is Verdict.INCORRECT:
        assert result.message.startswith("the value is right")
        assert "intermediate names replaced" not in result.message


# ---------------------------------------------------------------- partial credit


@pytest.mark.parametrize(
    ("part", "raw", "score", "says"),
    [
        ("mu_layer", ["17/6", "8/3", "5/2", "3"], 0.75, "wrong: entry 4"),
        ("mu_layer", ["17/6", "8/3", "1", "3"], 0.5, "wrong: entry 3, entry 4"),
        ("var_batch", ["13/12", "1"], 0.5, "1 of 2 entries right"),
        (
            "mu_instance",
            [["3", "8/3"], ["8/3", "8/3"], ["8/3", "2"], ["5/3", "7/3"]],
            0.875,
            "wrong: row 3 col 2",
        ),
        ("mu_layer", ["17/6", "8/3", "5/2"], 0.0, ""),
    ],
    ids=["one-of-four", "two-of-four", "one-of-two", "matrix-entry", "wrong-length"],
)
def test_partial_credit_per_entry(part: str, raw: list[Any], score: float, says: str) -> None:
    result = grade("normalization_stats", part, raw)
    assert result.verdict is Verdict.INCORRECT
    assert result.score == pytest.approx(score)
    assert says in result.message


# ---------------------------------------------------------------- unusable answers


@pytest.mark.parametrize(
    ("problem", "part", "raw", "verdict", "says"),
    [
        ("rnn_backprop", "b", None, Verdict.MISSING, 'write one under "b"'),
        ("rnn_backprop", "b", "  ", Verdict.MISSING, "no answer"),
        ("normalization_stats", "mu_batch", [], Verdict.MISSING, "no answer"),
        ("rnn_backprop", "b", {"w": "1"}, Verdict.INVALID, "put the whole answer in quotes"),
        ("rnn_backprop", "b", "u1 + 2w u_2", Verdict.INVALID, "did you mean `u_1`?"),
        ("rnn_backprop", "b", "x + w", Verdict.INVALID, "this problem's symbols are"),
        ("rnn_backprop", "b", "w(u_2 + w u_1", Verdict.INVALID, "add 1 `)`"),
        ("rnn_backprop", "b", "w*u_1 +", Verdict.INVALID, "nothing follows the final `+`"),
        ("rnn_backprop", "b", "w u_2)", Verdict.INVALID, "no matching opening bracket"),
        ("rnn_backprop", "b", "w·u₁", Verdict.INVALID, "type subscripts with `_`"),
        ("pca_autoencoder", "stationary", "A, F", Verdict.INVALID, "unknown option `f`"),
        ("gnn_attention", "update_rule", "A, B", Verdict.INVALID, "pick one option only"),
    ],
    ids=[
        "missing",
        "blank",
        "empty-list",
        "mapping",
        "did-you-mean",
        "unknown-symbol-lists-symbols",
        "unbalanced",
        "trailing-operator",
        "extra-paren",
        "unicode-subscript",
        "unknown-option",
        "two-options",
    ],
)
def test_unusable_answers(problem: str, part: str, raw: Any, verdict: Verdict, says: str) -> None:
    result = grade(problem, part, raw)
    assert result.verdict is verdict
    assert result.score == 0
    assert says in result.message


def test_invalid_message_says_where() -> None:
    result = grade("rnn_backprop", "b", "u1 + 2w u_2")
    assert result.message.startswith("at column 1 (`u1`)")


def test_grading_never_raises_on_odd_input() -> None:
    for raw in (["a", ["b"]], 3, "(" * 500, "w^" * 300, "\x00", [[[]]]):
        assert isinstance(grade("rnn_backprop", "b", raw), AnswerResult)


@pytest.mark.parametrize(
    ("raw", "verdict"),
    [("Symmetric weights get identical gradients.", Verdict.UNDECIDED), ("", Verdict.MISSING)],
    ids=["answered", "blank"],
)
def test_manual_parts_are_recorded_not_scored(raw: str, verdict: Verdict) -> None:
    spec = PROBLEMS.get("free_text")
    assert spec is not None
    part = spec.parts[0]
    result = grade_part(spec, part, solve(spec), raw or None)
    assert result.verdict is verdict
    assert (result.score, result.max_score, result.method) == (0.0, 0.0, "manual")
    if raw:
        assert result.interpreted_as == raw


# ---------------------------------------------------------------- what the homework states

# (problem, part, answer, points, words in the feedback): answers right under the
# homework's own statements (Γ is diagonal with Γ² = diag(diag(XᵀX)), p is a
# probability, h_0 = 0) score, and the wrong ones they resemble stay wrong.
HOMEWORK = [
    ("dropout_ridge", "regularizer", "p(1-p) w^T Gamma Gamma^T w", 1.0, ""),
    ("dropout_ridge", "regularizer", "p(1-p) norm(Gamma^T w)^2", 1.0, ""),
    ("dropout_ridge", "regularizer", "p(1-p) w^T (X^T X ⊙ I) w", 1.0, ""),
    ("dropout_ridge", "regularizer", "p(1-p) w^T diag(diag(X^T X)) w", 1.0, ""),
    ("dropout_ridge", "regularizer", "p(1-p) w^T Gamma^2 w", 1.0, ""),
    ("dropout_ridge", "w_star", "(p X^T X + (1-p) Gamma Gamma^T)^-1 X^T y", 2.0, ""),
    ("dropout_ridge", "w_star", "(p X^T X + (1-p) diag(diag(X^T X)))^-1 X^T y", 2.0, ""),
    ("dropout_ridge", "w_star", "(p^2 X^T X + p(1-p) Gamma^2)^-1 p X^T y", 2.0, ""),
    (
        "dropout_ridge",
        "expected_loss",
        "norm(y - p X w)^2 + p(1-p) w^T diag(diag(X^T X)) w",
        3.0,
        "",
    ),
    ("dropout_ridge", "regularizer", "p(1-p) w^T Gamma w", 0.0, ""),
    ("dropout_ridge", "regularizer", "p(1-p) w^T X^T X w", 0.0, ""),  # the full Gram matrix
    ("dropout_ridge", "w_star", "(p X^T X + (1-p) Gamma)^-1 X^T y", 0.0, ""),
    (
        "vector_rnn_bptt",
        "grad_U_total",
        "diag(h_1 ⊙ (1 - h_1)) g_1 h_0^T + diag(h_2 ⊙ (1 - h_2)) g_2 h_1^T"
        " + diag(h_3 ⊙ (1 - h_3)) g_3 h_2^T",
        1.0,
        "",
    ),
    (
        "vector_rnn_bptt",
        "grad_U_total",
        "diag(h_2 ⊙ (1 - h_2)) g_2 h_1^T + diag(h_3 ⊙ (1 - h_3)) g_3 h_2^T",
        1.0,
        "",
    ),
    (
        "vector_rnn_bptt",
        "grad_U_total",
        "diag(h_1 ⊙ (1 - h_1)) g_1 h_1^T + diag(h_2 ⊙ (1 - h_2)) g_2 h_1^T"
        " + diag(h_3 ⊙ (1 - h_3)) g_3 h_2^T",
        0.0,
        "",
    ),
    # The statement's indexed spelling of h_prev, h_next and g_next is read too.
    ("vector_rnn_bptt", "recursion", "e_t + J^T g_{t+1}", 2.0, ""),
    ("vector_rnn_bptt", "jacobian", "diag(h_{t+1} ⊙ (1 - h_{t+1})) U", 2.0, ""),
    ("vector_rnn_bptt", "grad_U_term", "diag(h_t ⊙ (1 - h_t)) g_t h_{t - 1}^T", 2.0, ""),
    ("vector_rnn_bptt", "grad_U_term", "diag(h_t ⊙ (1 - h_t)) g_t h_{t+1}^T", 0.0, ""),
    ("vector_rnn_bptt", "jacobian", r"\operatorname{diag}(h_{t+1} \odot (1 - h_{t+1})) U", 2.0, ""),
]


def test_dropout_needs_no_hand_written_alternatives() -> None:
    assert all(not part.alternatives for part in spec_of("dropout_ridge").parts)


# (problem, part, answer, points, words in the feedback): the other reading of a
# convention the homework leaves open is explained by name, with its stated credit.
CONVENTIONS = [
    ("min_norm_gd", "grad", "2 X^T (X w - y)", 1.0, ""),
    ("min_norm_gd", "grad", "-2 (y - X w)^T X", 0.5, "asked as a d x 1 column vector"),
    ("min_norm_gd", "grad", "-2 (y - X w)^T", 0.0, ""),  # wrong, not a layout
    ("vector_rnn_bptt", "local_grad", "-2 V^T (z_t - V h_t)", 2.0, ""),
    ("vector_rnn_bptt", "local_grad", "-2 (z_t - V h_t)^T V", 1.0, "m x 1 column vector"),
    ("vector_rnn_bptt", "jacobian", "diag(h_next ⊙ (1 - h_next)) U", 2.0, ""),
    ("vector_rnn_bptt", "jacobian", "U^T diag(h_next ⊙ (1 - h_next))", 1.0, "numerator layout"),
    ("vector_rnn_bptt", "jacobian", "U diag(h_next ⊙ (1 - h_next))", 0.0, ""),
    (
        "sigmoid_sum_gradients",
        "two_layer.grad_b",
        "(W_2 (W_1 x + b) - u)^T W_2",
        0.0,
        "row vector: the answer is asked as a column (h x 1)",
    ),
]


@pytest.mark.parametrize(
    ("problem", "part", "raw", "points", "says"),
    HOMEWORK + CONVENTIONS,
    ids=[f"{p}.{q}:{r[:40]}" for p, q, r, _, _ in HOMEWORK + CONVENTIONS],
)
def test_right_under_the_homeworks_statements_and_conventions(
    problem: str, part: str, raw: str, points: float, says: str
) -> None:
    result = grade(problem, part, raw)
    assert result.score == points, result.message
    assert says in result.message
    full = spec_of(problem).part(part).points  # type: ignore[union-attr]
    if points == full:
        assert result.verdict is Verdict.CORRECT
    elif points:  # partial: the other convention, named
        assert "transpose of what is asked" in result.message and result.method == "layout"


@pytest.mark.parametrize(
    ("problem", "part", "raw", "says"),
    [
        ("normalization_stats", "var_layer", ["1.1", "1.2", "0.92", "1.3"], "3 significant digits"),
        ("normalization_stats", "mu_batch", ["2.5", "2.4"], ""),
        ("gnn_attention", "h1_next", [["0", "0.8"]], ""),
    ],
    ids=["rounded-early", "wrong-entry", "right"],
)
def test_decimals_with_too_few_digits_are_told_the_digits(
    problem: str, part: str, raw: Any, says: str
) -> None:
    result = grade(problem, part, raw)
    assert says in result.message
    if not says:
        assert "significant digits" not in result.message
