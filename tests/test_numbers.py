"""Values: numbers in, SymPy out, text refused (it must never be parsed); one form per kind."""

from __future__ import annotations

from typing import Any

import pytest
import sympy

from hwgrade.grader.values.numbers import as_sympy, as_value, entries, normalize


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (3, sympy.Integer(3)),
        (True, sympy.Integer(1)),
        (0.5, sympy.Float(0.5)),
        (sympy.Rational(1, 3), sympy.Rational(1, 3)),
        (sympy.Symbol("n"), sympy.Symbol("n")),
    ],
    ids=["int", "bool", "float", "rational", "symbol"],
)
def test_numbers_convert(value: Any, expected: Any) -> None:
    assert as_sympy(value) == expected


@pytest.mark.parametrize(
    "value",
    ["1+1", "__import__('os')", b"2", [1], None],
    ids=["str", "payload", "bytes", "list", "none"],
)
def test_text_and_other_values_are_refused(value: Any) -> None:
    with pytest.raises(TypeError):
        as_sympy(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (2, sympy.Integer(2)),
        ([1, 2], sympy.ImmutableDenseNDimArray([1, 2])),
        ((1, 2), sympy.ImmutableDenseNDimArray([1, 2])),
        (sympy.Symbol("x"), sympy.Symbol("x")),
    ],
    ids=["int", "list", "tuple", "symbol"],
)
def test_as_value_makes_containers_sympy(value: Any, expected: Any) -> None:
    assert as_value(value) == expected


def test_as_value_refuses_truth_values() -> None:
    with pytest.raises(TypeError, match="truth value"):
        as_value(True)


x = sympy.Symbol("x")


@pytest.mark.parametrize(
    ("value", "expected", "flat"),
    [
        ([1, 2], sympy.ImmutableMatrix([1, 2]), [1, 2]),  # a typed list is a column
        ([[1, 2], [3, 4]], sympy.ImmutableMatrix([[1, 2], [3, 4]]), [1, 2, 3, 4]),
        (sympy.Matrix([[x]]), x, [x]),  # 1x1 is a scalar
        ([[[1, 2]], [[3, 4]]], sympy.ImmutableDenseNDimArray([[[1, 2]], [[3, 4]]]), [1, 2, 3, 4]),
        (sympy.ImmutableDenseNDimArray(5), sympy.Integer(5), [5]),  # rank 0
        (2.5, sympy.Float(2.5), [sympy.Float(2.5)]),
    ],
    ids=["list", "nested", "one-by-one", "rank-3", "rank-0", "float"],
)
def test_normalize_and_entries(value: Any, expected: Any, flat: list[Any]) -> None:
    normal = normalize(value)
    assert normal == expected
    assert entries(normal) == flat


@pytest.mark.parametrize("value", ["x", True, object()], ids=["text", "truth", "object"])
def test_normalize_refuses_non_values(value: Any) -> None:
    with pytest.raises(TypeError):
        normalize(value)
