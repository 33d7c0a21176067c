"""Values past evalf's range: mpmath's unbounded exponents, within stated bounds."""

from __future__ import annotations

from typing import Any

import mpmath
import pytest
import sympy

from hwgrade.grader.verify.wideeval import TooWide, wide_value

R, E = sympy.Rational, sympy.exp


def P(base: int, exponent: int) -> sympy.Expr:
    return sympy.Pow(base, exponent, evaluate=False)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (E(E(sympy.Integer(30))), lambda: mpmath.exp(mpmath.exp(30))),
        (E(10**12) * E(1 - sympy.Integer(10) ** 12), lambda: mpmath.e),
        (sympy.sqrt(2) + sympy.pi * sympy.I, lambda: mpmath.mpc(mpmath.sqrt(2), mpmath.pi)),
        (sympy.log(E(E(sympy.Integer(25)))), lambda: mpmath.exp(25)),
        (
            sympy.tanh(R(1, 3)) + sympy.atan(2) + abs(-sympy.E),
            lambda: mpmath.tanh(mpmath.mpf(1) / 3) + mpmath.atan(2) + mpmath.e,
        ),
        (sympy.Max(1, sympy.sqrt(3)), lambda: mpmath.sqrt(3)),
        (sympy.cos(10**14 + R(1, 3)), lambda: mpmath.cos(10**14 + mpmath.mpf(1) / 3)),
        # unevaluated: 2^(10^13) has 3e12 digits
        (sympy.Mul(P(2, 10**13), P(2, 1 - 10**13), evaluate=False), lambda: 2),
    ],
    ids=["double-exp", "huge-times-tiny", "complex", "log-of-huge", "functions", "max",
         "periodic", "powers"],
)  # fmt: skip
def test_wide_values_have_every_digit(value: Any, expected: Any) -> None:
    with mpmath.workdps(60):
        want = mpmath.mpmathify(expected())
    with mpmath.workdps(40):
        got = wide_value(value, 40)
        assert abs(got - want) <= abs(want) * mpmath.mpf(10) ** -35


@pytest.mark.parametrize(
    "value",
    [
        E(sympy.Integer(10) ** 16),  # an exponent past 10^15
        sympy.sin(sympy.Integer(10) ** 16),  # a period past the working digits
        E(E(E(E(sympy.Integer(3))))),
        sympy.gamma(sympy.sqrt(2)),  # not a node it knows
        P(0, -1),
    ],
    ids=["exp", "sin", "tower", "unknown", "zero-power"],
)
def test_beyond_the_bounds_it_gives_up(value: Any) -> None:
    with pytest.raises(TooWide):
        wide_value(value, 40)
