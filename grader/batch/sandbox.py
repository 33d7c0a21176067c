"""Run answer checks in worker processes with a hard time and memory limit each.

SymPy can hang or eat all memory on input that is small and perfectly legal
(``sin(exp(exp(exp(3))) + 3)`` hangs while it is being *constructed*), and no bound
checked before SymPy sees a value can rule that out. So every check runs in a worker
process that the parent can kill: the parent keeps one deadline per busy worker and
SIGKILLs a worker that overruns; the child caps its own address space (``RLIMIT_AS``,
so a huge allocation raises ``MemoryError`` instead of swapping the machine) and its CPU
time (``RLIMIT_CPU``, a second line of defence should the parent be starved). A worker
that dies or is killed is replaced and the batch carries on: every task ends with a
:class:`TaskOutcome`, never an exception.

Platform notes: on Linux workers are forked (cheap, SymPy is already imported); elsewhere
they are spawned, so ``fn`` and the initializer must be importable top-level functions.
macOS does not enforce ``RLIMIT_AS``; there ``RLIMIT_DATA`` is tried instead and the
memory bound is best effort (the time limit still holds). ``workers=0`` runs tasks inline
with no isolation and **no time or memory limit**: for tests and debugging only.

This module is the parent's side (dispatch, deadlines, killing and replacing workers);
what runs inside a worker process lives in :mod:`hwgrade.grader.batch.sandboxworker`.
"""

from __future__ import annotations

import math
import multiprocessing
import signal
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.context import BaseContext
from typing import Any, Protocol, TypeVar

from hwgrade.grader.batch.sandboxworker import Limits, describe_exception, worker_main

T = TypeVar("T")
R = TypeVar("R")

_KILL_GRACE = 2.0  # seconds to wait for a killed worker to be reaped


@dataclass(frozen=True)
class TaskOutcome:
    """How one task ended: returned, raised, timed out, or took its worker down.

    Exactly one of ``ok``, ``timed_out``, ``crashed`` or a plain failure (``ok`` false
    with an ``error``) describes it.

    Attributes:
        ok: The function returned; ``value`` holds what it returned.
        value: The return value (``None`` unless ``ok``).
        error: One line saying what went wrong ("" when ``ok``).
        timed_out: The task overran ``Limits.seconds`` and its worker was killed.
        crashed: The worker died while running the task (signal, ``os._exit``, OOM kill).
    """

    ok: bool
    value: Any = None
    error: str = ""
    timed_out: bool = False
    crashed: bool = False


@dataclass
class Faults:
    """What went wrong outside the answers during a run, for the run's summary.

    A worker killed from outside (the out-of-memory killer, a container limit) says
    nothing about the answer it was checking, so its task is run again; these counts
    let the TA see that it happened and that nothing was decided by it. Mutable on
    purpose: every pool of one run adds to the same counts.

    Attributes:
        workers_died: Worker processes that died while running a task (not the ones
            the pool killed itself for overrunning the time limit).
        tasks_retried: Tasks run again, alone, in a fresh worker after their worker died.
    """

    workers_died: int = 0
    tasks_retried: int = 0

    def __bool__(self) -> bool:
        return bool(self.workers_died or self.tasks_retried)

    def describe(self) -> str:
        """One sentence for stderr ("" when nothing happened)."""
        if not self:
            return ""
        return (
            f"{self.workers_died} worker process(es) died during the run; "
            f"{self.tasks_retried} task(s) were run again alone in a fresh worker, "
            "and only what a completed check decided was kept"
        )

    def to_dict(self) -> dict[str, int]:
        """The JSON form (the report's ``summary.faults``)."""
        return {"workers_died": self.workers_died, "tasks_retried": self.tasks_retried}


def _default_context() -> BaseContext:
    """'fork' where the platform has it and it is safe (Linux), else 'spawn'."""
    methods = multiprocessing.get_all_start_methods()
    if sys.platform.startswith("linux") and "fork" in methods:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _death_message(exitcode: int | None) -> tuple[str, bool]:
    """(error line, counts-as-timeout) for a worker that died with ``exitcode``."""
    if exitcode is not None and exitcode < 0:
        signum = -exitcode
        try:
            sig_name = signal.Signals(signum).name
        except ValueError:
            sig_name = f"signal {signum}"
        if signum == getattr(signal, "SIGXCPU", -1):
            return "the answer check exceeded its CPU time limit", True
        if signum == signal.SIGKILL:
            return "the worker was killed (SIGKILL; possibly out of memory)", False
        return f"the worker crashed ({sig_name})", False
    return f"the worker exited unexpectedly (exit code {exitcode})", False


