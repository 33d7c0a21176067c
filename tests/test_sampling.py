"""Points and numbers: exact values where possible, and bounded work for runaway values."""

from __future__ import annotations

from typing import Any

import mpmath
import pytest
import sympy

from hwgrade.grader.verify.sampling import (
    DIGITS,
    DomainError,
    MagnitudeError,
    nested_exponentials,
    to_number,
)

x, y = sympy.symbols("x y")
E = sympy.exp
SIG = 1 / (1 + E(-x))


@pytest.mark.parametrize(
    ("value", "nested"),
    [
        (E(E(E(x))), True),
        (7 ** E(x), True),
        (sympy.Integer(2) ** (x**y), True),  # a power in an exponent
        (1 / (1 + E(-SIG)), True),  # sigmoid(sigmoid(x))
        (E(x) * E(y) + x**2, False),
        (E(x**2), False),  # x^2 has a number exponent: not an exponential
        (sympy.ImmutableMatrix([[E(E(x))], [x]]), True),
        (3, False),
    ],
    ids=["tower", "power-of-exp", "power-of-power", "sigmoid2", "flat", "gauss", "matrix", "int"],
)
def test_nested_exponentials(value: Any, nested: bool) -> None:
    assert nested_exponentials(value) is nested


@pytest.mark.parametrize(
    "value",
    [
        sympy.sin(7 ** E(E(E(10 * sympy.Rational(13, 11))))) + 1,  # the adversarial dm-07
        E(E(E(E(sympy.Integer(3))))),
        E(E(sympy.Integer(35))),  # the exponent e^35 ≈ 1.6e15 is just over mpmath's bound
    ],
    ids=["dm-07", "exp-tower", "just-over"],
)
def test_runaway_values_are_refused_before_evaluation(value: Any) -> None:
    with pytest.raises(MagnitudeError, match="exponent is larger"):
        to_number(value, guard=True)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (E(E(E(sympy.Integer(3)))), lambda: mpmath.exp(mpmath.exp(mpmath.exp(3)))),
        (E(E(sympy.Integer(14))), lambda: mpmath.exp(mpmath.exp(14))),
        (
            E(E(20 * sympy.Rational(22, 13))) * E(1 - E(20 * sympy.Rational(22, 13))),
            lambda: mpmath.e,
        ),
        (
            sympy.cos(E(E(sympy.Integer(3)))) ** 2 + sympy.sin(E(E(sympy.Integer(3)))) ** 2,
            lambda: 1,
        ),
    ],
    ids=["tower", "past-evalf", "huge-times-tiny", "periodic"],
)
def test_values_past_evalf_are_evaluated_with_wide_exponents(value: Any, expected: Any) -> None:
    """Beyond what evalf affords, mpmath's unbounded exponents still give every digit."""
    with mpmath.workdps(DIGITS + 10):
        want = mpmath.mpf(expected())
    with mpmath.workdps(DIGITS):
        number = to_number(value, guard=True)
        assert abs(number - want) <= abs(want) * mpmath.mpf(10) ** (5 - DIGITS)


def _sigmoid(t: Any) -> Any:
    return 1 / (1 + mpmath.e ** (-t))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (E(E(sympy.Integer(13))), lambda: mpmath.e ** (mpmath.e**13)),  # e^13 ≈ 442413
        (
            1 / (1 + E(-1 / (1 + E(-sympy.Rational(1, 2))))),
            lambda: _sigmoid(_sigmoid(mpmath.mpf(1) / 2)),
        ),
    ],
    ids=["large-but-allowed", "sigmoid2"],
)
def test_guarded_values_that_fit_are_evaluated(value: Any, expected: Any) -> None:
    with mpmath.workdps(DIGITS + 10):  # the independent value, more precise than ours
        want = expected()
    with mpmath.workdps(DIGITS):
        number = to_number(value, guard=True)
        assert abs(number - want) <= abs(want) * mpmath.mpf(10) ** (2 - DIGITS)


