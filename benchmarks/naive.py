"""The naive grader the benchmarks compare against: sympify, then ``simplify(a - b) == 0``.

This is what a grader written in an afternoon does (and what hwgrade must never do
with student text: it evaluates it). It knows nothing of matrices, tolerances or
forms; it is only a yardstick for time. Lists are compared entry by entry.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from typing import Any

import sympy
from sympy.parsing.sympy_parser import (
    convert_xor,
    implicit_multiplication_application,
    parse_expr,
    standard_transformations,
)

TRANSFORMS = (*standard_transformations, implicit_multiplication_application, convert_xor)


def _flat(value: Any) -> list[str]:
    if isinstance(value, list):
        return [x for item in value for x in _flat(item)]
    return [str(value)]


def naive_equal(reference: Any, answer: Any) -> bool:
    """sympify both and ``simplify(a - b) == 0`` (entry by entry for lists)."""
    refs, answers = _flat(reference), _flat(answer)
    if len(refs) != len(answers):
        return False
    for r, a in zip(refs, answers, strict=True):
        diff = parse_expr(r, transformations=TRANSFORMS) - parse_expr(a, transformations=TRANSFORMS)
        if sympy.simplify(diff) != 0:
            return False
    return True


class _Overrun(Exception):
    pass


def _alarm(signum: int, frame: Any) -> None:
    raise _Overrun


def run_capped(check: Callable[[], bool], cap: float = 20.0) -> tuple[float, str]:
    """Seconds ``check()`` takes (stopped at ``cap``) and how it ended.

    The ending is ``equal`` or ``different`` (what ``check`` returned), ``capped``, or
    ``error:<type>``; the benchmarks time every grader they compare with it.
    """
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, cap)
    start = time.perf_counter()
    try:
        status = "equal" if check() else "different"
    except _Overrun:
        status = "capped"
    except Exception as exc:
        status = f"error:{type(exc).__name__}"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    return time.perf_counter() - start, status


def timed_naive(
    reference: Any, answer: Any, cap: float = 20.0, *, cold: bool = True
) -> tuple[float, str]:
    """Seconds one naive check takes (capped at ``cap``) and how it ended.

    ``cold`` clears SymPy's cache first (one isolated check); a naive grader looping over
    a class keeps it, so :func:`timed_sequence` passes ``cold=False``.
    """
    if cold:
        sympy.core.cache.clear_cache()
    return run_capped(lambda: naive_equal(reference, answer), cap)


def timed_sequence(pairs: list[tuple[Any, Any]], cap: float = 20.0) -> list[tuple[float, str]]:
    """Time the naive grader the way it would run on a class: one answer after another.

    SymPy's cache is cleared once at the start and then kept, as in a plain loop over
    the class; each answer is still capped at ``cap`` seconds.
    """
    sympy.core.cache.clear_cache()
    return [timed_naive(ref, ans, cap, cold=False) for ref, ans in pairs]
