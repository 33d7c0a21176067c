"""The float screen: sound error bounds, and never a verdict the full engine would not give.

Three kinds of evidence, each independent of the screen's own arithmetic:

* its values at the engine's sample points lie within their error bounds of the exact
  values (SymPy's exact or 40-digit evaluation, :mod:`pointeval`), for every key answer
  and known mistake of the built-in set and for a table of numerically hard values;
* on the equivalence engine's own tables, the anchors the trusted systems call
  equivalent, and thousands of generated class answers, a pair it calls different is
  never one the full engine calls equal;
* grading those answers with and without the screen gives identical results.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import mpmath
import pytest
import sympy

import hwgrade.grader.verify.check as check_module
import hwgrade.grader.verify.equivalence as equivalence_module
from hwgrade.grader.answer.language import read_answer
from hwgrade.grader.context import Context, parse_vars
from hwgrade.grader.grading.parts import grade_part
from hwgrade.grader.results import Equality
from hwgrade.grader.specs.problemset import ProblemSet, load_problem_set
from hwgrade.grader.specs.solving import solve
from hwgrade.grader.values.numbers import entries, normalize
from hwgrade.grader.verify.equivalence import compare
from hwgrade.grader.verify.floatscreen import (
    Grid,
    Undecided,
    certainly_different,
    float_value,
)
from hwgrade.grader.verify.pointeval import evaluate
from hwgrade.grader.verify.sampling import collect_names, draw_point, to_mpc, to_number
from tests import test_equivalence as eq_tables
from tests.classgen import load
from tests.conftest import load_anchor, sympy_to_hwgrade

OPEN = Context(open=True)
MAT = parse_vars("X: n x d, y: n x 1, w: d x 1, A: n x n, d > n")


def _exact_and_float(value: Any, ctx: Context, index: int) -> tuple[list[Any], Any] | None:
    """The exact entries and the screen's (values, errors) at one point (None: undefined)."""
    value = normalize(ctx.expand_definitions(value))
    point = draw_point(collect_names([value], ctx), ctx, 0, index)
    try:
        exact = [to_number(e) for e in entries(evaluate(value, point))]
    except Exception:
        return None  # undefined here in exact arithmetic: nothing to bound
    try:
        return exact, float_value(value, point)
    except Undecided as exc:
        return exact, exc


def _within(exact: list[Any], approx: Any) -> list[str]:
    """The entries whose float value is farther from the exact one than its bound."""
    value, error = approx
    values = list(value.data) if isinstance(value, Grid) else [value]
    errors = list(error.data) if isinstance(error, Grid) else [error]
    assert len(values) == len(exact)
    broken = []
    with mpmath.workdps(40):
        for k, (x, v, e) in enumerate(zip(exact, values, errors, strict=True)):
            distance = abs(to_mpc(x) - mpmath.mpc(complex(v)))
            if distance > e:
                broken.append(f"entry {k}: exact {x}, float {v}, bound {e}, off by {distance}")
    return broken


@pytest.fixture(scope="module")
def builtin() -> ProblemSet:
    return load_problem_set(None)


def test_bounds_hold_for_every_key_value(builtin: ProblemSet) -> None:
    """Every reference and known mistake of the built-in set, at all six points."""
    evaluated = undecided = 0
    for spec in builtin.problems:
        solution = solve(spec)
        values = list(solution.answers.values())
        values += [m.value for ms in solution.mistakes.values() for m in ms]
        for value in values:
            if not isinstance(value, sympy.Basic) or isinstance(value, sympy.Tuple):
                continue  # a choice's letter, or a tuple (never screened)
            for index in range(6):
                got = _exact_and_float(value, spec.context, index)
                if got is None:
                    continue
                exact, approx = got
                evaluated += 1
                if isinstance(approx, Undecided):
                    undecided += 1
                    continue
                assert not _within(exact, approx), (spec.id, value, index)
    assert evaluated > 500
    assert undecided < evaluated // 10  # the screen is of use on the real problems


_x = OPEN.sym("x")
#: ``x - x`` kept unevaluated: the reader simplifies it, a solver's value need not.
ZERO = sympy.Add(_x, -_x, evaluate=False)

