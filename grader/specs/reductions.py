"""Reductions over tensor axes: the ``mean``, ``var`` and ``sum`` of derivations.

A spec states normalization statistics as ``mean(T, axes=[0, 2])`` over explicit
matrices and tensors, and a randomized variant recomputes them for every student, so
these reductions are both exact (decimals stay fractions, variances divide exactly) and
the hot path of building such a variant. They are separate from the mini-language in
:mod:`hwgrade.grader.specs.derive` because they know nothing about derivation text beyond the
``axes=`` keyword: they take a value and axes and return a value, and their speed-ups
(Python fractions instead of SymPy rationals, a dense array's entries read directly) are
about SymPy's data structures rather than about reading specs.
"""

from __future__ import annotations

import re
from fractions import Fraction
from itertools import product
from typing import Any

import sympy
from sympy.tensor.array import ImmutableDenseNDimArray, NDimArray

from hwgrade.grader.answer.echo import to_plain
from hwgrade.grader.errors import DeriveError

_AXES_RE = re.compile(r"^\[?\s*(\d+(?:\s*,\s*\d+)*)?\s*\]?$")


def parse_axes(text: str | None) -> tuple[int, ...] | None:
    """The ``axes=[...]`` keyword of a reduction as axis numbers (``None``: all axes).

    Only a plain list of non-negative whole numbers is accepted, so that a typo in a
    spec is reported here rather than read as an expression.
    """
    if text is None:
        return None
    match = _AXES_RE.match(text)
    if not match or not match.group(1):
        raise DeriveError(f"axes must be a list of axis numbers such as [0, 2], got `{text}`")
    return tuple(int(a) for a in match.group(1).split(","))


def reduce_axes(op: str, value: Any, axes: tuple[int, ...] | None, ddof: int = 0) -> Any:
    """``mean``, ``var`` or ``sum`` of a matrix or tensor over ``axes`` (all when ``None``).

    The kept axes give the result's shape, in order: none -> a scalar, one -> a column
    vector, two -> a matrix, more -> a tensor. Variances divide by ``count - ddof``.
    """
    if isinstance(value, (NDimArray, sympy.MatrixBase)):
        shape = tuple(value.shape)
    else:
        raise DeriveError(f"{op}() needs a matrix or a tensor, got `{to_plain(value)}`")
    chosen = tuple(range(len(shape))) if axes is None else axes
    if len(set(chosen)) != len(chosen) or any(a >= len(shape) for a in chosen):
        raise DeriveError(f"{op}(): axes {list(chosen)} do not fit a shape {list(shape)}")
    if ddof not in (0, 1):
        raise DeriveError("ddof is 0 (population variance) or 1 (Bessel's correction)")
    keep = [a for a in range(len(shape)) if a not in chosen]
    # Row-major entries read once: indexing an NDimArray entry by entry parses every index
    # (most of the cost of a variant's normalization statistics).
    entries = list(value) if isinstance(value, sympy.MatrixBase) else _row_major(value)
    groups: dict[tuple[int, ...], list[Any]] = {}
    for idx, entry in zip(product(*(range(n) for n in shape)), entries, strict=True):
        groups.setdefault(tuple(idx[a] for a in keep), []).append(entry)
    if all(isinstance(x, sympy.Rational) for x in entries):  # numbers: exact, and fast
        out = _reduce_rationals(op, groups, ddof)
    else:
        out = _reduce_symbolic(op, groups, ddof)
    kept = [shape[a] for a in keep]
    flat = [out[k] for k in sorted(out)]
    if not kept:
        return flat[0]
    if len(kept) <= 2:
        return sympy.ImmutableMatrix(kept[0], kept[1] if len(kept) == 2 else 1, flat)
    return ImmutableDenseNDimArray(flat, tuple(kept))


def _reduce_rationals(
    op: str, groups: dict[tuple[int, ...], list[Any]], ddof: int
) -> dict[tuple[int, ...], Any]:
    """:func:`reduce_axes` of exact numbers with Python fractions (SymPy's are ~20x slower).

    A randomized variant of the normalization statistics reduces a tensor three ways for
    every student, so this is most of the cost of building that variant.
    """
    out: dict[tuple[int, ...], Any] = {}
    for key, items in groups.items():
        values = [Fraction(int(x.p), int(x.q)) for x in items]
        total = sum(values, Fraction(0))
        if op == "sum":
            result = total
        elif op == "mean":
            result = total / len(values)
        elif len(values) - ddof <= 0:
            raise DeriveError("var() with ddof=1 needs at least two values per group")
        else:
            mean = total / len(values)
            result = sum(((x - mean) ** 2 for x in values), Fraction(0)) / (len(values) - ddof)
        out[key] = sympy.Rational(result.numerator, result.denominator)
    return out


def _reduce_symbolic(
    op: str, groups: dict[tuple[int, ...], list[Any]], ddof: int
) -> dict[tuple[int, ...], Any]:
    """:func:`reduce_axes` of entries that may hold symbols."""
    out: dict[tuple[int, ...], Any] = {}
    for key, items in groups.items():
        total = sympy.Add(*items)
        if op == "sum":
            out[key] = total
            continue
        mean = total / len(items)
        if op == "mean":
            out[key] = mean
        elif len(items) - ddof <= 0:
            raise DeriveError("var() with ddof=1 needs at least two values per group")
        else:
            out[key] = sympy.Add(*((x - mean) ** 2 for x in items)) / (len(items) - ddof)
    return out


def _row_major(array: NDimArray) -> list[Any]:
    """A dense array's entries in row-major order.

    Dense arrays keep exactly that list (``_array``); reading it directly is hundreds of
    times faster than ``tolist()``, which parses one index per entry. Any other array
    falls back to the public, slower reshape.
    """
    flat = getattr(array, "_array", None)
    if isinstance(flat, list) and len(flat) == len(array):
        return list(flat)
    return list(array.reshape(len(array)))


__all__ = ["parse_axes", "reduce_axes"]
