"""Per-process memory of pure functions, for arguments that may not be hashable.

Grading a class meets the same values again and again: a reference at every answer's
sample points, an answer against each known mistake, one printed echo for many typed
spellings. Each stage remembers such results for the life of a process (a batch worker)
through :func:`remembered`, one mechanism with one rule: a call whose arguments cannot
be hashed (a plain list, an unhashable context) is computed afresh rather than failing,
and a ``TypeError`` raised by the function itself is never mistaken for that.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Generic, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


class Remembered(Generic[P, R]):
    """A function with a bounded per-process memory (see :func:`remembered`)."""

    def __init__(self, fn: Callable[P, R], maxsize: int) -> None:
        self.fn = fn
        self._lru = functools.lru_cache(maxsize=maxsize)(fn)
        self._cached: Callable[..., R] = self._lru
        functools.update_wrapper(self, fn)

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        """``fn(*args)``, remembered when the arguments can be hashed."""
        try:
            hash((args, tuple(kwargs.items())))
        except TypeError:
            return self.fn(*args, **kwargs)
        return self._cached(*args, **kwargs)

    def cache_clear(self) -> None:
        """Forget everything (benchmarks compare passes from a cold start)."""
        self._lru.cache_clear()

    def cache_info(self) -> Any:
        """Hits, misses and size, as :func:`functools.lru_cache` reports them."""
        return self._lru.cache_info()


def remembered(maxsize: int) -> Callable[[Callable[P, R]], Remembered[P, R]]:
    """Decorate a pure function so that each process computes it once per arguments.

    Args:
        maxsize: Results kept at most (least recently used go first), so that a long
            batch's memory stays bounded.
    """

    def decorate(fn: Callable[P, R]) -> Remembered[P, R]:
        return Remembered(fn, maxsize)

    return decorate


__all__ = ["Remembered", "remembered"]