def test_an_overflow_in_evaluation_is_a_magnitude_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever escapes the guard and overflows in mpmath is reported the same way."""

    def overflow(self: Any, *args: Any, **kwargs: Any) -> Any:
        raise OverflowError("int too large to convert to float")

    monkeypatch.setattr(sympy.Add, "evalf", overflow)
    with mpmath.workdps(DIGITS):  # evaluated the wide way instead
        assert abs(to_number(sympy.sqrt(2) + 1) - (mpmath.sqrt(2) + 1)) < mpmath.mpf(10) ** -30
    with pytest.raises(MagnitudeError, match="overflows"):  # and where that cannot either
        to_number(sympy.gamma(sympy.sqrt(2)) + 1)


@pytest.mark.parametrize(
    ("value", "error"),
    [(sympy.zoo, DomainError), (sympy.log(0), DomainError)],
    ids=["zoo", "log0"],
)
def test_undefined_values(value: Any, error: type[Exception]) -> None:
    with pytest.raises(error):
        to_number(value)


def test_rationals_stay_exact() -> None:
    assert to_number(sympy.Rational(2, 3)) == sympy.Rational(2, 3)


# ---------------------------------------------------------------- declared properties

import numpy as np  # noqa: E402

from hwgrade.grader.verify.sampling import random_matrix, random_scalar  # noqa: E402


@pytest.mark.parametrize("index", range(4))
def test_matrices_are_drawn_with_their_declared_property(index: int) -> None:
    def arr(kind: str, rows: int, cols: int) -> Any:
        return np.array(random_matrix("M", rows, cols, 7, index, kind).tolist(), dtype=float)

    d = arr("diagonal", 4, 4)
    assert np.count_nonzero(d - np.diag(np.diag(d))) == 0 and np.all(np.diag(d) != 0)
    s = arr("symmetric", 4, 4)
    assert np.allclose(s, s.T) and not np.allclose(s, np.diag(np.diag(s)))
    pd = arr("positive_definite", 3, 3)
    assert np.allclose(pd, pd.T) and np.all(np.linalg.eigvalsh(pd) > 0)
    q = arr("orthonormal_columns", 5, 3)
    assert q.shape == (5, 3) and np.allclose(q.T @ q, np.eye(3))
    g = arr("", 3, 4)
    assert g.shape == (3, 4) and np.count_nonzero(g) > 6


def test_unit_interval_scalars_lie_in_zero_one() -> None:
    values = [random_scalar("p", False, seed, i, True) for seed in range(20) for i in range(3)]
    assert all(0 < v < 1 for v in values) and len(set(values)) > 5


# --- names and decimals, remembered per value ---------------------------------------------


def test_names_merge_across_values_whatever_was_remembered() -> None:
    """A name positive in one value is positive; a value's names depend on the context."""
    from hwgrade.grader.context import Context, SymbolDecl, parse_vars
    from hwgrade.grader.verify.sampling import collect_names

    open_ctx, positive_ctx = Context(open=True), Context((SymbolDecl("x", positive=True),))
    plain, positive = sympy.Symbol("x"), sympy.Symbol("x", positive=True)
    for values in ([plain + y, positive], [positive, plain + y]):
        names = collect_names(values, open_ctx)
        assert names.scalars == (("x", True), ("y", False))
    assert collect_names([plain], open_ctx).scalars == (("x", False),)
    assert collect_names([plain], positive_ctx).scalars == (("x", True),)  # not the open one's
    mat = parse_vars("X: n x d, w: d x 1, m")
    value = mat.sym("X") * mat.sym("w") * mat.sym("m")
    first = collect_names([value], mat)
    assert first == collect_names([value], mat)
    assert first.dimensions[:2] == ("n", "d") and dict(first.scalars) == {"m": False}
    assert [name for name, _, _ in first.matrices] == ["X", "w"]


@pytest.mark.parametrize(
    ("value", "decimal"),
    [
        (x + sympy.Float("0.5"), True),
        (x + sympy.Rational(1, 2), False),
        (sympy.ImmutableMatrix([[1, sympy.Float("2.0")]]), True),
        (sympy.ImmutableMatrix([[1, 2]]), False),
        ([sympy.Float("1.0")], False),  # not a SymPy value: no decimals seen
    ],
    ids=["float-term", "rational", "float-entry", "exact-matrix", "plain-list"],
)
def test_has_float(value: Any, decimal: bool) -> None:
    from hwgrade.grader.verify.sampling import has_float

    assert has_float(value) is decimal
    assert has_float(value) is decimal  # the remembered answer is the same


def test_a_point_is_drawn_once_and_is_what_a_fresh_draw_gives() -> None:
    from hwgrade.grader.context import parse_vars
    from hwgrade.grader.verify import sampling

    ctx = parse_vars("X: n x d, w: d x 1, p: positive, d > n")
    names = sampling.collect_names([ctx.sym("X") * ctx.sym("w") * ctx.sym("p")], ctx)
    for index in range(4):
        remembered = sampling.draw_point(names, ctx, 3, index)
        assert sampling.draw_point(names, ctx, 3, index) is remembered
        fresh = sampling.draw_point.fn(names, ctx, 3, index)
        assert (fresh.scalars, fresh.matrices) == (remembered.scalars, remembered.matrices)
    other = sampling.draw_point(names, ctx, 4, 0)  # another seed: another point
    assert other.matrices != sampling.draw_point(names, ctx, 3, 0).matrices
