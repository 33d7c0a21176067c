"""Values as the engine sees them: SymPy objects, built without ever parsing text.

``sympy.sympify`` accepts strings and evaluates them as Python, so the project never
calls it (CONTRIBUTING.md); shapes, sizes and sampled values that may arrive as Python
ints or floats go through :func:`as_sympy` instead, which refuses text outright.
:func:`normalize` then gives each kind of value one representation, so that the
equivalence engine and the form rules compare like with like.
"""

from __future__ import annotations

from typing import Any

import sympy
from sympy.tensor.array import NDimArray


def as_sympy(value: Any) -> Any:
    """``value`` as a SymPy object: SymPy objects unchanged, ints and floats converted.

    Raises:
        TypeError: For anything else, text above all (it would otherwise be parsed).
    """
    if isinstance(value, sympy.Basic):
        return value
    if isinstance(value, bool):
        return sympy.Integer(int(value))
    if isinstance(value, int):
        return sympy.Integer(value)
    if isinstance(value, float):
        return sympy.Float(value)
    raise TypeError(f"not a number: {type(value).__name__}")


def as_value(value: Any) -> Any:
    """A value handed to the engine or the printers, with Python containers made SymPy.

    Python ints and floats become SymPy numbers, lists and tuples an N-dimensional
    array; anything else is returned unchanged for the caller to judge. A ``bool`` is
    refused: ``True`` is not the number 1 in an answer.

    Raises:
        TypeError: For a truth value.
    """
    if isinstance(value, bool):
        raise TypeError("a truth value is not a mathematical value")
    if isinstance(value, int | float):
        return as_sympy(value)
    if isinstance(value, list | tuple):
        return sympy.ImmutableDenseNDimArray(value)
    return value


def normalize(value: Any) -> Any:
    """One representation per kind: scalars, ``ImmutableMatrix`` (vectors as columns), arrays.

    A typed list, a solver's column vector and a rank-1 array of the same entries are
    one value; a 1x1 matrix is its entry (DESIGN.md: a 1x1 matrix is a scalar).

    Raises:
        TypeError: For a value of no mathematical kind (text, a truth value).
    """
    value = as_value(value)
    if isinstance(value, NDimArray):
        if value.rank() == 0:
            return normalize(value[()])
        if value.rank() == 1:
            return sympy.ImmutableMatrix(list(value))
        if value.rank() == 2:
            return sympy.ImmutableMatrix(value.tolist())
        return sympy.ImmutableDenseNDimArray(value)
    if isinstance(value, sympy.MatrixBase):
        matrix = sympy.ImmutableMatrix(value)
        return matrix[0, 0] if matrix.shape == (1, 1) else matrix
    if isinstance(value, sympy.Basic):
        return value
    raise TypeError(f"cannot compare a {type(value).__name__}")


def entries(value: Any) -> list[Any]:
    """The entries of a normalized value in row-major order (a scalar is its own entry)."""
    if isinstance(value, sympy.MatrixBase):
        return list(value)
    if isinstance(value, NDimArray):
        return list(sympy.flatten(value.tolist()))
    return [value]


__all__ = ["as_sympy", "as_value", "entries", "normalize"]
