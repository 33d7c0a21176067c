"""The worker process's own side: the limits it sets on itself, silence, its initializer.

These run inside the child (:mod:`hwgrade.grader.batch.sandboxworker`), so they are observed
through a :class:`WorkerPool`. No timed assertions (CONTRIBUTING): only outcomes are
checked, never durations.
"""

from __future__ import annotations

import os
import resource
from typing import Any

import pytest

from hwgrade.grader.batch.sandbox import Limits, TaskOutcome, WorkerPool
from hwgrade.grader.batch.sandboxworker import describe_exception

ROOMY = Limits(seconds=20.0, memory_bytes=512 << 20)


# Tasks must be top-level functions: they are pickled by reference.


def square(x: int) -> int:
    return x * x


def hog(x: int) -> int:
    if x < 0:
        data = bytearray(4 << 30)  # 4 GiB
        return len(data)
    return x


def hog_gradually(x: int) -> int:
    if x < 0:
        chunks = [b"x" * (1 << 20) for _ in range(1 << 13)]  # 8 GiB in 1 MiB pieces
        return len(chunks)
    return x


def chatty(x: int) -> int:
    print("HWGRADE_PWNED from a worker")
    os.write(2, b"HWGRADE_PWNED on fd 2\n")
    return x


def cpu_budget(x: int) -> tuple[float, float]:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    soft, _ = resource.getrlimit(resource.RLIMIT_CPU)
    return float(soft), usage.ru_utime + usage.ru_stime


def read_stdin(x: int) -> str:
    import sys

    return sys.stdin.read()


_INIT_VALUE = "unset"


def set_init() -> None:
    global _INIT_VALUE
    _INIT_VALUE = "initialised"


def broken_init() -> None:
    raise RuntimeError("no sympy today")


def init_value(x: int) -> str:
    return _INIT_VALUE


def _values(outcomes: list[TaskOutcome]) -> list[Any]:
    return [o.value if o.ok else None for o in outcomes]


# --- limits the worker sets on itself ----------------------------------------------------


@pytest.mark.parametrize("task", [hog, hog_gradually], ids=["4GiB-at-once", "gradual"])
def test_memory_limit_stops_task_and_pool_continues(task: Any) -> None:
    limits = Limits(seconds=30.0, memory_bytes=256 << 20)
    with WorkerPool(1, limits) as pool:
        outcomes = pool.map(task, [1, -1, 2])
    assert outcomes[0].ok and outcomes[2].ok
    bad = outcomes[1]
    assert not bad.ok
    assert "MemoryError" in bad.error or bad.crashed


def test_workers_are_silent_and_have_no_stdin(capfd: pytest.CaptureFixture[str]) -> None:
    with WorkerPool(1, ROOMY) as pool:
        outcomes = pool.map(chatty, [1]) + pool.map(read_stdin, [0])
    out, err = capfd.readouterr()
    assert "HWGRADE_PWNED" not in out + err
    assert outcomes[0].value == 1 and outcomes[1].value == ""


def test_cpu_limit_is_rearmed_for_each_task() -> None:
    limits = Limits(seconds=3.0, memory_bytes=512 << 20)
    with WorkerPool(1, limits) as pool:
        outcomes = pool.map(cpu_budget, range(3))
    for outcome in outcomes:
        soft, used = outcome.value
        assert soft >= used + limits.seconds


# --- the worker loop ---------------------------------------------------------------------


def test_initializer_runs_in_each_worker() -> None:
    with WorkerPool(2, ROOMY, initializer=set_init) as pool:
        outcomes = pool.map(init_value, range(4))
    assert _values(outcomes) == ["initialised"] * 4


def test_failing_initializer_fails_tasks_not_the_pool() -> None:
    with WorkerPool(1, ROOMY, initializer=broken_init) as pool:
        outcomes = pool.map(square, [1, 2])
    assert all(not o.ok and "initializer failed" in o.error for o in outcomes)


# --- one-line errors ---------------------------------------------------------------------


ERRORS = [
    ("plain", ValueError("x"), "ValueError: x"),
    ("multiline", ValueError("a\n  b"), "ValueError: a b"),
    ("no-message", KeyError(), "KeyError"),
    ("memory", MemoryError(), "MemoryError: out of memory"),
]


@pytest.mark.parametrize(("exc", "expected"), [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS])
def test_describe_exception(exc: BaseException, expected: str) -> None:
    assert describe_exception(exc).startswith(expected)


def test_describe_exception_is_bounded() -> None:
    assert len(describe_exception(ValueError("x" * 10_000))) <= 300
