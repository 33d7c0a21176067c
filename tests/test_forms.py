"""Form rules: expanded and factored, on built values and on answers as typed."""

from __future__ import annotations

from typing import Any

import pytest
import sympy

from hwgrade.grader.context import Context
from hwgrade.grader.grading.forms import is_expanded, is_factored

OPEN = Context(open=True)
w, x, p, u1, u2, u3 = (OPEN.sym(n) for n in ["w", "x", "p", "u_1", "u_2", "u_3"])
RNN = w * u3 + w**2 * u2 + w**3 * u1


@pytest.mark.parametrize(
    ("expr", "expanded", "factored"),
    [
        (RNN, True, False),
        (w * (u3 + w * (u2 + w * u1)), False, True),
        (p * (1 - p), False, True),
        (p - p**2, True, False),
        ((x - 1) * (x + 1), False, True),
        (x**2 - 1, True, False),
        (x, True, True),
        (sympy.Integer(3), True, True),
        ((x + 1) ** 2, False, True),
    ],
    ids=str,
)
def test_form_helpers(expr: Any, expanded: bool, factored: bool) -> None:
    assert is_expanded(expr) is expanded
    assert is_factored(expr) is factored


_M = sympy.Mul
_A = sympy.Add


@pytest.mark.parametrize(
    ("expr", "expanded", "factored"),
    [
        (_M(2, _A(x, -1, evaluate=False), evaluate=False), False, True),  # 2*(x - 1) as typed
        (_M(x, _A(2 * x, -6, evaluate=False), evaluate=False), False, False),  # x*(2x - 6)
        (_M(x, _A(x, -4, 4 / x, evaluate=False), evaluate=False), False, False),
        (_M(4, (1 - x / 2) ** 2, evaluate=False), False, True),
        (x**2 - 2, True, True),
        (2 * x - 2, True, False),
    ],
    ids=str,
)
def test_form_helpers_on_typed_structure(expr: Any, expanded: bool, factored: bool) -> None:
    assert is_expanded(expr) is expanded
    assert is_factored(expr) is factored


@pytest.mark.parametrize(
    ("expr", "expanded", "factored"),
    [
        ([RNN, w * (u3 + w)], False, False),  # every entry must be expanded
        ([RNN, w * u3], True, False),  # a list is not a product of factors
        ("x + 1", False, False),  # text is never read: the check says no
    ],
    ids=["list-with-product", "expanded-list", "text"],
)
def test_forms_of_other_values(expr: Any, expanded: bool, factored: bool) -> None:
    assert is_expanded(expr) is expanded
    assert is_factored(expr) is factored
