"""The one per-process memory every stage uses: once per arguments, unhashables afresh."""

from __future__ import annotations

from typing import Any

import pytest

from hwgrade.grader.memo import remembered


def _counting(maxsize: int = 8) -> tuple[Any, list[Any]]:
    calls: list[Any] = []

    @remembered(maxsize)
    def square(x: Any) -> Any:
        """Squares, and counts."""
        calls.append(x)
        if x == "bad":
            raise TypeError("a failure of the function itself")
        return x * x if not isinstance(x, list) else [v * v for v in x]

    return square, calls


def test_computed_once_per_arguments_and_forgotten_on_clear() -> None:
    square, calls = _counting()
    assert [square(3), square(3), square(4)] == [9, 9, 16]
    assert calls == [3, 4]
    assert square.cache_info().hits == 1
    square.cache_clear()
    assert square(3) == 9 and calls == [3, 4, 3]
    assert square.__doc__ == "Squares, and counts."


def test_unhashable_arguments_are_computed_each_time() -> None:
    square, calls = _counting()
    assert square([1, 2]) == [1, 4] and square([1, 2]) == [1, 4]
    assert calls == [[1, 2], [1, 2]]


def test_a_type_error_of_the_function_itself_is_raised_once() -> None:
    square, calls = _counting()
    with pytest.raises(TypeError, match="the function itself"):
        square("bad")
    assert calls == ["bad"]  # not retried as if the argument were unhashable


def test_the_memory_is_bounded() -> None:
    square, calls = _counting(maxsize=2)
    for x in (1, 2, 3, 1):
        square(x)
    assert calls == [1, 2, 3, 1]  # 1 was the least recently used: gone
    assert square.cache_info().currsize == 2