class _Worker:
    """One child process, its pipe, and the task it is running (if any)."""

    def __init__(self, ctx: BaseContext, limits: Limits, initializer: Callable[[], None] | None):
        parent_end, child_end = ctx.Pipe(duplex=True)
        self.process: Any = ctx.Process(  # type: ignore[attr-defined]
            target=worker_main, args=(child_end, limits, initializer), daemon=True
        )
        self.process.start()
        child_end.close()
        self.conn: Connection = parent_end
        self.task: int | None = None
        self.deadline = math.inf

    def kill(self) -> None:
        """SIGKILL the process and release its pipe; safe to call twice."""
        try:
            if self.process.is_alive():
                self.process.kill()
            self.process.join(_KILL_GRACE)
        except (OSError, ValueError, AssertionError):  # pragma: no cover
            pass
        self.conn.close()

    def stop(self) -> None:
        """Ask an idle worker to exit, then make sure it did."""
        try:
            self.conn.send(None)
            self.process.join(0.5)
        except (OSError, ValueError, EOFError):
            pass
        self.kill()


class WorkerPool:
    """Persistent worker processes, each running one task at a time under :class:`Limits`.

    Use as a context manager; :meth:`map` may be called several times. Tasks are
    dispatched over pipes and results collected with
    :func:`multiprocessing.connection.wait`, together with each process's sentinel, so
    a dead worker is noticed at once rather than at its deadline.
    """

    def __init__(
        self,
        workers: int,
        limits: Limits | None = None,
        initializer: Callable[[], None] | None = None,
        *,
        context: BaseContext | None = None,
        faults: Faults | None = None,
    ) -> None:
        if workers < 0:
            raise ValueError("workers must be >= 0")
        self.limits = limits or Limits()
        self.faults = faults if faults is not None else Faults()
        self.size = workers
        self._initializer = initializer
        self._ctx = context or _default_context()
        self._workers: list[_Worker] = []
        self._closed = False

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def pids(self) -> list[int]:
        """Process ids of the live workers (for diagnostics and tests)."""
        return [w.process.pid for w in self._workers]

    def start(self) -> None:
        """Fork the workers now rather than at the first :meth:`map`.

        A caller that is about to start a thread forks first: a process forked while
        another thread runs inherits whatever locks that thread held.
        """
        if not self._closed:
            self._fill()

    def _spawn(self) -> _Worker | None:
        try:
            return _Worker(self._ctx, self.limits, self._initializer)
        except Exception:
            return None

    def _fill(self) -> None:
        while len(self._workers) < self.size:
            worker = self._spawn()
            if worker is None:
                break
            self._workers.append(worker)

    def _map_inline(
        self,
        fn: Callable[[T], R],
        items: list[T],
        on_done: Callable[[int, TaskOutcome], None] | None,
    ) -> list[TaskOutcome]:
        results: list[TaskOutcome] = []
        for index, item in enumerate(items):
            try:
                outcome = TaskOutcome(ok=True, value=fn(item))
            except Exception as exc:
                outcome = TaskOutcome(ok=False, error=describe_exception(exc))
            results.append(outcome)
            if on_done is not None:
                on_done(index, outcome)
        return results

    def map(
        self,
        fn: Callable[[T], R],
        items: Iterable[T],
        on_done: Callable[[int, TaskOutcome], None] | None = None,
    ) -> list[TaskOutcome]:
        """Run ``fn`` on every item; never raises because of a task.

        Args:
            fn: A picklable top-level function.
            items: Its arguments (picklable).
            on_done: Called in the parent as ``on_done(index, outcome)`` when each task
                ends, in completion order (drive a progress bar with it).

        Returns:
            One outcome per item, in input order.
        """
        if self._closed:
            raise RuntimeError("the pool is closed")
        todo = list(items)
        if self.size == 0:
            return self._map_inline(fn, todo, on_done)
        results: list[TaskOutcome | None] = [None] * len(todo)
        pending = deque(range(len(todo)))
        again: list[int] = []  # tasks whose worker died: run once more, alone

        def finish(index: int, outcome: TaskOutcome) -> None:
            results[index] = outcome
            if on_done is not None:
                on_done(index, outcome)

        try:
            self._fill()
            while pending or any(w.task is not None for w in self._workers):
                if not self._workers:  # not even one worker could be started
                    while pending:
                        error = "could not start a worker process"
                        finish(pending.popleft(), TaskOutcome(False, None, error, False, True))
                    break
                for worker in self._workers:
                    if worker.task is None and pending:
                        index = pending.popleft()
                        try:
                            worker.conn.send((fn, todo[index]))
                        except (OSError, EOFError):
                            pass  # the worker died: its sentinel reports it below
                        except Exception as exc:  # the argument cannot be pickled
                            finish(index, TaskOutcome(ok=False, error=describe_exception(exc)))
                            continue
                        worker.task = index
                        worker.deadline = time.monotonic() + self.limits.seconds
                busy = [w for w in self._workers if w.task is not None]
                if not busy:
                    continue
                timeout = max(0.0, min(w.deadline for w in busy) - time.monotonic())
                ready = set(
                    wait([w.conn for w in busy] + [w.process.sentinel for w in busy], timeout)
                )
                now = time.monotonic()
                for worker in busy:
                    polled = self._poll(worker, ready, now)
                    if polled is None:
                        continue
                    outcome, dead = polled
                    task, worker.task, worker.deadline = worker.task, None, math.inf
                    if dead:
                        worker.kill()
                        self._workers.remove(worker)
                        self._fill()
                    if task is not None and outcome.crashed:
                        self.faults.workers_died += 1
                        again.append(task)  # the death may not be the task's doing
                    elif task is not None:
                        finish(task, outcome)
            for index in again:
                finish(index, self._run_alone(fn, todo[index]))
        except BaseException:
            self.close()  # Ctrl-C or a failing on_done: never leave workers behind
            raise
        return [r if r is not None else TaskOutcome(ok=False, error="lost") for r in results]

    def _run_alone(self, fn: Callable[[T], R], item: T) -> TaskOutcome:
        """Run a task whose worker died once more, in a fresh worker, with no other busy.

        A worker dies for reasons outside its task (the out-of-memory killer picks the
        largest process, a container is recycled), and one check stands for every
        student who gave that answer. Run alone, a task that still kills its worker has
        shown that it is the cause; only then is the death its outcome.
        """
        self.faults.tasks_retried += 1
        worker = self._spawn()
        if worker is None:
            return TaskOutcome(False, None, "could not start a worker process", False, True)
        try:
            worker.conn.send((fn, item))
        except (OSError, EOFError):
            pass  # it died at once: its sentinel says so below
        except Exception as exc:  # pragma: no cover - it was sent once already
            worker.stop()
            return TaskOutcome(ok=False, error=describe_exception(exc))
        worker.task, worker.deadline = 0, time.monotonic() + self.limits.seconds
        while True:
            timeout = max(0.0, worker.deadline - time.monotonic())
            ready = set(wait([worker.conn, worker.process.sentinel], timeout))
            polled = self._poll(worker, ready, time.monotonic())
            if polled is not None:
                break
        outcome, dead = polled
        worker.task = None
        if dead:
            worker.kill()
        else:
            worker.stop()
        if outcome.crashed:
            self.faults.workers_died += 1
            error = f"{outcome.error}; run again alone in a fresh worker, it died again"
            return TaskOutcome(False, None, error, False, True)
        return outcome

    def _poll(
        self, worker: _Worker, ready: set[Any], now: float
    ) -> tuple[TaskOutcome, bool] | None:
        """The outcome of ``worker``'s task if it ended, and whether the worker is gone."""
        sentinel_ready = worker.process.sentinel in ready
        if worker.conn in ready or (sentinel_ready and worker.conn.poll()):
            try:
                ok, payload = worker.conn.recv()
            except (EOFError, OSError):
                sentinel_ready = True  # the pipe closed: the worker died mid-task
            except Exception as exc:  # a result that cannot be unpickled
                error = "result could not be read: " + describe_exception(exc)
                return TaskOutcome(ok=False, error=error), False
            else:
                if ok:
                    return TaskOutcome(ok=True, value=payload), False
                return TaskOutcome(ok=False, error=str(payload)), False
        if sentinel_ready:
            worker.process.join(_KILL_GRACE)
            message, slow = _death_message(worker.process.exitcode)
            return TaskOutcome(False, None, message, slow, not slow), True
        if now >= worker.deadline:
            message = f"the answer check took longer than {self.limits.seconds:g} s"
            return TaskOutcome(False, None, message, True, False), True
        return None

    def close(self) -> None:
        """Stop every worker (idle ones politely, busy ones with SIGKILL)."""
        self._closed = True
        workers, self._workers = self._workers, []
        for worker in workers:
            if worker.task is None:
                worker.stop()
            else:
                worker.kill()


class Runner(Protocol):
    """Where tasks run: the local :class:`WorkerPool` or a Dask cluster.

    ``map`` must never raise because of a task: every item ends with a
    :class:`TaskOutcome`, in input order.
    """

    def map(
        self,
        fn: Callable[[Any], Any],
        items: Iterable[Any],
        on_done: Callable[[int, TaskOutcome], None] | None = None,
    ) -> list[TaskOutcome]:
        """Run ``fn`` on every item under the runner's limits."""
        ...


def run_bounded(fn: Callable[[T], R], arg: T, limits: Limits | None = None) -> TaskOutcome:
    """Run one task in a fresh child process under ``limits`` (default :class:`Limits`).

    Args:
        fn: A picklable top-level function.
        arg: Its argument.
        limits: Time and memory bounds.

    Returns:
        The task's outcome; never raises because of the task.
    """
    with WorkerPool(1, limits or Limits()) as pool:
        return pool.map(fn, [arg])[0]


__all__ = ["Faults", "Limits", "Runner", "TaskOutcome", "WorkerPool", "run_bounded"]
