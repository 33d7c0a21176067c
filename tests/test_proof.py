"""The bounded symbolic steps: exact differences, proofs, and their refusals."""

from __future__ import annotations

import time
from typing import Any

import pytest
import sympy

from hwgrade.grader.verify.proof import (
    canonical_lambdas,
    exact_difference,
    expand_is_cheap,
    is_elementary,
    prove_equal,
)

a, b, c, x = sympy.symbols("a b c x")
y = sympy.Symbol("y", positive=True)


@pytest.mark.parametrize(
    ("ref", "ans", "expected"),
    [
        (x * (x + 1), x**2 + x, True),  # expands to zero
        ((x + 1) ** 2, x**2 + 2 * x + 2, False),  # a nonzero constant apart
        (1 / (x + 1) + 1 / (x - 1), 2 * x / (x**2 - 1), True),  # cancel after together
        (x**2, x**2 + x, None),  # differs by a non-constant: the points decide
        ((a + b + c) ** 40, (a + b + c) ** 39 * (a + b + c + 1), None),  # too big to expand
    ],
    ids=["expands", "constant", "rational", "variable", "too-big"],
)
def test_exact_difference(ref: Any, ans: Any, expected: bool | None) -> None:
    assert exact_difference(ref, ans) is expected


@pytest.mark.parametrize(
    ("ref", "ans", "expected"),
    [
        (sympy.log(y**2), 2 * sympy.log(y), True),
        (sympy.sin(x) ** 2 + sympy.cos(x) ** 2, sympy.Integer(1), True),
        (sympy.tanh(x), (sympy.exp(2 * x) - 1) / (sympy.exp(2 * x) + 1), True),
        (sympy.exp(x) * sympy.exp(x), sympy.exp(2 * x), True),
        (sympy.log(x**2), 2 * sympy.log(x), False),  # not equal for negative x
        (sympy.sin(x), sympy.cos(x), False),
    ],
    ids=["log-positive", "pythagoras", "tanh", "powers", "log-any-sign", "different"],
)
def test_prove_equal(ref: Any, ans: Any, expected: bool) -> None:
    assert prove_equal(ref, ans, time.perf_counter() + 5.0) is expected


def test_prove_equal_gives_up_past_its_deadline() -> None:
    assert prove_equal(sympy.log(y**2), 2 * sympy.log(y), time.perf_counter() - 1.0) is False


@pytest.mark.parametrize(
    ("expr", "cheap"),
    [(x**2 + 1, True), ((a + b) ** 13, False), (sympy.Add(*sympy.symbols("t0:250")), False)],
    ids=["small", "high-power", "many-terms"],
)
def test_expand_is_cheap(expr: Any, cheap: bool) -> None:
    assert expand_is_cheap(expr) is cheap


@pytest.mark.parametrize(
    ("value", "elementary"),
    [
        (sympy.exp(x) + sympy.log(x), True),
        (sympy.Max(x, 0), False),
        (sympy.Function("f")(x), False),
        (sympy.Derivative(x**2, x), False),
        (3, True),
    ],
    ids=["exp-log", "max", "undefined-function", "derivative", "python-int"],
)
def test_is_elementary(value: Any, elementary: bool) -> None:
    assert is_elementary(value) is elementary


def test_canonical_lambdas_identify_renamed_variables() -> None:
    s, t = sympy.symbols("s t")
    first = sympy.Lambda(s, sympy.Max(s, 0))(x)
    second = sympy.Lambda(t, sympy.Max(t, 0))
    assert canonical_lambdas(sympy.Tuple(sympy.Lambda(s, s**2))) == canonical_lambdas(
        sympy.Tuple(sympy.Lambda(t, t**2))
    )
    assert first == sympy.Max(x, 0)  # an applied Lambda evaluates: nothing to rename
    assert canonical_lambdas(second) != canonical_lambdas(sympy.Lambda(t, sympy.Max(t, 1)))
