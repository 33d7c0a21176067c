"""Tuples ``(a, b)``: a value kind of their own, compared entry by entry.

A bare parenthesised comma list is an ordered tuple (a point, a pair of answers). It is
deliberately *not* a vector: ``[a, b]`` takes part in matrix algebra and has no
orientation as an answer, while a tuple is only a sequence of scalars. Keeping the two
apart means a tuple can equal only a tuple of the same length whose entries are equal
under the ordinary scalar rules (decimal tolerance included), and that a student who
writes ``(1, 2)`` for a vector part is told to write ``[1, 2]`` instead of being graded
as if the tool had guessed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sympy
from sympy.tensor.array import NDimArray

from hwgrade.grader.results import Comparison, Equality
from hwgrade.grader.values.numbers import as_value

#: Reported method of an all-equal tuple: the weakest evidence among its entries wins.
_STRENGTH = ("exact", "symbolic", "numeric", "tolerance", "numeric-only")


def is_tuple(value: Any) -> bool:
    """Whether ``value`` is a tuple answer (``sympy.Tuple``), not a list or a scalar."""
    return isinstance(value, sympy.Tuple)


def _array_shape(value: Any) -> tuple[int, ...] | None:
    """The shape of a vector, matrix or tensor value; ``None`` for scalars and 1x1."""
    try:
        value = as_value(value)
    except TypeError:
        return None
    if not isinstance(value, (sympy.MatrixBase, sympy.MatrixExpr, NDimArray)):
        return None
    shape = tuple(value.shape)
    return None if shape == (1, 1) else shape


def describe_kind(value: Any) -> str:
    """What a value is, for a kind-mismatch message: ``a tuple of 2 entries``, ``a 2x1 vector``."""
    if is_tuple(value):
        return f"a tuple of {len(value)} entries"
    shape = _array_shape(value)
    if shape is None:
        return "a scalar"
    if len(shape) == 1:
        return f"a vector of {shape[0]} entries"
    sep = "x" if all(str(s).isdigit() for s in shape) else " x "
    text = sep.join(str(s) for s in shape)
    if len(shape) == 2 and 1 in (shape[0], shape[1]):
        return f"a {text} vector"
    return f"a {text} matrix" if len(shape) == 2 else f"a {text} tensor"


def array_hint(answer: Any, reference: Any) -> str:
    """The message for a tuple answer to a vector or matrix part, else ``""``.

    ``(a, b)`` for a vector is a notation slip, not a wrong value: the part is graded
    ``invalid`` with this hint (as before tuples were in the language) rather than
    ``incorrect``, so the student learns which brackets to type.
    """
    if not is_tuple(answer):
        return ""
    shape = _array_shape(reference)
    if shape is None:
        return ""
    if len(shape) == 1 or (len(shape) == 2 and 1 in (shape[0], shape[1])):
        return "`(a, b)` is a tuple, but this part asks for a vector: write a vector as `[a, b]`"
    return (
        "`(a, b)` is a tuple, but this part asks for a matrix: write a matrix as nested lists "
        "`[[a, b], [c, d]]`"
    )


def compare_tuples(
    reference: Any, answer: Any, compare_entry: Callable[[Any, Any], Comparison]
) -> Comparison:
    """Compare when either side is a tuple: same kind, same length, every entry equal.

    Args:
        reference: The expected value (normalised by the engine).
        answer: The student's value (normalised by the engine).
        compare_entry: The engine's scalar comparison with the caller's settings.

    Returns:
        ``EQUAL`` only if both are tuples of one length with every entry equal; a kind
        or length mismatch is ``NOT_EQUAL`` with method ``shape``; otherwise the first
        differing entry decides, and an undecided entry makes the whole ``UNKNOWN``.
    """
    if not (is_tuple(reference) and is_tuple(answer)):
        return Comparison(
            Equality.NOT_EQUAL,
            f"your answer is {describe_kind(answer)}, the expected answer is "
            f"{describe_kind(reference)}"
            + (": write a tuple as `(a, b)`" if is_tuple(reference) else ""),
            "shape",
        )
    if len(reference) != len(answer):
        return Comparison(
            Equality.NOT_EQUAL,
            f"your tuple has {len(answer)} entries, the expected tuple {len(reference)}",
            "shape",
        )
    results = [compare_entry(r, a) for r, a in zip(reference, answer, strict=True)]
    wrong = [k for k, c in enumerate(results) if c.outcome is Equality.NOT_EQUAL]
    if wrong:
        first = results[wrong[0]]
        listed = ", ".join(str(k + 1) for k in wrong)
        noun, verb = ("entry", "differs") if len(wrong) == 1 else ("entries", "differ")
        return Comparison(
            Equality.NOT_EQUAL,
            f"tuple {noun} {listed} (counting from 1) {verb} from the expected answer; "
            f"entry {wrong[0] + 1}: {first.reason}",
            first.method,
            tuple((k,) for k in wrong),
        )
    unknown = [k for k, c in enumerate(results) if c.outcome is not Equality.EQUAL]
    if unknown:
        first = results[unknown[0]]
        return Comparison(
            Equality.UNKNOWN, f"tuple entry {unknown[0] + 1}: {first.reason}", first.method
        )
    weakest = max(results, key=lambda c: _rank(c.method))
    if len({c.method for c in results}) == 1 and weakest.method == "exact":
        return Comparison(Equality.EQUAL, "every entry of the tuple matches", "exact")
    return Comparison(
        Equality.EQUAL, f"every entry of the tuple matches ({weakest.reason})", weakest.method
    )


def _rank(method: str) -> int:
    return _STRENGTH.index(method) if method in _STRENGTH else len(_STRENGTH)


__all__ = ["array_hint", "compare_tuples", "describe_kind", "is_tuple"]
