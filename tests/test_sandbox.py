"""Bounded execution: timeouts, memory blow-ups and dying workers never stop a batch.

No timed assertions (CONTRIBUTING): limits are short so the suite stays quick, but only
outcomes are checked, never durations.
"""

from __future__ import annotations

import ctypes
import math
import multiprocessing
import os
import time
from typing import Any

import pytest

from hwgrade.grader.batch.sandbox import (
    Faults,
    Limits,
    TaskOutcome,
    WorkerPool,
    run_bounded,
)

FAST = Limits(seconds=0.5, memory_bytes=512 << 20)
ROOMY = Limits(seconds=20.0, memory_bytes=512 << 20)


# Tasks must be top-level functions: they are pickled by reference.


def square(x: int) -> int:
    return x * x


def sleepy(x: int) -> int:
    if x < 0:
        time.sleep(10)
    return x


def spin(x: int) -> int:
    while x < 0:  # burns CPU forever
        pass
    return x


def die(x: int) -> int:
    if x < 0:
        os._exit(1)
    return x


def segfault(x: int) -> int:
    if x < 0:
        ctypes.string_at(0)
    return x


def fail(x: int) -> int:
    raise ValueError(f"bad\ninput {x}")


def unpicklable_result(x: int) -> Any:
    return lambda: x


def _values(outcomes: list[TaskOutcome]) -> list[Any]:
    return [o.value if o.ok else None for o in outcomes]


# --- normal operation -------------------------------------------------------------------


def test_results_in_input_order() -> None:
    with WorkerPool(2, ROOMY) as pool:
        outcomes = pool.map(square, range(10))
    assert _values(outcomes) == [x * x for x in range(10)]
    assert all(o.ok and not o.timed_out and not o.crashed and o.error == "" for o in outcomes)


def test_many_tasks_two_workers_and_on_done() -> None:
    seen: list[int] = []
    with WorkerPool(2, ROOMY) as pool:
        outcomes = pool.map(square, range(200), on_done=lambda i, o: seen.append(i))
        again = pool.map(square, [3])  # the pool is reusable
    assert _values(outcomes) == [x * x for x in range(200)]
    assert sorted(seen) == list(range(200))
    assert _values(again) == [9]


def test_empty_input() -> None:
    with WorkerPool(2, ROOMY) as pool:
        assert pool.map(square, []) == []


def test_exception_in_task_is_one_line_error() -> None:
    with WorkerPool(1, ROOMY) as pool:
        [outcome] = pool.map(fail, [7])
    assert not outcome.ok and not outcome.crashed and not outcome.timed_out
    assert outcome.error == "ValueError: bad input 7"


# --- hostile tasks ---------------------------------------------------------------------


@pytest.mark.parametrize("task", [sleepy, spin], ids=["sleep", "busy-loop"])
def test_timeout_kills_worker_and_batch_finishes(task: Any) -> None:
    with WorkerPool(2, FAST) as pool:
        outcomes = pool.map(task, [1, -1, 2, -1, 3, 4])
    assert [o.timed_out for o in outcomes] == [False, True, False, True, False, False]
    assert _values(outcomes) == [1, None, 2, None, 3, 4]
    assert "longer than 0.5 s" in outcomes[1].error


@pytest.mark.parametrize("task", [die, segfault], ids=["os._exit", "segfault"])
def test_dying_worker_is_recorded_and_replaced(task: Any) -> None:
    with WorkerPool(1, ROOMY) as pool:
        before = pool.pids
        outcomes = pool.map(task, [1, -1, 2, -1, 3])
        after = pool.pids
    assert [o.crashed for o in outcomes] == [False, True, False, True, False]
    assert _values(outcomes) == [1, None, 2, None, 3]
    assert outcomes[1].error and not outcomes[1].timed_out
    assert before != after


def test_segfault_message_names_the_signal() -> None:
    outcome = run_bounded(segfault, -1, ROOMY)
    assert outcome.crashed and "SIGSEGV" in outcome.error


def test_unpicklable_result_and_argument() -> None:
    with WorkerPool(1, ROOMY) as pool:
        outcomes = pool.map(unpicklable_result, [1])
        outcomes += pool.map(square, [lambda: 1, 4])  # type: ignore[list-item]
    assert not outcomes[0].ok and "could not be sent back" in outcomes[0].error
    assert not outcomes[1].ok and not outcomes[1].crashed
    assert outcomes[2].value == 16


def test_interrupt_kills_workers() -> None:
    pool = WorkerPool(2, Limits(seconds=30.0))
    pids: list[int] = []

    def interrupt(index: int, outcome: TaskOutcome) -> None:
        pids.extend(pool.pids)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        pool.map(sleepy, [1, -1, -1], on_done=interrupt)
    assert pids
    for pid in pids:
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)  # already reaped: the process is gone
    with pytest.raises(RuntimeError):
        pool.map(square, [1])


# --- single tasks, inline mode, other start methods ---------------------------------------


def test_run_bounded() -> None:
    assert run_bounded(square, 12, ROOMY).value == 144
    assert run_bounded(sleepy, -1, FAST).timed_out
    assert run_bounded(die, -1, ROOMY).crashed


def test_inline_mode_has_no_isolation_but_same_contract() -> None:
    with WorkerPool(0, FAST) as pool:
        outcomes = pool.map(fail, [1]) + pool.map(square, [5])
    assert not outcomes[0].ok and outcomes[0].error == "ValueError: bad input 1"
    assert outcomes[1].value == 25


def test_spawn_context() -> None:
    ctx = multiprocessing.get_context("spawn")
    with WorkerPool(1, ROOMY, context=ctx) as pool:
        outcomes = pool.map(math.factorial, [5, 6])
    assert _values(outcomes) == [120, 720]


def test_negative_workers_rejected() -> None:
    with pytest.raises(ValueError):
        WorkerPool(-1, ROOMY)


# --- a worker killed from outside: its task is run again, alone -------------------------

#: Set by a test before the pool forks: where a task leaves its "I died once" mark.
MARKS: dict[str, str] = {}


def dies_once(x: int) -> int:
    """Kill its own worker the first time it sees ``x`` (as the OOM killer would)."""
    mark = os.path.join(MARKS["dir"], f"died-{x}")
    if x < 0 and not os.path.exists(mark):
        open(mark, "w").close()
        os.kill(os.getpid(), 9)
    return abs(x)


def test_a_task_whose_worker_is_killed_once_is_run_again(tmp_path: Any) -> None:
    MARKS["dir"] = str(tmp_path)
    faults = Faults()
    with WorkerPool(2, ROOMY, faults=faults) as pool:
        outcomes = pool.map(dies_once, [1, -2, 3, -4, 5])
    assert _values(outcomes) == [1, 2, 3, 4, 5]  # nobody's answer decided by the kill
    assert (faults.workers_died, faults.tasks_retried) == (2, 2)
    assert "2 worker process(es) died" in faults.describe()


def test_a_task_that_kills_its_worker_alone_too_is_reported_as_such() -> None:
    faults = Faults()
    with WorkerPool(2, ROOMY, faults=faults) as pool:
        outcomes = pool.map(die, [1, -1, 2])
    assert _values(outcomes) == [1, None, 2]
    assert outcomes[1].crashed and "it died again" in outcomes[1].error
    assert (faults.workers_died, faults.tasks_retried) == (2, 1)
    assert not Faults() and Faults().describe() == ""
