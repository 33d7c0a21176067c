"""Turning Python numbers into SymPy numbers without ever parsing text.

``sympy.sympify`` accepts strings and evaluates them as Python, so the project never
calls it (CONTRIBUTING.md); shapes, sizes and sampled values that may arrive as Python
ints or floats go through :func:`as_sympy` instead, which refuses text outright.
"""

from __future__ import annotations

from typing import Any

import sympy


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


__all__ = ["as_sympy", "as_value"]