HARD: list[tuple[Any, Context, bool]] = [
    # (value, context, whether the screen must decline at some point)
    ("x - x + 1", OPEN, False),
    ("(x + 1)^2 - x^2 - 2 x", OPEN, False),
    ("exp(30 x) - exp(30 x) + x", OPEN, False),
    ("(x + 10^12) - 10^12", OPEN, False),
    (sympy.Pow(ZERO, -1, evaluate=False), OPEN, True),
    (sympy.log(sympy.Add(ZERO, sympy.Rational(1, 10**30), evaluate=False)), OPEN, True),
    (sympy.sign(ZERO), OPEN, True),
    (sympy.sqrt(ZERO), OPEN, True),
    ("log(-x^2)", OPEN, False),
    ("(-x^2)^(1/3)", OPEN, False),
    ("(x y)^(1/2)", OPEN, False),
    ("sqrt(x^2)", OPEN, False),
    ("sign(x) x", OPEN, False),
    ("sin(10^7 x)", OPEN, True),
    ("exp(exp(exp(x)))", OPEN, False),
    ("exp(-exp(exp(x)))", OPEN, False),
    ("tanh(x) + atan(x) + abs(x) + max(x, -x, 1/3)", OPEN, False),
    ("x^(-3) + 2^x + (1 + i)^x", OPEN, False),
    ("sigmoid(x) (1 - sigmoid(x))", OPEN, False),
    ("(i x)^2 + x^2", OPEN, False),
    ("cosh(x)^2 - sinh(x)^2", OPEN, False),
    (
        sympy.Add(_x ** sympy.Rational(1, 3), -(_x ** sympy.Rational(1, 3)), evaluate=False),
        OPEN,
        False,
    ),
    ("(X^T X)^(-1) X^T y", MAT, True),  # d > n: singular, exactly and in floats
    ("(X X^T)^(-1) X w - X (X^T X)^(-1) w", MAT, True),
    ("X^T (X X^T)^(-1) y", MAT, False),
    ("A^3 - A A A + A^(-2)", MAT, False),
    ("det(A) + tr(A^T A)", MAT, False),
    ("sigmoid(X w) ⊙ (X w) + tr(diag(y)) y", MAT, False),
]


@pytest.mark.parametrize(
    ("text", "ctx", "declines"), HARD, ids=[f"{i}:{t}" for i, (t, _, _) in enumerate(HARD)]
)
def test_bounds_hold_on_hard_values(text: Any, ctx: Context, declines: bool) -> None:
    """Cancellation, branch cuts, huge exponents, near-singular inverses: bounded or declined."""
    value = read_answer(text, ctx).value if isinstance(text, str) else text
    declined = 0
    for index in range(6):
        got = _exact_and_float(value, ctx, index)
        if got is None:
            declined += 1
            continue
        exact, approx = got
        if isinstance(approx, Undecided):
            declined += 1
            continue
        assert not _within(exact, approx), (text, index)
    if declines:
        assert declined, "expected the screen to decline somewhere"
    else:
        assert declined < 6


PAIRS: list[tuple[str, str, Context, bool]] = [
    # (reference, answer, context, certainly different)
    ("x^2", "x^2", OPEN, False),
    ("x^2 + 2x + 1", "(x + 1)^2", OPEN, False),
    ("x^2", "x^2 + 1", OPEN, True),
    ("x^2", "x^2 + 10^(-30)", OPEN, False),  # hidden below floats: the full engine sees it
    ("1/3", "0.333", OPEN, False),  # the rounding rule forgives it
    ("1/3", "0.33", OPEN, False),  # within what the rule could forgive: left to the engine
    ("1/3", "0.3", OPEN, True),
    ("1/3", "0.5", OPEN, True),
    ("log(x^2)", "2 log(x)", OPEN, True),  # 2πi apart at negative x
    ("sqrt(x^2)", "x", OPEN, True),
    ("abs(x)", "sqrt(x^2)", OPEN, False),
    ("exp(exp(exp(x)))", "exp(exp(exp(x))) + 1", OPEN, True),  # at the points floats reach
    ("exp(exp(x^2 + 40))", "exp(exp(x^2 + 40)) + 1", OPEN, False),  # beyond them everywhere
    ("[1, 2, 3]", "[1, 2, 4]", OPEN, True),
    ("[1, 2, 3]", "[[1, 2, 3]]", OPEN, False),  # orientation is the engine's to judge
    ("(1, 2)", "(1, 3)", OPEN, False),  # tuples are the engine's
    ("X^T (X X^T)^(-1) y", "X^T (X X^T)^(-1) y", MAT, False),
    ("X^T (X X^T)^(-1) y", "2 X^T (X X^T)^(-1) y", MAT, True),
    ("A^(-1)", "A^T", MAT, True),
    ("(X^T X)^(-1) X^T y", "X^T (X X^T)^(-1) y", MAT, False),  # singular reference
]


@pytest.mark.parametrize(
    ("ref", "ans", "ctx", "different"),
    PAIRS,
    ids=[f"{i}:{r}|{a}" for i, (r, a, _, _) in enumerate(PAIRS)],
)
def test_pairs(ref: str, ans: str, ctx: Context, different: bool) -> None:
    r, a = read_answer(ref, ctx).value, read_answer(ans, ctx).value
    assert certainly_different(r, a, ctx) is different
    if different:
        assert compare(r, a, ctx).outcome is Equality.NOT_EQUAL


def _engine_rows() -> list[Any]:
    """The equivalence engine's own tables, each row with the context its test uses."""
    rows = []
    for ref, ans, outcome, _ in eq_tables.SCALARS:
        rows.append((ref, ans, eq_tables.POS if ref.has(eq_tables.xp) else OPEN, {}, outcome))
    rows += [(r, a, eq_tables.MAT, {}, o) for r, a, o, _ in eq_tables.MATRICES]
    rows += [(r, a, eq_tables.WIDE, {}, o) for r, a, o, _ in eq_tables.OVERFLOWS]
    rows += [(r, a, OPEN, kw, o) for r, a, kw, o, _ in eq_tables.NUMBER_RULE]
    for ref, ans, outcome, _ in eq_tables.SPIKES:
        rows.append((ref, ans, eq_tables.POS if ans.has(eq_tables.xp) else OPEN, {}, outcome))
    return rows


@pytest.mark.parametrize(
    ("ref", "ans", "ctx", "kwargs", "outcome"),
    _engine_rows(),
    ids=[f"{i}" for i in range(len(_engine_rows()))],
)
def test_never_different_where_the_engine_finds_equal(
    ref: Any, ans: Any, ctx: Context, kwargs: dict[str, Any], outcome: Equality
) -> None:
    tolerance = kwargs.get("tolerance", 1e-3)
    absolute = kwargs.get("absolute_tolerance")
    digits = None if absolute is not None else check_module.Settings(tolerance).digits
    screened = certainly_different(
        ref, ans, ctx, tolerance=tolerance, digits=digits, absolute_tolerance=absolute
    )
    if screened:
        assert outcome is not Equality.EQUAL


@pytest.mark.conformance
def test_never_different_where_trusted_systems_find_equivalent(anchors: Path) -> None:
    """STACK's and PrairieLearn/WeBWorK's equivalent pairs: the screen rules none out
    that the full engine accepts."""
    checked = 0
    for name in ("stack_cases.yaml", "pl_webwork_cases.yaml"):
        data = load_anchor(anchors, name)
        for case in data["cases"] if isinstance(data, dict) else data:
            if not case.get("equivalent") or "student" not in case:
                continue
            try:
                ref = read_answer(sympy_to_hwgrade(str(case["reference"])), OPEN, "plain").value
                ans = read_answer(sympy_to_hwgrade(str(case["student"])), OPEN, "plain").value
            except Exception:
                continue
            checked += 1
            if certainly_different(ref, ans, OPEN):
                assert compare(ref, ans, OPEN).outcome is not Equality.EQUAL, case
    assert checked > 50


def _generated(builtin: ProblemSet, per_part: int) -> list[tuple[Any, Any, Any, Any]]:
    """(spec, part, solution, answer) for the key, rewrites, mistakes and own answers."""
    mc = load()
    pool = mc.answer_pool(builtin)
    out = []
    for spec in builtin.problems:
        solution = solve(spec)
        for part in spec.parts:
            k = f"{spec.id}.{part.id}"
            if part.kind in ("manual", "choice") or k not in pool.exact:
                continue
            answers = [pool.exact[k], *pool.rewrites[k], *pool.wrong[k]]
            for n in range(2, 2 + per_part):
                answers += [mc.own_answer(pool, k, n, True), mc.own_answer(pool, k, n, False)]
            out += [(spec, part, solution, a) for a in answers if a is not None]
    return out


def test_grading_is_identical_with_and_without_the_screen(
    builtin: ProblemSet, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Thousands of generated answers, each graded twice: the screen changes nothing.

    Each wrong answer meets its part's known mistakes, alternatives, transpose and the
    error-carried-forward check (the student's other answers are the first wrong ones),
    where the screen rules candidates out, and a wrong symbolic matrix or exact scalar
    answer is judged by the screen at the first point (:func:`equivalence._screened`).
    """
    generated = _generated(builtin, per_part=21)
    assert len(generated) >= 3000
    pool = load().answer_pool(builtin)
    owns = {
        spec.id: {
            p.id: pool.wrong[f"{spec.id}.{p.id}"][0]
            for p in spec.parts
            if pool.wrong.get(f"{spec.id}.{p.id}")
        }
        for spec in builtin.problems
    }
    calls = Counter[bool]()
    real = check_module.certainly_different

    def counted(*args: Any, **kwargs: Any) -> bool:
        verdict = real(*args, **kwargs)
        calls[verdict] += 1
        return verdict

    for module in (check_module, equivalence_module):
        monkeypatch.setattr(module, "certainly_different", counted)
    real_shown = equivalence_module.shown_difference

    def shown_counted(*args: Any, **kwargs: Any) -> Any:
        found = real_shown(*args, **kwargs)
        calls[found is not None] += 1
        return found

    monkeypatch.setattr(equivalence_module, "shown_difference", shown_counted)
    fast = []
    for spec, part, solution, answer in generated:
        before = calls.total()
        result = grade_part(spec, part, solution, answer, owns[spec.id]).to_dict()
        if calls.total() > before:  # an answer the screen never saw cannot change
            fast.append(((spec, part, solution, answer), result))
    check_module._compared.cache_clear()
    for module in (check_module, equivalence_module):
        monkeypatch.setattr(module, "certainly_different", lambda *a, **k: False)
    monkeypatch.setattr(equivalence_module, "shown_difference", lambda *a, **k: None)
    for (spec, part, solution, answer), result in fast:
        full = grade_part(spec, part, solution, answer, owns[spec.id]).to_dict()
        assert result == full, (spec.id, part.id, answer)
    assert len(fast) > 1000
    assert calls[True] > 1000  # the screen did rule candidates out


R = sympy.Rational
MATRICES: list[tuple[str, list[list[Any]]]] = [
    ("random 2x2", [[R(3, 7), R(-11, 13)], [R(5, 17), R(2, 11)]]),
    ("random 4x4", [[R((i * 7 + j * 3) % 11 - 5, j + 2) for j in range(4)] for i in range(4)]),
    ("nearly singular", [[R(1), R(1)], [R(1), 1 + R(1, 10**12)]]),
    ("singular", [[R(1), R(2)], [R(2), R(4)]]),
    ("hilbert 5", [[R(1, i + j + 1) for j in range(5)] for i in range(5)]),
]


@pytest.mark.parametrize(("name", "rows"), MATRICES, ids=[m for m, _ in MATRICES])
def test_inverse_and_determinant_bounds(name: str, rows: list[list[Any]]) -> None:
    """Against SymPy's exact inverse and determinant: within the bound, or declined."""
    exact = sympy.ImmutableMatrix(rows)
    point = draw_point(collect_names([], OPEN), OPEN, 0, 0)
    singular = exact.det() == 0
    for build, expected in (
        (sympy.Inverse, None if singular else list(exact.inv())),
        (sympy.Determinant, [exact.det()]),
    ):
        try:
            got = float_value(build(exact), point)
        except Undecided:
            continue  # declined: the singular and nearly singular inverses must be
        assert expected is not None, f"{name}: a singular inverse was not declined"
        assert not _within(expected, got), name


SCALAR_PAIRS = [
    ("x^2", "x^2 + 1", OPEN),
    ("sqrt(x^2)", "x", OPEN),
    ("1/3", "1/7", OPEN),
    ("exp(x) y", "exp(y) x", OPEN),
    ("log(x^2)", "2 log(x)", OPEN),  # complex at the negative point: left to the engine
    ("x", "x + 10^(-30)", OPEN),  # hidden below floats: left to the engine
    ("1/(x - 1)", "1/(x + 1)", OPEN),
    ("tr(X^T X)", "tr(X X^T) + 1", MAT),
    ("tr(A)", "det(A)", MAT),
    ("w^T X^T X w", "tr(X^T X)", MAT),  # a 1x1 matrix expression against a scalar
    ("y^T X w", "y^T X w + 2", MAT),
    ("w^T w", "(w^T w)^2", MAT),
    ("sigmoid(y^T y)", "y^T y", MAT),
]


@pytest.mark.parametrize(
    ("ref", "ans", "ctx"), SCALAR_PAIRS, ids=[f"{r}|{a}" for r, a, _ in SCALAR_PAIRS]
)
def test_a_screened_scalar_verdict_is_the_exact_one(
    ref: str, ans: str, ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Outcome, reason and method, with and without the screen's shown values."""
    r, a = read_answer(ref, ctx).value, read_answer(ans, ctx).value
    screened = compare(r, a, ctx)
    monkeypatch.setattr(equivalence_module, "shown_difference", lambda *args, **kw: None)
    assert compare(r, a, ctx) == screened
